"""The vendored htmx is the file its record names, byte for byte, and is served."""

from __future__ import annotations

import hashlib
import json

from charter.web.render import STATIC
from tests.web.conftest import Demo


def test_vendored_htmx_matches_its_record() -> None:
    record = json.loads((STATIC / "htmx.json").read_text(encoding="utf-8"))
    assert record["package"] == "htmx.org" and record["version"].startswith("2.0.")
    data = (STATIC / "htmx.min.js").read_bytes()
    assert hashlib.sha256(data).hexdigest() == record["sha256"]
    assert f'version:"{record["version"]}"' in data.decode()


def test_static_files_are_served(demo: Demo) -> None:
    visitor = demo.visitor()
    for name in ("htmx.min.js", "charter.js", "charter.css"):
        answer = visitor.get(f"/static/{name}")
        assert answer.status_code == 200 and answer.content == (STATIC / name).read_bytes()
