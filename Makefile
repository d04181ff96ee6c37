# Two commands matter: `make run` (the platform with demo content) and `make test` (the suite).
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format messages system-packages serve-prod clean bench

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/activate pyproject.toml
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	touch $@

$(VENV)/.installed-bench: $(VENV)/.installed
	$(BIN)/pip install -q -e '.[bench]'
	touch $@

# `make run PORT=8300`: the site's links (SITE_URL, unless set) follow HOST and PORT.
run: export HOST := $(HOST)
run: export PORT := $(PORT)

## run: install, migrate SQLite, load demo content, serve on http://127.0.0.1:8000/ with a task worker (restarted if it exits)
run: $(VENV)/.installed
	$(BIN)/undersigned migrate --noinput -v0
	$(BIN)/undersigned collectstatic --noinput -v0
	$(BIN)/undersigned load_demo
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl+C stops the server and the task worker)"
	@echo "Back office: http://$(HOST):$(PORT)/admin/  demo logins, one per line (username password organisation role): $(CURDIR)/data/demo-logins.txt"
	@( trap 'kill $$task 2>/dev/null; exit 0' TERM; \
	   while :; do $(BIN)/undersigned worker --interval 0.5 & task=$$!; wait $$task && break; \
	     echo "make run: the task worker stopped (exit $$?); starting it again in 2 s" >&2; \
	     sleep 2; done ) & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/undersigned runserver --noreload $(HOST):$(PORT)

## test: install test dependencies and Chromium, run the whole suite (PostgreSQL when DATABASE_URL is set)
# Test-only secrets (never used outside tests); production refuses to start without its own.
TEST_SECRETS := SECRET_KEY=$${SECRET_KEY:-not-secret-test-key} \
	ENCRYPTION_KEYS=$${ENCRYPTION_KEYS:-ItdrpV_DZj_hyBY4cWVh47vwPpGvtMfM-Y1kuA_y9bI=} \
	DIGEST_KEY=$${DIGEST_KEY:-not-secret-test-digest-key}

test: $(VENV)/.installed-test system-packages
	$(TEST_SECRETS) $(BIN)/pytest -n auto $(PYTEST_ARGS)

# Chromium for the browser tests; Noto fonts so Arabic renders well in screenshots and PDFs;
# poppler-utils (pdftotext) so the tests can read the PDFs the platform makes.
SYSTEM_PACKAGES := chromium chromium-driver fonts-noto-core poppler-utils
system-packages:
	@if [ -x /usr/bin/chromium ] && [ -d /usr/share/fonts/truetype/noto ] && [ -x /usr/bin/pdftotext ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
	else \
	  echo "!!! not root, cannot install $(SYSTEM_PACKAGES): BROWSER TESTS WILL BE SKIPPED !!!"; \
	fi

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/undersigned makemigrations --check --dry-run
	$(BIN)/undersigned check

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## messages: extract and compile translations (needs gettext); the compiled .mo files are committed
messages: $(VENV)/.installed
	for app in undersigned/*/locale; do \
	  (cd $$app/.. && ../../$(BIN)/django-admin makemessages -l ar --no-obsolete --no-location \
	     && ../../$(BIN)/django-admin makemessages -d djangojs -l ar --no-obsolete --no-location 2>/dev/null; \
	   ../../$(BIN)/django-admin compilemessages -v0); \
	done

## serve-prod: the production start command (set SECRET_KEY, DATABASE_URL, SITE_URL, ALLOWED_HOSTS)
serve-prod: $(VENV)/.installed
	$(BIN)/undersigned collectstatic --noinput -v0
	$(BIN)/gunicorn undersigned.wsgi --bind $(HOST):$(PORT) --workers $${WEB_WORKERS:-4} --access-logfile -

clean:
	rm -rf $(VENV)

## bench: the viral-load benchmark (gunicorn + PostgreSQL + Redis + worker, wrk), then SQLite
# BENCH_SERVER=both measures gunicorn and granian side by side (BENCH_PORT: the app server's port)
bench: $(VENV)/.installed-bench bench-services
	$(BIN)/python benchmarks/viral.py --rows $${BENCH_ROWS:-1000000} --seconds $${BENCH_SECONDS:-10} \
	  --server $${BENCH_SERVER:-gunicorn} --port $${BENCH_PORT:-8123}
	$(BIN)/python benchmarks/viral.py --sqlite --rows $${BENCH_SQLITE_ROWS:-100000} --seconds $${BENCH_SECONDS:-10} \
	  --server $${BENCH_SERVER:-gunicorn} --port $${BENCH_PORT:-8123}

.PHONY: bench-services bench-sustained bench-pages
bench-services:
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)
	@redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no

## bench-sustained: 300 signatures/s and 1,000 page views/s for 5 minutes on PostgreSQL (BENCH_SECONDS)
bench-sustained: $(VENV)/.installed-bench bench-services
	$(BIN)/python benchmarks/viral.py --sustained $${BENCH_SECONDS:-300} --rows $${BENCH_ROWS:-1000000} \
	  --server $${BENCH_SERVER:-gunicorn} --port $${BENCH_PORT:-8123}

## bench-pages: page weight and first paint on slow 3G, demo pages in Chromium (English and Arabic)
bench-pages: $(VENV)/.installed-test system-packages
	$(BIN)/python benchmarks/pages.py --port $${BENCH_PORT:-8124}

## soak: 10 minutes of mixed load with faults (PostgreSQL and Redis restarts, SMTP refusing and hanging, a worker killed); "nothing lost" or what was
.PHONY: soak
soak: $(VENV)/.installed-test
	$(BIN)/python benchmarks/soak.py --seconds $${SOAK_SECONDS:-600}

## bench-export: the hand-over CSV of 1,000,000 signatures on PostgreSQL: time and peak memory, against COPY
.PHONY: bench-export
bench-export: $(VENV)/.installed
	$(BIN)/python benchmarks/export_csv.py --rows $${BENCH_ROWS:-1000000}
