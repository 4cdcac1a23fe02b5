"""Who counts as a bot: the identities the DCO app never asks to sign off.

The DCO app skips a commit whose author is a GitHub account of type `Bot`, and it treats every
login ending in `[bot]` as one. Offline, the account is known only by the commit's author: a
name ending in `[bot]` (as GitHub Apps write them), or the app's noreply address,
`[ID+]LOGIN[bot]@users.noreply.github.com`.
"""

from __future__ import annotations

#: `exempt` patterns for GitHub's bot identities; the default of `pull_requests.dco.exempt`.
GITHUB_BOTS: tuple[str, ...] = ("*[bot]", "*[bot]@users.noreply.github.com")
