"""The gate on GitHub: each pull request event updates what Charter knows of the pull request,
fetches the repository's mirror, runs the gate with OWNERS and the policy from the base branch,
and queues the `charter` check run on the head; pushes to the default branch reload the policy.

The check run is queued only when its content differs from the last one queued for that head,
so the gate's own check events (and redeliveries) settle instead of looping.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from charter.errors import CharterError, shorten
from charter.forge import answer, pulls
from charter.forge.inbox import Delivery
from charter.forge.payload import Comment, number, text
from charter.forge.policyfile import GOVERNANCE_FILES, POLICY_FILES, read_policy
from charter.forge.slash import Slash
from charter.gate.evaluate import evaluate_gate
from charter.gate.facts import changed_files
from charter.gate.model import Approval, GateResult, Requirement
from charter.gate.render import as_markdown
from charter.git.mirror import Mirror, MirrorError
from charter.policy.schema import Policy
from charter.store.db import reading, writing
from charter.store.projects import Governance, NotFound, Project, utcnow
from charter.store.tables import commit_checks, installations, outbox, pull_requests

log = logging.getLogger("charter.forge")
#: GitHub refuses check-run summaries over 65,535 characters.
MAX_SUMMARY = 60_000
#: A push to a base branch re-gates at most this many of its open pull requests.
MAX_REGATE = 50
ZERO = "0" * 40
DEFAULT_REF = "refs/charter/default"
#: A delivery whose fetch fails is retried (with backoff) this many times in all.
FETCH_TRIES = 5


@dataclass(frozen=True)
class Effect:
    """An outbox row to queue (the same fields as `forge.handle.Outbound`)."""

    project_id: int
    kind: str
    dedupe: str
    ordering_key: str
    payload: dict[str, Any]


@dataclass
class PullGate:
    """Runs the gate for GOV's projects on MIRROR; TOKEN gives an installation's token for
    fetching over HTTPS and PULL reads a pull request Charter has not seen (both optional)."""

    gov: Governance
    mirror: Mirror
    token: Callable[[int], str] | None = None
    pull: Callable[[int, str, int], dict[str, Any]] | None = None
    clock: Callable[[], datetime] = field(default=utcnow)

    # --- events -------------------------------------------------------------------------------

    def process(self, delivery: Delivery) -> list[Effect]:
        data = delivery.payload
        name = text(data, "repository", "full_name")
        project = self._project(name)
        if project is None:
            return []
        installation = number(data, "installation", "id") or self._installation(project.id)
        if delivery.event == "push":
            return self._push(project, installation, delivery)
        if delivery.event in ("check_run", "check_suite", "status"):
            return self._check(project, installation, delivery)
        found = pulls.pull_event(data)
        if found is None:
            return []
        if delivery.event == "pull_request" and data.get("action") not in pulls.PULL_ACTIONS:
            return []
        state = self._state(project.id, found.number) or pulls.new_state(found)
        state.update(pulls.facts(found))
        if delivery.event == "pull_request_review":
            review = pulls.review(data)
            if review is None:
                return []
            pulls.apply_review(state, review)
        self._save(project.id, found.number, state)
        return self.run(project, found.number, delivery, installation)

    def _check(self, project: Project, installation: int | None,
               delivery: Delivery) -> list[Effect]:
        report = pulls.check_report(delivery.event, delivery.payload)
        if report is None or report.name == pulls.CHECK_NAME:
            return []  # the gate's own check run: re-gating on it would loop
        if report.name is not None and report.state is not None:
            self._record_check(project.id, report.sha, report.name, report.state)
        with reading(self.gov.db) as conn:
            numbers = set(conn.execute(sa.select(pull_requests.c.number).where(
                pull_requests.c.project_id == project.id, pull_requests.c.head == report.sha,
                pull_requests.c.open.is_(True))).scalars())
        numbers |= set(report.pulls)
        out: list[Effect] = []
        for n in sorted(numbers)[:MAX_REGATE]:
            out += self.run(project, n, delivery, installation)
        return out

    def _push(self, project: Project, installation: int | None,
              delivery: Delivery) -> list[Effect]:
        data = delivery.payload
        ref, after = text(data, "ref"), pulls.sha(text(data, "after"))
        default = text(data, "repository", "default_branch")
        if ref is None or after is None or not ref.startswith("refs/heads/"):
            return []
        branch = ref.removeprefix("refs/heads/")
        try:
            path = self.mirror.fetch(project.name, [ref], self._token(installation))
        except MirrorError as err:
            if delivery.attempts + 1 < FETCH_TRIES:
                raise
            log.warning("%s: push to %s not read: %s", project.name, branch, err.message)
            return []
        out: list[Effect] = []
        if branch == default:
            before = pulls.sha(text(data, "before")) or ZERO
            touched = before == ZERO or not self.mirror.has(project.name, before) or any(
                c.path in POLICY_FILES or c.old_path in POLICY_FILES
                for c in changed_files(path, before, after))
            if touched:
                out += self._adopt(project, installation, path, after,
                                   text(data, "pusher", "name") or text(data, "sender", "login")
                                   or "charter", delivery.guid)
        # The base moved: its OWNERS and policy may have changed for every pull request on it.
        with reading(self.gov.db) as conn:
            rows = conn.execute(sa.select(pull_requests.c.number, pull_requests.c.state).where(
                pull_requests.c.project_id == project.id, pull_requests.c.open.is_(True))).all()
        for row in [r for r in rows if dict(r.state).get("base") == branch][:MAX_REGATE]:
            out += self.run(project, row.number, delivery, installation)
        return out

    def installed(self, delivery: Delivery) -> list[Effect]:
        """After an installation: read each added repository's policy from its default
        branch."""
        from charter.forge.payload import repositories

        added, _ = repositories(delivery.event, delivery.payload)
        installation = number(delivery.payload, "installation", "id")
        by = text(delivery.payload, "sender", "login") or "charter"
        out: list[Effect] = []
        for name in added:
            project = self._project(name)
            if project is None:
                continue
            try:
                path = self.mirror.fetch(name, [], self._token(installation), default=DEFAULT_REF)
            except MirrorError as err:
                log.warning("installation: %s: policy not read: %s", name, err.message)
                continue
            head = self.mirror.resolve(name, DEFAULT_REF)
            if head is not None:
                out += self._adopt(project, installation, path, head, by, delivery.guid)
        return out

    # --- policy ---------------------------------------------------------------------------------

    def _adopt(self, project: Project, installation: int | None, path: Path, rev: str,
               by: str, guid: str) -> list[Effect]:
        """Adopt the policy committed at REV; an invalid one is refused, said on the commit."""
        try:
            found = read_policy(path, rev)
            if found is None:
                return []
            changed = self.gov.adopt_policy(project.name, found.loaded.data, by=by,
                                            at=self.clock())
        except CharterError as err:
            reason = "; ".join(e.render_one() for e in err.problems)
            log.warning("%s: the policy at %s is not adopted, the project keeps its policy: %s",
                        project.name, rev[:12], reason)
            return self._check_run(project, installation, rev, guid, "failure",
                                   "Policy not adopted",
                                   "## ❌ The policy file is not valid, so it is not adopted\n\n"
                                   "The project keeps the policy it had. What is wrong:\n\n"
                                   + "\n".join(f"- `{shorten(e.render_one(), 500)}`"
                                               for e in err.problems))
        log.info("%s: policy %s at %s %s", project.name, found.path, rev[:12],
                 "adopted" if changed else "unchanged")
        return []

    # --- comments -------------------------------------------------------------------------------

    def command(self, project_name: str, comment: Comment, command: Slash) -> answer.Line:
        """A gate command (`/approve`, `/lgtm`, `/hold`, `/unhold`) on a pull request."""
        project = self.gov.project(project_name)
        state = self._state(project.id, comment.number)
        if state is None:
            state = self._fetch_pull(project, comment)
            if state is None:
                return answer.note(command.line, "Charter has not seen this pull request yet "
                                   "(it learns of it from its next push or edit): nothing "
                                   "was recorded")
        said = pulls.apply_command(state, comment.author, command.verb, command.words)
        if said.accepted is not False:
            self._save(project.id, comment.number, state)
        if said.accepted is None:
            return answer.note(command.line, said.text)
        return (answer.Line(command.line, True, said.text) if said.accepted
                else answer.refused(command.line, said.text))

    def _fetch_pull(self, project: Project, comment: Comment) -> dict[str, Any] | None:
        installation = comment.installation or self._installation(project.id)
        if self.pull is None or installation is None:
            return None
        data = self.pull(installation, project.name, comment.number)
        found = pulls.pull(data, project.name, installation)
        if found is None:
            return None
        state = pulls.new_state(found)
        self._save(project.id, found.number, state)
        return state

    # --- the gate -------------------------------------------------------------------------------

    def run(self, project: Project, number_: int, delivery: Delivery,
            installation: int | None) -> list[Effect]:
        """Fetch, judge pull request NUMBER_, and queue its check run when it changed.

        A fetch that fails is retried with the delivery; after FETCH_TRIES the verdict is
        neutral and says why, so one unreachable repository never holds back the
        installation's later deliveries."""
        state = self._state(project.id, number_)
        if state is None or not state.get("open", True) or installation is None:
            return []
        guid, name, head = delivery.guid, project.name, str(state["head"])
        try:
            path = self._fetch_heads(name, number_, str(state["base"]), head, installation)
        except MirrorError as err:
            if delivery.attempts + 1 < FETCH_TRIES:
                raise
            log.warning("%s#%s: not judged: %s", name, number_, err.message)
            return self._check_run(project, installation, head, f"{guid}:{number_}", "neutral",
                                   "The repository could not be fetched",
                                   f"## The gate could not run\n\n`{err.message}`\n\nThe next "
                                   "event on this pull request tries again.")
        base = str(state["base"])
        base_sha = self.mirror.resolve(name, f"refs/heads/{base}")
        if base_sha is None:
            return []  # the base branch is gone: the pull request is about to close
        notes: list[str] = []
        policy = self._base_policy(project, path, base_sha, notes)
        approvals: list[Approval] = []
        for login, at in pulls.approvals_of(state):
            if self.mirror.has(name, at):
                approvals.append(Approval(login, at))
            else:
                notes.append(f"approval by {login} at {at[:12]} is not counted: that commit is "
                             "no longer in the repository; /approve again")
        labels = set(state.get("labels") or ())
        hold_rule = policy.pull_requests.hold
        extra: list[Requirement] = []
        if state.get("hold"):
            if hold_rule is not None and hold_rule.labels:
                labels.add(hold_rule.labels[0])
            else:
                extra.append(Requirement("hold", False, f"on hold: /hold by {state['hold']}; "
                                         "/unhold to release it"))
        try:
            result = evaluate_gate(path, base_sha, head, str(state.get("author") or "") or None,
                                   approvals, self._checks(project.id, head), labels, policy)
        except CharterError as err:
            return self._check_run(project, installation, head, f"{guid}:{number_}", "neutral",
                                   "The gate could not judge this pull request",
                                   f"## The gate could not run\n\n`{err.render_one()}`")
        if state.get("hold") and not any(r.rule == "hold" for r in result.requirements):
            extra = extra or [Requirement("hold", False, f"on hold: /hold by {state['hold']}; "
                                          "/unhold to release it")]
        if extra:
            result = GateResult(result.requirements + tuple(extra), result.base, result.head,
                                result.merge_base)
        out = self._governance(project, number_, state, path, result)
        summary = as_markdown(result)
        if notes:
            summary += "\n\n### Notes\n\n" + "\n".join(f"- {n}" for n in notes)
        conclusion = "success" if result.mergeable else "failure"
        return out + self._check_run(project, installation, head, f"{guid}:{number_}",
                                     conclusion, _title(result), summary)

    def _fetch_heads(self, name: str, number_: int, base: str, head: str,
                    installation: int) -> Path:
        path = self.mirror.fetch(name, [f"refs/heads/{base}", f"refs/pull/{number_}/head"],
                                 self._token(installation))
        if not self.mirror.has(name, head):
            # GitHub updates refs/pull/N/head just after the event: the head is fetched by id.
            self.mirror.fetch(name, [], self._token(installation), shas=[head])
            if not self.mirror.has(name, head):
                raise MirrorError(f"{name}: head {head[:12]} of #{number_} is not fetched yet")
        return path

    def _base_policy(self, project: Project, path: Path, base_sha: str,
                     notes: list[str]) -> Policy:
        """The policy file committed on the base; else the project's policy."""
        try:
            found = read_policy(path, base_sha)
        except CharterError as err:
            notes.append(f"the base's policy file is not valid ({err.render_one()}); the "
                         "project's policy is used")
            found = None
        return found.loaded.policy if found is not None else project.policy.policy

    def _governance(self, project: Project, number_: int, state: dict[str, Any], path: Path,
                    result: GateResult) -> list[Effect]:
        """Open the governance-change decision on a pull request that changes the policy file
        or GOVERNANCE.md, once."""
        if state.get("governance"):
            return []
        touched = [c for c in changed_files(path, result.merge_base, result.head)
                   if c.path in GOVERNANCE_FILES or c.old_path in GOVERNANCE_FILES]
        if not touched:
            return []
        state["governance"] = True
        self._save(project.id, number_, state)
        if str(number_) in self.gov.state(project.name)["decisions"]:
            return []
        outcome = self.gov.apply(project.name, str(state.get("author") or "charter"), {
            "do": "propose", "id": str(number_), "process": "governance-change",
            "title": str(state.get("title") or f"#{number_}")})
        if outcome.rejected is not None:
            log.warning("%s#%s changes %s, but its governance-change decision was refused: %s",
                        project.name, number_, touched[0].path, outcome.rejected)
        return []

    def _check_run(self, project: Project, installation: int | None, sha: str, key: str,
                   conclusion: str, title: str, summary: str) -> list[Effect]:
        if installation is None:
            return []
        if len(summary) > MAX_SUMMARY:
            summary = summary[:MAX_SUMMARY] + "\n\n…"
        fields = {"status": "completed", "conclusion": conclusion,
                  "output": {"title": shorten(title, 200), "summary": summary}}
        digest = hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()
        ordering = f"check:{project.name}@{sha}"
        with reading(self.gov.db) as conn:
            last = conn.execute(sa.select(outbox.c.payload).where(
                outbox.c.project_id == project.id, outbox.c.ordering_key == ordering)
                .order_by(outbox.c.id.desc()).limit(1)).scalar()
        if isinstance(last, Mapping) and last.get("digest") == digest:
            return []
        return [Effect(project.id, "check_run", f"check:{key}:{sha}", ordering,
                       {"installation": installation, "repository": project.name, "sha": sha,
                        "name": pulls.CHECK_NAME, "fields": fields, "digest": digest})]

    # --- storage --------------------------------------------------------------------------------

    def _project(self, name: str | None) -> Project | None:
        if name is None:
            return None
        try:
            return self.gov.project(name)
        except NotFound:
            return None

    def _installation(self, project_id: int) -> int | None:
        with reading(self.gov.db) as conn:
            value = conn.execute(sa.select(installations.c.installation_id).where(
                installations.c.project_id == project_id,
                installations.c.active.is_(True))).scalar()
        return int(value) if value is not None else None

    def _token(self, installation: int | None) -> str | None:
        if self.token is None or installation is None or self.mirror.remote.local:
            return None
        return self.token(installation)

    def _state(self, project_id: int, number_: int) -> dict[str, Any] | None:
        with reading(self.gov.db) as conn:
            row = conn.execute(sa.select(pull_requests.c.state).where(
                pull_requests.c.project_id == project_id,
                pull_requests.c.number == number_)).scalar()
        return json.loads(json.dumps(row)) if isinstance(row, Mapping) else None

    def _save(self, project_id: int, number_: int, state: dict[str, Any]) -> None:
        values = {"head": str(state["head"]), "open": bool(state.get("open", True)),
                  "state": state}
        with writing(self.gov.db) as conn:
            done = conn.execute(pull_requests.update().where(
                pull_requests.c.project_id == project_id,
                pull_requests.c.number == number_).values(**values))
            if done.rowcount == 0:
                conn.execute(pull_requests.insert().values(project_id=project_id,
                                                           number=number_, **values))

    def _record_check(self, project_id: int, sha: str, name: str, state: str) -> None:
        with writing(self.gov.db) as conn:
            done = conn.execute(commit_checks.update().where(
                commit_checks.c.project_id == project_id, commit_checks.c.sha == sha,
                commit_checks.c.name == name).values(state=state[:40]))
            if done.rowcount == 0:
                conn.execute(commit_checks.insert().values(project_id=project_id, sha=sha,
                                                           name=name, state=state[:40]))

    def _checks(self, project_id: int, sha: str) -> dict[str, str]:
        with reading(self.gov.db) as conn:
            rows = conn.execute(sa.select(commit_checks.c.name, commit_checks.c.state).where(
                commit_checks.c.project_id == project_id, commit_checks.c.sha == sha)).all()
        return {r.name: r.state for r in rows}


def _title(result: GateResult) -> str:
    """The check run's one-line title: mergeable, or the first things missing."""
    blocking = [r for r in result.requirements if r.blocks]
    if not blocking:
        return "Mergeable"
    first = blocking[0].message.split("; ")[0]
    more = f" (+{len(blocking) - 1} more)" if len(blocking) > 1 else ""
    return shorten(f"{blocking[0].rule}: {first}{more}", 200)


def gate_view(gov: Governance, name: str, number_: int) -> dict[str, Any] | None:
    """What the dashboard shows of pull request NUMBER_: its head, approvals and hold as stored,
    and the check run last queued for that head (None before the gate has seen it)."""
    project = gov.project(name)
    with reading(gov.db) as conn:
        row = conn.execute(sa.select(pull_requests.c.head, pull_requests.c.open,
                                     pull_requests.c.state).where(
            pull_requests.c.project_id == project.id,
            pull_requests.c.number == number_)).first()
        if row is None:
            return None
        run = conn.execute(sa.select(outbox.c.payload, outbox.c.delivered_at).where(
            outbox.c.project_id == project.id,
            outbox.c.ordering_key == f"check:{project.name}@{row.head}")
            .order_by(outbox.c.id.desc()).limit(1)).first()
    state = row.state if isinstance(row.state, Mapping) else {}
    fields = run.payload.get("fields") if run is not None and isinstance(
        run.payload, Mapping) else None
    output = fields.get("output") if isinstance(fields, Mapping) else None
    return {
        "head": row.head, "open": bool(row.open), "title": state.get("title"),
        "author": state.get("author"), "base": state.get("base"),
        "approvals": [{"login": login, "at": at} for login, at in pulls.approvals_of(state)],
        "hold": state.get("hold"),
        "check_run": None if not isinstance(fields, Mapping) else {
            "conclusion": fields.get("conclusion"),
            "title": output.get("title") if isinstance(output, Mapping) else None,
            "summary": output.get("summary") if isinstance(output, Mapping) else None,
            "posted": run is not None and run.delivered_at is not None},
    }
