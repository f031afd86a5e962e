# Renkei — the two commands are `make run` and `make test`; everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := app

.PHONY: run test test-sqlite test-postgres i18n translations bench clean help

help:
	@echo "make run    - install into .venv, migrate, load demo data once, serve on http://127.0.0.1:$(PORT)"
	@echo "make test   - the whole suite on SQLite, and again on PostgreSQL when TEST_DATABASE_URL is set"
	@echo "make i18n   - extract messages, update the English catalogues and check that none is missing"
	@echo "make bench  - benchmarks (writes bench/results/ and docs/performance.md)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

translations: $(VENV)/.installed
	@$(BIN)/python -m tools.i18n compile

run: $(VENV)/.installed translations
	$(BIN)/flask db upgrade
	$(BIN)/flask sync
	$(BIN)/flask seed-demo --first-time
	$(BIN)/flask demo-logins
	@echo "Serving on http://127.0.0.1:$(PORT)  (Ctrl-C to stop)"
	RENKEI_RUN_SCHEDULER=1 $(BIN)/flask run --no-reload --host 127.0.0.1 --port $(PORT)

# With TEST_DATABASE_URL the SQLite and PostgreSQL passes run side by side, the PostgreSQL one on two
# xdist workers (each with its own database, test_gw0/test_gw1): three processes keep both cores busy
# to the end. The PostgreSQL pass's output follows the SQLite pass's; either failing fails the target.
PG_WORKERS ?= 2
test: $(VENV)/.installed-test translations
	@mkdir -p test-artifacts
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "=== SQLite and PostgreSQL ($$TEST_DATABASE_URL) side by side"; \
	  ( RENKEI_TEST_DB="$$TEST_DATABASE_URL" $(BIN)/python -m pytest -p no:cacheprovider \
	      -n $(PG_WORKERS) --dist loadfile $(PYTEST_ARGS) \
	      > test-artifacts/postgresql.log 2>&1; echo $$? > test-artifacts/postgresql.rc ) & \
	  $(BIN)/python -m pytest $(PYTEST_ARGS); sqlite=$$?; \
	  wait; \
	  echo "=== again on PostgreSQL ($$TEST_DATABASE_URL)"; cat test-artifacts/postgresql.log; \
	  pg=$$(cat test-artifacts/postgresql.rc); \
	  echo "=== SQLite pass: exit $$sqlite; PostgreSQL pass: exit $$pg"; \
	  [ "$$sqlite" = 0 ] && [ "$$pg" = 0 ]; \
	else \
	  $(BIN)/python -m pytest $(PYTEST_ARGS); \
	fi

i18n: $(VENV)/.installed
	$(BIN)/python -m tools.i18n update
	$(BIN)/python -m tools.i18n check

$(VENV)/.installed-bench: $(VENV)/.installed-test pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@

bench: $(VENV)/.installed-bench translations
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) instance .pytest_cache htmlcov .coverage
