"""Use cases. Each takes an open unit of work; the caller commits (one per update)."""
