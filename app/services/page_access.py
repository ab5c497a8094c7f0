"""Who may use the pages: the role of the API key a person signed in with."""

from __future__ import annotations

import hmac

from sqlalchemy.orm import Session

from app.settings import Settings


def role_for_key(session: Session, settings: Settings, api_key: str) -> str | None:
    """The key's role, or None when the key is not valid."""
    del session  # API keys in the database come with the key store; until then only bootstrap.
    bootstrap = settings.bootstrap_key
    if bootstrap is not None and hmac.compare_digest(
        bootstrap.get_secret_value().encode(), api_key.encode()
    ):
        return "admin"
    return None
