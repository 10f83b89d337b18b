# Two commands for a newcomer:  make run  (the whole system with demo data)  and  make test.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8000
RUN_REDIS_URL := $(or $(REDIS_URL),redis://127.0.0.1:6379/0)

.PHONY: run test lint browser clean help bench bench-profile bench-data bench-pages

help:
	@echo "make run   - install, migrate, load the demo city, train the demo classifier, start web + Celery worker + beat on :$(PORT)"
	@echo "make test  - install test requirements and run the whole suite (lint, migrations check, pytest)"
	@echo "make bench - benchmark figures on a throw-away stack (PostgreSQL and Redis on localhost; see README)"
	@echo "make bench-data  - generate a year of appeals into the bench_data database (see README)"
	@echo "make bench-pages - time the busy pages on the generated bench_data (run make bench-data first)"

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.test-installed: $(VENV)/.installed tests/requirements.txt
	$(PIP) install -q --disable-pip-version-check -r tests/requirements.txt
	touch $@

run: $(VENV)/.installed
	@export DEBUG=$${DEBUG:-1} REDIS_URL=$(RUN_REDIS_URL) ROUTING_TO_DISTRICT=$${ROUTING_TO_DISTRICT:-1}; \
	if ! $(PY) -c "import os, redis; redis.Redis.from_url(os.environ['REDIS_URL'], socket_connect_timeout=1).ping()" 2>/dev/null; then \
	  if command -v redis-server >/dev/null; then \
	    port=$$($(PY) -c "import os; from urllib.parse import urlparse; print(urlparse(os.environ['REDIS_URL']).port or 6379)"); \
	    echo "Starting a local redis-server on port $$port (stopped again with the rest)"; mkdir -p var; \
	    export REDIS_PIDFILE="$$PWD/var/redis.pid"; \
	    redis-server --daemonize yes --bind 127.0.0.1 --port $$port --save "" --appendonly no --dir "$$PWD/var" \
	      --logfile "$$PWD/var/redis.log" --pidfile "$$REDIS_PIDFILE"; \
	    sleep 1; \
	  else \
	    echo "Redis is not answering at $$REDIS_URL: install it (apt-get install redis-server) or set REDIS_URL."; exit 1; \
	  fi; \
	fi; \
	$(PY) manage.py migrate --noinput && \
	$(PY) manage.py load_demo_city && \
	$(PY) manage.py load_demo_activity && \
	$(PY) manage.py load_demo_knowledge && \
	$(PY) manage.py train_classifier && \
	PY=$(PY) CELERY=$(VENV)/bin/celery PORT=$(PORT) exec bin/run-services

browser:
	@if ! command -v chromium >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is not installed: browser tests will be skipped (apt-get install chromium)"; fi; \
	fi

# axe-core (the accessibility check of the browser tests), pinned in tests/package-lock.json.
tests/node_modules/.package-lock.json: tests/package-lock.json
	@if ! command -v npm >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian's npm for the browser tests' accessibility check"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
	fi
	@if command -v npm >/dev/null; then cd tests && npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm is not installed: the accessibility check will be skipped (apt-get install npm)"; fi

lint: $(VENV)/.test-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

test: $(VENV)/.test-installed tests/node_modules/.package-lock.json browser lint
	$(VENV)/bin/pytest

# Benchmarks (README, "Benchmarks"): a throw-away PostgreSQL database, gunicorn and Celery workers.
bench: $(VENV)/.installed
	$(PY) -m bench load

bench-profile: $(VENV)/.installed
	$(PY) -m bench profile

bench-data: $(VENV)/.installed
	$(PY) -m bench data

bench-pages: $(VENV)/.installed
	$(PY) -m bench pages

clean:
	rm -rf $(VENV) var
