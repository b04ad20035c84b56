# OCOP marketplace. `make run` serves the demo shop, `make test` runs the tests.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi
# wsgi.py alone runs production; the commands here run the development shop unless told otherwise
export MARKETPLACE_CONFIG ?= development
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run setup test lint lock translations compile-translations clean bench mutation

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

compile-translations: $(VENV)/.installed
	$(BIN)/pybabel -q compile -d translations
	$(BIN)/pybabel -q compile -d translations -D wtforms

setup: $(VENV)/.installed compile-translations
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load
	$(BIN)/flask search reindex

run: setup
	$(BIN)/flask run --host $(HOST) --port $(PORT)

test: $(VENV)/.installed compile-translations lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# After changing interface strings: extract them and merge into both catalogues, then translate
# the new entries in translations/vi/LC_MESSAGES/messages.po (tests fail while one is missing).
translations: $(VENV)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg -k lazy_gettext -k _l --no-location --sort-output -w 120 \
		-o translations/messages.pot .
	$(BIN)/pybabel -q update -i translations/messages.pot -d translations -w 120 --no-fuzzy-matching

bench: $(VENV)/.installed compile-translations
	$(BIN)/python bench/storefront.py

clean:
	rm -rf $(VENV) instance .pytest_cache

# After changing requirements.in or requirements-dev.in: pin them again (the same versions unless a range moved).
lock: $(VENV)/.installed
	$(BIN)/pip-compile -q --no-header --strip-extras --no-emit-index-url --no-emit-find-links \
		--output-file requirements.txt requirements.in
	$(BIN)/pip-compile -q --no-header --strip-extras --no-emit-index-url --no-emit-find-links \
		--output-file requirements-dev.txt requirements-dev.in

# The rule modules under mutation (setup.cfg says which): mutants the tests do not notice are listed at the end.
mutation: $(VENV)/.installed compile-translations
	$(BIN)/mutmut run --max-children 2
	$(BIN)/mutmut results

# ruff.toml says which rules; .importlinter which package may import which (ARCHITECTURE.md explains both)
lint: $(VENV)/.installed
	$(BIN)/ruff check marketplace tests bench config.py wsgi.py gunicorn.conf.py
	$(BIN)/lint-imports --no-cache
