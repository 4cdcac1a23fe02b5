"""The `dco` check on real repositories, case by case as the DCO app decides them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from charter.checks.config import config_from_policy
from charter.checks.dco import DcoRules, check_dco, exemption_matcher, valid_email
from charter.git.history import iter_commits
from charter.policy.bots import GITHUB_BOTS
from charter.policy.loader import load_policy
from tests.conftest import git

MakeRepo = Callable[[str], Path]

ANN = ("Ann Author", "ann@example.org")
CY = ("Cy Committer", "cy@example.org")
BOB = ("Bob Helper", "bob@example.org")
SOB = "Signed-off-by: Ann Author <ann@example.org>"


@dataclass(frozen=True)
class C:
    """One commit to create: MESSAGE may name earlier commits as {0}, {1}, ..."""

    message: str
    author: tuple[str, str] = ANN
    committer: tuple[str, str] | None = None  # None: the author
    merge_of: tuple[int, ...] = field(default=())  # indexes of extra parents


def build(repo: Path, specs: list[C]) -> list[str]:
    """Create SPECS in order on main and return their shas."""
    shas: list[str] = []
    for spec in specs:
        name, email = spec.author
        cname, cemail = spec.committer or spec.author
        env = {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email,
               "GIT_COMMITTER_NAME": cname, "GIT_COMMITTER_EMAIL": cemail}
        message = spec.message.format(*shas)
        if spec.merge_of:
            parents = ["-p", shas[-1]]
            for index in spec.merge_of:
                parents += ["-p", shas[index]]
            sha = git(repo, "commit-tree", f"{shas[-1]}^{{tree}}", *parents, "-F", "-",
                      env=env, input=message).strip()
            git(repo, "update-ref", "refs/heads/main", sha)
        else:
            git(repo, "commit", "-q", "--allow-empty", "--cleanup=verbatim", "-F", "-",
                env=env, input=message)
            sha = git(repo, "rev-parse", "HEAD").strip()
        shas.append(sha)
    return shas


def run(make_repo: MakeRepo, specs: list[C], rules: DcoRules) -> tuple[set[tuple[str, int]],
                                                                       list[str], list[str]]:
    """Findings as {(rule, index of commit)}, the shas, and the finding messages."""
    repo = make_repo("repo")
    shas = build(repo, specs)
    findings = list(check_dco(iter_commits(repo, progress=False), rules))
    for finding in findings:
        assert finding.check == "dco" and finding.severity == "error"
        assert finding.commit is not None and len(finding.commit) == 40
    return ({(f.rule, shas.index(f.commit or "")) for f in findings}, shas,
            [f.message for f in findings])


def signed(body: str = "Add a parser") -> str:
    return f"{body}\n\n{SOB}\n"


SINGLE_COMMIT_CASES = [
    pytest.param(C(signed()), set(), id="signed-off"),
    pytest.param(C("Add a parser\n"), {"dco.signoff-missing"}, id="missing"),
    pytest.param(C("Add\n\nsigned-off-by: Ann Author <ann@example.org>\n"), set(),
                 id="key-lower-case"),
    pytest.param(C("Add\n\nSIGNED-OFF-BY: Ann Author <ann@example.org>\n"), set(),
                 id="key-upper-case"),
    pytest.param(C("Add\n\nSigned-off-by: ann author <ANN@Example.ORG>\n"), set(),
                 id="identity-case-insensitive"),
    pytest.param(C(f"Add\n\n{SOB}   \n"), set(), id="trailing-whitespace"),
    pytest.param(C(f"Add\n\n{SOB}\n\nMore words after the sign-off.\n"), set(),
                 id="anywhere-in-message"),
    pytest.param(C("Add\n\nSigned-off-by: Ann Smith <ann@example.org>\n"),
                 {"dco.signoff-mismatch"}, id="mismatched-name"),
    pytest.param(C("Add\n\nSigned-off-by: Ann Author <ann@elsewhere.org>\n"),
                 {"dco.signoff-mismatch"}, id="mismatched-email"),
    pytest.param(C("Add\n\nSigned-off-by:  Ann Author <ann@example.org>\n"),
                 {"dco.signoff-mismatch"}, id="extra-space-before-name"),
    pytest.param(C("Add\n\nSigned-off-by: Ann Author  <ann@example.org>\n"),
                 {"dco.signoff-mismatch"}, id="extra-space-after-name"),
    pytest.param(C("Add\n\nSigned-off-by: Ann  Author <ann@example.org>\n"),
                 {"dco.signoff-mismatch"}, id="extra-space-inside-name"),
    pytest.param(C("Add\n\nSigned-off-by: Ann Author < ann@example.org >\n"),
                 {"dco.signoff-mismatch"}, id="spaces-inside-brackets"),
    pytest.param(C("Add\n\nSigned-off-by: Someone <s@example.org>\n" + SOB + "\n"
                   "Signed-off-by: Other <o@example.org>\n"), set(), id="several-one-matches"),
    pytest.param(C("Add\n\nSigned-off-by: Someone <s@example.org>\n"
                   "Signed-off-by: Other <o@example.org>\n"), {"dco.signoff-mismatch"},
                 id="several-none-matches"),
    pytest.param(C("Add\n\nSigned-off-by: Cy Committer <cy@example.org>\n", committer=CY),
                 set(), id="committer-matches"),
    pytest.param(C("Add\n\nSigned-off-by: Cy Committer <cy@example.org>\n"),
                 {"dco.signoff-mismatch"}, id="someone-else-not-the-committer"),
    pytest.param(C("Add\n\nSigned-off-by: <ann@example.org>\n"), {"dco.signoff-malformed"},
                 id="malformed-no-name"),
    pytest.param(C("Add\n\nSigned-off-by:  <ann@example.org>\n"), {"dco.signoff-malformed"},
                 id="malformed-blank-name"),
    pytest.param(C("Add\n\nSigned-off-by: Ann Author ann@example.org\n"),
                 {"dco.signoff-malformed"}, id="malformed-no-brackets"),
    pytest.param(C("Add\n\nSigned-off-by: Ann Author <ann>\n"), {"dco.signoff-malformed"},
                 id="malformed-invalid-email"),
    pytest.param(C("Add\n\nSigned-off-by: Ann Author <ann@example.org> (maintainer)\n"),
                 {"dco.signoff-malformed"}, id="malformed-text-after-brackets"),
    pytest.param(C("Add\n\nSigned-off-by:Ann Author <ann@example.org>\n"),
                 {"dco.signoff-malformed"}, id="malformed-no-space-after-colon"),
    pytest.param(C("Add\n\n  Signed-off-by: Ann Author <ann@example.org>\n"),
                 {"dco.signoff-malformed"}, id="malformed-indented"),
    pytest.param(C("Add\n\nSigned off by: Ann Author <ann@example.org>\n"),
                 {"dco.signoff-malformed"}, id="malformed-key-without-dashes"),
    pytest.param(C(f"Add\n\nSigned-off-by: Ann Author\n{SOB}\n"), set(),
                 id="malformed-plus-valid"),
    pytest.param(C("Add\n\nSigned-off-by: Ann\nSigned-off-by: Bob <bob@example.org>\n"),
                 {"dco.signoff-mismatch"}, id="malformed-plus-mismatch"),
    pytest.param(C("Add\n\nAcked-by: Ann Author <ann@example.org>\n"),
                 {"dco.signoff-missing"}, id="other-trailer-only"),
]


@pytest.mark.parametrize(("spec", "rules"), SINGLE_COMMIT_CASES)
def test_single_commit(make_repo: MakeRepo, spec: C, rules: set[str]) -> None:
    found, _, _ = run(make_repo, [C(signed("Base")), spec], DcoRules())
    assert found == {(rule, 1) for rule in rules}


@pytest.mark.parametrize(("last", "expected"), [
    pytest.param(C("Merge branch 'x'\n", merge_of=(0,)), set(), id="merge-skipped"),
    pytest.param(C("Merge branch 'x'\n"), {("dco.signoff-missing", 2)}, id="same-text-no-merge"),
])
def test_merge_commits_are_skipped(make_repo: MakeRepo, last: C,
                                   expected: set[tuple[str, int]]) -> None:
    found, _, _ = run(make_repo, [C(signed("Base")), C(signed("Work")), last], DcoRules())
    assert found == expected


def test_not_required_means_no_findings(make_repo: MakeRepo) -> None:
    found, _, _ = run(make_repo, [C("No sign-off\n")], DcoRules(required=False))
    assert found == set()


INDIVIDUAL = "Remediate\n\nI, Ann Author <ann@example.org>, hereby add my Signed-off-by to " \
             "this commit: {0}\n\n" + SOB + "\n"
THIRD = ("Remediate\n\nOn behalf of Ann Author <ann@example.org>, I, Bob Helper "
         "<bob@example.org>, hereby add my Signed-off-by to this commit: {0}\n\n"
         "Signed-off-by: Bob Helper <bob@example.org>\n")
BOTH = DcoRules(individual_remediation=True, third_party_remediation=True)


@pytest.mark.parametrize(("later", "rules", "expected"), [
    pytest.param(C(INDIVIDUAL), DcoRules(individual_remediation=True), set(),
                 id="individual-allowed"),
    pytest.param(C(INDIVIDUAL), DcoRules(), {("dco.signoff-missing", 0)},
                 id="individual-not-allowed"),
    pytest.param(C(INDIVIDUAL.replace("I, Ann", "i, Ann").replace("hereby", "HEREBY")),
                 DcoRules(individual_remediation=True), set(), id="individual-any-case"),
    pytest.param(C(INDIVIDUAL, author=BOB), DcoRules(individual_remediation=True),
                 {("dco.signoff-missing", 0), ("dco.signoff-mismatch", 1)},
                 id="individual-by-another-author"),
    pytest.param(C(INDIVIDUAL.replace("I, Ann Author <", "I, Ann Smith <")),
                 DcoRules(individual_remediation=True), {("dco.signoff-missing", 0)},
                 id="individual-names-someone-else"),
    pytest.param(C(INDIVIDUAL.replace("{0}", "0" * 40)), DcoRules(individual_remediation=True),
                 {("dco.signoff-missing", 0)}, id="individual-other-sha"),
    pytest.param(C(THIRD, author=BOB), BOTH, set(), id="third-party-allowed"),
    pytest.param(C(THIRD, author=CY, committer=BOB), BOTH, set(),
                 id="third-party-by-committer"),
    pytest.param(C(THIRD, author=BOB), DcoRules(individual_remediation=True),
                 {("dco.signoff-missing", 0)}, id="third-party-not-allowed"),
    pytest.param(C(THIRD, author=BOB), DcoRules(third_party_remediation=True),
                 {("dco.signoff-missing", 0)}, id="third-party-needs-individual-too"),
    pytest.param(C(THIRD, author=CY), BOTH,
                 {("dco.signoff-missing", 0), ("dco.signoff-mismatch", 1)},
                 id="third-party-declarant-not-this-commit"),
    pytest.param(C(THIRD.replace("On behalf of Ann Author", "On behalf of Zed Author"),
                   author=BOB), BOTH, {("dco.signoff-missing", 0)},
                 id="third-party-for-someone-else"),
])
def test_remediation(make_repo: MakeRepo, later: C, rules: DcoRules,
                     expected: set[tuple[str, int]]) -> None:
    found, _, _ = run(make_repo, [C("Unsigned work\n"), later], rules)
    assert found == expected


def test_remediation_works_in_any_order(make_repo: MakeRepo) -> None:
    repo = make_repo("repo")
    build(repo, [C("Unsigned work\n"), C(INDIVIDUAL)])
    commits = list(iter_commits(repo, progress=False))
    rules = DcoRules(individual_remediation=True)
    assert list(check_dco(commits, rules)) == []
    assert list(check_dco(reversed(commits), rules)) == []


COAUTHORED = ("Pair work\n\nCo-authored-by: Bob Helper <bob@example.org>\n"
              "Co-authored-by: Ann Author <ann@example.org>\n")


@pytest.mark.parametrize(("message", "rules", "expected"), [
    pytest.param(COAUTHORED + SOB + "\n", DcoRules(co_authors=True),
                 {"dco.coauthor-signoff-missing"}, id="co-author-unsigned"),
    pytest.param(COAUTHORED + SOB + "\nSigned-off-by: bob helper <BOB@example.org>\n",
                 DcoRules(co_authors=True), set(), id="co-author-signed"),
    pytest.param(COAUTHORED + SOB + "\n", DcoRules(), set(), id="co-authors-not-asked"),
    pytest.param(COAUTHORED.replace("Bob Helper <bob@example.org>",
                                    "dependabot[bot] <1+dependabot[bot]@users.noreply.github.com>")
                 + SOB + "\n", DcoRules(co_authors=True, exempt=("*[bot]",)), set(),
                 id="co-author-exempt"),
    pytest.param(COAUTHORED, DcoRules(co_authors=True),
                 {"dco.signoff-missing", "dco.coauthor-signoff-missing"},
                 id="author-and-co-author-unsigned"),
])
def test_co_authors(make_repo: MakeRepo, message: str, rules: DcoRules,
                    expected: set[str]) -> None:
    found, _, messages = run(make_repo, [C(message)], rules)
    assert found == {(rule, 0) for rule in expected}
    if "dco.coauthor-signoff-missing" in expected:
        assert any("Signed-off-by: Bob Helper <bob@example.org>" in m for m in messages)


DEPENDABOT = ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")
BOTAO = ("Botao Li", "botao@example.org")
RENOVATE = ("Renovate Bot", "bot@renovateapp.com")


@pytest.mark.parametrize(("author", "exempt", "is_exempt"), [
    pytest.param(DEPENDABOT, ("*[bot]",), True, id="wildcard-bot-suffix"),
    pytest.param(DEPENDABOT, ("*[BOT]",), True, id="case-insensitive"),
    pytest.param(BOTAO, ("*[bot]",), False, id="botao-not-a-bot"),
    pytest.param(BOTAO, ("bot",), False, id="no-substring-match-botao"),
    pytest.param(DEPENDABOT, ("bot",), False, id="no-substring-match-dependabot"),
    pytest.param(DEPENDABOT, ("dependabot",), False, id="no-prefix-match"),
    pytest.param(RENOVATE, ("bot@renovateapp.com",), True, id="whole-email"),
    pytest.param(RENOVATE, ("renovateapp.com",), False, id="email-part-is-not-enough"),
    pytest.param(RENOVATE, ("Renovate Bot <bot@renovateapp.com>",), True, id="name-and-email"),
    pytest.param(RENOVATE, ("renovate bot",), True, id="whole-name"),
    pytest.param(RENOVATE, ("*@renovateapp.com",), True, id="wildcard-domain"),
    pytest.param(RENOVATE, ("Renovate.Bot",), False, id="dot-is-literal"),
    pytest.param(BOTAO, ("", "   "), False, id="blank-patterns-ignored"),
])
def test_exemptions(make_repo: MakeRepo, author: tuple[str, str], exempt: tuple[str, ...],
                    is_exempt: bool) -> None:
    found, _, _ = run(make_repo, [C("Bump deps\n", author=author)], DcoRules(exempt=exempt))
    # The app rejects any commit with an invalid author email, such as a bot's noreply one.
    rule = "dco.signoff-missing" if valid_email(author[1]) else "dco.invalid-email"
    assert found == (set() if is_exempt else {(rule, 0)})


def test_messages_say_how_to_fix(make_repo: MakeRepo) -> None:
    specs = [C("Old unsigned\n"), C("Middle unsigned\n"), C("Tip unsigned\n")]
    repo = make_repo("repo")
    shas = build(repo, specs)
    commits = list(iter_commits(repo, progress=False))
    plain = {f.commit: f.message for f in check_dco(commits, DcoRules())}
    assert "git commit --amend --no-edit -s" in plain[shas[2]]
    assert f"git rebase --signoff {shas[0]}" in plain[shas[1]]
    assert "git rebase --signoff --root" in plain[shas[0]]
    assert "`Signed-off-by: Ann Author <ann@example.org>`" in plain[shas[2]]
    assert "hereby" not in plain[shas[2]]
    allowed = {f.commit: f.message for f in check_dco(commits, BOTH)}
    line = f"I, Ann Author <ann@example.org>, hereby add my Signed-off-by to this commit: {shas[1]}"
    assert line in allowed[shas[1]]
    assert "On behalf of Ann Author <ann@example.org>, I, Your Name" in allowed[shas[1]]


def test_mismatch_message_names_what_was_found(make_repo: MakeRepo) -> None:
    _, _, messages = run(make_repo, [C("Add\n\nSigned-off-by: Ann Smith <ann@example.org>\n",
                                       committer=CY)], DcoRules())
    assert "Ann Smith <ann@example.org>" in messages[0]
    assert "Signed-off-by: Cy Committer <cy@example.org>" in messages[0]  # the other option


@pytest.mark.parametrize(("email", "ok"), [
    pytest.param("ann@example.org", True, id="plain"),
    pytest.param("49699333+dependabot[bot]@users.noreply.github.com", False, id="brackets"),
    pytest.param("1+ann@users.noreply.github.com", True, id="noreply"),
    pytest.param("ann", False, id="no-at"),
    pytest.param("ann@localhost", False, id="no-dot-in-domain"),
    pytest.param("ann@@example.org", False, id="two-ats"),
    pytest.param("a" * 65 + "@example.org", False, id="local-part-too-long"),
])
def test_valid_email(email: str, ok: bool) -> None:
    assert valid_email(email) is ok


def test_exemption_matcher_without_patterns() -> None:
    assert exemption_matcher([]) is None
    matcher = exemption_matcher(["*[bot]"])
    assert matcher is not None and matcher.fullmatch("renovate[bot]")


@pytest.mark.parametrize(("author", "is_bot"), [
    pytest.param(DEPENDABOT, True, id="dependabot"),
    pytest.param(("github-actions[bot]", "41898282+github-actions[bot]@users.noreply.github.com"),
                 True, id="github-actions"),
    pytest.param(("Release Notes", "287676111+router-release-notes[bot]@users.noreply.github.com"),
                 True, id="app-noreply-address-any-name"),
    pytest.param(("renovate[bot]", "renovate@example.org"), True, id="bot-name-any-email"),
    pytest.param(("Helper", "helper[bot]@users.noreply.github.com"), True,
                 id="noreply-without-id"),
    pytest.param(("Dee Dev", "123+dee@users.noreply.github.com"), False,
                 id="a-person-noreply-address"),
    pytest.param(("ci-tag-bot", "ci-tag-bot@example.com"), False, id="bot-in-name-is-not-[bot]"),
    pytest.param(BOTAO, False, id="botao"),
    pytest.param(("x[bot] y", "x@example.org"), False, id="[bot]-not-at-the-end"),
    pytest.param(("Eve", "eve[bot]@users.noreply.github.com.example.org"), False,
                 id="look-alike-domain"),
])
def test_bots_need_no_signoff_by_default(make_repo: MakeRepo, author: tuple[str, str],
                                         is_bot: bool) -> None:
    """The DCO app never asks a bot account (a login ending in `[bot]`) to sign off."""
    repo = make_repo("repo")
    build(repo, [C("Bump deps\n", author=author)])
    commits = list(iter_commits(repo, progress=False))
    assert (list(check_dco(commits, DcoRules())) == []) is is_bot
    # `exempt: []` judges bots like everyone else.
    assert list(check_dco(commits, DcoRules(exempt=()))) != []


@pytest.mark.parametrize(("policy", "exempt"), [
    pytest.param({"pull_requests": {"dco": {}}}, GITHUB_BOTS, id="default"),
    pytest.param({"extends": "llm-d"}, GITHUB_BOTS, id="llm-d-preset"),
    pytest.param({"extends": "llm-d", "pull_requests": {"dco": {"exempt": []}}}, (),
                 id="judge-bots-too"),
    pytest.param({"pull_requests": {"dco": {"exempt": ["*[bot]", "ci@example.org"]}}},
                 ("*[bot]", "ci@example.org"), id="own-list-replaces"),
])
def test_bot_exemption_is_written_in_the_policy(policy: dict[str, object],
                                                exempt: tuple[str, ...]) -> None:
    """The default is policy data: `charter policy show` prints it and a policy may change it."""
    loaded = load_policy({"charter": 1, "project": {"name": "p"}, "roles": ["maintainer"],
                          **policy}).policy
    assert loaded.pull_requests.dco is not None
    assert loaded.pull_requests.dco.exempt == exempt
    assert loaded.model_dump(mode="json")["pull_requests"]["dco"]["exempt"] == list(exempt)
    config = config_from_policy(loaded)
    assert config.dco is not None and config.dco.exempt == exempt


@pytest.mark.parametrize(("signoffs", "shown"), [
    pytest.param(["Ann Smith <ann@example.org>"] * 11, ["Ann Smith <ann@example.org>"],
                 id="same-line-eleven-times"),
    pytest.param(["Ann Smith <ann@example.org>", "ann smith <ANN@example.org>",
                  "Bo Bell <bo@example.org>", "Ann Smith <ann@example.org>"],
                 ["Ann Smith <ann@example.org>", "Bo Bell <bo@example.org>"],
                 id="case-variants-and-order-kept"),
])
def test_repeated_signoff_is_named_once(make_repo: MakeRepo, signoffs: list[str],
                                        shown: list[str]) -> None:
    message = "Add\n\n" + "".join(f"Signed-off-by: {s}\n" for s in signoffs)
    _, _, [text] = run(make_repo, [C(message, committer=CY)], DcoRules())
    assert f"its sign-off ({', '.join(shown)}) matches neither" in text


def test_repeated_malformed_line_is_named_once(make_repo: MakeRepo) -> None:
    message = "Add\n\n" + "Signed-off-by: Ann Author\n" * 3
    _, _, [text] = run(make_repo, [C(message)], DcoRules())
    assert "malformed (Signed-off-by: Ann Author);" in text
