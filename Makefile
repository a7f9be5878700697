# 开放广东 — the two commands: `make run` and `make test`. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help
GD_SHARED ?= $(abspath $(CURDIR)/../shared)
export GD_SHARED

help:
	@echo "make run               set up everything and serve the portal at http://127.0.0.1:$${GD_WEB_PORT:-5000}"
	@echo "make test              set up the same on a test database and run the whole test suite"
	@echo "make stop              stop every process 'make run' started, and PostgreSQL and Redis"
	@echo "make demo              (re)load the demo catalog into the running setup"
	@echo "make lint              ruff and pyright (standard mode) on the code; both must report 0 errors"
	@echo "make test-ckan-search  CKAN's own search tests against our PostgreSQL search backend"
	@echo "make solr              build (once) and start a local Solr 9 on 127.0.0.1:$${GD_SOLR_PORT:-8983} (scripts/solr.sh)"
	@echo "make test-solr         the engine-neutral search tests, CKAN's search suite and SolrCloud on real Solr"
	@echo "make bench             run the benchmarks in bench/ (slow; figures go to docs/benchmarks.md)"

setup:
	@scripts/setup.sh run

run: setup
	@scripts/run.sh

stop:
	@scripts/stop.sh

demo: setup
	@scripts/ckan guangdong demo load

test:
	@scripts/test.sh

lint:
	@scripts/lint.sh

test-ckan-search:
	@scripts/test-ckan-search.sh

solr:
	@scripts/solr.sh start

test-solr:
	@scripts/test-solr.sh

bench:
	@scripts/setup.sh test && .venv/bin/python bench/search.py && .venv/bin/python bench/harvest.py && .venv/bin/python bench/targets.py && .venv/bin/python bench/datastore.py

.PHONY: help setup run stop demo test lint test-ckan-search solr test-solr bench
