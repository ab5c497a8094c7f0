"""Use cases; the session dependency commits, services never do (docs/architecture.md)."""
