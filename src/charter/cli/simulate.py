"""`charter simulate FILE` and `charter explain FILE ID`: replay a scenario through the engine."""

from __future__ import annotations

from typing import Any

import click

from charter.cli.output import console, emit_json
from charter.errors import CharterError


def _run(file: str) -> tuple[Any, Any, Any]:
    from charter.engine.replay import replay
    from charter.scenario import load_scenario

    scenario = load_scenario(file)
    engine, end = replay(scenario.policy.policy, scenario.people, scenario.commands,
                         scenario.as_of, policy_digest=scenario.policy.digest)
    return scenario, engine, end


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the state as JSON.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default=None,
              help="Output format (same as --json when json).")
def simulate(file: str, as_json: bool, fmt: str | None) -> None:
    """Replay a scenario FILE and print the state at its end (or at `as_of`)."""
    from charter.engine.report import snapshot

    scenario, engine, end = _run(file)
    state = snapshot(engine, end)
    if as_json or fmt == "json":
        emit_json(state)
        return
    _print_state(scenario, state)


def _print_state(scenario: Any, state: dict[str, Any]) -> None:
    from rich.table import Table

    out = console()
    title = scenario.title or scenario.file
    out.print(f"[bold]{title}[/bold]  policy: {scenario.policy.name}  as of {state['as_of']}")
    if state["not_applied"]["reason"]:
        out.print(f"[bold]Not applied[/bold]: {state['not_applied']['reason']}")
    # With one policy the output is as it always was; after an adoption, say which is whose.
    changed = len(state["policies"]) > 1
    if changed:
        adopted = Table(title="Policies")
        for column in ("policy", "since", "adopted by"):
            adopted.add_column(column, no_wrap=True)
        for version in state["policies"]:
            adopted.add_row(version["id"], _short(version["since"]), version["by"] or "-")
        out.print(adopted)
    decisions = Table(title="Decisions")
    for column in ("id", "process", "status", "opened", "deadline", "closed"):
        decisions.add_column(column, no_wrap=True)
    if changed:
        decisions.add_column("policy", no_wrap=True)
    for did, d in state["decisions"].items():
        decisions.add_row(did, d["process"], d["status"], _short(d["opened_at"]),
                          _short(d["closes_at"]), _short(d["closed_at"]),
                          *([d["policy"]] if changed else []))
    if state["decisions"]:
        out.print(decisions)
        for did, d in state["decisions"].items():
            out.print(f"  [bold]{did}[/bold]: {d['reason']}")
    people = Table(title="People")
    for column in ("login", "roles", "status"):
        people.add_column(column)
    for login, p in state["people"].items():
        people.add_row(login, ", ".join(p["roles"]) or "-", p["status"])
    out.print(people)
    if state["roadmap"] or state["rfc_ranking"]:
        roadmap = Table(title="Roadmap")
        roadmap.add_column("quarter")
        roadmap.add_column("items")
        for quarter, items in state["roadmap"].items():
            roadmap.add_row(quarter, ", ".join(items))
        if state["rfc_ranking"]:
            roadmap.add_row("candidates", ", ".join(state["rfc_ranking"]) + " (by upvotes)")
        out.print(roadmap)
    if state["components"]:
        comps = Table(title="Components")
        for column in ("id", "status", "since", "timeframe ends", "criteria met"):
            comps.add_column(column)
        for cid, c in state["components"].items():
            comps.add_row(cid, c["status"], c["since"] or "", c["timeframe_ends"] or "",
                          f"{c['criteria_met']}/{c['criteria']}")
        out.print(comps)
    if state["rejected"]:
        rejected = Table(title="Rejected events")
        rejected.add_column("event")
        rejected.add_column("reason", overflow="fold")
        for r in state["rejected"]:
            rejected.add_row(str(r["event"]), r["reason"])
        out.print(rejected)


def _short(value: str | None) -> str:
    """2026-03-06 15:00Z for a whole minute, 2026-03-06 23:59:59Z otherwise."""
    if not value:
        return "-"
    text = value.replace("T", " ")
    return text.removesuffix(":00Z") + "Z" if text.endswith(":00Z") else text


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.argument("decision_id")
@click.option("--json", "as_json", is_flag=True, help="Print the explanation as JSON.")
def explain(file: str, decision_id: str, as_json: bool) -> None:
    """Say why decision DECISION_ID of scenario FILE is where it is."""
    from charter.engine.explain import explain as explain_decision
    from charter.engine.state import Rejected

    _, engine, end = _run(file)
    try:
        account = explain_decision(engine, decision_id, end)
    except Rejected as err:
        raise CharterError(err.reason, file=file) from None
    if as_json:
        emit_json(account)
        return
    out = console()
    out.print(f"[bold]{account['id']}[/bold] ({account['process']}): {account['status']}")
    out.print(f"  why: {account['reason']}")
    if len(engine.policies) > 1 and account.get("policy"):
        out.print(f"  policy: {account['policy']} (the one in force when it opened)")
    for line in account["rule"]:
        out.print(f"  rule: {line}")
    if account["source"]:
        out.print(f"  charter: \u201c{account['source']}\u201d")
    if account["preset_choice"]:
        out.print(f"  policy's choice: {account['preset_choice']}")
    out.print(f"  opened {account['opened_at']}, deadline {account['deadline'] or '-'}, "
              f"closed {account['closed_at'] or '-'}")
    for line in account["would_change"]:
        out.print(f"  would change it: {line}")
    for entry in account["history"]:
        out.print(f"  {entry['at']}  {entry['what']}")
    if account["not_applied"]["reason"]:
        out.print(f"  note: {account['not_applied']['reason']}")
