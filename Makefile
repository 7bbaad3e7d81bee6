# One command each: `make reports` sets everything up and builds the reports; `make test` checks it all.
# The virtual environment lives in .venv/; exact versions come from requirements.lock.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
APT_PACKAGES := fonts-noto-cjk fonts-dejavu-core chromium poppler-utils

.PHONY: help setup system data reports test lab bench soak lock clean draft bench-draft export

help:
	@echo "make reports   set up .venv and system packages, build the database, run the report suite"
	@echo "make test      the whole test suite (sets up what it needs first)"
	@echo "make data      rebuild data/curated/sdgs.duckdb from data/raw and data/curated (FORCE=1: even when up to date)"
	@echo "make export    write every view to exports/ (Parquet, CSV, xlsx, datapackage.json, codebook)"
	@echo "make lab       JupyterLab on the project's environment"
	@echo "make bench     benchmarks against the speed, scale and memory goals (all sections, ~30-60 min; bench/run.py --quick: ~10 min)"
	@echo "make soak      50 rebuilds under 3 readers and report runs: errors and mixed builds (~10 min)"
	@echo "make draft DOC=path/to/document.pdf [ID=doc_id] [CITY=city_id]   draft curated rows into data/staging/"

setup: $(STAMP) system

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=python3.11 (or newer)")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[test]'
	touch $(STAMP)

# System packages: installed where apt-get and root are available, otherwise named with the command to run.
system:
	@missing=""; \
	fc-list 2>/dev/null | grep -q "Noto Sans CJK JP" || missing="$$missing fonts-noto-cjk"; \
	fc-list 2>/dev/null | grep -q "DejaVu Sans" || missing="$$missing fonts-dejavu-core"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "installing system packages:$$missing"; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(APT_PACKAGES); \
	else \
		echo "Missing system packages:$$missing. Install them with:"; \
		echo "  Debian/Ubuntu: sudo apt-get install -y $(APT_PACKAGES)"; \
		echo "  macOS:         brew install --cask font-noto-sans-cjk-jp chromium && brew install poppler"; \
		exit 1; \
	fi

data: $(STAMP)
	$(BIN)/python -m sdgcities.build $(if $(FORCE),--force)

reports: setup data export
	$(BIN)/python -m sdgcities.publish.reports

# Data to take away: exports/ (written to a temporary directory and swapped in when complete).
export: $(STAMP) data
	$(BIN)/python -m sdgcities.publish.export

# The tests, then nbval on every notebook (its defaults, against the built database; the cells marked
# NBVAL_CHECK_OUTPUT are compared strictly with their committed outputs).
test: setup data
	$(BIN)/python -m pytest tests notebooks --nbval-lax --nbval-current-env

lab: setup data
	$(BIN)/jupyter lab notebooks/

bench: setup data
	$(BIN)/python bench/run.py
	$(BIN)/python bench/draft_bench.py

# Draft curation of a new document (text or PDF) into data/staging/<doc_id>/, for review and --promote.
draft: $(STAMP)
	@test -n "$(DOC)" || { echo "usage: make draft DOC=path/to/document.pdf [ID=doc_id] [CITY=city_id]"; exit 2; }
	$(BIN)/python -m sdgcities.build.draft "$(DOC)" $(if $(ID),--doc-id $(ID)) $(if $(CITY),--city $(CITY))

bench-draft: $(STAMP)
	$(BIN)/python bench/draft_bench.py

# Not in `make test`: rebuilds while readers and report runs go on (bench/soak.py).
soak: $(STAMP)
	$(BIN)/python bench/soak.py

# Refresh requirements.lock after changing dependencies in pyproject.toml.
lock: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^sdgcities' > requirements.lock

clean:
	rm -rf reports/*.html reports/*.pdf reports/executed data/curated/sdgs.duckdb exports
