"""What each page shows, read from the engine: only the decisions a page lists, never a whole
state, so a page costs the same for a project with ten decisions or ten thousand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markdown_it import MarkdownIt
from markupsafe import Markup

from charter.engine.calendar import WEEKDAYS, BusinessCalendar, iso
from charter.engine.explain import explain
from charter.engine.machine import Engine
from charter.engine.processes.components import component_view
from charter.engine.processes.lazy import lazy_process
from charter.engine.processes.rfcs import ranking
from charter.engine.processes.votes import vote_process
from charter.engine.report import decision_view
from charter.engine.state import Decision, HistoryEntry, LazyDecision, Rfc, VoteDecision
from charter.policy.durations import Duration
from charter.policy.schema import (
    LAZY_TYPES,
    ComponentProcess,
    NominationProcess,
    RoadmapProcess,
)

PER_PAGE = 50
CONTESTED_PER_PAGE = 20


@dataclass(frozen=True)
class Page:
    """One page of a list: its items, and where it is in the whole."""

    items: list[dict[str, Any]]
    number: int
    pages: int
    total: int


def paginate(items: list[Any], number: int, per_page: int = PER_PAGE) -> tuple[list[Any], int,
                                                                                int]:
    pages = max(1, -(-len(items) // per_page))
    number = min(max(1, number), pages)
    return items[(number - 1) * per_page:number * per_page], number, pages


def calendar_rule(calendar: BusinessCalendar, duration: Duration) -> str:
    """'72 business hours, weekends (Sat, Sun) skipped (UTC)': the rule behind a countdown."""
    if not duration.business:
        return f"{duration}, counted in calendar time"
    skipped = []
    if calendar.weekend:
        names = ", ".join(WEEKDAYS[d].capitalize()[:3] for d in sorted(calendar.weekend))
        skipped.append(f"weekends ({names})")
    if calendar.holidays or calendar.countries:
        skipped.append("public holidays")
    what = " and ".join(skipped) or "nothing"
    return f"{duration}, {what} skipped ({calendar.zone})"


def rule_of(engine: Engine, decision: Decision) -> str | None:
    if isinstance(decision, LazyDecision):
        return calendar_rule(engine.calendar, lazy_process(engine, decision).window)
    if isinstance(decision, VoteDecision):
        return "open at least " + calendar_rule(engine.calendar,
                                                vote_process(engine, decision).min_open)
    return None


def row(engine: Engine, decision: Decision, now: datetime) -> dict[str, Any]:
    """A decision as the home page lists it: the API's view, its rule and time left."""
    view = {"id": decision.id, **decision_view(engine, decision, now)}
    view["rule"] = rule_of(engine, decision)
    left = (decision.closes_at - now).total_seconds() if decision.closes_at else None
    view["seconds_left"] = None if left is None else int(left)
    return view


def home(engine: Engine, now: datetime, number: int, contested_number: int = 1
         ) -> dict[str, Any]:
    """Open decisions, soonest deadline first, and the contested ones, newest first (each
    paginated)."""
    opened = [d for d in engine.decisions.values() if d.status == "open"]
    opened.sort(key=lambda d: (d.closes_at is None, d.closes_at or now, d.id))
    contested = [d for d in engine.decisions.values() if d.status == "contested"]
    contested.reverse()
    shown, number, pages = paginate(opened, number)
    argued, contested_number, contested_pages = paginate(contested, contested_number,
                                                         CONTESTED_PER_PAGE)
    return {"open": Page([row(engine, d, now) for d in shown], number, pages, len(opened)),
            "contested": Page([row(engine, d, now) for d in argued], contested_number,
                              contested_pages, len(contested)),
            "decisions": len(engine.decisions)}


def bars(engine: Engine, decision: VoteDecision, tally: dict[str, Any]) -> list[dict[str, Any]]:
    """The tally against the threshold and the quorum, as (label, value, max, text)."""
    if "yes" not in tally:
        return []
    proc = vote_process(engine, decision)
    yes, no, abstain = tally["yes"], tally["no"], tally["abstain"]
    eligible = tally.get("eligible") or len(decision.box.roster)
    pool = {"cast": yes + no, "eligible": eligible,
            "ballots": yes + no + abstain}[proc.pass_.of]
    out = [{"label": "Yes against the threshold", "value": yes, "max": max(pool, 1),
            "text": f"{yes} yes of {pool}; passes with {proc.pass_.describe()}"}]
    if proc.quorum is not None:
        counted = yes + no + (abstain if proc.quorum.abstain_counts else 0)
        needed = proc.quorum.at_least * eligible
        out.append({"label": "Turnout against the quorum", "value": counted,
                    "max": max(eligible, 1),
                    "text": f"{counted} of {eligible} eligible voted; quorum: "
                            f"{proc.quorum.describe()} (needs {float(needed):g})"})
    return out


def decision(engine: Engine, decision_id: str, now: datetime) -> dict[str, Any] | None:
    """One decision with its explanation (timeline, rule, what would change it) and bars."""
    found = engine.decisions.get(decision_id)
    if found is None:
        return None
    view = row(engine, found, now)
    view["explanation"] = explain(engine, decision_id, now, history_of(engine, decision_id))
    view["bars"] = bars(engine, found, view["tally"]) if isinstance(
        found, VoteDecision) and isinstance(view.get("tally"), dict) else []
    view["kind"] = type(found).__name__
    view["counted"] = isinstance(found, VoteDecision) and found.counted
    view["is_vote"] = isinstance(found, VoteDecision)
    view["releases_explanations"] = False
    if isinstance(found, VoteDecision):
        proc = vote_process(engine, found)
        view["releases_explanations"] = isinstance(proc, NominationProcess) and \
            proc.explanations is not None and proc.explanations.release != "never"
    return view


class _HistoryIndex:
    """An engine's history entries by decision, extended as the (append-only) history grows,
    so a decision's timeline costs its own entries, not the project's whole history."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.seen = 0
        self.by: dict[str, list[HistoryEntry]] = {}

    def of(self, decision_id: str) -> list[HistoryEntry]:
        history = self.engine.history
        for entry in history[self.seen:]:
            self.by.setdefault(entry.decision, []).append(entry)
        self.seen = len(history)
        return self.by.get(decision_id, [])


_indexes: dict[int, _HistoryIndex] = {}


def history_of(engine: Engine, decision_id: str) -> list[HistoryEntry]:
    """DECISION_ID's history entries (the caller holds the engine's lock, as
    `Governance.read` does)."""
    index = _indexes.get(id(engine))
    if index is None or index.engine is not engine:
        if len(_indexes) >= 256:  # warm engines are few; a stale one is simply rebuilt
            _indexes.clear()
        index = _indexes[id(engine)] = _HistoryIndex(engine)
    return index.of(decision_id)


def rfcs(engine: Engine, number: int) -> dict[str, Any]:
    """RFCs, most upvoted first, with who upvoted (upvotes are public)."""
    found = [d for d in engine.decisions.values() if isinstance(d, Rfc)]
    found.sort(key=lambda r: (r.status == "selected", -len(r.upvoters), r.id))
    shown, number, pages = paginate(found, number)
    items = [{"id": r.id, **decision_view(engine, r, None), "upvoters": sorted(r.upvoters)}
             for r in shown]
    return {"rfcs": Page(items, number, pages, len(found)), "ranking": ranking(engine)}


def roadmap(engine: Engine, now: datetime, login: str | None) -> dict[str, Any]:
    """Quarters with their selected RFCs, the candidates in rank order, and the selection rule."""
    proc = next((p for _, p in engine.policy.processes_of(RoadmapProcess)), None)
    candidates = []
    for rfc_id in ranking(engine)[:100]:
        rfc = engine.decisions[rfc_id]
        assert isinstance(rfc, Rfc)
        candidates.append({"id": rfc_id, "title": rfc.title, "upvotes": len(rfc.upvoters)})
    titles = {}
    for items in engine.roadmap.values():
        for item in items:
            found = engine.decisions.get(item)
            titles[item] = found.title if found is not None else None
    quarter = f"{now.year}Q{(now.month - 1) // 3 + 1}"
    upcoming = quarter if quarter not in engine.roadmap else _next_quarter(quarter)
    return {"quarters": sorted(engine.roadmap.items(), reverse=True), "titles": titles,
            "candidates": candidates, "min": proc.items.min if proc else None,
            "max": proc.items.max if proc else None,
            "selectors": list(proc.selectors) if proc else [],
            "may_select": bool(proc and login and engine.allowed(login, proc.selectors)),
            "next_quarter": upcoming}


def _next_quarter(quarter: str) -> str:
    year, q = int(quarter[:4]), int(quarter[-1])
    return f"{year + 1}Q1" if q == 4 else f"{year}Q{q + 1}"


def people(engine: Engine) -> list[dict[str, Any]]:
    return [{"login": login, "roles": engine.roster.roles(login),
             "status": engine.roster.status(login),
             "history": [{"role": s.role, "from": iso(s.start), "until": iso(s.end),
                          "by": s.granted_by, "ended_by": s.ended_by}
                         for s in engine.roster.person(login).history]}
            for login in engine.roster.logins()]


def components(engine: Engine) -> dict[str, Any]:
    """Each component's place in its lifecycle, and the lifecycle's rule."""
    lifecycle = next((p for _, p in engine.policy.processes_of(ComponentProcess)), None)
    rule = None
    if lifecycle is not None:
        rule = (f"Incubating components need {', '.join(lifecycle.requires)}; they graduate "
                f"when every criterion is met, and are archived at least "
                f"{lifecycle.archive_before_removal} before removal.")
    return {"components": [{"id": cid, **component_view(c), "criteria_list": list(c.criteria),
                            "met_list": list(c.met)} for cid, c in engine.components.items()],
            "rule": rule,
            "archive_before_removal": str(lifecycle.archive_before_removal) if lifecycle
            else None}


def roles_of(engine: Engine, login: str | None) -> list[str]:
    return engine.roster.roles(login) if login and login in engine.roster else []


def proposable(engine: Engine) -> list[str]:
    """The processes a `propose` can open (lazy consensus and proposals)."""
    return [name for name, proc in engine.policy.processes.items()
            if isinstance(proc, LAZY_TYPES) and getattr(proc, "type", "") != "reinstatement"]


def triage_queue(gov: Any, name: str) -> list[dict[str, Any]]:
    """Issues labelled needs-triage that the GitHub App has seen, oldest first (the same list
    as `GET /api/v1/projects/{p}/triage`)."""
    from charter.forge.triage import triage_queue as queue

    found: list[dict[str, Any]] = queue(gov, name)
    return found


def gate_run(gov: Any, name: str, number: int) -> dict[str, Any] | None:
    """The gate as the GitHub App last judged pull request NUMBER (None before it has)."""
    from charter.forge.gating import gate_view  # the GitHub side is optional for the pages

    return gate_view(gov, name, number)


def markdown_html(text: str) -> Markup:
    """TEXT (the gate's markdown, which quotes file names a pull request chose) as HTML; raw
    HTML in it is escaped, never passed through."""
    return Markup(_MARKDOWN.render(text))


_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")
