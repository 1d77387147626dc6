# Twinning: `make demo` to try it, `make test` to run the whole suite. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
UV_VERSION := 0.13.9
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: help install install-dev demo serve test test-fast browser lint format bench clean

help:
	@echo "make demo   - install, migrate, load demo data and serve on http://127.0.0.1:$(PORT)"
	@echo "make test   - install test tools and run the whole suite (set DATABASE_URL for PostgreSQL)"
	@echo "make lint   - ruff and mypy"
	@echo "make bench  - benchmarks on the large demo profile (see bench/README.md)"

$(BIN)/uv:
	"$$(scripts/find-python)" -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

install: $(BIN)/uv
	$(BIN)/uv sync --frozen --inexact --no-dev --quiet

install-dev: $(BIN)/uv
	$(BIN)/uv sync --frozen --inexact --quiet

demo: install
	DEBUG=true $(BIN)/twinning migrate --noinput
	DEBUG=true $(BIN)/twinning demo
	DEBUG=true $(BIN)/twinning runserver 127.0.0.1:$(PORT)

serve: install
	DEBUG=true $(BIN)/twinning runserver 127.0.0.1:$(PORT)

# Browser tests use Debian's Chromium (never a downloaded browser); install it when we can.
browser:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
		{ echo "Chromium is missing: run 'sudo apt-get install chromium'"; exit 1; }

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
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var
