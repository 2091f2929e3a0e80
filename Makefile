# autotrade — two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install browser lint typecheck clean

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  rm -rf $(VENV); \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "python3 -m venv is missing: installing python3-venv with apt"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv >/dev/null && $(PYTHON) -m venv $(VENV); \
	  else \
	    echo "python3 -m venv is missing: run 'sudo apt install python3-venv' (Debian/Ubuntu), then make again"; exit 1; \
	  fi; }
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## make run: install, migrate the embedded SQLite database, load demo data, serve on :8000
run: install
	$(BIN)/autotrade db upgrade
	$(BIN)/autotrade demo
	$(BIN)/autotrade serve --host 127.0.0.1 --port 8000

## make test: install, lint, type-check, run the whole suite (SQLite + PostgreSQL when available)
## on pytest-xdist workers, one per core; `make test PYTEST_WORKERS=0` runs it in one process
PYTEST_WORKERS ?= auto
test: install browser lint typecheck
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS)

## make browser: Debian's Chromium and a Chinese font for the end-to-end tests (apt, as root or with sudo)
BROWSER_PACKAGES := chromium fonts-wqy-microhei
browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then \
	  if command -v apt-get >/dev/null && { [ "$$(id -u)" = 0 ] || sudo -n true 2>/dev/null; }; then \
	    SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo -n); \
	    echo "installing $(BROWSER_PACKAGES) for the browser tests (apt)"; \
	    DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $(BROWSER_PACKAGES) >/dev/null 2>&1 || \
	    { $$SUDO apt-get update -q >/dev/null && \
	      DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $(BROWSER_PACKAGES) >/dev/null; }; \
	  else \
	    echo "no /usr/bin/chromium and no apt as root: the browser tests will be skipped (sudo apt install chromium)"; \
	  fi; \
	fi

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install
	$(BIN)/mypy src

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
