"""Breaking-change detection between two OpenAPI 3.0/3.1 documents, modelled on oasdiff.

Every change gets oasdiff's rule id and level (see `apidiff_rules`); `breaking` is true for
what oasdiff rates ERR, and for a security requirement added to an operation that had none.
Operations are matched by their normalized path template, schemas by meaning: `$ref`s are
resolved, so a change to a shared component is reported on every operation that uses it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from charter.repo.apidiff_load import SpecCache, load_spec
from charter.repo.apidiff_rules import ERR, LEVELS, Level, level_of
from charter.repo.apidiff_schema import Ctx, Document, Found, SchemaComparer, render

__all__ = ["ApiChange", "ApiDiffResult", "TierRules", "apidiff", "diff_specs", "iter_rule_ids",
           "normalize_path"]

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_TEMPLATE_PARAM = re.compile(r"\{([^{}]*)\}")


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

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "breaking": self.breaking, "tier": self.tier,
                "operation": self.operation, "location": self.location,
                "message": self.message, "level": self.level}


@dataclass(frozen=True, slots=True)
class ApiDiffResult:
    """All changes between two documents; `fails` when a break touches a stable operation."""

    changes: tuple[ApiChange, ...]

    @property
    def breaking(self) -> int:
        return sum(1 for c in self.changes if c.breaking)

    @property
    def fails(self) -> bool:
        return any(c.breaking and c.tier == "stable" for c in self.changes)

    def to_json(self) -> dict[str, Any]:
        return {"changes": [c.to_json() for c in self.changes], "breaking": self.breaking}


@dataclass(frozen=True)
class TierRules:
    """How an operation's tier is decided; the default is `deprecated` or `stable`.

    The first rule that applies wins, in this order: the `extension` (for example
    `x-stability`) whose value, mapped through `extension_values`, names the tier;
    `deprecated: true`; the first of the operation's tags listed in `tags`; the longest
    matching prefix in `path_prefixes`; `default`. Only `stable` operations fail a run.
    """

    extension: str | None = None
    extension_values: Mapping[str, str] = field(default_factory=dict)
    deprecated: str | None = "deprecated"
    tags: Mapping[str, str] = field(default_factory=dict)
    path_prefixes: Mapping[str, str] = field(default_factory=dict)
    default: str = "stable"

    def tier_of(self, path: str, operation: Mapping[str, Any]) -> str:
        """The tier of OPERATION, found at PATH."""
        if self.extension:
            value = operation.get(self.extension)
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                text = str(value)
                return self.extension_values.get(text, text)
        if self.deprecated and operation.get("deprecated") is True:
            return self.deprecated
        for tag in operation.get("tags") or ():
            if isinstance(tag, str) and tag in self.tags:
                return self.tags[tag]
        best = ""
        for prefix in self.path_prefixes:
            if path.startswith(prefix) and len(prefix) > len(best):
                best = prefix
        if best:
            return self.path_prefixes[best]
        return self.default


DEFAULT_TIERS = TierRules()


def normalize_path(path: str) -> str:
    """The path template with parameter names erased: `/users/{id}` -> `/users/{}`."""
    return _TEMPLATE_PARAM.sub("{}", path)


@dataclass(frozen=True, slots=True)
class _Op:
    path: str
    method: str
    op: Mapping[str, Any]
    item: Mapping[str, Any]

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"


def _operations(doc: Document) -> dict[tuple[str, str], _Op]:
    result: dict[tuple[str, str], _Op] = {}
    paths = doc.root.get("paths")
    if not isinstance(paths, dict):
        return result
    for path, raw_item in paths.items():
        item, _ = doc.resolve(raw_item)
        if not isinstance(path, str) or not isinstance(item, dict):
            continue
        norm = normalize_path(path)
        for method in METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                result[(norm, method)] = _Op(path, method, op, item)
    return result


class _Differ:
    def __init__(self, old: Mapping[str, Any], new: Mapping[str, Any], tiers: TierRules) -> None:
        self.old = Document(old)
        self.new = Document(new)
        self.tiers = tiers
        self.schemas = SchemaComparer(self.old, self.new)
        self.changes: list[ApiChange] = []

    def run(self) -> ApiDiffResult:
        old_ops = _operations(self.old)
        new_ops = _operations(self.new)
        new_paths = {norm for norm, _ in new_ops}
        for key, new in new_ops.items():
            old = old_ops.get(key)
            if old is None:
                self._add("endpoint-added", new, new, f"paths.{new.path}.{new.method}",
                          "endpoint added")
            else:
                self._operation(old, new)
        for key, old in old_ops.items():
            if key in new_ops:
                continue
            deprecated = old.op.get("deprecated") is True
            whole_path = key[0] not in new_paths
            rule = ("api-path-removed" if whole_path else "api-removed") + (
                "-with-deprecation" if deprecated else "-without-deprecation")
            what = "the path and its operation" if whole_path else "the operation"
            how = "after deprecation" if deprecated else "without deprecation"
            self._add(rule, old, old, f"paths.{old.path}.{old.method}", f"removed {what} {how}")
        return ApiDiffResult(tuple(self.changes))

    # -- output ---------------------------------------------------------------------------

    def _add(self, rule: str, old: _Op, new: _Op, location: str, message: str, *,
             breaking: bool | None = None) -> None:
        level = level_of(rule)
        # the promise made by OLD is the one clients rely on, so OLD's tier decides
        tier = self.tiers.tier_of(old.path, old.op)
        self.changes.append(ApiChange(
            id=rule, breaking=(level == ERR) if breaking is None else breaking, tier=tier,
            operation=new.label, location=location, message=message, level=level))

    def _add_found(self, found: list[Found], old: _Op, new: _Op, base: str,
                   prop: tuple[str, ...] = (), suffix: str = "") -> None:
        for item in found:
            location = ".".join((base, *item.location)) if base else ".".join(item.location)
            self._add(item.id, old, new, location, render(item, prop) + suffix)

    # -- one operation ----------------------------------------------------------------------

    def _operation(self, old: _Op, new: _Op) -> None:
        was, now = old.op.get("deprecated") is True, new.op.get("deprecated") is True
        if was != now:
            if now:
                sunset = new.op.get("x-sunset")
                extra = f" (sunset {sunset})" if sunset else ""
                self._add("endpoint-deprecated", old, new, "deprecated",
                          f"endpoint deprecated{extra}")
            else:
                self._add("endpoint-reactivated", old, new, "deprecated", "endpoint reactivated")
        self._operation_id(old, new)
        self._tags(old, new)
        self._parameters(old, new)
        self._request_body(old, new)
        self._responses(old, new)
        self._security(old, new)

    def _operation_id(self, old: _Op, new: _Op) -> None:
        oid, nid = old.op.get("operationId"), new.op.get("operationId")
        if oid == nid:
            return
        if oid is not None:
            self._add("api-operation-id-removed", old, new, "operationId",
                      f"operation id {oid} removed" + (f" and replaced with {nid}" if nid else ""))
        else:
            self._add("api-operation-id-added", old, new, "operationId",
                      f"operation id {nid} added")

    def _tags(self, old: _Op, new: _Op) -> None:
        otags = [t for t in old.op.get("tags") or () if isinstance(t, str)]
        ntags = [t for t in new.op.get("tags") or () if isinstance(t, str)]
        for tag in otags:
            if tag not in ntags:
                self._add("api-tag-removed", old, new, "tags", f"tag {tag} removed")
        for tag in ntags:
            if tag not in otags:
                self._add("api-tag-added", old, new, "tags", f"tag {tag} added")

    # -- parameters -------------------------------------------------------------------------

    def _params(self, doc: Document, op: _Op) -> dict[tuple[str, str], Mapping[str, Any]]:
        # path parameters are matched by position in the template, so renaming one is no change
        positions = {name: str(i) for i, name in enumerate(_TEMPLATE_PARAM.findall(op.path))}
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

    def _parameters(self, old: _Op, new: _Op) -> None:
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

    def _parameter(self, old: _Op, new: _Op, op_: Mapping[str, Any],
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
        found = self.schemas.compare(oschema, nschema, Ctx(request=True, scope="parameter",
                                                           strong=False))
        found = [_name_parameter(f, where, name) for f in found]
        self._add_found(found, old, new, f"{base}.{nkey or okey}")

    # -- request body -----------------------------------------------------------------------

    def _request_body(self, old: _Op, new: _Op) -> None:
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

    def _responses(self, old: _Op, new: _Op) -> None:
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

    def _response(self, old: _Op, new: _Op, status: str, oraw: Any, nraw: Any) -> None:
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

    def _headers(self, old: _Op, new: _Op, status: str, oresp: Mapping[str, Any],
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

    def _security(self, old: _Op, new: _Op) -> None:
        oreqs, oown = _security(self.old, old)
        nreqs, nown = _security(self.new, new)
        if oreqs == nreqs:
            return
        inherited = not oown and not nown
        scope_word = "api-global-security" if inherited else "api-security"
        location = "security"
        had_none = not oreqs
        for key, scopes in oreqs.items():
            if key not in nreqs:
                self._add(f"{scope_word}-removed", old, new, location,
                          f"removed the security requirement {_req_name(key)}; clients using "
                          "it are refused")
                continue
            for scheme, names in scopes.items():
                for scope in sorted(nreqs[key].get(scheme, frozenset()) - names):
                    self._add(f"{scope_word}-scope-added", old, new, location,
                              f"added the scope {scope} to the security scheme {scheme}")
                for scope in sorted(names - nreqs[key].get(scheme, frozenset())):
                    self._add(f"{scope_word}-scope-removed", old, new, location,
                              f"removed the scope {scope} from the security scheme {scheme}")
        for key in nreqs:
            if key in oreqs:
                continue
            if had_none and key:
                # oasdiff rates an added requirement INFO; on an operation that needed no
                # credentials it refuses every existing client, so Charter counts it as breaking
                self._add(f"{scope_word}-added", old, new, location,
                          f"added the security requirement {_req_name(key)} to an operation "
                          "that had none; existing clients without credentials are refused",
                          breaking=True)
            else:
                self._add(f"{scope_word}-added", old, new, location,
                          f"added the security requirement {_req_name(key)} as an alternative")


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


def _security(doc: Document, op: _Op) -> tuple[_Requirements, bool]:
    """The operation's effective requirements (its own, or the document's), and whether its own."""
    own = "security" in op.op
    raw = op.op.get("security") if own else doc.root.get("security")
    reqs: _Requirements = {}
    for entry in raw if isinstance(raw, list) else ():
        if not isinstance(entry, dict):
            continue
        key = tuple(sorted(str(k) for k in entry))
        reqs[key] = {str(k): frozenset(str(s) for s in (v or ())) for k, v in entry.items()}
    return reqs, own


def _req_name(key: tuple[str, ...]) -> str:
    return " + ".join(key) if key else "{} (anonymous access)"


def diff_specs(old: Mapping[str, Any], new: Mapping[str, Any], *,
               tiers: TierRules | None = None) -> ApiDiffResult:
    """Classify every change from OLD to NEW (parsed OpenAPI documents)."""
    return _Differ(old, new, tiers or DEFAULT_TIERS).run()


def apidiff(old: str, new: str, *, repo: str | Path | None = None,
            tiers: TierRules | None = None, cache: SpecCache | None = None) -> ApiDiffResult:
    """Load OLD and NEW (files, or `REV:path` inside REPO), validate both and diff them."""
    old_spec = load_spec(old, repo=repo, cache=cache)
    new_spec = load_spec(new, repo=repo, cache=cache)
    return diff_specs(old_spec.document, new_spec.document, tiers=tiers)


def iter_rule_ids() -> Iterator[str]:
    """Every rule id apidiff can report."""
    yield from LEVELS

