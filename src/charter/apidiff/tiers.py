"""The policy's `pull_requests.api` block mapped onto apidiff's `TierRules`, in one place."""

from __future__ import annotations

from charter.apidiff.compare import DEFAULT_TIERS, TierRules
from charter.policy.schema import ApiRule

__all__ = ["flags_included", "tier_rules_from_policy"]

EXPERIMENTAL = "experimental"


def tier_rules_from_policy(api: ApiRule | None) -> TierRules:
    """The tier rules API declares (`tiers:`, and the older `tiers_extension` and
    `experimental_prefixes`), with its deprecation period; the defaults without a policy."""
    if api is None:
        return DEFAULT_TIERS
    tiers = api.tiers
    extension = (tiers.extension if tiers and tiers.extension else api.tiers_extension)
    prefixes = {p: EXPERIMENTAL for p in api.experimental_prefixes}
    if tiers is not None:
        prefixes.update(tiers.paths)
    return TierRules(
        extension=extension,
        extension_values=dict(tiers.values) if tiers else {},
        tags=dict(tiers.tags) if tiers else {},
        path_prefixes=prefixes,
        spec_files=dict(tiers.specs) if tiers else {},
        default=tiers.default if tiers else "stable",
        deprecation_period=api.deprecation_period,
    )


def flags_included(api: ApiRule | None) -> bool:
    """Whether command-line flags are part of the API: `includes` names them, or is empty."""
    if api is None:
        return False
    return not api.includes or any("flag" in item.lower() for item in api.includes)
