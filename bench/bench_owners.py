"""Benchmark: `charter owners` for every file of a large tree against bare `git ls-tree -r`.

Run as `.venv/bin/python bench/bench_owners.py [--files N] [--owners M] [--runs K]`. It builds a
tree of N files with M OWNERS files (plus OWNERS_ALIASES and a CODEOWNERS) with `git fast-import`
in a temporary folder, then times the library call (loading from git included) against
`git ls-tree -r` on the same tree, at N and at N/2 files to show the cost is linear in files.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from charter.checks.owners.repo_owners import RepoOwners
from charter.checks.repository import load_owner_files

ENV = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
CODEOWNERS = "".join(f"/d{i:02d}/ @org/team-{i}\n" for i in range(20)) + "*.md @org/docs\n"
ALIASES = "aliases:\n" + "".join(f"  sig-{i}-approvers: [lead{i}, deputy{i}]\n"
                                 for i in range(20))


def _owners_text(i: int) -> str:
    # A mix of plain, aliased, no_parent_owners and filtered files, as in a real monorepo.
    if i % 25 == 0:
        return (f"filters:\n  '.*':\n    approvers: [user{i}]\n"
                f"  '\\.go$':\n    reviewers: [gopher{i % 7}]\n")
    extra = "options:\n  no_parent_owners: true\n" if i % 10 == 3 else ""
    return (f"{extra}approvers:\n  - user{i}\n  - sig-{i % 20}-approvers\n"
            f"reviewers:\n  - Reviewer{i % 50}\n")


def layout(files: int, owners: int) -> list[tuple[str, str]]:
    """(path, content) for a three-level tree of FILES files, OWNERS files included."""
    leaves = [f"d{a:02d}/s{b}/l{c}" for a in range(20) for b in range(5) for c in range(10)]
    owner_dirs = ["", *(f"d{a:02d}" for a in range(20)),
                  *(f"d{a:02d}/s{b}" for a in range(20) for b in range(5))]
    owner_dirs += leaves[: max(0, owners - len(owner_dirs))]
    owner_dirs = owner_dirs[:owners]
    entries = [(f"{d}/OWNERS" if d else "OWNERS", _owners_text(i))
               for i, d in enumerate(owner_dirs)]
    entries += [("OWNERS_ALIASES", ALIASES), (".github/CODEOWNERS", CODEOWNERS)]
    i = 0
    while len(entries) < files:
        leaf = leaves[i % len(leaves)]
        suffix = (".go", ".md", ".py", ".txt")[i % 4]
        entries.append((f"{leaf}/file{i // len(leaves)}{suffix}", f"content {i}\n"))
        i += 1
    return entries


def build(repo: Path, entries: list[tuple[str, str]]) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True, env=ENV)
    stream = ["commit refs/heads/main\n", "committer Bench <bench@example.org> 1767607200 +0000\n",
              "data 5\ntree\n"]
    for path, text in entries:
        data = text.encode()
        stream.append(f"M 100644 inline {path}\ndata {len(data)}\n{text}\n")
    subprocess.run(["git", "-C", str(repo), "fast-import", "--quiet"], check=True, env=ENV,
                   input="".join(stream).encode())


def best_of(runs: int, action: Callable[[], object]) -> float:
    """Median wall time of RUNS calls, after one warm-up (page cache, imports)."""
    action()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def resolve_all(repo: Path) -> int:
    loaded = load_owner_files(repo, "main")
    result = RepoOwners(loaded.files).resolve(loaded.tree)
    return len(result)


def measure(files: int, owners: int, runs: int) -> tuple[float, float, int]:
    with tempfile.TemporaryDirectory(prefix="charter-bench-owners-") as tmp:
        repo = Path(tmp) / "repo"
        build(repo, layout(files, owners))
        count = resolve_all(repo)
        assert count == files, (count, files)
        ls_tree = best_of(runs, lambda: subprocess.run(
            ["git", "-C", str(repo), "ls-tree", "-r", "-z", "--full-tree", "main"],
            check=True, capture_output=True, env=ENV))
        ours = best_of(runs, lambda: resolve_all(repo))
    return ls_tree, ours, count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--owners", type=int, default=500)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    rows = []
    for files, owners in ((args.files // 2, args.owners // 2), (args.files, args.owners)):
        ls_tree, ours, count = measure(files, owners, args.runs)
        rows.append((files, owners, ls_tree, ours))
        print(f"{count:>7,} files, {owners:>4} OWNERS: git ls-tree -r {ls_tree * 1e3:7.1f} ms, "
              f"charter owners (load + resolve every file) {ours * 1e3:7.1f} ms, "
              f"ratio {ours / ls_tree:5.1f}x, {ours / count * 1e6:5.1f} us/file")
    (small_files, _, _, small), (big_files, _, _, big) = rows
    print(f"scaling: {big_files / small_files:.1f}x the files took {big / small:.2f}x the time "
          "(linear is 2.0x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
