"""The commit rules the commit-msg hook applies, remembered between runs of the hook.

The hook runs on every commit; loading and validating a policy (the pydantic schema, the YAML
parser, the presets) costs several times the rest of the hook. The verdict of that load depends
only on the policy's files and on Charter's own code, so the `dco` and `commits` rules it yields
are stored under `$XDG_CACHE_HOME/charter/commit-msg/` (or `~/.cache/charter/commit-msg/`),
with the content hash of every policy file read (the `extends:` chain) and a fingerprint of
Charter's code. A later run whose files and code are unchanged uses the stored rules; anything
else (a changed file, an unreadable or foreign cache entry) loads the policy in full, so its
errors are exactly the loader's. Only policies that loaded cleanly are stored.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from charter.checks.commits import CommitRules
from charter.checks.dco import DcoRules
from charter.checks.since import Since

__all__ = ["commit_rules"]

#: Bumped when the stored shape changes, so older entries are ignored.
FORMAT = 1
PRESETS = ("llama-stack", "llm-d")  # as charter.policy.loader.PRESETS, which imports the schema
#: Charter's files whose change may change the rules a policy yields.
_CODE = ("__init__.py", "yamlio.py", "policy", "checks/config.py", "checks/dco.py",
         "checks/commits.py", "checks/since.py", "cli/hook_policy.py")

Rules = tuple[DcoRules | None, CommitRules | None]


def commit_rules(top: Path, policy_ref: str | None) -> Rules:
    """The `dco` and `commits` rules for the hook: --policy, else TOP's charter.yaml, else the
    built-in defaults (both on). A policy that cannot be loaded raises the loader's error."""
    if policy_ref is None and not (top / "charter.yaml").exists():
        return DcoRules(), CommitRules()
    ref: str | Path = policy_ref if policy_ref is not None else top / "charter.yaml"
    preset = isinstance(ref, str) and ref in PRESETS and not Path.cwd().joinpath(ref).is_file()
    name = f"preset:{ref}" if preset else str(Path(ref).absolute())
    store = _store(top)
    entry = store / f"{hashlib.sha256(name.encode()).hexdigest()}.json" if store else None
    code = _code_fingerprint()
    if entry is not None:
        found = _read(entry, code)
        if found is not None:
            return found
    if entry is None:
        return _load(ref, top)
    try:
        files = [] if preset else _policy_files(Path(ref))
    except Exception:  # the full load below says what is wrong, as always
        return _load(ref, top)
    before = [[str(f), _digest(f)] for f in files]
    rules = _load(ref, top)
    # Stored only if no file changed while it was being loaded.
    if [[str(f), _digest(f)] for f in files] == before:
        _write(entry, {"format": FORMAT, "code": code, "files": before,
                       "rules": _to_json(rules)})
    return rules


def _load(ref: str | Path, top: Path) -> Rules:
    """The full load: the schema validates the whole policy, errors and all. The repository's
    own charter.yaml may extend only files inside the repository."""
    from charter.checks.config import config_from_policy
    from charter.policy.loader import load_policy

    loaded = load_policy(ref) if isinstance(ref, str) else load_policy(ref, root=top)
    config = config_from_policy(loaded.policy)
    return config.dco, config.commits


def _policy_files(path: Path) -> list[Path]:
    """PATH and the local files its `extends:` chain reads, resolved as the loader does."""
    from charter.yamlio import plain, read_yaml

    files: list[Path] = []
    current: Path | None = path
    while current is not None and current.absolute() not in files:
        files.append(current.absolute())
        data = plain(read_yaml(current))
        parent = data.get("extends") if isinstance(data, dict) else None
        current = current.parent / parent if isinstance(parent, str) and \
            parent not in PRESETS else None
    return files


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _code_fingerprint() -> str:
    """Charter's version and the size and time of each file that shapes the rules."""
    import charter

    root = Path(charter.__file__).parent
    parts = [charter.__version__]
    for name in _CODE:
        target = root / name
        paths = sorted(p for p in target.rglob("*") if p.suffix in (".py", ".yaml")) \
            if target.is_dir() else [target]
        for path in paths:
            try:
                stat = path.stat()
            except OSError:
                continue
            parts.append(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _store(top: Path) -> Path | None:
    """The cache folder, or None when there is none to use (never inside the repository)."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    try:
        root = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    except RuntimeError:
        return None
    folder = root / "charter" / "commit-msg"
    try:
        folder.resolve().relative_to(top.resolve())
    except ValueError:
        return folder
    return None


def _read(entry: Path, code: str) -> Rules | None:
    """The stored rules, when ENTRY is intact and every file it depends on is unchanged."""
    try:
        data = json.loads(entry.read_bytes())
        if not isinstance(data, dict) or data.get("format") != FORMAT or \
                data.get("code") != code:
            return None
        for name, digest in data["files"]:
            if digest is None or _digest(Path(name)) != digest:
                return None
        return _from_json(data["rules"])
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None  # any doubt: load in full


def _write(entry: Path, data: dict[str, Any]) -> None:
    import tempfile

    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed, so a hook running at the same time never reads half.
        fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle)
            os.replace(tmp, entry)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        pass  # an unwritable cache only costs the next run a full load


def _to_json(rules: Rules) -> dict[str, Any]:
    dco, commits = rules
    return {
        "dco": None if dco is None else {
            "required": dco.required, "individual_remediation": dco.individual_remediation,
            "third_party_remediation": dco.third_party_remediation,
            "co_authors": dco.co_authors, "exempt": list(dco.exempt),
            "since": _since_json(dco.since)},
        "commits": None if commits is None else {
            "title_max": commits.title_max, "body": commits.body,
            "conventional": commits.conventional if isinstance(commits.conventional, bool)
            else list(commits.conventional),
            "merges": commits.merges, "since": _since_json(commits.since)},
    }


def _since_json(since: Since | None) -> dict[str, str | None] | None:
    if since is None:
        return None
    return {"at": since.at.isoformat() if since.at else None, "commit": since.commit}


def _from_json(data: dict[str, Any]) -> Rules:
    dco = commits = None
    if data["dco"] is not None:
        d = data["dco"]
        dco = DcoRules(required=_bool(d["required"]),
                       individual_remediation=_bool(d["individual_remediation"]),
                       third_party_remediation=_bool(d["third_party_remediation"]),
                       co_authors=_bool(d["co_authors"]), exempt=_strings(d["exempt"]),
                       since=_since(d["since"]))
    if data["commits"] is not None:
        c = data["commits"]
        conventional = c["conventional"]
        if not isinstance(conventional, bool):
            conventional = _strings(conventional)
        if not isinstance(c["title_max"], int) or c["body"] not in (
                "required", "recommended", "optional") or c["merges"] not in (
                "forbidden", "allowed"):
            raise ValueError("stored commit rules are not of the expected shape")
        commits = CommitRules(title_max=c["title_max"], body=c["body"],
                              conventional=conventional, merges=c["merges"],
                              since=_since(c["since"]))
    return dco, commits


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError("expected a boolean")
    return value


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError("expected a list of strings")
    return tuple(value)


def _since(value: Any) -> Since | None:
    if value is None:
        return None
    at, commit = value["at"], value["commit"]
    return Since(at=datetime.fromisoformat(at) if at else None,
                 commit=commit if isinstance(commit, str) else None)
