"""Loading specs safely: `$ref`s never leave the document, hostile input is refused clearly.

Every input may be hostile (a pull request's author controls its spec), so each case is a small
document of the general shape the rule is about, checked through the public entry points.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from charter.apidiff import parse
from charter.apidiff.cache import DiskCache
from charter.apidiff.compare import apidiff, diff_specs
from charter.apidiff.load import MAX_BYTES, load_spec, parse_document
from charter.apidiff.spec_warnings import MAX_WARNINGS
from charter.apidiff.validate import validate_document
from charter.cli import cli, main
from charter.errors import CharterError
from tests.conftest import git

SECRET = "s3cr3t-content-that-must-never-be-quoted"


def spec(schema: Any, components: dict[str, Any] | None = None,
         version: str = "3.0.3") -> dict[str, Any]:
    """A one-operation document whose 200 response has SCHEMA."""
    doc: dict[str, Any] = {
        "openapi": version, "info": {"title": "t", "version": "1"},
        "paths": {"/v1/models": {"get": {"responses": {"200": {
            "description": "ok", "content": {"application/json": {"schema": schema}}}}}}}}
    if components is not None:
        doc["components"] = {"schemas": components}
    return doc


def write(folder: Path, name: str, data: dict[str, Any] | str) -> str:
    path = folder / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
    return str(path)


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.yaml"
    path.write_text(f"type: object\ndescription: {SECRET}\nx: {{type: string}}\n")
    return path


@pytest.fixture
def server(secret_file: Path) -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server serving the secret; it records every request it gets."""
    hits: list[str] = []
    body = secret_file.read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/yaml")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    finally:
        httpd.shutdown()
        httpd.server_close()


# -- $ref never leaves the document -----------------------------------------------------------

def _outside_refs(secret_file: Path, base_url: str) -> list[str]:
    return [secret_file.as_uri(), f"{secret_file.as_uri()}#/x", f"{base_url}/x.yaml",
            f"{base_url}/x.yaml#/x", "secret.yaml#/x", "./secret.yaml", "../secret.yaml#/x",
            "//127.0.0.1/x.yaml"]


def test_refs_outside_the_document_are_warnings_and_never_read(
        tmp_path: Path, secret_file: Path, server: tuple[str, list[str]]) -> None:
    base_url, hits = server
    old = write(tmp_path, "old.yaml", spec({"$ref": "#/components/schemas/M"},
                                           {"M": {"type": "object"}}))
    for ref in _outside_refs(secret_file, base_url):
        # both where a schema is and where a whole response is: every $ref position
        doc = spec({"$ref": ref}, {"M": {"$ref": ref}})
        doc["paths"]["/v1/models"]["get"]["responses"]["404"] = {"$ref": ref}
        new = write(tmp_path, "new.yaml", doc)
        result = CliRunner().invoke(cli, ["apidiff", old, new, "--json"])
        assert result.exit_code in (0, 1), result.output
        assert SECRET not in result.output
        warnings = json.loads(result.output)["warnings"]
        assert {w["id"] for w in warnings} == {"ref-outside-document"}, ref
        assert {w["location"] for w in warnings} == {
            "#/components/schemas/M/$ref",
            "#/paths/~1v1~1models/get/responses/200/content/application~1json/schema/$ref",
            "#/paths/~1v1~1models/get/responses/404/$ref"}
        assert all(ref[:40] in w["message"] for w in warnings)
    assert hits == []  # the server was never asked


def test_outside_ref_in_text_output_names_it_without_content(tmp_path: Path,
                                                             secret_file: Path) -> None:
    old = write(tmp_path, "old.yaml", spec({"type": "object"}))
    new = write(tmp_path, "new.yaml", spec({"$ref": secret_file.as_uri()}))
    result = CliRunner().invoke(cli, ["apidiff", old, new])
    assert SECRET not in result.output
    assert "warning" in result.output and secret_file.as_uri()[:60] in result.output


def test_outside_ref_from_a_pull_request_reaches_neither_check_nor_gate(
        make_repo: Callable[[str], Path], secret_file: Path,
        server: tuple[str, list[str]]) -> None:
    base_url, hits = server
    repo = make_repo("svc")
    (repo / "charter.yaml").write_text(
        "charter: 1\nproject: {name: t}\nroles: [maintainer]\n"
        "pull_requests:\n  api:\n    specs: [api/openapi.yaml]\n")
    (repo / "api").mkdir()
    (repo / "api/openapi.yaml").write_text(yaml.safe_dump(spec({"type": "object"})))
    (repo / "api/other.yaml").write_text(f"x: {{description: {SECRET}}}\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-s", "-m", "base")
    git(repo, "tag", "base")
    for n, ref in enumerate((secret_file.as_uri(), "other.yaml#/x", "./other.yaml",
                             f"{base_url}/x.yaml", f"{base_url}/x.yaml#/x")):
        (repo / "api/openapi.yaml").write_text(yaml.safe_dump(spec({"$ref": ref})))
        git(repo, "commit", "-q", "-s", "-am", f"head {n}")
        check = CliRunner().invoke(cli, ["check", "api", "--repo", str(repo), "--range",
                                         "base..HEAD", "--json"])
        assert SECRET not in check.output
        [finding] = [f for f in json.loads(check.output)["findings"]
                     if f["rule"] == "api.ref-outside-document"]
        assert finding["severity"] == "warning" and finding["path"] == "api/openapi.yaml"
        gate = CliRunner().invoke(cli, ["gate", "--repo", str(repo), "--base", "base",
                                        "--head", "HEAD", "--json"])
        assert SECRET not in gate.output, gate.output
        [api] = [r for r in json.loads(gate.output)["requirements"]
                 if r["rule"] == "api.breaking"]
        assert [w["id"] for w in api["details"]["warnings"]] == ["ref-outside-document"]
    assert hits == []  # the loopback server was never asked


# -- references inside the document -----------------------------------------------------------

@pytest.mark.parametrize(("schema", "components", "warning"), [
    ({"$ref": "#/components/schemas/Nope"}, {"M": {"type": "object"}}, "ref-dangling"),
    ({"$ref": "#/components/schemas/A"},
     {"A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"}},
     "ref-cycle"),
    ({"$ref": "#/components/schemas/A"}, {"A": {"$ref": "#/components/schemas/A"}},
     "ref-cycle"),
    ({"$ref": "#Model"}, {"Model": {"type": "object"}}, "ref-dangling"),
], ids=["dangling", "A<->B cycle", "self cycle", "not a JSON pointer"])
def test_broken_local_refs_are_one_warning_each(tmp_path: Path, schema: Any,
                                                components: dict[str, Any],
                                                warning: str) -> None:
    path = write(tmp_path, "spec.yaml", spec(schema, components))
    result = apidiff(path, path)
    assert result.changes == ()
    assert [w.id for w in result.warnings] == [warning]
    assert len(result.warnings[0].message) < 400


def test_dangling_ref_message_does_not_copy_the_document(tmp_path: Path) -> None:
    big = {f"S{i}": {"type": "object", "description": "x" * 200} for i in range(2000)}
    path = write(tmp_path, "spec.yaml", spec({"$ref": "#/components/schemas/Nope"}, big))
    [warning] = apidiff(path, path).warnings
    assert len(warning.message) < 300 and "x" * 100 not in warning.message


def test_recursive_schema_through_ref_compares_fine(tmp_path: Path) -> None:
    def node(name_type: str) -> dict[str, Any]:
        return {"type": "object", "properties": {
            "name": {"type": name_type},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
            "parent": {"$ref": "#/components/schemas/Node"}}}

    old = write(tmp_path, "old.yaml", spec({"$ref": "#/components/schemas/Node"},
                                           {"Node": node("string")}))
    new = write(tmp_path, "new.yaml", spec({"$ref": "#/components/schemas/Node"},
                                           {"Node": node("integer")}))
    result = apidiff(old, new)
    assert result.warnings == ()
    assert [(c.id, c.location) for c in result.changes] == [
        ("response-property-type-changed",
         "responses.200.content.application/json.schema.properties.name.type")]


def test_ref_chain_too_deep_to_compare_is_a_clear_error(tmp_path: Path) -> None:
    def chain(leaf: str) -> dict[str, Any]:
        schemas: dict[str, Any] = {
            f"S{i}": {"type": "object", "properties": {
                "next": {"$ref": f"#/components/schemas/S{i + 1}"}}} for i in range(3000)}
        schemas["S3000"] = {"type": leaf}
        return spec({"$ref": "#/components/schemas/S0"}, schemas)

    old = write(tmp_path, "old.json", json.dumps(chain("string")))
    new = write(tmp_path, "new.json", json.dumps(chain("integer")))
    with pytest.raises(CharterError, match="nest too deeply") as err:
        apidiff(old, new)
    assert "recursion" not in err.value.message


# -- validation problems are warnings; unreadable documents are errors --------------------------

def test_default_matching_two_one_of_branches_is_compared(tmp_path: Path) -> None:
    # the shape that made every Llama Stack v0.2.x spec exit 2 ("'auto' is valid under each of")
    choice = {"oneOf": [{"type": "string"},
                        {"type": "string", "enum": ["auto", "required", "none"]}],
              "default": "auto"}
    old = spec({"$ref": "#/components/schemas/R"},
               {"R": {"type": "object", "properties": {"tool_choice": choice}}}, "3.1.0")
    new = json.loads(json.dumps(old))
    new["components"]["schemas"]["R"]["properties"]["extra"] = {"type": "string"}
    result = apidiff(write(tmp_path, "old.yaml", old), write(tmp_path, "new.yaml", new))
    assert [c.id for c in result.changes] == ["response-optional-property-added"]


@pytest.mark.parametrize(("edit", "location", "words"), [
    (lambda d: d["info"].pop("version"), "#/info", "`version` is missing"),
    (lambda d: d["paths"]["/v1/models"]["get"].update(summary=["a", "list"]),
     "#/paths/~1v1~1models/get/summary", "expected string, found a list"),
    (lambda d: d["paths"]["/v1/models"]["get"]["responses"]["200"].pop("description"),
     "#/paths/~1v1~1models/get/responses/200", "`description` is missing"),
    (lambda d: d["paths"]["/v1/models"]["get"].update(bogus=1),
     "#/paths/~1v1~1models/get", "`bogus`"),
], ids=["required field", "wrong type", "inside a $ref-or-object choice", "unknown field"])
@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_schema_violations_are_warnings_at_their_location(
        tmp_path: Path, edit: Callable[[dict[str, Any]], Any], location: str, words: str,
        version: str) -> None:
    doc = spec({"type": "object"}, version=version)
    edit(doc)
    loaded = load_spec(write(tmp_path, "spec.yaml", doc))
    assert any(w.location == location and words in w.message and w.id == "openapi-invalid"
               for w in loaded.warnings), loaded.warnings


def test_warnings_are_capped_and_quote_no_long_value(tmp_path: Path) -> None:
    doc = spec({"type": "object"})
    for i in range(MAX_WARNINGS + 20):
        doc["paths"][f"/v1/p{i}" + "w" * 500] = {"get": {"responses": {"200": {}}},
                                                  "y" * 500: 1}
    doc["info"]["version"] = ["z" * 10_000]
    warnings = load_spec(write(tmp_path, "spec.yaml", doc)).warnings
    assert len(warnings) == MAX_WARNINGS + 1 and warnings[-1].id == "more-warnings"
    assert max(len(w.message) + len(w.location) for w in warnings) < 600
    assert not any("z" * 100 in w.message or "w" * 100 in w.location or "y" * 100 in w.message
                   for w in warnings)


@pytest.mark.parametrize(("text", "needle"), [
    ("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: [/a]\n", "#/paths must be a map"),
    ("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {/a: 5}\n", "#/paths/~1a must"),
    ("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {/a: {get: [x]}}\n",
     "#/paths/~1a/get must be a mapping"),
    ("openapi: 2.0\ninfo: {title: t, version: '1'}\npaths: {}\n", "not an OpenAPI 3.x"),
    ("openapi: 3.0.3\n---\nopenapi: 3.0.3\n", "single document"),
    ("openapi: 3.0.3\nx: !!python/object:os.system {}\n", "unsupported YAML tag"),
    ("openapi: 3.0.3\nx: !!binary aGVsbG8=\n", "unsupported YAML tag"),
    ("openapi: 3.0.3\nx: *nowhere\n", "names no anchor"),
], ids=["paths list", "path item scalar", "operation list", "openapi 2", "two documents",
        "python tag", "binary", "undefined alias"])
def test_unreadable_documents_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     text: str, needle: str) -> None:
    good = write(tmp_path, "good.yaml", spec({"type": "object"}))
    bad = write(tmp_path, "bad.yaml", text)
    with pytest.raises(SystemExit) as exit_info:
        main(["apidiff", good, bad])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert needle in err and bad in err and "Traceback" not in err


# -- hostile YAML and JSON ---------------------------------------------------------------------

@pytest.mark.parametrize(("text", "line"), [
    ("openapi: 3.0.3\npaths:\n  /v1/models:\n    get: {}\n  /v1/models:\n    post: {}\n", 5),
    ("openapi: 3.0.3\nopenapi: 3.1.0\n", 2),
    ("openapi: 3.0.3\ninfo: {title: a, title: b}\n", 2),
    ('{"openapi": "3.0.3", "paths": {"/v1/models": {}, "/v1/models": {}}}', 1),
    ('{\n "openapi": "3.0.3",\n "info": {\n  "title": "a",\n  "title": "b"\n }\n}\n', 5),
    ("openapi: 3.0.3\n200: a\n'200': b\n", 3),
], ids=["path twice", "top-level key", "flow mapping", "json", "json multi-line",
        "number and text key"])
def test_duplicate_keys_are_an_error_with_the_line(text: str, line: int) -> None:
    with pytest.raises(CharterError, match="duplicate key") as err:
        parse_document(text, "spec.yaml")
    assert err.value.line == line


def test_duplicate_path_is_not_a_false_removal(tmp_path: Path) -> None:
    old = write(tmp_path, "old.yaml", spec({"type": "object"}))
    text = Path(old).read_text().replace(
        "paths:\n", "paths:\n  /v1/models:\n    post:\n      responses: {'201': "
        "{description: created}}\n", 1)
    new = write(tmp_path, "new.yaml", text)
    with pytest.raises(CharterError, match="duplicate key '/v1/models'"):
        apidiff(old, new)


def _laughs(levels: int, width: int) -> str:
    lines = ["openapi: 3.0.3", "info: {title: t, version: '1'}", "paths: {}", "x-a0: &a0 [lol]"]
    for i in range(1, levels + 1):
        lines.append(f"x-a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_quickly() -> None:
    with pytest.raises(CharterError, match="aliases expand"):
        parse_document(_laughs(9, 10), "bomb.yaml")  # a billion values from 100 lines


def test_modest_alias_reuse_is_fine() -> None:
    data = parse_document(_laughs(3, 10), "ok.yaml")
    assert len(data["x-a3"]) == 10 and data["x-a3"][0][0][0] == ["lol"]


def test_alias_that_contains_itself_is_refused() -> None:
    with pytest.raises(CharterError, match="contains it"):
        parse_document("openapi: 3.0.3\nx: &a {y: *a}\n", "spec.yaml")


@pytest.mark.parametrize(("form", "depth"), [
    ("yaml flow", parse.MAX_DEPTH + 1), ("yaml flow", 100_000), ("json", parse.MAX_DEPTH + 1),
    ("json", 100_000), ("yaml block", parse.MAX_DEPTH + 1), ("yaml block", 1000)])
def test_deep_nesting_is_refused_clearly(form: str, depth: int) -> None:
    if form == "json":
        text = '{"openapi": "3.0.3", "x": ' + "[" * depth + "]" * depth + "}"
    elif form == "yaml flow":
        text = "openapi: 3.0.3\nx: " + "[" * depth + "]" * depth + "\n"
    else:
        text = "openapi: 3.0.3\nx:\n" + "".join(" " * i + "- \n" for i in range(1, depth))
    with pytest.raises(CharterError) as err:
        parse_document(text, "deep.yaml")
    assert "nested more than" in err.value.message or "nesting depth" in err.value.message
    assert "recursion" not in err.value.message


def test_aliases_cannot_nest_past_the_depth_limit() -> None:
    half = parse.MAX_DEPTH // 2 + 2
    text = ("openapi: 3.0.3\nx-a: &a " + "[" * half + "]" * half + "\n"
            "x-b: " + "[" * half + "*a" + "]" * half + "\n")
    with pytest.raises(CharterError, match="nested more than"):
        parse_document(text, "spec.yaml")


def test_nesting_within_the_limit_is_read() -> None:
    depth = parse.MAX_DEPTH - 1
    text = "openapi: 3.0.3\nx: " + "[" * depth + "]" * depth + "\n"
    assert parse_document(text, "ok.yaml")["openapi"] == "3.0.3"
    assert parse_document(json.dumps(parse_document(text, "a")), "b.json")["x"]


def test_too_large_a_document_is_refused_before_it_is_read(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    path = tmp_path / "big.yaml"
    with path.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)  # sparse: nothing is written
    with pytest.raises(CharterError, match="up to 64 MiB"):
        load_spec(str(path))


def test_too_large_a_blob_is_refused(make_repo: Callable[[str], Path],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from charter.apidiff import load

    repo = make_repo("r")
    (repo / "a.yaml").write_text(yaml.safe_dump(spec({"type": "object"})))
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "a")
    monkeypatch.setattr(load, "MAX_BYTES", 100)
    with pytest.raises(CharterError, match="apidiff reads OpenAPI documents up to"):
        load_spec("HEAD:a.yaml", repo=repo, cache=load.SpecCache(), disk=DiskCache(None))


# -- what the fast reader makes of YAML: PyYAML's safe loader, keys and dates as text ----------

def _reference(text: str) -> Any:
    """PyYAML's own safe loader, with mapping keys and timestamps as text."""
    loader: Any = type("Reference", (yaml.SafeLoader,), {})

    def mapping(self: Any, node: Any) -> dict[str, Any]:
        self.flatten_mapping(node)
        return {k if isinstance(k, str) else str(k).lower() if isinstance(k, bool) else str(k): v
                for k, v in self.construct_pairs(node, deep=True)}

    loader.add_constructor("tag:yaml.org,2002:map", mapping)
    loader.add_constructor("tag:yaml.org,2002:timestamp",
                           lambda self, node: str(self.construct_scalar(node)))
    return yaml.load(text, Loader=loader)


SCALARS = """\
openapi: 3.0.3
a: &x {b: 1, c: [1, 2.5, .inf, -.inf, yes, no, on, off, ~, null, '', 2024-01-01, 0x1f, 0o17,
       1_000, 1:30, +12, -3.5e3, "q", 'single', !!str 12, !!int "7", !!float "1", plain text]}
200: *x
d:
  <<: *x
  b: 2
e:
  <<: [{k: 1}, {k: 2, j: 3}]
  own: 1
? 2001-01-01
: date key
true: t
1.5: f
"<<": quoted merge is a plain key
block: |
  line one
  line two
folded: >
  folded
  text
"""


@pytest.mark.parametrize("c_loader", [True, False])
def test_reader_matches_pyyaml_safe_loader(c_loader: bool) -> None:
    assert parse_document(SCALARS, "s.yaml", c_loader=c_loader) == _reference(SCALARS)


def test_json_and_yaml_read_the_same() -> None:
    data = _reference(SCALARS)
    data.pop("a"), data.pop("200"), data.pop("d")  # .inf is not JSON
    assert parse_document(json.dumps(data), "s.json") == data


# -- the disk cache keeps warnings -----------------------------------------------------------

def test_cached_document_keeps_its_warnings_under_the_new_name(tmp_path: Path) -> None:
    doc = spec({"$ref": "other.yaml#/x"})
    first = load_spec(write(tmp_path, "a.yaml", doc), disk=DiskCache(tmp_path / "c"))
    cache = DiskCache(tmp_path / "c")
    second = load_spec(write(tmp_path, "b.yaml", doc), disk=cache)
    assert cache.hits == 1
    assert [(w.id, w.location) for w in second.warnings] == [
        (w.id, w.location) for w in first.warnings]
    assert {w.spec for w in second.warnings} == {str(tmp_path / "b.yaml")}


def test_same_problem_in_old_and_new_is_one_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "spec.yaml", spec({"$ref": "#/nowhere"}))
    assert len(apidiff(path, path).warnings) == 1
    assert diff_specs(parse_document(Path(path).read_text(), "x"),
                      parse_document(Path(path).read_text(), "y")).warnings == ()


# -- readable but invalid documents are compared without crashing -----------------------------

def _mutants(doc: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    children = doc.items() if isinstance(doc, dict) else enumerate(doc) \
        if isinstance(doc, list) else ()
    for key, value in children:
        yield from _mutants(value, (*path, key))


def test_any_value_of_the_wrong_type_is_compared_or_refused_clearly() -> None:
    base = spec({"$ref": "#/components/schemas/M"}, {"M": {
        "type": "object", "required": ["a"], "properties": {
            "a": {"type": "string", "enum": ["x", "y"]},
            "b": {"type": "array", "items": {"$ref": "#/components/schemas/M"}},
            "c": {"allOf": [{"$ref": "#/components/schemas/M"}, {"type": "object"}]}}}})
    op = base["paths"]["/v1/models"]["get"]
    op.update(parameters=[{"name": "q", "in": "query", "schema": {"type": "integer"}}],
              requestBody={"content": {"application/json": {"schema": {"type": "object"}}}},
              security=[{"key": []}], tags=["models"], deprecated=True)
    op["x-sunset"] = "2026-01-01"
    base["paths"]["/v1/models/{id}"] = {
        "parameters": [{"name": "id", "in": "path", "required": True,
                        "schema": {"type": "string"}}],
        "delete": {"responses": {"204": {"description": "gone"}}}}
    base["security"] = [{"key": []}]
    schemas = base["components"]["schemas"]
    schemas["Pet"] = {"oneOf": [{"$ref": "#/components/schemas/Cat"},
                                {"$ref": "#/components/schemas/Dog"}],
                      "discriminator": {"propertyName": "kind",
                                        "mapping": {"cat": "#/components/schemas/Cat"}}}
    schemas["Cat"] = {"type": "object", "properties": {"kind": {"type": "string"}}}
    schemas["Dog"] = {"anyOf": [{"type": "string"}, {"type": "integer"}]}
    base["components"]["schemas"]["M"]["properties"]["pet"] = {
        "$ref": "#/components/schemas/Pet"}
    for where in list(_mutants(base))[1:]:
        for wrong in (7, "text", [], {}, None, [{"$ref": 3}], [7], {"a": 7}):
            doc = json.loads(json.dumps(base))
            parent = doc
            for key in where[:-1]:
                parent = parent[key]
            parent[where[-1]] = wrong
            try:
                validate_document(doc, "new.yaml")
            except CharterError as err:
                assert where[0] == "openapi" or "must be a mapping" in err.message, where
                continue
            diff_specs(base, doc)
            diff_specs(doc, base)
