"""Benchmark: loading a policy at the size cap, and refusing hostile YAML, against a baseline.

Run as `.venv/bin/python bench/bench_yamlio.py [--runs K]`. The baseline, measured in the same
run, is loading the llama-stack preset (a real policy, about 14 KB). Timed: a valid policy just
under MAX_YAML_BYTES (many vote processes) loaded end to end; a 10 MB policy (refused by the size
cap); a billion-laughs alias bomb; flow nesting 100,000 levels deep. Targets: the policy at the
cap loads in under 5 s, and every refusal takes under 0.5 s. Times are CPU seconds, median of K.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from charter.errors import CharterError
from charter.policy.loader import load_policy
from charter.yamlio import MAX_YAML_BYTES

HEAD = "charter: 1\nextends: llama-stack\nproject: {name: big}\nprocesses:\n"
PROCESS = ("  p{i}:\n    type: vote\n    voters: maintainer\n    min_open: 7 days\n"
           "    pass: {{at_least: 60%, of: cast}}\n"
           "    source: \"sentence number {i} of the charter text\"\n")
TARGET_LOAD = 5.0
TARGET_REFUSAL = 0.5


def at_the_cap() -> str:
    """A valid policy just under MAX_YAML_BYTES."""
    parts = [HEAD]
    size, i = len(HEAD), 0
    while size + len(PROCESS) + 10 < MAX_YAML_BYTES:
        part = PROCESS.format(i=i)
        parts.append(part)
        size += len(part)
        i += 1
    return "".join(parts)


def bomb() -> str:
    lines = [HEAD.rstrip("\n").removesuffix("processes:"), "description:",
             "  - &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"  - &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    return "\n".join(lines) + "\n"


def cpu(runs: int, action: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.process_time()
        action()
        times.append(time.process_time() - start)
    return statistics.median(times)


def refused(path: Path) -> Callable[[], None]:
    def action() -> None:
        try:
            load_policy(path)
        except CharterError:
            return
        raise AssertionError(f"{path.name} was not refused")
    return action


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="charter-bench-yaml-") as tmp:
        files = {
            "cap": at_the_cap(),
            "10mb": HEAD + ("# " + "x" * 70 + "\n") * (10 * 1024 * 1024 // 73),
            "bomb": bomb(),
            "deep": HEAD.rstrip("\n").removesuffix("processes:") + "description: "
            + "[" * 100_000 + "]" * 100_000 + "\n",
        }
        paths = {}
        for name, text in files.items():
            paths[name] = Path(tmp, f"{name}.yaml")
            paths[name].write_text(text)
        baseline = cpu(args.runs, lambda: load_policy("llama-stack"))
        cap = cpu(args.runs, lambda: load_policy(paths["cap"]))
        print(f"baseline (llama-stack preset): {baseline * 1e3:7.1f} ms")
        print(f"policy at the cap ({paths['cap'].stat().st_size:,} bytes): {cap:6.2f} s, "
              f"{cap / baseline:6.1f}x the baseline (target under {TARGET_LOAD:.0f} s)")
        ok = cap < TARGET_LOAD
        for name in ("10mb", "bomb", "deep"):
            took = cpu(args.runs, refused(paths[name]))
            print(f"refuse {name:>5} ({paths[name].stat().st_size:>10,} bytes): "
                  f"{took * 1e3:7.1f} ms, {took / baseline:5.1f}x the baseline "
                  f"(target under {TARGET_REFUSAL * 1e3:.0f} ms)")
            ok = ok and took < TARGET_REFUSAL
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
