"""The check-run deliverer: created once per commit, then updated, also when a delivery is
retried after a crash; GitHub's refusals become retries."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from charter.forge.client import GitHub
from charter.store.queue import Effect
from charter.worker.gate import CheckRunDeliverer, log_check_run
from charter.worker.run import DeliveryFailed
from tests.forge.fake_github import FakeGitHub, serve

SHA = "c" * 40


@pytest.fixture
def github() -> Iterator[tuple[FakeGitHub, GitHub]]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    fake = FakeGitHub(public, "7")
    server, thread = serve(fake)
    try:
        yield fake, GitHub(fake.url, "7", private)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def effect(conclusion: str, effect_id: int = 1) -> Effect:
    return Effect(effect_id, 1, "check_run", f"check:o/r@{SHA}", {
        "installation": 3, "repository": "o/r", "sha": SHA, "name": "charter",
        "fields": {"status": "completed", "conclusion": conclusion,
                   "output": {"title": conclusion, "summary": "s"}}}, 0)


@pytest.mark.parametrize("conclusions", [
    pytest.param(["failure"], id="created"),
    pytest.param(["failure", "failure"], id="retried-after-a-crash"),
    pytest.param(["failure", "success", "failure"], id="updated"),
])
def test_one_check_run_per_commit(github: tuple[FakeGitHub, GitHub],
                                  conclusions: list[str]) -> None:
    fake, client = github
    deliver = CheckRunDeliverer(client)
    for i, conclusion in enumerate(conclusions):
        deliver(effect(conclusion, i + 1))
    runs = fake.runs(SHA)
    assert len(runs) == 1
    assert runs[0]["conclusion"] == conclusions[-1]
    assert runs[0]["updates"] == len(conclusions) - 1
    assert [r.method for r in fake.requests if "check-runs" in r.path].count("POST") == 1


@pytest.mark.parametrize(("status", "headers"), [(500, {}), (429, {"Retry-After": "30"})])
def test_refusals_are_retried(github: tuple[FakeGitHub, GitHub], status: int,
                              headers: dict[str, str]) -> None:
    fake, client = github
    client.installation_token(3)
    fake.failures.append((status, headers))
    with pytest.raises(DeliveryFailed) as caught:
        CheckRunDeliverer(client)(effect("failure"))
    assert (caught.value.retry_after is not None) is bool(headers)
    CheckRunDeliverer(client)(effect("failure"))
    assert len(fake.runs(SHA)) == 1


def test_without_an_app_check_runs_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="charter.worker")
    log_check_run(effect("success"))
    assert f"o/r@{SHA[:12]}: success" in caplog.text
