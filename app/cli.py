"""The `orderpromise` command: migrate, serve, load, export, demo, keys.

Commands call the same service functions as the API, inside `with session.begin():`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from app.clock import utc_now
from app.db.engine import create_db_engine, create_session_factory
from app.db.migrate import upgrade_to_head
from app.errors import Invalid, NotFound
from app.logs import uvicorn_log_config
from app.main import create_app
from app.schemas.keys import KeyCreate
from app.services.dataset import export_dataset, import_dataset
from app.services.demo import check_sample_quotes, example_links
from app.services.health import database_unavailable
from app.services.keys import create_key, list_api_keys, revoke_key
from app.settings import Settings

cli = typer.Typer(help="Order-promise service.", no_args_is_help=True, add_completion=False)
out = Console()
err = Console(stderr=True)
keys_cli = typer.Typer(
    help="API keys: create (the key is shown once), list, revoke.", no_args_is_help=True
)
cli.add_typer(keys_cli, name="keys")


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
    log_level: Annotated[str, typer.Option(help="DEBUG, INFO, WARNING or ERROR.")] = "INFO",
) -> None:
    """Run the HTTP API. Does not migrate: run `orderpromise migrate` first (see /readyz).

    Logs are JSON lines on stderr, one per request with its X-Request-ID (readable lines when
    stderr is a terminal).
    """
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=uvicorn_log_config(log_level.upper()),
        access_log=False,
    )


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
    with _database_errors(), _sessions()() as session, session.begin():
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
    factory = create_session_factory(create_db_engine(url))
    with factory() as session, session.begin():
        statuses = check_sample_quotes(session, settings, utc_now())
    out.print(f"sample quotes checked: {', '.join(statuses)}", soft_wrap=True)
    base = f"http://127.0.0.1:{port}"
    out.print(f"quote check:        {base}/quote", soft_wrap=True)
    out.print(f"operations review:  {base}/ops", soft_wrap=True)
    out.print(f"API docs:           {base}/docs", soft_wrap=True)
    out.print("try:", soft_wrap=True)
    for words, link in example_links(base, today):
        out.print(f"  {words}: {link}", soft_wrap=True, highlight=False)
    uvicorn.run(
        create_app(settings),
        host="127.0.0.1",
        port=port,
        log_config=uvicorn_log_config(),
        access_log=False,
    )


@keys_cli.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="admin, crm, sales or ops.")],
    name: Annotated[str, typer.Option(help="Who or what uses the key, e.g. 'CRM prod'.")],
) -> None:
    """Create an API key. The key alone goes to stdout, shown this once; keep it safe."""
    try:
        request = KeyCreate.model_validate({"role": role, "name": name})
    except ValidationError as exc:
        for error in exc.errors():
            err.print(f"[red]--{error['loc'][0]}: {error['msg']}[/red]")
        raise typer.Exit(2) from exc
    with _database_errors(), _sessions()() as session, session.begin():
        created = create_key(session, role=request.role, name=request.name, now=utc_now())
    err.print(
        f"created key {created.id} (role {created.role}, name {created.name!r}); "
        "it is shown only this once"
    )
    typer.echo(created.key)


@keys_cli.command("list")
def keys_list() -> None:
    """Every key with its id, role, name, creation and revocation time (never the key)."""
    with _database_errors(), _sessions()() as session, session.begin():
        keys = list_api_keys(session).items
    table = Table(title="API keys")
    for column in ("id", "role", "name", "created", "revoked"):
        table.add_column(column)
    for key in keys:
        revoked = key.revoked_at.isoformat(timespec="seconds") if key.revoked_at else ""
        table.add_row(
            key.id, key.role, key.name, key.created_at.isoformat(timespec="seconds"), revoked
        )
    out.print(table)


@keys_cli.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(metavar="ID")]) -> None:
    """Revoke a key by its id: it is refused from the next request on."""
    try:
        with _database_errors(), _sessions()() as session, session.begin():
            revoked = revoke_key(session, key_id, utc_now())
    except NotFound as exc:
        err.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(1) from exc
    out.print(f"revoked key {revoked.id} ({revoked.role}, {revoked.name!r})")


def _sessions(database_url: str | None = None) -> sessionmaker[Session]:
    return create_session_factory(create_db_engine(database_url or Settings().database_url))


@contextmanager
def _database_errors(database_url: str | None = None) -> Iterator[None]:
    """A database error as one red line and exit 1, not a traceback: "run `orderpromise
    migrate`" when the schema is missing or behind (as /readyz says), else "database
    unavailable"."""
    try:
        yield
    except (OperationalError, ProgrammingError) as exc:
        with _sessions(database_url)() as session:
            problem = database_unavailable(session, exc)
        err.print(f"[red]{escape(problem.detail)}[/red]", soft_wrap=True)
        raise typer.Exit(1) from exc


def _load(settings: Settings, raw: Any) -> str:
    try:
        with (
            _database_errors(settings.database_url),
            _sessions(settings.database_url)() as session,
            session.begin(),
        ):
            summary = import_dataset(session, settings, raw, utc_now())
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
