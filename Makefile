# patron: two commands on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
export UV_COMPILE_BYTECODE := 1
# These machines set PYTHONDONTWRITEBYTECODE=1, which makes every process recompile its imports.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: env demo test lint bench messages clean help

help:
	@echo "make demo   - set everything up and run the demo on the embedded default (SQLite)"
	@echo "make test   - set up and run the whole test suite (SQLite and PostgreSQL)"
	@echo "make lint   - ruff and mypy"
	@echo "make bench  - the benchmarks in bench/ (long; results go to docs/benchmarks.md by hand)"

$(UV):
	python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv

env: $(UV)
	$(UV) sync --locked --quiet

demo: env
	$(UV) run patron demo

test: env
	bash scripts/ensure-postgres.sh
	bash scripts/ensure-chromium.sh
	bash scripts/ensure-java.sh
	$(UV) run pytest

lint: env
	$(UV) run ruff check src tests bench
	$(UV) run ruff format --check src tests bench
	$(UV) run mypy

bench: env
	$(UV) run python bench/import_customers.py
	$(UV) run python bench/customer_lookup.py

messages: env
	$(UV) run pybabel extract -F babel.cfg -k N_ --no-location --omit-header \
		-o src/patron/web/ui/locale/messages.pot .
	$(UV) run pybabel update -i src/patron/web/ui/locale/messages.pot \
		-d src/patron/web/ui/locale -l zh_CN --omit-header --width 100

clean:
	rm -rf .venv patron-data .pytest_cache .mypy_cache .ruff_cache
