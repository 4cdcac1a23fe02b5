"""Who owns a path: Kubernetes OWNERS (as Prow's repoowners computes it) and GitHub CODEOWNERS.

The core (`RepoOwners`, `lint_owners`, `unowned_after_changes`) is pure: it takes the text of
every OWNERS file, the root OWNERS_ALIASES and the CODEOWNERS candidates as a mapping
path -> text; `charter.checks.repository.load_owner_files` reads them through git.

Prow's behaviour, followed exactly (pkg/repoowners/repoowners.go):
- An OWNERS file is first read as a simple config (approvers, reviewers, required_reviewers,
  labels, options); when that fails or names nobody it is read as a full config (options,
  filters). So `filters` beside top-level approvers/reviewers/required_reviewers/labels are
  ignored, and a file neither reading accepts (bad YAML, wrong types) is ignored entirely.
- YAML is decoded as sigs.k8s.io/yaml does: keys match case-insensitively, unknown keys are
  ignored (so `emeritus_approvers` never approves), a scalar login like `yes` becomes "true".
- Logins are lowercased and lose a leading `@`; aliases from the root OWNERS_ALIASES are
  expanded once (not recursively); a group is a list of logins or a flow mapping `{a, b}`; an
  unparsable OWNERS_ALIASES (or a member YAML types as a number, bool or null) means no aliases
  at all (Prow keeps the groups it read before the error, in Go's random map order).
- Filter keys are Go regexps matched (unanchored) against the path relative to the OWNERS
  file's folder; `.*` matches everything; an invalid regexp is skipped.
- The walk starts at the path itself and climbs to the root; it stops after a folder whose
  options set `no_parent_owners` once some names have been collected. Approvers, reviewers,
  required reviewers and labels are walked separately. The leaf is the deepest folder
  contributing names.
- OWNERS files in folders Prow's preconfigured denylist skips (`.git$`, `_output$`,
  `vendor/.*/.*`, each folder and everything beneath it) are not read.
What Charter cannot know is left out: Prow drops names that are not repository collaborators
(we report names as written), and a deployment's own additions to the folder denylist (or its
`ignore_preconfigured_defaults`) and `.md` front-matter owners (off unless configured) are not
applied. Symlinked OWNERS files are skipped, as Prow's filesystem walk skips them.

Errors: a missing repository or an unknown revision raises CharterError (exit 2). A broken
OWNERS or OWNERS_ALIASES file is not an error here: ownership is answered as Prow enforces it
(the file skipped) and the problem is kept in `RepoOwners.problems`, which `charter owners`
prints as a warning and `lint_owners` (for `charter check owners`) reports as an error finding.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from charter.checks.files import MAX_TEXT_BYTES
from charter.checks.findings import Finding
from charter.checks.owners.codeowners import (
    LOCATIONS as CODEOWNERS_LOCATIONS,
)
from charter.checks.owners.codeowners import (
    CodeownersFile,
    lint_codeowners,
    pick_codeowners,
)
from charter.checks.owners.owners_yaml import YamlFailure, compose
from charter.errors import CharterError, excerpt

OWNERS = "OWNERS"
OWNERS_ALIASES = "OWNERS_ALIASES"
CHECK = "owners"
#: OWNERS and OWNERS_ALIASES files larger than this are reported, not read.
MAX_OWNERS_BYTES = MAX_TEXT_BYTES

_SIMPLE_KEYS = ("approvers", "reviewers", "required_reviewers", "labels")
_KNOWN_TOP = frozenset({*_SIMPLE_KEYS, "options", "filters", "emeritus_approvers",
                        "security_contacts"})
_KNOWN_FILTER = frozenset({*_SIMPLE_KEYS, "emeritus_approvers"})
_KNOWN_OPTIONS = frozenset({"no_parent_owners", "auto_approve_unowned_subfolders"})
_PEOPLE_KEYS = ("approvers", "reviewers", "required_reviewers")

_TAG_BOOL = "tag:yaml.org,2002:bool"
_TAG_INT = "tag:yaml.org,2002:int"
_TAG_NULL = "tag:yaml.org,2002:null"
_TAG_FLOAT = "tag:yaml.org,2002:float"
_TAG_MERGE = "tag:yaml.org,2002:merge"


# ----------------------------------------------------------------------------- data


@dataclass(frozen=True, slots=True)
class Ownership:
    """Who owns one path, under both conventions."""

    path: str
    approvers: tuple[str, ...]
    reviewers: tuple[str, ...]
    required_reviewers: tuple[str, ...]
    labels: tuple[str, ...]
    leaf_approvers: tuple[str, ...]
    owners_file: str | None
    codeowners: tuple[str, ...] | None

    def to_json(self) -> dict[str, Any]:
        """The shape `charter owners --json` prints for one path."""
        return {"approvers": list(self.approvers), "reviewers": list(self.reviewers),
                "leaf_approvers": list(self.leaf_approvers), "owners_file": self.owners_file,
                "codeowners": None if self.codeowners is None else list(self.codeowners)}


@dataclass(frozen=True, slots=True)
class OwnerFiles:
    """What the loader read at one revision: ownership files (path -> text), every path, and
    the ownership files it did not read (symlinks, oversized files) with why."""

    files: dict[str, str]
    tree: tuple[str, ...]
    symlinked: tuple[str, ...] = ()
    skipped: tuple[Finding, ...] = ()


# (compiled filter or None for "everything", names)
_Entry = tuple[re.Pattern[str] | None, frozenset[str]]


@dataclass(slots=True)
class _Config:
    """One OWNERS file as Prow applies it (after choosing simple or full config)."""

    entries: dict[str, list[_Entry]] = field(default_factory=dict)  # key -> entries
    no_parent_owners: bool = False


_Chain = tuple[tuple[str, _Config], ...]


@dataclass(frozen=True, slots=True)
class _Result:
    """The OWNERS half of an Ownership, shared by every path that resolves alike."""

    approvers: tuple[str, ...]
    reviewers: tuple[str, ...]
    required_reviewers: tuple[str, ...]
    labels: tuple[str, ...]
    leaf_approvers: tuple[str, ...]
    owners_file: str | None


class _DecodeError(Exception):
    """A YAML value of the wrong type for Prow's Go struct: json.Unmarshal fails."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


# ----------------------------------------------------------------------------- YAML decoding
# Prow reads YAML with sigs.k8s.io/yaml: YAML -> JSON -> encoding/json into a Go struct. We decode
# PyYAML's node graph the same way, keeping line numbers for findings.


def _line(node: Any) -> int:
    return int(node.start_mark.line) + 1


def _is_null(node: Any) -> bool:
    return node is None or (isinstance(node, yaml.ScalarNode) and node.tag == _TAG_NULL)


def _scalar_text(node: Any) -> str:
    """A scalar as Go sees it when the target is a string (bools and ints are re-formatted)."""
    if node.tag == _TAG_BOOL:
        return "true" if node.value.lower() in ("true", "yes", "on") else "false"
    if node.tag == _TAG_INT:
        try:
            return str(yaml.SafeLoader("").construct_yaml_int(node))
        except (ValueError, yaml.YAMLError):
            return str(node.value)
    if node.tag == _TAG_NULL:
        return ""
    return str(node.value)


def _pairs(node: Any) -> list[tuple[str, Any, Any]]:
    """(key, key node, value node) of a mapping, merge keys applied, last duplicate winning."""
    out: dict[str, tuple[Any, Any]] = {}
    for key, value in node.value:
        if key.tag == _TAG_MERGE:
            for source in (value.value if isinstance(value, yaml.SequenceNode) else [value]):
                if isinstance(source, yaml.MappingNode):
                    try:
                        merged = _pairs(source)
                    except RecursionError:
                        raise _DecodeError("merge keys nested too deeply", _line(source)) from None
                    for name, knode, vnode in merged:
                        out.setdefault(name, (knode, vnode))
            continue
        if not isinstance(key, yaml.ScalarNode):
            raise _DecodeError("a mapping key must be a plain value", _line(key))
        out[_scalar_text(key) if key.tag != _TAG_NULL else "null"] = (key, value)
    # encoding/json sees the keys in sorted order (Go marshals maps sorted); later ones win.
    return [(name, out[name][0], out[name][1]) for name in sorted(out)]


def _fields(node: Any, known: Iterable[str]) -> dict[str, tuple[Any, Any]]:
    """Struct fields by lowercase JSON name: encoding/json matches keys case-insensitively."""
    if _is_null(node):
        return {}
    if not isinstance(node, yaml.MappingNode):
        raise _DecodeError("expected a mapping", _line(node))
    wanted = set(known)
    found: dict[str, tuple[Any, Any]] = {}
    for name, knode, vnode in _pairs(node):
        if name.lower() in wanted:
            found[name.lower()] = (knode, vnode)
    return found


def _strings(node: Any) -> list[str] | None:
    if _is_null(node):
        return None
    if not isinstance(node, yaml.SequenceNode):
        raise _DecodeError("expected a list of names", _line(node))
    out: list[str] = []
    for item in node.value:
        if not isinstance(item, yaml.ScalarNode):
            raise _DecodeError("expected a name, found a list or mapping", _line(item))
        out.append(_scalar_text(item))
    return out


def _bool(node: Any) -> bool:
    if _is_null(node):
        return False
    if isinstance(node, yaml.ScalarNode) and node.tag == _TAG_BOOL:
        return _scalar_text(node) == "true"
    raise _DecodeError("expected true or false", _line(node))


def _options(node: Any) -> bool:
    """no_parent_owners from an `options` value."""
    opts = _fields(node, _KNOWN_OPTIONS)
    for _, value in opts.values():
        _bool(value)  # a bad auto_approve_unowned_subfolders fails the whole decode too
    return _bool(opts["no_parent_owners"][1]) if "no_parent_owners" in opts else False


def _simple(node: Any) -> dict[str, list[str]]:
    fields = _fields(node, _SIMPLE_KEYS)
    out: dict[str, list[str]] = {}
    for key, (_, value) in fields.items():
        names = _strings(value)
        if names:
            out[key] = names
    return out


def norm_login(login: str) -> str:
    """Prow's github.NormLogin: lowercase, without a leading `@`."""
    return login.lower().removeprefix("@")


# ----------------------------------------------------------------------------- Go regexps

_POSIX = {"alnum": "a-zA-Z0-9", "alpha": "a-zA-Z", "ascii": "\\x00-\\x7f", "blank": " \\t",
          "cntrl": "\\x00-\\x1f\\x7f", "digit": "0-9", "graph": "!-~", "lower": "a-z",
          "print": " -~", "punct": "!-/:-@\\[-`{-~", "space": "\\t\\n\\v\\f\\r ",
          "upper": "A-Z", "word": "0-9A-Za-z_", "xdigit": "0-9A-Fa-f"}
_UNSUPPORTED = (("(?=", "lookahead"), ("(?!", "lookahead"), ("(?<=", "lookbehind"),
                ("(?<!", "lookbehind"), ("(?>", "atomic group"), ("(?P=", "backreference"),
                ("(?(", "conditional"), ("(?#", "comment group"))


def compile_go_regexp(pattern: str) -> re.Pattern[str]:
    """Compile a Go (RE2) regexp for Python, raising ValueError where Go would reject it."""
    for token, what in _UNSUPPORTED:
        if token in pattern:
            raise ValueError(f"Go regexps have no {what} ({token!r})")
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            if nxt.isdigit() and nxt != "0" and not in_class:
                raise ValueError("Go regexps have no backreferences")
            if nxt in "ZG":
                raise ValueError(f"invalid escape \\{nxt} in a Go regexp")
            out.append("\\Z" if nxt == "z" else pattern[i:i + 2])
            i += 2
            continue
        if in_class and pattern.startswith("[:", i):
            end = pattern.find(":]", i + 2)
            name = pattern[i + 2:end] if end > 0 else ""
            negated = name.startswith("^")
            if name.lstrip("^") in _POSIX and not negated:
                out.append(_POSIX[name])
                i = end + 2
                continue
            if end > 0:
                raise ValueError(f"unsupported character class [:{name}:]")
        if ch == "[" and not in_class:
            in_class = True
            out.append(ch)
            i += 1
            # a leading "]" (or "^]") is a literal in both dialects
            if pattern.startswith("^", i):
                out.append("^")
                i += 1
            if pattern.startswith("]", i):
                out.append("\\]")
                i += 1
            continue
        if ch == "[" and in_class:
            out.append("\\[")  # literal in Go; Python would warn about nested sets
            i += 1
            continue
        if ch == "]" and in_class:
            in_class = False
        elif not in_class and ch in "*+?}" and i + 1 < len(pattern) and pattern[i + 1] == "+":
            raise ValueError("Go regexps have no possessive quantifiers")
        elif not in_class and pattern.startswith("(?<", i):
            out.append("(?P<")  # Go's named group; Python spells it (?P<name>...)
            i += 3
            continue
        out.append(ch)
        i += 1
    return re.compile("".join(out))


# ----------------------------------------------------------------------------- parsing files


def _parent(folder: str) -> str:
    return folder.rpartition("/")[0]


def _relative(path: str, folder: str) -> str:
    """PATH relative to FOLDER, as Go's filepath.Rel gives it for a folder above the path."""
    if folder == path:
        return "."
    return path[len(folder) + 1:] if folder else path


def _folder_of(owners_path: str) -> str:
    return posixpath.dirname(owners_path)


# Prow's preconfigured OWNERS folder denylist (config.OwnersDirDenylist.ListIgnoredDirs), which
# applies unless a deployment sets `ignore_preconfigured_defaults`. Its repoowners walk skips a
# folder whose path matches (unanchored Go regexps) together with everything beneath it.
_DENYLIST = re.compile(r"\.git\Z|_output\Z|vendor/.*/.*")


def _denylisted(folder: str) -> bool:
    """Whether Prow's walk skips FOLDER: it, or a folder above it, matches the denylist."""
    parts = folder.split("/") if folder else []
    return any(_DENYLIST.search("/".join(parts[:i])) for i in range(1, len(parts) + 1))


def _expand(names: Iterable[str], aliases: Mapping[str, frozenset[str]]) -> frozenset[str]:
    """Prow's ExpandAliases: each alias named is replaced by its members, once."""
    logins = {norm_login(name) for name in names}
    for login in sorted(logins):
        if login in aliases:
            logins.discard(login)
            logins |= aliases[login]
    # Prow then drops non-collaborators; no account is called "", so drop that (from `- ~`).
    logins.discard("")
    return frozenset(logins)


def _alias_members(node: Any) -> list[str]:
    """One alias group as Prow's ParseAliasesConfig reads it into `map[string]any`: a list of
    strings, a flow mapping `{alice, bob}` (its keys), or nothing. A member that YAML types as a
    number, bool or null is not coerced to a string there, so it fails the whole file."""
    if _is_null(node):
        return []
    if isinstance(node, yaml.MappingNode):
        return [name for name, _, _ in _pairs(node)]
    if not isinstance(node, yaml.SequenceNode):
        raise _DecodeError("an alias must list its members", _line(node))
    members: list[str] = []
    for item in node.value:
        if not isinstance(item, yaml.ScalarNode) or item.tag in (_TAG_BOOL, _TAG_INT, _TAG_NULL,
                                                                   _TAG_FLOAT):
            raise _DecodeError("an alias member must be a plain login (quote numbers and "
                               "yes/no/on/off)", _line(item))
        members.append(str(item.value))
    return members


def parse_aliases(text: str | None) -> tuple[dict[str, frozenset[str]], Finding | None]:
    """OWNERS_ALIASES as Prow reads it: alias -> members, or no aliases at all if unparsable."""
    if text is None:
        return {}, None
    try:
        root = compose(text)
        fields = _fields(root, ("aliases",))
        result: dict[str, frozenset[str]] = {}
        if "aliases" in fields:
            value = fields["aliases"][1]
            if not _is_null(value):
                if not isinstance(value, yaml.MappingNode):
                    raise _DecodeError("`aliases` must map each alias to a list of names",
                                       _line(value))
                for name, _, members in _pairs(value):
                    result[norm_login(name)] = frozenset(
                        norm_login(m) for m in _alias_members(members))
        return result, None
    except YamlFailure as err:
        if err.encoding:
            return {}, Finding(check=CHECK, rule="owners.aliases-invalid", path=OWNERS_ALIASES,
                               line=err.line, message=f"is {err.detail}: Prow's YAML reader "
                               "rejects it and Prow then uses no aliases at all, so every alias "
                               "counts as an unknown login; save it as UTF-8")
        return {}, _aliases_invalid(err.detail, err.line)
    except _DecodeError as err:
        return {}, _aliases_invalid(str(err), err.line)
    except RecursionError:
        return {}, _aliases_invalid("nested too deeply", None)


def _aliases_invalid(detail: str, line: int | None) -> Finding:
    return Finding(check=CHECK, rule="owners.aliases-invalid", path=OWNERS_ALIASES, line=line,
                   message=f"cannot be read ({detail}); Prow then uses no aliases at all, so "
                   "every alias counts as an unknown login; fix the YAML (`aliases:` mapping "
                   "each alias to a list of logins)")


def _parse_owners(path: str, text: str, aliases: Mapping[str, frozenset[str]],
                  ) -> tuple[_Config | None, list[Finding]]:
    """One OWNERS file as Prow applies it, and the problems Prow would silently ignore."""
    problems: list[Finding] = []

    def problem(rule: str, line: int | None, message: str) -> None:
        problems.append(Finding(check=CHECK, rule=rule, path=path, line=line, message=message))

    try:
        root = compose(text)
    except YamlFailure as err:
        if err.encoding:
            problem("owners.encoding", err.line,
                    f"is {err.detail}: Prow's YAML reader rejects it and Prow ignores the whole "
                    "file, so its folder falls back to the parent OWNERS; save it as UTF-8")
        else:
            problem("owners.yaml-invalid", err.line,
                    f"is not valid YAML ({err.detail}); Prow ignores the whole file, so its "
                    "folder falls back to the parent OWNERS")
        return None, problems

    simple: dict[str, list[str]] | None
    simple_error: _DecodeError | None = None
    try:
        simple = _simple(root)
        no_parent = _options(_fields(root, ("options",)).get("options", (None, None))[1])
    except _DecodeError as err:
        simple, simple_error, no_parent = None, err, False

    config = _Config()
    if simple:
        for key in _PEOPLE_KEYS:
            if key in simple:
                config.entries[key] = [(None, _expand(simple[key], aliases))]
        if "labels" in simple:
            config.entries["labels"] = [(None, frozenset(simple["labels"]))]
        config.no_parent_owners = no_parent
        if "filters" in _fields(root, ("filters",)):
            knode = _fields(root, ("filters",))["filters"][0]
            present = ", ".join(k for k in _SIMPLE_KEYS if k in simple)
            problem("owners.filters-ignored", _line(knode),
                    f"`filters` beside top-level {present}: Prow reads only the top-level keys "
                    "and ignores every filter; move the top-level entries under "
                    "`filters: {\".*\": ...}`")
        return config, problems

    try:
        fields = _fields(root, ("options", "filters"))
        no_parent = _options(fields.get("options", (None, None))[1])
        filters_node = fields.get("filters", (None, None))[1]
        filters: list[tuple[str, Any, dict[str, list[str]]]] = []
        if not _is_null(filters_node):
            if not isinstance(filters_node, yaml.MappingNode):
                raise _DecodeError("`filters` must map regexps to configs", _line(filters_node))
            filters = [(name, knode, _simple(value)) for name, knode, value in _pairs(filters_node)]
    except _DecodeError as err:
        first = simple_error or err
        problem("owners.schema-invalid", first.line,
                f"{first}: Prow cannot read this file and ignores it entirely, so its folder "
                "falls back to the parent OWNERS")
        return None, problems

    if simple_error is not None:
        problem("owners.schema-invalid", simple_error.line,
                f"{simple_error}: Prow ignores the top-level approvers, reviewers, "
                "required_reviewers and labels of this file")
    config.no_parent_owners = no_parent
    for pattern, knode, values in filters:
        regex: re.Pattern[str] | None = None
        if pattern != ".*":
            try:
                regex = compile_go_regexp(pattern)
            except (ValueError, re.error) as err:
                problem("owners.filter-regexp-invalid", _line(knode),
                        f"filter {excerpt(pattern)} is not a valid Go regexp ({err}); Prow "
                        "skips it")
                continue
        for key in _PEOPLE_KEYS:
            if key in values:
                config.entries.setdefault(key, []).append((regex, _expand(values[key], aliases)))
        if "labels" in values:
            config.entries.setdefault("labels", []).append((regex, frozenset(values["labels"])))
    return config, problems


def symlink_problem(path: str, target: str, followed: bool = False) -> Finding | None:
    """The finding for an ownership file stored as a symlink to TARGET, as Prow and GitHub read
    it: Prow's walk skips a symlinked OWNERS; it reads OWNERS_ALIASES through the link (FOLLOWED:
    the loader read the file it points to inside the repository)."""
    shown = target if len(target) <= 80 else target[:77] + "..."
    if path == OWNERS_ALIASES:
        if followed:
            return None
        return Finding(check=CHECK, rule="owners.aliases-invalid", path=path, line=None,
                       message=f"is a symlink to {shown!r}, which is not a file inside the "
                       "repository; Prow reads whatever the link reaches on its own clone, "
                       "Charter reads nothing outside the repository and uses no aliases; "
                       "replace the link with the file itself")
    if posixpath.basename(path) == OWNERS:
        return Finding(check=CHECK, rule="owners.symlink-ignored", path=path, line=None,
                       message=f"is a symlink (to {shown!r}); Prow reads only regular OWNERS "
                       "files and skips it, so its folder falls back to the parent OWNERS; "
                       "replace the link with a copy of the file")
    return Finding(check=CHECK, rule="codeowners.symlink-ignored", path=path, line=None,
                   message=f"is a symlink (to {shown!r}); Charter reads no CODEOWNERS through a "
                   "link, and GitHub is not documented to follow one; put the file itself here")


def too_large_problem(path: str, size: int) -> Finding:
    """The finding for an OWNERS or OWNERS_ALIASES file too large to be read."""
    return Finding(check=CHECK, rule="owners.too-large", path=path, line=None,
                   message=f"is {size} bytes, over the {MAX_OWNERS_BYTES}-byte limit of what "
                   "Charter reads, so it is answered as if it did not exist (Prow would read "
                   "it); an OWNERS file this large is a mistake, split or shorten it")


# ----------------------------------------------------------------------------- resolution


def normalize_path(path: str) -> str:
    """A repository path in Prow's form: no leading `./` or `/`, no trailing `/`; root is ""."""
    if (path and path[0] not in "./" and path[-1] != "/" and "//" not in path
            and "/." not in path):
        return path  # already clean: the common case, kept cheap for whole-tree resolution
    # A backslash is part of a file name to git and Prow, never a folder separator.
    clean = posixpath.normpath(path) if path else "."
    clean = clean.lstrip("/")
    if clean in (".", ""):
        return ""
    if clean == ".." or clean.startswith("../"):
        raise CharterError(f"path {path!r} is outside the repository")
    return clean


class RepoOwners:
    """Ownership for any path of one revision, computed from the files' text alone."""

    def __init__(self, files: Mapping[str, str], skipped: Iterable[Finding] = ()) -> None:
        """FILES maps a path to its text; SKIPPED are the loader's findings for ownership files
        it did not read (`OwnerFiles.skipped`)."""
        self.aliases, alias_problem = parse_aliases(files.get(OWNERS_ALIASES))
        self.problems: list[Finding] = [alias_problem] if alias_problem else []
        self.problems += [f for f in skipped if f.path is None or not (
            posixpath.basename(f.path) == OWNERS and _denylisted(_folder_of(f.path)))]
        self._configs: dict[str, _Config] = {}
        self.owners_files = sorted(p for p in files if posixpath.basename(p) == OWNERS
                                   and not _denylisted(_folder_of(p)))
        for path in self.owners_files:
            config, problems = _parse_owners(path, files[path], self.aliases)
            self.problems.extend(problems)
            if config is not None:
                self._configs[_folder_of(path)] = config
        self.codeowners: CodeownersFile | None = pick_codeowners(files)
        # Per starting folder: the folders with an OWNERS file from there up to the root, and
        # the filter regexps on that way. A result depends on the path only through which of
        # those regexps match, so it is cached per (folder, matches): one walk per folder.
        self._chains: dict[str, tuple[_Chain, tuple[tuple[str, re.Pattern[str]], ...]]] = {}
        self._cache: dict[tuple[str, tuple[bool, ...]], _Result] = {}

    def _chain(self, start: str) -> tuple[_Chain, tuple[tuple[str, re.Pattern[str]], ...]]:
        found = self._chains.get(start)
        if found is not None:
            return found
        above: _Chain = ()
        regexes: tuple[tuple[str, re.Pattern[str]], ...] = ()
        if start:
            above, regexes = self._chain(_parent(start))
        config = self._configs.get(start)
        if config is not None:
            own = {id(rx): rx for entries in config.entries.values() for rx, _ in entries
                   if rx is not None}
            above = ((start, config), *above)
            regexes = (*((start, rx) for rx in own.values()), *regexes)
        self._chains[start] = (above, regexes)
        return above, regexes

    def _owners(self, path: str) -> _Result:
        # The walk starts at the path itself (an OWNERS in a folder owns the folder's own path),
        # as Prow's entriesForFile does; for a file that is its parent folder.
        start = path if path in self._configs else _parent(path)
        chain, regexes = self._chain(start)
        matches = tuple(bool(rx.search(_relative(path, folder))) for folder, rx in regexes)
        key = (start, matches)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        matched = {id(rx) for (_, rx), hit in zip(regexes, matches, strict=True) if hit}

        def walk(kind: str) -> tuple[frozenset[str], str | None, frozenset[str]]:
            out: set[str] = set()
            leaf: str | None = None
            leaf_names: frozenset[str] = frozenset()
            for folder, config in chain:
                layer = frozenset().union(*(names for rx, names in config.entries.get(kind, ())
                                            if rx is None or id(rx) in matched))
                if layer and leaf is None:
                    leaf, leaf_names = folder, layer
                out |= layer
                if folder and config.no_parent_owners and out:
                    break
            return frozenset(out), leaf, leaf_names

        approvers, leaf, leaf_set = walk("approvers")
        reviewers = walk("reviewers")[0]
        required = walk("required_reviewers")[0]
        labels = walk("labels")[0]  # FindLabelsForFile: the same walk, no_parent_owners too
        result = _Result(tuple(sorted(approvers)), tuple(sorted(reviewers)),
                         tuple(sorted(required)), tuple(sorted(labels)), tuple(sorted(leaf_set)),
                         None if leaf is None else posixpath.join(leaf, OWNERS))
        self._cache[key] = result
        return result

    def owners_of(self, path: str) -> Ownership:
        """Who owns PATH (which need not exist): OWNERS as Prow computes it, and CODEOWNERS."""
        clean = normalize_path(path)
        found = self._owners(clean)
        codeowners = None if self.codeowners is None else self.codeowners.owners_of(clean)
        return Ownership(path=clean, approvers=found.approvers, reviewers=found.reviewers,
                         required_reviewers=found.required_reviewers, labels=found.labels,
                         leaf_approvers=found.leaf_approvers, owners_file=found.owners_file,
                         codeowners=codeowners)

    def resolve(self, paths: Iterable[str]) -> dict[str, Ownership]:
        """Ownership of each path, keyed by the path as given."""
        return {path: self.owners_of(path) for path in paths}


# ----------------------------------------------------------------------------- lint

# GitHub logins: letters, digits and hyphens, not starting with a hyphen, at most 39
# characters; `_` only in enterprise-managed accounts. Anything else can never be a login.
_LOGIN = re.compile(r"[a-z0-9][a-z0-9_-]{0,38}")
_GROUP_WORDS = frozenset({"approvers", "reviewers", "maintainers", "owners", "leads", "admins",
                          "committers", "team", "members"})


def _looks_like_alias(name: str, aliases: Mapping[str, frozenset[str]],
                      members: frozenset[str]) -> str | None:
    """Why NAME (not a defined alias) must be a mistaken alias, or None if it can be a login.

    Prow treats an unknown alias as a login and then drops it as a non-collaborator, silently.
    A name is reported when it cannot be a GitHub login at all, or when it is nobody's alias
    member and ends in the same `-word` as a defined alias or a usual group word
    (`-approvers`, `-reviewers`, `-maintainers`...), e.g. `sig-node-approvers`.
    """
    if not _LOGIN.fullmatch(name):
        return "cannot be a GitHub login"
    if name in members or "-" not in name:
        return None
    suffix = name.rsplit("-", 1)[1]
    alias_words = {alias.rsplit("-", 1)[1] for alias in aliases if "-" in alias}
    if suffix in alias_words or suffix in _GROUP_WORDS:
        return f"is named like an alias (`-{suffix}`) but no alias has that name"
    return None


def _lint_names(path: str, text: str, aliases: Mapping[str, frozenset[str]],
                members: frozenset[str]) -> list[Finding]:
    """Unknown keys, empty approver lists, unknown or nested aliases in one readable file."""
    findings: list[Finding] = []
    try:
        root = compose(text)
    except YamlFailure:
        return findings  # already reported as owners.yaml-invalid or owners.encoding
    if not isinstance(root, yaml.MappingNode):
        return findings

    def add(rule: str, node: Any, message: str) -> None:
        findings.append(Finding(check=CHECK, rule=rule, path=path, line=_line(node),
                                message=message))

    def check_block(node: Any, known: frozenset[str], where: str) -> None:
        if not isinstance(node, yaml.MappingNode):
            return
        try:
            pairs = _pairs(node)
        except _DecodeError:
            return
        for name, knode, value in pairs:
            key = name.lower()
            if key not in known:
                hint = (" (it belongs under `options:`)" if key in _KNOWN_OPTIONS else "")
                add("owners.unknown-key", knode,
                    f"unknown key {excerpt(name)}{where}{hint}; Prow ignores it")
                continue
            if key == "approvers" and (_is_null(value) or (
                    isinstance(value, yaml.SequenceNode) and not value.value)):
                add("owners.empty-approvers", knode,
                    f"empty `approvers`{where}: nobody can approve here through this entry; "
                    "name approvers or delete the key")
            if key in _PEOPLE_KEYS and isinstance(value, yaml.SequenceNode):
                for item in value.value:
                    if not isinstance(item, yaml.ScalarNode):
                        continue
                    login = norm_login(_scalar_text(item))
                    if not login or login in aliases:
                        continue
                    reason = _looks_like_alias(login, aliases, members)
                    if reason:
                        add("owners.unknown-alias", item,
                            f"{excerpt(login)} in `{key}`{where} {reason}; Prow keeps it as a "
                            "login and then drops it (no such collaborator); define it in "
                            "OWNERS_ALIASES or fix the name")
            if key == "options" and isinstance(value, yaml.MappingNode):
                check_block(value, _KNOWN_OPTIONS, " in `options`")
            if key == "filters" and isinstance(value, yaml.MappingNode):
                try:
                    for pattern, _, config in _pairs(value):
                        check_block(config, _KNOWN_FILTER, f" in filter {excerpt(pattern)}")
                except _DecodeError:
                    pass

    check_block(root, _KNOWN_TOP, "")
    return findings


def _lint_alias_file(text: str | None, aliases: Mapping[str, frozenset[str]]) -> list[Finding]:
    if text is None or not aliases:
        return []
    findings: list[Finding] = []
    try:
        root = compose(text)
        value = _fields(root, ("aliases",))["aliases"][1]
        pairs = _pairs(value)
    except (YamlFailure, _DecodeError, KeyError, RecursionError):
        return findings
    for name, _, members in pairs:
        if not isinstance(members, yaml.SequenceNode):
            continue
        for item in members.value:
            login = norm_login(_scalar_text(item))
            if login in aliases and login != norm_login(name):
                findings.append(Finding(
                    check=CHECK, rule="owners.nested-alias", path=OWNERS_ALIASES,
                    line=_line(item),
                    message=f"alias {excerpt(norm_login(name))} lists alias {excerpt(login)}; "
                            "Prow does not expand aliases inside aliases, so it counts as a login "
                            "nobody has; list its members instead"))
    return findings


def lint_owners(files: Mapping[str, str], skipped: Iterable[Finding] = ()) -> list[Finding]:
    """Every ownership mistake Prow or GitHub would silently ignore, as error findings; SKIPPED
    are the loader's findings for files it did not read."""
    owners = RepoOwners(files, skipped)
    members = frozenset().union(*owners.aliases.values()) if owners.aliases else frozenset()
    findings = list(owners.problems)
    findings += _lint_alias_file(files.get(OWNERS_ALIASES), owners.aliases)
    for path in owners.owners_files:
        findings += _lint_names(path, files[path], owners.aliases, members)
    findings += lint_codeowners(files)
    return sorted(set(findings), key=lambda f: (f.path or "", f.line or 0, f.rule, f.message))


def _covers(owners_folder: str, folder: str) -> bool:
    return not owners_folder or folder == owners_folder or folder.startswith(owners_folder + "/")


def unowned_after_changes(before: Mapping[str, str], changes: Mapping[str, str | None],
                          tree: Iterable[str]) -> list[Finding]:
    """Folders whose files had an approver before CHANGES (path -> new text, None for deleted)
    and have none after, e.g. because an OWNERS file was deleted or emptied."""
    after = dict(before)
    for path, text in changes.items():
        if text is None:
            after.pop(path, None)
        else:
            after[path] = text
    old, new = RepoOwners(before), RepoOwners(after)
    orphaned: dict[str, list[str]] = {}
    for path in tree:
        if not new.owners_of(path).approvers and old.owners_of(path).approvers:
            orphaned.setdefault(_parent(normalize_path(path)), []).append(path)
    findings: list[Finding] = []
    for folder, paths in sorted(orphaned.items()):
        culprits = sorted(p for p in changes if p == OWNERS_ALIASES or (
            posixpath.basename(p) == OWNERS and _covers(_folder_of(p), folder)))
        cause = (" after changes to " + ", ".join(culprits)) if culprits else ""
        where = folder or "the repository root"
        owners_path = posixpath.join(folder, OWNERS)
        findings.append(Finding(
            check=CHECK, rule="owners.folder-unowned",
            path=owners_path if owners_path in changes else (folder or None), line=None,
            message=f"{where} is left with no approver{cause}: {len(paths)} file(s), e.g. "
                    f"{sorted(paths)[0]}; keep an OWNERS file with approvers covering it"))
    return findings


def is_ownership_file(path: str) -> bool:
    """True for an OWNERS file at any depth, the root OWNERS_ALIASES, and CODEOWNERS locations."""
    return ((path.endswith(OWNERS) and (path == OWNERS or path.endswith("/" + OWNERS)))
            or path == OWNERS_ALIASES or path in CODEOWNERS_LOCATIONS)
