"""apidiff: a table of rules on a realistic inference API, tiers, refs, and a real git history."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from charter.apidiff.compare import ApiDiffResult, TierRules, apidiff, diff_specs, normalize_path
from charter.apidiff.load import SpecCache, load_spec, parse_document, validate_document
from charter.apidiff.rules import LEVELS
from charter.errors import CharterError
from tests.conftest import git

BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]


def inference_api() -> dict[str, Any]:
    """Version 1 of an inference API: models, completions, embeddings, model families."""
    error = {"$ref": "#/components/responses/Error"}
    return copy.deepcopy({
        "openapi": "3.0.3",
        "info": {"title": "Inference API", "version": "1.0.0"},
        "security": BEARER,
        "paths": {
            "/v1/health": {
                "get": {
                    "operationId": "health",
                    "security": [],
                    "responses": {"200": {"description": "alive"}},
                },
            },
            "/v1/models": {
                "get": {
                    "operationId": "listModels",
                    "tags": ["models"],
                    "security": [{"bearerAuth": []}, {"oauth": ["models:read"]}],
                    "parameters": [
                        {"name": "limit", "in": "query",
                         "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
                        {"name": "owner", "in": "query", "schema": {"type": "string"}},
                        {"$ref": "#/components/parameters/Status"},
                    ],
                    "responses": {
                        "200": {"description": "models",
                                "content": {"application/json": {
                                    "schema": {"$ref": "#/components/schemas/ModelList"}}}},
                        "401": error,
                    },
                },
            },
            "/v1/models/{modelId}": {
                "parameters": [{"name": "modelId", "in": "path", "required": True,
                                "schema": {"type": "string"}}],
                "get": {
                    "operationId": "getModel",
                    "tags": ["models"],
                    "responses": {
                        "200": {"description": "a model",
                                "content": {"application/json": {
                                    "schema": {"$ref": "#/components/schemas/Model"}}}},
                        "404": error,
                    },
                },
                "delete": {
                    "operationId": "deleteModel",
                    "deprecated": True,
                    "responses": {"204": {"description": "deleted"}, "404": error},
                },
            },
            "/v1/completions": {
                "post": {
                    "operationId": "createCompletion",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/CompletionRequest"}}},
                    },
                    "responses": {
                        "200": {
                            "description": "a completion",
                            "headers": {"X-Request-Id": {"required": True,
                                                         "schema": {"type": "string"}}},
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Completion"}},
                                "text/event-stream": {"schema": {"type": "string"}},
                            },
                        },
                        "400": error,
                    },
                },
            },
            "/v1/embeddings": {
                "post": {
                    "operationId": "createEmbedding",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {
                            "type": "object",
                            "required": ["model", "input"],
                            "properties": {
                                "model": {"type": "string"},
                                "input": {"oneOf": [
                                    {"type": "string"},
                                    {"type": "array", "items": {"type": "string"}},
                                ]},
                            },
                        }}},
                    },
                    "responses": {
                        "200": {"description": "embeddings",
                                "content": {"application/json": {"schema": {
                                    "type": "object",
                                    "required": ["data", "usage"],
                                    "properties": {
                                        "data": {"type": "array", "items": {
                                            "type": "object",
                                            "properties": {
                                                "index": {"type": "integer"},
                                                "embedding": {"type": "array",
                                                              "items": {"type": "number"}},
                                            }}},
                                        "usage": {"$ref": "#/components/schemas/Usage"},
                                    },
                                }}}},
                    },
                },
            },
            "/v1/families": {
                "get": {
                    "operationId": "listFamilies",
                    "responses": {"200": {"description": "the family tree",
                                          "content": {"application/json": {"schema": {
                                              "$ref": "#/components/schemas/Family"}}}}},
                },
            },
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"},
                "oauth": {"type": "oauth2", "flows": {"clientCredentials": {
                    "tokenUrl": "https://auth.example.com/token",
                    "scopes": {"models:read": "read models", "models:admin": "manage"}}}},
            },
            "parameters": {
                "Status": {"name": "status", "in": "query",
                           "schema": {"type": "string", "enum": ["ready", "loading", "failed"]}},
            },
            "responses": {
                "Error": {"description": "an error", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Error"}}}},
            },
            "schemas": {
                "Error": {"type": "object", "required": ["message"],
                          "properties": {"message": {"type": "string"}}},
                "Model": {
                    "type": "object",
                    "required": ["id", "owned_by", "created"],
                    "properties": {
                        "id": {"type": "string", "maxLength": 64},
                        "owned_by": {"type": "string"},
                        "created": {"type": "integer", "format": "int64"},
                        "status": {"type": "string", "enum": ["ready", "loading"]},
                    },
                },
                "ModelList": {
                    "type": "object",
                    "required": ["data"],
                    "properties": {
                        "data": {"type": "array",
                                 "items": {"$ref": "#/components/schemas/Model"}},
                        "next": {"type": "string"},
                    },
                },
                "CompletionRequest": {
                    "type": "object",
                    "required": ["model", "prompt"],
                    "properties": {
                        "model": {"type": "string", "minLength": 1},
                        "prompt": {"type": "string", "maxLength": 32000},
                        "max_tokens": {"type": "integer", "minimum": 1, "maximum": 4096},
                        "temperature": {"type": "number", "minimum": 0, "maximum": 2},
                        "seed": {"type": "integer", "format": "int32"},
                        "stop": {"type": "array", "maxItems": 4, "items": {"type": "string"}},
                        "mode": {"type": "string", "enum": ["sync", "stream"]},
                    },
                },
                "Completion": {
                    "type": "object",
                    "required": ["id", "choices", "usage"],
                    "properties": {
                        "id": {"type": "string"},
                        "choices": {"type": "array",
                                    "items": {"$ref": "#/components/schemas/Choice"}},
                        "usage": {"$ref": "#/components/schemas/Usage"},
                    },
                },
                "Choice": {
                    "type": "object",
                    "required": ["index", "text"],
                    "properties": {
                        "index": {"type": "integer"},
                        "text": {"type": "string"},
                        "finish_reason": {"type": "string", "enum": ["stop", "length"]},
                    },
                },
                "Usage": {
                    "type": "object",
                    "required": ["prompt_tokens", "completion_tokens", "total_tokens"],
                    "properties": {
                        "prompt_tokens": {"type": "integer"},
                        "completion_tokens": {"type": "integer"},
                        "total_tokens": {"type": "integer"},
                    },
                },
                "Family": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string"},
                        "children": {"type": "array",
                                     "items": {"$ref": "#/components/schemas/Family"}},
                    },
                },
            },
        },
    })


def dump(spec: dict[str, Any]) -> str:
    """SPEC as YAML text, in the order it was written."""
    text: str = yaml.safe_dump(spec, sort_keys=False)
    return text


# -- editing a spec ---------------------------------------------------------------------------

Edit = Callable[[dict[str, Any]], None]
_NO = object()


def edit(*keys: Any, value: Any = _NO, delete: bool = False, append: Any = _NO,
         remove: Any = _NO) -> Edit:
    """An edit at KEYS: set VALUE, delete the key, append to or remove from a list."""

    def apply(spec: dict[str, Any]) -> None:
        node: Any = spec
        for key in keys[:-1]:
            node = node[key]
        last = keys[-1]
        if delete:
            del node[last]
        elif value is not _NO:
            node[last] = copy.deepcopy(value)
        elif append is not _NO:
            node[last].append(copy.deepcopy(append))
        elif remove is not _NO:
            node[last].remove(remove)

    return apply


def edits(*steps: Edit) -> Edit:
    def apply(spec: dict[str, Any]) -> None:
        for step in steps:
            step(spec)

    return apply


def rename_path(old: str, new: str, param: tuple[str, str] | None = None) -> Edit:
    def apply(spec: dict[str, Any]) -> None:
        item = spec["paths"].pop(old)
        if param:
            for p in item.get("parameters", []):
                if p.get("name") == param[0]:
                    p["name"] = param[1]
        spec["paths"][new] = item

    return apply


def run(change: Edit, before: Edit | None = None, tiers: TierRules | None = None) -> ApiDiffResult:
    old = inference_api()
    if before:
        before(old)
    new = copy.deepcopy(old)
    change(new)
    # both sides must be valid OpenAPI, as the command line insists
    validate_document(old, "old.yaml")
    validate_document(new, "new.yaml")
    return diff_specs(old, new, tiers=tiers)


def summary(result: ApiDiffResult) -> list[tuple[str, str, bool]]:
    return sorted((c.id, c.operation, c.breaking) for c in result.changes)


SCHEMAS = ("components", "schemas")
MODELS = ("paths", "/v1/models", "get")
MODEL = ("paths", "/v1/models/{modelId}")
COMPLETIONS = ("paths", "/v1/completions", "post")
EMBEDDINGS = ("paths", "/v1/embeddings", "post")
COMPLETION_REQ = (*SCHEMAS, "CompletionRequest")
MODEL_SCHEMA = (*SCHEMAS, "Model")
LIST_MODELS = "GET /v1/models"
GET_MODEL = "GET /v1/models/{modelId}"
DELETE_MODEL = "DELETE /v1/models/{modelId}"
POST_COMPLETIONS = "POST /v1/completions"
POST_EMBEDDINGS = "POST /v1/embeddings"
BOTH_MODEL_READS = (LIST_MODELS, GET_MODEL)


def on(rule: str, breaking: bool, *operations: str) -> list[tuple[str, str, bool]]:
    return [(rule, op, breaking) for op in operations]


NEW_PARAM = {"name": "project", "in": "query", "schema": {"type": "string"}}
OWNER = (*MODELS, "parameters", 1)
LIMIT = (*MODELS, "parameters", 0, "schema")
STATUS_ENUM = ("components", "parameters", "Status", "schema", "enum")

RULES: list[tuple[str, Edit, list[tuple[str, str, bool]]]] = [
    # endpoints
    ("path removed", edit("paths", "/v1/embeddings", delete=True),
     on("api-path-removed-without-deprecation", True, POST_EMBEDDINGS)),
    ("operation removed", edit(*MODEL, "get", delete=True),
     on("api-removed-without-deprecation", True, GET_MODEL)),
    ("deprecated operation removed", edit(*MODEL, "delete", delete=True),
     on("api-removed-with-deprecation", False, DELETE_MODEL)),
    ("operation added", edit(*MODEL, "patch", value={"responses": {"200": {"description": "ok"}}}),
     on("endpoint-added", False, "PATCH /v1/models/{modelId}")),
    ("operation deprecated", edit(*MODEL, "get", "deprecated", value=True),
     on("endpoint-deprecated", False, GET_MODEL)),
    ("operation reactivated", edit(*MODEL, "delete", "deprecated", value=False),
     on("endpoint-reactivated", False, DELETE_MODEL)),
    ("operation id changed", edit(*MODELS, "operationId", value="listAllModels"),
     on("api-operation-id-removed", False, LIST_MODELS)),
    ("tag added", edit(*MODELS, "tags", append="catalog"), on("api-tag-added", False, LIST_MODELS)),
    # parameters
    ("parameter removed", edit(*MODELS, "parameters", remove=inference_api()["paths"]["/v1/models"]
                               ["get"]["parameters"][1]),
     on("request-parameter-removed", False, LIST_MODELS)),
    ("parameter became required", edit(*OWNER, "required", value=True),
     on("request-parameter-became-required", True, LIST_MODELS)),
    ("explicit required: false is no change", edit(*MODELS, "parameters", 1, value={
        "name": "owner", "in": "query", "required": False, "schema": {"type": "string"}}), []),
    ("new required parameter", edit(*MODELS, "parameters", append={**NEW_PARAM, "required": True}),
     on("new-required-request-parameter", True, LIST_MODELS)),
    ("new optional parameter", edit(*MODELS, "parameters", append=NEW_PARAM),
     on("new-optional-request-parameter", False, LIST_MODELS)),
    ("parameter deprecated", edit(*OWNER, "deprecated", value=True),
     on("request-parameter-deprecated", False, LIST_MODELS)),
    ("parameter enum value removed (shared parameter)", edit(*STATUS_ENUM, remove="failed"),
     on("request-parameter-enum-value-removed", True, LIST_MODELS)),
    ("parameter enum value added", edit(*STATUS_ENUM, append="archived"),
     on("request-parameter-enum-value-added", False, LIST_MODELS)),
    ("parameter became enum", edit(*OWNER, "schema", "enum", value=["me", "org"]),
     on("request-parameter-became-enum", True, LIST_MODELS)),
    ("parameter maximum decreased", edit(*LIMIT, "maximum", value=50),
     on("request-parameter-max-decreased", True, LIST_MODELS)),
    ("parameter maximum increased", edit(*LIMIT, "maximum", value=500),
     on("request-parameter-max-increased", False, LIST_MODELS)),
    ("parameter minimum increased", edit(*LIMIT, "minimum", value=5),
     on("request-parameter-min-increased", True, LIST_MODELS)),
    ("parameter minimum decreased", edit(*LIMIT, "minimum", value=0),
     on("request-parameter-min-decreased", False, LIST_MODELS)),
    ("parameter maxLength set", edit(*OWNER, "schema", "maxLength", value=64),
     on("request-parameter-max-length-set", True, LIST_MODELS)),
    ("path parameter pattern added (path-level parameter)",
     edit(*MODEL, "parameters", 0, "schema", "pattern", value="^[a-z0-9-]+$"),
     on("request-parameter-pattern-added", True, GET_MODEL, DELETE_MODEL)),
    ("parameter type widened to string (text on the wire)", edit(*LIMIT, "type", value="string"),
     on("request-parameter-type-generalized", False, LIST_MODELS)),
    ("parameter type changed", edit(*OWNER, "schema", "type", value="integer"),
     on("request-parameter-type-changed", True, LIST_MODELS)),
    ("query parameter became an array of its type (form, explode: repeated values)",
     edit(*OWNER, "schema", value={"type": "array", "items": {"type": "string"}}),
     on("request-parameter-type-generalized", False, LIST_MODELS)),
    ("query parameter became an array of narrower items",
     edit(*OWNER, "schema", value={"type": "array",
                                   "items": {"type": "string", "maxLength": 8}}),
     on("request-parameter-type-changed", True, LIST_MODELS)),
    ("query parameter without explode became an array",
     edits(edit(*OWNER, "explode", value=False),
           edit(*OWNER, "schema", value={"type": "array", "items": {"type": "string"}})),
     on("request-parameter-type-changed", True, LIST_MODELS)),
    ("path parameter became an array (simple style)",
     edit(*MODEL, "parameters", 0, "schema", value={"type": "array",
                                                     "items": {"type": "string"}}),
     on("request-parameter-type-changed", True, GET_MODEL, DELETE_MODEL)),
    ("parameter became nullable", edit(*OWNER, "schema", "nullable", value=True),
     on("request-parameter-became-nullable", False, LIST_MODELS)),
    # request bodies
    ("request property became required", edit(*COMPLETION_REQ, "required", append="temperature"),
     on("request-property-became-required", True, POST_COMPLETIONS)),
    ("request property became optional", edit(*COMPLETION_REQ, "required", remove="prompt"),
     on("request-property-became-optional", False, POST_COMPLETIONS)),
    ("new required request property", edits(
        edit(*COMPLETION_REQ, "properties", "user", value={"type": "string"}),
        edit(*COMPLETION_REQ, "required", append="user")),
     on("new-required-request-property", True, POST_COMPLETIONS)),
    ("new optional request property",
     edit(*COMPLETION_REQ, "properties", "user", value={"type": "string"}),
     on("new-optional-request-property", False, POST_COMPLETIONS)),
    ("request property removed", edit(*COMPLETION_REQ, "properties", "stop", delete=True),
     on("request-property-removed", False, POST_COMPLETIONS)),
    ("read-only request property maximum decreased",
     edits(edit(*COMPLETION_REQ, "properties", "max_tokens", "readOnly", value=True),
           edit(*COMPLETION_REQ, "properties", "max_tokens", "maximum", value=2048)),
     on("request-read-only-property-max-decreased", False, POST_COMPLETIONS)),
    ("request minItems set (no hand-written rule: generated by bound_rules.go)",
     edit(*COMPLETION_REQ, "properties", "stop", "minItems", value=1),
     on("request-property-min-items-set", True, POST_COMPLETIONS)),
    ("request property enum value removed",
     edit(*COMPLETION_REQ, "properties", "mode", "enum", remove="stream"),
     on("request-property-enum-value-removed", True, POST_COMPLETIONS)),
    ("request property enum value added",
     edit(*COMPLETION_REQ, "properties", "mode", "enum", append="batch"),
     on("request-property-enum-value-added", False, POST_COMPLETIONS)),
    ("request maxLength decreased",
     edit(*COMPLETION_REQ, "properties", "prompt", "maxLength", value=16000),
     on("request-property-max-length-decreased", True, POST_COMPLETIONS)),
    ("request maxLength increased",
     edit(*COMPLETION_REQ, "properties", "prompt", "maxLength", value=64000),
     on("request-property-max-length-increased", False, POST_COMPLETIONS)),
    ("request maxLength removed",
     edit(*COMPLETION_REQ, "properties", "prompt", "maxLength", delete=True),
     on("request-property-max-length-unset", False, POST_COMPLETIONS)),
    ("request minLength increased",
     edit(*COMPLETION_REQ, "properties", "model", "minLength", value=3),
     on("request-property-min-length-increased", True, POST_COMPLETIONS)),
    ("request maximum increased",
     edit(*COMPLETION_REQ, "properties", "max_tokens", "maximum", value=8192),
     on("request-property-max-increased", False, POST_COMPLETIONS)),
    ("request maximum set", edit(*COMPLETION_REQ, "properties", "seed", "maximum", value=1000),
     on("request-property-max-set", True, POST_COMPLETIONS)),
    ("request maxItems decreased",
     edit(*COMPLETION_REQ, "properties", "stop", "maxItems", value=2),
     on("request-property-max-items-decreased", True, POST_COMPLETIONS)),
    ("request type widened integer to number",
     edit(*COMPLETION_REQ, "properties", "max_tokens", "type", value="number"),
     on("request-property-type-generalized", False, POST_COMPLETIONS)),
    ("request type changed integer to string (JSON)",
     edit(*COMPLETION_REQ, "properties", "max_tokens", "type", value="string"),
     on("request-property-type-changed", True, POST_COMPLETIONS)),
    ("request format widened int32 to int64",
     edit(*COMPLETION_REQ, "properties", "seed", "format", value="int64"),
     on("request-property-type-generalized", False, POST_COMPLETIONS)),
    ("request property became nullable",
     edit(*COMPLETION_REQ, "properties", "temperature", "nullable", value=True),
     on("request-property-became-nullable", False, POST_COMPLETIONS)),
    ("request body became optional", edit(*COMPLETIONS, "requestBody", "required", value=False),
     on("request-body-became-optional", False, POST_COMPLETIONS)),
    ("request body removed", edit(*COMPLETIONS, "requestBody", delete=True),
     on("request-body-removed", True, POST_COMPLETIONS)),
    ("request media type added",
     edit(*COMPLETIONS, "requestBody", "content", "application/x-www-form-urlencoded",
          value={"schema": {"$ref": "#/components/schemas/CompletionRequest"}}),
     on("request-body-media-type-added", False, POST_COMPLETIONS)),
    ("request oneOf branch removed",
     edit(*EMBEDDINGS, "requestBody", "content", "application/json", "schema", "properties",
          "input", "oneOf", remove={"type": "array", "items": {"type": "string"}}),
     on("request-property-one-of-removed", True, POST_EMBEDDINGS)),
    # responses, through shared components
    ("response required property removed (shared Model)", edits(
        edit(*MODEL_SCHEMA, "properties", "owned_by", delete=True),
        edit(*MODEL_SCHEMA, "required", remove="owned_by")),
     on("response-required-property-removed", True, *BOTH_MODEL_READS)),
    ("response optional property removed",
     edit(*SCHEMAS, "ModelList", "properties", "next", delete=True),
     on("response-optional-property-removed", False, LIST_MODELS)),
    ("response property became optional (Usage in two operations)",
     edit(*SCHEMAS, "Usage", "required", remove="total_tokens"),
     on("response-property-became-optional", True, POST_COMPLETIONS, POST_EMBEDDINGS)),
    ("response property became required",
     edit(*SCHEMAS, "Choice", "required", append="finish_reason"),
     on("response-property-became-required", False, POST_COMPLETIONS)),
    ("response property added", edit(*MODEL_SCHEMA, "properties", "family",
                                     value={"type": "string"}),
     on("response-optional-property-added", False, *BOTH_MODEL_READS)),
    ("response type changed", edit(*MODEL_SCHEMA, "properties", "created", "type",
                                   value="string"),
     on("response-property-type-changed", True, *BOTH_MODEL_READS)),
    ("response type widened integer to number",
     edit(*MODEL_SCHEMA, "properties", "created", "type", value="number"),
     on("response-property-type-generalized", True, *BOTH_MODEL_READS)),
    ("response type narrowed number to integer",
     edit(*EMBEDDINGS, "responses", "200", "content", "application/json", "schema",
          "properties", "data", "items", "properties", "embedding", "items", "type",
          value="integer"),
     on("response-property-type-specialized", False, POST_EMBEDDINGS)),
    ("response format narrowed int64 to int32",
     edit(*MODEL_SCHEMA, "properties", "created", "format", value="int32"),
     on("response-property-type-specialized", False, *BOTH_MODEL_READS)),
    ("response format widened int64 to bigint",
     edit(*MODEL_SCHEMA, "properties", "created", "format", value="bigint"),
     on("response-property-type-generalized", True, *BOTH_MODEL_READS)),
    ("response enum value added (widened)",
     edit(*MODEL_SCHEMA, "properties", "status", "enum", append="failed"),
     on("response-property-enum-value-added", False, *BOTH_MODEL_READS)),
    ("response enum value removed",
     edit(*SCHEMAS, "Choice", "properties", "finish_reason", "enum", remove="length"),
     on("response-property-enum-value-removed", False, POST_COMPLETIONS)),
    ("response maxLength increased",
     edit(*MODEL_SCHEMA, "properties", "id", "maxLength", value=128),
     on("response-property-max-length-increased", True, *BOTH_MODEL_READS)),
    ("response maxLength removed", edit(*MODEL_SCHEMA, "properties", "id", "maxLength",
                                        delete=True),
     on("response-property-max-length-unset", True, *BOTH_MODEL_READS)),
    ("response maxLength decreased narrows what clients get",
     edit(*MODEL_SCHEMA, "properties", "id", "maxLength", value=32),
     on("response-property-max-length-decreased", False, *BOTH_MODEL_READS)),
    ("response minimum set",
     edit(*SCHEMAS, "Usage", "properties", "total_tokens", "minimum", value=0),
     on("response-property-min-set", False, POST_COMPLETIONS, POST_EMBEDDINGS)),
    ("response write-only property added",
     edits(edit(*MODEL_SCHEMA, "properties", "secret",
                value={"type": "string", "writeOnly": True}),
           edit(*MODEL_SCHEMA, "required", append="secret")),
     on("response-required-write-only-property-added", False, *BOTH_MODEL_READS)),
    ("response write-only property became required",
     edits(edit(*SCHEMAS, "Choice", "properties", "finish_reason", "writeOnly", value=True),
           edit(*SCHEMAS, "Choice", "required", append="finish_reason")),
     on("response-write-only-property-became-required", False, POST_COMPLETIONS)),
    ("response property became nullable",
     edit(*MODEL_SCHEMA, "properties", "owned_by", "nullable", value=True),
     on("response-property-became-nullable", True, *BOTH_MODEL_READS)),
    ("success status removed", edit(*MODEL, "get", "responses", "200", delete=True),
     on("response-success-status-removed", True, GET_MODEL)),
    ("non-success status removed", edit(*MODELS, "responses", "401", delete=True),
     on("response-non-success-status-removed", False, LIST_MODELS)),
    ("success status added",
     edit(*COMPLETIONS, "responses", "202", value={"description": "queued"}),
     on("response-success-status-added", False, POST_COMPLETIONS)),
    ("response media type removed",
     edit(*COMPLETIONS, "responses", "200", "content", "text/event-stream", delete=True),
     on("response-media-type-removed", True, POST_COMPLETIONS)),
    ("response media type added",
     edit(*MODELS, "responses", "200", "content", "application/x-ndjson",
          value={"schema": {"type": "string"}}),
     on("response-media-type-added", False, LIST_MODELS)),
    ("required response header removed",
     edit(*COMPLETIONS, "responses", "200", "headers", "X-Request-Id", delete=True),
     on("required-response-header-removed", True, POST_COMPLETIONS)),
    ("response header became optional",
     edit(*COMPLETIONS, "responses", "200", "headers", "X-Request-Id", "required", value=False),
     on("response-header-became-optional", True, POST_COMPLETIONS)),
    # security
    ("security added to an operation that had none",
     edit("paths", "/v1/health", "get", "security", value=[{"bearerAuth": []}]),
     on("api-security-anonymous-access-removed", True, "GET /v1/health")
     + on("api-security-added", False, "GET /v1/health")),
    ("operation made anonymous", edit(*MODELS, "security", value=[]),
     on("api-security-anonymous-access-added", False, LIST_MODELS)),
    ("anonymous alternative added", edit(*MODELS, "security", append={}),
     on("api-security-anonymous-access-added", False, LIST_MODELS)),
    ("security added as an alternative to anonymous access",
     edit("paths", "/v1/health", "get", "security", value=[{}, {"bearerAuth": []}]),
     on("api-security-added", False, "GET /v1/health")),
    ("global security dropped (each inheriting operation)", edit("security", delete=True),
     on("api-global-security-anonymous-access-added", False, GET_MODEL, DELETE_MODEL,
        POST_COMPLETIONS, POST_EMBEDDINGS, "GET /v1/families")),
    ("security alternative removed",
     edit(*MODELS, "security", remove={"oauth": ["models:read"]}),
     on("api-security-removed", True, LIST_MODELS)),
    ("security scope added", edit(*MODELS, "security", 1, "oauth", append="models:admin"),
     on("api-security-scope-added", True, LIST_MODELS)),
    ("security scope removed", edit(*MODELS, "security", 1, "oauth", value=[]),
     on("api-security-scope-removed", False, LIST_MODELS)),
    ("global security alternative added (each inheriting operation)",
     edit("security", append={"oauth": ["models:read"]}),
     on("api-global-security-added", False, GET_MODEL, DELETE_MODEL, POST_COMPLETIONS,
        POST_EMBEDDINGS, "GET /v1/families")),
    # compared by meaning, not text
    ("path parameter renamed", rename_path("/v1/models/{modelId}", "/v1/models/{id}",
                                           ("modelId", "id")), []),
    ("component split into allOf", edits(
        edit(*SCHEMAS, "ModelBase", value={"type": "object", "required": ["id"],
                                           "properties": {"id": {"type": "string",
                                                                 "maxLength": 64}}}),
        edit(*MODEL_SCHEMA, value={"allOf": [
            {"$ref": "#/components/schemas/ModelBase"},
            {"type": "object", "required": ["owned_by", "created"], "properties": {
                "owned_by": {"type": "string"},
                "created": {"type": "integer", "format": "int64"},
                "status": {"type": "string", "enum": ["ready", "loading"]}}}]})), []),
    ("shared component inlined", edit(*EMBEDDINGS, "responses", "200", "content",
                                      "application/json", "schema", "properties", "usage",
                                      value=inference_api()["components"]["schemas"]["Usage"]),
     []),
    ("recursive schema: property removed once",
     edits(edit(*SCHEMAS, "Family", "properties", "name", delete=True),
           edit(*SCHEMAS, "Family", "required", value=["children"])),
     on("response-required-property-removed", True, "GET /v1/families")
     + on("response-property-became-required", False, "GET /v1/families")),
]


@pytest.mark.parametrize(("change", "expected"), [(c, e) for _, c, e in RULES],
                         ids=[name for name, _, _ in RULES])
def test_rule(change: Edit, expected: list[tuple[str, str, bool]]) -> None:
    assert summary(run(change)) == sorted(expected)


def test_every_reported_id_is_an_oasdiff_rule_and_levels_decide_breaking() -> None:
    for _, change, _ in RULES:
        for c in run(change).changes:
            assert c.id in LEVELS
            assert c.level == LEVELS[c.id]
            assert c.breaking == (c.level == "ERR")


# The level of every oasdiff id Charter knows, as oasdiff rates it. Read from oasdiff's
# checker/rules.go (current form: rules with an Effect and Guards; older releases rated a few
# differently, e.g. response-optional-property-removed was WARN) and, for the anonymous-access
# ids, checker/check_api_security_updated_test.go. Bound ids listed here are rules.go's
# hand-written ones; the rest are generated by checker/bound_rules.go (see below).
OASDIFF_LEVELS: dict[str, str] = {
    "endpoint-added": "INFO",
    "api-path-removed-without-deprecation": "ERR",
    "api-path-removed-with-deprecation": "INFO",
    "api-removed-without-deprecation": "ERR",
    "api-removed-with-deprecation": "INFO",
    "api-path-removed-before-sunset": "ERR",
    "api-removed-before-sunset": "ERR",
    "api-path-sunset-parse": "ERR",
    "api-sunset-date-too-small": "ERR",
    "endpoint-deprecated": "INFO",
    "endpoint-reactivated": "INFO",
    "api-operation-id-removed": "INFO",
    "api-operation-id-added": "INFO",
    "api-tag-removed": "INFO",
    "api-tag-added": "INFO",
    "api-security-removed": "ERR",
    "api-security-added": "INFO",
    "api-security-scope-added": "ERR",
    "api-security-scope-removed": "INFO",
    "api-global-security-removed": "ERR",
    "api-global-security-added": "INFO",
    "api-global-security-scope-added": "ERR",
    "api-global-security-scope-removed": "INFO",
    "api-security-anonymous-access-removed": "ERR",
    "api-security-anonymous-access-added": "INFO",
    "api-global-security-anonymous-access-removed": "ERR",
    "api-global-security-anonymous-access-added": "INFO",
    "request-parameter-removed": "WARN",
    "request-parameter-removed-with-deprecation": "INFO",
    "new-required-request-parameter": "ERR",
    "new-optional-request-parameter": "INFO",
    "new-request-path-parameter": "ERR",
    "request-parameter-became-required": "ERR",
    "request-parameter-became-optional": "INFO",
    "request-parameter-deprecated": "INFO",
    "request-parameter-reactivated": "INFO",
    "request-body-added-required": "ERR",
    "request-body-added-optional": "INFO",
    "request-body-removed": "ERR",
    "request-body-became-required": "ERR",
    "request-body-became-optional": "INFO",
    "request-body-media-type-removed": "ERR",
    "request-body-media-type-added": "INFO",
    "response-success-status-removed": "ERR",
    "response-non-success-status-removed": "INFO",
    "response-success-status-added": "INFO",
    "response-non-success-status-added": "INFO",
    "response-media-type-removed": "ERR",
    "response-media-type-added": "INFO",
    "required-response-header-removed": "ERR",
    "optional-response-header-removed": "WARN",
    "response-header-added": "INFO",
    "response-header-became-optional": "ERR",
    "request-property-removed": "WARN",
    "new-required-request-property": "ERR",
    "new-required-request-property-with-default": "ERR",
    "new-optional-request-property": "INFO",
    "request-property-became-required": "ERR",
    "request-property-became-required-with-default": "ERR",
    "request-property-became-optional": "INFO",
    "response-required-property-removed": "ERR",
    "response-required-write-only-property-removed": "INFO",
    "response-optional-property-removed": "INFO",
    "response-optional-write-only-property-removed": "INFO",
    "response-required-property-added": "INFO",
    "response-required-write-only-property-added": "INFO",
    "response-optional-property-added": "INFO",
    "response-optional-write-only-property-added": "INFO",
    "response-property-became-optional": "ERR",
    "response-write-only-property-became-optional": "INFO",
    "response-property-became-required": "INFO",
    "response-write-only-property-became-required": "INFO",
    "request-property-deprecated": "INFO",
    "request-property-reactivated": "INFO",
    "response-property-deprecated": "INFO",
    "response-property-reactivated": "INFO",
    "request-body-type-changed": "ERR",
    "request-body-type-generalized": "INFO",
    "request-property-type-changed": "ERR",
    "request-property-type-generalized": "INFO",
    "request-parameter-type-changed": "ERR",
    "request-parameter-type-generalized": "INFO",
    "request-parameter-property-type-changed": "WARN",
    "request-parameter-property-type-generalized": "INFO",
    "request-parameter-property-type-specialized": "ERR",
    "response-body-type-changed": "ERR",
    "response-body-type-generalized": "ERR",
    "response-body-type-specialized": "INFO",
    "response-property-type-changed": "ERR",
    "response-property-type-generalized": "ERR",
    "response-property-type-specialized": "INFO",
    "request-body-list-of-types-widened": "INFO",
    "request-body-list-of-types-narrowed": "ERR",
    "request-property-list-of-types-widened": "INFO",
    "request-property-list-of-types-narrowed": "ERR",
    "request-parameter-list-of-types-widened": "INFO",
    "request-parameter-list-of-types-narrowed": "ERR",
    "request-parameter-property-list-of-types-widened": "INFO",
    "request-parameter-property-list-of-types-narrowed": "ERR",
    "response-body-list-of-types-widened": "ERR",
    "response-body-list-of-types-narrowed": "INFO",
    "response-property-list-of-types-widened": "ERR",
    "response-property-list-of-types-narrowed": "INFO",
    "request-parameter-became-enum": "ERR",
    "request-property-became-enum": "ERR",
    "request-body-became-enum": "ERR",
    "request-parameter-enum-value-removed": "ERR",
    "request-parameter-enum-value-added": "INFO",
    "request-parameter-property-enum-value-removed": "ERR",
    "request-parameter-property-enum-value-added": "INFO",
    "request-property-enum-value-removed": "ERR",
    "request-read-only-property-enum-value-removed": "INFO",
    "request-property-enum-value-added": "INFO",
    "request-body-enum-value-removed": "ERR",
    "response-property-enum-value-added": "WARN",
    "response-write-only-property-enum-value-added": "INFO",
    "response-property-enum-value-removed": "INFO",
    "response-mediatype-enum-value-removed": "INFO",
    "request-parameter-pattern-added": "ERR",
    "request-parameter-pattern-removed": "INFO",
    "request-parameter-pattern-changed": "WARN",
    "request-property-pattern-added": "ERR",
    "request-property-pattern-removed": "INFO",
    "request-property-pattern-changed": "WARN",
    "response-property-pattern-added": "INFO",
    "response-property-pattern-removed": "ERR",
    "response-property-pattern-changed": "WARN",
    "request-parameter-became-nullable": "INFO",
    "request-parameter-became-not-nullable": "ERR",
    "request-parameter-property-became-nullable": "INFO",
    "request-parameter-property-became-not-nullable": "ERR",
    "request-body-became-nullable": "INFO",
    "request-body-became-not-nullable": "ERR",
    "request-property-became-nullable": "INFO",
    "request-property-became-not-nullable": "ERR",
    "response-body-became-nullable": "ERR",
    "response-body-became-not-nullable": "INFO",
    "response-property-became-nullable": "ERR",
    "response-property-became-not-nullable": "INFO",
    "request-parameter-default-value-added": "INFO",
    "request-parameter-default-value-removed": "INFO",
    "request-parameter-default-value-changed": "INFO",
    "request-body-default-value-added": "INFO",
    "request-body-default-value-removed": "INFO",
    "request-body-default-value-changed": "INFO",
    "request-property-default-value-added": "INFO",
    "request-property-default-value-removed": "INFO",
    "request-property-default-value-changed": "INFO",
    "response-body-default-value-added": "INFO",
    "response-body-default-value-removed": "INFO",
    "response-body-default-value-changed": "INFO",
    "response-property-default-value-added": "INFO",
    "response-property-default-value-removed": "INFO",
    "response-property-default-value-changed": "INFO",
    "request-body-one-of-added": "INFO",
    "request-body-one-of-removed": "ERR",
    "request-property-one-of-added": "INFO",
    "request-property-one-of-removed": "ERR",
    "request-body-any-of-added": "INFO",
    "request-body-any-of-removed": "ERR",
    "request-property-any-of-added": "INFO",
    "request-property-any-of-removed": "ERR",
    "response-body-one-of-added": "ERR",
    "response-body-one-of-removed": "INFO",
    "response-property-one-of-added": "ERR",
    "response-property-one-of-removed": "INFO",
    "response-body-any-of-added": "ERR",
    "response-body-any-of-removed": "INFO",
    "response-property-any-of-added": "ERR",
    "response-property-any-of-removed": "INFO",
    "request-read-only-property-max-decreased": "INFO",
    "request-read-only-property-exclusive-max-decreased": "INFO",
    "request-read-only-property-max-length-decreased": "INFO",
    "request-read-only-property-max-items-decreased": "INFO",
    "request-read-only-property-max-properties-decreased": "INFO",
    "request-read-only-property-min-increased": "INFO",
    "request-read-only-property-exclusive-min-increased": "INFO",
    "request-body-max-set": "ERR",
    "request-body-max-increased": "INFO",
    "request-body-max-decreased": "ERR",
    "request-property-max-set": "ERR",
    "request-property-max-increased": "INFO",
    "request-property-max-decreased": "ERR",
    "request-parameter-max-set": "ERR",
    "request-parameter-max-increased": "INFO",
    "request-parameter-max-decreased": "ERR",
    "response-body-max-increased": "ERR",
    "response-property-max-increased": "ERR",
    "request-body-min-set": "ERR",
    "request-body-min-increased": "ERR",
    "request-body-min-decreased": "INFO",
    "request-property-min-set": "ERR",
    "request-property-min-increased": "ERR",
    "request-property-min-decreased": "INFO",
    "request-parameter-min-set": "ERR",
    "request-parameter-min-increased": "ERR",
    "request-parameter-min-decreased": "INFO",
    "response-body-min-decreased": "ERR",
    "response-property-min-decreased": "ERR",
    "request-body-exclusive-max-set": "ERR",
    "request-body-exclusive-max-increased": "INFO",
    "request-body-exclusive-max-decreased": "ERR",
    "request-property-exclusive-max-set": "ERR",
    "request-property-exclusive-max-increased": "INFO",
    "request-property-exclusive-max-decreased": "ERR",
    "request-parameter-exclusive-max-set": "ERR",
    "request-parameter-exclusive-max-increased": "INFO",
    "request-parameter-exclusive-max-decreased": "ERR",
    "response-body-exclusive-max-increased": "ERR",
    "response-property-exclusive-max-increased": "ERR",
    "request-body-exclusive-min-set": "ERR",
    "request-body-exclusive-min-increased": "ERR",
    "request-body-exclusive-min-decreased": "INFO",
    "request-property-exclusive-min-set": "ERR",
    "request-property-exclusive-min-increased": "ERR",
    "request-property-exclusive-min-decreased": "INFO",
    "request-parameter-exclusive-min-set": "ERR",
    "request-parameter-exclusive-min-increased": "ERR",
    "request-parameter-exclusive-min-decreased": "INFO",
    "response-body-exclusive-min-decreased": "ERR",
    "response-property-exclusive-min-decreased": "ERR",
    "request-body-max-length-set": "ERR",
    "request-body-max-length-increased": "INFO",
    "request-body-max-length-decreased": "ERR",
    "request-property-max-length-set": "ERR",
    "request-property-max-length-increased": "INFO",
    "request-property-max-length-decreased": "ERR",
    "request-parameter-max-length-set": "ERR",
    "request-parameter-max-length-increased": "INFO",
    "request-parameter-max-length-decreased": "ERR",
    "response-body-max-length-unset": "ERR",
    "response-body-max-length-increased": "ERR",
    "response-property-max-length-unset": "ERR",
    "response-property-max-length-increased": "ERR",
    "request-body-min-length-increased": "ERR",
    "request-body-min-length-decreased": "INFO",
    "request-property-min-length-increased": "ERR",
    "request-property-min-length-decreased": "INFO",
    "request-parameter-min-length-increased": "ERR",
    "request-parameter-min-length-decreased": "INFO",
    "response-body-min-length-decreased": "ERR",
    "response-property-min-length-decreased": "ERR",
    "request-body-max-items-set": "ERR",
    "request-body-max-items-increased": "INFO",
    "request-body-max-items-decreased": "ERR",
    "request-property-max-items-set": "ERR",
    "request-property-max-items-increased": "INFO",
    "request-property-max-items-decreased": "ERR",
    "request-parameter-max-items-increased": "INFO",
    "request-parameter-max-items-decreased": "ERR",
    "response-body-max-items-increased": "ERR",
    "response-property-max-items-increased": "ERR",
    "request-body-min-items-set": "ERR",
    "request-body-min-items-increased": "ERR",
    "request-property-min-items-set": "ERR",
    "request-property-min-items-increased": "ERR",
    "request-parameter-min-items-set": "ERR",
    "request-parameter-min-items-increased": "ERR",
    "request-parameter-min-items-decreased": "INFO",
    "response-body-min-items-unset": "ERR",
    "response-body-min-items-decreased": "ERR",
    "response-property-min-items-unset": "ERR",
    "response-property-min-items-decreased": "ERR",
    "request-body-max-properties-set": "ERR",
    "request-body-max-properties-increased": "INFO",
    "request-body-max-properties-decreased": "ERR",
    "request-property-max-properties-set": "ERR",
    "request-property-max-properties-increased": "INFO",
    "request-property-max-properties-decreased": "ERR",
    "response-body-max-properties-increased": "ERR",
    "response-property-max-properties-increased": "ERR",
    "request-body-min-properties-increased": "ERR",
    "request-property-min-properties-increased": "ERR",
    "response-body-min-properties-decreased": "ERR",
    "response-property-min-properties-decreased": "ERR",
    "request-body-max-contains-increased": "INFO",
    "request-body-max-contains-decreased": "ERR",
    "request-property-max-contains-increased": "INFO",
    "request-property-max-contains-decreased": "ERR",
    "response-body-max-contains-increased": "ERR",
    "response-body-max-contains-decreased": "INFO",
    "response-property-max-contains-increased": "ERR",
    "response-property-max-contains-decreased": "INFO",
    "request-body-min-contains-increased": "ERR",
    "request-body-min-contains-decreased": "INFO",
    "request-property-min-contains-increased": "ERR",
    "request-property-min-contains-decreased": "INFO",
    "response-body-min-contains-increased": "INFO",
    "response-body-min-contains-decreased": "ERR",
    "response-property-min-contains-increased": "INFO",
    "response-property-min-contains-decreased": "ERR",
}

# Charter's own ids: oasdiff has no rule for these situations
CHARTER_IDS = {"api-tier-changed", "api-path-prefix-renamed"}

# checker/bound_rules.go: id segment -> True when decreasing narrows (an upper bound); every
# (direction, scope, segment, action) cell exists, its level derived by checker/rules/derive.go:
# narrowing a request or widening a response is ERR, the opposite INFO
BOUND_UPPER = {"max": True, "min": False, "max-length": True, "min-length": False,
               "max-items": True, "min-items": False, "max-properties": True,
               "min-properties": False, "min-contains": False, "max-contains": True,
               "exclusive-min": False, "exclusive-max": True}


def _generated_bound_level(rule: str) -> str | None:
    for side, scopes in (("request", ("body", "property", "parameter")),
                         ("response", ("body", "property"))):
        for scope in scopes:
            for segment, upper in BOUND_UPPER.items():
                for action in ("set", "unset", "increased", "decreased"):
                    if rule == f"{side}-{scope}-{segment}-{action}":
                        narrows = action == "set" or (
                            action in ("increased", "decreased")
                            and (action == "decreased") == upper)
                        return "ERR" if narrows == (side == "request") else "INFO"
    return None


def test_levels_match_oasdiff() -> None:
    for rule, level in OASDIFF_LEVELS.items():
        assert LEVELS.get(rule) == level, rule
    for rule, level in LEVELS.items():
        if rule in OASDIFF_LEVELS or rule in CHARTER_IDS:
            continue
        assert _generated_bound_level(rule) == level, rule


def test_read_only_request_property_added_or_removed_is_no_change() -> None:
    # clients never send a read-only property, so oasdiff reports neither
    result = run(edits(edit(*COMPLETION_REQ, "properties", "created",
                            value={"type": "integer", "readOnly": True}),
                       edit(*COMPLETION_REQ, "required", append="created"),
                       edit(*COMPLETION_REQ, "properties", "stop", delete=True)),
                 before=edit(*COMPLETION_REQ, "properties", "stop", "readOnly", value=True))
    assert summary(result) == []


def test_anonymous_alternative_removed_is_breaking() -> None:
    result = run(edit(*MODELS, "security", remove={}),
                 before=edit(*MODELS, "security", append={}))
    assert summary(result) == on("api-security-anonymous-access-removed", True, LIST_MODELS)


def test_nothing_added_or_removed_narrows_an_operation_that_stays_anonymous() -> None:
    result = run(edits(edit(*MODELS, "security", 1, "oauth", append="models:admin"),
                       edit(*MODELS, "security", remove={"bearerAuth": []})),
                 before=edit(*MODELS, "security", append={}))
    assert summary(result) == []


def test_change_shape_matches_the_cli_contract() -> None:
    result = run(edits(edit(*MODEL_SCHEMA, "properties", "owned_by", delete=True),
                       edit(*MODEL_SCHEMA, "required", remove="owned_by")))
    data = result.to_json()
    assert data["breaking"] == 2
    first = data["changes"][0]
    assert set(first) >= {"id", "breaking", "tier", "operation", "location", "message"}
    assert first == {**first, "id": "response-required-property-removed", "breaking": True,
                     "tier": "stable", "operation": LIST_MODELS,
                     "location": "responses.200.content.application/json.schema.properties"
                                 ".data.items.properties.owned_by"}
    assert "data/items/owned_by" in first["message"]


def test_shared_component_change_is_reported_on_every_operation_with_its_own_location() -> None:
    result = run(edit(*SCHEMAS, "Usage", "properties", "total_tokens", "type", value="string"))
    where = {c.operation: c.location for c in result.changes}
    assert where == {
        POST_COMPLETIONS: "responses.200.content.application/json.schema.properties.usage"
                          ".properties.total_tokens.type",
        POST_EMBEDDINGS: "responses.200.content.application/json.schema.properties.usage"
                         ".properties.total_tokens.type",
    }


def test_path_parameter_rename_reports_operation_as_written_in_new() -> None:
    result = run(edits(rename_path("/v1/models/{modelId}", "/v1/models/{id}", ("modelId", "id")),
                       edit("paths", "/v1/models/{id}", "get", "deprecated", value=True)))
    assert summary(result) == on("endpoint-deprecated", False, "GET /v1/models/{id}")
    assert normalize_path("/users/{id}/keys/{keyId}") == "/users/{}/keys/{}"


def test_renaming_path_with_another_template_is_a_removal_and_an_addition() -> None:
    result = run(rename_path("/v1/families", "/v2/families"))
    assert summary(result) == sorted(
        on("api-path-removed-without-deprecation", True, "GET /v1/families")
        + on("endpoint-added", False, "GET /v2/families"))


# -- tiers -------------------------------------------------------------------------------------

def test_deprecated_operation_break_does_not_fail_but_stable_one_does() -> None:
    deprecated_only = run(edit(*MODEL, "delete", "responses", "204", delete=True))
    [change] = deprecated_only.changes
    assert (change.id, change.tier, change.breaking) == (
        "response-success-status-removed", "deprecated", True)
    assert deprecated_only.breaking == 1
    assert not deprecated_only.fails

    stable = run(edit(*MODEL, "get", "responses", "200", delete=True))
    assert stable.changes[0].tier == "stable"
    assert stable.fails


def test_tier_is_taken_from_old_so_deprecating_does_not_excuse_a_break() -> None:
    result = run(edits(edit(*MODEL, "get", "deprecated", value=True),
                       edit(*MODEL, "get", "responses", "200", delete=True)))
    assert {c.tier for c in result.changes} == {"stable"}
    assert result.fails


def test_no_change_is_clean() -> None:
    result = run(edits())
    assert result.changes == ()
    assert result.to_json() == {"changes": [], "breaking": 0}
    assert not result.fails


@pytest.mark.parametrize(("rules", "before", "tier"), [
    (TierRules(extension="x-stability", extension_values={"alpha": "experimental"}),
     edit(*MODEL, "get", "x-stability", value="alpha"), "experimental"),
    (TierRules(extension="x-stability"), edit(*MODEL, "get", "x-stability", value="beta"),
     "beta"),
    (TierRules(tags={"models": "experimental"}), edits(), "experimental"),
    (TierRules(path_prefixes={"/v1": "stable", "/v1/models": "experimental"}), edits(),
     "experimental"),
    (TierRules(default="experimental"), edits(), "experimental"),
    (TierRules(), edit(*MODEL, "get", "x-stability", value="alpha"), "stable"),
], ids=["extension mapped", "extension as is", "by tag", "longest path prefix", "default",
        "no policy ignores the extension"])
def test_tier_rules(rules: TierRules, before: Edit, tier: str) -> None:
    result = run(edit(*MODEL, "get", "responses", "200", delete=True), before=before, tiers=rules)
    [change] = result.changes
    assert change.tier == tier
    assert change.breaking
    assert result.fails == (tier == "stable")


def test_deprecated_parameter_removed_is_not_breaking() -> None:
    result = run(edit(*MODELS, "parameters", 1, delete=True),
                 before=edit(*OWNER, "deprecated", value=True))
    assert summary(result) == on("request-parameter-removed-with-deprecation", False, LIST_MODELS)


def test_openapi_31_type_lists() -> None:
    old = inference_api()
    old["openapi"] = "3.1.0"
    old["components"]["schemas"]["Model"]["properties"]["owned_by"] = {"type": ["string"]}
    new = copy.deepcopy(old)
    new["components"]["schemas"]["Model"]["properties"]["owned_by"] = {
        "type": ["string", "integer"]}
    validate_document(new, "new.yaml")
    result = diff_specs(old, new)
    assert summary(result) == on("response-property-list-of-types-widened", True,
                                 *BOTH_MODEL_READS)


# -- loading and validation --------------------------------------------------------------------

def test_invalid_spec_is_compared_with_a_warning_naming_file_and_place(tmp_path: Path) -> None:
    spec = inference_api()
    del spec["info"]["version"]
    path = tmp_path / "bad.yaml"
    path.write_text(dump(spec))
    good = tmp_path / "good.yaml"
    good.write_text(dump(inference_api()))
    [warning] = apidiff(str(good), str(path)).warnings
    assert (warning.spec, warning.location) == (str(path), "#/info")
    assert "`version` is missing" in warning.message


@pytest.mark.parametrize(("text", "needle"), [
    ("openapi: 3.0.3\npaths: {}\ninfo: [unclosed\n", "not valid YAML"),
    ("- just\n- a list\n", "not an OpenAPI document"),
    ("swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: {}\n", "not an OpenAPI 3.x"),
], ids=["malformed yaml", "not a mapping", "swagger 2"])
def test_bad_documents_are_charter_errors(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    with pytest.raises(CharterError) as err:
        load_spec(str(path))
    assert needle in err.value.message
    assert err.value.file == str(path)


def test_yaml_error_has_a_line(tmp_path: Path) -> None:
    with pytest.raises(CharterError) as err:
        parse_document("openapi: 3.0.3\ninfo:\n  title: [x\n", "spec.yaml")
    assert err.value.line is not None and err.value.line >= 3


def test_missing_file_is_an_error() -> None:
    with pytest.raises(CharterError, match="no such file"):
        load_spec("does/not/exist.yaml")


def test_json_documents_and_unquoted_status_codes_load(tmp_path: Path) -> None:
    import json

    spec = inference_api()
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    # YAML reads an unquoted 200 as a number and a date as a date; OpenAPI means strings
    text = dump(spec).replace("'200':", "200:") + "x-released: 2026-01-05\n"
    (tmp_path / "spec.yaml").write_text(text)
    from_json = load_spec(str(tmp_path / "spec.json")).document
    from_yaml = load_spec(str(tmp_path / "spec.yaml")).document
    assert "200" in from_yaml["paths"]["/v1/models"]["get"]["responses"]
    assert from_yaml["x-released"] == "2026-01-05"
    assert diff_specs(from_json, from_yaml).changes == ()


def test_c_and_pure_loaders_agree() -> None:
    text = dump(inference_api())
    assert parse_document(text, "a", c_loader=True) == parse_document(text, "a", c_loader=False)


# -- a real git history: REV:path --------------------------------------------------------------

def commit_spec(repo: Path, spec: dict[str, Any], message: str, tag: str,
                path: str = "api/openapi.yaml") -> None:
    target = repo / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(dump(spec))
    git(repo, "add", path)
    git(repo, "commit", "-q", "-s", "-m", message)
    git(repo, "tag", tag)


@pytest.fixture
def history(make_repo: Callable[[str], Path]) -> Path:
    """v1..v4 of the inference API: a compatible change, a break, a docs-only commit."""
    repo = make_repo("api")
    v1 = inference_api()
    commit_spec(repo, v1, "v1", "v1")
    v2 = copy.deepcopy(v1)
    v2["components"]["schemas"]["Model"]["properties"]["family"] = {"type": "string"}
    v2["paths"]["/v1/models"]["get"]["parameters"].append(NEW_PARAM)
    commit_spec(repo, v2, "v2: optional additions", "v2")
    v3 = copy.deepcopy(v2)
    v3["components"]["parameters"]["Status"]["schema"]["enum"].remove("failed")
    v3["paths"]["/v1/models/{id}"] = v3["paths"].pop("/v1/models/{modelId}")
    v3["paths"]["/v1/models/{id}"]["parameters"][0]["name"] = "id"
    commit_spec(repo, v3, "v3: narrow the status filter, rename a path parameter", "v3")
    (repo / "README.md").write_text("docs only\n")
    git(repo, "add", "README.md")
    git(repo, "commit", "-q", "-s", "-m", "docs")
    git(repo, "tag", "v4")
    return repo


def test_rev_path_compatible_history(history: Path) -> None:
    result = apidiff("v1:api/openapi.yaml", "v2:api/openapi.yaml", repo=history)
    assert summary(result) == sorted(
        on("new-optional-request-parameter", False, LIST_MODELS)
        + on("response-optional-property-added", False, LIST_MODELS, GET_MODEL))
    assert not result.fails


def test_rev_path_breaking_history(history: Path) -> None:
    result = apidiff("v2:api/openapi.yaml", "HEAD:api/openapi.yaml", repo=history)
    assert summary(result) == on("request-parameter-enum-value-removed", True, LIST_MODELS)
    assert result.fails


def test_rev_path_against_a_working_file(history: Path) -> None:
    result = apidiff("v1:api/openapi.yaml", str(history / "api" / "openapi.yaml"), repo=history)
    assert {c.id for c in result.changes} == {
        "new-optional-request-parameter", "response-optional-property-added",
        "request-parameter-enum-value-removed"}


def test_same_blob_is_parsed_once(history: Path) -> None:
    cache = SpecCache()
    first = load_spec("v3:api/openapi.yaml", repo=history, cache=cache)
    second = load_spec("v4:api/openapi.yaml", repo=history, cache=cache)
    assert len(cache) == 1
    assert first.document is second.document
    assert apidiff("v3:api/openapi.yaml", "v4:api/openapi.yaml", repo=history,
                   cache=cache).changes == ()


@pytest.mark.parametrize(("ref", "needle"), [
    ("v9:api/openapi.yaml", "unknown revision"),
    ("v1:api/missing.yaml", "does not exist at revision v1"),
], ids=["unknown revision", "missing path"])
def test_bad_revisions_are_charter_errors(history: Path, ref: str, needle: str) -> None:
    with pytest.raises(CharterError, match=needle):
        apidiff(ref, "v1:api/openapi.yaml", repo=history)


def test_rev_path_outside_a_repository(tmp_path: Path) -> None:
    with pytest.raises(CharterError, match="not a git repository"):
        load_spec("v1:api/openapi.yaml", repo=tmp_path)


def test_yaml_round_trip_of_fixture_is_valid() -> None:
    validate_document(yaml.safe_load(dump(inference_api())), "fixture")
