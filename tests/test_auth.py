"""API keys and roles: the role table of SPEC section 3 on every route, keys over HTTP."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import httpx
import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.keys import ApiKeyRow
from app.main import create_app
from app.settings import Settings
from tests.keys import BOOTSTRAP_KEY, bearer

PROBLEM = "application/problem+json"
CALLERS = ("admin", "crm", "sales", "ops")

# SPEC section 3, as written: admin (data and keys), crm (checks and promises), sales (checks),
# ops (read checks and promises). Admin is not a superuser.
ROLE_TABLE: dict[tuple[str, str], set[str]] = {
    ("PUT", "/v1/dataset"): {"admin"},
    ("GET", "/v1/dataset"): {"admin", "ops"},
    ("PUT", "/v1/supply/{ref:text}"): {"admin"},
    ("DELETE", "/v1/supply/{ref:text}"): {"admin"},
    ("PUT", "/v1/demand/{ref:text}"): {"admin"},
    ("DELETE", "/v1/demand/{ref:text}"): {"admin"},
    ("PUT", "/v1/load/{ref:text}"): {"admin"},
    ("DELETE", "/v1/load/{ref:text}"): {"admin"},
    ("PUT", "/v1/inventory/{sku}"): {"admin"},
    ("PUT", "/v1/allocations/{ref:text}"): {"admin"},
    ("DELETE", "/v1/allocations/{ref:text}"): {"admin"},
    ("PUT", "/v1/customers/{customer:text}"): {"admin"},
    ("DELETE", "/v1/customers/{customer:text}"): {"admin"},
    ("PUT", "/v1/resources/{code}/exceptions/{date}"): {"admin", "ops"},
    ("DELETE", "/v1/resources/{code}/exceptions/{date}"): {"admin", "ops"},
    ("POST", "/v1/checks"): {"crm", "sales"},
    ("GET", "/v1/checks/{check_id}"): {"ops", "crm", "sales"},
    ("GET", "/v1/checks"): {"ops", "crm", "sales"},
    ("POST", "/v1/promises"): {"crm"},
    ("POST", "/v1/promises/{promise_id}/confirm"): {"crm"},
    ("POST", "/v1/promises/{promise_id}/release"): {"crm"},
    ("POST", "/v1/promises/{promise_id}/repromise"): {"crm"},
    ("GET", "/v1/promises/{promise_id}"): {"crm", "ops"},
    ("GET", "/v1/promises"): {"crm", "ops"},
    ("POST", "/v1/keys"): {"admin"},
    ("GET", "/v1/keys"): {"admin"},
    ("DELETE", "/v1/keys/{key_id}"): {"admin"},
    ("GET", "/v1/stats"): {"ops", "crm", "sales"},
    ("GET", "/v1/capacity"): {"ops", "crm", "sales"},
    ("GET", "/v1/allocations"): {"ops", "crm", "admin"},
    # SPEC section 6: webhooks are the admin's; the live stream is for operations and the CRM.
    ("POST", "/v1/webhooks"): {"admin"},
    ("GET", "/v1/webhooks"): {"admin"},
    ("GET", "/v1/webhooks/{webhook_id}"): {"admin"},
    ("DELETE", "/v1/webhooks/{webhook_id}"): {"admin"},
    ("POST", "/v1/webhooks/{webhook_id}/test"): {"admin"},
    ("GET", "/v1/webhooks/{webhook_id}/deliveries"): {"admin"},
    ("POST", "/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/retry"): {"admin"},
    ("GET", "/v1/events"): {"ops", "crm"},
}
PUBLIC: set[tuple[str, str]] = {
    ("GET", "/healthz"),
    ("GET", "/metrics"),
    ("GET", "/readyz"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"),
}


def _routes(client: TestClient) -> set[tuple[str, str]]:
    """Every (method, path) of the API, included routers' routes too.

    The HTML pages (outside /v1 and outside the OpenAPI document) are left out: they sign people
    in with a session cookie, not with bearer keys, and have tests of their own.
    """
    found = set()
    for route in iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        methods = {m for m in route.methods or () if m != "HEAD"}
        if (
            not route.path.startswith("/v1/")
            and not getattr(route, "include_in_schema", True)
            and {(m, route.path) for m in methods} - PUBLIC
        ):
            continue
        found |= {(m, route.path) for m in methods}
    return found


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "no-such-thing", path)


@dataclass(frozen=True)
class _Answer:
    status_code: int
    headers: httpx.Headers
    text: str


def _call(
    client: TestClient, method: str, url: str, headers: dict[str, str] | None = None
) -> _Answer:
    """The answer's head, and its body unless it is an event stream (which never ends)."""
    with client.stream(method, url, headers=headers) as response:
        streaming = response.headers.get("content-type", "").startswith("text/event-stream")
        text = "" if streaming else response.read().decode()
        return _Answer(response.status_code, response.headers, text)


def test_every_route_is_in_the_role_table(secure_client: TestClient) -> None:
    routes = _routes(secure_client)
    assert routes - set(ROLE_TABLE) - PUBLIC == set(), (
        "routes missing from the role table: guard them with require(...) (app.auth) "
        "and add them to ROLE_TABLE here"
    )
    assert set(ROLE_TABLE) | PUBLIC <= routes


def test_role_table_on_every_route(secure_client: TestClient, role_keys: dict[str, str]) -> None:
    """Every route, every role and no key. No body is sent: allowed callers get 404 or 422."""
    for method, path in sorted(_routes(secure_client)):
        url = _concrete(path)
        anonymous = _call(secure_client, method, url)
        if (method, path) in PUBLIC:
            assert anonymous.status_code not in (401, 403), (method, path)
            continue
        allowed = ROLE_TABLE[method, path]
        assert anonymous.status_code == 401, (method, path, anonymous.text)
        assert anonymous.headers["www-authenticate"].startswith("Bearer")
        assert anonymous.headers["content-type"].startswith(PROBLEM)
        for role in CALLERS:
            response = _call(secure_client, method, url, headers=bearer(role_keys[role]))
            if role in allowed:
                assert response.status_code not in (401, 403), (method, path, role, response.text)
            else:
                assert response.status_code == 403, (method, path, role, response.text)
                assert response.headers["content-type"].startswith(PROBLEM)


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer opk_000000000000_" + "A" * 43,  # well formed, unknown id
        "Bearer not-a-key",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
    ],
)
@pytest.mark.usefixtures("role_keys")
def test_bad_keys_are_401_with_a_challenge(secure_client: TestClient, authorization: str) -> None:
    response = secure_client.get("/v1/keys", headers={"Authorization": authorization})

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('Bearer realm="orderpromise"')
    assert response.json()["status"] == 401


def test_a_tampered_key_is_refused(secure_client: TestClient, role_keys: dict[str, str]) -> None:
    key = role_keys["ops"]
    tampered = key[:-1] + ("A" if key[-1] != "A" else "B")

    response = secure_client.get("/v1/promises", headers=bearer(tampered))

    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_key_lifecycle_over_http(secure_client: TestClient, session: Session) -> None:
    admin = bearer(BOOTSTRAP_KEY)
    created = secure_client.post(
        "/v1/keys", json={"role": "ops", "name": "Ops board"}, headers=admin
    )

    assert created.status_code == 201, created.text
    body = created.json()
    assert set(body) == {"id", "key", "role", "name", "created_at"}
    assert body["role"] == "ops"
    assert body["key"].startswith(f"opk_{body['id']}_")
    assert secure_client.get("/v1/promises", headers=bearer(body["key"])).status_code == 200

    listed = secure_client.get("/v1/keys", headers=admin).json()["items"]
    assert [k["id"] for k in listed] == [body["id"]]
    assert "key" not in listed[0]
    assert listed[0]["revoked_at"] is None

    # Only a hash is stored.
    row = session.scalars(select(ApiKeyRow)).one()
    assert body["key"] not in (row.key_sha256, row.id, row.name)
    assert len(row.key_sha256) == 64

    revoked = secure_client.delete(f"/v1/keys/{body['id']}", headers=admin)
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    # Refused at once, on the very next request.
    refused = secure_client.get("/v1/promises", headers=bearer(body["key"]))
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]
    # Revoking again changes nothing; an unknown id is 404.
    again = secure_client.delete(f"/v1/keys/{body['id']}", headers=admin)
    assert again.json()["revoked_at"] == revoked.json()["revoked_at"]
    assert secure_client.delete("/v1/keys/nope", headers=admin).status_code == 404


def test_an_admin_key_made_over_http_manages_keys(
    secure_client: TestClient, role_keys: dict[str, str]
) -> None:
    admin = bearer(role_keys["admin"])
    response = secure_client.post("/v1/keys", json={"role": "crm", "name": "CRM"}, headers=admin)
    assert response.status_code == 201
    assert len(secure_client.get("/v1/keys", headers=admin).json()["items"]) == 5


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"role": "root", "name": "x"}, "/role"),
        ({"role": "crm", "name": ""}, "/name"),
        ({"role": "crm"}, "/name"),
        ({"role": "crm", "name": "x", "key": "mine"}, "/key"),
    ],
)
def test_invalid_key_requests_are_422(
    secure_client: TestClient, body: dict[str, str], pointer: str
) -> None:
    response = secure_client.post("/v1/keys", json=body, headers=bearer(BOOTSTRAP_KEY))
    assert response.status_code == 422
    assert pointer in [e["pointer"] for e in response.json()["errors"]]


def test_the_bootstrap_key_is_an_admin_not_a_superuser(secure_client: TestClient) -> None:
    admin = bearer(BOOTSTRAP_KEY)
    assert secure_client.get("/v1/dataset", headers=admin).status_code == 200
    assert secure_client.post("/v1/checks", json={}, headers=admin).status_code == 403
    assert secure_client.get("/v1/promises", headers=admin).status_code == 403


def test_auth_off_lets_everyone_in_and_says_so(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(database_url=database_url, auth=False)
    with caplog.at_level(logging.WARNING), TestClient(create_app(settings)) as client:
        assert client.get("/v1/keys").status_code == 200
        assert client.get("/v1/dataset", headers=bearer("whatever")).status_code == 200
    assert any("AUTHENTICATION IS OFF" in r.getMessage() for r in caplog.records)


def test_auth_on_without_a_bootstrap_key_accepts_no_empty_key(database_url: str) -> None:
    settings = Settings(database_url=database_url, auth=True, bootstrap_key="")
    with TestClient(create_app(settings)) as client:
        assert client.get("/v1/keys", headers={"Authorization": "Bearer "}).status_code == 401
        assert client.get("/v1/keys").status_code == 401
