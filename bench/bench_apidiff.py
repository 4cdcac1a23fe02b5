"""Benchmark: `apidiff` on two ~1 MB OpenAPI documents against a plain YAML parse of them.

Run as `.venv/bin/python bench/bench_apidiff.py [--paths N] [--schemas N] [--runs K]`. Two
specs are generated (many paths sharing many component schemas, the second with a few dozen
breaking and compatible differences), written as YAML files, then timed: the parse with the C
loader and with the pure-Python loader, validation, the diff alone, and `apidiff()` end to end
on the two files, cold (empty disk cache: parse and validate) and warm (validated documents read
from the disk cache keyed by content hash). Targets: the diff alone and the warm end-to-end run
each take under one second; ratios to `yaml.safe_load` of the same text are printed.
"""

from __future__ import annotations

import argparse
import copy
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

from charter.apidiff.cache import DiskCache
from charter.apidiff.compare import apidiff, diff_specs
from charter.apidiff.load import HAS_C_LOADER, parse_document, validate_document

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=560)
    parser.add_argument("--schemas", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    old_spec = generate(args.paths, args.schemas, args.seed)
    new_spec = mutate(old_spec, args.seed + 1)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    old_text = yaml.dump(old_spec, Dumper=dumper, sort_keys=False)
    new_text = yaml.dump(new_spec, Dumper=dumper, sort_keys=False)
    print(f"documents: {len(old_text) / 1e6:.2f} MB and {len(new_text) / 1e6:.2f} MB of YAML, "
          f"{len(old_spec['paths'])} paths, {len(old_spec['components']['schemas'])} schemas")
    print(f"libyaml available: {HAS_C_LOADER}")

    def parse_both(c_loader: bool) -> tuple[dict[str, Any], dict[str, Any]]:
        return (parse_document(old_text, "old.yaml", c_loader=c_loader),
                parse_document(new_text, "new.yaml", c_loader=c_loader))

    plain, _ = best(lambda: (yaml.safe_load(old_text), yaml.safe_load(new_text)), args.runs)
    c_parse, (old, new) = best(lambda: parse_both(True), args.runs)
    py_parse, _ = best(lambda: parse_both(False), args.runs)
    start = time.perf_counter()
    validate_document(old, "old.yaml")
    validate_document(new, "new.yaml")
    validation = time.perf_counter() - start
    first_start = time.perf_counter()
    result = diff_specs(old, new)
    first = time.perf_counter() - first_start
    diff_times = [first]
    for _ in range(args.runs - 1):
        start = time.perf_counter()
        diff_specs(old, new)
        diff_times.append(time.perf_counter() - start)
    diff = min(diff_times)

    with tempfile.TemporaryDirectory() as tmp:
        old_file, new_file = Path(tmp, "old.yaml"), Path(tmp, "new.yaml")
        old_file.write_text(old_text)
        new_file.write_text(new_text)
        cache = DiskCache(Path(tmp, "cache"))  # empty, so the first run is truly cold
        now = datetime(2026, 1, 1, tzinfo=UTC)

        def end_to_end() -> Any:
            return apidiff(str(old_file), str(new_file), disk=cache, now=now)

        start = time.perf_counter()
        end_to_end()
        cold = time.perf_counter() - start
        warm, warm_result = best(end_to_end, args.runs)
        assert cache.hits >= 2, "the warm runs must be served by the disk cache"
    assert len(warm_result.changes) == len(result.changes)

    print(f"changes found: {len(result.changes)} ({result.breaking} breaking)")
    print(f"yaml.safe_load, both (plain baseline): {plain * 1000:8.1f} ms")
    print(f"parse, C loader (CSafeLoader), both:   {c_parse * 1000:8.1f} ms "
          f"({plain / c_parse:.1f}x faster than plain)")
    print(f"parse, pure-Python loader, both:       {py_parse * 1000:8.1f} ms")
    print(f"validation (openapi-spec-validator):   {validation * 1000:8.1f} ms")
    print(f"diff alone (best of {args.runs}):            {diff * 1000:8.1f} ms "
          f"(median {statistics.median(diff_times) * 1000:.1f} ms)")
    print(f"apidiff() end to end, cold cache:      {cold * 1000:8.1f} ms")
    print(f"apidiff() end to end, warm (best of {args.runs}): {warm * 1000:5.1f} ms")
    print(f"ratio diff / plain yaml parse:         {diff / plain:8.3f}")
    print(f"ratio diff / C-loader parse:           {diff / c_parse:8.3f}")
    print(f"ratio warm end to end / plain parse:   {warm / plain:8.3f}")
    print(f"ratio cold end to end / plain parse:   {cold / plain:8.3f}")
    ok = diff < TARGET and warm < TARGET
    print(f"{'PASS' if ok else 'FAIL'}: diff {diff:.3f} s and warm end to end {warm:.3f} s "
          f"against a target of {TARGET:.1f} s each")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
