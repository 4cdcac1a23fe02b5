"""Hostile input fuzzing: mutated shipped inputs through the real command line, in process.

Seeds are the shipped examples, presets, policies, OWNERS files, OpenAPI documents and scenario
snippets of docs/scenario.md; hypothesis mutates them (as YAML trees and as bytes) and points
`$ref`, `extends:` and paths at a sentinel file outside the repository, at /dev/zero and at a
loopback server. Whatever the input, each command must exit 0, 1 or 2, never say "internal
error", keep every message short, and never open the sentinel nor reach the network. An audit
hook records every file opened outside the working folders and every socket connection.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.server
import io
import os
import re
import secrets
import subprocess
import sys
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from charter.cli import main
from tests.conftest import GIT_ENV

ROOT = Path(__file__).resolve().parents[1]

#: Bounded for CI (2 cores): the whole file runs in well under a minute, the same cases each
#: run. CHARTER_FUZZ_SCALE=20 CHARTER_FUZZ_RANDOM=1 fuzzes longer and differently, by hand.
_SCALE = float(os.environ.get("CHARTER_FUZZ_SCALE", "1"))


def fuzz(examples: int) -> settings:
    return settings(max_examples=max(1, int(examples * _SCALE)), deadline=None,
                    derandomize=not os.environ.get("CHARTER_FUZZ_RANDOM"), database=None,
                    suppress_health_check=list(HealthCheck))


#: A message (one stderr line) longer than this quotes too much of its input.
MAX_LINE = 4096


# -- what the test watches: files opened outside, sockets, the loopback server ----------------

@dataclass
class Watch:
    """What the audit hook looks for while a command runs, and what it saw."""

    forbidden: tuple[str, ...] = ()
    active: bool = False
    opened: list[str] = field(default_factory=list)
    connected: list[str] = field(default_factory=list)


WATCH = Watch()


def _audit(event: str, args: tuple[Any, ...]) -> None:
    # installed once per process and never removed: it must cost nothing while inactive
    if not WATCH.active:
        return
    if event == "open" and isinstance(args[0], str | bytes | os.PathLike):
        path = os.fsdecode(args[0])
        if path.startswith(WATCH.forbidden):
            WATCH.opened.append(path)
    elif event == "socket.connect":
        WATCH.connected.append(repr(args[1]))


_HOOKED: list[bool] = []


@dataclass
class World:
    """The places every case shares: a sentinel outside, a loopback server, working folders."""

    outside: Path
    sentinel: Path
    marker: str
    url: str
    hits: list[str]
    work: Path
    repo: Path

    def hostile_refs(self) -> list[str]:
        """Every way an input may name something outside: paths, URIs, devices, the network."""
        rel = os.path.relpath(self.sentinel, self.work / "x")  # from the loose files
        up = os.path.relpath(self.sentinel, self.repo / "api")  # from a repository's folder
        return [str(self.sentinel), self.sentinel.as_uri(), f"{self.sentinel.as_uri()}#/x",
                rel, f"{rel}#/x", up, f"{up}#/x", up.removeprefix("../"), "/dev/zero",
                "/dev/stdin", "/proc/self/environ",
                f"{self.url}/x.yaml", f"{self.url}/x.yaml#/x", "//127.0.0.1/x.yaml",
                "~/.ssh/id_rsa", "llama-stack/../../x.yaml"]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    base = tmp_path_factory.mktemp("fuzz")
    outside = base / "outside"
    outside.mkdir()
    marker = f"SENTINEL{secrets.token_hex(8)}"
    sentinel = outside / f"sentinel-{secrets.token_hex(4)}.yaml"
    # shaped like every input kind, so that if it were read its marker would show
    sentinel.write_text(
        f"charter: 1\nproject: {{name: {marker}}}\nroles: [{marker}]\n"
        f"approvers: [{marker}]\naliases: {{{marker}: [{marker}]}}\n"
        f"type: object\ndescription: {marker}\nx: {{type: string, description: {marker}}}\n"
        f"openapi: 3.0.3\ninfo: {{title: {marker}, version: '1'}}\npaths: {{}}\n")
    body = sentinel.read_bytes()
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    if not _HOOKED:
        sys.addaudithook(_audit)
        _HOOKED.append(True)
    work = base / "work"
    work.mkdir()
    repo = base / "repo"
    try:
        yield World(outside, sentinel, marker, f"http://127.0.0.1:{httpd.server_address[1]}",
                    hits, work, repo)
    finally:
        httpd.shutdown()
        httpd.server_close()


# -- seeds ------------------------------------------------------------------------------------

def _doc_yaml_blocks(name: str) -> list[str]:
    text = (ROOT / "docs" / name).read_text()
    return re.findall(r"```yaml\n(.*?)```", text, flags=re.S)


SCENARIOS = [p.read_text() for p in sorted((ROOT / "examples").glob("*.yaml"))] + [
    b for b in _doc_yaml_blocks("scenario.md") if "events:" in b]
# a scenario whose policy is written inline, extending a preset
SCENARIOS.append(SCENARIOS[-1].replace(
    "policy: llama-stack", "policy:\n  extends: llama-stack\n  calendar: {weekend_zone: UTC}", 1))

PRESETS = [p.read_text() for p in sorted((ROOT / "src/charter/policy/presets").glob("*.yaml"))]

POLICIES = [*PRESETS, (ROOT / "charter.yaml").read_text(),
            "charter: 1\nextends: llama-stack\nproject: {name: p}\n"
            "calendar: {weekend_zone: anywhere-on-earth}\n",
            "charter: 1\nextends: llm-d\nproject: {name: p}\nprocesses: {proposal: null}\n",
            "charter: 1\nextends: base.yaml\nproject: {name: child}\n"]

#: Policy the repository commits: it turns the api check on for the spec below.
REPO_POLICY = ("charter: 1\nextends: llm-d\nproject: {name: fuzz}\nroles: [maintainer]\n"
               "pull_requests:\n  api:\n    specs: [api/openapi.yaml]\n")

OWNERS = "approvers:\n  - alice\n  - team\nreviewers: [bob]\nlabels: [area/x]\n"
SUB_OWNERS = ("options: {no_parent_owners: false}\nfilters:\n  '.*\\.go$':\n"
              "    approvers: [carol]\n  '.*':\n    reviewers: [dave]\n")
ALIASES = "aliases:\n  team:\n    - erin\n    - frank\n"
CODEOWNERS = "* @alice\n/docs/ @org/docs bob@example.com\n*.go @carol\n"

SPEC_OWN = """\
openapi: 3.0.3
info: {title: models, version: '1'}
paths:
  /v1/models/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    get:
      operationId: getModel
      parameters:
        - {name: verbose, in: query, schema: {type: boolean}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Model'}
    delete:
      deprecated: true
      x-stability-level: beta
      responses: {'204': {description: gone}}
components:
  schemas:
    Model:
      type: object
      required: [id]
      properties:
        id: {type: string, maxLength: 64}
        kind: {type: string, enum: [llm, embedding]}
        parent: {$ref: '#/components/schemas/Model'}
"""

SPEC_31 = """\
openapi: 3.1.0
info: {title: t, version: '2'}
paths:
  /v1/chat:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              properties:
                stream: {type: [boolean, 'null'], default: false}
                messages: {type: array, items: {oneOf: [{type: string}, {type: object}]}}
      responses: {'200': {description: ok}}
"""

#: Shapes taken from tests/apidiff: one operation whose response has a schema.
SPEC_FROM_TESTS = yaml.safe_dump({
    "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
    "paths": {"/v1/models": {"get": {"responses": {"200": {
        "description": "ok", "content": {"application/json": {"schema": {
            "$ref": "#/components/schemas/M"}}}}}}}},
    "components": {"schemas": {"M": {"type": "object", "properties": {
        "id": {"type": "string"}, "n": {"type": "integer", "minimum": 0}}}}}}, sort_keys=False)

SPECS = [SPEC_OWN, SPEC_31, SPEC_FROM_TESTS]

#: The repository's files and their seeds; a case mutates one or two of them.
REPO_FILES = {"charter.yaml": REPO_POLICY, "OWNERS": OWNERS, "pkg/OWNERS": SUB_OWNERS,
              "OWNERS_ALIASES": ALIASES, ".github/CODEOWNERS": CODEOWNERS,
              "api/openapi.yaml": SPEC_OWN}


# -- mutations --------------------------------------------------------------------------------

def _hostile_values(w: World) -> list[Any]:
    return [*w.hostile_refs(), 10**40, -(10**30), 1e308, float("inf"), float("nan"), 0, -1,
            True, None, "", "2026-13-45", "9999-12-31", "0000-00-00", "9999-12-31T23:59:59Z",
            dt.date(9999, 12, 31), dt.datetime(1, 1, 1), "25:61", "P99999999D",
            "x" * 50_000, "a\x00b", "\u202e\u0301" * 50, "[*", "{{ '{{' }}", "$(id)",
            [], {}, [[[[["deep"]]]]], {"$ref": w.sentinel.as_uri()},
            {"$ref": f"{w.url}/x.yaml"}, {"extends": str(w.sentinel)}]


#: Raw text that YAML readers treat specially, inserted at a line boundary.
RAW_SNIPPETS = [
    "a: &a [x, y]\nb: [*a, *a, *a]\n",
    "l0: &l0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"l{i}: &l{i} [*l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}, "
        f"*l{i - 1}, *l{i - 1}, *l{i - 1}]\n" for i in range(1, 9)),
    "self: &s [*s]\n",
    "m: !!python/object/apply:os.system ['echo pwned']\n",
    "o: !!python/object:os.environ {}\n",
    "b: !!binary aGVsbG8=\n",
    "t: !custom {x: 1}\n",
    "? [complex, key]\n: v\n",
    "<<: {merged: 1}\n",
    "d: " + "[" * 5000 + "]" * 5000 + "\n",
    "e: " + "{a: " * 300 + "1" + "}" * 300 + "\n",
    "n: 1e99999\nm: 99999999999999999999999999999999999999\nh: 0x7fffffffffffffffff\n",
    "when: 2026-13-45\nuntil: 9999-12-31\nat: 2026-02-30T25:00:00Z\n",
    "s: \"" + "y" * 200_000 + "\"\n",
    "%YAML 1.1\n---\n",
    "---\nsecond: document\n",
    "\t tabbed: 1\n",
    "k: v\nk: w\n",
]
RAW_BYTES = [b"\x00", b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\xef\xbb\xbf", b"\r", b"\x1b[2J"]


def _nodes(tree: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from _nodes(value, (*path, key))
    elif isinstance(tree, list):
        for i, value in enumerate(tree):
            yield from _nodes(value, (*path, i))


def _keys(tree: Any) -> list[str]:
    out: list[str] = []
    if isinstance(tree, dict):
        for key, value in tree.items():
            out += [str(key), *_keys(value)]
    elif isinstance(tree, list):
        for value in tree:
            out += _keys(value)
    return out


def _swap(value: Any, kind: int) -> Any:
    """VALUE as another type: scalar <-> list <-> mapping, or a scalar of another kind."""
    if kind == 0:
        return [value]
    if kind == 1:
        return {"k": value}
    if isinstance(value, dict):
        return list(value.values()) if kind == 2 else list(value)
    if isinstance(value, list):
        return value[0] if value and kind == 2 else {str(i): v for i, v in enumerate(value)}
    return [str(value), 0, None][kind - 2] if kind < 5 else value


@st.composite
def tree_mutation(draw: st.DrawFn, tree: Any, w: World) -> Any:
    """One change to a parsed document: replace, swap type, rename, drop or add a node."""
    paths = list(_nodes(tree))
    path = draw(st.sampled_from(paths))
    op = draw(st.sampled_from(["hostile", "swap", "rename", "drop", "add"]))
    if not path:
        return _swap(tree, draw(st.integers(0, 4))) if op == "swap" else tree
    parent = tree
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if op == "hostile":
        parent[last] = draw(st.sampled_from(_hostile_values(w)))
    elif op == "swap":
        parent[last] = _swap(parent[last], draw(st.integers(0, 4)))
    elif op == "rename" and isinstance(parent, dict):
        vocabulary = [*sorted(set(_keys(tree))), "$ref", "extends", "", "0", "x" * 300]
        new = draw(st.sampled_from(vocabulary))
        parent[new] = parent.pop(last)
    elif op == "drop":
        del parent[last]
    elif isinstance(parent, dict):
        parent[draw(st.sampled_from(["$ref", "extends", "id", "type", "approvers", "zzz"]))] = \
            draw(st.sampled_from(_hostile_values(w)))
    else:
        parent.insert(last, draw(st.sampled_from(_hostile_values(w))))
    return tree


@st.composite
def byte_mutation(draw: st.DrawFn, data: bytes) -> bytes:
    """One change to the bytes: flip, truncate, or insert a YAML feature or odd bytes."""
    op = draw(st.sampled_from(["flip", "truncate", "snippet", "bytes"]))
    at = draw(st.integers(0, max(len(data) - 1, 0)))
    if op == "flip" and data:
        return data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1:]
    if op == "truncate":
        return data[:at]
    # at a line boundary, so the snippet is read as YAML rather than inside a scalar
    start = data.rfind(b"\n", 0, at) + 1
    if op == "snippet":
        return data[:start] + draw(st.sampled_from(RAW_SNIPPETS)).encode() + data[start:]
    return data[:at] + draw(st.sampled_from(RAW_BYTES)) + data[at:]


@st.composite
def mutated(draw: st.DrawFn, seeds: list[str], w: World) -> bytes:
    """A seed after up to three tree changes, then up to two byte changes."""
    text = draw(st.sampled_from(seeds))
    tree = yaml.safe_load(text)
    for _ in range(draw(st.integers(0, 3))):
        tree = draw(tree_mutation(tree, w))
    try:
        data = yaml.safe_dump(tree, sort_keys=False, allow_unicode=True).encode()
    except (yaml.YAMLError, RecursionError):
        data = text.encode()
    # most cases stay valid YAML, to reach the checks behind the reader
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):
        data = draw(byte_mutation(data))
    return data


@st.composite
def codeowners_mutation(draw: st.DrawFn, w: World) -> bytes:
    """CODEOWNERS is not YAML: mutate its lines and bytes."""
    lines = CODEOWNERS.splitlines()
    extra = draw(st.sampled_from([
        f"{w.sentinel} @x", "[ @x", "**/** @x", "!x @x", "* " + "@a " * 2000, "\\#x @x",
        "/a/**/b/ @o/t", "* @@", "x" * 10_000, "docs/ ", "* @bad team", "*\x00 @x"]))
    lines.insert(draw(st.integers(0, len(lines))), extra)
    data = ("\n".join(lines) + "\n").encode()
    if draw(st.booleans()):
        data = draw(byte_mutation(data))
    return data


# -- running the command line -----------------------------------------------------------------

@dataclass
class Run:
    code: int
    out: str
    err: str
    warned: list[str]


#: Warnings Python hides by default; any other one would reach the user's terminal.
_HIDDEN = (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning)


def charter(args: list[str], w: World, *, cwd: Path) -> Run:
    """`charter ARGS` in process, output captured, with the audit hook watching."""
    out, err = io.StringIO(), io.StringIO()
    WATCH.forbidden = (str(w.outside), "/dev/zero", "/dev/stdin", "/proc/self/environ",
                       os.path.expanduser("~/.ssh"))
    WATCH.opened.clear()
    WATCH.connected.clear()
    old = Path.cwd()
    os.chdir(cwd)
    WATCH.active = True
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
                warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                main(args)
                code = 0
            except SystemExit as exit_info:
                code = exit_info.code if isinstance(exit_info.code, int) else 1
    finally:
        WATCH.active = False
        os.chdir(old)
    warned = [f"{w.category.__name__}: {str(w.message)[:200]}" for w in caught
              if not issubclass(w.category, _HIDDEN)]
    return Run(code, out.getvalue(), err.getvalue(), warned)


def assert_safe(run: Run, w: World, args: list[str], input_size: int) -> None:
    """The contract for hostile input, whatever it is."""
    what = f"charter {' '.join(args)}: exit {run.code}\n{run.err[:2000]}"
    assert run.code in (0, 1, 2), what
    assert "internal error" not in run.out + run.err, what
    assert "Traceback" not in run.err, what
    assert run.warned == [], what  # a Python warning prints library lines, not a message
    long = [line[:200] for line in run.err.splitlines() if len(line) > MAX_LINE]
    assert not long, f"{what}\nlong stderr lines: {long}"
    # output may carry the input's data (JSON of a scenario) but never blow it up
    assert len(run.out) <= 1_000_000 + 10 * input_size, (what, len(run.out))
    assert w.marker not in run.out + run.err, what
    assert WATCH.opened == [], (what, WATCH.opened)
    assert WATCH.connected == [], (what, WATCH.connected)
    assert w.hits == [], (what, w.hits)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink():
        path.unlink()
    path.write_bytes(data)


# -- the fuzz tests ---------------------------------------------------------------------------

@fuzz(150)
@given(data=st.data())
def test_simulate_survives_mutated_scenarios(world: World, data: st.DataObject) -> None:
    folder = world.work / "x"
    folder.mkdir(exist_ok=True)
    # a relative `policy:` or `extends:` may name a policy next to the scenario: keep one there
    _write(folder / "base.yaml", PRESETS[0].encode())
    scenario = data.draw(mutated(SCENARIOS, world))
    path = folder / "scenario.yaml"
    _write(path, scenario)
    args = ["simulate", str(path), "--json"]
    assert_safe(charter(args, world, cwd=folder), world, args, len(scenario))


@fuzz(150)
@given(data=st.data())
def test_policy_check_survives_mutated_policies(world: World, data: st.DataObject) -> None:
    folder = world.work / "x"
    folder.mkdir(exist_ok=True)
    _write(folder / "base.yaml", data.draw(mutated(PRESETS, world)))
    policy = data.draw(mutated(POLICIES, world))
    path = folder / "policy.yaml"
    _write(path, policy)
    args = ["policy", "check", str(path)]
    assert_safe(charter(args, world, cwd=folder), world, args, len(policy))


@fuzz(150)
@given(data=st.data())
def test_apidiff_survives_mutated_specs(world: World, data: st.DataObject) -> None:
    folder = world.work / "x"
    folder.mkdir(exist_ok=True)
    seed = data.draw(st.sampled_from(SPECS))
    old, new = folder / "old.yaml", folder / "new.yaml"
    _write(old, seed.encode() if data.draw(st.booleans()) else data.draw(mutated(SPECS, world)))
    spec = data.draw(mutated([seed], world))
    _write(new, spec)
    args = ["apidiff", str(old), str(new), "--json"]
    assert_safe(charter(args, world, cwd=folder), world, args, len(spec))


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], env={**os.environ, **GIT_ENV},
                   capture_output=True, check=True)


def _seed_repo(repo: Path) -> None:
    """A repository whose `seed` commit holds every seed file and a little code."""
    if (repo / ".git").exists():
        return
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    for name, text in {**REPO_FILES, "pkg/x.go": "package x\n", "docs/a.md": "# a\n"}.items():
        _write(repo / name, text.encode())
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-s", "-m", "Seed the repository\n\nFuzzing starts here.")
    _git(repo, "tag", "seed")


@fuzz(100)
@given(data=st.data())
def test_repository_commands_survive_mutated_files(world: World, data: st.DataObject) -> None:
    repo = world.repo
    _seed_repo(repo)
    _git(repo, "reset", "-q", "--hard", "seed")
    _git(repo, "clean", "-qfdx")
    names = data.draw(st.lists(st.sampled_from(sorted(REPO_FILES)), min_size=1, max_size=2,
                               unique=True))
    size = 0
    for name in names:
        if data.draw(st.integers(0, 9)) == 0:
            # a committed link out of the repository, absolute or relative
            target = data.draw(st.sampled_from(
                [str(world.sentinel), os.path.relpath(world.sentinel, (repo / name).parent),
                 "/dev/zero"]))
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            (repo / name).unlink()
            (repo / name).symlink_to(target)
            continue
        if name == ".github/CODEOWNERS":
            content = data.draw(codeowners_mutation(world))
        else:
            content = data.draw(mutated([REPO_FILES[name]], world))
        size += len(content)
        _write(repo / name, content)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-s", "-m", "Mutate inputs\n\nA pull request's hostile files.")
    # the policy at BASE is the mutated one, or the PR brings the mutation
    base = "HEAD" if data.draw(st.booleans()) else "seed"
    _git(repo, "tag", "-f", "base", base)
    _write(repo / "pkg/x.go", b"package x\n\nvar y = 1\n")
    _git(repo, "commit", "-q", "-s", "-am", "Touch code\n\nSo the gate has a change to judge.")
    path = data.draw(st.sampled_from(["pkg/x.go", "docs/a.md", "api/openapi.yaml", ""]))
    for args in (["check", "--repo", str(repo), "--json"],
                 ["owners", path or ".", "--repo", str(repo), "--json"],
                 ["gate", "--repo", str(repo), "--base", "base", "--head", "HEAD", "--json"]):
        assert_safe(charter(args, world, cwd=world.work), world, args, size)


# -- what the fuzzer found, kept as named cases -----------------------------------------------
# (also: tests/policy/test_extends.py::test_a_scenarios_policy_file_is_confined_too)

@pytest.mark.parametrize("command", [["policy", "check"], ["simulate"]])
def test_a_redefined_anchor_is_read_without_a_python_warning(
        world: World, command: list[str]) -> None:
    # ruamel printed a ReusedAnchorWarning (library paths, input lines) on stderr; YAML lets an
    # anchor be defined again, an alias naming the latest, as PyYAML and go-yaml read it
    path = world.work / "anchors.yaml"
    policy = "charter: 1\nproject: {name: &n x}\nroles: [&n maintainer, *n]\n"
    path.write_text(f"policy:\n  {policy.replace(chr(10), chr(10) + '  ')}\n"
                    "people: {a: &r maintainer, b: &r maintainer}\nevents: []\n"
                    if command == ["simulate"] else policy)
    run = charter([*command, str(path)], world, cwd=world.work)
    assert run.warned == [] and "Warning" not in run.err, run.err
