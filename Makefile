# The two commands of the README: `make run` and `make test`. Everything installs into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=
# Two processes (pytest-xdist; this machine has 2 cores); tests marked xdist_group (the browser
# tests: one server, one Chromium) stay together on one. PYTEST_WORKERS= runs in one process.
PYTEST_WORKERS ?= -n 2 --dist loadgroup

.PHONY: run test test-fast lint typecheck bench install install-test translations clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP) $@

# Interface translations: the build (setup.py) compiles the .po files into .mo (not kept in git),
# into the source folder for an editable install; this rule recompiles a .po edited since.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard kb/translations/*/LC_MESSAGES/messages.po))

%.mo: %.po | $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@

## Re-extract interface strings into kb/translations/messages.pot and merge them into the .po files
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -o kb/translations/messages.pot --no-location --omit-header --sort-output .
	$(BIN)/pybabel update -i kb/translations/messages.pot -d kb/translations --no-fuzzy-matching --width 100

install: $(STAMP) $(MO_FILES)

install-test: $(TEST_STAMP) $(MO_FILES)

## Install and serve the app with the seed content at http://127.0.0.1:5000
run: $(STAMP) $(MO_FILES)
	$(BIN)/kb serve --host $(HOST) --port $(PORT)

## Install the test dependencies and run the whole suite (lint, types, tests); local PostgreSQL and
## Redis are found the same way as in CI (.ci/detect-services)
test: $(TEST_STAMP) $(MO_FILES)
	$(BIN)/ruff check .
	$(BIN)/mypy
	eval "$$(.ci/detect-services)" && $(BIN)/python -m pytest $(PYTEST_WORKERS) $(PYTEST_ARGS)

## The suite without slow and browser tests, for quick local runs
test-fast: $(TEST_STAMP) $(MO_FILES)
	$(BIN)/python -m pytest -m "not slow and not browser" $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: $(TEST_STAMP)
	$(BIN)/ruff check .

typecheck: $(TEST_STAMP)
	$(BIN)/mypy

## Benchmarks: engine vs SQLite FTS5 (with and without synonyms), web through kb serve, targets
## table (tests/bench/README.md); add BENCH_ARGS=--with-100k for 100,000 practices
bench: $(TEST_STAMP)
	$(BIN)/python -m tests.bench.bench_search --sizes 10000 $(BENCH_ARGS)
	$(BIN)/python -m tests.bench.bench_web --sizes seed,10000
	$(BIN)/python -m tests.bench.targets
	$(BIN)/python -m tests.bench.bench_topical

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
