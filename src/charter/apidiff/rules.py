"""The apidiff rule ids and their levels, taken from oasdiff's checker.

ERR is a definite break, WARN a possible one, INFO a compatible change. Ids and levels follow
oasdiff so a project moving from it keeps its vocabulary; only the message wording is Charter's.

Sources: the hand-written rules of `checker/rules.go` in its current form (rules carrying an
Effect and Guards, levels following the severity law of `checker/rules/derive.go`), the
generated bound rules of `checker/bound_rules.go`, and the anonymous-access security rules of
`checker/check_api_security_updated.go`. Older oasdiff releases rated a few of these differently
(for example `response-optional-property-removed` was WARN, and setting a bound was WARN).
Ids that are Charter's own are marked as such where they are listed.
"""

from __future__ import annotations

from typing import Literal

Level = Literal["ERR", "WARN", "INFO"]

ERR: Level = "ERR"
WARN: Level = "WARN"
INFO: Level = "INFO"

LEVELS: dict[str, Level] = {
    # endpoints
    "endpoint-added": INFO,
    "api-path-removed-without-deprecation": ERR,
    "api-path-removed-with-deprecation": INFO,
    "api-removed-without-deprecation": ERR,
    "api-removed-with-deprecation": INFO,
    "api-path-removed-before-sunset": ERR,
    "api-removed-before-sunset": ERR,
    "api-path-sunset-parse": ERR,
    "api-sunset-date-too-small": ERR,
    "endpoint-deprecated": INFO,
    "endpoint-reactivated": INFO,
    "api-operation-id-removed": INFO,
    "api-operation-id-added": INFO,
    "api-tag-removed": INFO,
    "api-tag-added": INFO,
    # Charter's own, oasdiff has no such rules: an operation moved between tiers (ERR when a
    # stable one is demoted) and a path prefix renamed (ERR when a stable operation moved); the
    # instance sets the level, INFO is only the default
    "api-tier-changed": INFO,
    "api-path-prefix-renamed": INFO,
    # security (an alternative removed or a scope added narrows who may call)
    "api-security-removed": ERR,
    "api-security-added": INFO,
    "api-security-scope-added": ERR,
    "api-security-scope-removed": INFO,
    "api-global-security-removed": ERR,
    "api-global-security-added": INFO,
    "api-global-security-scope-added": ERR,
    "api-global-security-scope-removed": INFO,
    # an operation (or, inherited, the document) stops or starts accepting requests without
    # credentials: an empty list or an empty `{}` alternative means anonymous access
    "api-security-anonymous-access-removed": ERR,
    "api-security-anonymous-access-added": INFO,
    "api-global-security-anonymous-access-removed": ERR,
    "api-global-security-anonymous-access-added": INFO,
    # parameters
    "request-parameter-removed": WARN,
    "request-parameter-removed-with-deprecation": INFO,
    "new-required-request-parameter": ERR,
    "new-optional-request-parameter": INFO,
    "new-request-path-parameter": ERR,
    "request-parameter-became-required": ERR,
    "request-parameter-became-optional": INFO,
    "request-parameter-deprecated": INFO,
    "request-parameter-reactivated": INFO,
    # request body
    "request-body-added-required": ERR,
    "request-body-added-optional": INFO,
    "request-body-removed": ERR,
    "request-body-became-required": ERR,
    "request-body-became-optional": INFO,
    "request-body-media-type-removed": ERR,
    "request-body-media-type-added": INFO,
    # responses
    "response-success-status-removed": ERR,
    "response-non-success-status-removed": INFO,
    "response-success-status-added": INFO,
    "response-non-success-status-added": INFO,
    "response-media-type-removed": ERR,
    "response-media-type-added": INFO,
    "required-response-header-removed": ERR,
    "optional-response-header-removed": WARN,
    "response-header-added": INFO,
    "response-header-became-optional": ERR,
    # object properties
    "request-property-removed": WARN,
    "new-required-request-property": ERR,
    "new-required-request-property-with-default": ERR,
    "new-optional-request-property": INFO,
    "request-property-became-required": ERR,
    "request-property-became-required-with-default": ERR,
    "request-property-became-optional": INFO,
    "response-required-property-removed": ERR,
    "response-required-write-only-property-removed": INFO,
    # WARN in older oasdiff releases; INFO since rules carry an Effect (none here: a client
    # cannot rely on an optional property being present)
    "response-optional-property-removed": INFO,
    "response-optional-write-only-property-removed": INFO,
    "response-required-property-added": INFO,
    "response-required-write-only-property-added": INFO,
    "response-optional-property-added": INFO,
    "response-optional-write-only-property-added": INFO,
    "response-property-became-optional": ERR,
    "response-write-only-property-became-optional": INFO,
    "response-property-became-required": INFO,
    "response-write-only-property-became-required": INFO,
    "request-property-deprecated": INFO,
    "request-property-reactivated": INFO,
    "response-property-deprecated": INFO,
    "response-property-reactivated": INFO,
    # types and formats
    "request-body-type-changed": ERR,
    "request-body-type-generalized": INFO,
    "request-property-type-changed": ERR,
    "request-property-type-generalized": INFO,
    "request-parameter-type-changed": ERR,
    "request-parameter-type-generalized": INFO,
    "request-parameter-property-type-changed": WARN,
    "request-parameter-property-type-generalized": INFO,
    "request-parameter-property-type-specialized": ERR,
    "response-body-type-changed": ERR,
    "response-body-type-generalized": ERR,
    "response-body-type-specialized": INFO,
    "response-property-type-changed": ERR,
    "response-property-type-generalized": ERR,
    "response-property-type-specialized": INFO,
    "request-body-list-of-types-widened": INFO,
    "request-body-list-of-types-narrowed": ERR,
    "request-property-list-of-types-widened": INFO,
    "request-property-list-of-types-narrowed": ERR,
    "request-parameter-list-of-types-widened": INFO,
    "request-parameter-list-of-types-narrowed": ERR,
    "request-parameter-property-list-of-types-widened": INFO,
    "request-parameter-property-list-of-types-narrowed": ERR,
    "response-body-list-of-types-widened": ERR,
    "response-body-list-of-types-narrowed": INFO,
    "response-property-list-of-types-widened": ERR,
    "response-property-list-of-types-narrowed": INFO,
    # enums
    "request-parameter-became-enum": ERR,
    "request-property-became-enum": ERR,
    "request-body-became-enum": ERR,
    "request-parameter-enum-value-removed": ERR,
    "request-parameter-enum-value-added": INFO,
    "request-parameter-property-enum-value-removed": ERR,
    "request-parameter-property-enum-value-added": INFO,
    "request-property-enum-value-removed": ERR,
    "request-read-only-property-enum-value-removed": INFO,
    "request-property-enum-value-added": INFO,
    "request-body-enum-value-removed": ERR,
    "response-property-enum-value-added": WARN,
    "response-write-only-property-enum-value-added": INFO,
    "response-property-enum-value-removed": INFO,
    "response-mediatype-enum-value-removed": INFO,
    # patterns (whether one regular expression contains another is undecidable here: WARN)
    "request-parameter-pattern-added": ERR,
    "request-parameter-pattern-removed": INFO,
    "request-parameter-pattern-changed": WARN,
    "request-property-pattern-added": ERR,
    "request-property-pattern-removed": INFO,
    "request-property-pattern-changed": WARN,
    "response-property-pattern-added": INFO,
    "response-property-pattern-removed": ERR,
    "response-property-pattern-changed": WARN,
    # nullability
    "request-parameter-became-nullable": INFO,
    "request-parameter-became-not-nullable": ERR,
    "request-parameter-property-became-nullable": INFO,
    "request-parameter-property-became-not-nullable": ERR,
    "request-body-became-nullable": INFO,
    "request-body-became-not-nullable": ERR,
    "request-property-became-nullable": INFO,
    "request-property-became-not-nullable": ERR,
    "response-body-became-nullable": ERR,
    "response-body-became-not-nullable": INFO,
    "response-property-became-nullable": ERR,
    "response-property-became-not-nullable": INFO,
    # default values
    "request-parameter-default-value-added": INFO,
    "request-parameter-default-value-removed": INFO,
    "request-parameter-default-value-changed": INFO,
    "request-body-default-value-added": INFO,
    "request-body-default-value-removed": INFO,
    "request-body-default-value-changed": INFO,
    "request-property-default-value-added": INFO,
    "request-property-default-value-removed": INFO,
    "request-property-default-value-changed": INFO,
    "response-body-default-value-added": INFO,
    "response-body-default-value-removed": INFO,
    "response-body-default-value-changed": INFO,
    "response-property-default-value-added": INFO,
    "response-property-default-value-removed": INFO,
    "response-property-default-value-changed": INFO,
    # oneOf / anyOf branches
    "request-body-one-of-added": INFO,
    "request-body-one-of-removed": ERR,
    "request-property-one-of-added": INFO,
    "request-property-one-of-removed": ERR,
    "request-body-any-of-added": INFO,
    "request-body-any-of-removed": ERR,
    "request-property-any-of-added": INFO,
    "request-property-any-of-removed": ERR,
    "response-body-one-of-added": ERR,
    "response-body-one-of-removed": INFO,
    "response-property-one-of-added": ERR,
    "response-property-one-of-removed": INFO,
    "response-body-any-of-added": ERR,
    "response-body-any-of-removed": INFO,
    "response-property-any-of-added": ERR,
    "response-property-any-of-removed": INFO,
}

# a bound narrowed on a read-only request property: clients never send it, so nothing breaks;
# oasdiff has these hand-written ids for the bounds below (the others keep their usual id)
READ_ONLY_BOUND_IDS: dict[tuple[str, str], str] = {
    ("max", "decreased"): "request-read-only-property-max-decreased",
    ("exclusive-max", "decreased"): "request-read-only-property-exclusive-max-decreased",
    ("max-length", "decreased"): "request-read-only-property-max-length-decreased",
    ("max-items", "decreased"): "request-read-only-property-max-items-decreased",
    ("max-properties", "decreased"): "request-read-only-property-max-properties-decreased",
    ("min", "increased"): "request-read-only-property-min-increased",
    ("exclusive-min", "increased"): "request-read-only-property-exclusive-min-increased",
}
LEVELS.update(dict.fromkeys(READ_ONLY_BOUND_IDS.values(), INFO))

# keyword -> (id segment, True for an upper bound); oasdiff's checker/bound_rules.go list
# (less `multipleOf`, which Charter does not compare).
BOUNDS: dict[str, tuple[str, bool]] = {
    "maximum": ("max", True),
    "minimum": ("min", False),
    "exclusiveMaximum": ("exclusive-max", True),
    "exclusiveMinimum": ("exclusive-min", False),
    "maxLength": ("max-length", True),
    "minLength": ("min-length", False),
    "maxItems": ("max-items", True),
    "minItems": ("min-items", False),
    "maxProperties": ("max-properties", True),
    "minProperties": ("min-properties", False),
    "maxContains": ("max-contains", True),
    "minContains": ("min-contains", False),
}


def bound_narrows(action: str, upper: bool) -> bool:
    """Whether ACTION on a bound (set, unset, increased, decreased) admits fewer values."""
    if action in ("set", "unset"):
        return action == "set"
    return (action == "decreased") == upper


def _register_bounds() -> None:
    # oasdiff's bound_rules.go generates a rule for every bound, scope and action (set, unset,
    # increased, decreased), its level derived from the effect: narrowing what a request
    # accepts, or widening what a response may hold, is ERR; the opposite is INFO. Setting a
    # bound narrows and unsetting widens. Its hand-written bound rules in rules.go carry the
    # same levels. (It also has response-header bounds, which Charter does not compare.)
    for segment, upper in BOUNDS.values():
        for scope in ("body", "property", "parameter"):
            for action in ("set", "unset", "increased", "decreased"):
                narrows = bound_narrows(action, upper)
                LEVELS[f"request-{scope}-{segment}-{action}"] = ERR if narrows else INFO
        for scope in ("body", "property"):
            for action in ("set", "unset", "increased", "decreased"):
                narrows = bound_narrows(action, upper)
                LEVELS[f"response-{scope}-{segment}-{action}"] = INFO if narrows else ERR


_register_bounds()


def level_of(rule: str) -> Level:
    """The oasdiff level of RULE; an unknown id is a bug in Charter, not in the input."""
    return LEVELS[rule]
