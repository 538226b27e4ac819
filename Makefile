# umkmkit: two commands for a trainer's laptop.
#   make demo   set up .venv (first time, or after pyproject.toml changes), run the demo
#   make test   set up .venv the same way, make sure Chromium is there, run the test suite
# Needs only Python 3.11+ (with its venv module) and make. Windows trainers: see README (conda).

PYTHON ?= python3
VENV := .venv
ifeq ($(OS),Windows_NT)
  BIN := $(VENV)/Scripts
else
  BIN := $(VENV)/bin
endif
STAMP := $(VENV)/.umkmkit-installed
# The browser tests (tests/browser.py) drive Debian's Chromium; `make demo` never needs it.
CHROMIUM := /usr/bin/chromium
CHROMIUM_HINT := Browser tests open pages in Chromium and fail without it. Install it \
(Debian/Ubuntu, as root: apt-get install chromium) or point UMKMKIT_CHROMIUM at a Chromium or Chrome executable.
# Every command the kit runs (nbgrader's alembic, jupyter, kernels) comes from the venv.
export PATH := $(abspath $(BIN))$(if $(filter Windows_NT,$(OS)),;,:)$(PATH)

.PHONY: demo test build lab setup chromium clean

demo: $(STAMP)
	$(BIN)/umkmkit demo $(DEMO_ARGS)

test: $(STAMP) chromium
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

# Installs Chromium only where that is safe to do unattended (Linux, apt-get, root: CI);
# elsewhere says how. Not fatal: the rest of the suite still runs, the browser tests fail.
chromium:
ifeq ($(OS),Windows_NT)
	@echo "Note: $(CHROMIUM_HINT)"
else
	@if [ -n "$$UMKMKIT_CHROMIUM" ] || [ -x $(CHROMIUM) ]; then :; \
	elif [ "$$(uname -s)" = Linux ] && command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "Installing Chromium for the browser tests: apt-get install -y --no-install-recommends chromium"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y --no-install-recommends chromium || \
			{ apt-get update && apt-get install -y --no-install-recommends chromium; } || \
			echo "Could not install Chromium. $(CHROMIUM_HINT)"; \
	else \
		echo "Chromium is missing ($(CHROMIUM)). $(CHROMIUM_HINT)"; \
	fi
endif

clean:
	rm -rf $(VENV) workspace
