"""One pull request against the policy: facts gathered once, then one requirement at a time."""
