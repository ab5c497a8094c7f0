"""Persistence: SQLAlchemy models, engine set-up, queries. No business rules."""
