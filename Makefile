# The two commands: `make serve` and `make test`. Everything else supports them.
# Needs only Python 3.11+, make and git; everything else is installed into .venv.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000
# What `make install` installs; the Pages build uses EXTRAS=site (no test tools).
EXTRAS ?= site,dev

.PHONY: serve check-port test lint format validate site install clean help browser readme bench zensical

help:
	@echo "make serve     install, validate the data, build and serve the site on http://$(HOST):$(PORT)"
	@echo "               (another port: make serve PORT=8001; HOST= likewise)"
	@echo "make test      install if needed and run the whole test suite"
	@echo "make lint      ruff lint and format check"
	@echo "make validate  check every record"
	@echo "make site      build the static site into site/"
	@echo "make readme    refresh the coverage numbers quoted in README.md"
	@echo "make bench     run the benchmark (10,000 synthetic records)"
	@echo "make zensical  build the site with Zensical instead of MkDocs"
	@echo "make clean     remove generated files (.venv stays)"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[$(EXTRAS)]'
	@touch $(STAMP)

install: $(STAMP)

validate: $(STAMP)
	$(BIN)/kbtool validate

# Generated pages go to docs/kb (git-ignored); the built site to site/ (git-ignored).
site: validate
	$(BIN)/kbtool site
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet
	$(BIN)/python -m kbtool.site_postbuild site

# The same pages built by Zensical (Material for MkDocs' successor) into site/.
zensical: validate
	$(BIN)/python -c 'import zensical' 2>/dev/null || $(BIN)/python -m pip install --quiet zensical
	$(BIN)/kbtool site
	$(BIN)/zensical build -f mkdocs.yml
	$(BIN)/python -m kbtool.site_postbuild site
	@echo "built with Zensical into site/"

# Fails fast, before the build, when something already listens on the port.
check-port:
	@$(PYTHON) -c 'import socket, sys; s = socket.socket(); \
	s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); \
	busy = s.connect_ex(("$(HOST)", int("$(PORT)"))) == 0; s.close(); \
	sys.exit("Port $(PORT) on $(HOST) is already in use (another make serve?). Stop that " \
	"server, or choose another port: make serve PORT=8001" if busy else 0)'

serve: check-port site
	$(BIN)/kbtool index
	@echo "Serving on http://$(HOST):$(PORT) (Ctrl-C to stop)"
	$(BIN)/python -m http.server --bind $(HOST) --directory site $(PORT)

# Browser tests drive Debian's Chromium (no browser download): installed here when missing.
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "chromium not found: install it (e.g. apt-get install chromium) to run the browser tests"; \
	  fi; }

test: $(STAMP) browser
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check kbtool tests bench
	$(BIN)/ruff format --check kbtool tests bench

format: $(STAMP)
	$(BIN)/ruff format kbtool tests bench
	$(BIN)/ruff check --fix kbtool tests bench

# Refresh the coverage summary quoted in README.md (a test fails when it is stale).
readme: $(STAMP)
	$(BIN)/python -c 'import subprocess, sys; from kbtool.render import splice_readme; \
	block = subprocess.run([sys.prefix + "/bin/kbtool", "coverage", "--markdown"], check=True, capture_output=True, text=True).stdout.rstrip("\n"); \
	text = open("README.md", encoding="utf-8").read(); open("README.md", "w", encoding="utf-8").write(splice_readme(text, block))'

# Performance figures at 10,000 synthetic records (a few minutes); prints a table.
bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf site .kbindex docs/kb .pytest_cache build *.egg-info test-artifacts
