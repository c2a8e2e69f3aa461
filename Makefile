# One entry point for people and CI: `make test`, `make demo`, `make bench`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo sandbox fmt lint typecheck test unit all bench bench-validate bench-ack bench-monitor clean

install: $(STAMP)

# A fresh clone makes its own virtual environment and installs exactly what uv.lock pins, with the
# development tools and the `sandbox` extra (moto, a private Valkey) that the demo and the tests need,
# compiled to bytecode once so that every command starts quickly (also where PYTHONDONTWRITEBYTECODE is set).
$(STAMP): pyproject.toml uv.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==0.13.8"
	@$(BIN)/uv sync --frozen --quiet --all-extras --compile-bytecode --python $(BIN)/python
	@touch $(STAMP)

# The whole product on this machine: local Slack, AWS emulated on loopback, a private Valkey server.
demo: install
	@$(BIN)/finetune-bot demo

# The same, as a chat in your terminal: you type, the bot answers.
sandbox: install
	@$(BIN)/finetune-bot sandbox

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/python -m pytest

unit: install
	$(BIN)/python -m pytest -m "not integration"

all: test

bench: bench-validate bench-ack bench-monitor

bench-validate: install
	$(BIN)/python bench/validate.py

# Ack latency of `finetune-bot serve` under a realistic open-loop mix, beside the smallest Bolt app on gunicorn.
bench-ack: install
	$(BIN)/python -m bench.ack

# Bedrock calls and duration of a status tick over 1,000 watched jobs in moto, versus one describe per job.
bench-monitor: install
	$(BIN)/python -m bench.monitor

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
