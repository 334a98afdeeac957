# Keystone: `make run` opens the dashboard on the demo data, `make test` runs every test.
# Both create or refresh the virtual environment in .venv themselves.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
HOST ?= 127.0.0.1
PORT ?= 8501

.PHONY: run test test-fast lint bench demo browser venv clean-db load

$(VENV)/.run-installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: $(VENV)/.run-installed
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

venv: $(VENV)/.run-installed

## run: install, build the demo database if there is none, and serve on $(HOST):$(PORT)
run: $(VENV)/.run-installed
	$(VENV)/bin/keystone demo > /dev/null
	$(VENV)/bin/streamlit run app.py --server.address $(HOST) --server.port $(PORT)

## demo: rebuild the database from the shipped demo exports
demo: $(VENV)/.run-installed
	$(VENV)/bin/keystone demo --force > /dev/null

## browser: Debian's Chromium and CJK fonts for the browser tests
browser:
	@if command -v chromium > /dev/null && fc-list 2> /dev/null | grep -qi "Noto Sans CJK"; then \
		echo "chromium and fonts-noto-cjk present"; \
	else \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk; \
	fi

## test: every test, browser tests included
test: $(VENV)/.test-installed browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -q

## test-fast: everything but the browser tests
test-fast: $(VENV)/.test-installed
	$(PY) -m pytest -q -m "not e2e"

lint: $(VENV)/.test-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## bench: ingest, concentration, discount and segment figures against raw DuckDB SQL and pandas, and the cached page rerun
bench: $(VENV)/.test-installed
	$(PY) benchmarks/bench_ingest.py
	$(PY) benchmarks/bench_concentration.py
	$(PY) benchmarks/bench_page.py
	$(PY) benchmarks/bench_discounts.py
	$(PY) benchmarks/bench_segments.py

## load: 10 headless Chromium sessions on every page of a 1M-row database for 120 s (tests/load/)
load: $(VENV)/.test-installed browser
	$(PY) -m tests.load.run_load $(LOAD_ARGS)
