# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install migrate lint typecheck bench clean messages

# Translations (handlers/locale/README.md): the .po files are committed, the compiled
# .mo files are built from them here (and by install), never committed.
LOCALE := handlers/locale
PO := $(wildcard $(LOCALE)/*/LC_MESSAGES/brygada.po)
MO := $(PO:.po=.mo)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11+ is needed ($(PYTHON) not found)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(LOCALE)/%/LC_MESSAGES/brygada.mo: $(LOCALE)/%/LC_MESSAGES/brygada.po $(STAMP)
	$(BIN)/pybabel -q compile -D brygada -i $< -o $@

install: $(STAMP) $(MO)

VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)

# Extract the words of templates and handlers, merge them into every catalog, compile.
# Each .po keeps its own header (comment, version, team, translator: edited by hand);
# POT-Creation-Date is left alone, so catalogs changed on two branches do not conflict on it.
messages: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg -k _l:1c,2 -c TRANSLATORS: --add-location=file \
		--project=Brygada --version=$(VERSION) --copyright-holder="the Brygada authors" \
		--msgid-bugs-address="the Brygada issue tracker" \
		--header-comment="# Brygada's replies, buttons and words (English, the source)." \
		--sort-by-file -w 100 -o $(LOCALE)/brygada.pot .
	$(BIN)/pybabel -q update -D brygada -i $(LOCALE)/brygada.pot -d $(LOCALE) -w 100 \
		--ignore-obsolete --ignore-pot-creation-date
	$(BIN)/pybabel -q compile -D brygada -d $(LOCALE) --statistics

migrate: install
	$(BIN)/brygada migrate

run: migrate
	$(BIN)/brygada run

test: install
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo

bench: migrate
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
