"""`python -m charter` exits as the `charter` script does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize(("args", "code"), [
    (["policy", "check", "llm-d"], 0),
    (["policy", "check", "no-such-policy.yaml"], 2),
])
def test_exit_codes(tmp_path: Path, args: list[str], code: int) -> None:
    proc = subprocess.run([sys.executable, "-m", "charter", *args], cwd=tmp_path,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == code, proc.stderr
