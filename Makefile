# Saring: `make run` serves the app on http://127.0.0.1:5000, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
TEST_POSTGRES ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
export FLASK_APP := app

.PHONY: run serve bench load faults realistic test install install-dev translations compile-translations migrate \
	browser-tools lint

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

compile-translations: install
	$(BIN)/pybabel compile --statistics -d translations

## Extract the UI strings and update the catalogs; then translate the new entries. Content problems' templates
## are marked with N_ (one of pybabel's own keywords) and Nn_ (a singular and a plural).
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k Nn_:1,2 --no-location --sort-output \
		--project Saring --copyright-holder Saring -o translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i translations/messages.pot -d translations

migrate: install
	SARING_ENV=development $(BIN)/flask db upgrade

## Development server on SQLite (instance/saring.sqlite3); PORT overrides the port.
run: install compile-translations migrate
	SARING_ENV=development $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

## Production server: gunicorn with WORKERS processes on HOST:PORT. Needs SECRET_KEY; DATABASE_URL
## chooses PostgreSQL (default: SQLite in instance/). Saring logs one JSON line per request on stderr,
## so gunicorn's own access log stays off.
HOST ?= 127.0.0.1
WORKERS ?= $(shell echo $$(( $$(nproc) * 2 + 1 )))
serve: install compile-translations
	@test -n "$$SECRET_KEY" || { echo "Set SECRET_KEY to a long random value first (see README)."; exit 1; }
	$(BIN)/flask db upgrade
	$(BIN)/gunicorn -c gunicorn.conf.py --workers $(WORKERS) --bind $(HOST):$(PORT) --no-control-socket app:app

## Benchmarks (figures, not pass/fail tests): page weight of every learner page in both languages,
## how long 1,000 lessons take to load, requests per second against a bare Flask route, Lighthouse's
## mobile audit of every learner page, each gunicorn worker's memory, and the server time of a class
## report and of the editors' item report on 100,000 learners (SQLite and PostgreSQL). Each runs even
## when one before it misses its goal; make fails at the end if any did.
bench: install-dev compile-translations browser-tools bench/node_modules/.package-lock.json
	@command -v wrk >/dev/null 2>&1 || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo -n ); \
		$$SUDO apt-get install -y -qq wrk >/dev/null 2>&1 || echo "wrk could not be installed: apt-get install wrk"; }
	@status=0; for name in page_weight content_load throughput lighthouse memory report_scale; do \
		echo "== bench/$$name.py =="; $(BIN)/python -m bench.$$name || status=1; \
	done; exit $$status

## Load and scale-out (pass/fail): 200 learners at once (log in, finish a module's lessons, answer its quiz
## and resend it, open the result) against four gunicorn workers on SQLite and on PostgreSQL, then split
## across two instances sharing one PostgreSQL and one Redis (127.0.0.1). Each checks the database
## afterwards (every lesson, one attempt per learner, every answer) and the log (one line per request).
load: install-dev compile-translations
	@status=0; for name in load scale_out; do \
		echo "== bench/$$name.py =="; $(BIN)/python -m bench.$$name || status=1; \
	done; exit $$status

## Faults (pass/fail): learners at work on gunicorn while, one at a time, PostgreSQL crashes and comes back,
## Redis stalls (SIGSTOP), a table is locked, the SQLite file turns read-only and a worker is killed, on SQLite
## and PostgreSQL. It runs a PostgreSQL cluster and a Redis of its own on free ports of 127.0.0.1 (never the
## shared 5432 or 6379), then checks every acknowledged write, doubles, bare errors and silences. A scenario
## that would end past FAULTS_BUDGET seconds is not run (and fails); FAULTS_ARGS passes other options,
## e.g. FAULTS_ARGS="--database sqlite --scale 0.5" (see bench/faults.py).
FAULTS_BUDGET ?= 480
FAULTS_ARGS ?=
faults: install-dev compile-translations
	$(BIN)/python -m bench.faults --budget $(FAULTS_BUDGET) $(FAULTS_ARGS)

## Realistic load (figures; exits 1 on errors): 1,000 learners with their own sessions under Locust (headless),
## logging in, reading, marking lessons done, answering quizzes, on SQLite, PostgreSQL and two instances
## (PostgreSQL and Redis on 127.0.0.1), each against a bare Flask route driven by the same Locust.
## REALISTIC_SECONDS (default 40) is how long each setup is measured.
REALISTIC_SECONDS ?= 40
$(VENV)/.installed-bench: requirements.txt requirements-dev.txt bench/requirements.txt | $(BIN)/python
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt -r bench/requirements.txt
	touch $@

realistic: install-dev $(VENV)/.installed-bench compile-translations
	$(BIN)/python -m bench.realistic --seconds $(REALISTIC_SECONDS)

## Lighthouse for bench/lighthouse.py, at the version bench/package-lock.json pins (npm's record of
## the install, so it runs again only when the pins change).
bench/node_modules/.package-lock.json: bench/package.json bench/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm is missing: apt-get install nodejs npm"; exit 1; }
	npm ci --prefix bench --no-audit --no-fund
	touch $@

## Debian's Chromium (browser tests) and a Java runtime (the Nu Html Checker); never a browser download.
browser-tools:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v java >/dev/null 2>&1; then \
		echo "Installing Chromium and a Java runtime from Debian's packages..."; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo -n ); \
		( $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
			chromium default-jre-headless ) >/dev/null 2>&1 || true; \
	fi
	@command -v chromium >/dev/null 2>&1 || [ "$$CI" != true ] || { echo "Chromium could not be installed, and CI needs it."; exit 1; }
	@command -v chromium >/dev/null 2>&1 || { \
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
		echo "!!! Chromium could not be installed: the BROWSER TESTS WILL BE SKIPPED.         !!!"; \
		echo "!!! Install it with: apt-get install chromium default-jre-headless              !!!"; \
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; }

lint: install-dev
	$(BIN)/ruff check .

## Lint, then the whole suite on SQLite, then again on PostgreSQL when it is reachable.
test: install-dev compile-translations browser-tools lint
	$(BIN)/pytest
	@if $(BIN)/python -c "import psycopg; psycopg.connect('host=127.0.0.1 port=5432 user=postgres dbname=postgres', connect_timeout=3).close()" 2>/dev/null; then \
		echo "== The suite again on PostgreSQL (127.0.0.1:5432), in a database of its own =="; \
		SARING_TEST_POSTGRES=$(TEST_POSTGRES) $(BIN)/pytest -m "not browser"; \
	elif [ "$$CI" = true ]; then \
		echo "PostgreSQL is not reachable at 127.0.0.1:5432, and CI has it: failing."; exit 1; \
	else \
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
		echo "!!! PostgreSQL is not reachable at 127.0.0.1:5432: the PostgreSQL run was SKIPPED !!!"; \
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	fi
