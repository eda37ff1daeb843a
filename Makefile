# The targets are the real commands; `make run` and `make test` set up .venv themselves.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test lint typecheck unit eval bench clean

# constraints.txt pins the versions the suite last passed with, so a new release of a
# dependency cannot turn a clean clone red overnight.
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/assist serve

test: lint typecheck unit

lint: $(STAMP)
	$(PY) -m ruff check assist tests
	$(PY) -m ruff format --check assist tests

typecheck: $(STAMP)
	$(PY) -m mypy

unit: $(STAMP)
	$(PY) -m pytest

eval: $(STAMP)
	$(VENV)/bin/assist eval

bench: $(STAMP)
	$(VENV)/bin/assist bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
