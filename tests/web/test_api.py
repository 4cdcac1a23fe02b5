"""The REST API on a real uvicorn on loopback, over a real SQLite file."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
import sqlalchemy as sa

from charter.store.tables import events
from tests.web.conftest import PROJECT, Service


def create(svc: Service) -> None:
    response = svc.post("/api/v1/projects", {
        "name": PROJECT, "policy": "llama-stack",
        "people": {"alice": "maintainer", "bob": "maintainer", "carol": "maintainer",
                   "dave": "contributor"}}, "root")
    assert response.status_code == 201, response.text


def test_projects_need_an_admin_token(service: Service) -> None:
    body = {"name": PROJECT, "policy": "llama-stack"}
    assert service.post("/api/v1/projects", body).status_code == 401
    denied = service.post("/api/v1/projects", body, "alice")
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "forbidden"
    create(service)
    assert service.http.get("/api/v1/projects").json() == {"projects": [PROJECT]}


def test_propose_object_and_vote(service: Service) -> None:
    create(service)
    path = f"/api/v1/projects/{PROJECT}/commands"
    made = service.post(path, {"do": "propose", "id": "P1", "process": "lazy-consensus",
                               "title": "Adopt ruff"}, "dave")
    assert made.status_code == 201, made.text
    assert made.json()["event"]["command"]["by"] == "dave"
    objected = service.post(path, {"do": "object", "id": "P1", "reason": "no"}, "bob")
    assert objected.json()["decision"]["status"] == "contested"
    refused = service.post(path, {"do": "call-vote", "id": "P1", "vote": "V1"}, "dave")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "rejected"
    assert "maintainer" in refused.json()["error"]["message"]
    called = service.post(path, {"do": "call-vote", "id": "P1", "vote": "V1"}, "alice")
    assert called.status_code == 201
    voted = service.post(path, {"do": "vote", "id": "V1", "choice": "yes"}, "alice")
    assert voted.status_code == 201 and voted.json()["decision"]["tally"]["yes"] == 1
    state = service.http.get(f"/api/v1/projects/{PROJECT}/state").json()
    assert state["decisions"]["V1"]["status"] == "open"
    log = service.http.get(f"/api/v1/projects/{PROJECT}/events", params={"after": 2}).json()
    assert [e["seq"] for e in log["events"]] == [3, 4, 5]
    assert log["events"][0]["rejected"] is not None  # the refused call-vote is logged too
    one = service.http.get(f"/api/v1/projects/{PROJECT}/decisions/P1").json()
    assert one["explanation"]["id"] == "P1" or "explanation" in one
    open_ones = service.http.get(f"/api/v1/projects/{PROJECT}/decisions",
                                 params={"status": "open"}).json()["decisions"]
    assert set(open_ones) == {"V1"}


def test_secret_vote_answers_with_a_receipt(service: Service) -> None:
    create(service)
    path = f"/api/v1/projects/{PROJECT}/commands"
    service.post(path, {"do": "nominate", "id": "N1", "person": "dave",
                        "role": "maintainer"}, "alice")
    cast = service.post(path, {"do": "vote", "id": "N1", "choice": "no",
                               "explanation": "not yet"}, "bob")
    assert cast.status_code == 201
    answer = cast.json()
    assert len(answer["receipt"]) == 32
    assert answer["event"]["command"] == {"do": "vote", "by": "bob", "id": "N1",
                                          "sealed": True}
    assert "no" not in json.dumps(answer["event"]) and "not yet" not in json.dumps(answer)
    assert answer["decision"]["tally"] == {"ballots": 1}


def _put_policy(svc: Service, body: Any, who: str | None = "root") -> Any:
    headers = {"Authorization": f"Bearer {svc.tokens[who]}"} if who else {}
    return svc.http.put(f"/api/v1/projects/{PROJECT}/policy", json=body, headers=headers)


SHORT = {"extends": "llama-stack",
         "processes": {"lazy-consensus": {"window": "24 business hours"}}}


def test_put_policy_adopts_for_new_decisions(service: Service) -> None:
    create(service)
    path = f"/api/v1/projects/{PROJECT}/commands"
    service.post(path, {"do": "propose", "id": "OLD", "process": "lazy-consensus"}, "dave")
    first = service.http.get(f"/api/v1/projects/{PROJECT}/state").json()["policies"][0]["hash"]
    adopted = _put_policy(service, {"policy": SHORT})
    assert adopted.status_code == 200, adopted.text
    answer = adopted.json()
    assert answer["changed"] is True and answer["policy"] not in (None, first)
    again = _put_policy(service, {"policy": SHORT})
    assert again.status_code == 200 and again.json() == {**answer, "changed": False}
    service.post(path, {"do": "propose", "id": "NEW", "process": "lazy-consensus"}, "dave")
    state = service.http.get(f"/api/v1/projects/{PROJECT}/state").json()
    assert state["decisions"]["OLD"]["policy"] == first[:12]
    assert state["decisions"]["NEW"]["policy"] == answer["policy"][:12]
    log = service.http.get(f"/api/v1/projects/{PROJECT}/events").json()["events"]
    assert [(e["command"]["do"], e["command"]["by"], e["policy"]) for e in log[1:]] == [
        ("adopt-policy", "root", answer["policy"]), ("propose", "dave", answer["policy"])]
    # Adopting is not a command anyone may send.
    sent = service.post(path, {"do": "adopt-policy", "policy": "llm-d"}, "root")
    assert sent.status_code == 403


@pytest.mark.parametrize(("who", "body", "status", "field"), [
    (None, {"policy": "llm-d"}, 401, None),
    ("alice", {"policy": "llm-d"}, 403, None),
    ("root", {"policy": "nope"}, 422, "policy"),
    ("root", {}, 422, "policy"),
    ("root", {"policy": "llm-d", "by": "x"}, 422, "by"),
    ("root", {"policy": {"extends": "llama-stack", "processes": {
        "lazy-consensus": {"window": "soon"}}}}, 422, "policy.processes.lazy-consensus.window"),
])
def test_put_policy_errors(service: Service, who: str | None, body: Any, status: int,
                           field: str | None) -> None:
    create(service)
    response = _put_policy(service, body, who)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error.get("field") == field
    assert len(service.http.get(f"/api/v1/projects/{PROJECT}/events").json()["events"]) == 0


@pytest.mark.parametrize(("path", "status"), [
    ("/api/v1/projects/nobody/here/state", 404),
    ("/api/v1/projects/acme/widgets/decisions/NOPE", 404),
    ("/api/v1/nothing", 404),
])
def test_errors_are_json(service: Service, path: str, status: int) -> None:
    create(service)
    response = service.http.get(path)
    assert response.status_code == status
    assert set(response.json()["error"]) >= {"code", "message"}


def _junk(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(9 if depth < 3 else 6)
    if kind == 0:
        return rng.choice([None, True, False, 0, -1, 2**70, 1.5, float("1e308")])
    if kind == 1:
        return "".join(rng.choice("ab\x00é😀{}\"' /\\\n") for _ in range(rng.randrange(30)))
    if kind == 2:
        return rng.choice(["propose", "vote", "object", "nominate", "count", "upvote", "P1",
                           "lazy-consensus", "yes", "maintainer", "dave"])
    if kind == 3:
        return rng.randrange(-5, 5)
    if kind in (4, 5):
        return rng.choice(["do", "id", "process", "choice", "person", "role", "sealed",
                           "at", "by", "tally", "items"])
    if kind == 6:
        return [_junk(rng, depth + 1) for _ in range(rng.randrange(4))]
    keys = ["do", "id", "process", "choice", "title", "person", "role", "vote", "items",
            "tally", "sealed", "at", "by", "explanation", "timeframe", "x"]
    return {rng.choice(keys): _junk(rng, depth + 1) for _ in range(rng.randrange(6))}


def test_random_malformed_commands_never_give_5xx(service: Service) -> None:
    create(service)
    rng = random.Random(20261203)
    path = f"/api/v1/projects/{PROJECT}/commands"
    statuses: dict[int, int] = {}
    rejected_logged = 0
    for _ in range(1000):
        body = _junk(rng, 0 if rng.random() < 0.8 else 3)
        if rng.random() < 0.1:
            response = service.http.post(path, content=rng.randbytes(rng.randrange(200)),
                                         headers={"Authorization":
                                                  f"Bearer {service.tokens['alice']}",
                                                  "Content-Type": "application/json"})
        else:
            response = service.post(path, body, rng.choice(["alice", "dave", None]))
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        assert response.status_code < 500, (body, response.text)
        if response.status_code >= 400:
            assert "error" in response.json(), response.text
        rejected_logged += response.status_code == 409
    with service.gov.db.connect() as conn:
        stored = conn.execute(sa.select(sa.func.count()).select_from(events)).scalar()
        accepted = conn.execute(sa.select(sa.func.count()).select_from(events)
                                .where(events.c.rejected.is_(None))).scalar()
    # Only engine commands are stored: the accepted ones and the rejections the spec logs.
    assert stored == rejected_logged + statuses.get(201, 0)
    assert accepted == statuses.get(201, 0)
    assert statuses.get(422, 0) > 100


@pytest.mark.parametrize(("size", "status"), [(1024, 422), (1024 * 1024 + 1, 413)])
def test_a_body_over_the_cap_is_refused_unread(service: Service, size: int,
                                               status: int) -> None:
    create(service)
    answer = service.http.post(f"/api/v1/projects/{PROJECT}/commands",
                               headers={"Authorization": f"Bearer {service.tokens['dave']}",
                                        "Content-Type": "application/json"},
                               content=b"[" + b" " * (size - 2) + b"]")
    assert answer.status_code == status
    assert answer.json()["error"]["code"] == ("too-large" if status == 413 else "invalid")
