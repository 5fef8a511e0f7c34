PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test lint bench bench-peers clean clean-bench

$(BIN)/feedletter: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.test-deps: $(BIN)/feedletter
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

## make run: build the feeds of posts/ into feeds/
run: $(BIN)/feedletter
	$(BIN)/feedletter build
	@echo "Feeds are in $(CURDIR)/feeds/ (open feeds/index.html)"

# pytest-xdist workers for make test (CI's machine has 2 cores); tests that share a
# module's expensive fixture, and the browser tests, stay together (tests/conftest.py)
TEST_WORKERS ?= 2

## make test: run the whole test suite (pytest exit 5, "no tests", is a failure)
test: $(VENV)/.test-deps
	$(BIN)/ruff check src tests bench
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup; rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$rc

lint: $(VENV)/.test-deps
	$(BIN)/ruff check src tests bench

BENCH_POSTS ?= 10000
BENCH_ARGS  ?=

## make bench: cold, no-change, one-edit and digest timings (+ Pelican/Hugo if installed)
bench: $(BIN)/feedletter
	$(BIN)/python bench/run.py --posts $(BENCH_POSTS) $(BENCH_ARGS)

bench-peers:
	bench/install_peers.sh

clean-bench:
	rm -rf bench/out

clean:
	rm -rf $(VENV) .feedletter feeds/*.xml feeds/*.json feeds/*.opml feeds/index.html feeds/tags feeds/authors feeds/digests
