"""Breaking-change detection between two OpenAPI 3.0/3.1 documents, modelled on oasdiff.

Every change gets oasdiff's rule id and level (see `apidiff_rules`); `breaking` is true for
what oasdiff rates ERR, and for a security requirement added to an operation that had none.
Operations are matched by their normalized path template, schemas by meaning: `$ref`s are
resolved, so a change to a shared component is reported on every operation that uses it.

Several spec files can be compared as one API (`diff_spec_set`), so an operation that moves
between files is matched across them. Operations left unmatched are paired in this order:
1. **moves between files**: a removed and an added operation with the same method and
   normalized path (and the same operationId when both have one), in different spec files;
2. **path prefix renames**: a removed operation `M P/R` and an added one `M Q/R` (normalized
   paths), where P and Q are leading segments without parameters whose last segments differ
   and R (the rest) is at least one segment, with the same operationId when both have one. The
   rename P -> Q is accepted only when every remaining removed operation under P has such a
   partner under Q and NEW serves nothing at P or under it; the shortest prefixes are tried
   first. It is reported once, as `api-path-prefix-renamed`;
3. everything else is an addition or a removal.
A matched pair is then compared like any operation, so a shape change is still reported. When
the declared tier (everything but `deprecated`) of a matched pair differs, one
`api-tier-changed` says "promoted" (to `stable`), "demoted" (from `stable`: breaking) or
"moved".

Removing a deprecated operation is checked against its sunset: oasdiff's `x-sunset` (a date)
when present, else the date it was deprecated (`deprecated_since`, from git history) plus the
policy's deprecation period. Dates are compared as UTC days, and "now" is always given by the
caller (the NEW revision's commit date for `REV:path`), never read from the clock.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from charter.apidiff.cache import DiskCache
from charter.apidiff.history import DeprecatedSince, commit_now, history_dates
from charter.apidiff.load import SpecCache, load_spec
from charter.apidiff.operations import (
    TEMPLATE_PARAM,
    Op,
    normalize_path,
    operations,
    same_id,
)
from charter.apidiff.parse import paused_gc
from charter.apidiff.progress import report
from charter.apidiff.rules import ERR, INFO, LEVELS, Level, level_of
from charter.apidiff.schema import Ctx, Document, Found, SchemaComparer, render
from charter.apidiff.spec_warnings import SpecWarning, excerpt
from charter.errors import CharterError
from charter.policy.durations import Duration

__all__ = ["ApiChange", "ApiDiffResult", "DeprecatedSince", "TierRules", "apidiff",
           "apidiff_set", "diff_spec_set", "diff_specs", "iter_rule_ids", "normalize_path"]

#: The tier whose breaking changes fail a run; promotion and demotion are relative to it.
STABLE = "stable"




@dataclass(frozen=True, slots=True)
class ApiChange:
    """One classified change, in the shape `charter apidiff --json` prints."""

    id: str
    breaking: bool
    tier: str
    operation: str
    location: str
    message: str
    level: Level
    spec: str = ""

    def to_json(self) -> dict[str, Any]:
        data = {"id": self.id, "breaking": self.breaking, "tier": self.tier,
                "operation": self.operation, "location": self.location,
                "message": self.message, "level": self.level}
        if self.spec:
            data["spec"] = self.spec
        return data


@dataclass(frozen=True, slots=True)
class ApiDiffResult:
    """All changes between two documents; `fails` when a break touches a stable operation.

    WARNINGS are problems in the documents that did not prevent the comparison.
    """

    changes: tuple[ApiChange, ...]
    warnings: tuple[SpecWarning, ...] = ()

    @property
    def breaking(self) -> int:
        return sum(1 for c in self.changes if c.breaking)

    @property
    def fails(self) -> bool:
        return any(c.breaking and c.tier == "stable" for c in self.changes)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"changes": [c.to_json() for c in self.changes],
                                "breaking": self.breaking}
        if self.warnings:
            data["warnings"] = [w.to_json() for w in self.warnings]
        return data


@dataclass(frozen=True)
class TierRules:
    """How an operation's tier is decided; the default is `deprecated` or `stable`.

    The first rule that applies wins, in this order: the `extension` (for example
    `x-stability`) whose value, mapped through `extension_values`, names the tier;
    `deprecated: true`; the first of the operation's tags listed in `tags`; the longest
    matching prefix in `path_prefixes`; the spec file's tier in `spec_files`; `default`. Only
    `stable` operations fail a run. `deprecation_period` is how long a deprecated operation
    must stay before it may be removed (None: removal after deprecation is always allowed).
    """

    extension: str | None = None
    extension_values: Mapping[str, str] = field(default_factory=dict)
    deprecated: str | None = "deprecated"
    tags: Mapping[str, str] = field(default_factory=dict)
    path_prefixes: Mapping[str, str] = field(default_factory=dict)
    spec_files: Mapping[str, str] = field(default_factory=dict)
    default: str = STABLE
    deprecation_period: Duration | None = None

    def tier_of(self, path: str, operation: Mapping[str, Any], spec: str = "") -> str:
        """The tier of OPERATION, found at PATH in the spec file SPEC."""
        by_extension = self._extension_tier(operation)
        if by_extension is not None:
            return by_extension
        if self.deprecated and operation.get("deprecated") is True:
            return self.deprecated
        return self.declared_tier(path, operation, spec)

    def declared_tier(self, path: str, operation: Mapping[str, Any], spec: str = "") -> str:
        """The tier the declarations give, ignoring `deprecated` (which has its own rules)."""
        by_extension = self._extension_tier(operation)
        if by_extension is not None:
            return by_extension
        tags = operation.get("tags")
        for tag in tags if isinstance(tags, list) else ():
            if isinstance(tag, str) and tag in self.tags:
                return self.tags[tag]
        best = ""
        for prefix in self.path_prefixes:
            if path.startswith(prefix) and len(prefix) > len(best):
                best = prefix
        if best:
            return self.path_prefixes[best]
        if spec and spec in self.spec_files:
            return self.spec_files[spec]
        return self.default

    def _extension_tier(self, operation: Mapping[str, Any]) -> str | None:
        if not self.extension:
            return None
        value = operation.get(self.extension)
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            text = str(value)
            return self.extension_values.get(text, text)
        return None


DEFAULT_TIERS = TierRules()


@dataclass(frozen=True)
class _Clock:
    """What removal and deprecation checks need: the policy's rules and the current instant."""

    tiers: TierRules
    now: datetime | None = None
    deprecated_since: DeprecatedSince | None = None


class _SetDiffer:
    """Matches the operations of several spec files at once and collects every change."""

    def __init__(self, old: Mapping[str, Mapping[str, Any]], new: Mapping[str, Mapping[str, Any]],
                 clock: _Clock) -> None:
        self.clock = clock
        self.tiers = clock.tiers
        self.old_docs = {spec: Document(doc) for spec, doc in old.items()}
        self.new_docs = {spec: Document(doc) for spec, doc in new.items()}
        self.changes: list[ApiChange] = []
        self._pairs: dict[tuple[int, int], _Differ] = {}

    def pair(self, old: Op, new: Op) -> _Differ:
        key = (id(old.doc), id(new.doc))
        if key not in self._pairs:
            self._pairs[key] = _Differ(old.doc, new.doc, self)
        return self._pairs[key]

    def add(self, rule: str, old: Op, new: Op, location: str, message: str, *,
            breaking: bool | None = None, level: Level | None = None,
            operation: str | None = None, tier: str | None = None) -> None:
        level = level or level_of(rule)
        # the promise made by OLD is the one clients rely on, so OLD's tier decides
        self.changes.append(ApiChange(
            id=rule, breaking=(level == ERR) if breaking is None else breaking,
            tier=tier or self.tiers.tier_of(old.path, old.op, old.spec),
            operation=operation or new.label, location=location, message=message, level=level,
            spec=new.spec))

    def run(self) -> ApiDiffResult:
        old_ops = [o for spec, doc in self.old_docs.items()
                   for o in operations(doc, spec).values()]
        new_ops = [o for spec, doc in self.new_docs.items()
                   for o in operations(doc, spec).values()]
        matched: dict[int, Op] = {}  # id(new op) -> its old op
        taken: set[int] = set()  # ids of matched old ops
        by_key = {(o.spec, o.norm, o.method): o for o in old_ops}
        for new in new_ops:
            old = by_key.get((new.spec, new.norm, new.method))
            if old is not None:
                matched[id(new)] = old
                taken.add(id(old))
        self._match_moves(old_ops, new_ops, matched, taken)
        renames = self._match_prefixes(old_ops, new_ops, matched, taken)
        for new in new_ops:
            old = matched.get(id(new))
            if old is None:
                self.add("endpoint-added", new, new, f"paths.{new.path}.{new.method}",
                         "endpoint added")
            else:
                self.pair(old, new).operation(old, new)
        for (before, after), pairs in renames.items():
            self._prefix_renamed(before, after, pairs)
        new_paths = {o.norm for o in new_ops}
        for old in old_ops:
            if id(old) not in taken:
                self._removed(old, whole_path=old.norm not in new_paths)
        return ApiDiffResult(tuple(self.changes))

    # -- matching ---------------------------------------------------------------------------

    @staticmethod
    def _match_moves(old_ops: list[Op], new_ops: list[Op], matched: dict[int, Op],
                     taken: set[int]) -> None:
        waiting: dict[tuple[str, str], list[Op]] = {}
        for new in new_ops:
            if id(new) not in matched:
                waiting.setdefault((new.norm, new.method), []).append(new)
        for old in old_ops:
            if id(old) in taken:
                continue
            for new in waiting.get((old.norm, old.method), ()):
                if id(new) not in matched and new.spec != old.spec and same_id(old, new):
                    matched[id(new)] = old
                    taken.add(id(old))
                    break

    @staticmethod
    def _match_prefixes(old_ops: list[Op], new_ops: list[Op], matched: dict[int, Op],
                        taken: set[int]) -> dict[tuple[str, str], list[tuple[Op, Op]]]:
        removed = [o for o in old_ops if id(o) not in taken]
        added = [n for n in new_ops if id(n) not in matched]
        if not removed or not added:
            return {}
        by_rest: dict[tuple[str, str], list[tuple[str, Op]]] = {}
        for new in added:
            for prefix, rest in _splits(new.norm):
                by_rest.setdefault((new.method, rest), []).append((prefix, new))
        candidates: set[tuple[str, str]] = set()
        for old in removed:
            for prefix, rest in _splits(old.norm):
                for new_prefix, new in by_rest.get((old.method, rest), ()):
                    if new_prefix != prefix and same_id(old, new):
                        candidates.add((prefix, new_prefix))
        renames: dict[tuple[str, str], list[tuple[Op, Op]]] = {}
        for before, after in sorted(candidates, key=lambda c: (c[0].count("/"), c)):
            if before.rsplit("/", 1)[1] == after.rsplit("/", 1)[1]:
                continue  # not the segment that changed: /a/x -> /b/x is the rename /a -> /b
            if any(n.norm == before or _under(n.norm, before) for n in new_ops):
                continue  # the old prefix still serves something: not a rename
            moving = [o for o in removed if id(o) not in taken and _under(o.norm, before)]
            pairs: list[tuple[Op, Op]] = []
            partners: set[int] = set()
            for old in moving:
                rest = old.norm[len(before) + 1:]
                partner = next((n for p, n in by_rest.get((old.method, rest), ())
                                if p == after and id(n) not in matched
                                and id(n) not in partners and same_id(old, n)), None)
                if partner is None:
                    break
                pairs.append((old, partner))
                partners.add(id(partner))
            else:
                if pairs:
                    for old, new in pairs:
                        matched[id(new)] = old
                        taken.add(id(old))
                    renames[(before, after)] = pairs
        return renames

    # -- reports ----------------------------------------------------------------------------

    def _prefix_renamed(self, before: str, after: str, pairs: list[tuple[Op, Op]]) -> None:
        tiers = [self.tiers.tier_of(o.path, o.op, o.spec) for o, _ in pairs]
        stable = STABLE in tiers
        shown = ", ".join(n.label for _, n in pairs[:3]) + (
            f" and {len(pairs) - 3} more" if len(pairs) > 3 else "")
        what = ("clients of the stable operations get no answer at the old paths" if stable
                else f"no stable operation moved (tiers: {', '.join(sorted(set(tiers)))})")
        first_old, first_new = pairs[0]
        self.add("api-path-prefix-renamed", first_old, first_new, f"paths.{before}",
                 f"renamed the path prefix {before} to {after}: {len(pairs)} operation(s) "
                 f"moved ({shown}); {what}", breaking=stable, level=ERR if stable else INFO,
                 operation=f"{before}/* -> {after}/*", tier=STABLE if stable else tiers[0])

    def _removed(self, old: Op, *, whole_path: bool) -> None:
        location = f"paths.{old.path}.{old.method}"
        what = "the path and its operation" if whole_path else "the operation"
        kind = "api-path-removed" if whole_path else "api-removed"
        if old.op.get("deprecated") is not True:
            self.add(f"{kind}-without-deprecation", old, old, location,
                     f"removed {what} without deprecation")
            return
        verdict = self._sunset_verdict(old)
        # removed too early, the operation keeps the promise of its declared tier: a stable
        # operation still in its deprecation period fails the run like any stable break
        promised = self.tiers.declared_tier(old.path, old.op, old.spec)
        if verdict is None:
            self.add(f"{kind}-with-deprecation", old, old, location,
                     f"removed {what} after deprecation")
        elif isinstance(verdict, tuple):
            rule, why = verdict
            self.add(rule, old, old, location, f"removed {what}: {why}", tier=promised)
        elif verdict.startswith("!"):
            self.add(f"{kind}-before-sunset", old, old, location,
                     f"removed {what} {verdict[1:]}", tier=promised)
        else:
            self.add(f"{kind}-with-deprecation", old, old, location, f"removed {what} {verdict}")

    def _sunset_verdict(self, old: Op) -> str | tuple[str, str] | None:
        """None: no rule applies; "!why": removed too early; "why": allowed; (rule, why)."""
        clock = self.clock
        period = clock.tiers.deprecation_period
        sunset = old.op.get("x-sunset")
        if sunset is not None:
            day = parse_sunset(sunset)
            if day is None:
                return "api-path-sunset-parse", f"its x-sunset {sunset!r} is not a date"
            if clock.now is None:
                return f"!before its sunset date {day} could be checked: no current date given"
            today = clock.now.astimezone(UTC).date()
            if today < day:
                return (f"!before its sunset date {day} (x-sunset; today is {today}); it may be "
                        f"removed from {day}")
            return f"after its sunset date {day} (x-sunset)"
        if period is None:
            return None
        since = (clock.deprecated_since(old.spec, old.method.upper(), old.path)
                 if clock.deprecated_since is not None else None)
        if since is None:
            return (f"!although deprecated, without a known deprecation date (no x-sunset, and "
                    f"no git history to date it); the policy keeps deprecated operations for "
                    f"{period}")
        when, by = since
        first = first_allowed(when, period)
        start = when.astimezone(UTC).date()
        if clock.now is None:
            return (f"!before the deprecation period could be checked: deprecated on {start} "
                    f"({by}), period {period}, no current date given")
        today = clock.now.astimezone(UTC).date()
        if today < first:
            return (f"!before the deprecation period ended: deprecated on {start} ({by}), "
                    f"period {period}, first allowed date {first} (today is {today})")
        return (f"after the deprecation period: deprecated on {start} ({by}), period {period}, "
                f"allowed since {first}")


def _splits(norm: str) -> Iterator[tuple[str, str]]:
    """(prefix, rest) for each split of NORM into parameter-free leading segments and the rest."""
    parts = norm.split("/")  # parts[0] is "" for the leading slash
    for i in range(2, len(parts)):
        if "{" in parts[i - 1] or not parts[i - 1]:
            return
        rest = "/".join(parts[i:])
        if rest:
            yield "/".join(parts[:i]), rest


def _under(norm: str, prefix: str) -> bool:
    return norm.startswith(prefix + "/")


def parse_sunset(value: Any) -> date | None:
    """The day an `x-sunset` names (an RFC 3339 date or date-time), or None if it names none."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).date()


def first_allowed(deprecated: datetime, period: Duration) -> date:
    """The first UTC day on which an operation deprecated at DEPRECATED may be removed."""
    from charter.engine.calendar import add_months

    start = deprecated.astimezone(UTC)
    # the policy schema refuses business durations here, so calendar time is exact
    end = add_months(start, period.amount) if period.unit == "months" else (
        start + timedelta(seconds=period.seconds))
    return end.date()


class _Differ:
    """Compares matched operations of one pair of documents (one old, one new)."""

    def __init__(self, old: Document, new: Document, owner: _SetDiffer) -> None:
        self.old = old
        self.new = new
        self.owner = owner
        self.tiers = owner.tiers
        self.schemas = SchemaComparer(self.old, self.new)

    # -- output ---------------------------------------------------------------------------

    def _add(self, rule: str, old: Op, new: Op, location: str, message: str, *,
             breaking: bool | None = None) -> None:
        self.owner.add(rule, old, new, location, message, breaking=breaking)

    def _add_found(self, found: list[Found], old: Op, new: Op, base: str,
                   prop: tuple[str, ...] = (), suffix: str = "") -> None:
        for item in found:
            location = ".".join((base, *item.location)) if base else ".".join(item.location)
            self._add(item.id, old, new, location, render(item, prop) + suffix)

    # -- one operation ----------------------------------------------------------------------

    def operation(self, old: Op, new: Op) -> None:
        """Every change between OLD and NEW, one operation matched across the two documents."""
        self._tier(old, new)
        was, now = old.op.get("deprecated") is True, new.op.get("deprecated") is True
        if was != now:
            if now:
                sunset = new.op.get("x-sunset")
                extra = f" (sunset {sunset})" if sunset else ""
                self._add("endpoint-deprecated", old, new, "deprecated",
                          f"endpoint deprecated{extra}")
                self._sunset_too_small(old, new)
            else:
                self._add("endpoint-reactivated", old, new, "deprecated", "endpoint reactivated")
        self._operation_id(old, new)
        self._tags(old, new)
        self._parameters(old, new)
        self._request_body(old, new)
        self._responses(old, new)
        self._security(old, new)

    def _tier(self, old: Op, new: Op) -> None:
        before = self.tiers.declared_tier(old.path, old.op, old.spec)
        after = self.tiers.declared_tier(new.path, new.op, new.spec)
        moved = f" (moved from {old.spec} to {new.spec})" if old.spec != new.spec else ""
        if before == after:
            return
        if after == STABLE:
            self.owner.add("api-tier-changed", old, new, "tier",
                           f"promoted from {before} to {after}{moved}")
        elif before == STABLE:
            self.owner.add("api-tier-changed", old, new, "tier",
                           f"demoted from {before} to {after}{moved}; clients relying on a "
                           "stable operation lose its guarantees", breaking=True, level=ERR)
        else:
            self.owner.add("api-tier-changed", old, new, "tier",
                           f"moved from {before} to {after}{moved}")

    def _sunset_too_small(self, old: Op, new: Op) -> None:
        # oasdiff's api-sunset-date-too-small: a sunset must leave the whole period to clients
        clock = self.owner.clock
        period = clock.tiers.deprecation_period
        day = parse_sunset(new.op.get("x-sunset"))
        if period is None or day is None or clock.now is None:
            return
        earliest = first_allowed(clock.now, period)
        if day < earliest:
            self._add("api-sunset-date-too-small", old, new, "x-sunset",
                      f"the sunset date {day} is too soon: the policy keeps deprecated "
                      f"operations for {period}, so the earliest sunset is {earliest}")

    def _operation_id(self, old: Op, new: Op) -> None:
        oid, nid = old.op.get("operationId"), new.op.get("operationId")
        if oid == nid:
            return
        if oid is not None:
            self._add("api-operation-id-removed", old, new, "operationId",
                      f"operation id {oid} removed" + (f" and replaced with {nid}" if nid else ""))
        else:
            self._add("api-operation-id-added", old, new, "operationId",
                      f"operation id {nid} added")

    def _tags(self, old: Op, new: Op) -> None:
        otags = [t for t in _listed(old.op.get("tags")) if isinstance(t, str)]
        ntags = [t for t in _listed(new.op.get("tags")) if isinstance(t, str)]
        for tag in otags:
            if tag not in ntags:
                self._add("api-tag-removed", old, new, "tags", f"tag {tag} removed")
        for tag in ntags:
            if tag not in otags:
                self._add("api-tag-added", old, new, "tags", f"tag {tag} added")

    # -- parameters -------------------------------------------------------------------------

    def _params(self, doc: Document, op: Op) -> dict[tuple[str, str], Mapping[str, Any]]:
        # path parameters are matched by position in the template, so renaming one is no change
        positions = {name: str(i) for i, name in enumerate(TEMPLATE_PARAM.findall(op.path))}
        result: dict[tuple[str, str], Mapping[str, Any]] = {}
        for source in (op.item.get("parameters"), op.op.get("parameters")):
            for raw in source if isinstance(source, list) else ():
                param, _ = doc.resolve(raw)
                if not isinstance(param, dict):
                    continue
                name, where = param.get("name"), param.get("in")
                if not isinstance(name, str) or not isinstance(where, str):
                    continue
                key = (where, "#" + positions[name]) if (
                    where == "path" and name in positions) else (where, name)
                result[key] = param
        return result

    def _parameters(self, old: Op, new: Op) -> None:
        oparams = self._params(self.old, old)
        nparams = self._params(self.new, new)
        for key, op_ in oparams.items():
            where, name = op_["in"], op_["name"]
            np_ = nparams.get(key)
            if np_ is None:
                deprecated = op_.get("deprecated") is True
                rule = "request-parameter-removed" + (
                    "-with-deprecation" if deprecated else "")
                self._add(rule, old, new, f"parameters.{where}.{name}",
                          f"removed the {where} parameter {name}"
                          + (" after deprecation" if deprecated else ""))
                continue
            self._parameter(old, new, op_, np_)
        for key, np_ in nparams.items():
            if key in oparams:
                continue
            where, name = np_["in"], np_["name"]
            if where == "path":
                rule = "new-request-path-parameter"
            else:
                rule = ("new-required-request-parameter" if np_.get("required") is True
                        else "new-optional-request-parameter")
            required = "required" if where == "path" or np_.get("required") is True else "optional"
            self._add(rule, old, new, f"parameters.{where}.{name}",
                      f"added the new {required} {where} parameter {name}")

    def _parameter(self, old: Op, new: Op, op_: Mapping[str, Any],
                   np_: Mapping[str, Any]) -> None:
        where, name = np_["in"], np_["name"]
        base = f"parameters.{where}.{name}"
        was, now = op_.get("required") is True, np_.get("required") is True
        if was != now:
            rule = f"request-parameter-became-{'required' if now else 'optional'}"
            self._add(rule, old, new, f"{base}.required",
                      f"the {where} parameter {name} became {'required' if now else 'optional'}")
        was, now = op_.get("deprecated") is True, np_.get("deprecated") is True
        if was != now:
            rule = "request-parameter-deprecated" if now else "request-parameter-reactivated"
            self._add(rule, old, new, f"{base}.deprecated",
                      f"the {where} parameter {name} was "
                      f"{'deprecated' if now else 'reactivated'}")
        oschema, okey = _param_schema(op_)
        nschema, nkey = _param_schema(np_)
        if oschema is None or nschema is None:
            return
        # form style with explode (the default for query and cookie parameters) sends an
        # array as repeated values, so a single value is a one-element array
        style = np_.get("style", "form" if where in ("query", "cookie") else "simple")
        explode = np_.get("explode", style == "form") is True
        ctx = Ctx(request=True, scope="parameter", strong=False,
                  form_explode=style == "form" and explode and "schema" in np_)
        found = self.schemas.compare(oschema, nschema, ctx)
        found = [_name_parameter(f, where, name) for f in found]
        self._add_found(found, old, new, f"{base}.{nkey or okey}")

    # -- request body -----------------------------------------------------------------------

    def _request_body(self, old: Op, new: Op) -> None:
        obody, _ = self.old.resolve(old.op.get("requestBody"))
        nbody, _ = self.new.resolve(new.op.get("requestBody"))
        obody = obody if isinstance(obody, dict) else None
        nbody = nbody if isinstance(nbody, dict) else None
        if obody is None and nbody is None:
            return
        if obody is None:
            assert nbody is not None
            required = nbody.get("required") is True
            rule = "request-body-added-required" if required else "request-body-added-optional"
            self._add(rule, old, new, "requestBody",
                      f"added {'a required' if required else 'an optional'} request body")
            return
        if nbody is None:
            self._add("request-body-removed", old, new, "requestBody", "removed the request body")
            return
        was, now = obody.get("required") is True, nbody.get("required") is True
        if was != now:
            rule = "request-body-became-required" if now else "request-body-became-optional"
            self._add(rule, old, new, "requestBody.required",
                      f"the request body became {'required' if now else 'optional'}")
        ocontent, ncontent = _content(obody), _content(nbody)
        for media, omedia in ocontent.items():
            if media not in ncontent:
                self._add("request-body-media-type-removed", old, new,
                          f"requestBody.content.{media}",
                          f"removed the media type {media} from the request body")
                continue
            nmedia = ncontent[media]
            if "schema" in omedia and "schema" in nmedia:
                ctx = Ctx(request=True, scope="body", strong=_strongly_typed(media))
                found = self.schemas.compare(omedia["schema"], nmedia["schema"], ctx)
                suffix = f" ({media})" if len(ncontent) > 1 else ""
                self._add_found(found, old, new, f"requestBody.content.{media}.schema",
                                suffix=suffix)
        for media in ncontent:
            if media not in ocontent:
                self._add("request-body-media-type-added", old, new,
                          f"requestBody.content.{media}",
                          f"added the media type {media} to the request body")

    # -- responses --------------------------------------------------------------------------

    def _responses(self, old: Op, new: Op) -> None:
        oresp = old.op.get("responses")
        nresp = new.op.get("responses")
        oresp = oresp if isinstance(oresp, dict) else {}
        nresp = nresp if isinstance(nresp, dict) else {}
        for status, oraw in oresp.items():
            status = str(status)
            if status not in nresp:
                # oasdiff only rates numeric codes: `default` and `2XX` are left alone
                if status.isdigit():
                    success = 200 <= int(status) <= 299
                    rule = ("response-success-status-removed" if success
                            else "response-non-success-status-removed")
                    self._add(rule, old, new, f"responses.{status}",
                              f"removed the {'success' if success else 'non-success'} "
                              f"response with status {status}")
                continue
            self._response(old, new, status, oraw, nresp[status])
        for status in nresp:
            status = str(status)
            if status not in oresp and status.isdigit():
                success = 200 <= int(status) <= 299
                rule = ("response-success-status-added" if success
                        else "response-non-success-status-added")
                self._add(rule, old, new, f"responses.{status}",
                          f"added the {'success' if success else 'non-success'} response "
                          f"with status {status}")

    def _response(self, old: Op, new: Op, status: str, oraw: Any, nraw: Any) -> None:
        oresp, _ = self.old.resolve(oraw)
        nresp, _ = self.new.resolve(nraw)
        if not isinstance(oresp, dict) or not isinstance(nresp, dict):
            return
        base = f"responses.{status}"
        ocontent, ncontent = _content(oresp), _content(nresp)
        for media, omedia in ocontent.items():
            if media not in ncontent:
                self._add("response-media-type-removed", old, new, f"{base}.content.{media}",
                          f"removed the media type {media} from the {status} response")
                continue
            nmedia = ncontent[media]
            if "schema" in omedia and "schema" in nmedia:
                ctx = Ctx(request=False, scope="body", strong=_strongly_typed(media))
                found = self.schemas.compare(omedia["schema"], nmedia["schema"], ctx)
                extra = f", {media}" if len(ncontent) > 1 else ""
                self._add_found(found, old, new, f"{base}.content.{media}.schema",
                                suffix=f" (status {status}{extra})")
        for media in ncontent:
            if media not in ocontent:
                self._add("response-media-type-added", old, new, f"{base}.content.{media}",
                          f"added the media type {media} to the {status} response")
        self._headers(old, new, status, oresp, nresp)

    def _headers(self, old: Op, new: Op, status: str, oresp: Mapping[str, Any],
                 nresp: Mapping[str, Any]) -> None:
        oheaders = _mapping(oresp.get("headers"))
        nheaders = _mapping(nresp.get("headers"))
        if not oheaders and not nheaders:
            return
        olower = {k.lower(): k for k in oheaders}
        nlower = {k.lower(): k for k in nheaders}
        for low, name in olower.items():
            oheader, _ = self.old.resolve(oheaders[name])
            was_required = isinstance(oheader, dict) and oheader.get("required") is True
            loc = f"responses.{status}.headers.{name}"
            if low not in nlower:
                rule = ("required-response-header-removed" if was_required
                        else "optional-response-header-removed")
                kind = "required" if was_required else "optional"
                self._add(rule, old, new, loc,
                          f"removed the {kind} header {name} from the {status} response")
                continue
            nheader, _ = self.new.resolve(nheaders[nlower[low]])
            now_required = isinstance(nheader, dict) and nheader.get("required") is True
            if was_required and not now_required:
                self._add("response-header-became-optional", old, new, f"{loc}.required",
                          f"the header {name} of the {status} response became optional")
        for low, name in nlower.items():
            if low not in olower:
                self._add("response-header-added", old, new,
                          f"responses.{status}.headers.{name}",
                          f"added the header {name} to the {status} response")

    # -- security ---------------------------------------------------------------------------

    def _security(self, old: Op, new: Op) -> None:
        oreqs, oown = _security(self.old, old)
        nreqs, nown = _security(self.new, new)
        if oreqs == nreqs:
            return
        inherited = not oown and not nown
        scope_word = "api-global-security" if inherited else "api-security"
        location = "security"
        # no requirement, or an empty `{}` alternative, lets any request through; oasdiff
        # reports the change in that as its own rule and leaves `{}` out of the others
        anon_before, anon_after = _anonymous(oreqs), _anonymous(nreqs)
        if anon_before != anon_after:
            if anon_before:
                self._add(f"{scope_word}-anonymous-access-removed", old, new, location,
                          "the operation no longer accepts requests without credentials; "
                          "existing clients without credentials are refused")
            else:
                self._add(f"{scope_word}-anonymous-access-added", old, new, location,
                          "the operation now accepts requests without credentials")
        for key, scopes in oreqs.items():
            if not key:
                continue
            if key not in nreqs:
                if not anon_after:  # once anyone may call, no removal refuses a client
                    self._add(f"{scope_word}-removed", old, new, location,
                              f"removed the security requirement {_req_name(key)}; clients "
                              "using it are refused")
                continue
            for scheme, names in scopes.items():
                if not anon_after:
                    for scope in sorted(nreqs[key].get(scheme, frozenset()) - names):
                        self._add(f"{scope_word}-scope-added", old, new, location,
                                  f"added the scope {scope} to the security scheme {scheme}")
                for scope in sorted(names - nreqs[key].get(scheme, frozenset())):
                    self._add(f"{scope_word}-scope-removed", old, new, location,
                              f"removed the scope {scope} from the security scheme {scheme}")
        for key in nreqs:
            if key and key not in oreqs:
                self._add(f"{scope_word}-added", old, new, location,
                          f"added the security requirement {_req_name(key)}"
                          + ("" if anon_before else " as an alternative"))


def _anonymous(reqs: _Requirements) -> bool:
    """Whether REQS let a request without credentials through (oasdiff's allowsAnonymous)."""
    return not reqs or () in reqs


def _name_parameter(found: Found, where: str, name: str) -> Found:
    # parameter-level messages say "the parameter"; name it here, where the name is known
    text = found.text.replace("the parameter property", f"the {where} parameter {name}'s property")
    text = text.replace("the parameter", f"the {where} parameter {name}")
    return Found(found.id, found.location, found.prop, text)


def _param_schema(param: Mapping[str, Any]) -> tuple[Any, str | None]:
    if "schema" in param:
        return param["schema"], "schema"
    content = _content(param)
    for media, entry in content.items():
        if "schema" in entry:
            return entry["schema"], f"content.{media}.schema"
    return None, None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _content(obj: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    content = obj.get("content")
    if not isinstance(content, dict):
        return {}
    return {str(k): v for k, v in content.items() if isinstance(v, dict)}


def _strongly_typed(media: str) -> bool:
    # oasdiff's isStronglyTyped: in JSON a number and a string differ; in text formats not
    base = media.split(";", 1)[0].strip().lower()
    return base == "application/json" or (
        base.startswith("application/") and base.endswith("+json"))


_Requirements = dict[tuple[str, ...], dict[str, frozenset[str]]]


def _security(doc: Document, op: Op) -> tuple[_Requirements, bool]:
    """The operation's effective requirements (its own, or the document's), and whether its own."""
    own = "security" in op.op
    raw = op.op.get("security") if own else doc.root.get("security")
    reqs: _Requirements = {}
    for entry in raw if isinstance(raw, list) else ():
        if not isinstance(entry, dict):
            continue
        key = tuple(sorted(str(k) for k in entry))
        reqs[key] = {str(k): frozenset(str(s) for s in (v if isinstance(v, list) else ()))
                     for k, v in entry.items()}
    return reqs, own


def _listed(value: Any) -> list[Any]:
    # a document is compared even when it breaks the OpenAPI schema: a list may be anything
    return value if isinstance(value, list) else []


def _req_name(key: tuple[str, ...]) -> str:
    return " + ".join(key) if key else "{} (anonymous access)"


def diff_specs(old: Mapping[str, Any], new: Mapping[str, Any], *,
               tiers: TierRules | None = None, now: datetime | None = None,
               deprecated_since: DeprecatedSince | None = None) -> ApiDiffResult:
    """Classify every change from OLD to NEW (parsed OpenAPI documents)."""
    return diff_spec_set({"": old}, {"": new}, tiers=tiers, now=now,
                         deprecated_since=deprecated_since)


def diff_spec_set(old: Mapping[str, Mapping[str, Any]], new: Mapping[str, Mapping[str, Any]], *,
                  tiers: TierRules | None = None, now: datetime | None = None,
                  deprecated_since: DeprecatedSince | None = None) -> ApiDiffResult:
    """Classify every change between two sets of spec files ({name: parsed document}).

    The sets are one API: an operation moved from one file to another is matched, not
    reported as a removal and an addition. NOW dates sunsets and deprecation periods.
    """
    clock = _Clock(tiers or DEFAULT_TIERS, now, deprecated_since)
    return _SetDiffer(old, new, clock).run()


def apidiff(old: str, new: str, *, repo: str | Path | None = None,
            tiers: TierRules | None = None, cache: SpecCache | None = None,
            now: datetime | None = None, disk: DiskCache | None = None) -> ApiDiffResult:
    """Load OLD and NEW (files, or `REV:path` inside REPO), validate both and diff them.

    NOW defaults to the commit date of NEW's revision when NEW is `REV:path`; a deprecated
    operation removed from `REV:path` is dated by the git history of OLD's file.
    """
    return apidiff_set({"": old}, {"": new}, repo=repo, tiers=tiers, cache=cache, now=now,
                       disk=disk)


def apidiff_set(old: Mapping[str, str], new: Mapping[str, str], *,
                repo: str | Path | None = None, tiers: TierRules | None = None,
                cache: SpecCache | None = None, now: datetime | None = None,
                disk: DiskCache | None = None) -> ApiDiffResult:
    """Like `apidiff`, for sets of spec files: {spec name: file or `REV:path`} on each side."""
    with paused_gc():
        return _apidiff_set(old, new, repo=repo, tiers=tiers, cache=cache, now=now, disk=disk)


def _apidiff_set(old: Mapping[str, str], new: Mapping[str, str], *,
                 repo: str | Path | None, tiers: TierRules | None, cache: SpecCache | None,
                 now: datetime | None, disk: DiskCache | None) -> ApiDiffResult:
    old_specs = {name: load_spec(ref, repo=repo, cache=cache, disk=disk)
                 for name, ref in old.items()}
    new_specs = {name: load_spec(ref, repo=repo, cache=cache, disk=disk)
                 for name, ref in new.items()}
    top = Path(repo) if repo is not None else Path(".")
    if now is None:
        now = commit_now(top, list(new.values()))
    since = history_dates(top, dict(old), disk=disk)
    if any(s.large for s in (*old_specs.values(), *new_specs.values())):
        report("comparing")
    try:
        result = diff_spec_set({n: s.document for n, s in old_specs.items()},
                               {n: s.document for n, s in new_specs.items()},
                               tiers=tiers, now=now, deprecated_since=since)
    except RecursionError:
        # schemas nested through a long chain of distinct $refs (inline nesting is capped when
        # the documents are read): a clear refusal, never a traceback
        raise CharterError("the schemas nest too deeply to compare (a chain of hundreds of "
                           "$refs, each nesting the next); flatten the chain") from None
    # the same problem in OLD and NEW (one file given twice) is one warning
    warnings = tuple(dict.fromkeys(w for spec in (*old_specs.values(), *new_specs.values())
                                   for w in spec.warnings))
    return ApiDiffResult(tuple(_bounded(c) for c in result.changes), warnings)


def _bounded(change: ApiChange) -> ApiChange:
    """CHANGE with every text cut to a short excerpt: names in a spec can be any length."""
    if len(change.tier) <= 80 and len(change.operation) <= 240 and len(
            change.location) <= 240 and len(change.message) <= 400:
        return change
    return ApiChange(change.id, change.breaking, excerpt(change.tier, 80),
                     excerpt(change.operation, 240), excerpt(change.location, 240),
                     excerpt(change.message, 400), change.level, change.spec)


def iter_rule_ids() -> Iterator[str]:
    """Every rule id apidiff can report."""
    yield from LEVELS

