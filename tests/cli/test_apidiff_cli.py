"""`charter apidiff`: JSON and text output, exit codes, REV:path in a real repository."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from charter.cli import cli, main
from tests.conftest import git

V1 = """\
openapi: 3.0.3
info: {title: Inference API, version: 1.0.0}
paths:
  /v1/models:
    get:
      responses:
        '200':
          description: models
          content:
            application/json:
              schema: {$ref: '#/components/schemas/ModelList'}
  /v1/models/{modelId}:
    delete:
      deprecated: true
      parameters:
        - {name: modelId, in: path, required: true, schema: {type: string}}
      responses:
        '204': {description: deleted}
        '404': {description: missing}
components:
  schemas:
    ModelList:
      type: object
      required: [data]
      properties:
        data:
          type: array
          items:
            type: object
            required: [id]
            properties:
              id: {type: string}
              status: {type: string, enum: [ready, loading]}
"""

# the data property is gone: a breaking change on a stable operation
V2_BREAKING = V1.replace("required: [data]", "required: [object]").replace(
    "        data:\n", "        object: {type: string}\n        items:\n")
# the deprecated operation loses a success status: breaking, but only on a deprecated operation
V2_DEPRECATED_ONLY = V1.replace("        '204': {description: deleted}\n", "")
# a widened response enum: listed (oasdiff WARN), not breaking
V2_WARN_ONLY = V1.replace("enum: [ready, loading]", "enum: [ready, loading, failed]")


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_breaking_change_on_stable_operation_exits_1_with_json(tmp_path: Path) -> None:
    old, new = write(tmp_path, "old.yaml", V1), write(tmp_path, "new.yaml", V2_BREAKING)
    result = CliRunner().invoke(cli, ["apidiff", old, new, "--json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    assert data["breaking"] == 1
    [change] = [c for c in data["changes"] if c["breaking"]]
    assert change == {**change, "id": "response-required-property-removed", "tier": "stable",
                      "operation": "GET /v1/models",
                      "location": "responses.200.content.application/json.schema"
                                  ".properties.data"}
    assert "data" in change["message"]


def test_break_on_deprecated_operation_only_exits_0(tmp_path: Path) -> None:
    old, new = write(tmp_path, "old.yaml", V1), write(tmp_path, "new.yaml", V2_DEPRECATED_ONLY)
    result = CliRunner().invoke(cli, ["apidiff", old, new, "--json"])
    assert result.exit_code == 0, result.output
    [change] = json.loads(result.output)["changes"]
    assert (change["id"], change["breaking"], change["tier"]) == (
        "response-success-status-removed", True, "deprecated")


def test_warnings_are_listed_but_not_breaking(tmp_path: Path) -> None:
    old, new = write(tmp_path, "old.yaml", V1), write(tmp_path, "new.yaml", V2_WARN_ONLY)
    result = CliRunner().invoke(cli, ["apidiff", old, new, "--json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["breaking"] == 0
    assert [c["id"] for c in data["changes"]] == ["response-property-enum-value-added"]


def test_text_output_is_readable(tmp_path: Path) -> None:
    old, new = write(tmp_path, "old.yaml", V1), write(tmp_path, "new.yaml", V2_BREAKING)
    result = CliRunner().invoke(cli, ["apidiff", old, new])
    assert result.exit_code == 1
    assert "GET /v1/models" in result.output
    assert "BREAKING" in result.output
    assert "response-required-property-removed" in result.output
    assert "1 breaking on stable operations" in result.output


def test_identical_documents_exit_0(tmp_path: Path) -> None:
    old, new = write(tmp_path, "old.yaml", V1), write(tmp_path, "new.yaml", V1)
    result = CliRunner().invoke(cli, ["apidiff", old, new])
    assert result.exit_code == 0
    assert "No API changes" in result.output


@pytest.mark.parametrize(("new_text", "needle"), [
    (V1.split("paths:")[0] + "paths: [/v1/models]\n", "#/paths must be a mapping"),
    ("openapi: 3.0.3\ninfo: [broken\n", "not valid YAML"),
    ("just a string\n", "not an OpenAPI document"),
], ids=["paths not a mapping", "malformed yaml", "not a mapping"])
def test_bad_input_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         new_text: str, needle: str) -> None:
    old, new = write(tmp_path, "old.yaml", V1), write(tmp_path, "new.yaml", new_text)
    with pytest.raises(SystemExit) as exit_info:
        main(["apidiff", old, new])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert new in err and needle in err
    assert "Traceback" not in err


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = write(tmp_path, "old.yaml", V1)
    with pytest.raises(SystemExit) as exit_info:
        main(["apidiff", old, str(tmp_path / "nope.yaml")])
    assert exit_info.value.code == 2
    assert "no such file" in capsys.readouterr().err


@pytest.fixture
def spec_repo(make_repo: Callable[[str], Path]) -> Path:
    """A repository whose openapi.yaml went V1 -> V2_WARN_ONLY -> V2_BREAKING."""
    repo = make_repo("svc")
    for tag, text in (("v1", V1), ("v2", V2_WARN_ONLY), ("v3", V2_BREAKING)):
        (repo / "openapi.yaml").write_text(text)
        git(repo, "add", "openapi.yaml")
        git(repo, "commit", "-q", "-s", "-m", f"API {tag}")
        git(repo, "tag", tag)
    return repo


def test_rev_path_in_repo(spec_repo: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(cli, ["apidiff", "v1:openapi.yaml", "v2:openapi.yaml",
                             "--repo", str(spec_repo), "--json"])
    assert ok.exit_code == 0, ok.output
    broken = runner.invoke(cli, ["apidiff", "v2:openapi.yaml", "HEAD:openapi.yaml",
                                 "--repo", str(spec_repo), "--json"])
    assert broken.exit_code == 1, broken.output
    assert json.loads(broken.output)["breaking"] == 1


def test_unknown_revision_exits_2(spec_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["apidiff", "nope:openapi.yaml", "v1:openapi.yaml", "--repo", str(spec_repo)])
    assert exit_info.value.code == 2
    assert "unknown revision 'nope'" in capsys.readouterr().err


# ----------------------------------------------------------------------------- policy and now

PROMOTION_OLD = V1.replace("    get:\n      responses:", "    get:\n      tags: [preview]\n"
                           "      responses:", 1)
SUNSET_V1 = V1.replace("      deprecated: true\n", "      deprecated: true\n"
                       "      x-sunset: '2026-03-01'\n")
SUNSET_GONE = SUNSET_V1.split("  /v1/models/{modelId}:")[0] + "components:" + \
    SUNSET_V1.split("components:", 1)[1]
TIER_POLICY = """\
charter: 1
project: {name: t}
roles: [maintainer]
pull_requests:
  api:
    deprecation_period: 90 days
    tiers:
      tags: {preview: experimental}
"""


@pytest.mark.parametrize(("old_text", "new_text", "args", "code", "expected"), [
    (PROMOTION_OLD, V1, ["--policy", "POLICY"], 0,
     [("api-tag-removed", False), ("api-tier-changed", False)]),
    (V1, PROMOTION_OLD, ["--policy", "POLICY"], 1,
     [("api-tag-added", False), ("api-tier-changed", True)]),
    (V1, PROMOTION_OLD, [], 0, [("api-tag-added", False)]),
    (SUNSET_V1, SUNSET_GONE, ["--now", "2026-02-01T00:00:00Z"], 1,
     [("api-path-removed-before-sunset", True)]),
    (SUNSET_V1, SUNSET_GONE, ["--now", "2026-03-01T09:00:00+02:00"], 0,
     [("api-path-removed-with-deprecation", False)]),
], ids=["promotion with policy", "demotion with policy", "no policy, no tiers",
        "before x-sunset", "on the x-sunset day"])
def test_policy_and_now(tmp_path: Path, old_text: str, new_text: str, args: list[str],
                        code: int, expected: list[tuple[str, bool]]) -> None:
    old, new = write(tmp_path, "old.yaml", old_text), write(tmp_path, "new.yaml", new_text)
    policy = write(tmp_path, "charter.yaml", TIER_POLICY)
    args = [policy if a == "POLICY" else a for a in args]
    result = CliRunner().invoke(cli, ["apidiff", old, new, "--json", *args])
    assert result.exit_code == code, result.output
    assert sorted((c["id"], c["breaking"]) for c in json.loads(result.output)["changes"]) == \
        expected


def test_preset_name_as_policy(tmp_path: Path) -> None:
    old = write(tmp_path, "old.yaml", V1.replace("    get:\n", "    get:\n"
                                                 "      x-stability: alpha\n", 1))
    new = write(tmp_path, "new.yaml", V2_BREAKING.replace("    get:\n", "    get:\n"
                                                          "      x-stability: alpha\n", 1))
    result = CliRunner().invoke(cli, ["apidiff", old, new, "--json", "--policy", "llm-d"])
    assert result.exit_code == 0, result.output  # llm-d: x-stability alpha is experimental
    assert {c["tier"] for c in json.loads(result.output)["changes"]} == {"experimental"}


@pytest.mark.parametrize(("now", "needle"), [("2026-02-01", "has no zone"),
                                             ("yesterday", "not an ISO 8601 instant")],
                         ids=["no zone", "not a date"])
def test_bad_now_exits_2(tmp_path: Path, now: str, needle: str) -> None:
    old, new = write(tmp_path, "old.yaml", V1), write(tmp_path, "new.yaml", V1)
    result = CliRunner().invoke(cli, ["apidiff", old, new, "--now", now])
    assert result.exit_code == 2
    assert needle in result.output
