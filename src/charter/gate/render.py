"""The gate's verdict as markdown: the `charter` check run's summary and `--format markdown`."""

from __future__ import annotations

from charter.gate.model import GateResult, Requirement


def _mark(r: Requirement) -> str:
    return "✅" if r.met else ("⚠️" if r.severity == "advisory" else "❌")


def summary(result: GateResult) -> str:
    """One line: mergeable, or how many requirements are unmet."""
    blocking = [r for r in result.requirements if r.blocks]
    if not blocking:
        required = sum(1 for r in result.requirements if r.severity == "blocking")
        advice = sum(1 for r in result.requirements if r.severity == "advisory" and not r.met)
        tail = f"; {advice} advisory note(s)" if advice else ""
        return f"Mergeable: all {required} blocking requirement(s) met{tail}"
    return (f"Not mergeable: {len(blocking)} of {len(result.requirements)} requirement(s) "
            "unmet")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def as_markdown(result: GateResult) -> str:
    """A GitHub check-run summary: title, requirement table, approvers needed, charter quotes."""
    title = "✅ " if result.mergeable else "❌ "
    out = [f"## {title}{summary(result)}", "",
           f"Head `{result.head[:12]}`, merge base `{result.merge_base[:12]}`.", "",
           "| | Requirement | Status |", "|---|---|---|"]
    for r in result.requirements:
        rule = f"`{r.rule}`" + (" (advisory)" if r.severity == "advisory" else "")
        out.append(f"| {_mark(r)} | {rule} | {_cell(r.message)} |")
    for r in result.requirements:
        files = [f for f in r.details.get("files", ()) if f.get("needed")]
        if not files:
            continue
        out += ["", "### Files that need approval", "", "| File | Can approve |", "|---|---|"]
        for f in files:
            who = ", ".join(f"@{a}" for a in f["approvers"]) or "nobody (no owner)"
            note = f" ({f['note']})" if f.get("note") else ""
            out.append(f"| `{_cell(f['path'])}`{_cell(note)} | {_cell(who)} |")
        suggested = r.details.get("suggested_approvers")
        if suggested:
            out += ["", "**Suggested approvers:** " + ", ".join(f"@{a}" for a in suggested)]
        if r.details.get("suggestion_note"):
            out += ["", f"_{r.details['suggestion_note']}_"]
        for d in r.details.get("dropped", ()):
            out += ["", f"Approval `{d['approval']}` dropped: {d['reason']}."]
    quoted = [r for r in result.requirements if r.source]
    if quoted:
        out += ["", "### What the charter says"]
        for r in quoted:
            out += ["", f"`{r.rule}`:", "", f"> {_cell(r.source or '')}"]
    return "\n".join(out)
