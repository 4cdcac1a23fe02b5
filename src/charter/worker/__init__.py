"""Fires due deadlines and delivers queued effects, exactly once across processes."""
