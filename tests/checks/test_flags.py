"""Flags: finding flag and feature-gate definitions, and the experimental-flag rules."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from charter.checks.flags.experimental import (
    Flag,
    FlagRules,
    FlagSyntaxError,
    check_flag,
    find_flags,
)
from charter.checks.flags.golang import Duration, tokenize, unquote
from charter.checks.flags.model import FlagValue
from charter.checks.repository import flags_at
from tests.conftest import git

PY_HEAD = "import argparse\nimport click\n\nparser = argparse.ArgumentParser()\n"

# source after PY_HEAD -> (name, default, default_known, kind, experimental) of its one flag
PY_CASES: dict[str, tuple[str, tuple[str, FlagValue, bool, str, bool]]] = {
    "store_true defaults to False": (
        'parser.add_argument("-v", "--verbose", action="store_true")\n',
        ("--verbose", False, True, "bool", False)),
    "store_true with default=True": (
        'parser.add_argument("--experimental-cache", action="store_true", default=True)\n',
        ("--experimental-cache", True, True, "bool", True)),
    "store_false defaults to True": (
        'parser.add_argument("--no-experimental-kv", action="store_false", dest="kv")\n',
        ("--no-experimental-kv", True, True, "bool", True)),
    "BooleanOptionalAction without default is None": (
        'parser.add_argument("--experimental-fast", action=argparse.BooleanOptionalAction)\n',
        ("--experimental-fast", None, True, "bool", True)),
    "BooleanOptionalAction default=True": (
        'parser.add_argument("--experimental-fast", action=argparse.BooleanOptionalAction,'
        " default=True)\n",
        ("--experimental-fast", True, True, "bool", True)),
    "typed option with default": (
        'parser.add_argument("--workers", type=int, default=4)\n',
        ("--workers", 4, True, "int", False)),
    "name from a module constant": (
        'PREFIX = "--experimental-"\nparser.add_argument(PREFIX + "lora", action="store_true")\n',
        ("--experimental-lora", False, True, "bool", True)),
    "default from a module constant": (
        'ON = True\nparser.add_argument("--experimental-x", action="store_true", default=ON)\n',
        ("--experimental-x", True, True, "bool", True)),
    "default from an f-string of constants": (
        'BASE = "v2"\nparser.add_argument("--api", default=f"{BASE}-beta")\n',
        ("--api", "v2-beta", True, "string", False)),
    "constant assigned twice is not resolved": (
        'ON = True\nON = False\nparser.add_argument("--experimental-x", default=ON)\n',
        ("--experimental-x", None, False, "string", True)),
    "constant rebound in a function is not resolved": (
        'ON = False\ndef enable():\n    global ON\n    ON = True\n'
        'parser.add_argument("--experimental-x", action="store_true", default=ON)\n',
        ("--experimental-x", None, False, "bool", True)),
    "imported default is not resolved": (
        'from defaults import ON\nparser.add_argument("--experimental-x", default=ON)\n',
        ("--experimental-x", None, False, "string", True)),
    "environment default is not resolved": (
        'import os\nparser.add_argument("--experimental-x", default=os.environ.get("X"))\n',
        ("--experimental-x", None, False, "string", True)),
    "help text marks it experimental": (
        'parser.add_argument("--turbo", action="store_true", help="Experimental: faster")\n',
        ("--turbo", False, True, "bool", True)),
    "argument group titled experimental": (
        'exp = parser.add_argument_group("Experimental options")\n'
        'exp.add_argument("--turbo", action="store_true")\n',
        ("--turbo", False, True, "bool", True)),
    "exclusive group inside an experimental group": (
        'exp = parser.add_argument_group(title="experimental")\n'
        'g = exp.add_mutually_exclusive_group()\ng.add_argument("--turbo", action="store_true")\n',
        ("--turbo", False, True, "bool", True)),
    "**kwargs hides the default": (
        'opts = {"default": True}\n'
        'parser.add_argument("--experimental-x", action="store_true", **opts)\n',
        ("--experimental-x", None, False, "bool", True)),
    "click boolean pair": (
        '@click.command()\n@click.option("--experimental-lora/--no-experimental-lora",'
        " default=True)\ndef main(experimental_lora: bool) -> None: ...\n",
        ("--experimental-lora", True, True, "bool", True)),
    "click pair without default is off": (
        '@click.option("--shout/--no-shout", " /-S")\ndef main(shout: bool) -> None: ...\n',
        ("--shout", False, True, "bool", False)),
    "click is_flag": (
        '@click.option("--shiny", is_flag=True, help="(experimental) shiny output")\n'
        "def main(shiny: bool) -> None: ...\n",
        ("--shiny", False, True, "bool", True)),
    "click option imported by name": (
        'from click import option\n@option("-l", "--level", default="info")\n'
        "def main(level: str) -> None: ...\n",
        ("--level", "info", True, "string", False)),
    "click default from a lambda is not resolved": (
        '@click.option("--experimental-x", is_flag=True, default=lambda: True)\n'
        "def main(x: bool) -> None: ...\n",
        ("--experimental-x", None, False, "bool", True)),
}


@pytest.mark.parametrize(("source", "expected"), list(PY_CASES.values()), ids=list(PY_CASES))
def test_find_python_flags(source: str,
                           expected: tuple[str, FlagValue, bool, str, bool]) -> None:
    flags = find_flags("src/app/cli.py", PY_HEAD + source)
    assert [(f.name, f.default, f.default_known, f.kind, f.experimental) for f in flags] == [
        expected]
    assert flags[0].line == PY_HEAD.count("\n") + next(
        i for i, line in enumerate(source.splitlines(), 1)
        if "add_argument(" in line or "option(" in line)


def test_python_positional_arguments_and_other_calls_are_not_flags() -> None:
    source = PY_HEAD + ('parser.add_argument("path")\nlogger.info("--experimental-x")\n'
                        'subparsers = parser.add_subparsers()\n')
    assert find_flags("cli.py", source) == []


def test_python_syntax_error_is_raised_with_its_line() -> None:
    with pytest.raises(FlagSyntaxError) as err:
        find_flags("cli.py", PY_HEAD + "parser.add_argument('--x',\nprint 'py2'\n")
    assert err.value.file == "cli.py" and err.value.line == 5


GO_HEAD = 'package main\n\nimport (\n\t"flag"\n\t"time"\n)\n\n'

# source after GO_HEAD -> (name, default, default_known, kind, experimental, how)
GO_CASES: dict[str, tuple[str, tuple[str, FlagValue, bool, str, bool, str]]] = {
    "flag.Bool": (
        'var kv = flag.Bool("experimental-kv", false, "offload KV cache")\n',
        ("experimental-kv", False, True, "bool", True, "flag.Bool")),
    "flag.String": (
        'var mode = flag.String("mode", "fast", "serving mode")\n',
        ("mode", "fast", True, "string", False, "flag.String")),
    "flag.Int with arithmetic": (
        'var n = flag.Int("workers", 2*4, "worker count")\n',
        ("workers", 8, True, "int", False, "flag.Int")),
    "flag.Duration": (
        'var t = flag.Duration("timeout", 90*time.Second, "request timeout")\n',
        ("timeout", "1m30s", True, "duration", False, "flag.Duration")),
    "flag.BoolVar with pointer": (
        'var on bool\n\nfunc init() {\n\tflag.BoolVar(&on, "experimental-pd", true, "usage")\n}\n',
        ("experimental-pd", True, True, "bool", True, "flag.BoolVar")),
    "pflag.BoolP with shorthand": (
        'var v = pflag.BoolP("verbose", "v", false, "verbose output")\n',
        ("verbose", False, True, "bool", False, "pflag.BoolP")),
    "pflag BoolVarP with shorthand": (
        'func init() {\n\tpflag.BoolVarP(&x, "experimental-x", "x", false, "usage")\n}\n',
        ("experimental-x", False, True, "bool", True, "pflag.BoolVarP")),
    "cobra Flags().BoolVar": (
        'func init() {\n\trootCmd.Flags().BoolVar(&o.fast, "fast", false,\n'
        '\t\t"Experimental: skip warmup",\n\t)\n}\n',
        ("fast", False, True, "bool", True, "cobra rootCmd.Flags().BoolVar")),
    "cobra PersistentFlags().StringVarP": (
        'func init() {\n\tcmd.PersistentFlags().StringVarP(&o.m, "model", "m", "llama", "m")\n}\n',
        ("model", "llama", True, "string", False, "cobra cmd.PersistentFlags().StringVarP")),
    "name and default from a const block": (
        'const (\n\tprefix = "experimental-"\n\tenabled = true\n)\n\n'
        'var x = flag.Bool(prefix+"lora", enabled, "LoRA adapters")\n',
        ("experimental-lora", True, True, "bool", True, "flag.Bool")),
    "single const and simple var": (
        'const name = "experimental-spec"\n\nvar def = !true\n\n'
        'var x = flag.Bool(name, def, "speculative decoding")\n',
        ("experimental-spec", False, True, "bool", True, "flag.Bool")),
    "iota with implicit repetition": (
        'const (\n\tzero = iota\n\tone\n\ttwo\n)\n\nvar n = flag.Int("replicas", two, "r")\n',
        ("replicas", 2, True, "int", False, "flag.Int")),
    "typed const with conversion": (
        'type Mode string\n\nconst fast Mode = Mode("fast")\n\n'
        'var m = flag.String("mode", string(fast), "m")\n',
        ("mode", "fast", True, "string", False, "flag.String")),
    "var reassigned in a function is not resolved": (
        'var def = false\n\nfunc init() {\n\tdef = true\n\tflag.BoolVar(&x, "experimental-x",'
        ' def, "u")\n}\n',
        ("experimental-x", None, False, "bool", True, "flag.BoolVar")),
    "const shadowed by a local is not resolved": (
        'const def = false\n\nfunc main() {\n\tdef := true\n\tflag.BoolVar(&x, "experimental-x",'
        ' def, "u")\n}\n',
        ("experimental-x", None, False, "bool", True, "flag.BoolVar")),
    "function call default is not resolved": (
        'var x = flag.Bool("experimental-x", os.Getenv("X") == "1", "u")\n',
        ("experimental-x", None, False, "bool", True, "flag.Bool")),
    "other package's constant is not resolved": (
        'var x = flag.Bool("experimental-x", defaults.On, "u")\n',
        ("experimental-x", None, False, "bool", True, "flag.Bool")),
    "name from an unknown identifier on a flag set": (
        'func init() {\n\tfs.BoolVar(&x, options.FlagName, false, "u")\n}\n',
        ("options.FlagName", False, True, "bool", False, "FlagSet fs.BoolVar")),
    "raw string usage mentions experimental": (
        'var x = flag.Bool("pd", false, `Prefill/decode split.\nExperimental.`)\n',
        ("pd", False, True, "bool", True, "flag.Bool")),
    "flag.Var has no literal default": (
        'func init() {\n\tflag.Var(&levels, "experimental-levels", "levels")\n}\n',
        ("experimental-levels", None, False, "value", True, "flag.Var")),
    "feature gate map": (
        'const DisaggV2 featuregate.Feature = "DisaggV2"\n\n'
        'var gates = map[featuregate.Feature]featuregate.FeatureSpec{\n'
        '\tDisaggV2: {Default: true, PreRelease: featuregate.Alpha},\n}\n',
        ("DisaggV2", True, True, "feature-gate", True, "featuregate FeatureSpec")),
    "feature gate map returned by a function": (
        'func defaults() map[featuregate.Feature]featuregate.FeatureSpec {\n'
        '\treturn map[featuregate.Feature]featuregate.FeatureSpec{\n'
        '\t\t"Turbo": {Default: false, PreRelease: featuregate.Alpha},\n\t}\n}\n',
        ("Turbo", False, True, "feature-gate", True, "featuregate FeatureSpec")),
    "beta feature gate is not experimental": (
        'var gates = map[featuregate.Feature]featuregate.FeatureSpec{\n'
        '\t"Prefix": featuregate.FeatureSpec{Default: true, PreRelease: featuregate.Beta},\n}\n',
        ("Prefix", True, True, "feature-gate", False, "featuregate FeatureSpec")),
    "versioned feature gate uses its latest entry": (
        'var gates = map[featuregate.Feature]featuregate.VersionedSpecs{\n\t"LoRA": {\n'
        '\t\t{Version: version.MustParse("1.0"), Default: false, PreRelease: featuregate.Alpha},\n'
        '\t\t{Version: version.MustParse("1.1"), Default: true, PreRelease: featuregate.Beta},\n'
        '\t},\n}\n',
        ("LoRA", True, True, "feature-gate", False, "featuregate VersionedSpecs (latest entry)")),
}


@pytest.mark.parametrize(("source", "expected"), list(GO_CASES.values()), ids=list(GO_CASES))
def test_find_go_flags(source: str,
                       expected: tuple[str, FlagValue, bool, str, bool, str]) -> None:
    flags = find_flags("cmd/server/main.go", GO_HEAD + source)
    assert [(f.name, f.default, f.default_known, f.kind, f.experimental, f.how)
            for f in flags] == [expected]


def test_go_lines_strings_and_comments() -> None:
    source = GO_HEAD + ('// flag.Bool("commented", true, "not code")\n/* flag.Bool("x", true,'
                        ' "no") */\nvar s = "flag.Bool(\\"in-string\\", true, \\"no\\")"\n'
                        'var raw = `\n\n`\nvar x = flag.Bool("real", true, "yes")\n')
    flags = find_flags("main.go", source)
    assert [(f.name, f.line) for f in flags] == [("real", 14)]


def test_go_non_flag_methods_are_ignored() -> None:
    source = GO_HEAD + ('func f() {\n\ts := b.String()\n\td := time.Duration(5)\n'
                        '\tz := zap.Bool("k", true)\n\tq := r.Int(a, b, c)\n}\n')
    assert find_flags("main.go", source) == []


def test_go_feature_gate_default_zero_value_and_line() -> None:
    source = GO_HEAD + ('var g = map[featuregate.Feature]featuregate.FeatureSpec{\n'
                        '\t"A": {PreRelease: featuregate.Alpha},\n'
                        '\t"ExperimentalB": {\n\t\tDefault:    false,\n'
                        '\t\tPreRelease: featuregate.Alpha,\n\t},\n}\n')
    flags = find_flags("f.go", source)
    assert [(f.name, f.default, f.line, f.why_experimental) for f in flags] == [
        ("A", False, 9, "its feature gate is Alpha"),
        ("ExperimentalB", False, 10, "its name contains 'experimental'")]


@pytest.mark.parametrize(("path", "source", "reason"), [
    pytest.param("pkg/experimental/kv/flags.go",
                 'package kv\n\nvar x = flag.Bool("kv", false, "")\n',
                 "it is defined under 'experimental', marked 'experimental'", id="go folder"),
    pytest.param("pkg/kv/flags.go",
                 'package experimentalkv\n\nvar x = flag.Bool("kv", false, "")\n',
                 "its Go package 'experimentalkv' is marked 'experimental'", id="go package"),
    pytest.param("app/experimental_cli.py", 'p.add_argument("--kv", action="store_true")\n',
                 "it is defined under 'experimental_cli', marked 'experimental'", id="py file"),
])
def test_experimental_by_location(path: str, source: str, reason: str) -> None:
    (flag,) = find_flags(path, source)
    assert flag.experimental and flag.why_experimental == reason


@pytest.mark.parametrize(("text", "value"), [
    pytest.param(r'"a\tb\u00e9\x41"', "a\tbéA", id="escapes"),
    pytest.param("`C:\\path`", "C:\\path", id="raw"),
])
def test_unquote(text: str, value: str) -> None:
    assert unquote(text) == value


@pytest.mark.parametrize(("ns", "text"), [
    pytest.param(0, "0s", id="zero"), pytest.param(1_500_000_000, "1.5s", id="fraction"),
    pytest.param(5_400_000_000_000, "1h30m0s", id="hours"),
    pytest.param(500_000_000, "500ms", id="millis"),
])
def test_duration_prints_like_go(ns: int, text: str) -> None:
    assert Duration(ns).go() == text


def test_semicolons_are_inserted_like_go() -> None:
    kinds = [t.text for t in tokenize("x := f(\n\ta,\n)\ny++\n")]
    assert kinds == ["x", ":=", "f", "(", "a", ",", ")", ";", "y", "++", ";"]


def _flag(**kw: object) -> Flag:
    base: dict[str, object] = {"name": "--experimental-x", "default": False, "kind": "bool",
                               "path": "cli.py", "line": 3, "experimental": True,
                               "how": "argparse add_argument", "why_experimental": "its name"}
    base.update(kw)
    return Flag(**base)  # type: ignore[arg-type]


# Flag -> {rule: severity}
RULE_CASES: dict[str, tuple[Flag, FlagRules, dict[str, str]]] = {
    "experimental, named, off": (_flag(), FlagRules(), {}),
    "not experimental is not judged": (
        _flag(name="--fast", default=True, experimental=False), FlagRules(), {}),
    "default on": (_flag(default=True), FlagRules(),
                   {"flags.experimental-default-on": "error"}),
    "string default 'enabled' is on": (_flag(default="enabled", kind="string"), FlagRules(),
                                       {"flags.experimental-default-on": "error"}),
    "int default is not judged as on": (_flag(default=4, kind="int"), FlagRules(), {}),
    "name lacks the marker": (_flag(name="--turbo"), FlagRules(),
                              {"flags.experimental-name": "error"}),
    "underscored marker counts": (_flag(name="EXPERIMENTAL_TURBO"), FlagRules(), {}),
    "custom marker": (_flag(name="--alpha-turbo"), FlagRules(marker="alpha"), {}),
    "default unresolved is a warning": (
        _flag(default=None, default_known=False), FlagRules(),
        {"flags.default-unresolved": "warning"}),
    "name unresolved is a warning": (
        _flag(name="options.Name", name_known=False), FlagRules(),
        {"flags.name-unresolved": "warning"}),
    "default-on rule switched off": (_flag(default=True), FlagRules(default_off=False), {}),
    "both broken": (_flag(name="Turbo", kind="feature-gate", default=True), FlagRules(),
                    {"flags.experimental-name": "error",
                     "flags.experimental-default-on": "error"}),
}


@pytest.mark.parametrize(("flag", "rules", "expected"), list(RULE_CASES.values()),
                         ids=list(RULE_CASES))
def test_check_flag(flag: Flag, rules: FlagRules, expected: dict[str, str]) -> None:
    findings = check_flag(flag, rules)
    assert {f.rule: f.severity for f in findings} == expected
    assert all(f.check == "flags" and f.path == "cli.py" and f.line == 3 for f in findings)


def test_store_false_message_explains_the_default() -> None:
    (flag,) = find_flags("cli.py", 'p.add_argument("--no-experimental-kv", action="store_false")\n')
    (finding,) = check_flag(flag, FlagRules())
    assert "store_false keeps the value True" in finding.message


# --- against a real repository -------------------------------------------------------------

def _commit(repo: Path, files: dict[str, str | bytes]) -> None:
    for path, content in files.items():
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
        git(repo, "add", path)
    git(repo, "commit", "-q", "-m", "files")


SERVER = ('package server\n\nimport "github.com/spf13/pflag"\n\n'
          'func AddFlags(fs *pflag.FlagSet) {\n'
          '\tfs.BoolVar(&o.pd, FlagPD, DefaultPD, "prefill/decode split")\n'
          '\tfs.BoolVar(&o.kv, "experimental-kv", platformDefault, "KV offload")\n}\n')
CONSTS = ('package server\n\nconst (\n\tFlagPD = "experimental-pd"\n'
          '\tDefaultPD = true\n)\n')


@pytest.fixture
def project(make_repo: Callable[[str], Path]) -> Path:
    repo = make_repo("project")
    _commit(repo, {
        "pkg/server/flags.go": SERVER,
        "pkg/server/consts.go": CONSTS,
        # Build-tagged files giving the same constant different values: not resolvable.
        "pkg/server/default_linux.go": "//go:build linux\n\npackage server\n\n"
                                       "const platformDefault = true\n",
        "pkg/server/default_other.go": "//go:build !linux\n\npackage server\n\n"
                                       "const platformDefault = false\n",
        "pkg/server/flags_test.go": 'package server\n\nvar t = flag.Bool("experimental-t", true,'
                                    ' "")\n',
        "vendor/github.com/x/y/y.go": 'package y\n\nvar v = flag.Bool("experimental-v", true,'
                                      ' "")\n',
        "tools/cli.py": 'import argparse\np = argparse.ArgumentParser()\n'
                        'p.add_argument("--turbo", action="store_true", help="experimental")\n',
        "tools/broken.py": "def f(:\n    pass\n",
        "tools/legacy.py": "# -*- coding: latin-1 -*-\n# Résumé\nimport argparse\n"
                           "argparse.ArgumentParser().add_argument('--experimental-r',"
                           " action='store_true', default=True)\n".encode("latin-1"),
        "tools/blob.py": b"\0\0\0binary",
        "README.md": "# project\n",
    })
    return repo


def test_check_flags_on_a_repository(project: Path) -> None:
    findings = flags_at(project, "HEAD", FlagRules())
    assert [(f.path, f.line, f.rule, f.severity) for f in findings] == [
        # DefaultPD comes from consts.go in the same package folder.
        ("pkg/server/flags.go", 6, "flags.experimental-default-on", "error"),
        ("pkg/server/flags.go", 7, "flags.default-unresolved", "warning"),
        ("tools/blob.py", None, "flags.binary", "warning"),
        ("tools/broken.py", 1, "flags.parse-error", "warning"),
        ("tools/cli.py", 3, "flags.experimental-name", "error"),
        ("tools/legacy.py", 4, "flags.experimental-default-on", "error"),
    ]
    assert "'experimental-pd'" in findings[0].message


def test_check_flags_only_the_paths_given(project: Path) -> None:
    findings = flags_at(project, "HEAD", FlagRules(),
                           paths=["pkg/server/flags.go", "vendor/github.com/x/y/y.go",
                                  "deleted.go"])
    assert [(f.path, f.rule) for f in findings] == [
        ("pkg/server/flags.go", "flags.experimental-default-on"),
        ("pkg/server/flags.go", "flags.default-unresolved"),
        ("vendor/github.com/x/y/y.go", "flags.experimental-default-on"),
    ]


def test_check_flags_with_default_rule_off(project: Path) -> None:
    findings = flags_at(project, "HEAD", FlagRules(default_off=False),
                           paths=["pkg/server/flags.go"])
    assert findings == []
