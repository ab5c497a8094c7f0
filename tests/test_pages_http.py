"""The pages over HTTP (no browser): sign-in, session cookie, CSRF, roles, errors, deep links."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.db.promises import PromiseRow
from tests.factories import check_request, golden_dataset
from tests.keys import BOOTSTRAP_KEY, bearer

SESSION = "orderpromise_session"
CSRF = "orderpromise_csrf"


def _csrf(client: TestClient, path: str = "/signin") -> str:
    page = client.get(path)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, page.text
    return match.group(1)


def _form(body: dict[str, Any], csrf: str) -> dict[str, str]:
    fields = {
        "csrf_token": csrf,
        "customer": body["customer"],
        "quote_ref": body["quote_ref"],
    }
    for i, line in enumerate(body["lines"]):
        fields[f"lines-{i}-sku"] = line["sku"]
        fields[f"lines-{i}-qty"] = str(line["qty"])
        fields[f"lines-{i}-requested_date"] = line["requested_date"]
    return fields


@pytest.fixture
def demo(client: TestClient) -> TestClient:
    assert client.put("/v1/dataset", json=golden_dataset()).status_code == 200
    return client


def _today_request(**line: Any) -> dict[str, Any]:
    """A check request dated from the server's today (the pages never send as_of)."""
    body = check_request(line=line)
    del body["as_of"]
    return body


def test_root_redirects_to_the_quote_page(demo: TestClient) -> None:
    response = demo.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/quote"


def test_pages_set_a_strict_httponly_csrf_cookie(demo: TestClient) -> None:
    response = demo.get("/quote")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(CSRF + "=")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    assert 'list="items"' in response.text
    assert "City bike" in response.text  # items are offered with their names


def test_a_form_without_its_csrf_token_is_refused(demo: TestClient) -> None:
    csrf = _csrf(demo, "/quote")
    fields = _form(_today_request(), csrf) | {"csrf_token": "forged"}
    response = demo.post("/quote", data=fields)
    assert response.status_code == 403
    assert "The form had expired" in response.text
    assert 'id="result"' not in response.text


def test_bad_input_gets_the_api_message_next_to_the_field(demo: TestClient) -> None:
    body = check_request(line={"sku": "TRIKE"})
    api = demo.post("/v1/checks", json=body).json()
    message = next(e["message"] for e in api["errors"] if e["pointer"] == "/lines/0/sku")

    page = demo.post("/quote", data=_form(body, _csrf(demo, "/quote")))

    assert page.status_code == 422
    assert f'<p class="field-error" id="lines-0-sku-error">{message}</p>' in page.text
    assert 'aria-describedby="lines-0-sku-error"' in page.text


def test_a_quantity_that_is_not_a_number_is_reported_on_the_field(demo: TestClient) -> None:
    fields = _form(_today_request(), _csrf(demo, "/quote")) | {"lines-0-qty": "ten"}
    page = demo.post("/quote", data=fields)
    assert page.status_code == 422
    assert 'id="lines-0-qty-error">Input should be a valid integer' in page.text


def test_deep_link_checks_several_lines(demo: TestClient) -> None:
    response = demo.get(
        "/quote?sku=BIKE&qty=10&date=2099-01-01&sku=WHEEL&qty=5&date=2099-01-01&customer=ACME"
    )
    # 2099 is beyond the horizon: the link is checked, and the date errors land on both lines.
    assert response.status_code == 422
    assert 'id="lines-0-requested_date-error"' in response.text
    assert 'id="lines-1-requested_date-error"' in response.text
    assert 'value="ACME"' in response.text


def test_a_stored_check_opens_in_full_and_an_unknown_one_is_404(demo: TestClient) -> None:
    check = demo.post("/v1/checks", json=check_request(line={"qty": 45, "sku": "BIKE"})).json()
    page = demo.get(f"/ops/checks/{check['id']}")
    assert page.status_code == 200
    assert 'class="timeline"' in page.text
    assert demo.get("/ops/checks/nope").status_code == 404


# -- authentication on -----------------------------------------------------------------------------


@pytest.fixture
def signed(secure_client: TestClient, role_keys: dict[str, str]) -> Any:
    loaded = secure_client.put(
        "/v1/dataset", json=golden_dataset(), headers=bearer(role_keys["admin"])
    )
    assert loaded.status_code == 200

    def sign_in(role: str) -> TestClient:
        secure_client.cookies.clear()
        csrf = _csrf(secure_client)
        response = secure_client.post(
            "/signin",
            data={"api_key": role_keys[role], "csrf_token": csrf, "next": "/ops"},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        cookie = response.headers["set-cookie"]
        assert cookie.startswith(SESSION + "=")
        assert "HttpOnly" in cookie
        assert "samesite=strict" in cookie.lower()
        return secure_client

    return sign_in


def test_pages_ask_for_sign_in(secure_client: TestClient) -> None:
    response = secure_client.get("/ops?sku=BIKE", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/signin?next=/ops%3Fsku%3DBIKE"


def test_a_wrong_key_or_a_forged_form_does_not_sign_in(secure_client: TestClient) -> None:
    csrf = _csrf(secure_client)
    wrong = secure_client.post("/signin", data={"api_key": "nope", "csrf_token": csrf})
    assert wrong.status_code == 401
    assert "not valid" in wrong.text
    forged = secure_client.post("/signin", data={"api_key": BOOTSTRAP_KEY, "csrf_token": "x"})
    assert forged.status_code == 403
    assert SESSION not in secure_client.cookies


def test_sign_in_never_redirects_to_another_site(secure_client: TestClient) -> None:
    csrf = _csrf(secure_client)
    response = secure_client.post(
        "/signin",
        data={"api_key": BOOTSTRAP_KEY, "csrf_token": csrf, "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/quote"


@pytest.mark.parametrize(
    ("role", "quote", "ops"),
    [("crm", 200, 200), ("sales", 200, 403), ("ops", 403, 200), ("admin", 403, 403)],
)
def test_pages_follow_the_role_table(signed: Any, role: str, quote: int, ops: int) -> None:
    client = signed(role)
    pages = {"/quote": client.get("/quote"), "/ops": client.get("/ops")}
    assert pages["/quote"].status_code == quote
    assert pages["/ops"].status_code == ops
    # The navigation offers exactly the pages this role may open.
    for page in (p for p in pages.values() if p.status_code == 200):
        assert ('href="/quote"' in page.text) == (quote == 200)
        assert ('href="/ops"' in page.text) == (ops == 200)


def test_only_crm_is_offered_to_hold(signed: Any) -> None:
    for role, offered in (("crm", True), ("sales", False)):
        client = signed(role)
        link = "/quote?sku=BIKE&qty=10&date=" + _tomorrow(client)
        page = client.get(link)
        assert page.status_code == 200, page.text
        assert ('id="hold-button"' in page.text) is offered


def _tomorrow(client: TestClient) -> str:
    """The server's today plus one: /v1/stats' `until` defaults to today."""
    today = date.fromisoformat(client.get("/v1/stats").json()["until"])
    return (today + timedelta(days=1)).isoformat()


def test_page_scripts_call_the_api_with_the_cookie_and_the_csrf_header(signed: Any) -> None:
    client = signed("crm")
    csrf = client.cookies[CSRF]
    body = _today_request(requested_date=_tomorrow(client))

    without = client.post("/v1/promises", json=body)
    assert without.status_code == 401  # the cookie alone cannot change anything
    wrong = client.post("/v1/promises", json=body, headers={"X-CSRF-Token": "forged"})
    assert wrong.status_code == 401
    held = client.post("/v1/promises", json=body, headers={"X-CSRF-Token": csrf})
    assert held.status_code == 201, held.text
    confirm = f"/v1/promises/{held.json()['id']}/confirm"
    assert client.post(confirm, headers={"X-CSRF-Token": csrf}).status_code == 200


def test_sign_out_forgets_the_key(signed: Any) -> None:
    client = signed("ops")
    csrf = client.cookies[CSRF]
    response = client.post("/signout", data={"csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303
    client.cookies.delete(SESSION)  # the client keeps no cookie the server expired
    assert (
        "Max-Age=0" in response.headers["set-cookie"]
        or "expires" in response.headers["set-cookie"].lower()
    )
    assert client.get("/ops", follow_redirects=False).status_code == 303


def test_confirmed_promises_at_risk_come_first_with_their_reason(
    demo: TestClient, session: Session
) -> None:
    body = _today_request()
    first = demo.post("/v1/promises", json=body).json()
    assert demo.post(f"/v1/promises/{first['id']}/confirm").status_code == 200
    second = demo.post("/v1/promises", json=body | {"quote_ref": "Q-2"}).json()
    row = session.get(PromiseRow, first["id"])
    assert row is not None
    # What the ERP feed's risk check records when a change breaks a confirmed promise.
    row.at_risk_since = datetime.now(UTC)
    row.at_risk_reason = "PO-1001 for FRAME moved out by 10 days"
    session.commit()

    page = demo.get("/ops").text

    alert = page.index('id="at-risk"')
    assert "PO-1001 for FRAME moved out by 10 days" in page[alert:]
    assert alert < page.index('id="promises"')
    rows = re.findall(r'data-promise="([^"]+)"', page)
    assert rows == [first["id"], second["id"]]
    stats = demo.get("/v1/stats").json()["promises"]
    assert stats["at_risk"] == 1
    assert stats["held"] == stats["confirmed"] == 1
