# Two commands do all set-up on a fresh machine with Python 3.11 and pip: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: install migrate run test test-integration lint bench chaos load audit clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# Bytecode compiled ahead (only stale files are rewritten): where PYTHONDONTWRITEBYTECODE is set,
# imports would otherwise compile from source every time, and the workflow sandbox re-imports each
# workflow's module for every workflow run it loads.
install: $(STAMP)
	$(PY) -m compileall -q -j 0 common services workflows infra tools bench

migrate: install
	$(PY) -m infra.migrate
	$(PY) -m services.evaluation.cli sync-admin-units
	$(PY) -m services.evaluation.cli sync-plans
	$(PY) -m services.evaluation.cli seed-demo

run: migrate
	STACK_STARTED_AT=$$(date +%s.%N) $(VENV)/bin/honcho -f infra/Procfile -d $(CURDIR) start

test: install
	$(PY) -m pytest

test-integration: install
	$(PY) -m pytest -m integration

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Benchmarks beside their baselines (bench/README.md): `make bench`, or e.g. BENCH="import_households --quick".
bench: install
	$(PY) -m bench.run $(BENCH)

# Chaos run (tools/chaos/run.py, docs/chaos.md): the real stack on free ports, SIGKILLed at random while cases
# go through the lifecycle; e.g. CHAOS="--quick" for a smoke run, CHAOS="--cases 500 --seed 7".
chaos: install
	$(PY) -m tools.chaos $(CHAOS)

# 50 reviewers on one ward for 60 s under gunicorn (bench/load_reviewers.py): no errors, no lost update.
load: install
	$(PY) -m bench.load_reviewers $(LOAD)

# Known vulnerabilities in the installed dependencies (needs pypi.org's JSON API; docs/security.md).
audit: install
	$(VENV)/bin/pip-audit --progress-spinner off

clean:
	rm -rf var
