"""OpenAPI breaking-change detection: load, compare schemas by meaning, oasdiff's rule ids."""
