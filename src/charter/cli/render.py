"""`charter render governance|maintainers|roadmap`: Markdown from a policy, a scenario, or the
live state of a project in the service's database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from charter.errors import CharterError

PROJECT = click.option("--project", "project", default=None, metavar="OWNER/REPO",
                       help="Render the live state of this project in the service's database "
                            "(CHARTER_DATABASE_URL).")
SCENARIO = click.option("--scenario", "scenario", default=None,
                        type=click.Path(dir_okay=False),
                        help="Render the state at the end of this scenario file (as `charter "
                             "simulate` replays it, or as `charter export` writes it).")
OUTPUT_HELP = "File to write, or - for standard output."
ENV_FILE = click.option("--env-file", type=click.Path(dir_okay=False),
                        help="Read KEY=VALUE settings from this file first (with --project).")


@click.group()
def render() -> None:
    """Generate documents from the policy or a project's state."""


@render.command()
@click.option("--policy", "policy_ref", default=None,
              help="Policy file or preset name (default: ./charter.yaml).")
@PROJECT
@ENV_FILE
@click.option("-o", "--output", default="GOVERNANCE.md", show_default=True, help=OUTPUT_HELP)
def governance(policy_ref: str | None, project: str | None, env_file: str | None,
               output: str) -> None:
    """Write GOVERNANCE.md: roles, processes with their numbers, and each rule's source."""
    from charter.policy.loader import load_policy
    from charter.policy.render import render_governance

    if project is not None and policy_ref is not None:
        raise CharterError("give --policy or --project, not both")
    if project is not None:
        gov = _service(env_file)
        policy = _known(gov, project).policy.policy
    else:
        policy = load_policy(policy_ref).policy
    _write(render_governance(policy), output)


@render.command()
@PROJECT
@SCENARIO
@ENV_FILE
@click.option("-o", "--output", default="MAINTAINERS.md", show_default=True, help=OUTPUT_HELP)
def maintainers(project: str | None, scenario: str | None, env_file: str | None,
                output: str) -> None:
    """Write MAINTAINERS.md: the current roster by role, with since when and by which decision."""
    name, state = _state(project, scenario, env_file)
    _write(render_maintainers(name, state), output)


@render.command()
@PROJECT
@SCENARIO
@ENV_FILE
@click.option("-o", "--output", default="ROADMAP.md", show_default=True, help=OUTPUT_HELP)
def roadmap(project: str | None, scenario: str | None, env_file: str | None,
            output: str) -> None:
    """Write ROADMAP.md: each quarter's selected items, and the approved candidates by upvotes."""
    name, state = _state(project, scenario, env_file)
    _write(render_roadmap(name, state), output)


# --- sources ----------------------------------------------------------------------------------

def _service(env_file: str | None) -> Any:
    from charter.cli.service import _governance

    gov, _ = _governance(env_file, migrate=False)
    return gov


def _known(gov: Any, project: str) -> Any:
    """The project, or one clear line naming the projects there are (exit 2)."""
    from charter.store.projects import NotFound

    try:
        return gov.project(project)
    except NotFound:
        names = gov.project_names()
        known = (f"; the projects are {', '.join(names[:20])}"
                 f"{' ...' if len(names) > 20 else ''}") if names else \
            "; the database has no project yet"
        raise CharterError(f"--project {project!r}: no such project in the service's "
                           f"database{known}") from None


def _state(project: str | None, scenario: str | None,
           env_file: str | None) -> tuple[str, dict[str, Any]]:
    """(title, state JSON) from the live project or the scenario file, whichever is given."""
    if (project is None) == (scenario is None):
        raise CharterError("give --project OWNER/REPO (the service's live state) or "
                           "--scenario FILE")
    if project is not None:
        gov = _service(env_file)
        known = _known(gov, project)
        state: dict[str, Any] = gov.state(project)
        return known.policy.policy.project.name or project, state
    from charter.engine.replay import replay
    from charter.engine.report import snapshot
    from charter.scenario import load_scenario

    assert scenario is not None
    loaded = load_scenario(scenario)
    engine, end = replay(loaded.policy.policy, loaded.people, loaded.commands, loaded.as_of)
    return loaded.policy.policy.project.name or loaded.title or scenario, snapshot(engine, end)


def _write(text: str, output: str) -> None:
    if output == "-":
        click.echo(text, nl=False)
        return
    Path(output).write_text(text, encoding="utf-8")
    click.echo(f"wrote {output}", err=True)


# --- documents --------------------------------------------------------------------------------

def _day(stamp: str | None) -> str:
    return stamp[:10] if stamp else "the start"


def _cell(text: Any) -> str:
    """A value safe inside a Markdown table cell: one line, no column bars."""
    return " ".join(str(text).split()).replace("|", "\\|")


def render_maintainers(name: str, state: dict[str, Any]) -> str:
    """The roster as Markdown: one table per role held by someone active, with since when
    and by which decision each person holds it."""
    decisions = state.get("decisions", {})
    by_role: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    inactive: list[str] = []
    for login, person in sorted(state.get("people", {}).items()):
        current = [span for span in person.get("history", []) if span.get("until") is None]
        for span in current:
            by_role.setdefault(span["role"], []).append((login, span))
        if not current and person.get("history"):
            inactive.append(login)
    out = [f"# {name} maintainers and roles", "",
           f"Generated by Charter from the project's state as of {state.get('as_of') or 'now'}. "
           "Each role says since when the person holds it and which decision granted it.", ""]
    if not by_role:
        out += ["Nobody holds a role yet.", ""]
    order = sorted(by_role, key=lambda r: (r != "maintainer", r))
    for role in order:
        out += [f"## {role.replace('-', ' ').capitalize()}s", "",
                "| person | since | by |", "|---|---|---|"]
        for login, span in by_role[role]:
            out.append(f"| {_cell(login)} | {_day(span.get('from'))} | "
                       f"{_cell(_granted(span.get('by'), decisions))} |")
        out.append("")
    if inactive:
        out += ["## Former role holders", ""]
        for login in inactive:
            spans = state["people"][login]["history"]
            last = spans[-1]
            out.append(f"- {_cell(login)}: {last['role']} until {_day(last.get('until'))}"
                       f"{' (' + _cell(last['ended_by']) + ')' if last.get('ended_by') else ''}")
        out.append("")
    return "\n".join(out)


def _granted(by: str | None, decisions: dict[str, Any]) -> str:
    if not by:
        return "unknown"
    decision = decisions.get(by)
    if decision is None:
        return by
    closed = f", {decision['status']} {_day(decision.get('closed_at'))}" \
        if decision.get("closed_at") else ""
    return f"{by} ({decision.get('process', 'decision')}{closed})"


def render_roadmap(name: str, state: dict[str, Any]) -> str:
    """The roadmap as Markdown: each quarter (newest first) with its selected items, then the
    approved RFCs not yet selected, by upvotes."""
    decisions = state.get("decisions", {})
    out = [f"# {name} roadmap", "",
           f"Generated by Charter from the project's state as of {state.get('as_of') or 'now'}.",
           ""]
    quarters = state.get("roadmap", {})
    if not quarters:
        out += ["No roadmap has been selected yet.", ""]
    for quarter in sorted(quarters, reverse=True):
        out += [f"## {quarter}", ""]
        for position, item in enumerate(quarters[quarter], 1):
            out.append(f"{position}. {_item(item, decisions)}")
        out.append("")
    selected = {i for items in quarters.values() for i in items}
    candidates = [i for i in state.get("rfc_ranking", []) if i not in selected]
    if candidates:
        out += ["## Candidates", "", "Approved RFCs not yet on the roadmap, by upvotes:", ""]
        out += [f"- {_item(item, decisions)}" for item in candidates]
        out.append("")
    return "\n".join(out)


def _item(item: str, decisions: dict[str, Any]) -> str:
    rfc = decisions.get(item)
    if rfc is None:
        return _cell(item)
    title = f": {_cell(rfc['title'])}" if rfc.get("title") else ""
    facts = [f"by {rfc['author']}" if rfc.get("author") else None,
             f"{rfc.get('upvotes', 0)} upvote(s)",
             f"approved by {rfc['approved_by']}" if rfc.get("approved_by") else None]
    return f"**{_cell(item)}**{title} ({', '.join(f for f in facts if f)})"
