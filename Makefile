# One target per habit. Everything runs from the project's own virtualenv in .venv.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint format bench screenshots clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: setup
	$(BIN)/orderpromise demo

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy app
	$(BIN)/lint-imports

# Two workers (the machine has two cores); tests/conftest.py says which tests run together.
test: lint
	$(BIN)/pytest -n 2 --dist loadfile

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Rewrite the README's pictures (docs/screenshots/*.png) from the browser tests.
screenshots: setup
	PROMISE_TEST_SCREENSHOTS=1 PROMISE_TEST_REQUIRE_BROWSER=1 $(BIN)/pytest -q tests/browser/test_promise_flow.py

bench: setup
	$(BIN)/python -m bench.check_latency
	$(BIN)/python -m bench.load
	$(BIN)/python -m bench.live_book

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache orderpromise-demo.db*
