"""API tiers from the policy, moves between tiers, prefix renames, deprecation periods, cache."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from charter.apidiff import load as apidiff_load
from charter.apidiff.cache import DiskCache
from charter.apidiff.compare import ApiDiffResult, TierRules, apidiff, diff_spec_set, diff_specs
from charter.apidiff.load import SpecCache, load_spec
from charter.apidiff.spec_warnings import SpecWarning
from charter.apidiff.tiers import tier_rules_from_policy
from charter.policy.durations import parse_duration
from charter.policy.schema import ApiRule
from tests.conftest import git

Ops = dict[str, dict[str, dict[str, Any]]]


def op(op_id: str | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"responses": {"200": {"description": "ok"}}, **extra}
    if op_id:
        body["operationId"] = op_id
    return body


def doc(paths: Ops) -> dict[str, Any]:
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths}


def ids(result: ApiDiffResult) -> list[tuple[str, bool, str]]:
    return sorted((c.id, c.breaking, c.tier) for c in result.changes)


def rule(**api: Any) -> TierRules:
    return tier_rules_from_policy(ApiRule.model_validate(api))


# ----------------------------------------------------------------------------- policy -> tiers

@pytest.mark.parametrize(("api", "path", "operation", "spec", "tier"), [
    ({"tiers": {"x-stability": {"alpha": "experimental", "ga": "stable"}}}, "/v1/a",
     {"x-stability": "alpha"}, "", "experimental"),
    ({"tiers": {"x-stability": {"alpha": "experimental", "ga": "stable"}}}, "/v1/a",
     {"x-stability": "ga"}, "", "stable"),
    ({"tiers": {"x-stability": {}}}, "/v1/a", {"x-stability": "beta"}, "", "beta"),
    ({"tiers": {"tags": {"preview": "experimental"}}}, "/v1/a", {"tags": ["x", "preview"]}, "",
     "experimental"),
    ({"tiers": {"paths": {"/v1alpha/": "experimental"}}}, "/v1alpha/models", {}, "",
     "experimental"),
    ({"tiers": {"paths": {"/v1alpha/": "experimental"}}}, "/v1/models", {}, "", "stable"),
    ({"tiers": {"specs": {"api/experimental/openapi.yaml": "experimental"}}}, "/v1/a", {},
     "api/experimental/openapi.yaml", "experimental"),
    ({"tiers": {"specs": {"api/experimental/openapi.yaml": "experimental"}}}, "/v1/a", {},
     "api/openapi.yaml", "stable"),
    ({"experimental_prefixes": ["/v2/"]}, "/v2/x", {}, "", "experimental"),
    ({"tiers": {"tags": {"preview": "experimental"}}}, "/v1/a",
     {"tags": ["preview"], "deprecated": True}, "", "deprecated"),
    ({"tiers": {"default": "experimental"}}, "/v1/a", {}, "", "experimental"),
], ids=["extension value mapped", "extension ga is stable", "unmapped extension value as is",
        "tag", "path prefix", "other prefix stays stable", "spec file", "other spec file stable",
        "legacy experimental_prefixes", "deprecated wins over a tag", "default tier"])
def test_tier_from_policy(api: dict[str, Any], path: str, operation: dict[str, Any], spec: str,
                          tier: str) -> None:
    assert rule(**api).tier_of(path, operation, spec) == tier


def test_policy_period_and_all_specs() -> None:
    api = ApiRule.model_validate({"specs": ["api/openapi.yaml"], "deprecation_period": "90 days",
                                  "tiers": {"specs": {"api/exp.yaml": "experimental"}}})
    assert tier_rules_from_policy(api).deprecation_period == parse_duration("90 days")
    assert api.all_specs() == ("api/openapi.yaml", "api/exp.yaml")


@pytest.mark.parametrize(("api", "needle"), [
    ({"tiers": {"x-a": {}, "x-b": {}}}, "one extension decides tiers"),
    ({"tiers": {"x-stability": "alpha"}}, "maps extension values to tiers"),
    ({"deprecation_period": "10 business days"}, "calendar time"),
], ids=["two extensions", "extension without a map", "business period"])
def test_bad_tier_declarations(api: dict[str, Any], needle: str) -> None:
    with pytest.raises(ValidationError, match=needle):
        ApiRule.model_validate(api)


# ----------------------------------------------------------------------------- tier moves

EXT = rule(tiers={"x-stability": {"alpha": "experimental", "ga": "stable"},
                  "tags": {"preview": "experimental"}})


@pytest.mark.parametrize(("before", "after", "breaking", "words"), [
    ({"x-stability": "alpha"}, {"x-stability": "ga"}, False,
     "promoted from experimental to stable"),
    ({"x-stability": "ga"}, {"x-stability": "alpha"}, True, "demoted from stable to experimental"),
    ({"tags": ["preview"]}, {"tags": []}, False, "promoted from experimental to stable"),
    ({}, {"tags": ["preview"]}, True, "demoted from stable to experimental"),
], ids=["extension promotes", "extension demotes", "tag removed promotes", "tag added demotes"])
def test_tier_change_in_one_file(before: dict[str, Any], after: dict[str, Any], breaking: bool,
                                 words: str) -> None:
    result = diff_specs(doc({"/v1/a": {"get": op("a", **before)}}),
                        doc({"/v1/a": {"get": op("a", **after)}}), tiers=EXT)
    [tier] = [c for c in result.changes if c.id == "api-tier-changed"]
    assert (tier.breaking, tier.level) == (breaking, "ERR" if breaking else "INFO")
    assert words in tier.message
    assert result.fails == breaking
    assert not any(c.id.startswith(("api-removed", "api-path-removed", "endpoint-added"))
                   for c in result.changes)


SPEC_TIERS = rule(tiers={"specs": {"api/exp.yaml": "experimental"}})
EMPTY = doc({"/v1/other": {"get": op("other")}})
MOVED = doc({"/v1/other": {"get": op("other")}, "/v1/models": {"get": op("listModels")}})


@pytest.mark.parametrize(("old", "new", "breaking", "words"), [
    ({"api/exp.yaml": doc({"/v1/models": {"get": op("listModels")}}), "api/ga.yaml": EMPTY},
     {"api/exp.yaml": doc({}), "api/ga.yaml": MOVED}, False,
     "promoted from experimental to stable (moved from api/exp.yaml to api/ga.yaml)"),
    ({"api/exp.yaml": doc({}), "api/ga.yaml": MOVED},
     {"api/exp.yaml": doc({"/v1/models": {"get": op("listModels")}}), "api/ga.yaml": EMPTY},
     True, "demoted from stable to experimental"),
    ({"api/exp.yaml": doc({"/v1/models": {"get": op("listModels")}}), "api/ga.yaml": EMPTY},
     {"api/ga.yaml": MOVED}, False, "promoted"),
], ids=["promoted by file", "demoted by file", "experimental file deleted after the move"])
def test_move_between_spec_files_is_one_change(old: dict[str, Any], new: dict[str, Any],
                                               breaking: bool, words: str) -> None:
    result = diff_spec_set(old, new, tiers=SPEC_TIERS)
    [change] = result.changes
    assert (change.id, change.breaking, change.operation) == (
        "api-tier-changed", breaking, "GET /v1/models")
    assert words in change.message
    assert result.fails == breaking


def test_moved_operation_still_reports_its_shape_changes() -> None:
    old = {"api/exp.yaml": doc({"/v1/m": {"get": op("m")}}), "api/ga.yaml": EMPTY}
    changed = op("m")
    changed["responses"] = {"201": {"description": "made"}}
    new = {"api/exp.yaml": doc({}), "api/ga.yaml": doc({**EMPTY["paths"], "/v1/m": {
        "get": changed}})}
    result = diff_spec_set(old, new, tiers=SPEC_TIERS)
    assert ids(result) == [("api-tier-changed", False, "experimental"),
                           ("response-success-status-added", False, "experimental"),
                           ("response-success-status-removed", True, "experimental")]
    assert not result.fails  # the promise being changed was an experimental one


# ----------------------------------------------------------------------------- prefix renames

def versioned(prefix: str, extra: Ops | None = None) -> dict[str, Any]:
    return doc({f"{prefix}/models": {"get": op("listModels"), "post": op("createModel")},
                f"{prefix}/models/{{id}}": {"get": op("getModel"), "delete": op("dropModel")},
                "/healthz": {"get": op("health")}, **(extra or {})})


ALPHA_EXPERIMENTAL = rule(tiers={"paths": {"/v1alpha/": "experimental"}})


@pytest.mark.parametrize(("old", "new", "tiers", "expected"), [
    (versioned("/v1alpha"), versioned("/v1beta"), None,
     [("api-path-prefix-renamed", True, "stable")]),
    (versioned("/v1alpha"), versioned("/v1beta"), ALPHA_EXPERIMENTAL,
     [("api-path-prefix-renamed", False, "experimental"),
      ("api-tier-changed", False, "experimental"), ("api-tier-changed", False, "experimental"),
      ("api-tier-changed", False, "experimental"), ("api-tier-changed", False, "experimental")]),
    (versioned("/api/v1"), versioned("/api/v2"), None,
     [("api-path-prefix-renamed", True, "stable")]),
], ids=["stable rename is breaking", "experimental rename is not", "nested prefix"])
def test_prefix_rename_is_one_change(old: dict[str, Any], new: dict[str, Any],
                                     tiers: TierRules | None,
                                     expected: list[tuple[str, bool, str]]) -> None:
    result = diff_specs(old, new, tiers=tiers)
    assert ids(result) == sorted(expected)
    [renamed] = [c for c in result.changes if c.id == "api-path-prefix-renamed"]
    assert "4 operation(s) moved" in renamed.message
    assert renamed.operation.endswith("/* -> " + renamed.operation.split(" -> ")[1])


def test_experimental_rename_promotes_to_stable_prefix() -> None:
    result = diff_specs(versioned("/v1alpha"), versioned("/v1beta"), tiers=ALPHA_EXPERIMENTAL)
    promoted = [c for c in result.changes if c.id == "api-tier-changed"]
    assert {c.operation for c in promoted} == {"GET /v1beta/models", "POST /v1beta/models",
                                               "GET /v1beta/models/{id}",
                                               "DELETE /v1beta/models/{id}"}
    assert all("promoted from experimental to stable" in c.message for c in promoted)


def test_rename_with_shape_change_reports_both() -> None:
    new = versioned("/v1beta")
    new["paths"]["/v1beta/models"]["post"]["responses"] = {"201": {"description": "created"}}
    result = diff_specs(versioned("/v1alpha"), new)
    assert ("api-path-prefix-renamed", True, "stable") in ids(result)
    assert ("response-success-status-removed", True, "stable") in ids(result)


def _rename_broken_by_kept_operation() -> tuple[dict[str, Any], dict[str, Any]]:
    new = versioned("/v1beta")
    new["paths"]["/v1alpha/models"] = {"get": op("legacyList")}
    return versioned("/v1alpha"), new


def _rename_broken_by_operation_id() -> tuple[dict[str, Any], dict[str, Any]]:
    new = versioned("/v1beta")
    new["paths"]["/v1beta/models"]["get"]["operationId"] = "somethingElse"
    return versioned("/v1alpha"), new


def _rename_with_missing_partner() -> tuple[dict[str, Any], dict[str, Any]]:
    new = versioned("/v1beta")
    del new["paths"]["/v1beta/models/{id}"]["delete"]
    return versioned("/v1alpha"), new


@pytest.mark.parametrize("make", [_rename_broken_by_kept_operation,
                                  _rename_broken_by_operation_id, _rename_with_missing_partner],
                         ids=["old prefix still serves", "operationId differs",
                              "an operation has no partner"])
def test_not_a_prefix_rename(make: Callable[[], tuple[dict[str, Any], dict[str, Any]]]) -> None:
    old, new = make()
    result = diff_specs(old, new)
    assert not any(c.id == "api-path-prefix-renamed" for c in result.changes)
    assert any(c.id in ("api-path-removed-without-deprecation", "api-removed-without-deprecation")
               for c in result.changes)


# ----------------------------------------------------------------------------- sunsets

PERIOD = TierRules(deprecation_period=parse_duration("90 days"))
NOW = datetime(2026, 2, 1, tzinfo=UTC)


def removal(sunset: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    gone = op("old", deprecated=True, **({"x-sunset": sunset} if sunset else {}))
    return (doc({"/v1/a": {"get": op("a")}, "/v1/old": {"get": gone}}),
            doc({"/v1/a": {"get": op("a")}}))


@pytest.mark.parametrize(("sunset", "tiers", "expected", "words"), [
    ("2026-03-01", TierRules(), ("api-path-removed-before-sunset", True),
     "before its sunset date 2026-03-01"),
    ("2026-01-15", TierRules(), ("api-path-removed-with-deprecation", False),
     "after its sunset date 2026-01-15"),
    ("2026-02-01T00:00:00Z", PERIOD, ("api-path-removed-with-deprecation", False),
     "after its sunset date 2026-02-01"),
    ("soon", PERIOD, ("api-path-sunset-parse", True), "'soon' is not a date"),
    (None, PERIOD, ("api-path-removed-before-sunset", True), "without a known deprecation date"),
    (None, TierRules(), ("api-path-removed-with-deprecation", False), "after deprecation"),
], ids=["x-sunset in the future", "x-sunset passed", "x-sunset today as date-time",
        "x-sunset not a date", "period without a date to count from", "no period, no sunset"])
def test_removal_against_sunset(sunset: str | None, tiers: TierRules,
                                expected: tuple[str, bool], words: str) -> None:
    old, new = removal(sunset)
    [change] = diff_specs(old, new, tiers=tiers, now=NOW).changes
    assert (change.id, change.breaking) == expected
    assert words in change.message


@pytest.mark.parametrize(("sunset", "too_small"), [("2026-03-01", True), ("2026-06-01", False)],
                         ids=["sooner than the period", "after the period"])
def test_sunset_date_too_small(sunset: str, too_small: bool) -> None:
    old = doc({"/v1/a": {"get": op("a")}})
    new = doc({"/v1/a": {"get": op("a", deprecated=True, **{"x-sunset": sunset})}})
    result = diff_specs(old, new, tiers=PERIOD, now=NOW)
    found = [c for c in result.changes if c.id == "api-sunset-date-too-small"]
    assert bool(found) == too_small
    if too_small:
        assert "earliest sunset is 2026-05-02" in found[0].message and found[0].breaking


SPEC_V1 = doc({"/v1/a": {"get": op("a")}, "/v1/old": {"get": op("old")}})
SPEC_DEPRECATED = doc({"/v1/a": {"get": op("a")}, "/v1/old": {"get": op("old", deprecated=True)}})
SPEC_DEPRECATED_2 = copy.deepcopy(SPEC_DEPRECATED)
SPEC_DEPRECATED_2["info"]["description"] = "an unrelated edit"
SPEC_REMOVED = doc({"/v1/a": {"get": op("a")}})


def dated_history(make_repo: Callable[[str], Path], removed_on: str) -> Path:
    """not deprecated (Jan 5) -> deprecated (Jan 10) -> unrelated edit (Feb 1) -> removed."""
    repo = make_repo("dated")
    for tag, spec, when in (("v1", SPEC_V1, "2026-01-05"), ("v2", SPEC_DEPRECATED, "2026-01-10"),
                            ("v3", SPEC_DEPRECATED_2, "2026-02-01"),
                            ("v4", SPEC_REMOVED, removed_on)):
        (repo / "api.yaml").write_text(yaml.safe_dump(spec))
        git(repo, "add", "api.yaml")
        stamp = f"{when}T12:00:00Z"
        git(repo, "commit", "-q", "-m", f"API {tag}",
            env={"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp})
        git(repo, "tag", tag)
    return repo


@pytest.mark.parametrize(("removed_on", "expected", "words"), [
    ("2026-03-01", ("api-path-removed-before-sunset", True),
     ["deprecated on 2026-01-10", "period 90 days", "first allowed date 2026-04-10",
      "today is 2026-03-01"]),
    ("2026-04-10", ("api-path-removed-with-deprecation", False),
     ["deprecated on 2026-01-10", "allowed since 2026-04-10"]),
], ids=["before the period", "on the first allowed day"])
def test_removal_dated_by_git_history(make_repo: Callable[[str], Path], removed_on: str,
                                      expected: tuple[str, bool], words: list[str],
                                      tmp_path: Path) -> None:
    repo = dated_history(make_repo, removed_on)
    result = apidiff("v3:api.yaml", "v4:api.yaml", repo=repo, tiers=PERIOD,
                     disk=DiskCache(tmp_path / "cache"))
    [change] = result.changes
    assert (change.id, change.breaking) == expected
    for word in words:
        assert word in change.message
    assert result.fails == expected[1]


def test_reactivation_restarts_the_period(make_repo: Callable[[str], Path],
                                          tmp_path: Path) -> None:
    repo = dated_history(make_repo, "2026-05-01")
    # deprecated again on Apr 20 after a reactivation on Apr 15: only the second run counts
    for spec, when in ((SPEC_V1, "2026-04-15"), (SPEC_DEPRECATED, "2026-04-20"),
                       (SPEC_REMOVED, "2026-05-01")):
        (repo / "api.yaml").write_text(yaml.safe_dump(spec))
        git(repo, "add", "api.yaml")
        stamp = f"{when}T12:00:00Z"
        git(repo, "commit", "-q", "-m", "again",
            env={"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp})
    [change] = apidiff("HEAD~1:api.yaml", "HEAD:api.yaml", repo=repo, tiers=PERIOD,
                       disk=DiskCache(tmp_path / "cache")).changes
    assert change.breaking and "deprecated on 2026-04-20" in change.message


# ----------------------------------------------------------------------------- disk cache

@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = apidiff_load.validate_document

    def counting(document: dict[str, Any], label: str) -> list[SpecWarning]:
        calls.append(label)
        return real(document, label)

    monkeypatch.setattr(apidiff_load, "validate_document", counting)
    return calls


def test_disk_cache_hit_skips_validation(tmp_path: Path, counted: list[str]) -> None:
    spec = tmp_path / "api.yaml"
    spec.write_text(yaml.safe_dump(SPEC_V1))
    cache = DiskCache(tmp_path / "cache")
    first = load_spec(str(spec), disk=cache).document
    second = load_spec(str(spec), disk=DiskCache(tmp_path / "cache")).document
    assert counted == [str(spec)]
    assert first == second == SPEC_V1
    spec.write_text(yaml.safe_dump(SPEC_REMOVED))  # new content, new key: validated again
    assert load_spec(str(spec), disk=cache).document == SPEC_REMOVED
    assert len(counted) == 2


def test_disk_cache_keyed_by_blob_for_rev_path(make_repo: Callable[[str], Path],
                                               tmp_path: Path, counted: list[str]) -> None:
    repo = dated_history(make_repo, "2026-03-01")
    for _ in range(2):  # a fresh in-memory cache each time: only the disk can answer
        load_spec("v1:api.yaml", repo=repo, cache=SpecCache(), disk=DiskCache(tmp_path / "c"))
    assert counted == ["v1:api.yaml"]
    blob = git(repo, "rev-parse", "v1:api.yaml").strip()
    assert list((tmp_path / "c").rglob(f"{blob}.json"))


def test_unwritable_cache_falls_back_to_no_cache(tmp_path: Path, counted: list[str]) -> None:
    spec = tmp_path / "api.yaml"
    spec.write_text(yaml.safe_dump(SPEC_V1))
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    cache = DiskCache(blocker)
    for _ in range(2):
        assert load_spec(str(spec), disk=cache).document == SPEC_V1
    assert len(counted) == 2
    assert not cache.enabled  # the first failed write turned it off


def test_cache_is_never_inside_the_work_tree(make_repo: Callable[[str], Path],
                                             counted: list[str]) -> None:
    repo = dated_history(make_repo, "2026-03-01")
    inside = DiskCache(repo / ".cache")
    for _ in range(2):
        load_spec("v1:api.yaml", repo=repo, cache=SpecCache(), disk=inside)
    assert not (repo / ".cache").exists()
    assert len(counted) == 2


def test_default_cache_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    cache = DiskCache.default()
    assert cache.folder is not None and cache.folder.is_relative_to(tmp_path / "xdg" / "charter")
