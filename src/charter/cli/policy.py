"""`charter policy check FILE` and `charter policy show NAME_OR_FILE`."""

from __future__ import annotations

from typing import Any

import click

from charter.cli.output import emit_json


@click.group()
def policy() -> None:
    """Check or show a policy file or preset."""


@policy.command()
@click.argument("file")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def check(file: str, as_json: bool) -> None:
    """Validate a policy FILE (or preset); errors name file:line and exit 2."""
    from charter.policy.loader import load_policy

    loaded = load_policy(file)
    p = loaded.policy
    if as_json:
        emit_json({"ok": True, "policy": loaded.name, "processes": list(p.processes),
                   "roles": list(p.role_ids)})
        return
    click.echo(f"{loaded.name}: ok ({len(p.roles)} roles, {len(p.processes)} processes: "
               f"{', '.join(p.processes)})")


@policy.command()
@click.argument("name_or_file")
@click.option("--json", "as_json", is_flag=True, help="Print the effective policy as JSON.")
def show(name_or_file: str, as_json: bool) -> None:
    """Print the effective policy (presets and `extends:` merged) as YAML or JSON."""
    from charter.policy.loader import load_policy

    loaded = load_policy(name_or_file)
    data = _readable(loaded.policy.model_dump(mode="json", by_alias=True, exclude_none=True))
    if as_json:
        emit_json(data)
        return
    import sys

    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.default_flow_style = False
    yaml.width = 100
    yaml.dump(data, sys.stdout)


def _readable(value: Any) -> Any:
    """Keys in reading order: `id` and `type` first, the charter's sentence last."""
    if isinstance(value, dict):
        first = [k for k in ("id", "type") if k in value]
        last = [k for k in ("source", "preset_choice") if k in value]
        middle = [k for k in value if k not in first and k not in last]
        return {k: _readable(value[k]) for k in [*first, *middle, *last]}
    if isinstance(value, list):
        return [_readable(v) for v in value]
    return value
