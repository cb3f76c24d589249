# Every target installs into .venv first when it is missing or older than the pins.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SCALE ?= 30000
export MUJUN_HOME ?= $(CURDIR)/warehouse

.PHONY: install test lint demo airflow-ui bench clean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

demo: $(STAMP)
	$(BIN)/python -m mujun.demo

# Airflow standalone (UI on http://127.0.0.1:8080, no login) over the demo's Airflow home,
# with the demo county served again: watch `make demo`'s runs, start new ones.
airflow-ui: $(STAMP)
	$(BIN)/python -m mujun.demo ui

bench: $(STAMP)
	$(BIN)/python -m bench.run --scale $(SCALE)

clean:
	rm -rf $(VENV) warehouse .pytest_cache .ruff_cache
