"""Running the command line as a user does: through `main`, so exit codes are the real ones."""

from __future__ import annotations

import pytest

from charter.cli import main


def run_charter(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """(exit code, standard output, standard error) of `charter ARGS`."""
    try:
        main(args)
        code = 0
    except SystemExit as exit_info:
        code = exit_info.code if isinstance(exit_info.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err
