# The two commands: `make run` (serve with demo data) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := app.py

.PHONY: run test lint format venv translations messages chromium db clean help

help:
	@echo "make run    set everything up and serve http://127.0.0.1:5000 with demo data"
	@echo "make test   ruff and the whole pytest suite (TEST_DATABASE_URL for PostgreSQL)"

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv && $(PYTHON) -m venv $(VENV); \
	  else echo "Python's venv module is missing: install python3-venv (sudo apt-get install python3-venv)"; exit 1; fi; }

$(STAMP): $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

venv: $(STAMP)

translations: $(STAMP)
	@$(BIN)/pybabel compile -d translations >/dev/null

messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

db: translations
	FLASK_DEBUG=1 $(BIN)/flask db upgrade

run: db
	@FLASK_DEBUG=1 $(BIN)/flask demo seed
	@echo ""
	@echo "Starting, each with its own log prefix (Ctrl-C stops them all):"
	@echo "  web     http://127.0.0.1:5000   the CRM (Flask, debug mode, SQLite in instance/)"
	@echo "  worker  flask mail worker       sends the outbox and the follow-up sequences"
	@echo "  stripe  http://127.0.0.1:8420   localstripe, standing in for Stripe"
	@echo "  smtp    127.0.0.1:8025          aiosmtpd sink: every email sent is printed here"
	@echo ""
	FLASK_DEBUG=1 $(BIN)/honcho start -f Procfile.dev

chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "The browser tests need Debian's Chromium at /usr/bin/chromium: sudo apt-get install chromium"; exit 1; fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# One pytest worker per core (pytest-xdist); each worker has its own database, SMTP sink and
# localstripe on free ports. PYTEST_ARGS="-n 0" runs in one process (easier to debug). The 20
# slowest tests are listed at the end, to keep CI under 15 minutes as the suite grows.
PYTEST_ARGS ?= -n auto --durations=20
test: lint translations chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
