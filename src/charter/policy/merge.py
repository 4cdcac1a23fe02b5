"""How a policy is merged onto the one it extends: mappings merge, lists replace, null deletes.

Two rules keep the result true to what the extending file says:

- Prose travels with values. A mapping's `source`, `preset_choice` and `description` describe
  everything written under it, nested mappings included (a process's description speaks of its
  `on_objection` too). When the extending file changes, adds or deletes a value under it and
  does not write that prose field itself, the inherited prose is dropped: it described values
  that are no longer there.
- Choices replace choices. Where the schema takes one key of a group (`at_least` or
  `more_than` in `pass:`; one `x-` extension in API tiers) naming one drops the base's other,
  and a process given another `type` replaces the base's process whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PROSE = ("source", "preset_choice", "description")
#: Keys whose null is kept as a value (an explicit "none") rather than deleting the key.
KEEP_NULL = ("quorum",)
#: What goes with a choice when another choice displaces it.
COMPANIONS = {"extension": ("values",)}
_ABSENT = object()


def exclusive_group(key: str) -> str | None:
    """The group of mutually exclusive keys KEY belongs to, as the schema's validators define
    them (Threshold: exactly one bound; ApiTiers: one extension decides tiers)."""
    if key in ("at_least", "more_than"):
        return "bound"
    if key.startswith("x-") or key == "extension":
        return "tier extension"
    return None


def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """OVER onto BASE: mappings merge key by key, lists and scalars replace, null deletes."""
    return _merge(base, over)[0]


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
    """The merged mapping, and whether OVER changed a value the mapping's prose describes."""
    out = dict(base)
    displaced = _displaced(base, over)
    for key in displaced:
        del out[key]
    changed = bool(displaced)
    for key, value in over.items():
        if key in PROSE:
            if value is None:
                out.pop(key, None)
            else:
                out[key] = value
            continue
        old = out.get(key, _ABSENT)
        if value is None and old is not _ABSENT and key not in KEEP_NULL:
            del out[key]
            changed = True
        elif isinstance(value, Mapping) and isinstance(old, Mapping) \
                and not _another_kind(old, value):
            out[key], inner = _merge(old, value)
            changed = changed or inner
        else:
            out[key] = value
            changed = changed or old != value
    if changed:
        for key in PROSE:
            if key not in over:
                out.pop(key, None)
    return out, changed


def _displaced(base: Mapping[str, Any], over: Mapping[str, Any]) -> list[str]:
    """BASE's keys that a choice named in OVER replaces."""
    named = {g for k in over if (g := exclusive_group(str(k)))}
    drop = [k for k in base if k not in over and exclusive_group(str(k)) in named]
    drop += [c for k in drop for c in COMPANIONS.get(k, ()) if c in base and c not in over]
    return drop


def _another_kind(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """NEW names another `type` than OLD: a different process, whose keys do not carry over."""
    return "type" in old and "type" in new and old["type"] != new["type"]
