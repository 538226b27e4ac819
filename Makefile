# umkmkit: two commands for a trainer's laptop.
#   make demo   set up .venv (first time, or after pyproject.toml changes), run the demo
#   make test   set up .venv the same way, run the test suite
# Needs only Python 3.11+ (with its venv module) and make. Windows trainers: see README (conda).

PYTHON ?= python3
VENV := .venv
ifeq ($(OS),Windows_NT)
  BIN := $(VENV)/Scripts
else
  BIN := $(VENV)/bin
endif
STAMP := $(VENV)/.umkmkit-installed
# Every command the kit runs (nbgrader's alembic, jupyter, kernels) comes from the venv.
export PATH := $(abspath $(BIN))$(if $(filter Windows_NT,$(OS)),;,:)$(PATH)

.PHONY: demo test build lab setup clean

demo: $(STAMP)
	$(BIN)/umkmkit demo $(DEMO_ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

build: $(STAMP)
	$(BIN)/umkmkit build

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c "import sys; sys.exit(sys.version_info < (3, 11))" || \
		{ echo "umkmkit needs Python 3.11 or newer; '$(PYTHON)' is older. Run: make PYTHON=python3.11 ..."; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || \
		{ rm -rf $(VENV); echo "Could not create $(VENV): install Python's venv module (Debian/Ubuntu: apt install python3-venv)."; exit 1; }
	$(BIN)/python -m pip install --disable-pip-version-check -e ".[test]"
	@# build matplotlib's font cache now, so no participant or test sees its first-use warning
	$(BIN)/python -c "import matplotlib.pyplot"
	@touch $@

clean:
	rm -rf $(VENV) workspace
