"""What the Docker image runs, without Docker: `orderpromise migrate`, then `orderpromise serve`
in a process of its own (the Dockerfile's entrypoint), answering /healthz and /readyz."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[1]
ORDERPROMISE = Path(sys.executable).parent / "orderpromise"
BOOTSTRAP = "serve-test-bootstrap-key-0123456789"


def wait_until_up(url: str, server: subprocess.Popen[str], seconds: float = 30) -> httpx.Response:
    deadline = time.monotonic() + seconds
    # One client for all the polls (httpx.get would make an SSL context each time).
    with httpx.Client(timeout=1, trust_env=False) as client:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                pytest.fail(f"the server exited with {server.returncode}")
            try:
                return client.get(url)
            except httpx.TransportError:
                time.sleep(0.05)
    pytest.fail(f"{url} did not answer within {seconds} s")


def test_migrate_then_serve(tmp_path: Path) -> None:
    env = os.environ | {
        "PROMISE_DATABASE_URL": f"sqlite:///{tmp_path / 'served.db'}",
        "PROMISE_BOOTSTRAP_KEY": BOOTSTRAP,
    }
    env.pop("PROMISE_AUTH", None)
    migrated = subprocess.run(  # noqa: S603  (our own console script)
        [ORDERPROMISE, "migrate"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert migrated.returncode == 0, migrated.stderr

    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [ORDERPROMISE, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        health = wait_until_up(f"http://127.0.0.1:{port}/healthz", server)
        assert health.status_code == 200
        assert health.json() == {"status": "ok"}
        assert health.headers["X-Request-ID"]
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/readyz").status_code == 200
        keys = httpx.get(f"{base}/v1/keys", headers={"Authorization": f"Bearer {BOOTSTRAP}"})
        assert keys.status_code == 200
        assert httpx.get(f"{base}/v1/keys").status_code == 401
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=30)

    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    assert lines, stderr
    access = [e for e in lines if e["logger"] == "orderpromise.access"]
    assert [e["route"] for e in access] == ["/healthz", "/readyz", "/v1/keys", "/v1/keys"]
    assert all(e["request_id"] for e in access)
    assert BOOTSTRAP not in stderr


def _plain(output: bytes) -> str:
    """Terminal output without its colour codes."""
    return re.sub(r"\x1b\[[0-9;]*m", "", output.decode(errors="replace"))


def test_a_terminal_gets_readable_log_lines(tmp_path: Path) -> None:
    """stderr on a terminal (a person running `make demo`): Rich lines, not JSON; keys still
    masked."""
    env = os.environ | {
        "PROMISE_DATABASE_URL": f"sqlite:///{tmp_path / 'served.db'}",
        "PROMISE_BOOTSTRAP_KEY": BOOTSTRAP,
        "COLUMNS": "200",
    }
    env.pop("PROMISE_AUTH", None)
    terminal, attached = pty.openpty()
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [ORDERPROMISE, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=attached,
        stderr=attached,
        text=True,
    )
    os.close(attached)
    output = b""
    try:
        assert wait_until_up(f"http://127.0.0.1:{port}/healthz", server).status_code == 200
        httpx.get(
            f"http://127.0.0.1:{port}/readyz", headers={"Authorization": f"Bearer {BOOTSTRAP}"}
        )
        deadline = time.monotonic() + 30
        while "route=/readyz" not in _plain(output):
            assert time.monotonic() < deadline, _plain(output)
            ready, _, _ = select.select([terminal], [], [], 1)
            if ready:
                output += os.read(terminal, 65536)
    finally:
        server.terminate()
        server.wait(timeout=30)
        os.close(terminal)
    text = _plain(output)
    lines = [line for line in text.splitlines() if line.strip()]
    assert not [line for line in lines if line.lstrip().startswith("{")], text
    access = [line for line in lines if "route=/healthz" in line]
    assert access, text
    assert "INFO" in access[0]
    assert "request_id=" in access[0]
    assert "color_message" not in text
    assert BOOTSTRAP not in text


def test_the_image_layout_finds_its_migrations(tmp_path: Path) -> None:
    """The image installs the package and copies migrations/ next to it (site-packages): the
    migrate command must find them there, away from the source tree."""
    site = tmp_path / "site"
    shutil.copytree(ROOT / "app", site / "app", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "migrations", site / "migrations")
    env = os.environ | {
        "PYTHONPATH": str(site),
        "PROMISE_DATABASE_URL": f"sqlite:///{tmp_path / 'image.db'}",
    }
    script = (
        "import app.db.migrate as m, sys; "
        "assert str(m.MIGRATIONS_DIR).startswith(sys.argv[1]), m.MIGRATIONS_DIR; "
        "from app.cli import main; sys.argv = ['orderpromise', 'migrate']; main()"
    )
    result = subprocess.run(  # noqa: S603  (this interpreter, our own code)
        [sys.executable, "-c", script, str(site)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "migrated to head" in result.stdout
