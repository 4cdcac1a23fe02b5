"""`charter commit-msg FILE`: the DCO and commit-style rules on a message before it is committed."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import click

from charter.errors import CharterError

_IDENT = re.compile(r"^(?P<name>.*?) <(?P<email>[^>]*)>")


def _identity(repo: Path, var: str) -> tuple[str, str]:
    from charter.git.command import run_git

    raw = run_git(repo, ["var", var]).decode("utf-8", "replace")
    match = _IDENT.match(raw)
    if not match:
        raise CharterError(f"git var {var} gave no identity; set user.name and user.email")
    return match["name"], match["email"]


def _clean(message: str) -> str:
    """The message as git will store it: comment lines and the diff of `commit -v` removed."""
    kept = []
    for line in message.splitlines():
        if line.startswith("# ------------------------ >8 ------------------------"):
            break
        if not line.startswith("#"):
            kept.append(line.rstrip())
    return "\n".join(kept).strip() + "\n"


@click.command(name="commit-msg")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--repo", default=".", show_default=True, help="The git repository.")
@click.option("--policy", "policy_ref", default=None,
              help="Policy file or preset (default: charter.yaml at the repository's top).")
@click.pass_context
def commit_msg(ctx: click.Context, file: str, repo: str, policy_ref: str | None) -> None:
    """Check a commit message FILE (a commit-msg hook): sign-off and commit style."""
    # The hook runs on every commit: nothing here imports the policy schema unless the
    # policy's rules are not already known (charter.cli.hook_policy).
    from charter.checks.commits import commit_checker
    from charter.checks.dco import check_dco
    from charter.cli.hook_policy import commit_rules
    from charter.git.command import ensure_repo
    from charter.git.history import Commit

    top = ensure_repo(repo)
    dco_rules, commit_style = commit_rules(top, policy_ref)
    try:
        message = _clean(Path(file).read_text(encoding="utf-8", errors="replace"))
    except OSError as err:
        raise CharterError(f"cannot read: {err.strerror}", file=file) from None
    author = _identity(top, "GIT_AUTHOR_IDENT")
    committer = _identity(top, "GIT_COMMITTER_IDENT")
    now = datetime.now(UTC)
    commit = Commit("0" * 40, (), author[0], author[1], committer[0], committer[1], now, now,
                    message)
    findings = []
    if dco_rules is not None:
        findings += list(check_dco([commit], dco_rules))
    if commit_style is not None:
        findings += commit_checker(commit_style)(commit)
    for finding in findings:
        text = finding.message.replace("commit 000000000000", "this commit")
        click.echo(f"{finding.severity}: {finding.rule}: {text}", err=True)
    if any(f.check == "dco" for f in findings):
        click.echo("hint: this commit does not exist yet; commit with `git commit -s` to sign "
                   "it off", err=True)
    ctx.exit(1 if any(f.severity == "error" for f in findings) else 0)
