"""Findings as text, JSON, SARIF 2.1.0 or GitHub Actions annotations."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from charter import __version__
from charter.checks.findings import Finding

SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def as_json(findings: Sequence[Finding], commits: int, files: int) -> str:
    return json.dumps({"findings": [f.to_json() for f in findings],
                       "checked": {"commits": commits, "files": files}}, indent=2)


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


def as_text(findings: Sequence[Finding], commits: int, files: int, ran: Sequence[str]) -> str:
    lines = []
    for f in findings:
        where = f.path + (f":{f.line}" if f.line else "") if f.path else \
            (f.commit[:10] if f.commit else "")
        lines.append(f"{f.severity:7} {f.rule:32} {where}  {f.message}")
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = sum(1 for f in findings if f.severity == "warning")
    lines.append(f"{errors} error(s), {warnings} warning(s); checked {commits} commit(s), "
                 f"{files} file(s) with: {', '.join(ran) or 'nothing'}")
    return "\n".join(lines)
