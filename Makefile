# Set-up and everyday commands. `make run` and `make test` do all set-up on a
# fresh machine: the virtual environment, pinned packages, system packages.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DB ?= sqlite:///findings.db
STAMP := $(VENV)/.installed

.PHONY: setup system-deps run test lint train evaluate bench clean

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

setup: $(STAMP)

system-deps:
	bash scripts/install-system-deps.sh
	bash scripts/start-postgres.sh

run: setup
	$(BIN)/findings ingest corpus/samples --db $(DB)

test: setup system-deps
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: setup
	$(BIN)/ruff check pipeline flows tests bench

train: setup
	$(BIN)/findings train

evaluate: setup
	$(BIN)/findings evaluate

bench: setup system-deps
	$(BIN)/python bench/bench_extract.py
	$(BIN)/python bench/bench_classify.py
	$(BIN)/python bench/bench_read.py

clean:
	rm -rf $(VENV) findings.db .pytest_cache .ruff_cache
