"""A real `charter demo` on loopback and Debian's Chromium driven by Playwright, for the
dashboard's browser tests.

Chromium is the system's (/usr/bin/chromium, or CHARTER_CHROMIUM): Playwright never downloads a
browser here. Without it, or without Playwright, a test fails loudly in CI (`CI` set) and is
skipped elsewhere with a message saying how to run it, as the PostgreSQL tests do.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import charter

ROOT = Path(__file__).resolve().parents[2]
#: The demo runs the very code the tests import (this checkout's src/ with PYTHONPATH=src).
SRC = Path(charter.__file__).resolve().parents[1]
RESULTS = ROOT / "test-results"
VENDOR = Path(__file__).resolve().parent / "vendor"
CHROMIUM = os.environ.get("CHARTER_CHROMIUM", "/usr/bin/chromium")
#: No sandbox (containers run as root without user namespaces), no GPU, and nothing that talks
#: to Google's servers behind the test's back.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
START_TIMEOUT = 60.0


def chromium_missing(browser: str | None = None) -> str | None:
    """None when Playwright and Chromium (BROWSER, default CHROMIUM) are here, else why not."""
    browser = browser or CHROMIUM
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as err:
        return f"Playwright is not installed ({err}); `scripts/setup test` installs it"
    if not (os.path.isfile(browser) and os.access(browser, os.X_OK)) \
            and shutil.which(browser) is None:
        return (f"no Chromium at {browser}; install Debian's package (`apt-get install "
                "chromium`, as scripts/test does) or set CHARTER_CHROMIUM")
    return None


def need_chromium(browser: str | None = None) -> None:
    """Return when the browser tests can run; else fail in CI, skip elsewhere."""
    why = chromium_missing(browser)
    if why is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"the browser tests need Chromium in CI: {why}")
    pytest.skip(f"browser tests skipped: {why}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Demo:
    """A running demo: where it answers, what it printed, and its process."""

    base_url: str
    project: str
    #: login -> (what they may do, API token), from the banner's token lines.
    tokens: dict[str, tuple[str, str]]
    #: login -> (role, password), from the banner's local accounts for the dashboard.
    accounts: dict[str, tuple[str, str]]
    database: str
    banner: str
    log: Path
    process: subprocess.Popen[bytes] = field(repr=False)

    def account(self, role: str, *, besides: tuple[str, ...] = ()) -> tuple[str, str]:
        """(login, password) of a printed demo account holding ROLE."""
        for login, (held, password) in self.accounts.items():
            if held == role and login not in besides:
                return login, password
        raise AssertionError(f"charter demo printed no {role} account; it printed "
                             f"{self.accounts or 'none'}:\n{self.banner}")

    def url(self, path: str) -> str:
        return self.base_url + path

    def api(self, method: str, path: str, body: Any = None, login: str | None = None,
            ) -> tuple[int, Any]:
        """Call the demo's REST API (as LOGIN's printed token when given): (status, JSON)."""
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if login is not None:
            headers["Authorization"] = f"Bearer {self.tokens[login][1]}"
        request = urllib.request.Request(self.url(path), data=data, headers=headers,
                                         method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"null")

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


TOKEN_LINE = re.compile(r"^\s{4}(\S+)\s+(\S+)\s+([A-Za-z0-9_\-.~]{20,})\s*$")
ACCOUNT_LINE = re.compile(r"^\s{4}(\S+)\s+(\S+)\s+password:?\s+(\S+)\s*$")


def parse_banner(text: str) -> tuple[str, dict[str, tuple[str, str]],
                                     dict[str, tuple[str, str]], str]:
    """(project, tokens, accounts, database) from what `charter demo` prints when it is up."""
    project = ""
    database = ""
    tokens: dict[str, tuple[str, str]] = {}
    accounts: dict[str, tuple[str, str]] = {}
    section = ""
    for line in text.splitlines():
        found = re.match(r"Charter demo: (\S+?),", line.strip())
        if found:
            project = found.group(1)
        if line.strip().startswith("database:"):
            database = line.split(":", 1)[1].strip()
        if re.match(r"^\s{2}\S", line):
            heading = line.strip().lower()
            section = ("tokens" if heading.startswith("tokens") else
                       "accounts" if ("account" in heading or "sign in" in heading
                                      or "password" in heading) else "")
            continue
        if section == "tokens" and (match := TOKEN_LINE.match(line)):
            tokens[match.group(1)] = (match.group(2), match.group(3))
        elif section == "accounts" and (match := ACCOUNT_LINE.match(line)):
            accounts[match.group(1)] = (match.group(2), match.group(3))
    return project, tokens, accounts, database


def start_demo(name: str, *extra: str, env: dict[str, str] | None = None) -> Demo:
    """Start `charter demo` on a free loopback port; return once its banner is printed."""
    RESULTS.mkdir(exist_ok=True)
    log = RESULTS / f"demo-{name}.log"
    last: Exception | None = None
    for _ in range(3):  # a free port may be taken between choosing it and binding it
        port = free_port()
        environment = {**os.environ, "PYTHONPATH": str(SRC),
                       "PYTHONUNBUFFERED": "1", **(env or {})}
        with log.open("wb") as sink:
            process = subprocess.Popen(
                [sys.executable, "-m", "charter", "demo", "--port", str(port), *extra],
                cwd=ROOT, env=environment, stdout=sink, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL)
        try:
            return _wait(process, port, log)
        except RuntimeError as err:
            last = err
            stop(process)
            if "address already in use" not in log.read_text(errors="replace").lower():
                raise
    raise RuntimeError(f"charter demo did not start: {last}")


def _wait(process: subprocess.Popen[bytes], port: int, log: Path) -> Demo:
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        text = log.read_text(encoding="utf-8", errors="replace")
        if process.poll() is not None:
            raise RuntimeError(f"charter demo exited with {process.returncode}:\n{text[-3000:]}")
        if f"served at {base}" in text and _answers(base):
            project, tokens, accounts, database = parse_banner(text)
            return Demo(base, project, tokens, accounts, database, text, log, process)
        time.sleep(0.1)
    raise RuntimeError(f"charter demo did not answer at {base} within {START_TIMEOUT:.0f} s:\n"
                       f"{log.read_text(errors='replace')[-3000:]}")


def _answers(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/api/v1/projects", timeout=2) as answer:
            return bool(answer.status == 200)
    except (OSError, urllib.error.URLError):
        return False


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def screenshot_path(name: str) -> Path:
    folder = RESULTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name).strip('-')}.png"


# --- axe-core ---------------------------------------------------------------------------------

AXE = VENDOR / "axe.min.js"
AXE_NOTE = VENDOR / "VERSION"


def axe_note() -> dict[str, str]:
    """The vendored axe-core's VERSION note: `key: value` lines (version, sha256, source)."""
    out: dict[str, str] = {}
    for line in AXE_NOTE.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.partition(":")
        if sep and not line.startswith("#"):
            out[key.strip()] = value.strip()
    return out


def axe_sha256() -> str:
    return hashlib.sha256(AXE.read_bytes()).hexdigest()


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """axe's violations as lines a person can act on: rule, impact, help, and each element."""
    lines: list[str] = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation.get('impact')}): {violation['help']} "
                     f"<{violation.get('helpUrl', '')}>")
        for node in violation.get("nodes", [])[:10]:
            target = " ".join(str(t) for t in node.get("target", []))
            lines.append(f"    at {target}: {node.get('failureSummary', '').strip()}"
                         .replace("\n", " "))
            lines.append(f"       {node.get('html', '')[:200]}")
    return "\n".join(lines)


SERIOUS = ("serious", "critical")
