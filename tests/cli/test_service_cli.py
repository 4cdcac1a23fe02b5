"""The service's commands end to end, as an operator runs them: settings from the environment,
a real SQLite file, exit codes and what each prints."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from charter.store.db import connect
from charter.store.projects import Governance
from charter.store.tables import events

KEY = "operator-secret-key-0123456789"
#: The code under test, whatever checkout the virtualenv was installed from.
SRC = str(Path(__file__).parents[2] / "src")


def charter(tmp_path: Path, *args: str, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
    base = {"PATH": "/usr/bin:/bin", "CHARTER_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}",
            "CHARTER_SECRET_KEY": KEY, "HOME": str(tmp_path), "PYTHONPATH": SRC}
    return subprocess.run([sys.executable, "-m", "charter", *args], cwd=tmp_path,
                          env={**base, **(env or {})}, capture_output=True, text=True,
                          timeout=120, check=False)


def test_upgrade_token_export_and_audit(tmp_path: Path) -> None:
    upgraded = charter(tmp_path, "db", "upgrade")
    assert upgraded.returncode == 0 and "revision" in upgraded.stdout
    token = charter(tmp_path, "token", "create", "alice", "--admin")
    assert token.returncode == 0 and len(token.stdout.strip()) >= 40
    db = connect(f"sqlite:///{tmp_path / 'c.db'}")
    gov = Governance(db, KEY.encode())
    gov.create_project("acme/x", "llama-stack", {"alice": "maintainer", "bob": "maintainer"})
    gov.apply("acme/x", "bob", {"do": "propose", "id": "P1", "process": "lazy-consensus"})
    gov.apply("acme/x", "alice", {"do": "object", "id": "P1", "reason": "wait"})
    exported = charter(tmp_path, "export", "acme/x", "-o", "x.json")
    assert exported.returncode == 0
    simulated = charter(tmp_path, "simulate", "x.json", "--json")
    assert simulated.returncode == 0
    assert json.loads(simulated.stdout)["decisions"]["P1"]["status"] == "contested"
    sound = charter(tmp_path, "audit", "verify")
    assert sound.returncode == 0 and "acme/x: ok (2 events)" in sound.stdout
    with db.begin() as conn:
        conn.execute(events.update().where(events.c.seq == 2).values(rejected="tampered"))
    broken = charter(tmp_path, "audit", "verify", "--project", "acme/x")
    assert broken.returncode == 1 and "event 2" in broken.stdout and "altered" in broken.stdout
    db.dispose()


@pytest.mark.parametrize(("command", "env", "message"), [
    ("serve", {"CHARTER_SECRET_KEY": ""}, "CHARTER_SECRET_KEY is not set"),
    ("export", {"CHARTER_SECRET_KEY": "short"}, "too short"),
    ("export", {"CHARTER_DATABASE_URL": "mysql://x/y"}, "CHARTER_DATABASE_URL"),
    ("serve", {"CHARTER_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/x"},
     "cannot reach the database"),
])
def test_bad_settings_stop_with_one_line(tmp_path: Path, command: str, env: dict[str, str],
                                         message: str) -> None:
    args = [command, "acme/x"] if command == "export" else [command, "--port", "0"]
    result = charter(tmp_path, *args, env=env)
    assert result.returncode == 2
    assert message in result.stderr and result.stderr.count("\n") == 1


def test_export_of_an_unknown_project(tmp_path: Path) -> None:
    assert charter(tmp_path, "db", "upgrade").returncode == 0
    result = charter(tmp_path, "export", "no/such")
    assert result.returncode == 2 and "no project" in result.stderr


def test_worker_once_reports_what_it_did(tmp_path: Path) -> None:
    assert charter(tmp_path, "db", "upgrade").returncode == 0
    result = charter(tmp_path, "worker", "--once")
    assert result.returncode == 0 and json.loads(result.stdout) == {"webhooks": 0, "fired": 0,
                                                           "delivered": 0}
    with connect(f"sqlite:///{tmp_path / 'c.db'}").connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(events)).scalar() == 0


def _children(pid: int) -> list[str]:
    """The command lines of PID's child processes."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append((stat.parent / "cmdline").read_bytes().replace(b"\0", b" ")
                             .decode())
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we looked
    return found


def test_serve_with_two_processes_on_postgresql(tmp_path: Path) -> None:
    from tests.service_fixtures import new_postgres_db
    from tests.web.conftest import free_port

    for url in new_postgres_db():
        env = {"CHARTER_DATABASE_URL": url}
        assert charter(tmp_path, "db", "upgrade", env=env).returncode == 0
        admin = charter(tmp_path, "token", "create", "root", "--admin", env=env).stdout.strip()
        dave = charter(tmp_path, "token", "create", "dave", env=env).stdout.strip()
        port = free_port()
        base = {"PATH": "/usr/bin:/bin", "CHARTER_SECRET_KEY": KEY, "HOME": str(tmp_path),
                "PYTHONPATH": SRC, **env}
        server = subprocess.Popen([sys.executable, "-m", "charter", "serve", "--workers", "2",
                                   "--no-worker", "--port", str(port)], cwd=tmp_path, env=base,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            api = f"http://127.0.0.1:{port}/api/v1"
            with httpx.Client(timeout=10) as client:
                deadline = time.monotonic() + 60
                while True:
                    try:
                        if client.get(f"{api}/projects").status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    assert time.monotonic() < deadline and server.poll() is None, \
                        "serve --workers 2 did not start"
                    time.sleep(0.2)
                assert len([c for c in _children(server.pid) if "spawn_main" in c]) == 2
                made = client.post(f"{api}/projects", headers={"Authorization": f"Bearer {admin}"},
                                   json={"name": "acme/x", "policy": "llama-stack",
                                         "people": {"alice": "maintainer", "dave": "contributor"}})
                assert made.status_code == 201, made.text
                # Many connections, so both processes take some; each appends in turn.
                for i in range(20):
                    with httpx.Client(timeout=10) as fresh:
                        answer = fresh.post(f"{api}/projects/acme/x/commands",
                                            headers={"Authorization": f"Bearer {dave}"},
                                            json={"do": "propose", "id": f"P{i}",
                                                  "process": "lazy-consensus"})
                    assert answer.status_code == 201, answer.text
                    assert answer.json()["event"]["seq"] == i + 1
                state = client.get(f"{api}/projects/acme/x/state").json()
                assert sorted(state["decisions"]) == sorted(f"P{i}" for i in range(20))
        finally:
            server.terminate()
            server.wait(timeout=30)
        assert charter(tmp_path, "audit", "verify", env=env).returncode == 0
