# PeerMatch: `make run` serves the demo on http://127.0.0.1:5000 with its background worker; `make test` runs the
# whole suite.
# Both set everything up first on a fresh machine with Python 3.11+ and Node/npm.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
STATIC := src/peermatch/static
export PEERMATCH_INSTANCE_PATH ?= $(CURDIR)/instance

.PHONY: run test setup assets migrate demo browser benchmark clean

run: setup migrate
	@test -f $(PEERMATCH_INSTANCE_PATH)/.demo-loaded || ($(BIN)/peermatch demo && touch $(PEERMATCH_INSTANCE_PATH)/.demo-loaded)
	@echo "PeerMatch is at http://127.0.0.1:5000 (demo sign-ins: see README or run '$(BIN)/peermatch demo')"
	@echo "Its worker sends notifications (written to this log: no mail server or text provider is set up)"
	BIN=$(BIN) scripts/run_dev.sh

test: setup browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

setup: $(INSTALLED) assets

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

assets: $(STATIC)/app.css

$(STATIC)/app.css: package.json package-lock.json src/peermatch/assets/app.scss scripts/build_assets.sh
	scripts/build_assets.sh

migrate: $(INSTALLED)
	$(BIN)/peermatch db upgrade

demo: migrate
	$(BIN)/peermatch demo

# Browser tests drive the system Chromium (Debian's package); never a downloaded browser.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Install Chromium first (Debian/Ubuntu: sudo apt-get install chromium)"; exit 1; fi; }

# The engine on made-up profiles, then the service end to end on a network in a database:
# SQLite in benchmarks/.data, or PostgreSQL when PEERMATCH_BENCH_DATABASE_URL is set (its own
# database, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/bench; never the tests' one).
# Last, the pages people open, through gunicorn as in production (Redis for shared state when
# PEERMATCH_BENCH_REDIS_URL is set). BENCH_ARGS=--quick for the small sizes and short runs only.
benchmark: setup
	$(BIN)/pip install --quiet -e ".[dev,bench]"
	$(BIN)/python benchmarks/matching.py --quick
	PEERMATCH_BENCH_DATABASE_URL="$(PEERMATCH_BENCH_DATABASE_URL)" $(BIN)/python benchmarks/service.py $(BENCH_ARGS)
	PEERMATCH_BENCH_DATABASE_URL="$(PEERMATCH_BENCH_DATABASE_URL)" PEERMATCH_BENCH_REDIS_URL="$(PEERMATCH_BENCH_REDIS_URL)" \
	  $(BIN)/python benchmarks/web.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules $(STATIC) .pytest_cache .hypothesis
