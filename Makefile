# peerlearn: `make run` serves the demo, `make test` runs every check.
# Both set everything up on a fresh machine with Python 3.11+.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
TEST_STAMP := $(VENV)/.test-extras-stamp
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
# Every installed version comes from this committed file (`make lock` refreshes it).
CONSTRAINTS := requirements/constraints.txt
UV_VERSION := 0.13.8
PIP_VERSION := 26.3

.PHONY: install install-test run demo test lint types test-sqlite test-postgres browser r benchmarks clean messages lock

install: $(STAMP)

$(STAMP): pyproject.toml $(CONSTRAINTS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q pip==$(PIP_VERSION)
	$(BIN)/python -m pip install -q -c $(CONSTRAINTS) -e '.[dev,prod]'
	touch $(STAMP)

# The suite also exercises the optional sentence-embedding backend.
install-test: $(TEST_STAMP)

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q -c $(CONSTRAINTS) -e '.[dev,prod,semantic]'
	touch $(TEST_STAMP)

# Re-resolve every dependency (all extras, every platform) into $(CONSTRAINTS).
# Run after changing pyproject.toml, then commit both files.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q uv==$(UV_VERSION)
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra prod --extra semantic \
	  --universal --python-version 3.11 --quiet -o $(CONSTRAINTS)

# `make run PORT=8100` (or HOST=0.0.0.0 with PEERLEARN_ALLOWED_HOSTS) serves elsewhere;
# e-mailed links follow the address the site is reached at (docs/configuration.md).
HOST ?= 127.0.0.1
PORT ?= 8000

run: install
	mkdir -p var
	PEERLEARN_DEBUG=true $(BIN)/peerlearn demo
	@echo "peerlearn is at http://$(HOST):$(PORT) (Ctrl-C stops it)"
	PEERLEARN_DEBUG=true $(BIN)/peerlearn manage runserver --noreload $(HOST):$(PORT)

# Debian's Chromium drives the browser tests (Playwright never downloads one).
browser:
	@test -x /usr/bin/chromium || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Debian's R runs the R example of docs/api.md (readr on a feed's URL with a token).
R_PACKAGES := r-base-core r-cran-readr r-cran-httr2 r-cran-jsonlite
r:
	@Rscript -e 'library(readr); library(httr2); library(jsonlite)' >/dev/null 2>&1 || { \
	  echo "Installing Debian's R with readr and httr2 for the API docs test"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $(R_PACKAGES) >/dev/null; }

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

types: install
	$(BIN)/mypy src/peerlearn

# The whole suite on SQLite, then again on PostgreSQL when DATABASE_URL
# points at one (CI sets it; see .ci/run).
test: install-test browser r lint types test-sqlite test-postgres

test-sqlite: install-test browser r
	env -u DATABASE_URL $(BIN)/pytest -n 2 -m "not slow" -q

test-postgres: install-test browser r
	@if [ -n "$$DATABASE_URL" ]; then \
	  echo "Running the suite on PostgreSQL ($$DATABASE_URL)"; \
	  $(BIN)/pytest -n 2 -m "not slow" -q; \
	else echo "DATABASE_URL is not set: PostgreSQL run skipped (CI always sets it)"; fi

benchmarks: install
	$(BIN)/python benchmarks/roster_import.py
	$(BIN)/python benchmarks/matching.py

messages: install
	cd src/peerlearn && ../../$(BIN)/peerlearn manage makemessages -l es -l fr --no-obsolete && ../../$(BIN)/peerlearn manage compilemessages

clean:
	rm -rf $(VENV) var build *.egg-info
