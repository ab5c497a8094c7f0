"""The ASGI application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.auth import announce_auth_mode
from app.background import background_work
from app.clock import utc_now
from app.db.engine import create_db_engine, create_session_factory
from app.logs import mask_secret
from app.middleware import NulTextMiddleware, RequestContextMiddleware
from app.openapi import install_openapi, operation_id
from app.problems import register_problem_handlers
from app.routers import (
    allocations,
    checks,
    dataset,
    events,
    feed,
    health,
    keys,
    metrics,
    promises,
    webhooks,
)
from app.routers.pages import register_pages
from app.routers.stats import router as stats_router
from app.services.engine_slots import engine_slots
from app.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    engine_slots.configure(settings.engine_threads)
    engine = create_db_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        announce_auth_mode(settings)
        # The app's clock is read at every pass: tests replace it after the app is made.
        async with background_work(
            app.state.session_factory, settings, lambda: app.state.clock
        ) as (relay, sweeper):
            app.state.relay = relay
            app.state.sweeper = sweeper
            yield
        engine.dispose()

    app = FastAPI(
        title="orderpromise",
        version="0.1.0",
        summary="Can operations deliver this quantity on this date, and if not, when?",
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = create_session_factory(engine)
    app.state.clock = utc_now
    register_problem_handlers(app)
    app.include_router(health.router)
    app.include_router(metrics.router)
    app.include_router(dataset.router)
    app.include_router(feed.router)
    app.include_router(feed.exceptions_router)
    app.include_router(checks.router)
    app.include_router(promises.router)
    app.include_router(keys.router)
    app.include_router(webhooks.router)
    app.include_router(events.router)
    app.include_router(stats_router)
    app.include_router(allocations.router)
    register_pages(app)
    install_openapi(app)
    app.add_middleware(NulTextMiddleware)
    # Added last, so outermost: every answer gets its request id and access line.
    app.add_middleware(RequestContextMiddleware)
    if settings.bootstrap_key is not None:
        mask_secret(settings.bootstrap_key.get_secret_value())
    return app
