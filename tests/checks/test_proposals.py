"""Proposals: sections against the template and the policy, held to the template in force."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from charter.checks.proposals import (
    LLM_D_RULES,
    ProposalRules,
    SectionSpec,
    check_proposal_text,
    merge_sections,
    parse_headings,
    template_sections,
)
from charter.checks.repository import proposals_at
from charter.errors import CharterError
from charter.git.history import added_commits
from tests.conftest import git

TEMPLATE = """\
# Proposal Template

## Summary
<!-- A sentence or two any contributor or user can understand. -->

## Motivation

### Goals

### Non-Goals

## Proposal

## Design Details

## Alternatives

## Open Questions (optional)
"""

GOOD = """\
# Disaggregated serving

## Summary
Split prefill and decode onto separate pools.

## Motivation
Long prompts stall decode.

### Goals
- Lower p99 time per output token.

### Non-Goals
- Multi-cluster scheduling.

## Proposal
As an operator I want prefill on its own pods.

## Design Details
```yaml
## Alternatives   <- inside a code fence: not a heading
```
The router picks a prefill pod, then a decode pod.

## Alternatives
Chunked prefill; rejected because it still shares KV cache bandwidth.
"""

TEMPLATE_SPEC = merge_sections(template_sections(TEMPLATE), LLM_D_RULES.sections)


def _edit(old: str, new: str) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new, 1)


# (text, expected {(rule, line, severity)}); lines are 1-based lines of the proposal.
TEXT_CASES: dict[str, tuple[str, set[tuple[str, int | None, str]]]] = {
    "complete proposal passes": (GOOD, set()),
    "missing Alternatives": (
        GOOD[:GOOD.index("## Alternatives\nChunked")],
        {("proposals.section-missing", 18, "error")},
    ),
    "missing Motivation takes its children with it": (
        _edit("## Motivation\nLong prompts stall decode.\n\n### Goals\n- Lower p99 time per "
              "output token.\n\n### Non-Goals\n- Multi-cluster scheduling.\n\n", ""),
        {("proposals.section-missing", 3, "error")},
    ),
    "singular Alternative is misnamed": (
        _edit("## Alternatives\nChunked", "## Alternative\nChunked"),
        {("proposals.section-misnamed", 24, "error")},
    ),
    "Design details differs only in case": (
        _edit("## Design Details", "## Design details"),
        {("proposals.section-misnamed", 18, "warning")},
    ),
    "numbered headings with colons are fine": (
        _edit("## Summary", "## 1. Summary:"),
        set(),
    ),
    "Non Goals without hyphen": (
        _edit("### Non-Goals", "### Non Goals"),
        {("proposals.section-misnamed", 12, "warning")},
    ),
    "Goals at the level of its parent": (
        _edit("### Goals", "## Goals"),
        {("proposals.section-misplaced", 9, "error")},
    ),
    "Goals too deep under Motivation": (
        _edit("### Goals", "#### Goals"),
        {("proposals.section-misplaced", 9, "warning")},
    ),
    "Goals outside Motivation, under Proposal": (
        _edit("### Goals\n- Lower p99 time per output token.\n\n", "").replace(
            "## Design Details", "### Goals\n- Lower p99.\n\n## Design Details"),
        {("proposals.section-misplaced", 15, "error")},
    ),
    "Alternatives before Design Details": (
        GOOD[:GOOD.index("## Design Details")] + GOOD[GOOD.index("## Alternatives\nChunked"):]
        + "\n" + GOOD[GOOD.index("## Design Details"):GOOD.index("## Alternatives\nChunked")],
        {("proposals.section-misplaced", 18, "error")},
    ),
    "empty Proposal section": (
        _edit("As an operator I want prefill on its own pods.\n", ""),
        {("proposals.section-empty", 15, "error")},
    ),
    "a template comment left in place is still empty": (
        _edit("Split prefill and decode onto separate pools.",
              "<!-- A sentence or two any contributor or user can understand. -->"),
        {("proposals.section-empty", 3, "error")},
    ),
    "Motivation with text only in its children is not empty": (
        _edit("Long prompts stall decode.\n", ""),
        set(),
    ),
    "setext headings count": (
        _edit("## Summary\n", "Summary\n-------\n").replace("## Motivation\n",
                                                            "Motivation\n----------\n"),
        set(),
    ),
    "heading inside a code fence does not count": (
        GOOD[:GOOD.index("## Alternatives\nChunked")],
        {("proposals.section-missing", 18, "error")},
    ),
    "Windows line endings": (GOOD.replace("\n", "\r\n"), set()),
    "closing hashes and a linked heading": (
        _edit("## Summary", "## Summary ##").replace("## Motivation", "## [Motivation](#why)"),
        set(),
    ),
    "front matter is not a setext heading": (
        "---\ntitle: Disaggregated serving\nstatus: draft\n---\n" + GOOD,
        set(),
    ),
    "sections at level 1 without a title": (
        GOOD.replace("# Disaggregated serving\n\n", "").replace("## ", "# ").replace("### ",
                                                                                      "## "),
        set(),
    ),
    "one section deeper than the others": (
        _edit("## Proposal", "### Proposal"),
        {("proposals.section-misplaced", 15, "error")},
    ),
    "duplicate Summary": (
        GOOD + "\n## Summary\nAgain.\n",
        {("proposals.section-duplicate", 27, "warning")},
    ),
    "optional section present but empty": (
        GOOD + "\n## Open Questions\n",
        {("proposals.section-empty", 27, "warning")},
    ),
    "no headings at all": (
        "Just some prose about an idea.\n",
        {("proposals.section-missing", None, "error")},
    ),
}


@pytest.mark.parametrize(("text", "expected"), list(TEXT_CASES.values()), ids=list(TEXT_CASES))
def test_check_proposal_text(text: str, expected: set[tuple[str, int | None, str]]) -> None:
    findings = check_proposal_text("docs/proposals/p.md", text, TEMPLATE_SPEC)
    assert {(f.rule, f.line, f.severity) for f in findings} == expected
    assert all(f.check == "proposals" and f.path == "docs/proposals/p.md" for f in findings)


@pytest.mark.parametrize(("text", "fragment"), [
    pytest.param(_edit("## Alternatives\nChunked", "## Alternative\nChunked"),
                 "write it as '## Alternatives'", id="misnamed says the right heading"),
    pytest.param(_edit("## Design Details", "## Design details"),
                 "write it as '## Design Details'", id="case-only says the right heading"),
    pytest.param(_edit("### Goals", "## Goals"), "write it as '### Goals'",
                 id="wrong level says the right level"),
    pytest.param(GOOD[:GOOD.index("## Alternatives\nChunked")],
                 "add '## Alternatives' after 'Design Details'", id="missing says where"),
    pytest.param(_edit("## Motivation\nLong prompts stall decode.\n", ""),
                 "with ### Goals, with ### Non-Goals", id="missing parent lists its children"),
])
def test_messages_say_what_to_do(text: str, fragment: str) -> None:
    messages = [f.message for f in check_proposal_text("p.md", text, TEMPLATE_SPEC)]
    assert any(fragment in m for m in messages), messages


def test_no_headings_lists_every_top_level_section() -> None:
    findings = check_proposal_text("p.md", "Just some prose about an idea.\n", TEMPLATE_SPEC)
    assert {f.message.split("'")[1] for f in findings} == {
        "Alternatives", "Design Details", "Motivation", "Proposal", "Summary"}
    assert all(f.line is None for f in findings)


def test_policy_sections_alone_check_without_levels() -> None:
    findings = check_proposal_text("p.md", _edit("## Alternatives\nChunked", "## Alternative\n"
                                                 "Chunked"), LLM_D_RULES.sections)
    assert [(f.rule, f.line) for f in findings] == [("proposals.section-misnamed", 24)]


def test_parse_headings_uses_commonmark() -> None:
    text = "Title\n=====\n\n```\n# not a heading\n```\n\n    # indented code\n\n## **Bold** `x`\n"
    assert [(h.level, h.text, h.line) for h in parse_headings(text)] == [
        (1, "Title", 1), (2, "Bold x", 10)]


def test_template_sections_nest_and_mark_optional() -> None:
    specs = template_sections(TEMPLATE)
    assert [s.title for s in specs] == ["Summary", "Motivation", "Proposal", "Design Details",
                                        "Alternatives", "Open Questions"]
    assert [c.title for c in specs[1].children] == ["Goals", "Non-Goals"]
    assert specs[1].children[0].level == 3
    assert specs[-1].required is False


@pytest.mark.parametrize(("template", "policy", "titles"), [
    pytest.param((SectionSpec("Summary", 2), SectionSpec("Proposal", 2)),
                 (SectionSpec("Summary"), SectionSpec("Risks"), SectionSpec("Proposal")),
                 ["Summary", "Risks", "Proposal"], id="policy-only section lands in order"),
    pytest.param((SectionSpec("Summary", 2), SectionSpec("Extra", 2)),
                 (SectionSpec("Summary"),), ["Summary", "Extra"],
                 id="template-only section kept"),
    pytest.param((), LLM_D_RULES.sections,
                 ["Summary", "Motivation", "Proposal", "Design Details", "Alternatives"],
                 id="no template headings"),
])
def test_merge_sections(template: tuple[SectionSpec, ...], policy: tuple[SectionSpec, ...],
                        titles: list[str]) -> None:
    assert [s.title for s in merge_sections(template, policy)] == titles


def test_merge_keeps_children_from_both_and_policy_can_require() -> None:
    template = (SectionSpec("Motivation", 2, (SectionSpec("Goals", 3),)),
                SectionSpec("Risks", 2, required=False))
    policy = (SectionSpec("Motivation", children=(SectionSpec("Goals"), SectionSpec("Non-Goals"))),
              SectionSpec("Risks"))
    merged = merge_sections(template, policy)
    assert [c.title for c in merged[0].children] == ["Goals", "Non-Goals"]
    assert merged[0].level == 2
    assert merged[1].required is True


# --- against a real repository -------------------------------------------------------------

def _commit(repo: Path, files: dict[str, str | bytes | None], message: str,
            date: str) -> str:
    for path, content in files.items():
        target = repo / path
        if content is None:
            git(repo, "rm", "-q", path)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
        git(repo, "add", path)
    env = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    git(repo, "commit", "-q", "-m", message, env=env)
    return git(repo, "rev-parse", "HEAD").strip()


TEMPLATE_V1 = TEMPLATE
TEMPLATE_V2 = TEMPLATE.replace("## Alternatives", "## Security Considerations\n\n## Alternatives")
TPL = "docs/proposals/PROPOSAL_TEMPLATE.md"


@pytest.fixture
def history(make_repo: Callable[[str], Path]) -> Path:
    """Template v1; proposal A; template gains Security Considerations; proposal B."""
    repo = make_repo("llm-d")
    _commit(repo, {TPL: TEMPLATE_V1, "README.md": "# llm-d\n"}, "Add template",
            "2026-01-05T10:00:00Z")
    _commit(repo, {"docs/proposals/a.md": GOOD}, "Proposal A", "2026-01-06T10:00:00Z")
    _commit(repo, {TPL: TEMPLATE_V2}, "Template: security section", "2026-01-07T10:00:00Z")
    _commit(repo, {"docs/proposals/b.md": GOOD}, "Proposal B", "2026-01-08T10:00:00Z")
    return repo


def test_each_proposal_is_held_to_the_template_in_force_when_added(history: Path) -> None:
    findings = proposals_at(history, "HEAD", LLM_D_RULES)
    assert [(f.path, f.rule, f.line) for f in findings] == [
        ("docs/proposals/b.md", "proposals.section-missing", 18)]
    assert "'Security Considerations'" in findings[0].message
    assert "after 'Design Details'" in findings[0].message


def test_proposal_edited_later_keeps_its_original_template(history: Path) -> None:
    _commit(history, {"docs/proposals/a.md": GOOD + "\nMore detail.\n"}, "Edit A",
            "2026-01-09T10:00:00Z")
    paths = {f.path for f in proposals_at(history, "HEAD", LLM_D_RULES)}
    assert paths == {"docs/proposals/b.md"}


def test_older_revision_sees_only_what_existed_then(history: Path) -> None:
    assert proposals_at(history, "HEAD~1", LLM_D_RULES) == []


def test_proposal_older_than_its_template_uses_the_current_one(
        make_repo: Callable[[str], Path]) -> None:
    repo = make_repo("early")
    _commit(repo, {"docs/proposals/a.md": GOOD}, "Proposal before any template",
            "2026-01-05T10:00:00Z")
    _commit(repo, {TPL: TEMPLATE_V2}, "Add template", "2026-01-06T10:00:00Z")
    findings = proposals_at(repo, "HEAD", LLM_D_RULES)
    assert [(f.path, f.rule) for f in findings] == [
        ("docs/proposals/a.md", "proposals.section-missing")]


def test_readded_file_uses_its_latest_addition(history: Path) -> None:
    _commit(history, {"docs/proposals/a.md": None}, "Drop A", "2026-01-09T10:00:00Z")
    last = _commit(history, {"docs/proposals/a.md": GOOD}, "Bring A back",
                   "2026-01-10T10:00:00Z")
    added = added_commits(history, "HEAD", LLM_D_RULES.globs)
    assert added["docs/proposals/a.md"] == last
    assert {f.path for f in proposals_at(history, "HEAD", LLM_D_RULES)} == {
        "docs/proposals/a.md", "docs/proposals/b.md"}


def test_added_commits_is_one_batched_pass(history: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from charter.git.command import run_git

    calls: list[list[str]] = []

    def spy(repo: str | Path, args: list[str], **kw: object) -> bytes:
        calls.append(list(args))
        return run_git(repo, args)

    monkeypatch.setattr("charter.git.history.run_git", spy)
    added = added_commits(history, "HEAD", LLM_D_RULES.globs)
    assert set(added) == {"docs/proposals/a.md", "docs/proposals/b.md", TPL}
    assert len(calls) == 1 and calls[0][0] == "log"


@pytest.mark.parametrize(("content", "rule", "severity"), [
    pytest.param(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "proposals.binary", "warning", id="binary"),
    pytest.param("# Résumé\n".encode("latin-1"), "proposals.encoding", "error", id="latin-1"),
    pytest.param(b"#" * 1_000_001, "proposals.too-large", "warning", id="huge"),
])
def test_unreadable_proposals_are_findings(make_repo: Callable[[str], Path], content: bytes,
                                           rule: str, severity: str) -> None:
    repo = make_repo("odd")
    _commit(repo, {TPL: TEMPLATE, "docs/proposals/odd.md": content}, "Odd file",
            "2026-01-05T10:00:00Z")
    findings = proposals_at(repo, "HEAD", LLM_D_RULES)
    assert [(f.path, f.rule, f.severity) for f in findings] == [
        ("docs/proposals/odd.md", rule, severity)]


def test_template_is_not_a_proposal_and_a_missing_template_is_said(
        make_repo: Callable[[str], Path]) -> None:
    repo = make_repo("notpl")
    _commit(repo, {"docs/proposals/a.md": GOOD, "docs/proposals/sub/x.md": "# x\n"},
            "No template", "2026-01-05T10:00:00Z")
    findings = proposals_at(repo, "HEAD", LLM_D_RULES)
    # sub/x.md is outside docs/proposals/*.md: a star does not cross folders.
    assert [(f.path, f.rule) for f in findings] == [(TPL, "proposals.template-missing")]


def test_llama_stack_rfcs_without_template(make_repo: Callable[[str], Path]) -> None:
    repo = make_repo("llama")
    _commit(repo, {"rfcs/RFC-0001-stack.md": "# RFC: Llama Stack\n\nText.\n"}, "RFC",
            "2026-01-05T10:00:00Z")
    rules = ProposalRules(globs=("rfcs/*.md",), template=None,
                          sections=(SectionSpec("Motivation"),))
    findings = proposals_at(repo, "HEAD", rules)
    assert [(f.path, f.rule) for f in findings] == [
        ("rfcs/RFC-0001-stack.md", "proposals.section-missing")]


def test_unknown_revision_is_a_clear_error(history: Path) -> None:
    with pytest.raises(CharterError, match="unknown revision 'nope'"):
        proposals_at(history, "nope", LLM_D_RULES)
