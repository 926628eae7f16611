# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HUMSTATS := $(VENV)/bin/humstats
DEMO_DATA ?= data
DEMO_REPORTS ?= reports

.PHONY: demo test lint bench clean-demo

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	$(HUMSTATS) --data $(DEMO_DATA) ingest --mapping-dir examples/mappings examples/tables/*
	$(HUMSTATS) --data $(DEMO_DATA) status

test: $(VENV)/.installed
	$(VENV)/bin/ruff check src tests bench
	$(PY) -m pytest

bench: $(VENV)/.installed
	$(PY) -m pip install -q -e '.[test,bench]'
	$(PY) bench/ingest.py
