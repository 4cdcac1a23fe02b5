"""The service's storage: the append-only, hash-chained event log, the ballot box, API tokens,
the jobs and outbox tables, and projects folded from their log. SQLite or PostgreSQL."""
