# consult: two commands run everything.
#   make run   - set up .venv, migrate a SQLite database under instance/, seed the demo once, serve
#   make test  - install the test dependencies (Python, Debian's chromium and LibreOffice Writer,
#                axe-core) and run it all
#   make mutants - mutation testing of the access policy, and its score
.DEFAULT_GOAL := help
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export PORT

.PHONY: help run test lint bench mutants messages install install-test system-test-deps system-scaleout-deps clean

help:
	@echo "make run   - serve the demo at http://127.0.0.1:$(PORT) (PORT overrides)"
	@echo "make test  - install what the tests need and run the whole suite"
	@echo "make lint  - ruff check and format check"
	@echo "make bench - run the benchmarks in bench/ (results in bench/results/)"
	@echo "make messages - extract the interface's strings and update every catalogue (docs/translations.md)"
	@echo "make mutants - mutation testing of the access policy modules, and the score (docs/testing.md)"

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,prod]'
	@touch $@ $(VENV)/.installed

# The interface's catalogues (French, Spanish ...), compiled when their .po changes. A
# malformed catalogue stops the install here, not a page later.
CATALOGUES := $(wildcard consult/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGUES:.po=.mo)
BABEL_KEYWORDS := -k _l -k lazy_gettext -k ngettext:1,2 -k lazy_pgettext:1c,2

%.mo: %.po | $(BIN)/python
	@test -x $(BIN)/pybabel || $(BIN)/python -m pip install --quiet -e .
	$(BIN)/python tools/check_catalogue.py $<
	$(BIN)/pybabel compile --statistics -i $< -o $@

install: $(VENV)/.installed $(COMPILED)
install-test: $(VENV)/.installed-test $(COMPILED)

messages: install
	$(BIN)/pybabel extract -F babel.cfg $(BABEL_KEYWORDS) --no-wrap --project consult -o consult/translations/messages.pot .
	$(BIN)/pybabel update -i consult/translations/messages.pot -d consult/translations --no-wrap --ignore-obsolete --no-fuzzy-matching

run: install
	$(BIN)/consult init-db
	$(BIN)/consult demo --once
	$(BIN)/consult serve --port $(PORT)

# Debian's chromium for the browser tests, headless LibreOffice Writer for PDF (docx to PDF),
# and axe-core for the accessibility checks.
system-test-deps: system-scaleout-deps
	@if ! command -v chromium >/dev/null 2>&1; then \
		echo "Installing Debian's chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi
	@if ! command -v soffice >/dev/null 2>&1; then \
		echo "Installing Debian's headless LibreOffice Writer for the PDF exports and their tests"; \
		SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui >/dev/null; \
	fi
	@if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then \
		npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error; \
	fi

# Debian's PostgreSQL and Redis for the scale-out test (which starts its own, on loopback).
system-scaleout-deps:
	@pkgs=""; \
	ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || pkgs="$$pkgs postgresql"; \
	command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || pkgs="$$pkgs redis-server"; \
	if [ -n "$$pkgs" ]; then \
		echo "Installing Debian's$$pkgs for the scale-out test"; \
		SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$pkgs >/dev/null; \
	fi

lint: install-test
	$(BIN)/ruff check consult tests $(wildcard bench) $(wildcard tools)
	$(BIN)/ruff format --check consult tests $(wildcard bench) $(wildcard tools)

test: install-test system-test-deps
	$(BIN)/ruff check consult tests $(wildcard bench) $(wildcard tools)
	@set +e; $(BIN)/python -m pytest -q -p no:cacheprovider tests; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 0; fi; exit $$rc

# Benchmarks (not part of make test): bench/http.py and bench/live_fanout.py, then RESULT lines.
bench: install-test system-scaleout-deps
	@if ! command -v wrk >/dev/null 2>&1; then \
		echo "Installing Debian's wrk for the HTTP benchmark"; \
		SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null || true; \
	fi
	$(BIN)/python -m bench.run

# Mutation testing (not part of make test): mutmut over consult/policy.py and every
# consult/*/policy.py against the rule, leak and authorisation tests ([tool.mutmut] in
# pyproject.toml); prints the score and every mutant not killed. Working files in mutants/.
mutants: install-test
	$(BIN)/python tools/mutants.py

clean:
	rm -rf $(VENV) mutants .pytest_cache .ruff_cache tests/browser/node_modules tests/browser/artifacts
