"""The contract: schemathesis sends generated requests (valid and invalid) to every operation of
/openapi.json, against the app with authentication off and the golden plant loaded, on SQLite
and on PostgreSQL, and checks there is no 5xx and every answer conforms to the document
(status, content type, headers, body schema). Examples per operation are bounded so that the
suite stays fast.
"""

from __future__ import annotations

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.db.migrate import upgrade_to_head
from app.main import create_app
from app.settings import Settings
from tests.factories import golden_dataset

MAX_EXAMPLES = 20
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def contract_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> FastAPI:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('contract') / 'contract.db'}"
        upgrade_to_head(url)
    else:
        url = request.getfixturevalue("postgres_url")
    app = create_app(Settings(database_url=url, auth=False))
    with TestClient(app) as client:
        assert client.put("/v1/dataset", json=golden_dataset()).status_code == 200
    return app


# Loaded at collection, so that each operation is a test of its own; the document does not
# depend on the database (the app made here never connects).
schema = schemathesis.openapi.from_dict(
    create_app(Settings(database_url="sqlite://", auth=False)).openapi()
)
# The live event stream never ends, so it cannot be called and validated whole; its tests are
# in tests/test_events_stream.py.
called = schema.exclude(operation_id="stream_events")


@called.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_its_contract(case: schemathesis.Case, contract_app: FastAPI) -> None:
    case.call_and_validate(app=contract_app, checks=CHECKS)


def test_the_served_document_is_the_tested_one(contract_app: FastAPI) -> None:
    assert TestClient(contract_app).get("/openapi.json").json() == schema.raw_schema
