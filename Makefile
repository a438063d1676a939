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

.PHONY: lock help install demo serve worker beat test test-fast lint messages compilemessages bench bench-smoke audit screenshots deploy-smoke clean

help:
	@echo "make demo      install, migrate, load the demo data and serve on http://127.0.0.1:$(PORT)"
	@echo "make test      the whole test suite (SQLite; DATABASE_URL/REDIS_URL switch on PostgreSQL/Redis)"
	@echo "make worker    a Celery worker (needs REDIS_URL)"
	@echo "make beat      the Celery beat scheduler (needs REDIS_URL)"
	@echo "make lock      the lock files in requirements/ after changing a pin in pyproject.toml"
	@echo "make lint      ruff (check, format), import-linter (the layers), mypy"
	@echo "make screenshots  refresh the README's pictures in docs/screenshots (browser and PDF tests)"
	@echo "make messages  update the translation catalogues"
	@echo "make audit     known vulnerabilities in the installed dependencies (pip-audit)"
	@echo "make bench     every benchmark on PostgreSQL, S=1 (a town) by default, writes bench/results.md"
	@echo "               CAPACITY=1 adds the tablet capacity steps (~30 min); ONLY=sync_bench,capacity_bench picks sections"
	@echo "make bench-smoke  every benchmark once, briefly, to prove it works (CI)"
	@echo "make deploy-smoke  build docker-compose.yml's images, start the stack with podman, use it over HTTPS, remove it"

# Installed from the lock file with hashes (requirements/dev.txt, made by `make lock`
# from pyproject.toml), so a fresh machine gets exactly what CI tested.
$(VENV)/.installed: requirements/dev.txt
	@if [ -z "$(PYTHON)" ]; then \
	  echo "Kvarter needs Python 3.12 or newer (Django 6). None was found: not python3.13 or python3.12 on PATH, nor in pyenv ($$(pyenv root 2>/dev/null || echo 'pyenv not installed'))."; \
	  echo "Install one (e.g. 'pyenv install 3.12' or your OS package python3.12) or run 'make PYTHON=/path/to/python3.12 demo'."; \
	  exit 1; fi
	@echo "Using $(PYTHON) ($$($(PYTHON) --version))"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet --require-hashes -r requirements/dev.txt
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

# The tests save their screenshots under build/screenshots; this run saves them
# where the README shows them, on purpose.
screenshots: install
	KVARTER_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(PY) -m pytest -q -p no:randomly tests/e2e tests/reporting/test_annual_report_pdf.py

# After changing a pin in pyproject.toml: the lock files with every dependency's
# version and hashes, for the image (base, production-extras) and for development.
LOCK := $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links
lock: $(VENV)/.installed
	$(PIP) install --quiet pip-tools==7.7.0
	$(LOCK) -o requirements/base.txt pyproject.toml
	$(LOCK) --extra s3 --extra sentry -o requirements/production-extras.txt pyproject.toml
	$(LOCK) --extra dev --extra s3 --extra sentry --extra bench -o requirements/dev.txt pyproject.toml

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

messages: $(VENV)/.installed
	$(PY) manage.py makemessages --ignore=.venv --ignore=staticfiles --ignore=tests --no-obsolete -l sv -l nl -l en
	$(PY) manage.py makemessages -d djangojs --ignore=.venv --ignore=staticfiles --ignore=tests --ignore=static/vendor --no-obsolete -l sv -l nl -l en
	$(PY) scripts/check_catalogues.py --fill-english

# Benchmarks (bench/README.md): servers, wrk and locust on loopback against a
# PostgreSQL bench database (BENCH_DATABASE_URL, default kvarter_bench).
# S is the data scale (demo/bulk.py); BENCH_SMOKE=1 runs everything once, briefly.
S ?= 1
# CAPACITY=1 adds the capacity steps (about 30 minutes); ONLY=sync_bench,capacity_bench runs some sections.
bench: install
	$(if $(filter 1,$(CAPACITY)),BENCH_CAPACITY=1 )$(PY) bench/run.py --scale $(S) $(if $(filter 1,$(BENCH_SMOKE)),--smoke) $(if $(ONLY),--only $(ONLY))

bench-smoke: install
	$(PY) bench/run.py --scale $(S) --smoke

# Known vulnerabilities in the installed dependencies (pip-audit, PyPI's
# advisory data). Fails on any known vulnerability. A package the advisory
# service cannot answer for is listed, not failed: a PyPI mirror without
# per-release data (as on the development machines) can audit nothing.
audit: install
	$(VENV)/bin/pip-audit --local --vulnerability-service pypi --progress-spinner off --skip-editable

clean:
	rm -rf $(VENV) staticfiles .pytest_cache

# The production stack (docker-compose.yml) built, started with podman, used
# over HTTPS and removed: scripts/deploy_smoke.py says what it checks.
deploy-smoke: install
	$(PY) scripts/deploy_smoke.py $(DEPLOY_SMOKE_ARGS)
