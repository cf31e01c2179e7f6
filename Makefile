# The two commands a newcomer needs are `make run` and `make test`; everything else supports them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit browser schema lock messages clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/bluebox serve --demo-if-empty

test: $(STAMP) lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check src tests bench conftest.py
	$(BIN)/ruff format --check src tests bench conftest.py
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

PYTEST_ARGS ?= -n 2

unit: $(STAMP)
	$(BIN)/bluebox check-migrations
	# The schema is generated on the embedded default: integer bounds differ between backends.
	env -u DATABASE_URL $(BIN)/bluebox check-schema
	$(BIN)/pytest $(PYTEST_ARGS)

# Refresh the lock file after editing pyproject.toml dependencies.
lock:
	$(PYTHON) -m pip install --quiet uv && $(PYTHON) -m uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

schema: $(STAMP)
	env -u DATABASE_URL $(BIN)/bluebox write-schema

messages: $(STAMP)
	cd src/bluebox && ../../$(BIN)/bluebox manage makemessages -l fr -l ar --no-obsolete && ../../$(BIN)/bluebox manage compilemessages

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
