"""The vendored axe-core is exactly the npm package's file its VERSION note names."""

from __future__ import annotations

import re

from tests.browser.harness import AXE, axe_note, axe_sha256


def test_axe_matches_its_recorded_sha256() -> None:
    note = axe_note()
    assert note["package"] == "axe-core" and note["file"] == AXE.name
    assert axe_sha256() == note["sha256"]


def test_axe_is_the_recorded_version() -> None:
    header = AXE.read_text(encoding="utf-8")[:200]
    found = re.search(r"axe v(\d+\.\d+\.\d+)", header)
    assert found is not None and found.group(1) == axe_note()["version"]
    assert axe_note()["version"].startswith("4.")
