"""The App manifest for GitHub's "create a GitHub App from a manifest" flow."""

from __future__ import annotations

from typing import Any

#: Events the App subscribes to (the spec's "Handled" list; `installation*` and `ping` are sent
#: to every App without subscribing).
EVENTS = ("issues", "issue_comment", "pull_request", "pull_request_review", "push",
          "check_run", "check_suite", "status")
PERMISSIONS = {
    "issues": "write",            # comments and triage labels on issues
    "pull_requests": "write",     # comments and labels on pull requests
    "checks": "write",            # the `charter` check run
    "contents": "read",           # the policy file and OWNERS from the default branch
    "metadata": "read",           # required by GitHub for every App
    "statuses": "read",           # required checks reported as commit statuses
    "members": "read",            # organisation teams named in OWNERS
}


def manifest(public_url: str, name: str = "Charter") -> dict[str, Any]:
    """The manifest for a Charter served at PUBLIC_URL."""
    base = public_url.rstrip("/")
    return {
        "name": name,
        "url": base,
        "hook_attributes": {"url": f"{base}/webhooks/github", "active": True},
        "redirect_url": base,
        "public": False,
        "default_permissions": dict(PERMISSIONS),
        "default_events": list(EVENTS),
        "description": "Governance as code: slash commands, votes and the merge gate.",
    }
