# umkmkit: two commands for a trainer's laptop.
#   make demo   set up .venv (first time, or after pyproject.toml or the lock changes), run the demo
#   make test   set up .venv the same way, make sure Chromium is there, run the test suite
#   make test-fast  the inner loop: the tests without a browser, real grading, demo, hub, PostgreSQL
#   make lock   pin the dependencies again after pyproject.toml changed (requirements/README.md)
# Needs only Python 3.11+ (with its venv module) and make. Windows trainers: see README (conda).

PYTHON ?= python3
VENV := .venv
ifeq ($(OS),Windows_NT)
  BIN := $(VENV)/Scripts
else
  BIN := $(VENV)/bin
endif
STAMP := $(VENV)/.umkmkit-installed
# The exact versions .venv, CI and the USB stick install (requirements/README.md says how and why):
# LOCK for developers and CI (with the test, hub and postgres extras), TRAINER_LOCK for the stick.
LOCK := requirements/lock.txt
TRAINER_LOCK := requirements/lock-trainer.txt
# One universal resolution (Linux, Windows, macOS; Python 3.11 and newer, forks as markers) by uv.
UV := uv>=0.9,<1
UV_COMPILE := $(BIN)/python -m uv pip compile pyproject.toml --universal --python-version 3.11 \
	--generate-hashes --quiet --custom-compile-command "make lock" $(LOCK_ARGS)
# The browser tests (tests/browser.py) drive Debian's Chromium; `make demo` never needs it.
CHROMIUM := /usr/bin/chromium
CHROMIUM_HINT := Browser tests open pages in Chromium and fail without it. Install it \
(Debian/Ubuntu, as root: apt-get install chromium) or point UMKMKIT_CHROMIUM at a Chromium or Chrome executable.
# The PostgreSQL gradebook test (tests/test_postgres.py) starts its own throwaway server from these.
POSTGRES_HINT := The PostgreSQL gradebook test starts a throwaway PostgreSQL server and fails without one. \
Install it (Debian/Ubuntu, as root: apt-get install postgresql) or point UMKMKIT_POSTGRES_BIN at the folder holding initdb and pg_ctl.
# The printing test (tests/test_spreadsheet.py) prints the coordinator's workbook to PDF with these.
LIBREOFFICE_HINT := The printing tests print workbooks to PDF with LibreOffice, recalculate the calculators, and read and check \
PDFs with poppler and qpdf; they fail without them. Install them (Debian/Ubuntu, as root: apt-get install --no-install-recommends \
libreoffice-calc poppler-utils qpdf).
# JupyterHub's proxy for the room server (deploy/jupyterhub/) and tests/test_hub.py, from npm, installed
# into the venv (where the USB stick's install.sh puts it too). Version 5 needs Node.js 20 or newer.
PROXY_PACKAGE := configurable-http-proxy@5.3.0
PROXY_PACKAGE_OLD_NODE := configurable-http-proxy@4.6.3
PROXY_HINT := The JupyterHub test and a room server need JupyterHub's proxy. Install Node.js and npm \
(Debian/Ubuntu, as root: apt-get install npm), then run make hub-proxy again.
# Every command the kit runs (nbgrader's alembic, jupyter, kernels) comes from the venv.
export PATH := $(abspath $(BIN))$(if $(filter Windows_NT,$(OS)),;,:)$(PATH)

.PHONY: demo test test-fast build lab setup lock chromium postgresql libreoffice hub-proxy wheelhouse clean

demo: $(STAMP)
	$(BIN)/umkmkit demo $(DEMO_ARGS)

# One pytest worker more than the machine has cores (pytest-xdist); tests/conftest.py groups the
# tests that share a costly fixture and sends the costliest groups first. PARALLEL= runs everything
# in one process.
PARALLEL ?= -n auto --dist loadgroup --no-loadscope-reorder

test: $(STAMP) chromium postgresql libreoffice hub-proxy
	$(BIN)/python -m pytest $(PARALLEL) $(PYTEST_ARGS)

# the inner loop: no browser, grading of every notebook, demo, hub, PostgreSQL or offline install
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow" $(PARALLEL) $(PYTEST_ARGS)

build: $(STAMP)
	$(BIN)/umkmkit build

# JupyterLab for participants (Indonesian, offline) until Ctrl+C; for a room:
# make lab LAB_ARGS="--ip 0.0.0.0"; a cohort's formgrader: make lab LAB_ARGS="--trainer <cohort>"
lab: $(STAMP)
	$(BIN)/umkmkit lab $(LAB_ARGS)

setup: $(STAMP)

# The offline installer for a USB stick: dist/usb/ (the wheels $(TRAINER_LOCK) pins for Linux and
# Windows, Python 3.11 to 3.13, the kit, npm's cache of the JupyterHub proxy, install.sh and
# install.bat). Downloads once into .cache/wheels/; later builds need no internet. See README,
# "Installing offline".
wheelhouse: $(STAMP)
	$(BIN)/python -m umkmkit.room.usb

# Creates .venv with PYTHON (3.11 or newer) unless it is there.
define make_venv
	@$(PYTHON) -c "import sys; sys.exit(sys.version_info < (3, 11))" || \
		{ echo "umkmkit needs Python 3.11 or newer; '$(PYTHON)' is older. Run: make PYTHON=python3.11 ..."; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || \
		{ rm -rf $(VENV); echo "Could not create $(VENV): install Python's venv module (Debian/Ubuntu: apt install python3-venv)."; exit 1; }
endef

# The locked versions first (pip checks every file against the lock's hashes), then the kit
# itself without resolving anything again.
$(STAMP): pyproject.toml $(LOCK)
	$(make_venv)
	$(BIN)/python -m pip install --disable-pip-version-check -r $(LOCK)
	$(BIN)/python -m pip install --disable-pip-version-check --no-deps -e .
	@# build matplotlib's font cache now, so no participant or test sees its first-use warning
	$(BIN)/python -c "import matplotlib.pyplot"
	@touch $@

# Pins pyproject.toml's dependencies again (needs the internet), keeping every pin that still
# fits; `make lock LOCK_ARGS=--upgrade` takes the newest releases instead. The trainer's lock is
# resolved within the developers' one, so both pin the same versions. Then `make test`.
lock:
	$(make_venv)
	@$(BIN)/python -m uv --version >/dev/null 2>&1 || $(BIN)/python -m pip install --disable-pip-version-check "$(UV)"
	$(UV_COMPILE) --extra test --extra hub --extra postgres --output-file $(LOCK)
	$(UV_COMPILE) --constraint $(LOCK) --output-file $(TRAINER_LOCK)

# $(call debian_package,PACKAGE,WHAT IT IS FOR,SHELL TEST THAT IT IS THERE,HINT) installs a Debian
# package some tests need, only where that is safe to do unattended (Linux, apt-get, root: CI);
# elsewhere says how. Not fatal: the rest of the suite still runs, only those tests fail.
define debian_package
	@if $(3); then :; \
	elif [ "$$(uname -s)" = Linux ] && command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "Installing $(1) for $(2): apt-get install -y --no-install-recommends $(1)"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y --no-install-recommends $(1) || \
			{ apt-get update && apt-get install -y --no-install-recommends $(1); } || \
			echo "Could not install $(1). $(4)"; \
	else \
		echo "$(1) is missing. $(4)"; \
	fi
endef

chromium:
ifeq ($(OS),Windows_NT)
	@echo "Note: $(CHROMIUM_HINT)"
else
	$(call debian_package,chromium,the browser tests,[ -n "$$UMKMKIT_CHROMIUM" ] || [ -x $(CHROMIUM) ],$(CHROMIUM_HINT))
endif

postgresql:
ifeq ($(OS),Windows_NT)
	@echo "Note: $(POSTGRES_HINT)"
else
	$(call debian_package,postgresql,the gradebook test,[ -n "$$UMKMKIT_POSTGRES_BIN" ] || command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1,$(POSTGRES_HINT))
endif

libreoffice:
ifeq ($(OS),Windows_NT)
	@echo "Note: $(LIBREOFFICE_HINT)"
else
	$(call debian_package,libreoffice-calc poppler-utils qpdf,the printing test,command -v soffice >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 && command -v qpdf >/dev/null 2>&1,$(LIBREOFFICE_HINT))
endif

# Installs configurable-http-proxy only when missing (npm from Debian first, where that is safe).
hub-proxy: $(STAMP)
ifeq ($(OS),Windows_NT)
	@echo "Note: the JupyterHub room server runs on Linux only; configurable-http-proxy is not installed here."
else
	$(call debian_package,npm,the JupyterHub proxy,command -v configurable-http-proxy >/dev/null 2>&1 || command -v npm >/dev/null 2>&1,$(PROXY_HINT))
	@if command -v configurable-http-proxy >/dev/null 2>&1; then :; \
	elif command -v npm >/dev/null 2>&1; then \
		package=$(PROXY_PACKAGE); \
		node -e 'process.exit(parseInt(process.versions.node) < 20 ? 1 : 0)' || package=$(PROXY_PACKAGE_OLD_NODE); \
		echo "Installing $$package into $(VENV) for JupyterHub: npm install --global --prefix $(VENV) $$package"; \
		npm install --global --prefix $(VENV) --no-audit --no-fund --loglevel=error $$package || \
			echo "Could not install $$package. $(PROXY_HINT)"; \
	else \
		echo "configurable-http-proxy is missing. $(PROXY_HINT)"; \
	fi
endif

clean:
	rm -rf $(VENV) workspace
