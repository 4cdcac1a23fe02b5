"""Local bare mirrors of repositories, kept fetched by the worker so the gate reads git objects.

One bare repository per `owner/name` under a root folder. The remote is never taken from a
webhook payload: it is the configured git base (`https://github.com`, or in tests a `file://`
folder) joined with the repository's checked name, so a hostile payload cannot make the worker
fetch another host or read a local path. Fetches of one mirror are serialised by a lock file, so
several worker processes may share the root.
"""

from __future__ import annotations

import base64
import fcntl
import os
import re
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from charter.errors import CharterError

#: `owner/name` as GitHub spells it: no `..`, no slashes beyond the one, nothing git could read
#: as an option.
_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
#: A fetch that takes longer than this is abandoned (and retried by the worker later).
FETCH_TIMEOUT = 600.0
#: A branch or ref name as the fetch takes it (`git check-ref-format` is stricter still).
_REF = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./-]{0,250}")


class MirrorError(CharterError):
    """A fetch failed or a name was refused; the message says which and why."""


def checked_name(repository: str) -> tuple[str, str]:
    """(owner, name) of REPOSITORY, or MirrorError when it is not a plain `owner/name`."""
    owner, sep, name = repository.partition("/")
    for part in (owner, name):
        if not sep or not _PART.fullmatch(part) or part.endswith(".") or ".." in part:
            raise MirrorError(f"repository {repository[:120]!r} is not owner/name")
    return owner, name


def checked_ref(ref: str) -> str:
    """REF when it is a plain branch or ref name, else MirrorError."""
    if not _REF.fullmatch(ref) or ".." in ref or ref.endswith((".lock", "/", ".")) \
            or "//" in ref or "/." in ref:
        raise MirrorError(f"ref {ref[:120]!r} is not a branch name Charter fetches")
    return ref


@dataclass(frozen=True)
class Remote:
    """Where mirrors are fetched from: `https://HOST[/prefix]` or, when allowed, `file://ROOT`."""

    base: str

    def __post_init__(self) -> None:
        parts = urlsplit(self.base)
        if parts.scheme not in ("https", "http", "file") or parts.query or parts.fragment:
            raise CharterError(f"git remote base {self.base!r}: use https://HOST or, for "
                               "tests, file:///ABSOLUTE/FOLDER")
        if parts.scheme == "file" and (parts.netloc or not parts.path.startswith("/")):
            raise CharterError(f"git remote base {self.base!r}: a file base must be "
                               "file:///ABSOLUTE/FOLDER")

    @property
    def local(self) -> bool:
        return urlsplit(self.base).scheme == "file"

    def url(self, repository: str) -> str:
        """The remote of REPOSITORY: always under the base, whatever the name says."""
        owner, name = checked_name(repository)
        if self.local:
            root = Path(urlsplit(self.base).path).resolve()
            path = (root / owner / f"{name}.git").resolve()
            # A symbolic link inside the allowed root must not lead out of it.
            if root not in path.parents:
                raise MirrorError(f"{repository} resolves outside the allowed local root")
            return path.as_uri()
        return f"{self.base.rstrip('/')}/{owner}/{name}.git"


@dataclass(frozen=True)
class Mirror:
    """The bare mirrors under ROOT, fetched from REMOTE."""

    root: Path
    remote: Remote

    def path(self, repository: str) -> Path:
        owner, name = checked_name(repository)
        return self.root / owner.lower() / f"{name.lower()}.git"

    @contextmanager
    def _locked(self, repository: str) -> Iterator[Path]:
        path = self.path(repository)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.parent / f".{path.name}.lock", "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield path
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def fetch(self, repository: str, refs: Sequence[str], token: str | None = None,
              shas: Sequence[str] = (), default: str | None = None) -> Path:
        """Fetch REFS (each `refs/...`, kept under the same name) and SHAS into REPOSITORY's
        mirror, creating it first; returns the mirror's folder. DEFAULT, when given, is the
        ref the remote's default branch (its HEAD) is kept as. TOKEN authenticates over HTTPS
        as the App's installation."""
        wanted = [f"+{checked_ref(r)}:{r}" for r in refs]
        if default is not None:
            wanted.append(f"+HEAD:{checked_ref(default)}")
        wanted += [s for s in shas if re.fullmatch(r"[0-9a-f]{40}", s)]
        url = self.remote.url(repository)
        with self._locked(repository) as path:
            if not (path / "HEAD").exists():
                _git(None, ["init", "--quiet", "--bare", str(path)], {})
                # Old heads stay readable (an approval given at one is checked against it), so
                # nothing is pruned behind the gate's back.
                _git(path, ["config", "gc.auto", "0"], {})
            if wanted:
                _git(path, ["fetch", "--quiet", "--no-tags", "--no-write-fetch-head",
                            "--no-recurse-submodules", url, *wanted],
                     self._config(url, token), timeout=FETCH_TIMEOUT)
        return path

    def _config(self, url: str, token: str | None) -> dict[str, str]:
        """Git settings for one fetch, passed in the environment (never on the command line,
        where other users could read a token)."""
        pairs = [("protocol.allow", "never"),
                 ("protocol.file.allow" if self.remote.local else "protocol.https.allow",
                  "always"),
                 ("credential.helper", ""), ("core.askPass", "")]
        if urlsplit(url).scheme == "http":  # a GitHub Enterprise test instance
            pairs.append(("protocol.http.allow", "always"))
        if token is not None and not self.remote.local:
            basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
            pairs.append(("http.extraHeader", f"Authorization: Basic {basic}"))
        env = {"GIT_CONFIG_COUNT": str(len(pairs)), "GIT_TERMINAL_PROMPT": "0"}
        for i, (key, value) in enumerate(pairs):
            env[f"GIT_CONFIG_KEY_{i}"], env[f"GIT_CONFIG_VALUE_{i}"] = key, value
        return env

    def has(self, repository: str, sha: str) -> bool:
        """Whether the mirror holds commit SHA."""
        path = self.path(repository)
        if not (path / "HEAD").exists():
            return False
        proc = subprocess.run(["git", "-C", str(path), "cat-file", "-e", f"{sha}^{{commit}}"],
                              capture_output=True, check=False)
        return proc.returncode == 0

    def resolve(self, repository: str, ref: str) -> str | None:
        """The commit REF names in the mirror, or None."""
        proc = subprocess.run(["git", "-C", str(self.path(repository)), "rev-parse", "--verify",
                               "--quiet", f"{checked_ref(ref)}^{{commit}}"],
                              capture_output=True, check=False)
        sha = proc.stdout.decode().strip()
        return sha or None


def _git(repo: Path | None, args: list[str], env: dict[str, str],
         timeout: float = 60.0) -> None:
    command = ["git", *(["-C", str(repo)] if repo is not None else []), *args]
    try:
        proc = subprocess.run(command, capture_output=True, check=False, timeout=timeout,
                              env={**os.environ, **env})
    except subprocess.TimeoutExpired:
        raise MirrorError(f"git {args[0]} took more than {timeout:.0f}s") from None
    except FileNotFoundError:
        raise MirrorError("git is not installed or not on PATH; install git") from None
    if proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = lines[-1] if lines else f"exit code {proc.returncode}"
        # A token never reaches stderr (it travels in a header), but be sure.
        raise MirrorError(f"git {args[0]} failed: {re.sub(r'ghs_[A-Za-z0-9]+', '***', detail)}")
