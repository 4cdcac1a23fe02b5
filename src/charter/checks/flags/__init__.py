"""Command-line flags and feature gates: finders for Python and Go, the experimental-flag rule,
and flag changes between revisions."""
