"""The GitHub App: webhooks in, slash commands to engine commands, comments out."""
