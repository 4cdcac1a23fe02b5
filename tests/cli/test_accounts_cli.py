"""`charter account create` as an operator runs it, and the demo's printed accounts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import charter
from charter.cli.demo_project import DEMO_ACCOUNTS, create_demo_accounts, seed
from charter.store.accounts import authenticate
from charter.store.db import connect, reading, upgrade
from charter.store.projects import Governance

SRC = str(Path(charter.__file__).parents[1])


def run(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": SRC, "HOME": str(tmp_path),
           "CHARTER_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"}
    return subprocess.run([sys.executable, "-m", "charter", *args], cwd=tmp_path, env=env,
                          input=stdin, capture_output=True, text=True, timeout=120,
                          check=False)


def test_create_then_change_a_password(tmp_path: Path) -> None:
    made = run(tmp_path, "account", "create", "ada", "--password-stdin",
               stdin="first password\n")
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == "account ada created"
    changed = run(tmp_path, "account", "create", "ada", "--password-stdin",
                  stdin="second password\n")
    assert changed.stdout.strip() == "account ada updated"
    with reading(connect(f"sqlite:///{tmp_path / 'c.db'}")) as conn:
        assert authenticate(conn, "ada", "second password")
        assert not authenticate(conn, "ada", "first password")


@pytest.mark.parametrize(("login", "password", "says"), [
    ("ada", "short", "8 to 1024 characters"),
    ("not/a/login", "long enough", "1 to 39 letters"),
])
def test_bad_input_exits_2(tmp_path: Path, login: str, password: str, says: str) -> None:
    answer = run(tmp_path, "account", "create", login, "--password-stdin",
                 stdin=password + "\n")
    assert answer.returncode == 2 and says in answer.stderr
    assert "Traceback" not in answer.stderr


def test_the_demo_accounts_sign_in(tmp_path: Path) -> None:
    db = connect(f"sqlite:///{tmp_path / 'c.db'}")
    upgrade(db)
    gov = Governance(db, b"k" * 32)
    seed(gov)
    made = create_demo_accounts(gov)
    assert [(login, role) for login, role, _ in made] == list(DEMO_ACCOUNTS)
    roles = gov.state("rocket/rocket")["people"]
    with reading(db) as conn:
        for login, role, password in made:
            assert authenticate(conn, login, password) and role in roles[login]["roles"]
