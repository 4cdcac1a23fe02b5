"""Command-line flags removed or changed between two revisions, reported like API changes.

The charter counts "command line flags/arguments" as API: a flag that existed at OLD is a
promise. Only files changed between the revisions (`git diff --name-only`) are read, at both
revisions, with `find_flags`. Flags are matched by name within a file first, then by name
across changed files (a flag moved to another file is not removed). Each change is an
`ApiChange` whose operation is the flag, tier `experimental` or `stable`:
- `cli-flag-removed`: breaking unless the flag was experimental;
- `cli-flag-default-changed`: breaking for a non-experimental flag whose old and new defaults
  are both known and differ (graduating an experimental flag to on is allowed);
- `cli-flag-type-changed`: the kind (bool, string, int, ...) changed; breaking, and failing
  only for a stable flag, like every change;
- `cli-flag-added`: INFO.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from charter.apidiff.compare import ApiChange
from charter.checks.flags.experimental import Flag, FlagSyntaxError, find_flags

__all__ = ["FLAG_RULES", "SOURCE_SUFFIXES", "compare_flags", "flags_in"]

FLAG_RULES = ("cli-flag-removed", "cli-flag-default-changed", "cli-flag-type-changed",
              "cli-flag-added")
SOURCE_SUFFIXES = (".py", ".go")


def _tier(flag: Flag) -> str:
    return "experimental" if flag.experimental else "stable"


def _change(rule: str, flag: Flag, message: str, *, breaking: bool,
            at: Flag | None = None) -> ApiChange:
    where = at or flag
    return ApiChange(id=rule, breaking=breaking, tier=_tier(flag), operation=flag.name,
                     location=f"{where.path}:{where.line}", message=message,
                     level="ERR" if breaking else "INFO", spec=where.path)


def flags_in(files: Mapping[str, bytes | None], marker: str) -> list[Flag]:
    """The named flags defined in FILES (path -> content; None where the file does not exist)."""
    found: list[Flag] = []
    for path, data in files.items():
        if data is None:
            continue
        try:
            found += [f for f in find_flags(path, data.decode("utf-8"), marker=marker)
                      if f.name_known]
        except (FlagSyntaxError, UnicodeDecodeError):
            continue  # a file that does not parse defines no flag we can name
    return found


def compare_flags(before: Sequence[Flag], after: Sequence[Flag]) -> list[ApiChange]:
    """Flags removed, added or changed from BEFORE to AFTER (the flags of the changed files)."""
    new_by_key = {(f.path, f.name): f for f in after}
    pairs: list[tuple[Flag, Flag]] = []
    gone: list[Flag] = []
    for flag in before:
        partner = new_by_key.pop((flag.path, flag.name), None)
        if partner is None:
            gone.append(flag)
        else:
            pairs.append((flag, partner))
    moved_to = {f.name: f for f in new_by_key.values()}
    changes: list[ApiChange] = []
    for flag in gone:
        partner = moved_to.pop(flag.name, None)
        if partner is not None:
            new_by_key.pop((partner.path, partner.name), None)
            pairs.append((flag, partner))
            continue
        experimental = flag.experimental
        changes.append(_change(
            "cli-flag-removed", flag,
            f"removed the {'experimental ' if experimental else ''}flag {flag.name} "
            f"({flag.how})" + ("" if experimental else
                               "; scripts that pass it stop working"),
            breaking=not experimental))
    for old_flag, new_flag in pairs:
        changes += _compare(old_flag, new_flag)
    for flag in new_by_key.values():
        changes.append(_change("cli-flag-added", flag, f"added the flag {flag.name}",
                               breaking=False))
    changes.sort(key=lambda c: (c.location.rsplit(":", 1)[0], c.operation, c.id))
    return changes


def _compare(old: Flag, new: Flag) -> list[ApiChange]:
    out: list[ApiChange] = []
    if old.kind != new.kind:
        out.append(_change("cli-flag-type-changed", old,
                           f"the flag {old.name} changed type from {old.kind} to {new.kind}",
                           breaking=True, at=new))
    elif old.default_known and new.default_known and old.default != new.default:
        out.append(_change("cli-flag-default-changed", old,
                           f"the default of the flag {old.name} changed from {old.default!r} "
                           f"to {new.default!r}"
                           + (" (experimental: allowed)" if old.experimental else
                              "; callers that rely on the default get other behaviour"),
                           breaking=not old.experimental, at=new))
    return out
