# Two commands that work on a fresh machine:
#   make demo   — SQLite + in-process jobs, demo data, serves on 127.0.0.1:$(PORT)
#                 (make demo YEAR=1: the replayed year of `manage.py replay`, README "A year in minutes")
#   make test   — the whole suite against real PostgreSQL and Redis
#   make mutate — mutation testing of the money and date rules (docs/testing.md)
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
# make demo YEAR=1: seed the replayed year instead of 91 days (on a fresh demo database: make clean first)
YEAR ?=
# Two test processes (the machine has two cores); each gets its own test database.
PYTEST_ARGS ?= -n 2
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed

export DATABASE_URL_DEMO ?= sqlite:///$(CURDIR)/demo.sqlite3

.PHONY: install demo test lint typecheck check messages clean mutate web worker beat bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	DJANGO_SETTINGS_MODULE=config.settings.local DATABASE_URL=$(DATABASE_URL_DEMO) REDIS_URL= \
	  $(PY) manage.py demo --port $(PORT) $(if $(YEAR),--year)

# PostgreSQL or Redis not running but installed: tools/test_services.py starts throwaway ones.
test: $(STAMP)
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) tools/test_services.py -- $(BIN)/pytest $(PYTEST_ARGS)

# The production processes on this host (docs/operations.md): settings from the environment
# (DJANGO_SETTINGS_MODULE=config.settings.production, SECRET_KEY, DATABASE_URL, REDIS_URL, ALLOWED_HOSTS).
web: $(STAMP)
	$(BIN)/gunicorn config.wsgi:application --config config/gunicorn.py

worker: $(STAMP)
	$(BIN)/celery -A config worker --loglevel=INFO

beat: $(STAMP)  # exactly one per installation
	$(BIN)/celery -A config beat --loglevel=INFO

# Mutation testing (mutmut 3), one module at a time with the tests that cover it (tools/mutate.py).
# MODULES="core/money.py core/calendar.py" limits the run; needs TEST_DATABASE_NAME and REDIS_URL like `test`.
MODULES ?=
mutate: $(STAMP)
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) tools/mutate.py $(MODULES)  # it runs mutmut under nice -n 10 itself

# Benchmarks (issue 16, README "Benchmarks"): builds a synthetic book of SIZE contracts in its own database
# (termsops_bench) on the real PostgreSQL, measures the jobs and lists against their floors, prints the table
# and writes bench/results/<date>-<SIZE>.json. BENCH_ARGS="--repeat 1 --history-days 120" for quick runs.
SIZE ?= 100000
BENCH_ARGS ?=
bench: $(STAMP)
	DJANGO_SETTINGS_MODULE=config.settings.test nice -n 10 $(PY) -m bench --size $(SIZE) $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy .

check: $(STAMP)
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run

# English is extracted; Korean (locale/ko) is hand-written: it only fixes Django's own Korean strings.
messages: $(STAMP)
	$(PY) manage.py makemessages -l en --no-obsolete --ignore=.venv --ignore=staticfiles --ignore=tests
	$(PY) manage.py compilemessages -l en -l ko --ignore=.venv

clean:
	rm -rf $(VENV) demo.sqlite3 staticfiles replay-report.html
