# The targets are the real commands; `make run` and `make test` set up .venv themselves.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test lint typecheck unit eval speed model bench clean

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
	$(VENV)/bin/assist eval --speed

# What one suggestion costs as a multiple of jieba segmenting the same real messages.
speed: $(STAMP)
	$(VENV)/bin/assist eval --speed

# Retrain intent_model.json from the phrasebook's examples and tests/data (deterministic;
# scikit-learn is only needed here, from the 'train' extra).
model: $(STAMP)
	$(PY) -m pip install --quiet -c constraints.txt -e '.[train]'
	$(PY) -m assist.evaluation.train

bench: $(STAMP)
	$(VENV)/bin/assist bench --spawn --conversations 2000 --rate 6000 --duration 10 --drain 5
	$(VENV)/bin/assist bench --spawn --conversations 10000 --rate 2000 --duration 5 --drain 20

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
