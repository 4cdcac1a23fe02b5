"""`charter apidiff OLD NEW`: classify every change between two OpenAPI documents."""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from charter.apidiff.compare import ApiChange, ApiDiffResult
from charter.apidiff.compare import apidiff as run_apidiff
from charter.apidiff.progress import listening

_STYLES = {"ERR": "bold red", "WARN": "yellow", "INFO": "dim"}


@click.command("apidiff")
@click.argument("old")
@click.argument("new")
@click.option("--repo", "repo", default=".", show_default=True,
              type=click.Path(file_okay=False, path_type=str),
              help="Git repository that REV:path arguments are read from.")
@click.option("--policy", "policy_ref", default=None,
              help="Policy file or preset name whose pull_requests.api block declares tiers "
                   "and the deprecation period.")
@click.option("--now", "now_text", default=None, metavar="ISO8601",
              help="The current instant for sunsets and deprecation periods, with its zone "
                   "(e.g. 2026-04-01T00:00:00Z). Default: the commit date of NEW when it is "
                   "REV:path, else the clock.")
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
@click.pass_context
def apidiff(ctx: click.Context, old: str, new: str, repo: str, policy_ref: str | None,
            now_text: str | None, as_json: bool) -> None:
    """Compare two OpenAPI 3.x documents (files, or REV:path inside --repo).

    Exits 1 when a breaking change touches a stable operation, 0 otherwise.
    """
    from charter.apidiff.tiers import tier_rules_from_policy
    from charter.policy.loader import load_policy

    tiers = None
    if policy_ref is not None:
        policy = load_policy(policy_ref, base_dir=Path.cwd()).policy
        tiers = tier_rules_from_policy(policy.pull_requests.api)
    now = _parse_now(now_text)
    if now is None and Path(new).is_file():
        # only the command line reads the clock; the library is always told what "now" is
        now = datetime.now(UTC)
    started = time.monotonic()

    def progress(message: str) -> None:
        # large documents take seconds: on a terminal, say what is happening (on stderr, so
        # --json output stays clean)
        if sys.stderr.isatty():
            click.echo(f"charter: {message}... ({time.monotonic() - started:.1f} s)", err=True)

    with listening(progress):
        result = run_apidiff(old, new, repo=repo, tiers=tiers, now=now)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
    else:
        _print_text(result, old, new)
    ctx.exit(1 if result.fails else 0)


def _parse_now(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as err:
        raise click.BadParameter(f"{text!r} is not an ISO 8601 instant", param_hint="--now") \
            from err
    if moment.tzinfo is None:
        raise click.BadParameter(f"{text!r} has no zone; add Z or an offset such as +02:00",
                                 param_hint="--now")
    return moment


#: Warnings listed per document in text; `--json` lists them all.
_TEXT_WARNINGS = 10


def _print_text(result: ApiDiffResult, old: str, new: str) -> None:
    console = Console(highlight=False, soft_wrap=True)
    _print_warnings(console, result)
    if not result.changes:
        console.print(f"No API changes between {escape(old)} and {escape(new)}.")
        return
    by_operation: dict[str, list[ApiChange]] = {}
    for change in result.changes:
        by_operation.setdefault(change.operation, []).append(change)
    for operation, changes in by_operation.items():
        console.print(f"[bold]{escape(operation)}[/bold]")
        for change in changes:
            label = "BREAKING" if change.breaking else change.level
            style = "bold red" if change.breaking else _STYLES[change.level]
            console.print(f"  [{style}]{label:<8}[/{style}] {escape(change.id)} "
                          f"[dim]({escape(change.tier)})[/dim]")
            console.print(f"           {escape(change.message)}")
            console.print(f"           [dim]at {escape(change.location)}[/dim]")
    stable = sum(1 for c in result.changes if c.breaking and c.tier == "stable")
    summary = (f"{len(result.changes)} change(s), {result.breaking} breaking, "
               f"{stable} breaking on stable operations")
    style = "bold red" if result.fails else "green"
    console.print(f"[{style}]{summary}[/{style}]")


def _print_warnings(console: Console, result: ApiDiffResult) -> None:
    by_spec: dict[str, list[str]] = {}
    for warning in result.warnings:
        by_spec.setdefault(warning.spec, []).append(warning.render())
    for spec, lines in by_spec.items():
        console.print(f"[yellow]warning[/yellow] {escape(spec)}: {len(lines)} problem(s) that "
                      "did not prevent the comparison")
        for line in lines[:_TEXT_WARNINGS]:
            console.print(f"  {escape(line)}")
        if len(lines) > _TEXT_WARNINGS:
            console.print(f"  [dim]... and {len(lines) - _TEXT_WARNINGS} more (--json lists "
                          "them all)[/dim]")
