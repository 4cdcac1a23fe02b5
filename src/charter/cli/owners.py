"""`charter owners PATH...`: who owns each path, under OWNERS (as Prow) and CODEOWNERS (as GitHub).

Exit 2 (CharterError) for bad usage: no such folder, not a git repository, an unknown revision, a
path outside the repository. A broken OWNERS, OWNERS_ALIASES or CODEOWNERS line is not an error
here: the answer is what Prow and GitHub enforce (they skip it), and a warning naming file and
line goes to stderr; `charter check owners` reports the same mistakes as findings.
"""

from __future__ import annotations

import json
import os
import posixpath
from pathlib import Path

import click

from charter.checks.findings import Finding
from charter.checks.owners.repo_owners import OWNERS_ALIASES, Ownership, RepoOwners, normalize_path
from charter.checks.repository import load_owner_files
from charter.errors import CharterError
from charter.git.command import ensure_repo

#: CODEOWNERS lines GitHub skips that are named one by one; more are counted.
_SHOWN_LINES = 3


def _repo_path(top: Path, raw: str) -> str:
    """PATH as a repository path: absolute paths must lie inside the repository."""
    if os.path.isabs(raw):
        try:
            raw = Path(raw).resolve().relative_to(top.resolve()).as_posix()
        except ValueError:
            raise CharterError(f"path {raw!r} is outside the repository {top}") from None
    return normalize_path(raw)


def _relevant(problem: Finding, paths: list[str]) -> bool:
    """Whether a skipped file bears on any queried path (an alias file bears on all)."""
    where = problem.path or ""
    if where == OWNERS_ALIASES or posixpath.basename(where) != "OWNERS":
        return True
    folder = posixpath.dirname(where)
    return any(not folder or p == folder or p.startswith(folder + "/") for p in paths)


def _names(names: tuple[str, ...] | None) -> str:
    if names is None:
        return "(no CODEOWNERS)"
    return ", ".join(names) if names else "(none)"


def _table(result: dict[str, Ownership]) -> None:
    """One small two-column table per path: it stays readable in an 80-column terminal."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    for path, own in result.items():
        table = Table(title=path or "(repository root)", title_justify="left",
                      show_header=False, box=None, padding=(0, 2, 0, 2))
        table.add_column("field", style="bold", no_wrap=True)
        table.add_column("value", overflow="fold")
        table.add_row("approvers", _names(own.approvers))
        table.add_row("leaf approvers", _names(own.leaf_approvers))
        table.add_row("reviewers", _names(own.reviewers))
        table.add_row("OWNERS file", own.owners_file or "(none)")
        table.add_row("CODEOWNERS", _names(own.codeowners))
        console.print(table)


@click.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--repo", "repo", default=".", show_default=True, metavar="PATH",
              help="The git repository to read.")
@click.option("--rev", "rev", default="HEAD", show_default=True, metavar="REV",
              help="The revision whose OWNERS and CODEOWNERS files apply.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def owners(paths: tuple[str, ...], repo: str, rev: str, as_json: bool) -> None:
    """Who owns each PATH: OWNERS approvers and reviewers (as Prow) and CODEOWNERS (as GitHub).

    A PATH is a repository path and need not exist at REV.
    """
    top = ensure_repo(repo)
    wanted = [_repo_path(top, raw) for raw in paths]
    loaded = load_owner_files(top, rev)
    repo_owners = RepoOwners(loaded.files, loaded.skipped)
    for problem in repo_owners.problems:
        if _relevant(problem, wanted):
            where = (problem.path or "") + (f":{problem.line}" if problem.line else "")
            click.echo(f"charter: warning: {where}: {problem.message} "
                       "(`charter check owners` lists every such problem)", err=True)
    skipped_lines = repo_owners.codeowners.problems if repo_owners.codeowners else ()
    for problem in skipped_lines[:_SHOWN_LINES]:
        click.echo(f"charter: warning: {problem.path}:{problem.line}: {problem.message}",
                   err=True)
    if len(skipped_lines) > _SHOWN_LINES:
        click.echo(f"charter: warning: {skipped_lines[0].path}: GitHub skips "
                   f"{len(skipped_lines) - _SHOWN_LINES} more invalid line(s); run "
                   "`charter check owners` to list them", err=True)
    result = {path: repo_owners.owners_of(path) for path in wanted}
    if as_json:
        click.echo(json.dumps({"files": {p: own.to_json() for p, own in result.items()}},
                              indent=2))
    else:
        _table(result)
