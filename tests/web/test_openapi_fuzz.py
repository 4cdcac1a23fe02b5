"""schemathesis against the running service's own `/openapi.json`: no request it can generate
from the document gets a 5xx, and every error is the documented JSON."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.web.conftest import PROJECT, Service


def test_no_generated_request_gets_a_5xx(service: Service) -> None:
    service.post("/api/v1/projects", {"name": PROJECT, "policy": "llama-stack",
                                      "people": {"alice": "maintainer", "dave": "contributor"}},
                 "root")
    schema = schemathesis.openapi.from_url(f"{service.base}/openapi.json")
    headers = {"Authorization": f"Bearer {service.tokens['alice']}"}
    operations: list[Any] = []
    for result in schema.get_all_operations():
        assert not isinstance(result, schemathesis.core.result.Err), result
        operations.append(result.ok())
    assert len(operations) >= 10
    seen: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck),
                  database=None)
        def check(case: Any) -> None:
            response = case.call(base_url=service.base, headers=headers)
            assert response.status_code < 500, (case.method, case.formatted_path,
                                                response.text)
            if response.status_code >= 400:
                assert "error" in response.json(), response.text

        check()
        seen.append(f"{operation.method.upper()} {operation.path}")
    assert "POST /api/v1/projects/{owner}/{repo}/commands" in seen
