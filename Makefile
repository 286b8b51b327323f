# The README's two commands are `make build` and `make test`; everything else
# here is for contributors. The Makefile creates the virtual environment itself.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SYSTEM := $(PYTHON) scripts/kb/system.py

.DEFAULT_GOAL := help
.PHONY: help build html pdf test check lint format serve bench lock clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

# The venv is rebuilt whenever the lock file or the project metadata changes.
$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# System packages come first: the venv itself needs python3-venv. The HTML
# site needs node_modules too: its search engine (MiniSearch) is an npm package.
build:  ## build the HTML site and the PDFs into docs/_build
	$(SYSTEM) ensure build
	$(MAKE) --no-print-directory $(STAMP) node_modules/.installed
	$(BIN)/kb build all

html: $(STAMP) node_modules/.installed  ## build only the HTML site
	$(BIN)/kb build html

pdf:  ## build only the PDFs (book and handouts)
	$(SYSTEM) ensure build
	$(MAKE) --no-print-directory $(STAMP)
	$(BIN)/kb build pdf

test:  ## run the whole test suite (installs what it needs)
	$(SYSTEM) ensure test
	$(MAKE) --no-print-directory $(STAMP) node_modules/.installed
	$(BIN)/python -m pytest

check: $(STAMP)  ## lint the content (kb check)
	$(BIN)/kb check

lint: $(STAMP)  ## lint and format-check the Python code
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)  ## format the Python code
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

serve: $(STAMP) node_modules/.installed  ## live preview at http://127.0.0.1:8000 (one Sphinx kept in memory: kb serve)
	$(BIN)/kb serve --host 127.0.0.1 --port 8000

bench: $(STAMP) node_modules/.installed  ## run the benchmark (see BENCHMARKS.md)
	$(BIN)/kb bench --articles 100

lock: $(STAMP)  ## re-resolve requirements.lock from pyproject.toml
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra test --extra dev --python-version 3.11 -o requirements.lock

clean:  ## remove the build output (not the venv)
	rm -rf docs/_build
