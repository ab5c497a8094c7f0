"""The import table of docs/architecture.md is enforced: `lint-imports` (run by `make lint`)
passes on the code and fails on a copy that breaks any one layer's rule."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

# One forbidden import per contract: the module that gains it, the import, what lint says.
BREAKS = {
    "solver": ("app/solver/fit.py", "sqlalchemy", "app.solver is not allowed to import sqlalchemy"),
    "db": ("app/db/risk.py", "app.services.checks", "app.db is not allowed to import app.services"),
    "schemas": (
        "app/schemas/check.py",
        "app.db.models",
        "app.schemas is not allowed to import app.db",
    ),
    "services": (
        "app/services/promises.py",
        "fastapi",
        "app.services is not allowed to import fastapi",
    ),
    "pages": ("app/pages/forms.py", "app.db.promises", "app.pages is not allowed to import app.db"),
    "routers": ("app/routers/promises.py", "app.db", "app.routers is not allowed to import app.db"),
    "edge": ("app/auth.py", "app.db.keys", "app.auth is not allowed to import app.db"),
    "background": ("app/live.py", "fastapi", "app.live is not allowed to import fastapi"),
}


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603  (our own virtualenv's tool)
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_code_keeps_every_contract() -> None:
    run = lint_imports(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "8 kept, 0 broken" in run.stdout


@pytest.mark.parametrize("layer", sorted(BREAKS))
def test_a_forbidden_import_breaks_the_lint(layer: str, tmp_path: Path) -> None:
    shutil.copytree(ROOT / "app", tmp_path / "app", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    path, imported, complaint = BREAKS[layer]
    module = tmp_path / path
    module.write_text(module.read_text() + f"\nimport {imported}\n")

    run = lint_imports(tmp_path)

    assert run.returncode == 1, run.stdout
    assert "1 broken" in run.stdout
    assert complaint in run.stdout


# What a service may take from SQLAlchemy: the session it is handed, and its error types.
SERVICE_SQLALCHEMY = {("sqlalchemy.orm", "Session"), ("sqlalchemy.exc", "SQLAlchemyError")}
QUERY_METHODS = {"execute", "scalars", "scalar", "query", "get", "add", "add_all", "delete"}


def test_services_hold_no_sql() -> None:
    """Queries and row building live in app/db; a service only passes its session on."""
    found = []
    for path in sorted((ROOT / "app" / "services").glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
                found += [
                    f"{path.name}: from {node.module} import {alias.name}"
                    for alias in node.names
                    if (node.module, alias.name) not in SERVICE_SQLALCHEMY
                ]
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in QUERY_METHODS
                and ast.unparse(node.func.value).endswith("session")
            ):
                found.append(f"{path.name}:{node.lineno}: {ast.unparse(node.func)}")
    assert found == []
