"""The `orderpromise` command: migrate, serve, load, export, demo.

Commands call the same service functions as the API, inside `with session.begin():`.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from app.db.engine import create_db_engine, create_session_factory
from app.db.migrate import upgrade_to_head
from app.errors import Invalid
from app.main import create_app
from app.services.dataset import export_dataset, import_dataset
from app.settings import Settings

cli = typer.Typer(help="Order-promise service.", no_args_is_help=True, add_completion=False)
out = Console()
err = Console(stderr=True)


@cli.command()
def migrate() -> None:
    """Apply the database migrations up to the newest (PROMISE_DATABASE_URL)."""
    upgrade_to_head(Settings().database_url)
    out.print("database migrated to head")


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Server processes.")] = 1,
) -> None:
    """Run the HTTP API. Does not migrate: run `orderpromise migrate` first (see /readyz)."""
    uvicorn.run("app.main:create_app", factory=True, host=host, port=port, workers=workers)


@cli.command()
def load(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)]) -> None:
    """Replace all planning data with a dataset document; on errors list them, change nothing."""
    try:
        raw = json.loads(file.read_text(encoding="utf-8"), parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        err.print(f"[red]{file}: malformed JSON: {exc}[/red]", soft_wrap=True)
        raise typer.Exit(1) from exc
    _load(Settings(), raw)


@cli.command()
def export(
    file: Annotated[Path | None, typer.Argument(dir_okay=False, help="Default: stdout.")] = None,
) -> None:
    """Write the planning data as a dataset document."""
    factory = create_session_factory(create_db_engine(Settings().database_url))
    with factory() as session, session.begin():
        doc = export_dataset(session)
    text = json.dumps(doc, indent=2) + "\n"
    if file is None:
        typer.echo(text, nl=False)
    else:
        file.write_text(text, encoding="utf-8")


@cli.command()
def demo(
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    db: Annotated[Path, typer.Option(help="SQLite file, created afresh.")] = Path(
        "orderpromise-demo.db"
    ),
) -> None:
    """Fresh SQLite database, migrations, the sample plant, and the server (auth off)."""
    # Imported here: the sample plant is only needed by the demo.
    from app.sample_plant import sample_dataset  # noqa: PLC0415

    for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        path.unlink(missing_ok=True)
    url = f"sqlite:///{db.resolve()}"
    settings = Settings(database_url=url, auth=False)
    upgrade_to_head(url)
    today = datetime.now(settings.zone).date()
    # Through JSON text, so the sample takes exactly the path of a file or an HTTP body.
    text = json.dumps(sample_dataset(today), default=_json_default)
    counts = _load(settings, json.loads(text, parse_float=Decimal))
    out.print(f"demo database {db}: {counts}")
    out.print(f"API on http://127.0.0.1:{port}, docs on http://127.0.0.1:{port}/docs")
    uvicorn.run(create_app(settings), host="127.0.0.1", port=port)


def _load(settings: Settings, raw: Any) -> str:
    factory = create_session_factory(create_db_engine(settings.database_url))
    try:
        with factory() as session, session.begin():
            summary = import_dataset(session, raw)
    except Invalid as exc:
        table = Table(title=exc.detail, show_lines=False)
        table.add_column("pointer", style="cyan", no_wrap=True)
        table.add_column("error")
        for error in exc.errors:
            table.add_row(error.pointer or "(document)", error.message)
        err.print(table)
        raise typer.Exit(1) from exc
    counts = ", ".join(f"{name} {n}" for name, n in summary.counts.items())
    out.print(f"loaded: {counts}; data version {summary.data_version}")
    return counts


def _json_default(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    msg = f"not JSON serialisable: {value!r}"
    raise TypeError(msg)


def main() -> None:
    cli()
