"""Cookies of the pages: the signed-in session and the CSRF token.

The session cookie holds the API key itself: HttpOnly (page scripts never see it), SameSite=Strict
(other sites never send it) and Secure over HTTPS. It needs no server-side store, so it works
the same with several server processes. Forms and page scripts prove they come from our own
pages with a CSRF token: a random value in its own cookie, repeated in the form (or in the
X-CSRF-Token header); a page on another site can read neither.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

SESSION_COOKIE = "orderpromise_session"
CSRF_COOKIE = "orderpromise_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SESSION_MAX_AGE = 12 * 60 * 60
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class PageUser:
    """Who looks at a page. ``role`` is None when authentication is off (the demo)."""

    role: str | None
    csrf: str
    # True when the CSRF cookie is new and must be set on the response.
    new_csrf: bool = False

    @property
    def signed_in(self) -> bool:
        return self.role is not None

    @property
    def may_hold(self) -> bool:
        # SPEC section 3: holding and confirming promises is the CRM role's alone.
        return self.role in {None, "crm"}

    @property
    def may_add_minutes(self) -> bool:
        # Calendar exceptions are a feed change for admin and ops (SPEC section 5).
        return self.role in {None, "ops", "admin"}


def csrf_of(request: Request) -> tuple[str, bool]:
    """The request's CSRF token, or a new one (True) to be set as a cookie."""
    token = request.cookies.get(CSRF_COOKIE, "")
    if len(token) >= 32:
        return token, False
    return secrets.token_urlsafe(32), True


def csrf_ok(request: Request, submitted: str | None) -> bool:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    return bool(cookie and submitted) and hmac.compare_digest(cookie, submitted or "")


def remember(response: Response, request: Request, user: PageUser) -> Response:
    if user.new_csrf:
        response.set_cookie(
            CSRF_COOKIE, user.csrf, httponly=True, samesite="strict", secure=_https(request)
        )
    return response


def sign_in(response: Response, request: Request, api_key: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        api_key,
        max_age=SESSION_MAX_AGE,
        httponly=True,
        samesite="strict",
        secure=_https(request),
    )


def sign_out(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="strict")


def session_key(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or None


def cookie_key(request: Request) -> str | None:
    """The signed-in page's key, for an API call made by our page scripts.

    A call that changes something must repeat the CSRF token in the X-CSRF-Token header, which
    only our own pages can read; without it the cookie counts for nothing.
    """
    key = session_key(request)
    if key is None or request.method in SAFE_METHODS:
        return key
    return key if csrf_ok(request, request.headers.get(CSRF_HEADER)) else None


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another host."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/quote"


def _https(request: Request) -> bool:
    return request.url.scheme == "https"
