"""The promise engine: pure computation over plain data (no web, no database imports)."""
