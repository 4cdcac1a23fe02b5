"""The `dco` check: each non-merge commit needs a matching `Signed-off-by`, as the DCO app rules.

The regular expressions and the matching rules follow the DCO GitHub app (dcoapp/app,
`lib/dco.js`), so that a project moving from it sees the same verdicts.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from charter.checks.findings import Finding, make_finding
from charter.checks.since import Since
from charter.git.history import Commit
from charter.policy.bots import GITHUB_BOTS

__all__ = ["DcoRules", "check_dco", "exemption_matcher", "valid_email"]

CHECK = "dco"

# Any line that tries to be a sign-off: the key in any case, even with stray spaces, so a
# near miss is reported as malformed rather than as missing.
_SIGNOFF_LINE = re.compile(r"^[ \t]*signed[-_ ]?off[-_ ]?by[ \t]*:(.*)$", re.I | re.M)
# The app's pattern (`^Signed-off-by: (.*) <(.*)>\s*$`, case-insensitive) applied to the part
# after the colon; greedy groups keep stray spaces inside the name and the email, which then
# fail to match, as in the app.
_SIGNOFF_STRICT = re.compile(r"^signed-off-by: ", re.I)
_IDENTITY = re.compile(r" (.*) <(.*)>\s*$")
_COAUTHOR = re.compile(r"^co-authored-by: (.*) <(.*)>\s*$", re.I | re.M)
_INDIVIDUAL = re.compile(
    r"^I, (.*) <(.*)>, hereby add my Signed-off-by to this commit: (.*)\s*$", re.I | re.M)
_THIRD_PARTY = re.compile(
    r"^On behalf of (.*) <(.*)>, I, (.*) <(.*)>, hereby add my Signed-off-by to this commit: "
    r"(.*)\s*$", re.I | re.M)
# The rules of the `email-validator` package the app uses.
_EMAIL = re.compile(r"[-!#$%&'*+/0-9=?A-Z^_a-z`{|}~](?:\.?[-!#$%&'*+/0-9=?A-Z^_a-z`{|}~])*"
                    r"@[a-zA-Z0-9](?:-*\.?[a-zA-Z0-9])*\.[a-zA-Z](?:-?[a-zA-Z0-9])+")

Identity = tuple[str, str]


@dataclass(frozen=True, slots=True)
class DcoRules:
    """What the policy asks of sign-offs; `exempt` holds identity patterns (`*` is a wildcard),
    GitHub's bots by default, as the DCO app."""

    required: bool = True
    individual_remediation: bool = False
    third_party_remediation: bool = False
    co_authors: bool = False
    exempt: tuple[str, ...] = GITHUB_BOTS
    since: Since | None = None


@functools.lru_cache(maxsize=4096)
def valid_email(email: str) -> bool:
    """True when EMAIL is an address the DCO app accepts."""
    if len(email) > 254 or not _EMAIL.fullmatch(email):
        return False
    local, domain = email.split("@", 1)
    return len(local) <= 64 and all(len(part) <= 63 for part in domain.split("."))


def exemption_matcher(patterns: Iterable[str]) -> re.Pattern[str] | None:
    """One regex matching a whole name, a whole email or a whole `Name <email>` against PATTERNS."""
    parts = ["(?:" + ".*".join(re.escape(piece) for piece in p.strip().split("*")) + ")"
             for p in patterns if p.strip()]
    return re.compile("|".join(parts), re.I | re.S) if parts else None


def _exempt(matcher: re.Pattern[str] | None, name: str, email: str) -> bool:
    if matcher is None:
        return False
    full = matcher.fullmatch
    return bool(full(name) or full(email) or full(f"{name} <{email}>"))


@dataclass(frozen=True, slots=True)
class _Signoffs:
    good: tuple[Identity, ...]  # as written, for messages
    malformed: tuple[str, ...]  # the offending lines


_NO_SIGNOFFS = _Signoffs((), ())


def _signoffs(message: str) -> _Signoffs:
    if "signed" not in message.lower():
        return _NO_SIGNOFFS  # every sign-off line, even a malformed one, says "signed"
    good: list[Identity] = []
    malformed: list[str] = []
    for match in _SIGNOFF_LINE.finditer(message):
        line = match.group(0)
        ident = _IDENTITY.match(match.group(1)) if _SIGNOFF_STRICT.match(line) else None
        if ident is None:
            malformed.append(line.strip())
            continue
        name, email = ident.group(1), ident.group(2)
        if not name.strip() or not valid_email(email.strip()):
            malformed.append(line.strip())
        else:
            good.append((name, email))
    return _Signoffs(tuple(good), tuple(malformed))


@dataclass(slots=True)
class _Failure:
    commit: Commit
    rule: str
    person: Identity  # who must sign off
    detail: str
    remediable: bool = True


def check_dco(commits: Iterable[Commit], rules: DcoRules) -> Iterator[Finding]:
    """Yield a finding for each commit whose sign-off the DCO rules do not accept.

    Commits may come in any order; the first one is taken as the branch tip when suggesting
    a fix. With remediation allowed, findings wait until every commit has been seen.
    """
    if not rules.required:
        return
    matcher = exemption_matcher(rules.exempt)
    individual = rules.individual_remediation
    third_party = individual and rules.third_party_remediation
    co_authors = rules.co_authors
    since = rules.since
    remediated: dict[str, set[Identity]] = {}
    held: list[_Failure] = []
    head: str | None = None
    # Per author: exempt or not, and the exact sign-off line that settles most commits with
    # one `str.find` (None when the author's own identity could never sign off validly).
    authors: dict[Identity, tuple[bool, str | None]] = {}
    for commit in commits:
        if head is None:
            head = commit.sha
        if individual:
            _collect_remediations(commit, third_party, remediated)
        if len(commit.parents) > 1 or (since is not None and not since.applies(commit)):
            continue
        author = (commit.author_name, commit.author_email)
        known = authors.get(author)
        if known is None:
            known = authors[author] = _author_facts(author, matcher)
        exempt, own_line = known
        if exempt:
            continue
        message = commit.message
        failures = _NO_FAILURES
        if own_line is None or not _has_line(message, own_line):
            failures = _signoff_failures(commit)
        if co_authors and "co-authored-by" in message.lower():
            failures = failures + _coauthor_failures(commit, matcher)
        if not failures:
            continue
        if individual:
            held.extend(failures)
        else:
            for failure in failures:
                yield _finding(failure, head, rules)
    for failure in held:
        name, email = failure.person
        if not failure.remediable or (name.lower(), email.lower()) not in remediated.get(
                failure.commit.sha, ()):
            yield _finding(failure, head, rules)


_NO_FAILURES: list[_Failure] = []


def _author_facts(author: Identity, matcher: re.Pattern[str] | None) -> tuple[bool, str | None]:
    name, email = author
    usable = bool(name.strip()) and valid_email(email.strip())
    return _exempt(matcher, name, email), f"Signed-off-by: {name} <{email}>" if usable else None


def _has_line(message: str, line: str) -> bool:
    """True when LINE starts a line of MESSAGE and only whitespace follows it on that line."""
    pos = message.find(line)
    while pos >= 0:
        if pos == 0 or message[pos - 1] == "\n":
            end = pos + len(line)
            stop = message.find("\n", end)
            if not message[end:stop if stop >= 0 else len(message)].strip():
                return True
        pos = message.find(line, pos + 1)
    return False


def _signoff_failures(commit: Commit) -> list[_Failure]:
    """The full judgement of a commit's sign-offs, once the quick exact-line test has failed."""
    author = (commit.author_name, commit.author_email)
    # The app rejects a commit whose author email (the committer's when the author has none)
    # is invalid, whatever its sign-offs or remediations; it never checks the sign-off's own.
    email = commit.author_email or commit.committer_email
    if not valid_email(email):
        whose = "author" if commit.author_email else "committer"
        return [_Failure(commit, "dco.invalid-email", author,
                         f"its {whose} email {email!r} is not a valid email address, so no "
                         "sign-off or remediation can make it pass", remediable=False)]
    found = _signoffs(commit.message)
    if found is _NO_SIGNOFFS:
        return [_Failure(commit, "dco.signoff-missing", author, "it has no sign-off")]
    names = (commit.author_name.lower(), commit.committer_name.lower())
    emails = (commit.author_email.lower(), commit.committer_email.lower())
    # The app accepts a sign-off whose name is the author's or the committer's and whose email
    # is the author's or the committer's; it compares case-insensitively, never trimmed.
    # A line with an invalid email never counts (cli.md), even where the app would compare it.
    if any(n.lower() in names and e.lower() in emails for n, e in found.good):
        return []
    if found.good:
        got = ", ".join(_once(f"{n} <{e}>" for n, e in found.good))
        if found.malformed:
            got += " (and malformed: " + "; ".join(_once(found.malformed)) + ")"
        return [_Failure(commit, "dco.signoff-mismatch", author,
                         f"its sign-off ({got}) matches neither the author nor the committer")]
    if found.malformed:
        return [_Failure(commit, "dco.signoff-malformed", author,
                         "its sign-off line is malformed (" + "; ".join(_once(found.malformed))
                         + "); it needs a name, a space and a valid email in angle brackets")]
    return [_Failure(commit, "dco.signoff-missing", author, "it has no sign-off")]


def _once(texts: Iterable[str]) -> list[str]:
    """TEXTS in order, each only the first time (sign-offs compare case-insensitively)."""
    seen: set[str] = set()
    out = []
    for text in texts:
        if text.lower() not in seen:
            seen.add(text.lower())
            out.append(text)
    return out


def _coauthor_failures(commit: Commit, matcher: re.Pattern[str] | None) -> list[_Failure]:
    """Each `Co-authored-by:` person (other than the author) needs their own sign-off."""
    message = commit.message
    signed: set[Identity] | None = None  # read only when the quick exact-line test fails
    seen = {(commit.author_name.lower(), commit.author_email.lower())}
    failures = []
    for match in _COAUTHOR.finditer(message):
        person = (match.group(1), match.group(2))
        key = (person[0].lower(), person[1].lower())
        if key in seen or _exempt(matcher, *person):
            continue
        seen.add(key)
        if _has_line(message, f"Signed-off-by: {person[0]} <{person[1]}>") and valid_email(
                person[1].strip()) and person[0].strip():
            continue
        if signed is None:
            signed = {(n.lower(), e.lower()) for n, e in _signoffs(message).good}
        if key not in signed:
            failures.append(_Failure(commit, "dco.coauthor-signoff-missing", person,
                                     f"its co-author {person[0]} <{person[1]}> has not "
                                     "signed off"))
    return failures


def _collect_remediations(commit: Commit, third_party: bool,
                          remediated: dict[str, set[Identity]]) -> None:
    """Record whom COMMIT's remediation lines sign off for, when its own identity allows it."""
    message = commit.message
    if "hereby" not in message.lower():
        return
    author = (commit.author_name.lower(), commit.author_email.lower())
    for match in _INDIVIDUAL.finditer(message):
        person = (match.group(1).lower(), match.group(2).lower())
        # Only the person themself may sign off a commit after the fact.
        if person == author:
            remediated.setdefault(_target(match.group(3)), set()).add(person)
    if not third_party:
        return
    committer = (commit.committer_name.lower(), commit.committer_email.lower())
    for match in _THIRD_PARTY.finditer(message):
        declarant = (match.group(3).lower(), match.group(4).lower())
        if declarant in (author, committer):
            person = (match.group(1).lower(), match.group(2).lower())
            remediated.setdefault(_target(match.group(5)), set()).add(person)


def _target(sha: str) -> str:
    """The sha a remediation line names, as the app reads it: the rest of the line, trailing
    spaces included (so they spoil the match), and only a CR before the newline dropped."""
    return sha.rstrip("\r")


def _finding(failure: _Failure, head: str | None, rules: DcoRules) -> Finding:
    commit = failure.commit
    name, email = failure.person
    sha = commit.sha
    if failure.rule == "dco.invalid-email":
        expected = ""
        fix = ("give it a valid author email (`git commit --amend --no-edit -s "
               "--author='Name <name@example.org>'` for the last commit, `git rebase -i` with "
               "`edit` for an earlier one) and force-push")
    elif failure.rule == "dco.coauthor-signoff-missing":
        expected = f"; expected `Signed-off-by: {name} <{email}>`"
        fix = ("add that line to the message (`git commit --amend` for the last commit, "
               "`git rebase -i` with `reword` for an earlier one) and force-push")
    else:
        expected = _expected(name, email, commit.committer_name, commit.committer_email)
        if sha == head:
            fix = "run `git commit --amend --no-edit -s` and force-push"
        else:
            base = commit.parents[0] if commit.parents else "--root"
            fix = (f"run `git rebase --signoff {base}` to sign off this commit and every one "
                   f"after it, and force-push")
    if rules.individual_remediation and failure.remediable:
        line = f"I, {name} <{email}>, hereby add my Signed-off-by to this commit: {sha}"
        fix += (f"; or, keeping history, {name} <{email}> adds a commit whose message "
                f"contains the line `{line}`")
        if rules.third_party_remediation:
            fix += (f"; or someone else adds a commit with the line `On behalf of {name} "
                    f"<{email}>, I, Your Name <your@email>, hereby add my Signed-off-by to "
                    f"this commit: {sha}` (their own name and email in place of Your Name)")
    message = commit.message
    cut = message.find("\n")
    title = message if cut < 0 else message[:cut]
    return make_finding(CHECK, failure.rule,
                        f"commit {sha[:12]} ({title!r}) by {commit.author_name} "
                        f"<{commit.author_email}>: {failure.detail}{expected}. To fix, {fix}.",
                        "error", sha)


@functools.lru_cache(maxsize=4096)
def _expected(name: str, email: str, committer_name: str, committer_email: str) -> str:
    """The sign-off line a commit needs, and the committer's when that would do too."""
    text = f"; expected `Signed-off-by: {name} <{email}>`"
    if (committer_name, committer_email) != (name, email):
        text += (f" (or the committer's `Signed-off-by: {committer_name} "
                 f"<{committer_email}>`)")
    return text
