"""`extends:` reads only inside the policy's root, and every way it can go wrong is said clearly.

The root is the repository holding the policy (`charter check --repo R`: R's top), else the
folder of the policy file. Paths are checked after links are followed.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from charter.errors import CharterError
from charter.gate.facts import policy_at
from charter.policy.loader import load_policy
from tests.conftest import git
from tests.policy.helpers import run_charter

BASE = "charter: 1\nproject: {name: base}\nroles: [maintainer]\n"
SECRET = "password: hunter2\napi_token: abcdef123456\n"


def _outside(tmp_path: Path) -> Path:
    secret = tmp_path / "elsewhere" / "secret.yaml"
    secret.parent.mkdir()
    secret.write_text(SECRET)
    return secret


def _policy(folder: Path, extends: str, name: str = "charter.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"charter: 1\nextends: {extends}\nproject: {{name: p}}\n")
    return path


# Each case: how the target is made (given the policy's folder and an outside secret), the
# `extends:` value, and words the error must contain.
OUTSIDE_CASES: list[tuple[str, Callable[[Path, Path], None], str, str]] = [
    ("absolute-path", lambda here, secret: None, "{secret}", "outside"),
    ("dot-dot", lambda here, secret: None, "../elsewhere/secret.yaml", "outside"),
    ("symlink-out", lambda here, secret: (here / "base.yaml").symlink_to(secret), "base.yaml",
     "outside"),
    ("symlinked-folder-out", lambda here, secret: (here / "conf").symlink_to(secret.parent),
     "conf/secret.yaml", "outside"),
    ("dev-zero", lambda here, secret: None, "/dev/zero", "outside"),
]


@pytest.mark.parametrize(("make", "extends", "words"), [c[1:] for c in OUTSIDE_CASES],
                         ids=[c[0] for c in OUTSIDE_CASES])
def test_extends_outside_the_folder_is_refused_without_reading_it(
        tmp_path: Path, make: Callable[[Path, Path], None], extends: str, words: str) -> None:
    secret = _outside(tmp_path)
    here = tmp_path / "project"
    here.mkdir()
    make(here, secret)
    path = _policy(here, extends.format(secret=secret))
    with pytest.raises(CharterError) as caught:
        load_policy(path)
    text = caught.value.render()
    assert words in text and f"{path}:2" in text
    assert "hunter2" not in text and "password" not in text and "api_token" not in text


def test_inside_a_repository_the_root_is_its_top(make_repo: Callable[[str], Path]) -> None:
    repo = make_repo("proj")
    (repo / "base.yaml").write_text(BASE)
    path = _policy(repo / "policies" / "team", "../../base.yaml")
    assert load_policy(path).policy.project.name == "p"
    _outside(repo.parent)
    escape = _policy(repo / "policies", "../../elsewhere/secret.yaml", "escape.yaml")
    with pytest.raises(CharterError, match="outside the repository"):
        load_policy(escape)


def test_outside_any_repository_the_root_is_the_policy_folder(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(BASE)
    _policy(tmp_path / "sub", "../base.yaml")
    with pytest.raises(CharterError, match="outside the policy's folder"):
        load_policy(tmp_path / "sub" / "charter.yaml")
    inner = tmp_path / "sub" / "shared" / "base.yaml"
    inner.parent.mkdir()
    inner.write_text(BASE)
    path = _policy(tmp_path / "sub", "shared/base.yaml", "ok.yaml")
    assert load_policy(path).policy.project.name == "p"


def test_a_symlink_that_stays_inside_is_followed(tmp_path: Path) -> None:
    (tmp_path / "real.yaml").write_text(BASE)
    (tmp_path / "base.yaml").symlink_to(tmp_path / "real.yaml")
    assert load_policy(_policy(tmp_path, "base.yaml")).policy.roles[0].id == "maintainer"


def test_the_policy_file_itself_may_not_link_outside(tmp_path: Path) -> None:
    secret = _outside(tmp_path)
    here = tmp_path / "project"
    here.mkdir()
    (here / "charter.yaml").symlink_to(secret)
    with pytest.raises(CharterError) as caught:
        load_policy(here / "charter.yaml")
    assert "outside" in caught.value.render() and "hunter2" not in caught.value.render()


def test_charter_check_confines_extends_to_the_repository(
        make_repo: Callable[[str], Path], capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo("proj")
    secret = _outside(repo.parent)
    (repo / "charter.yaml").write_text(f"charter: 1\nextends: {secret}\n")
    code, _, err = run_charter(["check", "--repo", str(repo)], capsys)
    assert code == 2
    assert f"{repo / 'charter.yaml'}:2: extends:" in err and "outside the repository" in err
    assert "hunter2" not in err
    (repo / "charter.yaml").unlink()
    (repo / "charter.yaml").symlink_to(secret)
    code, _, err = run_charter(["check", "--repo", str(repo)], capsys)
    assert code == 2 and "outside the repository" in err and "hunter2" not in err


def _action_script() -> str:
    action = yaml.safe_load((Path(__file__).resolve().parents[2] / "action.yml").read_text())
    step = next(s for s in action["runs"]["steps"] if s.get("name") == "Run charter check")
    assert isinstance(step["run"], str)
    return step["run"]


def test_the_github_action_refuses_extends_outside_the_workspace(
        make_repo: Callable[[str], Path], tmp_path: Path) -> None:
    # Run the Action's own script, with `charter` being this checkout's command line.
    repo = make_repo("workspace")
    secret = _outside(tmp_path)
    (repo / "charter.yaml").write_text(f"charter: 1\nextends: {secret}\n")
    shim = tmp_path / "bin" / "charter"
    shim.parent.mkdir()
    shim.write_text(f"#!/bin/sh\nexec {sys.executable} -m charter \"$@\"\n")
    shim.chmod(0o755)
    src = str(Path(__file__).resolve().parents[2] / "src")
    env = {**os.environ, "PATH": f"{shim.parent}:{os.environ['PATH']}",
           "PYTHONPATH": src, "GITHUB_WORKSPACE": str(repo), "CHECKS": "dco", "POLICY": "",
           "RANGE": "", "FORMAT": "github", "BASE_SHA": "", "HEAD_SHA": ""}
    proc = subprocess.run(["bash", "-e", "-c", _action_script()], env=env, cwd=repo,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2, proc.stderr
    assert "outside the repository" in proc.stderr and "hunter2" not in proc.stderr


@pytest.mark.parametrize("extends", ["{secret}", "../elsewhere/secret.yaml", "/dev/zero",
                                     "file://{secret}", "http://127.0.0.1:{port}/x.yaml"])
def test_policy_check_refuses_extends_outside(tmp_path: Path, extends: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    secret = _outside(tmp_path)
    with socket.socket() as listener:  # a loopback port that records whether it is reached
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        path = _policy(tmp_path / "project",
                       extends.format(secret=secret, port=listener.getsockname()[1]))
        code, out, err = run_charter(["policy", "check", str(path)], capsys)
        with pytest.raises(BlockingIOError):
            listener.accept()
    assert code == 2 and out == "" and f"{path}:2: extends:" in err
    assert "hunter2" not in err and "api_token" not in err


def test_policy_check_refuses_a_device_and_a_pipe(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    for target in ("pipe.yaml",):
        path = _policy(tmp_path, target, "p.yaml")
        with pytest.raises(CharterError, match="not a regular file"):
            load_policy(path)


def test_gate_reports_a_cycle_at_base(make_repo: Callable[[str], Path]) -> None:
    repo = make_repo("proj")
    (repo / "charter.yaml").write_text("charter: 1\nextends: ./charter.yaml\n")
    git(repo, "add", "charter.yaml")
    git(repo, "commit", "-q", "-m", "policy")
    with pytest.raises(CharterError) as caught:
        policy_at(repo, "HEAD")
    err = caught.value
    assert err.file is not None and err.file.endswith(":charter.yaml") and err.line == 2
    assert "charter.yaml extends itself" in err.message


def test_gate_reads_extends_from_the_revision_only(make_repo: Callable[[str], Path]) -> None:
    repo = make_repo("proj")
    for extends in ("/etc/passwd", "../x.yaml", "a/../../x.yaml"):
        (repo / "charter.yaml").write_text(f"charter: 1\nextends: {extends}\n")
        git(repo, "add", "charter.yaml")
        git(repo, "commit", "-q", "-m", "policy")
        with pytest.raises(CharterError, match="outside the repository"):
            policy_at(repo, "HEAD")


# ------------------------------------------------------------------------ what went wrong


def _error(tmp_path: Path, files: dict[str, str | bytes], top: str = "a.yaml"
           ) -> CharterError:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(text.encode() if isinstance(text, str) else text)
    with pytest.raises(CharterError) as caught:
        load_policy(tmp_path / top)
    return caught.value


# name, files, where the error is (file, line), words it must contain
BROKEN: list[tuple[str, dict[str, str | bytes], tuple[str, int], list[str]]] = [
    ("empty-string", {"a.yaml": 'charter: 1\nextends: ""\n'}, ("a.yaml", 2),
     ["extends: is empty", "name a preset"]),
    ("folder", {"a.yaml": "charter: 1\nextends: .\n"}, ("a.yaml", 2),
     ["is a folder", "not a policy file"]),
    ("missing", {"a.yaml": "charter: 1\nextends: base.yaml\n"}, ("a.yaml", 2),
     ["no preset or file 'base.yaml'", "does not exist"]),
    ("empty-file", {"a.yaml": "charter: 1\nextends: base.yaml\n", "base.yaml": ""},
     ("a.yaml", 2), ["base.yaml is empty", "must be a policy mapping"]),
    ("only-a-comment", {"a.yaml": "charter: 1\nextends: base.yaml\n", "base.yaml": "# x\n"},
     ("a.yaml", 2), ["base.yaml is empty"]),
    ("a-list", {"a.yaml": "charter: 1\nextends: base.yaml\n", "base.yaml": "- a\n- b\n"},
     ("a.yaml", 2), ["base.yaml holds a list, not a mapping"]),
    ("text", {"a.yaml": "charter: 1\nextends: base.yaml\n", "base.yaml": "hello\n"},
     ("a.yaml", 2), ["base.yaml holds text, not a mapping"]),
    ("not-yaml", {"a.yaml": "charter: 1\nextends: base.yaml\n",
                  "base.yaml": "roles: [a\nx: }\n"}, ("base.yaml", 2),
     ["malformed YAML", "a.yaml:2 extends this file"]),
    ("binary", {"a.yaml": "charter: 1\nextends: base.yaml\n", "base.yaml": b"\xff\xfe ro"},
     ("a.yaml", 2), ["not UTF-8"]),
    ("not-a-string", {"a.yaml": "charter: 1\nextends: [llm-d]\n"}, ("a.yaml", 2),
     ["expected a preset name", "not a list"]),
    ("itself", {"a.yaml": "charter: 1\nextends: a.yaml\n"}, ("a.yaml", 2),
     ["a.yaml extends itself"]),
    ("itself-through-dot-dot", {"d/a.yaml": "charter: 1\nextends: ../d/a.yaml\n"},
     ("d/a.yaml", 2), ["extends itself"]),
    ("two-files", {"a.yaml": "charter: 1\nextends: b.yaml\n", "b.yaml": "extends: a.yaml\n"},
     ("b.yaml", 1), ["a cycle: ", "a.yaml → ", "b.yaml → ", "a.yaml;",
                     "delete one of these extends"]),
    ("three-files-with-dot-dot", {
        "a.yaml": "charter: 1\nextends: x/b.yaml\n", "x/b.yaml": "extends: ../y/c.yaml\n",
        "y/c.yaml": "extends: ../y/../x/b.yaml\n"}, ("y/c.yaml", 1),
     ["a cycle:", "b.yaml → ", "c.yaml → ", "x/b.yaml;"]),
]


@pytest.mark.parametrize(("files", "at", "words"), [c[1:] for c in BROKEN],
                         ids=[c[0] for c in BROKEN])
def test_broken_extends_say_what_happened(tmp_path: Path, files: dict[str, str | bytes],
                                          at: tuple[str, int], words: list[str]) -> None:
    top = "d/a.yaml" if "d/a.yaml" in files else "a.yaml"
    err = _error(tmp_path, files, top)
    text = err.render()
    for word in words:
        assert word in text
    assert err.file is not None and err.file.endswith(at[0]) and err.line == at[1]
    assert "File name too long" not in text


def test_long_chains_stop(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {f"p{i}.yaml": f"extends: p{i + 1}.yaml\n"
                                     for i in range(30)}
    files["p30.yaml"] = BASE
    err = _error(tmp_path, files, "p0.yaml")
    assert "files extend one another" in err.render()


@pytest.mark.parametrize("command", [["policy", "check"], ["policy", "show"]])
def test_cli_exits_2_naming_file_and_line(tmp_path: Path, command: list[str],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.yaml").write_text("charter: 1\nextends: b.yaml\n")
    (tmp_path / "b.yaml").write_text("project: {name: x}\nextends: a.yaml\n")
    code, _, err = run_charter([*command, str(tmp_path / "a.yaml")], capsys)
    assert code == 2
    assert f"charter: {tmp_path / 'b.yaml'}:2: extends: a cycle:" in err


def test_a_scenarios_inline_policy_is_confined_too(tmp_path: Path) -> None:
    from charter.scenario import load_scenario

    secret = _outside(tmp_path)
    path = tmp_path / "project" / "s.yaml"
    path.parent.mkdir()
    path.write_text(f"policy: {{extends: {secret}}}\npeople: {{}}\nevents: []\n")
    with pytest.raises(CharterError) as caught:
        load_scenario(path)
    assert f"{path}:1" in caught.value.render() and "outside" in caught.value.render()
    assert "hunter2" not in caught.value.render()


@pytest.mark.parametrize("policy", ["{secret}", "../elsewhere/secret.yaml", "linked.yaml"],
                         ids=["absolute", "dot-dot", "symlink-out"])
def test_a_scenarios_policy_file_is_confined_too(tmp_path: Path, policy: str) -> None:
    # found by tests/test_fuzz_inputs.py: `policy: /abs/path` was read wherever it pointed
    from charter.scenario import load_scenario

    secret = _outside(tmp_path)
    path = tmp_path / "project" / "s.yaml"
    path.parent.mkdir()
    (path.parent / "linked.yaml").symlink_to(secret)
    path.write_text(f"people: {{}}\npolicy: {policy.format(secret=secret)}\nevents: []\n")
    with pytest.raises(CharterError) as caught:
        load_scenario(path)
    text = caught.value.render()
    assert text.startswith(f"{path}:2: policy: ") and "outside" in text
    assert "hunter2" not in text and "password" not in text


def test_a_scenarios_policy_from_the_working_folder_stays_in_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from charter.scenario import load_scenario

    secret = _outside(tmp_path)
    work = tmp_path / "work"
    (work / "pol").mkdir(parents=True)
    (work / "pol" / "p.yaml").write_text(BASE)
    (work / "sc").mkdir()
    monkeypatch.chdir(work)
    fine = work / "sc" / "s.yaml"
    fine.write_text("policy: pol/p.yaml\npeople: {}\nevents: []\n")
    assert load_scenario(fine).policy.name == "pol/p.yaml"
    out = work / "sc" / "t.yaml"
    out.write_text(f"policy: {os.path.relpath(secret, work)}\npeople: {{}}\nevents: []\n")
    with pytest.raises(CharterError) as caught:
        load_scenario(out)
    assert caught.value.render().startswith(f"{out}:1: policy: ")
    assert "outside" in caught.value.render() and "hunter2" not in caught.value.render()


def test_render_refuses_extends_outside(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    secret = _outside(tmp_path)
    path = _policy(tmp_path / "project", str(secret))
    code, out, err = run_charter(["render", "governance", "--policy", str(path), "-o", "-"],
                                 capsys)
    assert code == 2 and "outside" in err and out == ""
