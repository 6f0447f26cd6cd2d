# Two commands: `make run` and `make test`. Everything else here serves them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
export ACCORD_TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/accord_test

.PHONY: run test lint types migrations-check pytest install install-dev browser resolver clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The PDQ core is C (src/accord/signals/_pdqcore.c): `pip install -e .` compiles it (hatch_build.py), again
# whenever it changes.
$(STAMP): pyproject.toml hatch_build.py src/accord/signals/_pdqcore.c src/accord/matching/_pdq_kernel.py | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(BIN)/python -c "from accord.matching.pdq import warm_up; warm_up()"  # numba compiles the PDQ search loop once, here
	touch $@

$(DEV_STAMP): pyproject.toml $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(STAMP)
install-dev: $(DEV_STAMP)

run: $(STAMP)
	$(BIN)/accord db upgrade
	$(BIN)/accord demo
	$(BIN)/accord serve --role all

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/lint-imports  # the package layers of pyproject.toml, every import counted

types: $(DEV_STAMP)
	$(BIN)/mypy

migrations-check: $(DEV_STAMP)
	rm -f var/alembic-check.db
	ACCORD_DATABASE_URL=sqlite:///var/alembic-check.db $(BIN)/accord db upgrade
	ACCORD_DATABASE_URL=sqlite:///var/alembic-check.db $(BIN)/alembic check
	rm -f var/alembic-check.db

# Browser tests drive Debian's Chromium through Playwright (never a downloaded browser).
browser:
	@command -v chromium >/dev/null 2>&1 || { echo "installing Debian's chromium"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  ($$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null) \
	  || echo "chromium could not be installed; the browser tests will be skipped"; }

# The blocking-list tests run Debian's Unbound and BIND 9 as real resolvers (their checkers come with them).
resolver:
	@command -v unbound >/dev/null 2>&1 || [ -x /usr/sbin/unbound ] || { echo "installing Debian's unbound"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  ($$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq unbound >/dev/null) \
	  || echo "unbound could not be installed; the resolver tests will be skipped"; }
	@command -v named >/dev/null 2>&1 || [ -x /usr/sbin/named ] || { echo "installing Debian's bind9"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  ($$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq bind9 bind9-utils \
	    >/dev/null) || echo "bind9 could not be installed; the BIND tests will be skipped"; }

pytest: $(DEV_STAMP) browser resolver
	$(BIN)/pytest -n 2 --dist loadgroup

test: lint types migrations-check pytest

clean:
	rm -rf $(VENV) var
