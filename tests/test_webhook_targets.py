"""The SSRF guard: webhooks go to public http(s) addresses only, unless
PROMISE_WEBHOOKS_ALLOW_PRIVATE=1; the relay asks again before every attempt."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.services.webhook_targets import target_refusal
from app.settings import Settings
from tests.support.clock import Clock
from tests.support.receiver import receiver

INSIDE = [
    "http://127.0.0.1/hooks",
    "http://127.1.2.3:8080/hooks",
    "http://localhost/hooks",
    "https://10.1.2.3/hooks",
    "http://172.16.0.1/hooks",
    "http://192.168.1.10/hooks",
    "http://169.254.169.254/latest/meta-data",
    "http://0.0.0.0/hooks",
    "http://[::1]/hooks",
    "http://[fe80::1]/hooks",
    "http://[fc00::1]/hooks",
    "http://[::ffff:127.0.0.1]/hooks",
    "http://[::ffff:10.0.0.1]/hooks",
]
# Literal public addresses: no DNS needed (the test machine has no internet).
OUTSIDE = ["http://93.184.216.34/hooks", "https://8.8.8.8:8443/hooks", "http://[2606:4700::1]/h"]


@pytest.fixture
def guarded(database_url: str) -> Iterator[TestClient]:
    settings = Settings(database_url=database_url, auth=False, webhook_poll_seconds=0)
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.mark.parametrize("url", INSIDE)
def test_inside_addresses_are_refused(url: str) -> None:
    refusal = target_refusal(url, allow_private=False)
    assert refusal is not None
    assert "address" in refusal
    assert target_refusal(url, allow_private=True) is None


@pytest.mark.parametrize("url", OUTSIDE)
def test_public_addresses_are_allowed(url: str) -> None:
    assert target_refusal(url, allow_private=False) is None


@pytest.mark.parametrize(
    "url", ["ftp://93.184.216.34/h", "file:///etc/passwd", "gopher://8.8.8.8/", "93.184.216.34"]
)
def test_only_http_and_https(url: str) -> None:
    assert target_refusal(url, allow_private=True) is not None


def test_an_unknown_host_is_refused() -> None:
    refusal = target_refusal("http://no-such-host.invalid/h", allow_private=False)
    assert refusal is not None
    assert "does not resolve" in refusal


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1/hooks", "http://169.254.169.254/", "http://[::1]/"]
)
def test_the_api_refuses_inside_addresses_with_422(guarded: TestClient, url: str) -> None:
    response = guarded.post("/v1/webhooks", json={"url": url, "events": ["promise.held"]})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    (error,) = response.json()["errors"]
    assert error["pointer"] == "/url"
    assert "PROMISE_WEBHOOKS_ALLOW_PRIVATE" in error["message"]
    assert guarded.get("/v1/webhooks").json()["items"] == []


def test_the_api_accepts_a_public_address(guarded: TestClient) -> None:
    response = guarded.post("/v1/webhooks", json={"url": OUTSIDE[0], "events": ["promise.held"]})
    assert response.status_code == 201, response.text


def test_the_relay_asks_again_before_sending(database_url: str) -> None:
    """An endpoint made while private targets were allowed is not sent to once they are not
    (as when a name is re-pointed inside after it was registered)."""
    clock = Clock(datetime(2026, 12, 1, 9, tzinfo=UTC))
    with receiver() as target:
        allowed = Settings(database_url=database_url, auth=False, webhooks_allow_private=True)
        with TestClient(create_app(allowed)) as client:
            made = client.post("/v1/webhooks", json={"url": target.url, "events": ["promise.held"]})
            assert made.status_code == 201
        guarded = Settings(database_url=database_url, auth=False, webhook_poll_seconds=0)
        with TestClient(create_app(guarded)) as client:
            client.app.state.clock = clock  # type: ignore[attr-defined]
            endpoint = made.json()["id"]
            assert client.post(f"/v1/webhooks/{endpoint}/test").status_code == 202
            relay = client.app.state.relay  # type: ignore[attr-defined]
            assert client.portal.call(relay.run_once) == 1  # type: ignore[union-attr]
            (delivery,) = client.get(f"/v1/webhooks/{endpoint}/deliveries").json()["items"]
        assert target.deliveries() == []
        assert delivery["status"] == "pending"
        assert "loopback" in delivery["last_error"]
