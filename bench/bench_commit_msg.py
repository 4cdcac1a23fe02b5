"""Benchmark: `charter commit-msg` end to end, as git runs it on every commit, against
`python -c pass` (the interpreter's own start-up).

Run as `.venv/bin/python bench/bench_commit_msg.py [--runs K]`. A repository whose
charter.yaml extends the llm-d preset is made in a temporary folder, with a private cache
folder; the hook is timed after one run has remembered the policy's rules (every later commit),
and once without that (the first commit after the policy or Charter changes).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 0.15  # seconds, end to end
MESSAGE = ("Add a cache for model lookups\n\nLookups hit the registry on every request; keep "
           "them for a minute.\n\nSigned-off-by: Bench Author <bench@example.org>\n")
POLICY = "charter: 1\nextends: llm-d\nproject: {name: Bench}\n"


def _wall(argv: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {proc.stderr.decode()}")
    return wall


def _charter_path() -> str:
    import charter

    return str(Path(charter.__file__).resolve().parents[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="charter-bench-hook-") as tmp:
        root = Path(tmp)
        repo = root / "repo"
        repo.mkdir()
        # The hook runs in the repository: the copy of Charter being measured is named by
        # absolute path, so a relative PYTHONPATH cannot pick up another one.
        env = {**os.environ, "PYTHONPATH": _charter_path(),
               "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
               "GIT_AUTHOR_NAME": "Bench Author", "GIT_AUTHOR_EMAIL": "bench@example.org",
               "GIT_COMMITTER_NAME": "Bench Author", "GIT_COMMITTER_EMAIL": "bench@example.org",
               "XDG_CACHE_HOME": str(root / "cache")}
        subprocess.run(["git", "init", "-q", str(repo)], check=True, env=env)
        (repo / "charter.yaml").write_text(POLICY)
        (repo / ".git" / "COMMIT_EDITMSG").write_text(MESSAGE)
        hook = [sys.executable, "-m", "charter", "commit-msg", ".git/COMMIT_EDITMSG"]
        cold = min(_wall(hook, {**env, "XDG_CACHE_HOME": str(root / f"cold{i}")}, repo)
                   for i in range(3))
        _wall(hook, env, repo)  # the first commit remembers the policy's rules
        bare, warm = [], []
        for _ in range(args.runs):  # interleaved, so a busy moment hits both sides alike
            bare.append(_wall([sys.executable, "-c", "pass"], env, repo))
            warm.append(_wall(hook, env, repo))
    base, hook_time = min(bare), min(warm)
    print(f"python -c pass:             {base * 1000:7.1f} ms (best of {args.runs})")
    print(f"charter commit-msg:         {hook_time * 1000:7.1f} ms "
          f"({hook_time / base:4.1f}x python -c pass, {(hook_time - base) * 1000:.1f} ms more)")
    print(f"  policy not yet remembered: {cold * 1000:7.1f} ms (best of 3)")
    print(f"target: under {TARGET * 1000:.0f} ms end to end "
          f"{'OK' if hook_time < TARGET else 'SLOWER THAN TARGET'}")


if __name__ == "__main__":
    main()
