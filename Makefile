# The targets are the real commands; `make run` and `make test` set up .venv themselves.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run demo test lint typecheck unit eval speed model bench cost fuzz clean

# constraints.txt pins the versions the suite last passed with, so a new release of a
# dependency cannot turn a clean clone red overnight.
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/assist serve

# A fresh throw-away database, a sample catalogue and simulated conversations; open
# http://127.0.0.1:8000/supervisor. PORT=8100 make demo picks another port.
demo: $(STAMP)
	$(VENV)/bin/assist demo --port $(or $(PORT),8000)

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
	$(VENV)/bin/assist bench

# CPU per ingested event by thread group, in-process (no network, no load generator).
cost: $(STAMP)
	$(PY) -m assist.bench_cost

# The fuzz suite at length: 200,000 generated frames through the parser and the core,
# 200 schemathesis cases per operation and mode, 5,000 frames down a live ingest socket.
fuzz: $(STAMP)
	ASSIST_FUZZ_EXAMPLES=4000 $(PY) -m pytest -q -p no:cacheprovider \
		tests/security/test_fuzz.py tests/security/test_fuzz_live.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
