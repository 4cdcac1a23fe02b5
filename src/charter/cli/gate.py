"""`charter gate`: what one pull request still needs before it may merge."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from charter.gate.model import GateResult, Requirement
    from charter.policy.schema import Policy

FORMATS = ("text", "json", "markdown")


@click.command()
@click.option("--repo", "repo", default=".", show_default=True,
              help="The git repository (a bare one too).")
@click.option("--base", "base", required=True, help="The branch or commit the PR merges into.")
@click.option("--head", "head", required=True, help="The PR's head commit or branch.")
@click.option("--author", "author", default=None, help="The PR author's login.")
@click.option("--approved-by", "approved_by", multiple=True, metavar="LOGIN[@REV]",
              help="An /approve, on the head or when the head was REV (repeatable).")
@click.option("--check", "checks", multiple=True, metavar="NAME=STATE",
              help="A check's state, e.g. build=success (repeatable).")
@click.option("--label", "labels", multiple=True, metavar="LABEL",
              help="A label set on the PR (repeatable).")
@click.option("--policy", "policy_ref", default=None,
              help="Policy file or preset (default: charter.yaml in BASE's tree, else the "
                   "built-in defaults).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.pass_context
def gate(ctx: click.Context, repo: str, base: str, head: str, author: str | None,
         approved_by: tuple[str, ...], checks: tuple[str, ...], labels: tuple[str, ...],
         policy_ref: str | None, fmt: str, as_json: bool) -> None:
    """Evaluate one pull request (BASE..HEAD) against the policy.

    Exit 0 when it may merge, 1 when a blocking requirement is unmet, 2 on bad input.
    """
    from charter.cli.output import emit_json
    from charter.gate.evaluate import evaluate_gate
    from charter.gate.model import parse_approval, parse_check
    from charter.git.command import ensure_repo, resolve_rev

    approvals = [parse_approval(text) for text in approved_by]
    states: dict[str, str] = {}
    for text in checks:
        name, state = parse_check(text)
        states[name] = state  # a re-run reported later replaces the earlier state
    top = ensure_repo(repo)
    base_sha = resolve_rev(top, base)
    resolve_rev(top, head)
    policy = _policy(top, base_sha, policy_ref)
    result = evaluate_gate(top, base, head, author, approvals, states, labels, policy)
    fmt = "json" if as_json else fmt
    if fmt == "json":
        emit_json(result.to_json())
    elif fmt == "markdown":
        from charter.gate.render import as_markdown

        click.echo(as_markdown(result))
    else:
        click.echo(as_text(result))
    ctx.exit(0 if result.mergeable else 1)


def _policy(top: Path, base_sha: str, ref: str | None) -> Policy | None:
    """--policy, else charter.yaml as committed at BASE, else None (the built-in defaults)."""
    from charter.gate.facts import policy_at
    from charter.policy.loader import load_policy

    if ref is not None:
        return load_policy(ref, base_dir=Path.cwd()).policy
    return policy_at(top, base_sha)


#: Text output lists this many items (commits, files) under a requirement, then counts the rest.
TEXT_ITEMS = 10


def as_text(result: GateResult) -> str:
    """One line per requirement, unmet ones first; under an unmet one, what is missing (one
    line each), the fixes once, and the suggested approvers."""
    from charter.gate.render import summary

    lines = [f"{summary(result)} (head {result.head[:12]}, merge base "
             f"{result.merge_base[:12]})"]
    for r in sorted(result.requirements, key=lambda r: (r.met, r.severity != "blocking")):
        status = "ok  " if r.met else ("note" if r.severity == "advisory" else "FAIL")
        items = r.details.get("items") or _finding_items(r)
        if r.met or (len(items) < 2 and "summary" not in r.details):
            lines.append(f"  {status} {r.rule}: {r.message}")
            continue
        summary = r.details.get("summary", f"{len(items)} problem(s) to fix")
        lines.append(f"  {status} {r.rule}: {summary}")
        lines += [f"         {item}" for item in items[:TEXT_ITEMS]]
        if len(items) > TEXT_ITEMS:
            lines.append(f"         ... and {len(items) - TEXT_ITEMS} more (--format json lists "
                         "them all)")
        lines += [f"       to fix: {fix}" for fix in r.details.get("fix", ())]
        lines += [f"       note: {note}" for note in r.details.get("notes", ())]
        suggested = r.details.get("suggested_approvers")
        if suggested:
            lines.append(f"       suggested approvers: {', '.join(suggested)}")
    return "\n".join(lines)


def _finding_items(r: Requirement) -> list[str]:
    """One line per error finding a requirement carries: `path:line: message`."""
    out = []
    for f in r.details.get("findings", ()):
        if f.get("severity") == "error":
            where = (f.get("path") or "") + (f":{f['line']}" if f.get("line") else "")
            out.append(f"{where}: {f['message']}" if where else f["message"])
    return out
