# OrderGate build, run and test entry points. `make help` lists the targets.
# Everything the project needs is installed from here (PyPI, npm, Debian): a fresh clone runs
# `make run` or `make test` and nothing else. Stamp files make repeated calls cheap no-ops.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=
LOCALE ?=

# Stamps live inside the directory they describe, so deleting .venv or node_modules also
# forgets that they were installed.
VENV_STAMP := $(VENV)/.requirements.stamp
NODE_STAMP := node_modules/.package-lock.stamp
DIST := app/static/dist
ASSETS_STAMP := $(DIST)/.build.stamp
ASSET_SOURCES := $(wildcard assets/* assets/*/* assets/*/*/*) scripts/build_assets.mjs
TRANSLATIONS := app/translations
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# PostgreSQL-only tests are deselected (not skipped) when no DATABASE_URL is given.
PYTEST_MARKERS := $(if $(DATABASE_URL),,-m "not postgres")

export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PIP_NO_INPUT := 1
export DEBIAN_FRONTEND := noninteractive

# Prerequisites run in the order written (run: setup db demo deploy), even under make -j.
.NOTPARALLEL:

.PHONY: help setup venv assets browser i18n i18n-compile i18n-init db deploy demo run test \
	contracts bench bench-smoke bench-timers reliability lint format clean

## help: list the targets
help:
	@grep -E '^## ' $(MAKEFILE_LIST) | sed 's/^## /  /'

## setup: everything needed to run and test: venv + assets + browser + compiled translations
setup: venv assets browser i18n-compile

## venv: create .venv with python3.11 if missing and install requirements.txt (reruns when it changes)
venv: $(VENV_STAMP)

$(VENV_STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -r requirements.txt
	$(BIN)/python -m pip check
	touch $@

## assets: npm ci (when node_modules is missing or package-lock.json changed), then esbuild into app/static/dist/
assets: $(ASSETS_STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

$(ASSETS_STAMP): $(NODE_STAMP) $(ASSET_SOURCES)
	npm run --silent build
	touch $@

## browser: install Debian's chromium, CJK fonts (screenshots) and the PDF's font when missing; no-op otherwise
# fonts-wqy-microhei is the TrueType CJK font that app/pdf embeds (reportlab cannot embed the
# CFF-based Noto CJK; see docs/PDF.md). `dpkg -s` also succeeds for a removed package whose
# config files remain, so the check asks dpkg-query for each package's status instead.
BROWSER_DEBS := chromium fonts-noto-cjk fonts-wqy-microhei
browser:
	@missing=$$(for pkg in $(BROWSER_DEBS); do \
		[ "$$(dpkg-query -W -f='$${db:Status-Status}' $$pkg 2>/dev/null)" = installed ] || echo $$pkg; \
	done); \
	if [ -x /usr/bin/chromium ] && [ -z "$$missing" ]; then \
		echo "$(BROWSER_DEBS) already installed"; \
	else \
		$(SUDO) apt-get update -q && \
		$(SUDO) apt-get install -y -q $(BROWSER_DEBS); \
	fi

## i18n: extract messages to app/translations/messages.pot, update the catalogues, compile them
i18n: venv
	mkdir -p $(TRANSLATIONS)
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 \
		-c TRANSLATORS: --no-location --sort-output --project OrderGate -o $(TRANSLATIONS)/messages.pot .
	@if compgen -G "$(TRANSLATIONS)/*/LC_MESSAGES/messages.po" >/dev/null; then \
		$(BIN)/pybabel -q update --ignore-obsolete --ignore-pot-creation-date -i $(TRANSLATIONS)/messages.pot \
			-d $(TRANSLATIONS); \
	else \
		echo "no catalogue yet: make i18n-init LOCALE=zh_Hans_CN"; \
	fi
	$(MAKE) --no-print-directory i18n-compile

## i18n-init: start a catalogue for a new language, e.g. make i18n-init LOCALE=zh_Hans_CN
# The folder must be named str(babel.Locale.parse(LOCALE)) because that is where Flask-Babel looks:
# Babel 2.18 turns zh_CN into zh_Hans_CN, so a zh_CN/ folder would never be loaded. LOCALE is
# normalised here, so LOCALE=zh_CN also ends up in zh_Hans_CN/.
i18n-init: venv
	@test -n "$(LOCALE)" || { echo "usage: make i18n-init LOCALE=zh_Hans_CN"; exit 2; }
	@test -f $(TRANSLATIONS)/messages.pot || $(MAKE) --no-print-directory i18n
	folder=$$($(BIN)/python -c 'import sys; from babel import Locale; print(Locale.parse(sys.argv[1]))' \
		"$(LOCALE)"); \
	$(BIN)/pybabel init -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) -l "$$folder"

## i18n-compile: compile app/translations/*/LC_MESSAGES/*.po to .mo when the .po is newer (none: nothing to do)
# A file rule rather than a recompile on every call: .ci/run runs two test passes at once, and a
# pass must never read a catalogue the other is rewriting.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po))
i18n-compile: $(MO_FILES)

$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po | $(VENV_STAMP)
	$(BIN)/pybabel -q compile -i $< -o $@.tmp && mv $@.tmp $@

## db: apply the database migrations (SQLite file under instance/ unless DATABASE_URL is set)
db: venv
	$(FLASK) db upgrade

## deploy: deploy workflows/ and forms/ into the database as process and form versions
deploy: venv
	$(FLASK) workflows deploy

## demo: load the demo data (users, departments, sample orders)
demo: venv
	$(FLASK) seed-demo

## run: setup, migrate, seed, deploy, then serve on HOST:PORT (default 127.0.0.1:5000) with the worker thread
# demo comes before deploy: deploying needs the departments that seed-demo creates (both are idempotent).
run: setup db demo deploy
	$(FLASK) serve --host $(HOST) --port $(PORT)

## test: setup, the import contracts and ruff check, then pytest; without DATABASE_URL the `postgres` tests are deselected (PYTEST_ARGS passes more)
# The contracts and lint run first (under a second together) so CI, which runs `make test`,
# refuses code that breaks the layering or the lint before spending minutes on the suite.
test: setup contracts lint
	$(BIN)/python -m pytest $(PYTEST_MARKERS) $(PYTEST_ARGS)

## contracts: check the import rules (pyproject.toml [tool.importlinter], see docs/ARCHITECTURE.md)
contracts: venv
	$(BIN)/lint-imports

## bench: every benchmark (bench/run.py; PostgreSQL on 127.0.0.1:5432), writes bench/results.json; exit 1 on a missed target
bench: venv
	$(BIN)/python bench/run.py

## bench-smoke: every benchmark at tiny sizes (bench/results.smoke.json); fails on errors or missing keys, never on a timing
bench-smoke: venv
	$(BIN)/python bench/run.py --smoke

## bench-timers: 200 timers due at once, 2 worker processes on PostgreSQL; p50/p99 lag (bench/timer_burst.json)
bench-timers: venv
	$(BIN)/python bench/timer_burst.py

## reliability: the harness at full size (-m reliability) on SQLite, and on PostgreSQL when it answers on 127.0.0.1:5432; regenerates docs/RELIABILITY.md
# Both passes run even if the first fails; the report shows the failures and make then fails.
REL_DIR := build/reliability
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
reliability: setup
	mkdir -p $(REL_DIR)
	rm -f $(REL_DIR)/*.jsonl $(REL_DIR)/*.xml
	status=0; passes="sqlite=$(REL_DIR)/sqlite.jsonl,$(REL_DIR)/sqlite.xml"; \
	env -u DATABASE_URL RELIABILITY=full RELIABILITY_REPORT=$(CURDIR)/$(REL_DIR)/sqlite.jsonl \
		$(BIN)/python -m pytest -q -m "reliability and not postgres" \
		--junitxml=$(REL_DIR)/sqlite.xml $(PYTEST_ARGS) || status=1; \
	if $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2)" 2>/dev/null; then \
		DATABASE_URL=$(PG_URL) RELIABILITY=full \
		RELIABILITY_REPORT=$(CURDIR)/$(REL_DIR)/postgresql.jsonl \
		$(BIN)/python -m pytest -q -m reliability --junitxml=$(REL_DIR)/postgresql.xml \
		$(PYTEST_ARGS) || status=1; \
		passes="$$passes postgresql=$(REL_DIR)/postgresql.jsonl,$(REL_DIR)/postgresql.xml"; \
	else \
		echo "PostgreSQL does not answer on 127.0.0.1:5432: SQLite pass only"; \
	fi; \
	RELIABILITY=full $(BIN)/python scripts/reliability_report.py docs/RELIABILITY.md $$passes; \
	exit $$status

## lint: ruff check
lint: venv
	$(BIN)/ruff check .

## format: ruff format (rewrites files)
format: venv
	$(BIN)/ruff format .

## clean: remove built assets, compiled translations, caches and test artefacts (keeps .venv, node_modules, instance/)
clean:
	rm -rf $(DIST) test-results .pytest_cache .ruff_cache .import_linter_cache build/reliability
	find app -name '*.mo' -delete
	find . -path ./.venv -prune -o -path ./node_modules -prune -o -name __pycache__ -type d -print \
		| xargs -r rm -rf
