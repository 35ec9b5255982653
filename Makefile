# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	PREFECT_SERVER_ANALYTICS_ENABLED=false $(BIN)/ml-connector demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	PREFECT_SERVER_ANALYTICS_ENABLED=false $(BIN)/pytest

# `make bench` runs every benchmark; `make bench ONLY=mapping_csv` runs one.
bench: $(STAMP)
	$(BIN)/python -m benchmarks $(ONLY)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
