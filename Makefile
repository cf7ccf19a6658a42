# Parcours: `make run` (the demo on http://127.0.0.1:$PORT) and `make test` (what CI runs).
# Stamp files make repeated runs skip pip/npm when pyproject.toml/package.json did not change.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
PORT ?= 8000
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?=
CHROMIUM := /usr/bin/chromium

PY_STAMP := $(VENV)/.parcours-installed
NODE_STAMP := node_modules/.parcours-installed
ASSETS_STAMP := app/static/dist/.parcours-built

.PHONY: run test assets deps pango chromium clean distclean

run: export PARCOURS_DEMO := 1
run: deps assets
	$(FLASK) db upgrade
	$(FLASK) processes sync
	$(FLASK) demo seed
	$(FLASK) launch --port $(PORT)

# pytest exits 5 when it collects nothing: make treats that, like any failure, as an error.
test: deps assets chromium
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) tests/ $(PYTEST_ARGS)

deps: $(PY_STAMP) pango

assets: $(ASSETS_STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    rm -rf $(VENV); apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv; \
	    $(PYTHON) -m venv $(VENV); \
	  else echo "python3 -m venv failed: install python3-venv" >&2; exit 1; fi; }

$(PY_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

$(NODE_STAMP): package.json $(wildcard package-lock.json)
	if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; \
	else npm install --no-audit --no-fund; fi
	touch $@

$(ASSETS_STAMP): $(NODE_STAMP) scripts/build-assets.mjs $(shell find assets -type f) app/engine/bpmn_extensions.json
	node scripts/build-assets.mjs
	touch $@

# WeasyPrint (the PASS IAE certificate in PDF) needs Debian's pango.
pango:
	@if ! /sbin/ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0'; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0; \
	  else echo "warning: pango missing (apt-get install libpango-1.0-0 libpangoft2-1.0-0): PDF certificates will fail" >&2; fi; \
	fi

# The browser tests need Debian's chromium (Playwright's own download is not used).
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "warning: $(CHROMIUM) missing (apt-get install chromium): browser tests will fail" >&2; fi; \
	fi

clean:
	rm -rf app/static/dist .pytest_cache $(PY_STAMP) $(NODE_STAMP)
	find . -path ./$(VENV) -prune -o -path ./node_modules -prune -o \
	  -name __pycache__ -type d -prune -exec rm -rf {} + 

# Also drops the virtualenv and node_modules (instance/, the local database, is kept).
distclean: clean
	rm -rf $(VENV) node_modules
