"""The fast scenario reader gives the round-trip loader's data and lines, on every document.

Checked on every scenario the repository ships or documents and on a table of YAML features;
scalars also by property: whatever a plain scalar says, both readers read the same value (or the
fast one hands the document to the round-trip loader).
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charter.errors import CharterError
from charter.scenario import reader
from charter.scenario.reader import build, plain_keys, read_document
from charter.scenario.scalars import Unsupported, scalar
from charter.yamlio import locate, parse_yaml

ROOT = Path(__file__).resolve().parents[2]
DOC_BLOCKS = [b for page in ("docs/scenario.md", "README.md")
              for b in re.findall(r"```yaml\n(.*?)```", (ROOT / page).read_text(), re.S)
              if "events:" in b]
SHIPPED = [p.read_text() for p in sorted((ROOT / "examples").glob("*.yaml"))] + DOC_BLOCKS

FEATURES = {
    "block-style": "policy: llama-stack\npeople:\n  alice: maintainer\n  bob:\n    - maintainer\n"
                   "events:\n  - at: 2026-03-02T09:00:00Z\n    by: alice\n    do: step-down\n",
    "comments": "# head\npolicy: llama-stack  # preset\nevents: []  # none\n",
    "quoted": "a: '123'\nb: \"true\"\nc: 'x: y'\nd: \"multi\n  line\"\ne: ''\n",
    "block-scalars": "a: |\n  one\n  two\nb: >\n  folded\n  text\nc: |-\n  kept\n",
    "numbers": "a: 1\nb: -7\nc: +5\nd: 012\ne: 1.5\nf: -0.25\ng: 1e3\nh: 1_000\ni: 0x1F\n"
               "j: 0o17\nk: .5\nl: .inf\nm: 1:30\n",
    "booleans-nulls": "a: true\nb: False\nc: TRUE\nd: yes\ne: no\nf: on\ng: ~\nh: null\ni:\n"
                      "j: Null\nk: n\n",
    "times": "a: 2026-03-02T09:00:00Z\nb: 2026-03-02 09:00:00+02:00\nc: 2026-03-02\n"
             "d: 2026-03-02T09:00:00\ne: 2026-03-02t09:00:00.5Z\nf: 2026-3-2 9:00:00\n"
             "g: 2026-03-02T09:00:00 +02\nh: 2026-03-02T09:00:00.1234567Z\n",
    "strings-like-numbers": "a: 1.2.3\nb: 2026-03\nc: 12:30:00\nd: +x\nf: v1.0\n",
    "keys": "2: two\ntrue: yes-key\n2026-03-02: day\n~: nothing\n'q': quoted\n",
    "nested": "a: {b: [1, {c: [d, {e: f}]}], g: []}\nh: [[], {}, [[x]]]\n",
    "unicode": "a: café\nb: \"\\u00e9\\t\"\nc: 日本\n",
    "bom": "\ufeffa: 1\n",
    "empty": "",
    "only-comment": "# nothing\n",
    "scalar-document": "just text\n",
    "inline-policy": "policy:\n  extends: llama-stack\n  calendar: {weekend_zone: UTC}\n"
                     "  processes:\n    lazy-consensus:\n      window: 72 business hours\n"
                     "  roles: [contributor, {id: maintainer}, emeritus]\nevents: []\n",
    "anchor-alias": "a: &x {b: 1}\nc: *x\n",
    "anchor-unused": "a: &x 1\nb: 2\n",
    "tag": "a: !!str 123\n",
    "custom-tag": "a: !thing x\n",
    "yaml-1.1": "%YAML 1.1\n---\na: yes\nb: 0755\n",
    "yaml-1.2-directive": "%YAML 1.2\n---\na: yes\n",
    "merge-key": "base: &b {x: 1}\nm:\n  <<: *b\n  y: 2\n",
    "complex-key": "? [a, b]\n: 1\n",
    "explicit-document": "---\na: 1\n...\n",
    "invalid-date": "a: 2026-02-30\n",
    "huge-int": "a: " + "9" * 30 + "\n",
}


def comparable(value: Any) -> Any:
    """VALUE with what == overlooks made visible: a time's offset and type, a tag."""
    if isinstance(value, dict):
        return {comparable(k): comparable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [comparable(v) for v in value]
    if isinstance(value, datetime):
        return ("time", value, value.utcoffset())
    if type(value).__name__ == "TaggedScalar":  # compares by identity; a fallback makes new ones
        return ("tagged", value.value, str(value.tag))
    return (type(value).__name__, value)


def same_as_round_trip(text: str, tmp_path: Path) -> None:
    node = parse_yaml(text, "f.yaml")
    path = tmp_path / "f.yaml"
    path.write_text(text, encoding="utf-8")
    document = read_document(path)
    assert comparable(document.data) == comparable(plain_keys(node))
    if isinstance(node, dict):
        for key_path, (_, line) in locate(node, "f.yaml").items():
            assert document.positions.where(key_path) == (str(path), line), key_path
        policy = node.get("policy")
        if isinstance(policy, dict):
            assert locate(document.policy_node, "p") == locate(policy, "p")


@pytest.mark.parametrize("text", SHIPPED, ids=[f"shipped-{i}" for i in range(len(SHIPPED))])
def test_shipped_scenarios_read_the_same(text: str, tmp_path: Path) -> None:
    build(text, "f.yaml")  # read by the fast path itself, no fallback
    same_as_round_trip(text, tmp_path)


@pytest.mark.parametrize("text", list(FEATURES.values()), ids=list(FEATURES))
def test_yaml_features_read_the_same(text: str, tmp_path: Path) -> None:
    try:
        parse_yaml(text, "f.yaml")
    except (CharterError, ValueError):
        pytest.skip("the round-trip loader cannot read it either (not this reader's concern)")
    same_as_round_trip(text, tmp_path)


def test_positions_of_missing_keys_fall_back_to_the_longest_prefix(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("policy: llama-stack\nevents:\n  - {at: x, by: y}\n  - [1]\n")
    positions = read_document(path).positions
    assert positions.where(("events", 0, "do")) == (str(path), 3)
    assert positions.where(("events", 1, 0)) == (str(path), 4)
    assert positions.where(("events", 7)) == (str(path), 2)
    assert positions.where(("nothing",)) == (str(path), 1)


PLAIN = st.text(alphabet="0123456789-+:._ TtZzeExXob~nulrsaf", min_size=1, max_size=24)


@settings(max_examples=400, deadline=None)
@given(PLAIN)
def test_plain_scalars_read_as_ruamel_reads_them(value: str) -> None:
    text = f"k: {value}\n"
    try:
        expected = plain_keys(parse_yaml(text, "f"))
    except (CharterError, ValueError, OverflowError):
        return  # not a plain scalar on its own, or not readable at all
    if not isinstance(expected, dict) or list(expected) != ["k"]:
        return
    stripped = value.strip()
    try:
        got = scalar(stripped) if stripped else None
    except Unsupported:
        return  # the fast reader leaves it to the round-trip loader
    assert got == expected["k"] and type(got) is type(expected["k"]), value


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("a: 1\nb: 2\na: 3\n", 3, "duplicate key 'a'"),
        ("events:\n  - {at: 1, at: 2}\n", 2, "duplicate key 'at'"),
        ("policy:\n  roles: []\n  roles: []\n", 3, "duplicate key 'roles'"),
        ("a: b: c\n", 1, "malformed YAML"),
        ("a: [1, 2\nb: 3\n", 2, "malformed YAML"),
        ("a: 1\n---\nb: 2\n", 2, "single document"),
        ("a: \x01\n", 1, "malformed YAML"),
        ("a: " + "[" * 100 + "]" * 100 + "\n", 1, "nested more than 64 levels"),
        ("a: 1\nb: 2026-02-30\n", 2, "reads as a date but no such date exists"),
        ("a: 1\nb: 2026-02-30T09:00:00Z\n", 2, "reads as a date but no such date exists"),
        ("events:\n  - {at: 0001-01-01T00:00:00Z}\n", 2, "outside the years Charter reads"),
        ("a: 3000-01-01\n", 1, "outside the years Charter reads"),
    ],
    ids=["duplicate", "duplicate-in-event", "duplicate-in-policy", "bad-mapping",
         "unclosed-flow", "two-documents", "control-character", "too-deep", "no-such-date",
         "no-such-time", "year-1", "year-3000"],
)
def test_unreadable_documents_name_their_line(text: str, line: int, words: str,
                                              tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    with pytest.raises(CharterError) as err:
        read_document(path)
    assert (err.value.file, err.value.line) == (str(path), line), err.value
    assert words in err.value.message


def test_unreadable_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(CharterError, match="no such file"):
        read_document(tmp_path / "none.yaml")
    with pytest.raises(CharterError, match="is a folder"):
        read_document(tmp_path)
    with pytest.raises(CharterError, match="not a regular file"):
        read_document(Path("/dev/null"))
    (tmp_path / "latin1.yaml").write_bytes(b"a: caf\xe9\n")
    with pytest.raises(CharterError, match="not UTF-8"):
        read_document(tmp_path / "latin1.yaml")
    monkeypatch.setattr(reader, "MAX_BYTES", 10)
    (tmp_path / "big.yaml").write_text("a: 12345678901\n")
    with pytest.raises(CharterError, match="over the 10-byte limit for a scenario file"):
        read_document(tmp_path / "big.yaml")


def test_a_large_file_needing_the_round_trip_reader_is_refused(tmp_path: Path) -> None:
    """Past the round-trip reader's size limit, a file must be plain YAML; the error says why."""
    path = tmp_path / "s.yaml"
    path.write_text("policy: llama-stack\nbase: &m maintainer\npeople: {a: *m}\nevents:\n"
                    + "  - {at: 2026-03-02T09:00:00Z, by: a, do: step-down}\n" * 6000)
    with pytest.raises(CharterError) as err:
        read_document(path)
    assert err.value.line == 3 and "uses an alias" in err.value.message
    assert "write the values out as plain YAML" in err.value.message


def test_a_fallback_document_still_checks_fields(tmp_path: Path) -> None:
    """An alias sends the file to the round-trip loader; its errors still name the line."""
    from charter.scenario import load_scenario

    path = tmp_path / "s.yaml"
    path.write_text("policy: llama-stack\npeople: {alice: &m maintainer, bob: *m}\n"
                    "events:\n  - {at: 2026-03-02T09:00:00Z, by: alice, do: [step-down]}\n")
    with pytest.raises(CharterError) as err:
        load_scenario(path)
    assert (err.value.line, err.value.field) == (4, "events.0.do")
