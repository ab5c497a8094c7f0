"""Who may call what: the bearer key dependency (``CallerDep``) and ``require(*roles)``.

Every route of the API names its roles with ``require``, exactly as the role table of SPEC
section 3 says; health, readiness, metrics and the API documents stay public. The roles are
also written into the OpenAPI document (``route_roles``), so that the contract shows them.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.deps import IdempotencyKeyDep, SessionDep, SettingsDep
from app.errors import Forbidden
from app.pages.security import cookie_key
from app.schemas.keys import Role
from app.services.keys import Caller, authenticate
from app.settings import Settings

log = logging.getLogger(__name__)

ADMIN: Role = "admin"
CRM: Role = "crm"
SALES: Role = "sales"
OPS: Role = "ops"

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="An API key: `Authorization: Bearer <key>`. Roles: admin (data and keys), "
    "crm (checks and promises), sales (checks), ops (read checks and promises).",
)


def get_caller(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    # Page scripts call the API with the sign-in cookie instead (CSRF-checked; app.pages).
    key = credentials.credentials if credentials else cookie_key(request)
    caller = authenticate(session, settings, key)
    # For the access log: the key's public id and role, never the key.
    request.state.caller = caller
    return caller


CallerDep = Annotated[Caller, Depends(get_caller)]


async def scoped_idempotency_key(caller: CallerDep, key: IdempotencyKeyDep = None) -> str | None:
    """The Idempotency-Key within its caller's API key: two clients never share an answer.

    Hashed, so that any header value fits the stored key column. ``async``, as the role guard
    below: it computes a little and never blocks, so it runs without a thread hand-off
    (app.deps).
    """
    if key is None:
        return None
    return hashlib.sha256(f"{caller.key_id or '-'}\x00{key}".encode()).hexdigest()


ScopedIdempotencyKeyDep = Annotated[str | None, Depends(scoped_idempotency_key)]

# The roles each guard lets through, to document them (see route_roles).
_GUARDS: dict[Callable[..., Any], tuple[Role, ...]] = {}


def require(*roles: Role) -> Any:
    """A dependency that lets only callers with one of ``roles`` through (403 for others).

    Use as ``dependencies=[require(ADMIN)]`` or ``caller: Annotated[Caller, require(CRM)]``.
    """

    async def caller_with_role(caller: CallerDep) -> Caller:
        # role None: authentication is off, everyone may do everything.
        if caller.role is not None and caller.role not in roles:
            raise Forbidden(
                f"the {caller.role} role may not do this; it needs the role " + " or ".join(roles)
            )
        return caller

    _GUARDS[caller_with_role] = roles
    return Depends(caller_with_role)


def route_roles(app: FastAPI) -> dict[tuple[str, str], tuple[Role, ...] | None]:
    """(method, path template) -> the roles let in, None for a public route."""
    table: dict[tuple[str, str], tuple[Role, ...] | None] = {}
    for route in iter_route_contexts(app.routes):
        roles = _guard_roles(getattr(route, "dependant", None))
        for method in route.methods or ():
            if method != "HEAD" and route.path is not None:
                table[method, route.path] = roles
    return table


def _guard_roles(dependant: Dependant | None) -> tuple[Role, ...] | None:
    pending = list(dependant.dependencies) if dependant else []
    while pending:
        sub = pending.pop()
        if sub.call in _GUARDS:
            return _GUARDS[sub.call]
        pending.extend(sub.dependencies)
    return None


def announce_auth_mode(settings: Settings) -> None:
    """Said once at start: loudly when authentication is off."""
    if not settings.auth:
        log.warning(
            "AUTHENTICATION IS OFF (PROMISE_AUTH=off): every caller may do everything, "
            "with or without a key. For the local demo only; never expose this server."
        )
    elif settings.bootstrap_key is not None and settings.bootstrap_key.get_secret_value():
        log.info("PROMISE_BOOTSTRAP_KEY is set: it is accepted as an admin key")
