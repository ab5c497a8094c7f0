"""The request's transaction boundary (``app.deps.get_session``), on both databases: a route that
returns is committed before its answer is sent, one that raises leaves nothing behind, and every
session gives its connection back, whichever way it ends."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.engine import begin_writing, create_db_engine, create_session_factory
from app.db.promises import IdempotentAnswerRow
from app.deps import SessionDep, reads_first

NOW = datetime(2027, 1, 4, 9, tzinfo=UTC)


class Boom(Exception):
    pass


def _row(key: str) -> IdempotentAnswerRow:
    return IdempotentAnswerRow(
        key=key, target="test", body_sha256="-", status_code=201, answer={}, created_at=NOW
    )


@pytest.fixture
def app(database_url: str) -> Iterator[FastAPI]:
    engine = create_db_engine(database_url)
    app = FastAPI()
    app.state.session_factory = create_session_factory(engine)
    app.state.engine = engine

    @app.post("/rows/{key}", status_code=201)
    def write(key: str, session: SessionDep) -> dict[str, str]:
        session.add(_row(key))
        session.flush()
        return {"key": key}

    @app.post("/rows/{key}/fail")
    def write_then_fail(key: str, session: SessionDep) -> None:
        session.add(_row(key))
        session.flush()
        raise Boom

    @app.post("/read-first/{key}", status_code=201)
    @reads_first
    def read_then_write(key: str, session: SessionDep) -> dict[str, int]:
        seen = len(session.scalars(select(IdempotentAnswerRow.key)).all())
        begin_writing(session)
        session.add(_row(key))
        session.flush()
        return {"seen": seen}

    @app.get("/rows")
    def read(session: SessionDep) -> list[str]:
        return list(session.scalars(select(IdempotentAnswerRow.key).order_by("key")))

    yield app
    engine.dispose()


def _stored(session: Session) -> list[str]:
    keys = list(session.scalars(select(IdempotentAnswerRow.key).order_by("key")))
    session.rollback()
    return keys


def test_committed_before_the_answer_rolled_back_when_it_raises(
    app: FastAPI, session: Session
) -> None:
    client = TestClient(app, raise_server_exceptions=False)
    assert client.post("/rows/a").status_code == 201
    assert _stored(session) == ["a"]  # visible to another session as soon as the answer is

    assert client.post("/rows/b/fail").status_code == 500
    assert _stored(session) == ["a"]

    response = client.post("/read-first/c")
    assert response.status_code == 201
    assert response.json() == {"seen": 1}
    assert _stored(session) == ["a", "c"]
    assert client.get("/rows").json() == ["a", "c"]


def test_every_session_gives_its_connection_back(app: FastAPI) -> None:
    client = TestClient(app, raise_server_exceptions=False)
    # More requests than the pool has connections (5 + 10 overflow): a leak would time out.
    for n in range(20):
        assert client.post(f"/rows/k{n:02d}").status_code == 201
        assert client.post(f"/rows/f{n:02d}/fail").status_code == 500
        assert client.post(f"/read-first/r{n:02d}").status_code == 201
        assert client.get("/rows").status_code == 200
    assert app.state.engine.pool.checkedout() == 0
    assert len(client.get("/rows").json()) == 40
