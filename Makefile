# chainkg: every entry point a newcomer and CI need. `make run` and `make test` do all set-up.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Python 3.12 from pyenv (selected by .python-version), else whatever python3.12 is on PATH.
PYTHON ?= $(shell pyenv which python 2>/dev/null || command -v python3.12)
VENV   := .venv
BIN    := $(VENV)/bin
GRAPH  ?= falkordb-lite:///$(CURDIR)/data/chainkg
HOST   ?= 127.0.0.1
PORT   ?= 8000
PYTEST_ARGS ?=

.PHONY: help install browser-deps run test test-fast lint format bench neo4j-server clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml api/web/package-lock.json
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 12), "chainkg needs Python 3.12+ (pyenv install 3.12)"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip
	$(BIN)/pip install -e '.[dev]'
	cd api/web && npm ci --no-audit --no-fund
	touch $@

install: $(BIN)/.installed ## create .venv, install chainkg with its dev tools, and the web UI's npm packages

# The browser tests drive Debian's chromium; a CJK font makes their screenshots readable.
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi 'wenquanyi\|wqy'; then \
		echo "installing chromium and a CJK font from Debian's packages"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei; \
	fi

run: install ## load the bundled Baiyin dataset into the embedded store and serve the API on 127.0.0.1:8000
	$(BIN)/chainkg --graph '$(GRAPH)' load baiyin
	$(BIN)/chainkg --graph '$(GRAPH)' serve --host $(HOST) --port $(PORT)

neo4j-server: ## build the Neo4j 5.26 test server (Maven, Java 17)
	cd tests/neo4j_server && mvn -q -B package

test: install browser-deps ## start a real Neo4j, run every test on both engines and in chromium, stop Neo4j
	$(BIN)/python tests/neo4j_server/harness.py -- $(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: install ## the suite on the embedded engine only (no Neo4j, no browser, nothing slow)
	$(BIN)/python -m pytest -m 'not neo4j and not slow and not browser' $(PYTEST_ARGS)

lint: install ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

BENCH_SCALE ?= national
bench: install ## every benchmark on both engines (starts a Neo4j test server); report in benchmarks/
	$(BIN)/python tests/neo4j_server/harness.py -- sh -c '$(BIN)/chainkg bench --scale $(BENCH_SCALE) --neo4j "$$CHAINKG_TEST_NEO4J" --out benchmarks'

clean:
	rm -rf $(VENV) data tests/neo4j_server/target api/web/node_modules .pytest_cache .mypy_cache .ruff_cache test-artifacts
