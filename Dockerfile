# syntax=docker/dockerfile:1
# The orderpromise API: applies the migrations, then serves on port 8000 as a non-root user.
# tests/test_serve.py runs the same commands without Docker (no engine runs in CI).

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY app/ app/
RUN python -m venv /opt/venv && /opt/venv/bin/pip install .
# app.db.migrate looks for the Alembic scripts next to the installed `app` package.
COPY migrations/ migrations/
RUN cp -r migrations "$(/opt/venv/bin/python -c \
        'import app, pathlib; print(pathlib.Path(app.__file__).parents[1])')/migrations"

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PROMISE_DATABASE_URL=sqlite:////data/orderpromise.db
RUN useradd --system --uid 10001 --user-group --home-dir /data --create-home orderpromise
COPY --from=build /opt/venv /opt/venv
USER orderpromise
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=3)"]
# Extra arguments (docker run IMAGE --workers 4) go to `orderpromise serve`.
ENTRYPOINT ["/bin/sh", "-c", "orderpromise migrate && exec orderpromise serve --host 0.0.0.0 --port 8000 \"$@\"", "orderpromise"]
CMD []
