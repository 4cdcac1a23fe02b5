"""apidiff compares schemas by meaning: rewrites that admit the same values are no change,
breaks inside `oneOf`/`anyOf` members are found, and a schema that became a union says so."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from charter.apidiff.compare import ApiDiffResult, diff_specs
from charter.apidiff.load import validate_document

V30, V31 = "3.0.3", "3.1.0"
REF_A = {"$ref": "#/components/schemas/A"}
REF_B = {"$ref": "#/components/schemas/B"}
A = {"type": "object", "title": "A", "required": ["name"],
     "properties": {"name": {"type": "string"}, "size": {"type": "integer"}}}
B = {"type": "object", "title": "B", "required": ["url"],
     "properties": {"url": {"type": "string"}}}
COMPONENTS = {"A": A, "B": B}


def api(version: str, schema: Any, *, body: bool = False,
        components: dict[str, Any] | None = None) -> dict[str, Any]:
    """One operation whose request and 200 response both hold SCHEMA: as the body itself, or
    (the default) as the required property `value` of an object body."""
    holder = schema if body else {"type": "object", "required": ["value"],
                                  "properties": {"value": schema}}
    media = {"application/json": {"schema": holder}}
    return copy.deepcopy({
        "openapi": version,
        "info": {"title": "Meaning", "version": "1"},
        "paths": {"/items": {"post": {
            "operationId": "createItem",
            "requestBody": {"required": True, "content": media},
            "responses": {"200": {"description": "ok", "content": media}},
        }}},
        "components": {"schemas": COMPONENTS if components is None else components},
    })


def diff(old: dict[str, Any], new: dict[str, Any]) -> ApiDiffResult:
    # both sides must be valid OpenAPI, as the command line insists
    validate_document(old, "old.yaml")
    validate_document(new, "new.yaml")
    return diff_specs(old, new)


def sides(result: ApiDiffResult) -> list[tuple[str, str, bool]]:
    """(request or response, id, breaking) of every change, sorted."""
    return sorted((c.location.split(".", 1)[0].replace("requestBody", "request")
                   .replace("responses", "response"), c.id, c.breaking) for c in result.changes)


# -- the same meaning, written two ways: no change, in either direction ------------------------

SAME: list[tuple[str, tuple[str, Any], tuple[str, Any]]] = [
    ("const is a one-value enum",
     (V31, {"type": "string", "const": "user"}), (V31, {"type": "string", "enum": ["user"]})),
    ("3.0 nullable is 3.1's null in the type list",
     (V30, {"type": "string", "nullable": True}), (V31, {"type": ["string", "null"]})),
    ("a null member of anyOf is nullability",
     (V31, {"anyOf": [{"type": "integer"}, {"type": "null"}]}),
     (V31, {"type": ["integer", "null"]})),
    ("3.0 nullable wrapper around a $ref is 3.1's anyOf with null",
     (V30, {"nullable": True, "allOf": [REF_A]}), (V31, {"anyOf": [REF_A, {"type": "null"}]})),
    ("oneOf with one member is the member",
     (V31, {"oneOf": [REF_A], "description": "the item"}), (V31, REF_A)),
    ("anyOf with one member is the member",
     (V31, {"anyOf": [{"type": "string", "maxLength": 9}]}),
     (V31, {"type": "string", "maxLength": 9})),
    ("allOf with one member is the member", (V30, {"allOf": [REF_B]}), (V30, REF_B)),
    ("a default that is the only value",
     (V31, {"type": "string", "const": "file", "default": "file"}),
     (V31, {"type": "string", "enum": ["file"]})),
    ("enum values in another order",
     (V30, {"type": "string", "enum": ["a", "b", "c"]}),
     (V30, {"type": "string", "enum": ["c", "a", "b"]})),
    ("required names in another order",
     (V30, {**A, "required": ["name", "size"]}), (V30, {**A, "required": ["size", "name"]})),
    ("type list in another order",
     (V31, {"type": ["string", "integer"]}), (V31, {"type": ["integer", "string"]})),
    ("a $ref and an inline copy of its target", (V30, REF_A), (V30, A)),
    ("3.0 boolean exclusiveMinimum is 3.1's number",
     (V30, {"type": "number", "minimum": 0, "exclusiveMinimum": True}),
     (V31, {"type": "number", "exclusiveMinimum": 0})),
    ("3.0 exclusiveMaximum false is no bound of its own",
     (V30, {"type": "number", "maximum": 5, "exclusiveMaximum": False}),
     (V31, {"type": "number", "maximum": 5})),
    ("a union of one-value enums is an enum",
     (V31, {"anyOf": [{"type": "string", "enum": ["low"]}, {"type": "string", "const": "high"}]}),
     (V31, {"type": "string", "enum": ["low", "high"]})),
    ("a union of bare types is a type list",
     (V31, {"oneOf": [{"type": "string"}, {"type": "boolean"}]}),
     (V31, {"type": ["string", "boolean"]})),
    ("null in an enum of a nullable schema",
     (V31, {"type": ["string", "null"], "enum": ["on", "off", None]}),
     (V30, {"type": "string", "nullable": True, "enum": ["on", "off"]})),
    ("integer beside number in a type list",
     (V31, {"type": ["integer", "number"]}), (V31, {"type": "number"})),
    ("union members in another order",
     (V30, {"oneOf": [{"type": "array", "items": {"type": "string"}}, REF_A]}),
     (V30, {"oneOf": [REF_A, {"type": "array", "items": {"type": "string"}}]})),
    ("oneOf and anyOf of members no value can match twice",
     (V30, {"oneOf": [REF_A, {"type": "string"}]}),
     (V30, {"anyOf": [{"type": "string"}, REF_A]})),
]


@pytest.mark.parametrize(("old", "new"), [(o, n) for _, o, n in SAME],
                         ids=[name for name, _, _ in SAME])
@pytest.mark.parametrize("body", [False, True], ids=["property", "body"])
def test_same_meaning_is_no_change(old: tuple[str, Any], new: tuple[str, Any],
                                   body: bool) -> None:
    before, after = api(old[0], old[1], body=body), api(new[0], new[1], body=body)
    assert diff(before, after).changes == ()
    assert diff(after, before).changes == ()


# -- a change of meaning under a rewritten form is still found, rated by its side ---------------

CHANGED: list[tuple[str, tuple[str, Any], tuple[str, Any], list[tuple[str, str, bool]]]] = [
    ("const widened to a two-value enum",
     (V31, {"type": "string", "const": "user"}),
     (V31, {"type": "string", "enum": ["user", "admin"]}),
     [("request", "request-property-enum-value-added", False),
      ("response", "response-property-enum-value-added", False)]),
    ("became nullable through an anyOf null member",
     (V31, {"type": "integer"}), (V31, {"anyOf": [{"type": "integer"}, {"type": "null"}]}),
     [("request", "request-property-became-nullable", False),
      ("response", "response-property-became-nullable", True)]),
    ("a $ref lost its nullable wrapper",
     (V30, {"nullable": True, "allOf": [REF_B]}), (V30, REF_B),
     [("request", "request-property-became-not-nullable", True),
      ("response", "response-property-became-not-nullable", False)]),
    ("3.0 exclusive minimum 0 became 3.1 exclusive minimum 1",
     (V30, {"type": "number", "minimum": 0, "exclusiveMinimum": True}),
     (V31, {"type": "number", "exclusiveMinimum": 1}),
     [("request", "request-property-exclusive-min-increased", True),
      ("response", "response-property-exclusive-min-increased", False)]),
    ("a union of one-value enums lost a value",
     (V31, {"type": "string", "enum": ["low", "high"]}),
     (V31, {"anyOf": [{"type": "string", "const": "low"}]}),
     [("request", "request-property-enum-value-removed", True),
      ("response", "response-property-enum-value-removed", False)]),
    ("a $ref became an inline copy with one more required property",
     (V30, REF_A), (V30, {**A, "required": ["name", "size"]}),
     [("request", "request-property-became-required", True),
      ("response", "response-property-became-required", False)]),
]


@pytest.mark.parametrize(("old", "new", "expected"), [(o, n, e) for _, o, n, e in CHANGED],
                         ids=[name for name, _, _, _ in CHANGED])
def test_change_of_meaning_under_a_rewrite(old: tuple[str, Any], new: tuple[str, Any],
                                           expected: list[tuple[str, str, bool]]) -> None:
    assert sides(diff(api(old[0], old[1]), api(new[0], new[1]))) == sorted(expected)


# -- breaks inside union members ---------------------------------------------------------------

def variant(tag: str, **props: Any) -> dict[str, Any]:
    """An object variant of a union, told apart by its `kind`."""
    return {"type": "object", "required": ["kind", *props],
            "properties": {"kind": {"type": "string", "const": tag}, **props}}


STRING = {"type": "string"}
PET: dict[str, Any] = {"type": "object", "required": ["pet", "lives"],
                       "properties": {"pet": {"type": "string"}, "lives": {"type": "integer"}}}
STRING_OR_LIST = {"anyOf": [{"type": "string"},
                            {"type": "array", "items": {"type": "string"}}]}

MEMBERS: list[tuple[str, Any, Any, list[tuple[str, str, bool]]]] = [
    # the llama-stack case: a property of one variant may now also be an array
    ("a property of a $ref variant widened to anyOf[string, array]",
     ({"oneOf": [REF_A, REF_B]}, {"A": A, "B": B}),
     ({"oneOf": [REF_A, REF_B]},
      {"A": A, "B": {**B, "properties": {"url": STRING_OR_LIST}}}),
     [("request", "request-property-any-of-added", False),
      ("response", "response-property-any-of-added", True)]),
    ("the same property narrowed back",
     ({"oneOf": [REF_A, REF_B]},
      {"A": A, "B": {**B, "properties": {"url": STRING_OR_LIST}}}),
     ({"oneOf": [REF_A, REF_B]}, {"A": A, "B": B}),
     [("request", "request-property-any-of-removed", True),
      ("response", "response-property-any-of-removed", False)]),
    ("variants matched by discriminator value, reordered, one widened",
     ({"oneOf": [variant("text", body=STRING), variant("count", n={"type": "integer"})]}, {}),
     ({"oneOf": [variant("count", n={"type": "number"}), variant("text", body=STRING)]}, {}),
     [("request", "request-property-type-generalized", False),
      ("response", "response-property-type-generalized", True)]),
    ("variants renamed, matched by the discriminator mapping (by name or by reference)",
     ({"oneOf": [{"$ref": "#/components/schemas/Cat"}, REF_B],
       "discriminator": {"propertyName": "pet", "mapping": {"cat": "Cat", "b": "B"}}},
      {"Cat": PET, "B": B}),
     ({"oneOf": [{"$ref": "#/components/schemas/Feline"}, REF_B],
       "discriminator": {"propertyName": "pet", "mapping": {
           "cat": "#/components/schemas/Feline", "b": "#/components/schemas/B"}}},
      {"Feline": {**PET, "required": ["pet"],
                  "properties": {**PET["properties"], "claws": STRING, "fur": STRING,
                                 "tail": STRING}}, "B": B}),
     [("request", "request-property-became-optional", False),
      *[("request", "new-optional-request-property", False)] * 3,
      ("response", "response-property-became-optional", True),
      *[("response", "response-optional-property-added", False)] * 3]),
    ("a $ref variant replaced by an inline copy whose property became optional",
     ({"anyOf": [REF_A, REF_B]}, {"A": A, "B": B}),
     ({"anyOf": [{**A, "required": []}, REF_B]}, {"A": A, "B": B}),
     [("request", "request-property-became-optional", False),
      ("response", "response-property-became-optional", True)]),
    ("untitled inline variants matched by shape, one lost a property",
     ({"oneOf": [{"type": "object", "properties": {"x": STRING, "y": STRING}},
                 {"type": "array", "items": STRING}]}, {}),
     ({"oneOf": [{"type": "array", "items": STRING},
                 {"type": "object", "properties": {"x": STRING}}]}, {}),
     [("request", "request-property-removed", False),
      ("response", "response-optional-property-removed", False)]),
    ("a component replaced by a look-alike with another tag: removed and added, not compared",
     ({"anyOf": [REF_A, {"$ref": "#/components/schemas/Message"}]},
      {"A": A, "Message": variant("message", content=STRING, id=STRING)}),
     ({"anyOf": [REF_A, {"$ref": "#/components/schemas/Compaction"}]},
      {"A": A, "Compaction": variant("compaction", content=STRING, id=STRING)}),
     [("request", "request-property-any-of-added", False),
      ("request", "request-property-any-of-removed", True),
      ("response", "response-property-any-of-added", True),
      ("response", "response-property-any-of-removed", False)]),
    ("a variant added",
     ({"oneOf": [REF_A, REF_B]}, {"A": A, "B": B}),
     ({"oneOf": [REF_A, REF_B, variant("new", z=STRING)]}, {"A": A, "B": B}),
     [("request", "request-property-one-of-added", False),
      ("response", "response-property-one-of-added", True)]),
    ("a variant removed",
     ({"anyOf": [REF_A, REF_B]}, {"A": A, "B": B}),
     ({"anyOf": [REF_A]}, {"A": A, "B": B}),
     [("request", "request-property-any-of-removed", True),
      ("response", "response-property-any-of-removed", False)]),
]


@pytest.mark.parametrize(("old", "new", "expected"), [(o, n, e) for _, o, n, e in MEMBERS],
                         ids=[name for name, _, _, _ in MEMBERS])
def test_union_members_are_compared(old: tuple[Any, dict[str, Any]],
                                    new: tuple[Any, dict[str, Any]],
                                    expected: list[tuple[str, str, bool]]) -> None:
    before = api(V31, old[0], components=old[1])
    after = api(V31, new[0], components=new[1])
    assert sides(diff(before, after)) == sorted(expected)


def test_a_break_deep_in_a_variant_names_its_place() -> None:
    before = api(V31, {"oneOf": [REF_A, REF_B]}, components={"A": A, "B": B})
    after = api(V31, {"oneOf": [REF_A, REF_B]},
                components={"A": A, "B": {**B, "properties": {"url": STRING_OR_LIST}}})
    [response] = [c for c in diff(before, after).changes if c.breaking]
    assert response.location == ("responses.200.content.application/json.schema.properties"
                                 ".value.oneOf.1.properties.url.anyOf.1")
    assert "`value/url`" in response.message and "an array" in response.message


# -- a schema that became a union, or stopped being one ----------------------------------------

MESSAGE = {"type": "object", "title": "Message", "required": ["kind", "content", "role"],
           "properties": {"kind": {"type": "string", "const": "message"},
                          "content": STRING, "role": STRING}}
TOOL_CALL = {"type": "object", "title": "ToolCall", "required": ["kind", "call_id"],
             "properties": {"kind": {"type": "string", "const": "tool_call"},
                            "call_id": STRING}}
ITEM = {"oneOf": [{"$ref": "#/components/schemas/MessageOutput"},
                  {"$ref": "#/components/schemas/ToolCall"}],
        "discriminator": {"propertyName": "kind", "mapping": {
            "message": "#/components/schemas/MessageOutput",
            "tool_call": "#/components/schemas/ToolCall"}}}
PLAIN = {"Message": MESSAGE}
UNION = {"MessageOutput": {**MESSAGE, "title": "MessageOutput"}, "ToolCall": TOOL_CALL}


def test_response_that_became_a_oneof_says_so_and_what_clients_lose() -> None:
    before = api(V31, {"$ref": "#/components/schemas/Message"}, body=True, components=PLAIN)
    after = api(V31, ITEM, body=True, components=UNION)
    result = diff(before, after)
    assert sides(result) == [("request", "request-body-one-of-added", False),
                             ("response", "response-body-one-of-added", True)]
    response = next(c for c in result.changes if c.id.startswith("response"))
    assert "became a `oneOf` of 2 schemas" in response.message
    assert "the old schema is one of them: MessageOutput" in response.message
    assert "clients may now receive ToolCall" in response.message
    assert "without the required `content`, `role`" in response.message
    request = next(c for c in result.changes if c.id.startswith("request"))
    assert "it now also accepts ToolCall" in request.message


def test_union_that_became_its_one_variant() -> None:
    before = api(V31, ITEM, body=True, components=UNION)
    after = api(V31, {"$ref": "#/components/schemas/Message"}, body=True, components=PLAIN)
    result = diff(before, after)
    assert sides(result) == [("request", "request-body-one-of-removed", True),
                             ("response", "response-body-one-of-removed", False)]
    request = next(c for c in result.changes if c.id.startswith("request"))
    assert "no longer a `oneOf` (only MessageOutput remains)" in request.message
    assert "ToolCall is no longer accepted" in request.message


def test_plain_schema_matching_no_member_of_its_new_union() -> None:
    before = api(V31, {"type": "string", "maxLength": 3})
    after = api(V31, {"oneOf": [{"type": "integer"}, {"type": "array", "items": STRING}]})
    result = diff(before, after)
    assert sides(result) == [("request", "request-property-one-of-added", False),
                             ("request", "request-property-one-of-removed", True),
                             ("response", "response-property-one-of-added", True),
                             ("response", "response-property-one-of-removed", False)]
    lost = next(c for c in result.changes if c.id == "request-property-one-of-removed")
    assert "none of which is the old schema" in lost.message


def test_member_change_inside_a_schema_that_became_a_union() -> None:
    # the member matching the old schema is compared with it: its own changes are reported
    changed = {**UNION, "MessageOutput": {**UNION["MessageOutput"], "required": ["kind", "role"]}}
    result = diff(api(V31, {"$ref": "#/components/schemas/Message"}, body=True,
                      components=PLAIN),
                  api(V31, ITEM, body=True, components=changed))
    assert ("response", "response-property-became-optional", True) in sides(result)
    loss = next(c for c in result.changes if c.id == "response-body-one-of-added")
    assert "without the required `content`, `role`" in loss.message


def test_recursive_union_terminates() -> None:
    node: dict[str, Any] = {"type": "object", "properties": {
        "next": {"anyOf": [{"$ref": "#/components/schemas/Node"}, {"type": "null"}]},
        "label": STRING}}
    grown = copy.deepcopy(node)
    grown["properties"]["next"]["anyOf"].insert(1, {"type": "array", "items": {
        "$ref": "#/components/schemas/Node"}})
    result = diff(api(V31, {"$ref": "#/components/schemas/Node"}, components={"Node": node}),
                  api(V31, {"$ref": "#/components/schemas/Node"}, components={"Node": grown}))
    assert sides(result) == [("request", "request-property-any-of-added", False),
                             ("response", "response-property-any-of-added", True)]
