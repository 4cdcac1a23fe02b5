"""`charter render governance`: write GOVERNANCE.md from the policy."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def render() -> None:
    """Generate documents from the policy."""


@render.command()
@click.option("--policy", "policy_ref", default=None,
              help="Policy file or preset name (default: ./charter.yaml).")
@click.option("-o", "--output", default="GOVERNANCE.md", show_default=True,
              help="File to write, or - for standard output.")
def governance(policy_ref: str | None, output: str) -> None:
    """Write GOVERNANCE.md: roles, processes with their numbers, and each rule's source."""
    from charter.policy.loader import load_policy
    from charter.policy.render import render_governance

    text = render_governance(load_policy(policy_ref).policy)
    if output == "-":
        click.echo(text, nl=False)
        return
    Path(output).write_text(text, encoding="utf-8")
    click.echo(f"wrote {output}", err=True)
