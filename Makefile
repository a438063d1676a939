# Kvarter: `make demo` installs, migrates, seeds and serves; `make test` runs the suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

# Django 6 needs Python 3.12 or newer. Look on PATH first, then in pyenv; a pyenv
# shim that exists but cannot run is skipped (it fails `--version`).
PYTHON ?= $(shell for p in python3.13 python3.12 \
	"$$(pyenv root 2>/dev/null)/versions/3.13.0/bin/python3.13" \
	"$$(pyenv root 2>/dev/null)/versions/3.12.1/bin/python3.12" \
	$$(ls -d "$$(pyenv root 2>/dev/null)"/versions/3.1[2-9]*/bin/python3 2>/dev/null) \
	python3; do \
	  if "$$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then command -v "$$p" || echo "$$p"; break; fi; \
	done)

.PHONY: help install demo serve worker beat test test-fast lint messages compilemessages bench clean

help:
	@echo "make demo      install, migrate, load the demo data and serve on http://127.0.0.1:$(PORT)"
	@echo "make test      the whole test suite (SQLite; DATABASE_URL/REDIS_URL switch on PostgreSQL/Redis)"
	@echo "make worker    a Celery worker (needs REDIS_URL)"
	@echo "make beat      the Celery beat scheduler (needs REDIS_URL)"
	@echo "make lint      ruff check and format check"
	@echo "make messages  update the translation catalogues"

$(VENV)/.installed: pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
	  echo "Kvarter needs Python 3.12 or newer (Django 6). None was found: not python3.13 or python3.12 on PATH, nor in pyenv ($$(pyenv root 2>/dev/null || echo 'pyenv not installed'))."; \
	  echo "Install one (e.g. 'pyenv install 3.12' or your OS package python3.12) or run 'make PYTHON=/path/to/python3.12 demo'."; \
	  exit 1; fi
	@echo "Using $(PYTHON) ($$($(PYTHON) --version))"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed compilemessages

compilemessages: $(VENV)/.installed
	$(PY) scripts/check_catalogues.py --compile

demo: install
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

serve: install
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

worker: install
	@test -n "$$REDIS_URL" || { echo "Set REDIS_URL (e.g. redis://127.0.0.1:6379/0): without it tasks run in-process."; exit 1; }
	$(VENV)/bin/celery -A config worker --loglevel=INFO --concurrency=2

beat: install
	@test -n "$$REDIS_URL" || { echo "Set REDIS_URL (e.g. redis://127.0.0.1:6379/0)."; exit 1; }
	$(VENV)/bin/celery -A config beat --loglevel=INFO --schedule=/tmp/kvarter-celerybeat-schedule

test: install
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run -v 1
	$(PY) scripts/check_catalogues.py
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

messages: $(VENV)/.installed
	$(PY) manage.py makemessages --ignore=.venv --ignore=staticfiles --ignore=tests --no-obsolete -l sv -l nl -l en
	$(PY) scripts/check_catalogues.py --fill-english

bench: install
	$(PY) bench/report_bench.py
	$(PY) bench/matching_bench.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
