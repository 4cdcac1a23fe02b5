"""What a stored delivery does: projects appear on installation, slash commands reach the
engine, and the answers become outbox rows (returned, so the caller queues them in the same
transaction that marks the delivery processed)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from charter.errors import CharterError
from charter.forge import answer, inbox, payload, pulls, slash
from charter.forge.gating import Effect, PullGate
from charter.forge.inbox import Delivery
from charter.forge.outbound import Outbound
from charter.forge.watch import follow
from charter.store.db import reading, writing, writing_batched
from charter.store.projects import Governance, NotFound
from charter.store.tables import installations

log = logging.getLogger("charter.forge")
#: The preset a repository's project starts with until its policy file is read.
DEFAULT_PRESET = "llama-stack"
#: The role the installing account gets in a project created on installation, when the
#: policy has it: someone has to be able to act before the policy's `people:` is read.
INSTALLER_ROLE = "maintainer"


@dataclass
class Forge:
    """Processes deliveries against GOV's projects."""

    gov: Governance
    preset: str = DEFAULT_PRESET
    public_url: str = "http://127.0.0.1:8000"
    #: The gate on pull requests and the policy reload (`forge.gating`), when configured.
    gate: PullGate | None = None
    #: Project ids by repository name: a project's name and id never change, and a comment's
    #: project is looked up for every delivery (a round trip saved per command).
    _ids: dict[str, int] = field(default_factory=dict, init=False, repr=False)

    def process(self, delivery: Delivery) -> list[Outbound]:
        # Triage labels and stale timers follow issues and pull requests whatever else a
        # delivery does (a comment on a pull request is activity and may carry commands).
        return self._process(delivery) + follow(self.gov, delivery)

    def _process(self, delivery: Delivery) -> list[Outbound]:
        if delivery.event in ("installation", "installation_repositories"):
            self._install(delivery.event, delivery.payload)
            return _outbound(self.gate.installed(delivery)) if self.gate else []
        if delivery.event == "issue_comment":
            return self._comment(delivery)
        if self.gate is not None and (delivery.event in pulls.EVENTS
                                      or delivery.event == "push"):
            return _outbound(self.gate.process(delivery))
        return []  # ping, and events stored before a handler existed for them

    # --- installation ---------------------------------------------------------------------

    def _install(self, event: str, data: dict[str, Any]) -> None:
        installation = payload.number(data, "installation", "id")
        added, removed = payload.repositories(event, data)
        installer = payload.text(data, "sender", "login")
        for name in added:
            project_id = self._project_id(name)
            if project_id is None:
                people = {}
                if installer and INSTALLER_ROLE in self._roles():
                    people[installer] = [INSTALLER_ROLE]
                try:
                    project_id = self.gov.create_project(name, self.preset, people).id
                except CharterError as err:
                    log.warning("installation %s: project %s not created: %s", installation,
                                name, err.message)
                    continue
            if installation is not None:
                self._link(project_id, installation, active=True)
        for name in removed:
            # The project and its log stay: they are the record of what was decided.
            project_id = self._project_id(name)
            if project_id is not None and installation is not None:
                self._link(project_id, installation, active=False)

    def _roles(self) -> tuple[str, ...]:
        from charter.policy.loader import load_policy

        return tuple(load_policy(self.preset).policy.role_ids)

    def _project_id(self, name: str) -> int | None:
        known = self._ids.get(name)
        if known is not None:
            return known
        try:
            found = self._ids[name] = self.gov.project(name).id
        except NotFound:
            return None  # not remembered: the project may be created by a later delivery
        return found

    def _link(self, project_id: int, installation: int, *, active: bool) -> None:
        with writing(self.gov.db) as conn:
            row = conn.execute(sa.select(installations.c.installation_id)
                               .where(installations.c.project_id == project_id)).first()
            if row is None:
                conn.execute(installations.insert().values(
                    project_id=project_id, installation_id=installation, active=active))
            else:
                conn.execute(installations.update()
                             .where(installations.c.project_id == project_id)
                             .values(installation_id=installation, active=active))

    def installation_of(self, project_id: int) -> int | None:
        with reading(self.gov.db) as conn:
            value = conn.execute(sa.select(installations.c.installation_id)
                                 .where(installations.c.project_id == project_id,
                                        installations.c.active.is_(True))).scalar()
        return int(value) if value is not None else None

    # --- slash commands -------------------------------------------------------------------

    def ballot_url(self, project: str, vote: str) -> str:
        return f"{self.public_url.rstrip('/')}/projects/{project}/decisions/{vote}/ballot"

    def _comment(self, delivery: Delivery) -> list[Outbound]:
        comment = payload.comment(delivery.payload)
        if comment is None or comment.bot:
            return []  # edits, deletions, and the bot's own answers
        commands, ignored = slash.parse(comment.body)
        if not commands:
            return []
        name = comment.repository
        project_id = self._project_id(name)
        if project_id is None:
            log.info("delivery %s: %s is not a Charter project; commands ignored",
                     delivery.guid, name)
            return []
        installation = comment.installation or self.installation_of(project_id)
        lines = self._run_all(delivery, name, comment, commands)
        if installation is None:
            log.warning("delivery %s: no installation for %s, so no answer is posted",
                        delivery.guid, name)
            return []
        body = answer.compose(comment.author, lines, ignored)
        out = [Outbound(project_id, "comment", f"comment:{delivery.guid}",
                        f"issue:{name}#{comment.number}",
                        {"installation": installation, "repository": name,
                         "number": comment.number, "body": body})]
        if self.gate is not None and any(self._gates(comment, c) for c in commands):
            out += _outbound(self.gate.run(self.gov.project(name), comment.number, delivery,
                                           installation))
        return out

    def _gates(self, comment: payload.Comment, command: slash.Slash) -> bool:
        """Whether COMMAND is for the gate: a gate verb on a pull request that is not itself a
        decision (there, `/approve` is the engine's)."""
        if self.gate is None or not comment.pull_request or command.verb not in pulls.VERBS:
            return False
        return command.verb != "approve" or slash.decision_id(comment.number) not in \
            self.gov.state(comment.repository)["decisions"]

    def _run_all(self, delivery: Delivery, name: str, comment: payload.Comment,
                 commands: list[slash.Slash]) -> list[answer.Line]:
        """Each command's line; those an earlier try of this delivery applied are not applied
        again (an engine command and the progress that records it commit together)."""
        lines = [answer.Line(str(c), a if isinstance(a, bool) else None, str(t))
                 for c, a, t in delivery.progress[:len(commands)]]
        for command in commands[len(lines):]:
            ready = self._prepare(name, comment, command)
            if isinstance(ready, answer.Line):
                lines.append(ready)
                with writing(self.gov.db) as conn:
                    inbox.save_progress(conn, delivery, _progress(lines))
            else:
                lines.append(self._apply(delivery, name, comment.author, command, ready,
                                         lines))
        return lines

    def _prepare(self, name: str, comment: payload.Comment, command: slash.Slash
                 ) -> answer.Line | dict[str, Any]:
        """COMMAND's line when it needs no engine step, else the engine command for it."""
        if self.gate is not None and self._gates(comment, command):
            return self.gate.command(name, comment, command)
        def decisions() -> Mapping[str, Any]:
            found: Mapping[str, Any] = self.gov.state(name)["decisions"]
            return found

        translated = slash.translate(command, comment, decisions,
                                     lambda vote: self.ballot_url(name, vote))
        if translated.command is None:
            return answer.note(command.line, translated.answer or "")
        return translated.command

    def _apply(self, delivery: Delivery, name: str, by: str, command: slash.Slash,
               body: dict[str, Any], done: list[answer.Line]) -> answer.Line:
        """Apply BODY and record the delivery's progress in one transaction, so a worker that
        dies between the two can neither lose the answer nor apply the command twice."""
        try:
            with writing_batched(self.gov.db) as conn:
                outcome = self.gov.apply(name, by, body, conn)
                if outcome.rejected is not None:
                    line = answer.refused(command.line, outcome.rejected)
                else:
                    line = answer.accepted(command.line, outcome.decision, outcome.receipt)
                inbox.save_progress(conn, delivery, _progress([*done, line]))
            return line
        except CharterError as err:
            self.gov.forget(name)  # rolled back: the warm engine may be ahead of the log
            line = answer.refused(command.line, err.message)
        except BaseException:
            self.gov.forget(name)
            raise
        with writing(self.gov.db) as conn:
            inbox.save_progress(conn, delivery, _progress([*done, line]))
        return line


def _progress(lines: list[answer.Line]) -> list[list[Any]]:
    return [[x.command, x.accepted, x.text] for x in lines]


def _outbound(effects: list[Effect]) -> list[Outbound]:
    return [Outbound(e.project_id, e.kind, e.dedupe, e.ordering_key, e.payload) for e in effects]
