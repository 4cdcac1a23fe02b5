"""Proposal sections: what a template's optional parts and placeholders require, one piece of
advice per heading, and proposals found where the repository keeps them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from charter.checks.proposals import (
    LLM_D_RULES,
    ProposalRules,
    check_proposal_text,
    locate_proposals,
    merge_sections,
    template_sections,
)
from charter.checks.repository import proposals_at
from tests.conftest import git

# A template in the shape of llm-d's: optional user stories under Proposal, with numbered
# placeholder stories; an optional section with a sub-section; a numbered series under a
# required section.
TEMPLATE = """\
# Title

## Summary

## Motivation

### Goals

### Non-Goals

## Proposal

### User Stories (Optional)

#### Story 1

#### Story 2

### Risks (optional)

#### Mitigations

## Examples

### Example 1

### Example 2

## Design Details

## Alternatives
"""
SECTIONS = merge_sections(template_sections(TEMPLATE), LLM_D_RULES.sections)

BASE = """\
# A proposal

## Summary
Text.

## Motivation
Text.

### Goals
Text.

### Non-Goals
Text.

## Proposal
Text.

{stories}
## Examples
Text.

{examples}
## Design Details
Text.

## Alternatives
Text.
"""


def doc(stories: str = "", examples: str = "") -> str:
    return BASE.format(stories=stories, examples=examples)


def found(text: str) -> set[tuple[str, int | None, str]]:
    return {(f.rule, f.line, f.severity) for f in check_proposal_text("p.md", text, SECTIONS)}


# --- optional sections and placeholders (nothing under an optional heading is required) ----

@pytest.mark.parametrize("text", [
    pytest.param(doc(), id="no user stories at all"),
    pytest.param(doc("### User Stories\n\n#### As an operator\nText.\n\n#### As a user\n"
                     "Text.\n"), id="own story headings"),
    pytest.param(doc("### User Stories\nAs an operator I want it.\n"), id="stories as prose"),
    pytest.param(doc("### User Stories (Optional)\n\n#### Story 1\nText.\n"),
                 id="template headings kept verbatim"),
    pytest.param(doc("### Risks\nText.\n"), id="optional parent without its sub-section"),
    pytest.param(doc(examples="### A walkthrough\nText.\n"),
                 id="numbered placeholders under a required section"),
])
def test_optional_sections_and_placeholders_are_not_required(text: str) -> None:
    assert found(text) == set()


def test_template_marks_optional_descendants_and_placeholders() -> None:
    proposal = next(s for s in SECTIONS if s.title == "Proposal")
    stories, risks = proposal.children
    assert (stories.title, stories.required) == ("User Stories", False)
    assert [(c.title, c.required, c.placeholder) for c in stories.children] == [
        ("Story 1", False, True), ("Story 2", False, True)]
    assert [(c.title, c.required) for c in risks.children] == [("Mitigations", False)]
    examples = next(s for s in SECTIONS if s.title == "Examples")
    assert examples.required and not any(c.required for c in examples.children)


def test_a_single_numbered_heading_is_a_section() -> None:
    specs = template_sections("# T\n\n## Phase 1\n\n## Summary\n")
    assert [(s.title, s.required, s.placeholder) for s in specs] == [
        ("Phase 1", True, False), ("Summary", True, False)]


def test_a_placeholder_is_matched_only_by_its_own_name() -> None:
    text = doc("### User Stories\n\n#### Story 1: Multi-source data\nText.\n")
    assert found(text) == set()


# --- one finding, one fix, per heading ----------------------------------------------------

# (edit of the base document, {(rule, line, severity)}, the fix every finding gives)
ADVICE: dict[str, tuple[str, set[tuple[str, int | None, str]], str]] = {
    "another name and the level of its parent": (
        doc().replace("## Examples\n", "## User Stories (CUJs)\nText.\n\n## Examples\n"),
        {("proposals.section-misplaced", 19, "error")}, "write it as '### User Stories'"),
    "a longer name is misnamed, not missing": (
        doc().replace("## Alternatives", "## Alternatives Considered"),
        {("proposals.section-misnamed", 26, "warning")}, "write it as '## Alternatives'"),
    "a name with a word in front": (
        doc().replace("## Summary", "## Executive Summary"),
        {("proposals.section-misnamed", 3, "warning")}, "write it as '## Summary'"),
    "case and the wrong level, both errors of one heading": (
        doc().replace("## Design Details", "### Design details"),
        {("proposals.section-misplaced", 23, "error")}, "write it as '## Design Details'"),
    "case and too deep, both warnings of one heading": (
        doc().replace("### Goals", "#### goals"),
        {("proposals.section-misnamed", 9, "warning")}, "write it as '### Goals'"),
    "a misspelling": (
        doc().replace("## Motivation", "## Motivaton"),
        {("proposals.section-misnamed", 6, "error")}, "write it as '## Motivation'"),
}


@pytest.mark.parametrize(("text", "expected", "fix"), list(ADVICE.values()), ids=list(ADVICE))
def test_each_heading_gets_one_finding_with_one_fix(text: str, expected: set[tuple[str,
                                                    int | None, str]], fix: str) -> None:
    findings = check_proposal_text("p.md", text, SECTIONS)
    assert {(f.rule, f.line, f.severity) for f in findings} == expected
    assert all(fix in f.message for f in findings), [f.message for f in findings]


def test_a_parent_at_the_wrong_level_and_its_children_get_one_layout() -> None:
    text = doc().replace("## Motivation", "# Motivation").replace("### Goals", "## Goals") \
        .replace("### Non-Goals", "## Non-Goals")
    messages = {f.line: f.message for f in check_proposal_text("p.md", text, SECTIONS)}
    assert "write it as '## Motivation'" in messages[6]
    assert "write it as '### Goals'" in messages[9]
    assert "write it as '### Non-Goals'" in messages[12]


def test_another_sections_name_is_not_a_longer_name() -> None:
    # `Non-Goals` contains `Goals`, but it is the Non-Goals section: Goals is missing.
    text = doc().replace("### Goals\nText.\n\n", "")
    assert found(text) == {("proposals.section-missing", 9, "error")}


@pytest.mark.parametrize("text", [text for text, _, _ in ADVICE.values()])
def test_never_two_findings_for_one_heading(text: str) -> None:
    lines = Counter(f.line for f in check_proposal_text("p.md", text, SECTIONS)
                    if f.rule != "proposals.section-missing")
    assert all(count == 1 for count in lines.values()), lines


# --- where proposals live ------------------------------------------------------------------

TPL = "docs/proposals/PROPOSAL_TEMPLATE.md"
RULES = ProposalRules(globs=("docs/proposals/*.md",), template=TPL)


@pytest.mark.parametrize(("rules", "paths", "globs", "template", "notes"), [
    pytest.param(RULES, [TPL, "docs/proposals/a.md"], ("docs/proposals/*.md",), TPL, [],
                 id="template where the policy says"),
    pytest.param(RULES, ["proposals/PROPOSAL_TEMPLATE.md", "proposals/a.md"], ("proposals/*.md",),
                 "proposals/PROPOSAL_TEMPLATE.md", ["proposals.relocated"],
                 id="template moved: proposals beside it"),
    pytest.param(ProposalRules(globs=("docs/proposals/*.md", "proposals/*.md"), template=TPL),
                 ["proposals/PROPOSAL_TEMPLATE.md"], ("proposals/*.md",),
                 "proposals/PROPOSAL_TEMPLATE.md", ["proposals.relocated"],
                 id="both layouts listed, globs merged"),
    pytest.param(RULES, ["vendor/x/y/PROPOSAL_TEMPLATE.md", "design/PROPOSAL_TEMPLATE.md",
                         "a/proposals/PROPOSAL_TEMPLATE.md"], ("a/proposals/*.md",),
                 "a/proposals/PROPOSAL_TEMPLATE.md", ["proposals.relocated"],
                 id="a folder named like the policy's wins"),
    pytest.param(RULES, ["design/PROPOSAL_TEMPLATE.md", "x/y/PROPOSAL_TEMPLATE.md"],
                 ("design/*.md",), "design/PROPOSAL_TEMPLATE.md", ["proposals.relocated"],
                 id="else the shallowest"),
    pytest.param(RULES, ["docs/proposals/a.md"], ("docs/proposals/*.md",), TPL, [],
                 id="no template anywhere: proposals still checked"),
    pytest.param(RULES, ["README.md"], ("docs/proposals/*.md",), TPL, ["proposals.none-found"],
                 id="nothing at all"),
    pytest.param(ProposalRules(globs=("rfcs/*.md",)), ["README.md"], ("rfcs/*.md",), None,
                 ["proposals.none-found"], id="no template, no rfcs"),
])
def test_locate_proposals(rules: ProposalRules, paths: list[str], globs: tuple[str, ...],
                          template: str | None, notes: list[str]) -> None:
    located, said = locate_proposals(rules, paths)
    assert (located.globs, located.template) == (globs, template)
    assert [f.rule for f in said] == notes


def test_proposals_beside_a_moved_template_are_checked(make_repo: Callable[[str], Path]) -> None:
    repo = make_repo("moved")
    files = {"proposals/PROPOSAL_TEMPLATE.md": TEMPLATE,
             "proposals/good.md": doc(),
             "proposals/short.md": "# Short\n\n## Summary\nText.\n"}
    for path, text in files.items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "proposals")
    findings = proposals_at(repo, "HEAD", RULES)
    assert [(f.rule, f.path) for f in findings if f.severity != "error"] == [
        ("proposals.relocated", "proposals/PROPOSAL_TEMPLATE.md")]
    assert {f.path for f in findings if f.severity == "error"} == {"proposals/short.md"}
