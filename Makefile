# Dossier: `make run` serves the demo site, `make test` runs the whole suite.
# Both set themselves up: they find a Python >= 3.12 (the machine's python3 may be 3.11, on which
# pip would quietly install an older Django), create .venv and install the pinned requirements.

SHELL := /bin/bash
PORT ?= 8000
# The suite runs on every core (pytest-xdist); `make test PYTEST_ARGS="-n0 -x"` runs it serially.
PYTEST_ARGS ?= -n auto
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# First interpreter that really runs and is >= 3.12: explicit PYTHON, python3.14..3.12 on PATH,
# pyenv's installed versions (its shims fail unless selected), then plain python3.
PYTHON ?= $(shell for c in python3.14 python3.13 python3.12 \
	$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV) python3; do \
	"$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { command -v "$$c" || echo "$$c"; } && break; \
	done)

.PHONY: install run test lint format bench profile profile-cold bench-scale bench-alerts bench-varnish tools check clean screenshots

$(STAMP): requirements.txt requirements-dev.txt
	@if [ -z "$(PYTHON)" ]; then \
		echo "Dossier needs Python >= 3.12 (Django 6.1 does not run on older versions)." >&2; \
		echo "None found: tried python3.14, python3.13, python3.12, pyenv's versions and python3." >&2; \
		echo "Install one (e.g. 'pyenv install 3.13') or run: make PYTHON=/path/to/python3.13 ..." >&2; \
		exit 1; fi
	@if [ -x $(PY) ] && ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		echo "Replacing $(VENV): it was made with a Python older than 3.12."; rm -rf $(VENV); fi
	@[ -x $(PY) ] || { echo "Creating $(VENV) with $(PYTHON)"; "$(PYTHON)" -m venv $(VENV); }
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

install: $(STAMP)

# The demo is the fictional Northgate Institute; feeds, canonical URLs and emails point at this port.
DEMO_ENV := DEBUG=1 SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} SITE_NAME="$${SITE_NAME:-Northgate Institute}"

# The web server and, beside it, the worker that sends email alerts (printed to this terminal in
# DEBUG). Ctrl-C stops both: a background job of a script ignores SIGINT, so the trap stops it.
run: install
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py load_demo
	@$(DEMO_ENV) $(PY) manage.py alerts_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djhtml --check templates

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(VENV)/bin/djhtml templates

check: install
	DEBUG=1 $(PY) manage.py check
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

# Tools the browser, HTML-validation and deploy (nginx) tests need (CI installs them; `make test` skips without them).
tools: node_modules/.installed
	@command -v chromium >/dev/null || { echo "Installing Debian's chromium"; \
		apt-get install -y -q chromium >/dev/null || { apt-get update -q && apt-get install -y -q chromium; }; }
	@command -v jing >/dev/null || { echo "Installing Debian's jing (RELAX NG validator for the Atom feed test)"; \
		apt-get install -y -q jing >/dev/null || { apt-get update -q && apt-get install -y -q jing; }; }
	@command -v nginx >/dev/null || { echo "Installing Debian's nginx (the deploy test runs deploy/nginx/dossier.conf)"; \
		apt-get install -y -q nginx-light >/dev/null 2>&1 || apt-get install -y -q nginx >/dev/null 2>&1 || \
		{ apt-get update -q && apt-get install -y -q nginx; }; }
	@command -v systemd-analyze >/dev/null || { echo "Installing Debian's systemd (systemd-analyze checks deploy/'s units)"; \
		apt-get install -y -q systemd >/dev/null || { apt-get update -q && apt-get install -y -q systemd; }; }
	@command -v wrk >/dev/null || { echo "Installing Debian's wrk (the load generator of make bench)"; \
		apt-get install -y -q wrk >/dev/null || { apt-get update -q && apt-get install -y -q wrk; }; }
	@command -v openssl >/dev/null || { echo "Installing openssl (the deploy test's certificate)"; \
		apt-get install -y -q openssl >/dev/null || { apt-get update -q && apt-get install -y -q openssl; }; }
	@# WeasyPrint (PDFs of briefs) needs Pango and HarfBuzz; social cards use the DejaVu fonts.
	@dpkg -s libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core >/dev/null 2>&1 || { \
		echo "Installing Pango, HarfBuzz and DejaVu fonts (PDFs and social cards)"; \
		apt-get install -y -q libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core >/dev/null || \
		{ apt-get update -q && apt-get install -y -q libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core; }; }
	@{ command -v varnishd >/dev/null && ls /usr/lib/*/varnish/vmods/libvmod_xkey.so >/dev/null 2>&1; } || { \
		echo "Installing Debian's varnish and varnish-modules (xkey: the Varnish test, deploy/varnish)"; \
		apt-get install -y -q varnish varnish-modules >/dev/null || \
		{ apt-get update -q && apt-get install -y -q varnish varnish-modules; }; }

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# README screenshots of the public site (throw-away database, Debian's chromium; see the script's docstring).
screenshots: install
	$(PY) scripts/screenshots.py

# Hits and misses of every page against a floor, edit under load, Varnish; writes bench/results/ (README,
# "Speed, and the benchmark"). BENCH_DATABASE_URL=postgres://... for PostgreSQL, BENCH_BRIEFS=100000.
bench: install
	$(PY) bench/run.py

# Brief and issue miss latency at 1,000 and 100,000 briefs (BENCH_REUSE=1 keeps the databases).
# Where an uncached page's time goes (pyinstrument) on the database `BENCH_REUSE=1 make bench` kept:
# `make profile PAGE=brief` (home, brief, issue, expert, type, briefs, ... or a path).
profile: install
	$(PY) bench/profile_page.py "$(or $(PAGE),brief)"

# Where a cold brief page's time goes (#21): the first render of one brief on an emptied cache.
profile-cold: install
	$(PY) bench/profile_page.py --cold

bench-scale: install
	$(PY) bench/run.py --scale

# One brief published to 10,000 email subscribers: real worker, real SMTP sink (bench/alerts.py).
bench-alerts: install
	$(PY) bench/alerts.py

# Pages from Varnish (deploy/varnish) against a static file from Varnish (needs make tools, wrk).
bench-varnish: install
	$(PY) bench/varnish.py

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache staticfiles var
