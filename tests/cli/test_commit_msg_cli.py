"""`charter commit-msg FILE`, the pre-commit hook: sign-off and style before the commit exists."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from charter.cli import cli
from tests.conftest import GIT_ENV

SIGNOFF = "Signed-off-by: Test Author <author@example.com>"


@pytest.mark.parametrize(
    ("message", "code", "rule"),
    [
        (f"Add a cache\n\nLookups were slow.\n\n{SIGNOFF}\n", 0, None),
        ("Add a cache\n\nLookups were slow.\n", 1, "dco.signoff-missing"),
        (f"Add a cache\n\nLookups were slow.\n# {SIGNOFF}\n", 1, "dco.signoff-missing"),
        (f"{'x' * 73}\n\nWhy.\n\n{SIGNOFF}\n", 1, "commits.title-too-long"),
        (f"Add a cache\n\n{SIGNOFF}\n", 1, "commits.body-missing"),
    ],
    ids=["good", "no-signoff", "signoff-only-in-a-comment", "long-title", "llm-d-needs-body"],
)
def test_commit_msg_hook(make_repo: Callable[[str], Path], tmp_path: Path,
                         monkeypatch: pytest.MonkeyPatch, message: str, code: int,
                         rule: str | None) -> None:
    repo = make_repo("r")
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    msg = tmp_path / "COMMIT_EDITMSG"
    msg.write_text(message)
    result = CliRunner().invoke(cli, ["commit-msg", str(msg), "--repo", str(repo),
                                      "--policy", "llm-d"])
    assert result.exit_code == code, result.output
    if rule:
        assert rule in result.output


def fresh_env() -> dict[str, str]:
    """The environment of a fresh interpreter that imports this very copy of Charter."""
    import os

    import charter

    return {**os.environ, **GIT_ENV, "PYTHONPATH": str(Path(charter.__file__).parents[1])}


def hook(repo: Path, message: str, *args: str) -> tuple[int, str]:
    """Run the hook as git does, in a fresh interpreter: (exit code, standard error)."""
    import subprocess
    import sys

    (repo / ".git" / "COMMIT_EDITMSG").write_text(message)
    proc = subprocess.run([sys.executable, "-m", "charter", "commit-msg",
                           ".git/COMMIT_EDITMSG", *args], cwd=repo, capture_output=True,
                          text=True, env=fresh_env(), check=False)
    return proc.returncode, proc.stderr


BODYLESS = f"Add a cache\n\n{SIGNOFF}\n"
POLICIES = [
    pytest.param("charter: 1\nextends: llm-d\nproject: {name: p}\n", 1, id="llm-d-body-required"),
    pytest.param("charter: 1\nextends: llm-d\nproject: {name: p}\npull_requests:\n"
                 "  commits: {body: optional}\n", 0, id="body-optional"),
    pytest.param("charter: 1\nextends: llm-d\nproject: {name: p}\npull_requests:\n"
                 "  commits: {title_max: 5}\n", 1, id="short-titles"),
    pytest.param("charter: 1\nextends: llm-d\nproject: {name: p}\npull_requests:\n"
                 "  commits: {body: sometimes}\n", 2, id="invalid-value"),
    pytest.param("charter: 1\nextends: llm-d\nproject: {name: p}\nprocesses:\n"
                 "  lazy-consensus: {window: soon}\n", 2, id="error-elsewhere-in-the-policy"),
    pytest.param("charter: 1\nextends: llm-d\nproject: [\n", 2, id="bad-yaml"),
    pytest.param("charter: 1\nextends: ../outside.yaml\n", 2, id="extends-outside-the-repo"),
]


@pytest.mark.parametrize(("policy", "code"), POLICIES)
def test_remembered_rules_give_the_same_verdict(make_repo: Callable[[str], Path],
                                                tmp_path: Path, policy: str, code: int) -> None:
    """The hook remembers a policy's rules between commits; a run that uses them says exactly
    what a run that loads the policy says, errors included."""
    repo = make_repo("r")
    (repo / "charter.yaml").write_text(policy)
    (tmp_path / "outside.yaml").write_text("charter: 1\nextends: llm-d\nproject: {name: p}\n")
    first = hook(repo, BODYLESS)
    assert first[0] == code, first[1]
    assert hook(repo, BODYLESS) == first
    assert hook(repo, BODYLESS) == first


def test_a_changed_policy_is_read_again(make_repo: Callable[[str], Path], tmp_path: Path) -> None:
    repo = make_repo("r")
    (repo / "policy").mkdir()
    shared = repo / "policy" / "shared.yaml"
    shared.write_text("charter: 1\nextends: llm-d\nproject: {name: p}\n")
    (repo / "charter.yaml").write_text("charter: 1\nextends: policy/shared.yaml\n")
    assert hook(repo, BODYLESS)[0] == 1
    # A file further up the `extends:` chain changes: the next commit sees it.
    shared.write_text("charter: 1\nextends: llm-d\nproject: {name: p}\n"
                      "pull_requests:\n  commits: {body: optional}\n")
    assert hook(repo, BODYLESS)[0] == 0
    # The policy itself changes.
    (repo / "charter.yaml").write_text("charter: 1\nextends: policy/shared.yaml\n"
                                       "pull_requests:\n  commits: {title_max: 5}\n")
    code, err = hook(repo, BODYLESS)
    assert code == 1 and "commits.title-too-long" in err
    # Broken now: the loader's error, every time.
    (repo / "charter.yaml").write_text("charter: 1\nextends: [\n")
    assert hook(repo, BODYLESS)[0] == 2


def test_a_damaged_cache_entry_is_ignored(make_repo: Callable[[str], Path],
                                          tmp_path: Path) -> None:
    import os

    repo = make_repo("r")
    (repo / "charter.yaml").write_text("charter: 1\nextends: llm-d\nproject: {name: p}\n")
    first = hook(repo, BODYLESS)
    folder = Path(os.environ["XDG_CACHE_HOME"]) / "charter" / "commit-msg"
    entries = list(folder.glob("*.json"))
    assert entries
    for entry in entries:
        entry.write_text('{"format": 1, "rules": {"dco": 5}}')
    assert hook(repo, BODYLESS) == first


def test_the_hook_does_not_load_the_schema_once_it_knows_the_rules(
        make_repo: Callable[[str], Path]) -> None:
    """The policy schema (pydantic) is most of a cold start; a remembered policy skips it."""
    repo = make_repo("r")
    (repo / "charter.yaml").write_text("charter: 1\nextends: llm-d\nproject: {name: p}\n")
    hook(repo, BODYLESS)
    code, _ = hook(repo, BODYLESS, "--repo", ".")
    assert code == 1
    import subprocess
    import sys

    (repo / ".git" / "COMMIT_EDITMSG").write_text(BODYLESS)
    probe = ("import sys\nfrom charter.cli import main\ntry:\n"
             "    main(['commit-msg', '.git/COMMIT_EDITMSG'])\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in ('pydantic', 'ruamel.yaml', 'charter.policy.schema')"
             " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=repo, capture_output=True,
                         text=True, env=fresh_env(), check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
