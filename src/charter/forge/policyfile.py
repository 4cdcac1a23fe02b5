"""A repository's policy file as committed at one revision of its mirror, read confined: the file
and its `extends:` come only from that commit's tree, each under the size cap."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from charter.errors import CharterError
from charter.gate.facts import Revision
from charter.git.objects import read_blob
from charter.policy.loader import LoadedPolicy, load_policy_node
from charter.yamlio import MAX_YAML_BYTES, parse_yaml

#: Where the policy lives, in the order they are looked for (spec: "Projects and policies").
POLICY_FILES = (".github/charter.yaml", "charter.yaml")
#: Files whose change on a pull request opens a governance-change decision.
GOVERNANCE_FILES = (*POLICY_FILES, "GOVERNANCE.md")


@dataclass(frozen=True)
class PolicyFile:
    path: str
    loaded: LoadedPolicy


def policy_path(repo: Path, rev: str) -> str | None:
    """The policy file REV has (`.github/charter.yaml` first), or None."""
    for name in POLICY_FILES:
        if read_blob(repo, rev, name) is not None:
            return name
    return None


def read_policy(repo: Path, rev: str) -> PolicyFile | None:
    """The policy committed at REV, or None when REV has no policy file; CharterError (naming
    the file and line) when it is not a valid policy."""
    name = policy_path(repo, rev)
    if name is None:
        return None
    label = f"{rev[:12]}:{name}"
    blob = read_blob(repo, rev, name) or b""
    if len(blob) > MAX_YAML_BYTES:
        raise CharterError(f"{len(blob):,} bytes, over the {MAX_YAML_BYTES:,}-byte limit for a "
                           "policy file", file=label)
    try:
        source = blob.decode("utf-8")
    except UnicodeDecodeError:
        raise CharterError("not UTF-8 text; save the file as UTF-8", file=label) from None
    node = parse_yaml(source, label)
    if not isinstance(node, Mapping):
        raise CharterError("a policy file must be a YAML mapping", file=label)
    loaded = load_policy_node(node, file=label, files=Revision(repo, rev),
                              folder=posixpath.dirname(name), identity=posixpath.normpath(name))
    return PolicyFile(name, loaded)
