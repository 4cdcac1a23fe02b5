"""Findings as text, JSON, SARIF 2.1.0 or GitHub Actions annotations."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from charter import __version__
from charter.checks.findings import Finding

SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def as_json(findings: Sequence[Finding], commits: int, files: int) -> str:
    """The `check --json` document, laid out as `json.dumps(indent=2)` would.

    Tens of thousands of findings are common on an old history; json's indented encoder is
    pure Python, so each finding is written with the C string encoder instead.
    """
    items = "[\n" + ",\n".join(_findings_json(findings)) + "\n  ]" if findings else "[]"
    return (f'{{\n  "findings": {items},\n  "checked": {{\n    "commits": {commits},\n'
            f'    "files": {files}\n  }}\n}}')


def _findings_json(findings: Sequence[Finding]) -> list[str]:
    """Each finding as its indented JSON object; one loop, as this runs once per finding."""
    string = json.encoder.encode_basestring_ascii
    # Check, severity and rule take a handful of values: their text is made once.
    parts: dict[tuple[str, str, str], tuple[str, str]] = {}
    out: list[str] = []
    append = out.append
    for f in findings:
        key = (f.check, f.severity, f.rule)
        found = parts.get(key)
        if found is None:
            found = parts[key] = (
                f'    {{\n      "check": {string(f.check)},\n      "severity": '
                f'{string(f.severity)},\n      "commit": ',
                f',\n      "rule": {string(f.rule)},\n      "message": ')
        sha = f.commit
        commit = "null" if sha is None else f'"{sha}"' if sha.isalnum() and sha.isascii() \
            else string(sha)
        path = "null" if f.path is None else string(f.path)
        line = "null" if f.line is None else str(int(f.line))
        append(f'{found[0]}{commit},\n      "path": {path},\n      "line": {line}{found[1]}'
               f'{string(f.message)}\n    }}')
    return out


def as_sarif(findings: Sequence[Finding]) -> str:
    rules = sorted({f.rule for f in findings})
    results: list[dict[str, Any]] = []
    for f in findings:
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "ruleIndex": rules.index(f.rule),
            "level": SARIF_LEVEL[f.severity],
            "message": {"text": f.message},
        }
        if f.path:
            region = {"startLine": f.line} if f.line else None
            physical: dict[str, Any] = {"artifactLocation": {"uri": f.path}}
            if region:
                physical["region"] = region
            result["locations"] = [{"physicalLocation": physical}]
        if f.commit:
            result["partialFingerprints"] = {"commitSha": f.commit}
            result["properties"] = {"commit": f.commit}
        results.append(result)
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "charter", "version": __version__,
                "informationUri": "https://github.com/charter-governance/charter",
                "rules": [{"id": r, "shortDescription": {"text": r}} for r in rules],
            }},
            "results": results,
        }],
    }
    return json.dumps(document, indent=2)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def as_github(findings: Sequence[Finding]) -> str:
    """GitHub Actions workflow commands: one annotation per finding."""
    lines = []
    for f in findings:
        kind = {"error": "error", "warning": "warning", "info": "notice"}[f.severity]
        props = []
        if f.path:
            props.append(f"file={_escape_property(f.path)}")
            if f.line:
                props.append(f"line={f.line}")
        props.append(f"title={_escape_property(f.rule)}")
        where = f"{f.commit[:10]}: " if f.commit else ""
        lines.append(f"::{kind} {','.join(props)}::{_escape_data(where + f.message)}")
    return "\n".join(lines)


#: Text output shows this many findings of each rule, then counts the rest.
TEXT_PER_RULE = 10


def as_text(findings: Sequence[Finding], commits: int, files: int, ran: Sequence[str]) -> str:
    """One line per finding, at most TEXT_PER_RULE of each rule, then a count per rule of the
    rest and a summary line: thousands of findings stay readable."""
    lines = []
    shown: dict[str, int] = {}
    for f in findings:
        count = shown[f.rule] = shown.get(f.rule, 0) + 1
        if count > TEXT_PER_RULE:
            continue
        where = f.path + (f":{f.line}" if f.line else "") if f.path else \
            (f.commit[:10] if f.commit else "")
        lines.append(f"{f.severity:7} {f.rule:32} {where}  {f.message}")
    hidden = {rule: n - TEXT_PER_RULE for rule, n in shown.items() if n > TEXT_PER_RULE}
    for rule, n in hidden.items():
        lines.append(f"...     {rule:32} and {n:,} more like it")
    if hidden:
        lines.append(f"(at most {TEXT_PER_RULE} findings of each rule are shown; "
                     "`--format json` lists them all)")
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = sum(1 for f in findings if f.severity == "warning")
    lines.append(f"{errors} error(s), {warnings} warning(s); checked {commits} commit(s), "
                 f"{files} file(s) with: {', '.join(ran) or 'nothing'}")
    return "\n".join(lines)
