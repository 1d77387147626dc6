# Twinning: `make demo` to try it, `make test` to run the whole suite. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
UV_VERSION := 0.13.9
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: help install install-dev demo serve test test-fast browser gettext lint format bench clean messages

help:
	@echo "make demo   - install, migrate, load demo data and serve it as production would on http://127.0.0.1:$(PORT)"
	@echo "make test   - install test tools and run the whole suite (set DATABASE_URL for PostgreSQL)"
	@echo "make lint   - ruff and mypy"
	@echo "make bench  - benchmarks on the large demo profile (see bench/README.md); BENCH=slowlinks runs one"

$(BIN)/uv:
	"$$(scripts/find-python)" -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# The translation catalogues are compiled here, on every machine, rather than committed: a committed .mo goes
# stale the moment someone edits a .po and forgets to compile, and Make rebuilds each .mo whenever its .po is
# newer. msgfmt --check-format (as Django's compilemessages runs it) refuses a translation whose placeholders
# do not match its source. The .mo files are not in git (.gitignore).
MO_FILES := $(patsubst %.po,%.mo,$(wildcard twinning/locale/*/LC_MESSAGES/*.po))

install: $(BIN)/uv $(MO_FILES)
	$(BIN)/uv sync --frozen --inexact --no-dev --quiet

install-dev: $(BIN)/uv $(MO_FILES)
	$(BIN)/uv sync --frozen --inexact --quiet

%.mo: %.po | gettext
	msgfmt --check-format -o $@ $<

# GNU gettext's msgfmt compiles the catalogues; install Debian's package when we can.
gettext:
	@command -v msgfmt >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; } || \
		{ echo "msgfmt is missing: run 'sudo apt-get install gettext'"; exit 1; }

# The demo runs the way production does (DEBUG off, a secret key of its own, static files collected and served by
# the app through WhiteNoise, gunicorn, a task worker), only over plain HTTP on this machine.
DEMO_ENV = DEBUG=false SECRET_KEY="$$(cat var/secret_key)" ALLOWED_HOSTS=127.0.0.1,localhost HTTPS=false \
	EMAIL=console SITE_URL=http://127.0.0.1:$(PORT)

# Made once per checkout and kept (sessions survive restarts); var/ is not in git.
var/secret_key: | $(BIN)/uv
	@mkdir -p var
	@umask 077 && $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > $@

demo: install var/secret_key
	@$(DEMO_ENV) $(BIN)/twinning migrate --noinput
	@$(DEMO_ENV) $(BIN)/twinning demo
	@$(DEMO_ENV) $(BIN)/twinning collectstatic --noinput --verbosity 0
	@echo "Twinning is at http://127.0.0.1:$(PORT)/ (sign in with a login above; Ctrl-C stops it)"
	@# The task worker is started again whenever it exits (scripts/keep-running), and stopped with the server.
	@# Threads: a browser's spare connections, opened ahead and left idle, would each hold a whole sync worker for its
	@# 30 s timeout (then killed, answering a bare 500), stalling every other request; threaded workers wait on them apart.
	@$(DEMO_ENV) scripts/keep-running $(BIN)/twinning db_worker & worker=$$!; \
		trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
		$(DEMO_ENV) $(BIN)/gunicorn twinning.wsgi --bind 127.0.0.1:$(PORT) --workers 2 --threads 4 --no-control-socket

serve: install
	DEBUG=true $(BIN)/twinning runserver 127.0.0.1:$(PORT)

# Browser tests use Debian's Chromium (never a downloaded browser); install it when we can.
browser:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
		{ echo "Chromium is missing: run 'sudo apt-get install chromium'"; exit 1; }
	@# PDF reports (WeasyPrint) need pango and HarfBuzz's subsetter from Debian.
	@{ ldconfig -p | grep -q libpangoft2-1.0.so.0 && ldconfig -p | grep -q libharfbuzz-subset.so.0; } || \
		{ [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 >/dev/null; } || \
		{ echo "PDF libraries are missing: run 'sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0'"; exit 1; }

test: install-dev browser
	$(BIN)/pytest -n $${PYTEST_WORKERS:-2}

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy twinning bench

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install-dev
	$(BIN)/python bench/run.py $(BENCH)

# Refresh the translation catalogues from the source (tests and test factories are not translated): django.po
# from Python and templates, djangojs.po from the hand-written JavaScript (its gettext() calls, served by
# /i18n/js/). The catalogue test (twinning/tests/test_translations.py) runs the same extraction.
MESSAGES_ARGS = -l fr -l es -l ru -l pt --no-location --no-obsolete --ignore "*/tests/*" --ignore "testing/*" \
	--ignore conftest.py --ignore settings_test.py
messages: install-dev gettext
	cd twinning && ../$(BIN)/django-admin makemessages $(MESSAGES_ARGS)
	cd twinning && ../$(BIN)/django-admin makemessages -d djangojs $(MESSAGES_ARGS)

clean:
	rm -rf $(VENV) var
