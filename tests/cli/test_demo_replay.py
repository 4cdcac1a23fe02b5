"""The README's webhook replay works: its curl and openssl commands, run as written against a
running `charter demo`, are accepted and reach the demo project."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from tests.web.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


def replay_snippet() -> str:
    """The README's shell block that signs with openssl."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    found = [b for b in blocks if "openssl" in b]
    assert len(found) == 1, "the README shows one webhook replay"
    return str(found[0])


def test_the_readme_replays_a_signed_webhook_on_the_demo(tmp_path: Path) -> None:
    port = free_port()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT / "src")}
    demo = subprocess.Popen([sys.executable, "-m", "charter", "demo", "--port", str(port)],
                            env=env, cwd=tmp_path, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    lines: list[str] = []

    def read() -> None:
        assert demo.stderr is not None
        for line in demo.stderr:
            lines.append(line)

    threading.Thread(target=read, daemon=True).start()
    try:
        secret = None
        deadline = time.monotonic() + 120
        while secret is None:
            assert time.monotonic() < deadline and demo.poll() is None, "".join(lines)
            match = re.search(r"webhooks: POST \S+, secret ([0-9a-f]+)", "".join(lines))
            secret = match[1] if match else None
            time.sleep(0.1)
        script = replay_snippet().replace("SECRET=...", f"SECRET={secret}") \
            .replace("localhost:8000", f"localhost:{port}")
        ran = subprocess.run(["bash", "-ec", script], capture_output=True, text=True,
                             timeout=60, check=False)
        assert ran.returncode == 0, ran.stderr
        assert " 202" in ran.stdout
        url = f"http://127.0.0.1:{port}/api/v1/projects/rocket/rocket/decisions/42"
        for _ in range(100):  # the worker processes the delivery within its idle second
            answer = httpx.get(url, timeout=10)
            if answer.status_code == 200:
                break
            time.sleep(0.1)
        assert answer.status_code == 200 and answer.json()["status"] == "open"
        again = subprocess.run(["bash", "-ec", script], capture_output=True, text=True,
                               timeout=60, check=False)
        assert " 200" in again.stdout  # the same delivery again does nothing more
    finally:
        demo.terminate()
        demo.wait(20)
