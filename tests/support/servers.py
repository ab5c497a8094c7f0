"""Real server processes (`orderpromise serve`) on one database: for the concurrency and browser
tests and the benchmarks."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy import make_url

from app.db.migrate import upgrade_to_head

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
ORDERPROMISE = str(Path(sys.executable).with_name("orderpromise"))
# How often a starting server is asked for /readyz (a refused connection costs next to nothing).
READY_POLL_SECONDS = 0.05


def free_port() -> int:
    """A port that nothing listens on now, for a server about to start.

    Under pytest-xdist each worker takes only the ports of its own share ((port // 2) modulo
    the number of workers is its index; by halves since Linux hands out mostly odd ports for
    bind), so two workers never pick the same port between this probe and the server's bind.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    share = int(worker.removeprefix("gw")) if worker.startswith("gw") else 0
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    for _ in range(1000):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port: int = sock.getsockname()[1]
        if (port // 2) % workers == share:
            return port
    msg = f"no free port of share {share} of {workers}"
    raise RuntimeError(msg)


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        """SIGKILL: no shutdown, no rollback from the process itself."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


@contextmanager
def servers(database_url: str, count: int, tmp_path: Path, **env: str) -> Iterator[list[Server]]:
    started: list[Server] = []
    environment = (
        os.environ
        | {
            "PROMISE_DATABASE_URL": database_url,
            "PROMISE_AUTH": "off",
        }
        | env
    )
    try:
        for index in range(count):
            port = free_port()
            log = tmp_path / f"server-{index}.log"
            process = subprocess.Popen(  # noqa: S603  (our own console script)
                [ORDERPROMISE, "serve", "--port", str(port)],
                env=environment,
                stdout=log.open("wb"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            started.append(Server(f"http://127.0.0.1:{port}", process, log))
        for server in started:
            _wait_ready(server)
        yield started
    finally:
        for server in started:
            if server.process.poll() is None:
                os.killpg(server.process.pid, signal.SIGTERM)
                try:
                    server.process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    server.kill()


def _wait_ready(server: Server, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    # One client for all the polls: httpx.get makes a client, and an SSL context, each time
    # (~40 ms of CPU, taken from the server that is starting).
    with httpx.Client(timeout=2, trust_env=False) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                pytest.fail(f"server exited early:\n{server.log.read_text()}")
            try:
                if client.get(f"{server.url}/readyz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(READY_POLL_SECONDS)
    pytest.fail(f"server not ready in {timeout}s:\n{server.log.read_text()}")


@contextmanager
def fresh_database(kind: str, tmp_path: Path, *, migrated: bool = True) -> Iterator[str]:
    """A migrated, empty database of its own: an SQLite file or a new PostgreSQL database.

    With migrated=False it is left without any table (as before `orderpromise migrate`).
    """
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'shared.db'}"
        if migrated:
            upgrade_to_head(url)
        yield url
        return
    admin_url = make_url(os.environ.get("PROMISE_TEST_POSTGRES_URL", DEFAULT_POSTGRES))
    admin_dsn = admin_url.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        admin = psycopg.connect(admin_dsn, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if os.environ.get("PROMISE_TEST_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL is required but does not answer: {exc}")
        pytest.skip(f"PostgreSQL does not answer: {exc}")
    name = f"orderpromise_test_{secrets.token_hex(6)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = admin_url.set(drivername="postgresql+psycopg", database=name)
        url_text = url.render_as_string(hide_password=False)
        if migrated:
            upgrade_to_head(url_text)
        yield url_text
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
