"""Schema comparison for apidiff: two JSON Schemas compared by meaning, request or response side."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import unquote

from charter.apidiff.meaning import (
    COMPOSITIONS,
    UNIONS,
    canonical,
    contract,
    is_null_only,
    merge,
    split_nulls,
)
from charter.apidiff.rules import BOUNDS, LEVELS, READ_ONLY_BOUND_IDS, bound_narrows
from charter.apidiff.unions import Member, describe, discriminator_property, match, tag_members

PROP = "\0prop\0"  # stands for the full property name in a message until the path is known
_MISSING = object()
# keywords under which a schema holds other schemas (or $refs to them)
_COMPOSITE = frozenset({"$ref", "properties", "items", "additionalProperties", "allOf", "oneOf",
                        "anyOf", "not", "prefixItems", "patternProperties"})
_FLATTEN_DEPTH = 16
# keywords that say nothing about which values are valid
_ANNOTATIONS = frozenset({"title", "description", "example", "examples", "deprecated",
                          "externalDocs", "xml", "$comment"})


class Document:
    """One OpenAPI document with local `$ref` resolution (`#/components/...`, any JSON pointer)."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.root = document
        self._targets: dict[str, Any] = {}

    def lookup(self, ref: str) -> Any:
        """The node REF points at, or None when it points nowhere in this document."""
        hit = self._targets.get(ref, _MISSING)
        if hit is not _MISSING:
            return hit
        node: Any = None
        # only a JSON pointer into this document: never another file, a URL or a `#name`
        if ref == "#" or ref.startswith("#/"):
            node = self.root
            for raw in ref[1:].split("/")[1:]:
                part = unquote(raw).replace("~1", "/").replace("~0", "~")
                if isinstance(node, dict):
                    node = node.get(part)
                elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                    node = node[int(part)]
                else:
                    node = None
                if node is None:
                    break
        self._targets[ref] = node
        return node

    def resolve(self, node: Any) -> tuple[Any, str | None]:
        """Follow `$ref`s from NODE; return the target and the last ref followed (None if none)."""
        ref: str | None = None
        seen: set[str] = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if ref in seen:  # a ref that only points at refs: nothing to compare
                return {}, ref
            seen.add(ref)
            target = self.lookup(ref)
            if target is None:  # external or dangling: compare it as an opaque name
                return {"$ref": ref}, ref
            node = target
        return node, ref


@dataclass(frozen=True, slots=True)
class Ctx:
    """Where a schema sits: request or response, and body, property, parameter or its property."""

    request: bool
    scope: str  # "body" | "property" | "parameter" | "parameter-property"
    strong: bool  # JSON-like media type: 1 and "1" differ on the wire
    form_explode: bool = False  # a parameter sent as repeated values (style form, explode)

    @property
    def prefix(self) -> str:
        return ("request-" if self.request else "response-") + self.scope

    def child(self) -> Ctx:
        scope = "parameter-property" if self.scope.startswith("parameter") else "property"
        return self if scope == self.scope else replace(self, scope=scope)


@dataclass(frozen=True, slots=True)
class Found:
    """A change found inside a schema, located relative to the schema compared."""

    id: str
    location: tuple[str, ...]
    prop: tuple[str, ...]
    text: str

    def under(self, location: tuple[str, ...], prop: tuple[str, ...]) -> Found:
        return Found(self.id, location + self.location, prop + self.prop, self.text)


def render(found: Found, prop: tuple[str, ...] = ()) -> str:
    """The message of FOUND with the property placeholder filled in."""
    full = "/".join(prop + found.prop) or "(body)"
    return found.text.replace(PROP, f"`{full}`")


def _types(schema: Mapping[str, Any]) -> tuple[frozenset[str], bool]:
    raw = schema.get("type")
    if isinstance(raw, str):
        types = {raw}
    elif isinstance(raw, list):
        types = {t for t in raw if isinstance(t, str)}
    else:
        types = set()
    nullable = schema.get("nullable") is True or "null" in types
    types.discard("null")
    return frozenset(types), nullable


def _accepts(to: frozenset[str], frm: frozenset[str], strong: bool) -> bool:
    """Whether a value of type FRM is still valid as type TO (oasdiff's isTypeContained)."""
    if to == {"number"} and frm == {"integer"}:
        return True
    # in text encodings (query strings, form data) any value is also a string
    return not strong and to == {"string"}


_WIDER_FORMATS: dict[str, set[tuple[str, str]]] = {
    # (narrower, wider) pairs per type, oasdiff's isFormatContained
    "number": {("float", "double")},
    "integer": {("int32", "int64"), ("int32", "bigint"), ("int64", "bigint")},
    "string": {("date", "date-time"), ("time", "date-time")},
}


def _format_widens(kind: str, frm: str | None, to: str | None) -> bool:
    if to is None:
        return True
    if frm is None:
        return False
    return (frm, to) in _WIDER_FORMATS.get(kind, set())


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _show(value: Any) -> str:
    text = _canon(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _type_text(types: frozenset[str], fmt: Any) -> str:
    text = "|".join(sorted(types)) or "any"
    return f"{text}/{fmt}" if fmt else text


_Pair = tuple[tuple[int, ...], tuple[int, ...], bool]


@dataclass(frozen=True, slots=True)
class View:
    """A schema as compared: canonical, with single-member wrappers peeled and `$ref`s followed.

    KEY names the document nodes it was built from (for memoizing and stopping at cycles),
    VIA_REF says whether a `$ref` was followed, REF is the last component named on the way.
    """

    schema: Any
    key: tuple[int, ...]
    via_ref: bool
    ref: str | None


class SchemaComparer:
    """Compares schemas of OLD and NEW; shared components are compared once per context."""

    def __init__(self, old: Document, new: Document) -> None:
        self.old = old
        self.new = new
        self._memo: dict[tuple[tuple[int, ...], tuple[int, ...], Ctx], list[Found]] = {}
        # the pairs of shared schemas being compared, outermost first, to stop at a cycle
        self._stack: list[_Pair] = []
        self._position: dict[_Pair, int] = {}
        self._cut: set[_Pair] = set()
        self._views: dict[tuple[int, int], tuple[Any, View]] = {}

    def compare(self, old_raw: Any, new_raw: Any, ctx: Ctx) -> list[Found]:
        """Every change between two schemas (either may be a `$ref`)."""
        if isinstance(old_raw, dict) and _COMPOSITE.isdisjoint(old_raw) and old_raw == new_raw:
            return []  # an unchanged leaf: nothing below it can point elsewhere
        return self._pair(self.view(self.old, old_raw), self.view(self.new, new_raw), ctx)

    def _pair(self, o: View, n: View, ctx: Ctx) -> list[Found]:
        # an inline pair can recur too (allOf merges in a $ref'd schema's own properties), so
        # every pair is watched for a cycle; only shared ($ref'd) ones are worth remembering
        shared = o.via_ref or n.via_ref
        key = (o.key, n.key, ctx)
        hit = self._memo.get(key) if shared else None
        if hit is not None:
            return hit
        pair = (o.key, n.key, ctx.request)
        position = self._position.get(pair)
        if position is not None:
            # a recursive schema: this pair is already being compared further up, where its
            # changes are reported once; the frames in between saw only part of it
            self._cut.update(self._stack[position + 1:])
            return []
        self._position[pair] = len(self._stack)
        self._stack.append(pair)
        try:
            found = self._node(o, n, ctx)
        finally:
            self._stack.pop()
            del self._position[pair]
        if pair in self._cut:
            self._cut.discard(pair)
        elif shared:
            self._memo[key] = found
        return found

    def view(self, doc: Document, raw: Any) -> View:
        """RAW as compared: references followed, wrappers peeled, in canonical form."""
        cache_key = (id(doc), id(raw))
        cached = self._views.get(cache_key)
        if cached is not None and cached[0] is raw:
            return cached[1]
        node, ref = doc.resolve(raw)
        via_ref = ref is not None
        key: list[int] = []
        wrappers: list[dict[str, Any]] = []
        for _ in range(_FLATTEN_DEPTH):
            peeled = _single_member(node, doc) if isinstance(node, dict) else None
            if peeled is None:
                break
            member, wrapper = peeled
            key.append(id(node))
            wrappers.append(wrapper)
            node, inner_ref = doc.resolve(member)
            if inner_ref is not None:
                ref, via_ref = inner_ref, True
        key.append(id(node))
        schema: Any = node
        if isinstance(node, dict):
            for wrapper in reversed(wrappers):  # the outermost says the last word
                schema = merge(wrapper, schema)
            schema = canonical(self._flatten(doc, schema), doc.resolve)
        result = View(schema, tuple(key), via_ref, ref)
        self._views[cache_key] = (raw, result)
        return result

    def _flatten(self, doc: Document, schema: Mapping[str, Any],
                 depth: int = 0) -> Mapping[str, Any]:
        # allOf is a conjunction: comparing the merged schema compares what it means, so moving
        # a property between a component and an allOf member is no change.
        parts = schema.get("allOf")
        if not isinstance(parts, list) or depth > _FLATTEN_DEPTH:
            return schema
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        own_props, own_required = merged.get("properties"), merged.get("required")
        props: dict[str, Any] = dict(own_props) if isinstance(own_props, dict) else {}
        required: list[Any] = list(own_required) if isinstance(own_required, list) else []
        for part in parts:
            target, _ = doc.resolve(part)
            if not isinstance(target, dict):
                continue
            target = self._flatten(doc, target, depth + 1)
            for key, value in target.items():
                if key == "properties" and isinstance(value, dict):
                    for name, prop in value.items():
                        props.setdefault(name, prop)
                elif key == "required" and isinstance(value, list):
                    required.extend(r for r in value if r not in required)
                else:
                    merged.setdefault(key, value)
        if props:
            merged["properties"] = props
        if required:
            merged["required"] = required
        return merged

    def _node(self, ov: View, nv: View, ctx: Ctx) -> list[Found]:
        o, n = ov.schema, nv.schema
        if not isinstance(o, dict) or not isinstance(n, dict):
            return []  # boolean schemas (3.1) and opaque refs: nothing typed to compare
        if _COMPOSITE.isdisjoint(o) and o == n:
            return []  # an unchanged leaf: nothing below it can point elsewhere
        ou, nu = _unions(o), _unions(n)
        if bool(ou) != bool(nu) and len(ou or nu) == 1 and _constrained(n if ou else o):
            # one side is a union and the other is not: the plain side is one variant (a
            # plain side that admits anything says nothing to match a member with)
            return self._became_union(ov, nv, ou, nu, ctx)
        out: list[Found] = []
        ot, onull = _types(o)
        nt, nnull = _types(n)
        type_changed = bool(ot) and bool(nt) and ot != nt
        if type_changed and ctx.form_explode and self._scalar_to_array(o, n, ot, nt):
            # oasdiff's isParameterScalarToFormExplodeArray: every old value is still valid
            _emit(out, "request-parameter-type-generalized", ("type",),
                  f"the type of {_subject(ctx)} was widened from {_type_text(ot, o.get('format'))}"
                  f" to an array of it")
        elif type_changed:
            out.extend(self._type_change(ot, nt, o.get("format"), n.get("format"), ctx))
        elif ot == nt and len(ot) == 1 and o.get("format") != n.get("format"):
            out.extend(self._format_change(ot, o.get("format"), n.get("format"), ctx))
        if onull != nnull:
            rule = f"{ctx.prefix}-became-{'nullable' if nnull else 'not-nullable'}"
            what = "now accepts null" if ctx.request else "may now be null"
            if not nnull:
                what = "no longer accepts null" if ctx.request else "is no longer null"
            _emit(out, rule, (), f"{_subject(ctx)} {what}")
        _enum(out, o, n, ctx)
        _pattern(out, o.get("pattern"), n.get("pattern"), ctx)
        _bounds(out, o, n, ctx)
        _default(out, o.get("default", _MISSING), n.get("default", _MISSING), ctx)
        if ctx.scope == "property" and bool(o.get("deprecated")) != bool(n.get("deprecated")):
            side = "request" if ctx.request else "response"
            verb = "deprecated" if n.get("deprecated") else "reactivated"
            _emit(out, f"{side}-property-{verb}", ("deprecated",), f"{side} property {PROP} {verb}")
        if not type_changed:
            self._properties(out, o, n, ctx)
            self._nested(out, o, n, ctx)
        return out

    def _scalar_to_array(self, o: Mapping[str, Any], n: Mapping[str, Any], ot: frozenset[str],
                         nt: frozenset[str]) -> bool:
        """Whether N is an array of exactly the scalar O (annotations aside)."""
        if nt != {"array"} or len(ot) != 1 or "array" in ot:
            return False
        items, _ = self.new.resolve(n.get("items"))
        if not isinstance(items, dict):
            return False

        def contract(schema: Mapping[str, Any]) -> dict[str, Any]:
            return {k: v for k, v in schema.items() if k not in _ANNOTATIONS}

        return contract(items) == contract(o)

    def _type_change(self, ot: frozenset[str], nt: frozenset[str], of: Any, nf: Any,
                     ctx: Ctx) -> list[Found]:
        out: list[Found] = []
        change = f"from {_type_text(ot, of)} to {_type_text(nt, nf)}"
        if (len(ot) > 1 or len(nt) > 1) and (ot < nt or nt < ot):
            how = "widened" if ot < nt else "narrowed"
            _emit(out, f"{ctx.prefix}-list-of-types-{how}", ("type",),
                  f"the types of {_subject(ctx)} were {how} {change}")
            return out
        if ctx.scope == "parameter-property":
            strong = not _accepts(nt, ot, True)
            weak = not _accepts(nt, ot, False)
            kind = "changed" if strong != weak else "specialized" if strong else "generalized"
        elif ctx.request:
            kind = "generalized" if _accepts(nt, ot, ctx.strong) else "changed"
        elif _accepts(ot, nt, ctx.strong):
            kind = "specialized"
        else:
            kind = "generalized" if _accepts(nt, ot, ctx.strong) else "changed"
        _emit(out, f"{ctx.prefix}-type-{kind}", ("type",), f"the type of {_subject(ctx)} "
              f"{'changed' if kind == 'changed' else 'was ' + _KIND_WORD[kind]} {change}")
        return out

    def _format_change(self, types: frozenset[str], of: Any, nf: Any, ctx: Ctx) -> list[Found]:
        kind_of = next(iter(types))
        old_fmt = of if isinstance(of, str) else None
        new_fmt = nf if isinstance(nf, str) else None
        widens = _format_widens(kind_of, old_fmt, new_fmt)
        narrows = _format_widens(kind_of, new_fmt, old_fmt)
        if ctx.request:
            kind = "generalized" if widens else "specialized" if (
                ctx.scope == "parameter-property") else "changed"
        else:
            kind = "specialized" if narrows else "generalized" if widens else "changed"
        out: list[Found] = []
        change = f"from {_type_text(types, of)} to {_type_text(types, nf)}"
        _emit(out, f"{ctx.prefix}-type-{kind}", ("format",), f"the format of {_subject(ctx)} "
              f"{'changed' if kind == 'changed' else 'was ' + _KIND_WORD[kind]} {change}")
        return out

    def _properties(self, out: list[Found], o: Mapping[str, Any], n: Mapping[str, Any],
                    ctx: Ctx) -> None:
        oprops = o.get("properties")
        nprops = n.get("properties")
        oprops = oprops if isinstance(oprops, dict) else {}
        nprops = nprops if isinstance(nprops, dict) else {}
        if not oprops and not nprops:
            return
        oreq = {r for r in _listed(o.get("required")) if isinstance(r, str)}
        nreq = {r for r in _listed(n.get("required")) if isinstance(r, str)}
        child = ctx.child()
        in_param = ctx.scope.startswith("parameter")
        for name, oprop in oprops.items():
            loc = ("properties", name)
            nprop = nprops.get(name, _MISSING)
            if nprop is _MISSING:
                if not in_param:
                    self._removed_property(out, name, oprop, name in oreq, ctx)
                continue
            out.extend(f.under(loc, (name,)) for f in self.compare(oprop, nprop, child))
            if not in_param and (name in oreq) != (name in nreq):
                self._required_changed(out, name, nprop, name in nreq, ctx)
        if in_param:
            return
        for name, nprop in nprops.items():
            if name not in oprops:
                self._added_property(out, name, nprop, name in nreq, ctx)

    def _removed_property(self, out: list[Found], name: str, oprop: Any, required: bool,
                          ctx: Ctx) -> None:
        schema, _ = self.old.resolve(oprop)
        loc = ("properties", name)
        if ctx.request:
            if isinstance(schema, dict) and schema.get("readOnly") is True:
                return  # never sent by clients: oasdiff reports nothing
            _emit(out, "request-property-removed", loc, f"removed the request property {PROP}",
                  prop=(name,))
            return
        write_only = isinstance(schema, dict) and schema.get("writeOnly") is True
        rule = ("response-" + ("required" if required else "optional")
                + ("-write-only" if write_only else "") + "-property-removed")
        _emit(out, rule, loc, f"removed the {'required' if required else 'optional'} "
              f"{'write-only ' if write_only else ''}property {PROP} from the response",
              prop=(name,))

    def _added_property(self, out: list[Found], name: str, nprop: Any, required: bool,
                        ctx: Ctx) -> None:
        schema, _ = self.new.resolve(nprop)
        schema = schema if isinstance(schema, dict) else {}
        loc = ("properties", name)
        if ctx.request:
            if schema.get("readOnly") is True:
                return  # never sent by clients: oasdiff reports nothing
            if required:
                rule = "new-required-request-property" + (
                    "-with-default" if "default" in schema else "")
                _emit(out, rule, loc, f"added the new required request property {PROP}",
                      prop=(name,))
            else:
                _emit(out, "new-optional-request-property", loc,
                      f"added the new optional request property {PROP}", prop=(name,))
            return
        write_only = schema.get("writeOnly") is True
        rule = (f"response-{'required' if required else 'optional'}"
                f"{'-write-only' if write_only else ''}-property-added")
        _emit(out, rule, loc, f"added the {'required' if required else 'optional'} "
              f"{'write-only ' if write_only else ''}property {PROP} to the response",
              prop=(name,))

    def _required_changed(self, out: list[Found], name: str, nprop: Any, now_required: bool,
                          ctx: Ctx) -> None:
        schema, _ = self.new.resolve(nprop)
        schema = schema if isinstance(schema, dict) else {}
        loc = ("properties", name)
        if ctx.request:
            if now_required:
                if schema.get("readOnly") is True:
                    return  # a read-only property is never sent, so requiring it asks nothing
                rule = "request-property-became-required" + (
                    "-with-default" if "default" in schema else "")
                _emit(out, rule, loc, f"the request property {PROP} became required",
                      prop=(name,))
            else:
                _emit(out, "request-property-became-optional", loc,
                      f"the request property {PROP} became optional", prop=(name,))
            return
        if now_required:
            rule = ("response-write-only-property-became-required"
                    if schema.get("writeOnly") is True else "response-property-became-required")
            _emit(out, rule, loc, f"the response property {PROP} became required",
                  prop=(name,))
        else:
            rule = ("response-write-only-property-became-optional"
                    if schema.get("writeOnly") is True else "response-property-became-optional")
            _emit(out, rule, loc, f"the response property {PROP} became optional, so clients "
                  "can no longer count on it", prop=(name,))

    def _nested(self, out: list[Found], o: Mapping[str, Any], n: Mapping[str, Any],
                ctx: Ctx) -> None:
        oitems, nitems = o.get("items"), n.get("items")
        if isinstance(oitems, dict) and isinstance(nitems, dict):
            # array items of a parameter are still the parameter's values
            items_ctx = ctx if ctx.scope == "parameter" else ctx.child()
            out.extend(f.under(("items",), ("items",))
                       for f in self.compare(oitems, nitems, items_ctx))
        oadd, nadd = o.get("additionalProperties"), n.get("additionalProperties")
        if isinstance(oadd, dict) and isinstance(nadd, dict):
            out.extend(f.under(("additionalProperties",), ("*",))
                       for f in self.compare(oadd, nadd, ctx.child()))
        ou, nu = _unions(o), _unions(n)
        if len(ou) == 1 and len(nu) == 1:
            # oneOf and anyOf are both unions: a switch between them compares the members
            self._branches(out, o, n, ou[0], nu[0], ctx)
            return
        for keyword in UNIONS:
            olist, nlist = o.get(keyword), n.get(keyword)
            if isinstance(olist, list) and isinstance(nlist, list):
                self._branches(out, o, n, (keyword, olist), (keyword, nlist), ctx)

    def _members(self, doc: Document, raws: list[Any]) -> list[Member]:
        """The members of a union as written, without those that only admit null."""
        members = []
        for index, raw in enumerate(raws):
            if is_null_only(doc.resolve(raw)[0]):
                continue
            view = self.view(doc, raw)
            members.append(Member(index, raw, view.schema, view.ref))
        return members

    def _tagged(self, o: Mapping[str, Any], n: Mapping[str, Any], om: list[Member],
                nm: list[Member]) -> tuple[list[Member], list[Member]]:
        """OM and NM with their discriminator values, when the unions have a discriminator."""
        def old(raw: Any) -> Any:
            return self.view(self.old, raw).schema

        def new(raw: Any) -> Any:
            return self.view(self.new, raw).schema

        prop, by_ref = discriminator_property([o, n], [(om, old), (nm, new)])
        return tag_members(om, prop, by_ref, old), tag_members(nm, prop, by_ref, new)

    def _branches(self, out: list[Found], o: Mapping[str, Any], n: Mapping[str, Any],
                  old_union: tuple[str, list[Any]], new_union: tuple[str, list[Any]],
                  ctx: Ctx) -> None:
        okw, nkw = old_union[0], new_union[0]
        om, nm = self._tagged(o, n, self._members(self.old, old_union[1]),
                              self._members(self.new, new_union[1]))
        pairs, removed, added = match(om, nm)
        for before, after in pairs:
            out.extend(f.under((nkw, str(after.index)), ())
                       for f in self.compare(before.raw, after.raw, ctx))
        base = _union_base(ctx)
        subject = _subject(ctx)
        for member in removed:
            what = ("requests sending it are refused" if ctx.request
                    else "clients no longer receive it")
            _emit(out, f"{base}-{_SEGMENT[okw]}-removed", (okw, str(member.index)),
                  f"removed {member.name} from the `{okw}` of {subject}: {what}")
        for member in added:
            what = "it is now also accepted" if ctx.request else "clients may now receive it"
            _emit(out, f"{base}-{_SEGMENT[nkw]}-added", (nkw, str(member.index)),
                  f"added {member.name} to the `{nkw}` of {subject}: {what}")

    def _became_union(self, ov: View, nv: View, ou: list[tuple[str, list[Any]]],
                      nu: list[tuple[str, list[Any]]], ctx: Ctx) -> list[Found]:
        """A plain schema that became a union, or a union that became a plain schema.

        The plain schema is compared with the member it matches (the union's own keywords
        apply to each member); the other members are what was added or removed.
        """
        out: list[Found] = []
        o, n = ov.schema, nv.schema
        grew = bool(nu)
        keyword, raws = (nu or ou)[0]
        union, union_view, doc = (n, nv, self.new) if grew else (o, ov, self.old)
        plain_view = ov if grew else nv
        plain = Member(-1, None, plain_view.schema, plain_view.ref)  # -1: not in the list
        members = self._members(doc, raws)
        if grew:
            old_side, new_side = self._tagged(o, n, [plain], members)
        else:
            old_side, new_side = self._tagged(o, n, members, [plain])
        pairs, removed, added = match(old_side, new_side)
        shared = {k: v for k, v in union.items() if k != keyword}
        kept: Member | None = None
        for before, after in pairs:
            member = after if grew else before
            kept = member
            inner = self.view(doc, member.raw)
            merged = View(merge(shared, inner.schema), union_view.key + inner.key,
                          union_view.via_ref or inner.via_ref, inner.ref)
            if grew:
                found = self._pair(ov, merged, ctx)
                out.extend(f.under((keyword, str(member.index)), ()) for f in found)
            else:
                out.extend(self._pair(merged, nv, ctx))
        text = _UnionText(ctx, keyword, len(members), kept, plain_view.schema)
        base = _union_base(ctx)
        extra = [m for m in (added if grew else removed) if m.index >= 0]
        if extra:
            rule = f"{base}-{_SEGMENT[keyword]}-{'added' if grew else 'removed'}"
            location = (keyword, str(extra[0].index)) if len(extra) == 1 else (keyword,)
            _emit(out, rule, location, text.became(extra) if grew else text.ceased(extra))
        lost = [m for m in (removed if grew else added) if m.index < 0]
        if lost:
            rule = f"{base}-{_SEGMENT[keyword]}-{'removed' if grew else 'added'}"
            _emit(out, rule, (keyword,), text.plain_lost(grew))
        return out


_KIND_WORD = {"generalized": "widened", "specialized": "narrowed"}
_SEGMENT = {"oneOf": "one-of", "anyOf": "any-of"}
_SHOWN = 3


def _listed(value: Any) -> list[Any]:
    # a document is compared even when it breaks the OpenAPI schema: a list may be anything
    return value if isinstance(value, list) else []


def _unions(schema: Mapping[str, Any]) -> list[tuple[str, list[Any]]]:
    """The `oneOf`/`anyOf` lists of SCHEMA (a lone member was peeled by `view`)."""
    if "oneOf" not in schema and "anyOf" not in schema:
        return []
    return [(k, schema[k]) for k in UNIONS if isinstance(schema.get(k), list) and schema[k]]


def _constrained(schema: Mapping[str, Any]) -> bool:
    """Whether SCHEMA restricts values beyond null (an empty schema admits anything)."""
    return any(k != "nullable" for k in contract(schema))


def _single_member(node: Mapping[str, Any], doc: Document) -> tuple[Any, dict[str, Any]] | None:
    """(member, the rest) when NODE's only composition has one member besides null ones.

    `anyOf: [X, {type: 'null'}]`, `oneOf: [X]` and `allOf: [X]` all mean X (nullable for the
    first), with NODE's other keywords applying as well.
    """
    found = [k for k in COMPOSITIONS if isinstance(node.get(k), list)]
    if len(found) != 1:
        return None
    keyword = found[0]
    members: list[Any] = node[keyword]
    nullable = False
    if keyword != "allOf":
        members, nullable = split_nulls(members, doc.resolve)
    if len(members) != 1:
        return None
    rest = {k: v for k, v in node.items() if k != keyword}
    if nullable:
        rest["nullable"] = True
    return members[0], rest


def _a(word: str) -> str:
    """WORD with its indefinite article (`oneOf` is said "one of")."""
    bare = word.strip("`")
    vowel = bare[:1].lower() in ("a", "e", "i", "o", "u") and not bare.startswith("one")
    return ("an " if vowel else "a ") + word


def _union_base(ctx: Ctx) -> str:
    scope = "body" if ctx.scope == "body" else "property"
    return ("request-" if ctx.request else "response-") + scope


@dataclass(frozen=True, slots=True)
class _UnionText:
    """The words for a schema that became a union, or stopped being one."""

    ctx: Ctx
    keyword: str
    size: int
    kept: Member | None
    plain: Mapping[str, Any]

    def _names(self, members: list[Member], detail: bool) -> str:
        losses = [self._loss(m.schema) if detail else "" for m in members]
        shared = len(set(losses)) == 1 and losses[0]
        shown = [m.name + ("" if shared or not loss else f" ({loss})")
                 for m, loss in zip(members[:_SHOWN], losses, strict=False)]
        more = len(members) - len(shown)
        text = ", ".join(shown) + (f" and {more} more" if more else "")
        if shared:
            each = "each " if len(members) > 1 and losses[0].startswith("without") else ""
            text += f", {each}{losses[0]}"
        return text

    def _loss(self, schema: Any) -> str:
        """What a client relying on the plain schema does not get from SCHEMA."""
        if not isinstance(schema, Mapping) or self.ctx.request:
            return ""
        was, now = _types(self.plain)[0], _types(schema)[0]
        if was and now and not was & now:
            return f"where {_a(_type_text(was, None))} was promised"
        required = [r for r in self.plain.get("required") or () if isinstance(r, str)]
        props = schema.get("properties")
        has = set(props) if isinstance(props, Mapping) else set()
        has &= {r for r in schema.get("required") or () if isinstance(r, str)}
        missing = [r for r in required if r not in has]
        if missing:
            names = ", ".join(f"`{r}`" for r in missing[:_SHOWN])
            names += ", ..." if len(missing) > _SHOWN else ""
            return f"without the required {names}"
        return ""

    def _head(self) -> str:
        kept = (f" (the old schema is one of them: {self.kept.name})" if self.kept
                else ", none of which is the old schema")
        return (f"{_subject(self.ctx)} became {_a(f'`{self.keyword}`')} of {self.size} "
                f"schemas{kept}")

    def became(self, added: list[Member]) -> str:
        if self.ctx.request:
            return f"{self._head()}: it now also accepts {self._names(added, False)}"
        return f"{self._head()}: clients may now receive {self._names(added, True)}"

    def ceased(self, removed: list[Member]) -> str:
        kept = f" (only {self.kept.name} remains)" if self.kept else ""
        head = f"{_subject(self.ctx)} is no longer {_a(f'`{self.keyword}`')}{kept}"
        names = self._names(removed, False)
        if self.ctx.request:
            return f"{head}: {names} {'is' if len(removed) == 1 else 'are'} no longer accepted"
        return f"{head}: clients no longer receive {names}"

    def plain_lost(self, grew: bool) -> str:
        subject = _subject(self.ctx)
        what = describe(self.plain)
        if grew:
            consequence = ("requests written for the old schema may be refused" if self.ctx.request
                           else "clients no longer receive the old schema")
            return f"{self._head()} ({what}): {consequence}"
        consequence = ("it now accepts values none of its old members did" if self.ctx.request
                       else "clients may now receive values none of its old members allowed")
        return (f"{subject} is no longer {_a(f'`{self.keyword}`')} and matches none of its old "
                f"members (it is now {what}): {consequence}")


def _subject(ctx: Ctx) -> str:
    side = "request" if ctx.request else "response"
    if ctx.scope == "body":
        return f"the {side} body"
    if ctx.scope == "parameter":
        return "the parameter"
    if ctx.scope == "parameter-property":
        return f"the parameter property {PROP}"
    return f"the {side} property {PROP}"


def _emit(out: list[Found], rule: str, location: tuple[str, ...], text: str,
          prop: tuple[str, ...] = ()) -> None:
    # a body-level id oasdiff does not have falls back to its property-level sibling
    if rule not in LEVELS and "-body-" in rule:
        rule = rule.replace("-body-", "-property-", 1)
    if rule in LEVELS:
        out.append(Found(rule, location, prop, text))


def _enum(out: list[Found], o: Mapping[str, Any], n: Mapping[str, Any], ctx: Ctx) -> None:
    oenum, nenum = o.get("enum"), n.get("enum")
    if not isinstance(nenum, list):
        return
    subject = _subject(ctx)
    if not isinstance(oenum, list):
        if ctx.request:
            _emit(out, f"{ctx.prefix}-became-enum", ("enum",),
                  f"{subject} was restricted to a list of enum values")
        return
    old_values = {_canon(v): v for v in oenum}
    new_values = {_canon(v): v for v in nenum}
    removed = [v for k, v in old_values.items() if k not in new_values]
    added = [v for k, v in new_values.items() if k not in old_values]
    if ctx.request:
        read_only = ctx.scope == "property" and n.get("readOnly") is True
        for value in removed:
            rule = ("request-read-only-property-enum-value-removed" if read_only
                    else f"{ctx.prefix}-enum-value-removed")
            _emit(out, rule, ("enum",), f"removed the enum value {_show(value)} from {subject}")
        for value in added:
            _emit(out, f"{ctx.prefix}-enum-value-added", ("enum",),
                  f"added the enum value {_show(value)} to {subject}")
        return
    write_only = n.get("writeOnly") is True
    for value in added:
        rule = ("response-write-only-property-enum-value-added" if write_only
                else "response-property-enum-value-added")
        _emit(out, rule, ("enum",), f"added the enum value {_show(value)} to {subject}; "
              "clients may receive a value they do not know")
    for value in removed:
        rule = ("response-mediatype-enum-value-removed" if ctx.scope == "body"
                else "response-property-enum-value-removed")
        _emit(out, rule, ("enum",), f"removed the enum value {_show(value)} from {subject}")


def _pattern(out: list[Found], old: Any, new: Any, ctx: Ctx) -> None:
    if old == new:
        return
    prefix = ctx.prefix if ctx.scope == "parameter" else (
        "request-property" if ctx.request else "response-property")
    subject = _subject(ctx)
    if old is None:
        _emit(out, f"{prefix}-pattern-added", ("pattern",),
              f"added the pattern {_show(new)} to {subject}")
    elif new is None:
        _emit(out, f"{prefix}-pattern-removed", ("pattern",),
              f"removed the pattern {_show(old)} from {subject}")
    else:
        _emit(out, f"{prefix}-pattern-changed", ("pattern",),
              f"changed the pattern of {subject} from {_show(old)} to {_show(new)}")


def _bounds(out: list[Found], o: Mapping[str, Any], n: Mapping[str, Any], ctx: Ctx) -> None:
    if ctx.scope == "parameter-property":
        return
    read_only = ctx.request and ctx.scope == "property" and n.get("readOnly") is True
    for keyword, (segment, upper) in BOUNDS.items():
        ov, nv = o.get(keyword), n.get(keyword)
        if ov == nv:
            continue
        old, new = _num(ov), _num(nv)
        if old is None and new is None:
            continue  # 3.0's boolean exclusiveMaximum and the like
        if old is None:
            action, words = "set", f"was set to {_show(nv)}"
        elif new is None:
            action, words = "unset", f"was removed (it was {_show(ov)})"
        elif new > old:
            action, words = "increased", f"was increased from {_show(ov)} to {_show(nv)}"
        elif new < old:
            action, words = "decreased", f"was decreased from {_show(ov)} to {_show(nv)}"
        else:
            continue
        rule = f"{ctx.prefix}-{segment}-{action}"
        if read_only and bound_narrows(action, upper):
            rule = READ_ONLY_BOUND_IDS.get((segment, action), rule)
        _emit(out, rule, (keyword,), f"the {keyword} of {_subject(ctx)} {words}")


def _default(out: list[Found], old: Any, new: Any, ctx: Ctx) -> None:
    if old is _MISSING and new is _MISSING:
        return
    if old is not _MISSING and new is not _MISSING and _canon(old) == _canon(new):
        return
    subject = _subject(ctx)
    if old is _MISSING:
        action, words = "added", f"the default value {_show(new)} was added to {subject}"
    elif new is _MISSING:
        action, words = "removed", f"the default value {_show(old)} of {subject} was removed"
    else:
        action, words = "changed", (f"the default value of {subject} changed from {_show(old)} "
                                    f"to {_show(new)}")
    _emit(out, f"{ctx.prefix}-default-value-{action}", ("default",), words)
