"""API keys for tests: the bootstrap key of the `secure_client` and bearer headers."""

from __future__ import annotations

BOOTSTRAP_KEY = "test-bootstrap-key-0123456789abcdef"


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
