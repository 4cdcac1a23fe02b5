"""Parity with the DCO GitHub app (dcoapp/app): the cases of its own test suite, restated.

Each case below retells one case of the app's tests (`test/dco.test.js`) or one rule read
in its `lib/dco.js`, as real git commits, and names the commits the app fails. Charter must
fail exactly those. Identities are neutral stand-ins for the app's fixtures; the shape of
each case (what is signed, by whom, with which spacing or case) is the app's.

Where Charter deliberately differs, the case says what Charter does instead and why. The
app skips GitHub accounts of type Bot (any login ending in `[bot]`); a git history has no
accounts, so Charter's default `exempt` patterns name the identities such accounts commit
with (a `[bot]` name, GitHub's bot noreply address), which a policy may change. With
`require.members: false` the app also skips verified commits by organisation members, facts
a git history does not hold; and Charter checks `Co-authored-by:` trailers only where the
policy asks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from charter.checks.dco import DcoRules, check_dco
from charter.git.history import iter_commits
from tests.checks.test_dco import C, build

MakeRepo = Callable[[str], Path]

DANA = ("Dana Author", "dana@example.com")
COLE = ("Cole Committer", "cole@example.net")
HAL = ("Hal Helper", "hal@example.com")
SOB_DANA = "Signed-off-by: Dana Author <dana@example.com>"
SOB_COLE = "Signed-off-by: Cole Committer <cole@example.net>"
SOB_HAL = "Signed-off-by: Hal Helper <hal@example.com>"
OTHER = "Signed-off-by: Una Known <una@example.com>"

PLAIN = DcoRules()
INDIVIDUAL = DcoRules(individual_remediation=True)
BOTH = DcoRules(individual_remediation=True, third_party_remediation=True)


def by_dana(message: str, committer: tuple[str, str] = COLE) -> C:
    """A commit as most of the app's cases have it: the author is not the committer."""
    return C(message, author=DANA, committer=committer)


def fix_for(sha: str, who: str = "Dana Author <dana@example.com>") -> str:
    return f"I, {who}, hereby add my Signed-off-by to this commit: {sha}"


def behalf(sha: str, of: str = "Dana Author <dana@example.com>",
           by: str = "Hal Helper <hal@example.com>") -> str:
    return f"On behalf of {of}, I, {by}, hereby add my Signed-off-by to this commit: {sha}"


@dataclass(frozen=True)
class Case:
    commits: list[C]
    app_fails: set[int]  # indexes of the commits the app reports
    rules: DcoRules = PLAIN
    charter_fails: set[int] | None = None  # only where Charter deliberately differs
    why: str = ""
    extra: dict[str, object] = field(default_factory=dict)


CASES = {
    # --- explicit sign-offs, one commit: the app passes these -----------------------------
    "signed-off-by-author": Case([by_dana(f"Hello world\n\n{SOB_DANA}")], set()),
    "one-of-several-correct-first": Case([by_dana(f"Hello\n\n{SOB_DANA}\n{OTHER}")], set()),
    "one-of-several-correct-second": Case([by_dana(f"Hello\n\n{OTHER}\n{SOB_DANA}")], set()),
    "key-lower-case": Case([by_dana("Hi\n\nsigned-off-by: Dana Author <dana@example.com>")],
                           set()),
    "name-and-email-other-case": Case(
        [by_dana("Hi\n\nsigned-off-by: dANA aUTHOR <DaNa@ExAmPlE.cOm>")], set()),
    "trailing-newlines": Case([by_dana(f"Hi\n\n{SOB_DANA}\n\n")], set()),
    "trailing-spaces": Case([by_dana(f"Hi\n\n{SOB_DANA}  ")], set()),
    "trailing-tabs": Case([by_dana(f"Hi\n\n{SOB_DANA}\t\t\t")], set()),
    "email-with-subdomain": Case(
        [C("Hi\n\nsigned-off-by: Dana Author <dana@sub.example.com>\n\n",
           author=("Dana Author", "dana@sub.example.com"), committer=COLE)], set()),
    "email-with-plus-alias": Case(
        [C("Hi\n\nsigned-off-by: Dana Author <dana+alias@example.com>\n\n",
           author=("Dana Author", "dana+alias@example.com"), committer=COLE)], set()),
    "signed-off-by-committer": Case([by_dana(f"Nice day\n\n{SOB_COLE}")], set()),
    "committer-signs-author-has-no-email": Case(
        [C(f"Nice day\n\n{SOB_COLE}", author=("Dana Author", ""), committer=COLE)], set()),
    "merge-commit-unsigned": Case(
        [by_dana(f"Base\n\n{SOB_DANA}"), by_dana(f"Work\n\n{SOB_DANA}"),
         C("Merging stuff", author=DANA, committer=COLE, merge_of=(0,))], set()),
    # Read in lib/dco.js: name and email are looked up separately among the author's and
    # the committer's, so the author's name with the committer's email passes.
    "name-of-author-email-of-committer": Case(
        [by_dana("Hi\n\nSigned-off-by: Dana Author <cole@example.net>")], set()),
    # Read in lib/dco.js: only the author's email is validated (the committer's when the
    # author has none), never the sign-off's, so an invalid committer email that the
    # sign-off repeats is accepted.
    "committer-email-invalid-but-matches": Case(
        [C("Hi\n\nSigned-off-by: Cole Committer <cole@localhost>", author=DANA,
           committer=("Cole Committer", "cole@localhost"))], set(), charter_fails={0},
        why="cli.md says a sign-off line with an invalid email does not count; the app "
            "compares it anyway, and accepts it when it repeats the committer's email"),
    # The app ignores Co-authored-by trailers; so does Charter unless the policy asks.
    "co-author-not-signed": Case(
        [by_dana(f"Pair\n\nCo-authored-by: Hal Helper <hal@example.com>\n{SOB_DANA}")], set()),

    # --- explicit sign-offs, one commit: the app fails these ------------------------------
    "no-sign-off": Case([by_dana("yolo")], {0}),
    "several-none-correct": Case(
        [by_dana(f"Hello\n\n{OTHER}\nSigned-off-by: Ivo Known <ivo@example.com>")], {0}),
    "wrong-name": Case([by_dana("Hi\n\nSigned-off-by: Dana <dana@example.com>")], {0}),
    "wrong-email": Case([by_dana("Hi\n\nSigned-off-by: Dana Author <dana@example.org>")], {0}),
    "wrong-name-and-email": Case([by_dana("Hi\n\nSigned-off-by: Dan <dan@example.org>")], {0}),
    "spaces-around-name": Case(
        [by_dana("Hi\n\nSigned-off-by:   Dana Author  <dana@example.com>")], {0}),
    "spaces-inside-brackets": Case(
        [by_dana("Hi\n\nSigned-off-by: Dana Author < dana@example.com >")], {0}),
    "name-missing": Case([by_dana("Bad\n\nsigned-off-by: <dana@example.com>")], {0}),
    "email-missing": Case([by_dana("Bad\n\nsigned-off-by: Dana Author")], {0}),
    "email-without-brackets": Case(
        [by_dana("Bad\n\nsigned-off-by: Dana Author dana@example.com")], {0}),
    "name-and-email-missing": Case([by_dana("Bad\n\nsigned-off-by: ")], {0}),
    "name-and-email-swapped": Case(
        [by_dana("Bad\n\nsigned-off-by: dana@example.com <Dana Author>")], {0}),
    "email-invalid-no-at": Case(
        [by_dana("Bad\n\nsigned-off-by: Dana Author <dana(at)example.com>")], {0}),
    "author-email-invalid-no-tld": Case(
        [C("Bad\n\nsigned-off-by: Dana Author <dana@example>",
           author=("Dana Author", "dana@example"), committer=COLE)], {0}),
    "plus-alias-only-in-sign-off": Case(
        [by_dana("Hi\n\nsigned-off-by: Dana Author <dana+alias@example.com>\n\n")], {0}),
    # Read in lib/dco.js: an invalid author email fails the commit even when the committer
    # signs off correctly.
    "author-email-invalid-committer-signs": Case(
        [C(f"Hi\n\n{SOB_COLE}", author=("Dana Author", "dana@localhost"), committer=COLE)],
        {0}),

    # --- several commits: each is judged on its own ----------------------------------------
    "first-wrong-second-right": Case(
        [by_dana("Hi\n\nSigned-off-by: Dan <dan@example.org>"), by_dana(f"Ok\n\n{SOB_DANA}")],
        {0}),
    "first-right-second-wrong": Case(
        [by_dana(f"Ok\n\n{SOB_DANA}"), by_dana("Hi\n\nSigned-off-by: Dan <dan@example.org>")],
        {1}),
    "both-wrong": Case([by_dana("Hi\n\nSigned-off-by: Dan <dan@example.org>"),
                        by_dana("Hi\n\nSigned-off-by: Dan <dan@example.org>")], {0, 1}),
    "middle-wrong-of-three": Case(
        [by_dana(f"Ok\n\n{SOB_DANA}"), by_dana("Hi\n\nSigned-off-by: Dan <dan@example.org>"),
         by_dana(f"Ok\n\n{SOB_DANA}")], {1}),
    "remediation-text-ignored-when-not-allowed": Case(
        [by_dana("No signoff"), by_dana(f"Fix\n\n{fix_for('{0}')}\n\n{SOB_DANA}")], {0}),

    # --- individual remediation (allowRemediationCommits.individual) -----------------------
    "individual-fixes-earlier-commit": Case(
        [by_dana("No signoff"), by_dana(f"Fix\n\n{fix_for('{0}')}\n\n{SOB_DANA}")], set(),
        INDIVIDUAL),
    "individual-fixes-two-commits": Case(
        [by_dana("No signoff"), by_dana("No signoff either"),
         by_dana(f"Fix\n\n{fix_for('{0}')}\n{fix_for('{1}')}\n\n{SOB_DANA}")], set(),
        INDIVIDUAL),
    "individual-line-any-case": Case(
        [by_dana("No signoff"),
         by_dana("Fix\n\ni, dana author <DANA@example.com>, HEREBY add my signed-off-by to "
                 "this commit: {0}\n\n" + SOB_DANA)], set(), INDIVIDUAL),
    "individual-remediating-commit-unsigned": Case(
        [by_dana("No signoff"), by_dana(fix_for("{0}"))], {1}, INDIVIDUAL),
    "individual-by-another-name": Case(
        [by_dana("No signoff"),
         C(f"{fix_for('{0}', 'Dana <dana@example.com>')}\n\n"
           "Signed-off-by: Dana <dana@example.com>",
           author=("Dana", "dana@example.com"), committer=COLE)], {0}, INDIVIDUAL),
    "individual-by-another-email": Case(
        [by_dana("No signoff"),
         C(f"{fix_for('{0}', 'Dana Author <da@example.com>')}\n\n"
           "Signed-off-by: Dana Author <da@example.com>",
           author=("Dana Author", "da@example.com"), committer=COLE)], {0}, INDIVIDUAL),
    "individual-line-right-but-committed-by-another-author": Case(
        [by_dana("No signoff"),
         C(f"{fix_for('{0}')}\n\nSigned-off-by: Dana <dana@example.com>",
           author=("Dana", "dana@example.com"), committer=COLE)], {0}, INDIVIDUAL),
    "individual-line-names-another-name": Case(
        [by_dana("No signoff"),
         by_dana(f"{fix_for('{0}', 'Dana <dana@example.com>')}\n\n{SOB_DANA}")], {0},
        INDIVIDUAL),
    "individual-line-names-another-email": Case(
        [by_dana("No signoff"),
         by_dana(f"{fix_for('{0}', 'Dana Author <da@example.com>')}\n\n{SOB_DANA}")], {0},
        INDIVIDUAL),
    "individual-also-fixes-a-wrong-sign-off": Case(
        [by_dana("Hi\n\nSigned-off-by: Dan <dan@example.org>"),
         by_dana(f"Fix\n\n{fix_for('{0}')}\n\n{SOB_DANA}")], set(), INDIVIDUAL),
    # Read in lib/dco.js: the sha must equal the commit's full sha, as written.
    "individual-short-sha": Case(
        [by_dana("No signoff"), by_dana(f"Fix\n\n{fix_for('{0:.10}')}\n\n{SOB_DANA}")], {0},
        INDIVIDUAL),
    "individual-upper-case-sha": Case(
        [by_dana("No signoff"),
         by_dana(f"Fix\n\n{fix_for('{0}')}\n\n{SOB_DANA}")], {0}, INDIVIDUAL,
        extra={"upper": True}),
    "individual-spaces-after-sha": Case(
        [by_dana("No signoff"), by_dana(f"Fix\n\n{fix_for('{0}')}   \n\n{SOB_DANA}")], {0},
        INDIVIDUAL),
    "individual-line-in-a-merge-commit": Case(
        [by_dana("No signoff"), by_dana(f"Work\n\n{SOB_DANA}"),
         C(f"Merge\n\n{fix_for('{0}')}", author=DANA, committer=COLE, merge_of=(0,))], set(),
        INDIVIDUAL),
    # Read in lib/dco.js: with any sign-off or remediation found, an invalid author email
    # still fails the commit, so remediation cannot rescue it.
    "individual-author-email-invalid": Case(
        [C("No signoff", author=("Dana Author", "dana@localhost"), committer=COLE),
         C(f"Fix\n\n{fix_for('{0}', 'Dana Author <dana@localhost>')}\n\n"
           "Signed-off-by: Dana Author <dana@localhost>",
           author=("Dana Author", "dana@localhost"), committer=COLE)], {0, 1}, INDIVIDUAL),

    # --- third-party remediation (allowRemediationCommits.thirdParty) ----------------------
    "third-party-by-remediating-author": Case(
        [by_dana("No signoff"), C(f"Fix\n\n{behalf('{0}')}\n\n{SOB_HAL}", author=HAL)], set(),
        BOTH),
    "third-party-by-remediating-committer": Case(
        [by_dana("No signoff"),
         C(f"Fix\n\n{behalf('{0}')}\n\n{SOB_HAL}", author=COLE, committer=HAL)], set(), BOTH),
    "third-party-declarant-neither-author-nor-committer": Case(
        [by_dana("No signoff"), C(f"Fix\n\n{behalf('{0}')}\n\n{SOB_COLE}", author=COLE)],
        {0}, BOTH),
    "third-party-on-behalf-of-someone-else": Case(
        [by_dana("No signoff"),
         C(f"Fix\n\n{behalf('{0}', of='Ivo Known <ivo@example.com>')}\n\n{SOB_HAL}",
           author=HAL)], {0}, BOTH),
    "third-party-not-allowed": Case(
        [by_dana("No signoff"), C(f"Fix\n\n{behalf('{0}')}\n\n{SOB_HAL}", author=HAL)], {0},
        INDIVIDUAL),
    "third-party-needs-individual": Case(
        [by_dana("No signoff"), C(f"Fix\n\n{behalf('{0}')}\n\n{SOB_HAL}", author=HAL)], {0},
        DcoRules(third_party_remediation=True)),

    # --- deliberate differences -----------------------------------------------------------
    "bot-account-name": Case(
        [C("I am robot", author=("helperbot[bot]", "wut"), committer=COLE)], set()),
    "bot-account-noreply-address": Case(
        [C("I am robot", author=("Helper", "41898282+helper[bot]@users.noreply.github.com"),
           committer=COLE)], set()),
    "bot-named-human-not-a-bot": Case(
        [C("I am not a robot", author=("Botao Li", "botao@example.org"))], {0}),
    "bot-account-exemption-removed": Case(
        [C("I am robot", author=("helperbot[bot]", "wut"), committer=COLE)], set(),
        DcoRules(exempt=()), charter_fails={0},
        why="the policy's `exempt: []` asks bots to sign off too (the app cannot be told to)"),
    "verified-org-member-unsigned": Case(
        [by_dana("yolo")], set(), charter_fails={0},
        why="with `require.members: false` the app skips verified commits by organisation "
            "members; Charter knows neither membership nor GitHub's verification and requires "
            "every sign-off (exempt such people by pattern where wanted)"),
    "co-author-not-signed-policy-asks": Case(
        [by_dana(f"Pair\n\nCo-authored-by: Hal Helper <hal@example.com>\n{SOB_DANA}")], set(),
        DcoRules(co_authors=True), charter_fails={0},
        why="co-author sign-offs are a Charter policy option the app does not have"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_same_verdict_as_the_dco_app(make_repo: MakeRepo, name: str) -> None:
    case = CASES[name]
    repo = make_repo("repo")
    commits = case.commits
    if case.extra.get("upper"):
        # The sha is known only once the earlier commits exist; write it in capitals.
        first = build(repo, commits[:1])
        later = C(commits[1].message.replace("{0}", first[0].upper()), author=commits[1].author,
                  committer=commits[1].committer)
        shas = first + build(repo, [later])
    else:
        shas = build(repo, commits)
    findings = list(check_dco(iter_commits(repo, progress=False), case.rules))
    failed = {shas.index(f.commit or "") for f in findings}
    expected = case.app_fails if case.charter_fails is None else case.charter_fails
    assert failed == expected, [f.message for f in findings]


def test_every_deliberate_difference_says_why() -> None:
    for name, case in CASES.items():
        differs = case.charter_fails is not None and case.charter_fails != case.app_fails
        assert differs == bool(case.why), name
