PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: setup run serve test lint format check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# Creates the venv, installs, migrates and loads the fixtures into an empty database.
setup: $(VENV)/.installed
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py seed

run: setup
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# As in production (docs/deploy.md): collected static files served by gunicorn.
# The system checks refuse a page cache that several workers could serve stale.
serve: $(VENV)/.installed
	$(BIN)/python manage.py check --fail-level ERROR
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	$(BIN)/gunicorn config.wsgi --bind 127.0.0.1:$(PORT) --workers $${WEB_CONCURRENCY:-2}

# The browser tests' npm tools (axe-core, vnu-jar), when npm is there; without
# them (or without chromium and java) the browser tests are skipped, saying why.
NPM := $(shell command -v npm)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: setup $(if $(NPM),node_modules/.installed)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# What CI checks besides the tests.
check: $(VENV)/.installed
	$(BIN)/python manage.py check
	DJANGO_DEBUG=false DJANGO_SECRET_KEY=$$($(BIN)/python -c 'from django.core.management.utils import get_random_secret_key as k; print(k())') DJANGO_ALLOWED_HOSTS=example.org DJANGO_SITE_URL=https://example.org REDIS_URL=redis://127.0.0.1:6379/0 $(BIN)/python manage.py check --deploy --fail-level WARNING
	$(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_DEBUG=false DJANGO_SECRET_KEY=collectstatic-only DJANGO_SITE_URL=https://example.org $(BIN)/python manage.py collectstatic --no-input --verbosity 0
