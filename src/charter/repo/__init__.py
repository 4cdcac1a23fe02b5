"""Read-only checks on a git repository; no check writes to the repository."""
