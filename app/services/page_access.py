"""Who may use the pages: the role of the API key a person signed in with."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.errors import Unauthorized
from app.services.keys import authenticate
from app.settings import Settings


def role_for_key(session: Session, settings: Settings, api_key: str) -> str | None:
    """The key's role, or None when the key is unknown or revoked (the API's own check)."""
    try:
        caller = authenticate(session, settings, api_key)
    except Unauthorized:
        return None
    return caller.role
