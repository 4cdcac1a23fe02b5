"""Pairing the members of two `oneOf`/`anyOf` lists, so each old variant meets its new self.

Members are paired, in this order, by the component they name (`$ref`), by their
discriminator value (the discriminator's mapping, or a property every member fixes to one
value), by meaning (the same schema once annotations are set aside, so a `$ref` and an inline
copy of it meet), by title, and by shape (the same types and, for objects, the most property
names in common; two different components need half their names in common). A last old and a
last new member of compatible types, not both components, are paired too: a variant that
changed. Members that fix a property to different values are never paired. What is left was
removed or added.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from charter.apidiff.meaning import contract

_NAME_LIMIT = 60
#: a raw schema (maybe a `$ref`) -> its resolved canonical form
ViewOf = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class Member:
    """One member of a union: where it sits, as written, resolved, and the component it names."""

    index: int
    raw: Any
    schema: Any
    ref: str | None
    tag: str | None = None
    #: properties the member fixes to one value ({name: value}), as sorted pairs
    fixed: tuple[tuple[str, str], ...] = ()

    @property
    def name(self) -> str:
        """How a message names it: its component, title, discriminator value or shape."""
        text = self._name()
        return text if len(text) <= _NAME_LIMIT else text[:_NAME_LIMIT - 3] + "..."

    def _name(self) -> str:
        if self.ref:
            return self.ref.rsplit("/", 1)[-1]
        schema = self.schema if isinstance(self.schema, Mapping) else {}
        title = schema.get("title")
        # generated titles such as `list[A | B]` say less than the shape does
        if isinstance(title, str) and title and not set(title) & set("[]|,"):
            return title
        if self.tag is not None:
            return f"the `{self.tag}` variant"
        return describe(schema)


def describe(schema: Mapping[str, Any]) -> str:
    """A short name of SCHEMA's shape: `a string`, `an array of Item`, `an object with id`."""
    kinds = types_of(schema)
    props = schema.get("properties")
    if isinstance(props, Mapping) and props and kinds <= {"object"}:
        names = sorted(str(p) for p in props)
        shown = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
        return f"an object with {shown}"
    if "enum" in schema and isinstance(schema["enum"], list) and len(schema["enum"]) == 1:
        return "the value " + json.dumps(schema["enum"][0], default=str)
    if kinds == {"array"}:
        items = schema.get("items")
        ref = items.get("$ref") if isinstance(items, Mapping) else None
        if isinstance(ref, str):
            return f"an array of {ref.rsplit('/', 1)[-1]}"
        inner = types_of(items) if isinstance(items, Mapping) else set()
        return f"an array of {'|'.join(sorted(inner))}" if inner else "an array"
    if not kinds:
        return "any value"
    text = "|".join(sorted(kinds))
    return ("an " if text[0] in "aeiou" else "a ") + text


def types_of(schema: Mapping[str, Any]) -> set[str]:
    kind = schema.get("type")
    if isinstance(kind, str):
        return {kind} - {"null"}
    if isinstance(kind, list):
        return {k for k in kind if isinstance(k, str)} - {"null"}
    return set()


def discriminator_property(outers: list[Mapping[str, Any]],
                           sides: list[tuple[list[Member], ViewOf]],
                           ) -> tuple[str | None, dict[str, str]]:
    """The property that tells members apart, and its mapping ({component ref: value}).

    The declared `discriminator` wins; else a property that every member of a side with
    two or more members fixes to a single value.
    """
    by_ref: dict[str, str] = {}
    name: str | None = None
    for outer in outers:
        found = outer.get("discriminator")
        if isinstance(found, Mapping) and isinstance(found.get("propertyName"), str):
            name = name or found["propertyName"]
            mapping = found.get("mapping")
            if isinstance(mapping, Mapping):
                for value, ref in mapping.items():
                    if isinstance(ref, str):
                        # a mapping may name a schema instead of giving its reference
                        target = ref if "/" in ref or ref.startswith("#") else (
                            f"#/components/schemas/{ref}")
                        by_ref.setdefault(target, str(value))
    if name is not None:
        return name, by_ref
    for members, resolve in sides:
        if len(members) < 2:
            continue
        common: set[str] | None = None
        for member in members:
            fixed = {p for p in _properties(member.schema)
                     if _fixed_value(member.schema, p, resolve) is not None}
            common = fixed if common is None else common & fixed
        if common:
            return sorted(common)[0], by_ref
    return None, by_ref


def tag_members(members: list[Member], prop: str | None, by_ref: Mapping[str, str],
                resolve: ViewOf) -> list[Member]:
    """MEMBERS with their discriminator value and the properties they fix to one value."""
    tagged = []
    for member in members:
        fixed: dict[str, str] = {}
        for name in _properties(member.schema):
            value = _fixed_value(member.schema, name, resolve)
            if value is not None:
                fixed[str(name)] = value
        tag = by_ref.get(member.ref) if member.ref and prop is not None else None
        if tag is None and prop is not None:
            tag = fixed.get(prop)
        tagged.append(Member(member.index, member.raw, member.schema, member.ref, tag,
                             tuple(sorted(fixed.items()))))
    return tagged


def disjoint(a: Member, b: Member) -> bool:
    """Whether no value can be both A and B: they fix a property to different values."""
    if a.tag is not None and b.tag is not None and a.tag != b.tag:
        return True
    fixed = dict(a.fixed)
    return any(name in fixed and fixed[name] != value for name, value in b.fixed)


def _properties(schema: Any) -> Mapping[str, Any]:
    props = schema.get("properties") if isinstance(schema, Mapping) else None
    return props if isinstance(props, Mapping) else {}


def _fixed_value(schema: Mapping[str, Any], prop: str, resolve: ViewOf) -> str | None:
    raw = _properties(schema).get(prop)
    if raw is None:
        return None
    target = resolve(raw)
    if not isinstance(target, Mapping):
        return None
    enum = target.get("enum")
    if isinstance(enum, list) and len(enum) == 1 and isinstance(enum[0], str | int | bool):
        return str(enum[0])
    return None


def match(old: list[Member], new: list[Member]) -> tuple[list[tuple[Member, Member]],
                                                         list[Member], list[Member]]:
    """Pairs of old and new members that are one variant, then the removed and the added."""
    pairs: list[tuple[Member, Member]] = []
    left_old = list(old)
    left_new = list(new)

    def pair_by(key: Callable[[Member], Any]) -> None:
        index: dict[Any, Member] = {}
        for member in left_new:
            k = key(member)
            if k is not None:
                index.setdefault(k, member)
        for member in list(left_old):
            k = key(member)
            partner = index.get(k) if k is not None else None
            if partner is not None and partner in left_new:
                pairs.append((member, partner))
                left_old.remove(member)
                left_new.remove(partner)
                del index[k]

    pair_by(lambda m: m.ref)
    pair_by(lambda m: m.tag)
    pair_by(_meaning_key)
    pair_by(_title)
    scored = sorted(((s, i, j) for i, o in enumerate(left_old) for j, n in enumerate(left_new)
                     if not disjoint(o, n) and (s := shape_score(o.schema, n.schema)) is not None
                     and s >= _threshold(o, n)),
                    key=lambda t: (-t[0], t[1], t[2]))
    used_old: set[int] = set()
    used_new: set[int] = set()
    for _, i, j in scored:
        if i in used_old or j in used_new:
            continue
        used_old.add(i)
        used_new.add(j)
        pairs.append((left_old[i], left_new[j]))
    left_old = [m for i, m in enumerate(left_old) if i not in used_old]
    left_new = [m for j, m in enumerate(left_new) if j not in used_new]
    if (len(left_old) == 1 and len(left_new) == 1 and not disjoint(left_old[0], left_new[0])
            and not (left_old[0].ref and left_new[0].ref)
            and shape_score(left_old[0].schema, left_new[0].schema) is not None):
        pairs.append((left_old[0], left_new[0]))
        left_old, left_new = [], []
    pairs.sort(key=lambda p: p[1].index)
    return pairs, left_old, left_new


def _threshold(a: Member, b: Member) -> float:
    # two different components are one variant only when they look much alike (at least
    # half their property names shared); an inline member may be any component's copy
    return 1.5 if a.ref and b.ref else 1.0


def _meaning_key(member: Member) -> str | None:
    if not isinstance(member.schema, Mapping):
        return None
    return json.dumps(contract(member.schema), sort_keys=True, default=str)


def _title(member: Member) -> str | None:
    title = member.schema.get("title") if isinstance(member.schema, Mapping) else None
    return title if isinstance(title, str) and title else None


def shape_score(a: Any, b: Any) -> float | None:
    """How alike two schemas look (higher is closer); None when no value could be both."""
    if not isinstance(a, Mapping) or not isinstance(b, Mapping):
        return None
    ta, tb = types_of(a), types_of(b)
    numbers = {"integer", "number"}
    if ta and tb and not ta & tb and not (ta | tb) <= numbers:
        return None
    pa, pb = set(_properties(a)), set(_properties(b))
    if pa and pb:
        shared = len(pa & pb)
        return None if not shared else 1.0 + shared / len(pa | pb)
    if pa or pb:
        other = tb if pa else ta
        return 0.5 if not other or "object" in other else None
    if ta and tb:
        return 1.0 if ta == tb else 0.75
    return 0.5
