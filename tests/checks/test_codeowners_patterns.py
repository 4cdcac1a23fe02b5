"""CODEOWNERS patterns against the rules GitHub and gitignore document, quoted case by case.

GitHub, "About code owners": "A CODEOWNERS file uses a pattern that follows most of the same
rules used in gitignore files", except that "Escaping a pattern starting with `#` using `\\`",
"Using `!` to negate a pattern" and "Using `[ ]` to define a character range" do not work.
The gitignore quotes are from git's Documentation/gitignore (PATTERN FORMAT).
"""

from __future__ import annotations

import pytest

from charter.checks.owners.codeowners import MAX_BYTES, parse_codeowners
from charter.checks.owners.codeowners_patterns import PatternError, compile_pattern

# (pattern, path, owned, the documented sentence the case follows)
CASES: list[tuple[str, str, bool, str]] = [
    # GitHub's own example file.
    ("*", "README.md", True, "`*` ... will be the default owners for everything in the repo"),
    ("*", "a/b/c.txt", True, "`*` ... everything in the repo"),
    ("*.js", "web/app.js", True, "`*.js` ... modifies JS files"),
    ("*.js", "web/app.ts", False, "`*.js` ... modifies JS files"),
    ("/build/logs/", "build/logs/a.txt", True,
     "@doctocat owns any files in the build/logs directory at the root of the repository"),
    ("/build/logs/", "build/logs/deep/a.txt", True, "... and any of its subdirectories"),
    ("/build/logs/", "x/build/logs/a.txt", False, "... at the root of the repository"),
    ("docs/*", "docs/getting-started.md", True,
     "The `docs/*` pattern will match files like `docs/getting-started.md`"),
    ("docs/*", "docs/build-app/troubleshooting.md", False,
     "but not further nested files like `docs/build-app/troubleshooting.md`"),
    ("apps/", "apps/x.txt", True, "@octocat owns any file in an apps directory anywhere"),
    ("apps/", "deep/er/apps/x.txt", True, "... anywhere in your repository"),
    ("apps/", "apps", False, "gitignore: `foo/` ... will not match a regular file"),
    ("/docs/", "docs/a/b.md", True, "@doctocat owns any file in the `/docs` directory in the "
     "root of your repository and any of its subdirectories"),
    ("**/logs", "build/logs/x", True, "owns any file in a `/logs` directory such as "
     "`/build/logs`, `/scripts/logs`, and `/deeply/nested/logs`"),
    ("**/logs", "deeply/nested/logs/x", True, "... `/deeply/nested/logs`"),
    ("/apps/github", "apps/github/x.js", True, "`/apps/github` names the subdirectory"),
    ("CODEOWNERS", "codeowners", False, "CODEOWNERS paths are case sensitive"),
    # gitignore: where the pattern is anchored.
    ("doc/frotz/", "doc/frotz/x", True, "a pattern `doc/frotz/` matches `doc/frotz` directory"),
    ("doc/frotz/", "a/doc/frotz/x", False, "but not `a/doc/frotz` directory"),
    ("frotz/", "a/frotz/x", True, "however `frotz/` matches `frotz` and `a/frotz`"),
    ("doc/frotz", "doc/frotz", True, "`doc/frotz` and `/doc/frotz` have the same effect"),
    ("/doc/frotz", "doc/frotz", True, "`doc/frotz` and `/doc/frotz` have the same effect"),
    ("hello.*", "a/hello.java", True, "`hello.*` matches any file or directory whose name "
     "begins with `hello.`"),
    ("/hello.*", "hello.txt", True, "the pattern now matches `hello.txt`, `hello.c`"),
    ("/hello.*", "a/hello.java", False, "but not `a/hello.java`"),
    ("foo", "a/foo/b.txt", True, "Otherwise the pattern may also match at any level; a "
     "matched directory owns what is beneath it"),
    # gitignore: wildcards.
    ("a*c", "a/c", False, "An asterisk `*` matches anything except a slash"),
    ("a?c", "abc", True, "The character `?` matches any one character except `/`"),
    ("a?c", "a/c", False, "The character `?` matches any one character except `/`"),
    ("\\*.md", "*.md", True, "`\\*` matches a literal asterisk"),
    ("\\*.md", "x.md", False, "`\\*` matches a literal asterisk"),
    ("\\a.md", "a.md", True, "`\\a` matches `a`"),
    ("my\\ file", "my file", True, "A backslash can be used to escape any character"),
    # gitignore: the documented `**` forms, in every position.
    ("**/foo", "foo", True, "`**/foo` matches file or directory `foo` anywhere"),
    ("**/foo", "x/y/foo", True, "`**/foo` matches file or directory `foo` anywhere"),
    ("**/foo/bar", "x/foo/bar", True, "`**/foo/bar` matches file or directory `bar` anywhere "
     "that is directly under directory `foo`"),
    ("**/foo/bar", "foo/x/bar", False, "... directly under directory `foo`"),
    ("abc/**", "abc/x", True, "`abc/**` matches all files inside directory `abc`"),
    ("abc/**", "abc/x/y/z", True, "... with infinite depth"),
    ("abc/**", "abc", False, "A trailing `/**` matches everything inside"),
    ("a/**/b", "a/b", True, "`a/**/b` matches `a/b`, `a/x/b`, `a/x/y/b` and so on"),
    ("a/**/b", "a/x/b", True, "`a/**/b` matches `a/b`, `a/x/b`, `a/x/y/b` and so on"),
    ("a/**/b", "a/x/y/b", True, "`a/**/b` matches `a/b`, `a/x/b`, `a/x/y/b` and so on"),
    ("a/**/b", "a/x/y/c", False, "`a/**/b` ends in `b`"),
    ("docs/**/", "docs/a.md", True, "A slash followed by two consecutive asterisks then a slash "
     "matches zero or more directories; with zero, `docs/**/` is the directory `docs`"),
    ("docs/**/", "docs/x/y/a.md", True, "`/**/` matches zero or more directories"),
    ("docs/**/", "doc/a.md", False, "`docs/**/` stays under `docs`"),
    ("/docs/**/", "x/docs/a.md", False, "a leading slash anchors the pattern"),
    ("src/**/gen/", "src/gen/x.go", True, "`/**/` matches zero directories, then `gen/` is a "
     "directory"),
    ("**/logs/", "logs/x", True, "a leading `**/` means match in all directories"),
    ("**/logs/", "a/b/logs/x", True, "a leading `**/` means match in all directories"),
    ("**", "x/y", True, "`**` matches everything"),
    ("**/", "x", True, "a leading `**/` means match in all directories, the root's too"),
    ("a**b.md", "axxb.md", True, "Other consecutive asterisks are considered regular "
     "asterisks"),
    ("a**b.md", "a/b.md", False, "... and will match according to the previous rules"),
    # GitHub: `[` and `]` are no ranges; escaped, they are characters of a file name.
    ("\\[id\\].tsx", "pages/[id].tsx", True, "Using `[ ]` to define a character range does "
     "not work; escaped, `[` and `]` are characters"),
    ("\\[id\\].tsx", "pages/i.tsx", False, "no character range"),
    ("pages/\\[org\\]/", "pages/[org]/index.tsx", True, "escaped brackets in a folder name"),
]


@pytest.mark.parametrize(("pattern", "path", "owned", "rule"), CASES,
                         ids=[f"{p}->{q}" for p, q, _, _ in CASES])
def test_documented_pattern_rules(pattern: str, path: str, owned: bool, rule: str) -> None:
    assert compile_pattern(pattern).owns(path) is owned, rule


@pytest.mark.parametrize(("pattern", "reason"), [
    pytest.param("!docs/", "negation", id="negation"),
    pytest.param("\\#notes", "escaping a leading `#`", id="escaped-hash"),
    pytest.param("*.[ch]", "character ranges", id="range"),
    pytest.param("pages/[id].tsx", "character ranges", id="unescaped-brackets"),
    pytest.param("a]b", "character ranges", id="lone-closing-bracket"),
    pytest.param("foo\\", "never matches", id="trailing-backslash"),
])
def test_patterns_github_rejects(pattern: str, reason: str) -> None:
    with pytest.raises(PatternError, match=reason):
        compile_pattern(pattern)


def test_folder_shortcut_agrees_with_trying_every_rule() -> None:
    # CodeownersFile.match decides folder patterns once per folder; it must agree with trying
    # every line from the last.
    text = "".join(f"{pattern} @o{n}\n" for n, (pattern, _, _, _) in enumerate(CASES))
    parsed = parse_codeowners("CODEOWNERS", text)
    assert not parsed.problems
    for _, path, _, _ in CASES:
        naive = next((r for r in reversed(parsed.rules) if r.compiled.owns(path)), None)
        assert parsed.match(path) == naive, path


@pytest.mark.parametrize(("line", "rule"), [
    pytest.param("docs/ @al\udcffice\n", "codeowners.encoding", id="owner-not-utf8"),
    pytest.param("d\udcffocs/ @alice\n", "codeowners.encoding", id="pattern-not-utf8"),
    pytest.param("pages/[id].tsx @alice\n", "codeowners.pattern-invalid", id="range"),
    pytest.param("pages/\\[id\\].tsx @alice\n", None, id="escaped-brackets-are-fine"),
])
def test_line_problems(line: str, rule: str | None) -> None:
    parsed = parse_codeowners("CODEOWNERS", "* @all\n" + line)
    assert [(p.rule, p.line) for p in parsed.problems] == ([(rule, 2)] if rule else [])
    if rule:  # the skipped line leaves the earlier owners in place
        assert parsed.owners_of("docs/x") == ("@all",)


@pytest.mark.parametrize(("size", "loaded"), [
    pytest.param(MAX_BYTES - 1, True, id="under-3MB"),
    pytest.param(MAX_BYTES, False, id="3MB"),
])
def test_codeowners_must_be_under_three_megabytes(size: int, loaded: bool) -> None:
    # "CODEOWNERS files must be under 3 MB in size. A CODEOWNERS file over this limit will not
    # be loaded"
    head = "* @all\n"
    text = head + "#" * (size - len(head))
    parsed = parse_codeowners(".github/CODEOWNERS", text)
    assert [p.rule for p in parsed.problems] == ([] if loaded else ["codeowners.too-large"])
    assert parsed.owners_of("x") == (("@all",) if loaded else ())
