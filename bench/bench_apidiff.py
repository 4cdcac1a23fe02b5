"""Benchmark: `apidiff` on two ~1 MB OpenAPI documents against loading their YAML alone.

Run as `.venv/bin/python bench/bench_apidiff.py [--scale N] [--runs K]`. Two specs are generated
(many paths sharing many component schemas, the second with a few dozen breaking and compatible
differences; `--scale 50` makes them ~50 MB each), written as YAML files, then timed: loading
the YAML alone with PyYAML's C loader (the baseline) and its pure-Python one, Charter's reader,
validation (jsonschema-rs against the official schemas, and for comparison
openapi-spec-validator and the pure-Python jsonschema when installed), the diff alone, and
`apidiff()` end to end on the two files, cold (empty disk cache: read, parse, validate, diff,
as a CI job runs) and warm (documents read back from the disk cache). Targets: cold and warm
end to end each under one second for two 1 MB specs; each is printed as a ratio to the
baseline of the same run and in seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from charter.apidiff.cache import DiskCache
from charter.apidiff.compare import apidiff, diff_specs
from charter.apidiff.load import HAS_C_LOADER, parse_document, validate_document
from charter.apidiff.parse import paused_gc

TARGET = 1.0
TYPES = ({"type": "string", "maxLength": 256}, {"type": "integer", "format": "int64"},
         {"type": "number", "minimum": 0}, {"type": "boolean"},
         {"type": "string", "enum": ["ready", "loading", "failed", "archived"]},
         {"type": "array", "items": {"type": "string"}, "maxItems": 32})


def generate(paths: int, schemas: int, seed: int) -> dict[str, Any]:
    """A large, valid OpenAPI 3.0 document: PATHS resources over SCHEMAS shared components."""
    rng = random.Random(seed)
    components: dict[str, Any] = {}
    for i in range(schemas):
        props: dict[str, Any] = {f"field_{j}": copy.deepcopy(rng.choice(TYPES))
                                 for j in range(12)}
        if i:  # a tree of references, so a change deep down fans out
            props["parent"] = {"$ref": f"#/components/schemas/Schema{rng.randrange(i)}"}
        props["children"] = {"type": "array",
                             "items": {"$ref": f"#/components/schemas/Schema{i}"}}
        components[f"Schema{i}"] = {"type": "object", "required": ["field_0", "field_1"],
                                    "description": f"Resource number {i} of the service",
                                    "properties": props}
    doc_paths: dict[str, Any] = {}
    for i in range(paths):
        ref = {"$ref": f"#/components/schemas/Schema{rng.randrange(schemas)}"}
        body = {"$ref": f"#/components/schemas/Schema{rng.randrange(schemas)}"}
        ok = {"description": "ok", "content": {"application/json": {"schema": ref}}}
        doc_paths[f"/v1/resource{i}"] = {
            "get": {"operationId": f"list{i}", "tags": [f"group{i % 20}"],
                    "parameters": [
                        {"name": "limit", "in": "query",
                         "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
                        {"name": "state", "in": "query",
                         "schema": {"type": "string", "enum": ["a", "b", "c"]}}],
                    "responses": {"200": ok, "404": {"description": "missing"}}},
            "post": {"operationId": f"create{i}",
                     "requestBody": {"required": True,
                                     "content": {"application/json": {"schema": body}}},
                     "responses": {"201": ok, "400": {"description": "invalid"}}},
        }
        doc_paths[f"/v1/resource{i}/{{id}}"] = {
            "parameters": [{"name": "id", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "delete": {"operationId": f"delete{i}", "responses": {"204": {"description": "gone"}}},
        }
    return {"openapi": "3.0.3", "info": {"title": "Big API", "version": "1.0.0"},
            "paths": doc_paths, "components": {"schemas": components}}


def mutate(spec: dict[str, Any], seed: int) -> dict[str, Any]:
    """A next version of SPEC with a few dozen differences of every kind."""
    rng = random.Random(seed)
    new = copy.deepcopy(spec)
    schemas = new["components"]["schemas"]
    names = sorted(schemas)
    for name in rng.sample(names, 10):
        del schemas[name]["properties"]["field_3"]
    for name in rng.sample(names, 10):
        schemas[name]["properties"]["field_5"] = {"type": "string", "format": "uuid"}
    for name in rng.sample(names, 10):
        schemas[name]["required"].append("field_7")
    paths = sorted(new["paths"])
    for path in rng.sample(paths, 5):
        del new["paths"][path]
    for path in rng.sample(sorted(new["paths"]), 10):
        get = new["paths"][path].get("get")
        if get:
            get["parameters"][1]["schema"]["enum"].remove("c")
            get["parameters"][0]["schema"]["maximum"] = 50
    return new


def best(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times: list[float] = []
    result: Any = None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def other_validators(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, float]]:
    """The validators Charter does not use, timed once on both documents when installed."""
    out: list[tuple[str, float]] = []
    validate: Any = None
    with contextlib.suppress(ImportError):
        from openapi_spec_validator import validate
    if validate is not None:
        start = time.perf_counter()
        for doc in (old, new):
            with contextlib.suppress(Exception):  # only its time matters here
                validate(doc)
        out.append(("openapi-spec-validator", time.perf_counter() - start))
    try:
        import jsonschema  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        return out
    from charter.apidiff.validate import _schema

    schema = _schema(old["openapi"][:3])
    checker = jsonschema.validators.validator_for(schema)(schema)
    start = time.perf_counter()
    for doc in (old, new):
        list(checker.iter_errors(doc))
    out.append(("jsonschema (pure Python), official schema", time.perf_counter() - start))
    return out


def phases(old_text: str, new_text: str, yaml_alone: Callable[[], Any], runs: int,
           compare_validators: bool) -> tuple[float, float, float, list[tuple[str, float]],
                                              float, Any]:
    """Each phase timed on its own, with the collector paused as apidiff pauses it."""
    def read_both() -> tuple[dict[str, Any], dict[str, Any]]:
        return parse_document(old_text, "old.yaml"), parse_document(new_text, "new.yaml")

    with paused_gc():
        baseline, _ = best(yaml_alone, runs)
        reader, (old, new) = best(read_both, runs)
        validation, _ = best(lambda: (validate_document(old, "old.yaml"),
                                      validate_document(new, "new.yaml")), runs)
        others = other_validators(old, new) if compare_validators else []
        diff, result = best(lambda: diff_specs(old, new), runs)
    return baseline, reader, validation, others, diff, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1, help="N times the ~1 MB documents")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    runs = args.runs if args.scale == 1 else 1

    old_spec = generate(560 * args.scale, 300 * args.scale, args.seed)
    new_spec = mutate(old_spec, args.seed + 1)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    old_text = yaml.dump(old_spec, Dumper=dumper, sort_keys=False)
    new_text = yaml.dump(new_spec, Dumper=dumper, sort_keys=False)
    del old_spec, new_spec
    print(f"documents: {len(old_text) / 1e6:.2f} MB and {len(new_text) / 1e6:.2f} MB of YAML")
    print(f"libyaml available: {HAS_C_LOADER}")
    c_loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    def yaml_alone() -> Any:
        return yaml.load(old_text, Loader=c_loader), yaml.load(new_text, Loader=c_loader)

    baseline, reader, validation, others, diff, result = phases(old_text, new_text, yaml_alone,
                                                                runs, args.scale == 1)
    pure = None
    if args.scale == 1:
        pure, _ = best(lambda: (yaml.safe_load(old_text), yaml.safe_load(new_text)), 1)

    with tempfile.TemporaryDirectory() as tmp:
        old_file, new_file = Path(tmp, "old.yaml"), Path(tmp, "new.yaml")
        old_file.write_text(old_text)
        new_file.write_text(new_text)
        now = datetime(2026, 1, 1, tzinfo=UTC)
        colds: list[float] = []
        for run in range(runs):
            cache = DiskCache(Path(tmp, f"cache{run}"))  # empty: truly cold, as in CI
            start = time.perf_counter()
            cold_result = apidiff(str(old_file), str(new_file), disk=cache, now=now)
            colds.append(time.perf_counter() - start)
        cold = min(colds)
        warm, warm_result = best(
            lambda: apidiff(str(old_file), str(new_file), disk=cache, now=now), runs)
        assert cache.hits >= 2, "the warm runs must be served by the disk cache"
    assert cold_result.changes == warm_result.changes == result.changes, "results differ"

    print(f"changes found: {len(result.changes)} ({result.breaking} breaking)")
    print(f"baseline: YAML alone, PyYAML C loader, both: {baseline * 1000:9.1f} ms")
    if pure is not None:
        print(f"YAML alone, pure-Python safe_load, both:     {pure * 1000:9.1f} ms")
    print(f"Charter's reader (parse), both:              {reader * 1000:9.1f} ms "
          f"({reader / baseline:.2f}x the baseline)")
    print(f"validation (jsonschema-rs + $ref checks):    {validation * 1000:9.1f} ms")
    for name, seconds in others:
        print(f"  for comparison, {name}: {seconds * 1000:.1f} ms")
    print(f"diff alone:                                  {diff * 1000:9.1f} ms")
    print(f"apidiff() end to end, cold (best of {runs}):     {cold * 1000:9.1f} ms "
          f"= {cold:.3f} s")
    print(f"apidiff() end to end, warm (best of {runs}):     {warm * 1000:9.1f} ms "
          f"= {warm:.3f} s")
    print(f"ratio cold end to end / YAML alone:          {cold / baseline:9.2f}")
    print(f"ratio warm end to end / YAML alone:          {warm / baseline:9.2f}")
    target = TARGET * args.scale
    ok = cold < target and warm < target
    print(f"{'PASS' if ok else 'FAIL'}: cold {cold:.3f} s and warm {warm:.3f} s end to end "
          f"against a target of {target:.1f} s each")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
