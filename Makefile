# Portal Mutu — two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi
PG_URL ?= postgresql://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: redis run test test-sqlite test-postgres install install-dev translations extract-messages system-test-deps system-run-deps system-packages postgres bench demo serve

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Compiled catalogues are built, not committed.
translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d translations

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching

# Serve the demo on http://127.0.0.1:5000 (migrates and loads the demo data first).
run: install translations system-run-deps
	PORTAL_DEMO=1 $(BIN)/flask db upgrade
	PORTAL_DEMO=1 $(BIN)/flask demo load
	PORTAL_DEMO=1 $(BIN)/flask run --host $(HOST) --port $(PORT)

# Debian packages the tests need: Chromium for Playwright (Playwright's own download does not work here),
# Noto fonts for the PDFs, poppler-utils (pdftotext) to read PDFs back.
SYSTEM_PACKAGES := chromium fonts-noto-core poppler-utils
system-test-deps:
	@$(MAKE) --no-print-directory system-packages PACKAGES="$(SYSTEM_PACKAGES)"

# Fonts the PDFs are rendered with; poppler-utils renders the first page of a scanned PDF waiting for review.
system-run-deps:
	@$(MAKE) --no-print-directory system-packages PACKAGES="fonts-noto-core poppler-utils"

system-packages:
	@missing=$$(for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages: $$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

# PostgreSQL on 127.0.0.1:5432; started when it is down.
postgres:
	@if ! pg_isready -q -h 127.0.0.1 -p 5432; then \
	  echo "Starting PostgreSQL..."; \
	  for v in $$(ls /etc/postgresql 2>/dev/null); do pg_ctlcluster --skip-systemctl-redirect $$v main start || pg_ctlcluster $$v main start || true; done; \
	  for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; \
	fi
	@pg_isready -h 127.0.0.1 -p 5432

# Redis on 127.0.0.1:6379 for the RQ job tests; started when it is down.
redis:
	@if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then \
	  echo "Starting Redis..."; \
	  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null || true; \
	  for i in $$(seq 1 20); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done; \
	fi
	@redis-cli -h 127.0.0.1 -p 6379 ping

test-sqlite: install-dev translations system-test-deps redis
	REQUIRE_REDIS=1 $(BIN)/pytest -q -p no:cacheprovider --ignore=tests/browser
	REQUIRE_REDIS=1 $(BIN)/pytest -q -p no:cacheprovider tests/browser

test-postgres: install-dev translations system-test-deps postgres redis
	REQUIRE_REDIS=1 TEST_DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -p no:cacheprovider --ignore=tests/browser
	REQUIRE_REDIS=1 TEST_DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -p no:cacheprovider tests/browser

# The whole suite on SQLite and on PostgreSQL: the two suites without a browser side by side, then the browser
# journeys of each (tests/run_suites.py; `make test-sqlite` / `make test-postgres` run one database).
test: install-dev translations system-test-deps postgres redis
	PG_URL=$(PG_URL) $(BIN)/python tests/run_suites.py

bench: install-dev translations
	$(BIN)/python -m tests.bench
