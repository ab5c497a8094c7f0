"""Engine and session factory for SQLite (embedded default) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Execution option: begin the SQLite transaction with BEGIN IMMEDIATE (ignored elsewhere).
SQLITE_IMMEDIATE = "orderpromise_sqlite_immediate"
# Session info key: the session reads first and takes the write lock only in begin_writing.
_READS_FIRST = "orderpromise_reads_first"


def create_db_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, json_serializer=_json_text, json_deserializer=orjson.loads)
        _configure_sqlite(engine)
        return engine
    return create_engine(
        url, pool_pre_ping=True, json_serializer=_json_text, json_deserializer=orjson.loads
    )


def database_key(session: Session) -> str:
    """Which database ``session`` works on, for the caches kept per database in a process."""
    return session.get_bind().engine.url.render_as_string(hide_password=True)


def _json_text(value: Any) -> str:
    """JSON columns (stored requests and answers) encoded by orjson, several times faster than
    the standard library on a check's answer."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    # Objects stay readable after commit: services return them to routers that shape the answer.
    return sessionmaker(engine, expire_on_commit=False)


def begin_as_writer(session: Session) -> None:
    """The session's transaction writes: on SQLite it takes the write lock before the first read
    (BEGIN IMMEDIATE), so that what it reads cannot change before it writes."""
    session.connection(execution_options={SQLITE_IMMEDIATE: True})


def begin_as_reader(session: Session) -> None:
    """The session's transaction only reads until ``begin_writing``: on SQLite a plain BEGIN,
    which waits for no writer and makes none wait (WAL)."""
    session.info[_READS_FIRST] = True


def begin_writing(session: Session) -> None:
    """From here on the session writes.

    A session begun as a reader ends its reading transaction, which wrote nothing, and begins a
    writing one, so that on SQLite the write lock is held from here to the commit only (upgrading
    the reading transaction would fail once another process has written since it began). Any
    other session, a request's writer or the CLI's ``session.begin()``, already writes: nothing
    changes.
    """
    if not session.info.pop(_READS_FIRST, False):
        return
    session.rollback()
    begin_as_writer(session)


def commit_and_read(session: Session) -> None:
    """Commit what the session wrote (its locks go with it) and go on as a reader, until
    ``begin_writing`` begins a writing transaction again: for a use case that must make part
    of its work durable, and visible to others, before it computes the rest (a hold's
    reservations before its answer). On SQLite no write lock is held in between.

    On PostgreSQL the commit does not wait for its log to reach the disk (``synchronous_commit``
    off for this transaction only): nothing is acknowledged on it, and the commit that is (the
    answer's, in the same session, or any later one that read what it wrote) flushes it too,
    as the log is written and flushed in order. A crash before that loses both or neither.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL synchronous_commit = off"))
    session.commit()
    session.info[_READS_FIRST] = True


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: object) -> None:
        # Take transaction control from the sqlite3 driver (it would BEGIN lazily, only before
        # writes), so that every SQLAlchemy transaction is a real SQLite transaction.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A writing request takes the write lock up front: a deferred transaction that read
        # first and writes later fails with SQLITE_BUSY_SNAPSHOT when another process wrote
        # in between, and it would let two holds solve on the same snapshot.
        immediate = connection.get_execution_options().get(SQLITE_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def transaction(factory: sessionmaker[Session], *, write: bool) -> Iterator[Session]:
    """One transaction outside a request (the service's background work): committed when the
    block ends, rolled back when it raises. A writing one takes SQLite's write lock up front,
    as a writing request does."""
    with factory() as session, session.begin():
        if write:
            session.connection(execution_options={SQLITE_IMMEDIATE: True})
        yield session
