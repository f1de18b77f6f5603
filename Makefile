# One-command entry points. `make demo` on a fresh machine: environment, install, the
# llama-cpp-python build (once; cached wheel afterwards), the verified embedded model, and
# a real run on it. Cache: $ADAPTIVE_REACT_CACHE or ~/.cache/adaptive-react (docs/models.md).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
DEMO_REQUEST ?= Calculate the first 1000 prime numbers

.PHONY: demo model install test

$(PY):
	$(PYTHON) -m venv $(VENV)

# Not the `local` extra: pip would build llama-cpp-python without the flags it needs here.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install -e '.[dev]'
	touch $@

install: $(VENV)/.installed

model: install
	PYTHON=$(PY) bash scripts/build_llama.sh
	$(PY) scripts/fetch_model.py local

demo: model
	$(VENV)/bin/adaptive-react run "$(DEMO_REQUEST)"

test: install
	$(PY) -m pytest
