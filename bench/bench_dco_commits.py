"""Benchmark: `dco` + `commits` over a 100,000-commit history against bare `git log`.

Two histories: one that mostly passes (a few findings in a hundred commits) and one that mostly
fails, shaped like kubernetes/test-infra, which never used DCO (two commits in five merge a
pull request; nearly every other commit has a finding or two). On each, the library's one
pass and the whole `charter check dco commits --format json` command (Python's start-up and
the JSON written included) are timed against `git log` printing the same fields.

Run as `.venv/bin/python bench/bench_dco_commits.py [--commits N] [--runs K]`. The repositories
are built once with `git fast-import` and cached in the system's temporary folder.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from charter.checks.commits import CommitRules, commit_checker
from charter.checks.dco import DcoRules, check_dco
from charter.checks.findings import Finding
from charter.git.history import GIT_LOG_ENV, Commit, git_log_command, iter_commits

TARGET = 1.5
PEOPLE = [(f"Developer {i:02d}", f"dev{i:02d}@example.org") for i in range(40)]
WORDS = ("parser", "scheduler", "cache", "router", "gateway", "metrics", "docs", "tests", "api")


def _message(i: int, failing: bool) -> str:
    name, email = PEOPLE[i % len(PEOPLE)]
    if failing:
        return _failing_message(i, name, email)
    kind = ("feat", "fix", "docs", "refactor", "chore", "test")[i % 6]
    title = f"{kind}({WORDS[i % len(WORDS)]}): change number {i} of the {WORDS[(i * 7) % 9]}"
    parts = [title]
    if i % 3:
        parts.append(f"The {WORDS[i % 9]} needed this because of issue #{i % 997}; without it\n"
                     f"the {WORDS[(i + 3) % 9]} would keep stale state between requests.")
    trailers = []
    if i % 10 == 0:
        co_name, co_email = PEOPLE[(i + 1) % len(PEOPLE)]
        trailers.append(f"Co-authored-by: {co_name} <{co_email}>")
        if i % 30:  # every third co-authored commit lacks the co-author's sign-off
            trailers.append(f"Signed-off-by: {co_name} <{co_email}>")
    if i % 50:  # every 50th commit lacks its sign-off
        trailers.append(f"Signed-off-by: {name} <{email}>")
    if trailers:
        parts.append("\n".join(trailers))
    return "\n\n".join(parts) + "\n"


def _failing_message(i: int, name: str, email: str) -> str:
    """A history that never used DCO, shaped like kubernetes/test-infra's: pull-request merges
    between commits that carry no sign-off, half of them no body, a few long titles."""
    title = f"Update the {WORDS[i % 9]} to keep stale state out of request {i}"
    if _is_merge(i):
        return (f"Merge pull request #{i} from dev{i % 40:02d}/topic-{i}\n\n{title}\n")
    if i % 20 == 0:
        title += " and of everything that depends on it"
    if i % 10 == 0:
        return f"{title}\n\nSigned-off-by: {name} <{email}>\n"  # the one in ten that signs off
    if i % 2:
        return f"{title}\n\nThe {WORDS[(i + 3) % 9]} kept it between requests (#{i % 997}).\n"
    return title + "\n"


def _is_merge(i: int) -> bool:
    """Two commits in five merge a pull request, as on a project merging through a bot."""
    return i % 5 in (1, 3) and i > 10


def _fast_import_stream(count: int, failing: bool) -> Iterator[bytes]:
    stamp = 1_700_000_000
    for i in range(1, count + 1):
        name, email = PEOPLE[(i - 1) % len(PEOPLE)]
        data = _message(i - 1, failing).encode()
        when = f"{stamp + i * 60} +0000"
        lines = [f"commit refs/heads/main\nmark :{i}\n",
                 f"author {name} <{email}> {when}\ncommitter {name} <{email}> {when}\n",
                 f"data {len(data)}\n"]
        head = "".join(lines).encode() + data
        if i > 1:
            head += f"from :{i - 1}\n".encode()
            if (failing and _is_merge(i - 1)) or (not failing and i % 500 == 0 and i > 10):
                head += f"merge :{i - 10}\n".encode()  # a merge of an older commit
        if i == 1:
            head += b"M 644 inline README\ndata 6\nhello\n"
        yield head + b"\n"


def build_repo(count: int, failing: bool = False) -> Path:
    """The cached benchmark repository with COUNT commits on `main`, built if missing."""
    kind = "failing-v2" if failing else "v2"
    repo = Path(tempfile.gettempdir()) / f"charter-bench-dco-{count}-{kind}"
    if (repo / ".done").exists():
        return repo
    if repo.exists():
        subprocess.run(["rm", "-rf", str(repo)], check=True)
    repo.mkdir(parents=True)
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True, env=env)
    print(f"building a {count:,}-commit repository in {repo} ...", file=sys.stderr)
    proc = subprocess.Popen(["git", "-C", str(repo), "fast-import", "--quiet"],
                            stdin=subprocess.PIPE, env=env)
    assert proc.stdin is not None
    for record in _fast_import_stream(count, failing):
        proc.stdin.write(record)
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "-C", str(repo), "reset", "-q", "--hard", "main"], check=True, env=env)
    (repo / ".done").write_text("ok\n")
    return repo


def _cpu() -> tuple[float, float]:
    """CPU seconds used so far by this process and by its finished children (git)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime


def time_git_log(repo: Path, head: str) -> tuple[float, float]:
    """Wall and CPU seconds for git log to print the reader's fields into /dev/null."""
    with open(os.devnull, "wb") as sink:
        _, kids = _cpu()
        start = time.perf_counter()
        # The same command and environment as the reader, so only the parsing and checks differ.
        subprocess.run(git_log_command(repo, [head]), stdout=sink, check=True,
                       env={**os.environ, **GIT_LOG_ENV})
        wall = time.perf_counter() - start
        return wall, _cpu()[1] - kids


def run_checks(repo: Path) -> tuple[int, int]:
    """One pass over the history feeding both checks; returns (commits, findings)."""
    dco_rules = DcoRules(co_authors=True)
    style = commit_checker(CommitRules(conventional=True, merges="forbidden"))
    found: list[Finding] = []
    count = 0

    def tap(commits: Iterator[Commit]) -> Iterator[Commit]:
        # The `commits` check has no state between commits, so it runs inside `dco`'s pass.
        nonlocal count
        for commit in commits:
            count += 1
            found.extend(style(commit))
            yield commit

    found.extend(check_dco(tap(iter_commits(repo, progress=False)), dco_rules))
    return count, len(found)


def time_checks(repo: Path) -> tuple[float, float, int, int]:
    """Wall and CPU seconds (Python and git together) for both checks over the history."""
    own, kids = _cpu()
    start = time.perf_counter()
    commits, findings = run_checks(repo)
    wall = time.perf_counter() - start
    now_own, now_kids = _cpu()
    return wall, (now_own - own) + (now_kids - kids), commits, findings


def _charter_path() -> str:
    """The folder the measured copy of Charter is imported from, for the command's own run."""
    import charter

    return str(Path(charter.__file__).resolve().parents[1])


def time_cli(repo: Path) -> tuple[float, float]:
    """Wall and CPU seconds (Python and git) of `charter check dco commits --format json`."""
    with open(os.devnull, "wb") as sink:
        _, kids = _cpu()
        start = time.perf_counter()
        # Exit 1 (findings) is the expected outcome on these histories.
        subprocess.run([sys.executable, "-m", "charter", "check", "dco", "commits", "--format",
                        "json", "--repo", str(repo)], stdout=sink, check=False,
                       env={**os.environ, "PYTHONPATH": _charter_path()})
        wall = time.perf_counter() - start
        return wall, _cpu()[1] - kids


def measure(label: str, repo: Path, runs: int) -> list[float]:
    """Print the three timings on REPO; return the wall-clock ratios against git log."""
    head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True,
                          text=True, check=True).stdout.strip()
    time_git_log(repo, head)  # warm the page cache before either side is timed
    bases, checks, clis = [], [], []
    for _ in range(runs):  # interleaved, so a busy moment hits every side alike
        bases.append(time_git_log(repo, head))
        checks.append(time_checks(repo))
        clis.append(time_cli(repo))
    base_wall, base_cpu = min(b[0] for b in bases), min(b[1] for b in bases)
    wall, cpu = min(c[0] for c in checks), min(c[1] for c in checks)
    cli_wall, cli_cpu = min(c[0] for c in clis), min(c[1] for c in clis)
    commits, findings = checks[0][2], checks[0][3]
    print(f"{label}: {commits:,} commits, {findings:,} findings")
    print(f"  git log -> /dev/null:   {base_wall * 1000:8.1f} ms wall, {base_cpu * 1000:8.1f} ms "
          f"CPU (best of {runs})")
    print(f"  dco + commits, library: {wall * 1000:8.1f} ms wall, {cpu * 1000:8.1f} ms CPU"
          f"  ratio {wall / base_wall:5.2f}x (CPU {cpu / base_cpu:5.2f}x)")
    print(f"  charter check --json:   {cli_wall * 1000:8.1f} ms wall, {cli_cpu * 1000:8.1f} ms CPU"
          f"  ratio {cli_wall / base_wall:5.2f}x (CPU {cli_cpu / base_cpu:5.2f}x)")
    # git and Python run side by side, so on a machine with a core for each the command takes
    # as long as the busier of the two: Python's own CPU time (the command's, less its git's).
    python_cpu = cli_cpu - base_cpu
    print(f"  Python's own CPU:       {python_cpu * 1000:8.1f} ms, {python_cpu / base_cpu:5.2f}x "
          "git's (the wall-clock ratio on two idle cores)")
    return [wall / base_wall, cli_wall / base_wall]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--commits", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    ratios = measure("mostly passing", build_repo(args.commits), args.runs)
    ratios += measure("mostly failing", build_repo(args.commits, failing=True), args.runs)
    worst = max(ratios)
    print(f"worst ratio:              {worst:5.2f}x (target <= {TARGET}x) "
          f"{'OK' if worst <= TARGET else 'SLOWER THAN TARGET'}")


if __name__ == "__main__":
    main()
