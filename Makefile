# Two commands matter: `make run` (the CRM with demo data, no servers needed) and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432
TEST_DB ?= crm
REDIS_URL ?= redis://127.0.0.1:6379
# Test settings: real PostgreSQL and Redis on localhost; the development profile so no TLS.
TEST_ENV := DJANGO_DEBUG=1 DJANGO_SECRET_KEY=test-only \
	DJANGO_PASSWORD_HASHERS=django.contrib.auth.hashers.MD5PasswordHasher \
	DATABASE_URL=$(PG_URL)/$(TEST_DB) CELERY_BROKER_URL=$(REDIS_URL)/0 \
	CELERY_RESULT_BACKEND=$(REDIS_URL)/0 CACHE_URL=$(REDIS_URL)/1
BENCH_ENV := DJANGO_DEBUG=1 DJANGO_SECRET_KEY=bench-only DATABASE_URL=$(PG_URL)/crm_bench \
	CELERY_BROKER_URL=$(REDIS_URL)/2 CELERY_RESULT_BACKEND=$(REDIS_URL)/2 CACHE_URL=$(REDIS_URL)/3
PYTEST_ARGS ?=
XDIST ?= -n 2 --dist loadgroup

.PHONY: run test install lint format bench clean

$(BIN)/activate: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(BIN)/activate

install: $(BIN)/activate

## run: the CRM at http://127.0.0.1:8000 with demo data: web + Celery worker + beat (Ctrl-C stops all)
run: install
	mkdir -p var/celery/queue var/celery/processed var/celery/results
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=1 $(BIN)/python manage.py seed_demo
	DJANGO_DEBUG=1 PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/honcho -f Procfile.dev start

## test: the whole suite against PostgreSQL and Redis on localhost, two processes
test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(TEST_ENV) DATABASE_URL=$(PG_URL)/postgres $(BIN)/python manage.py makemigrations --check --dry-run
	$(TEST_ENV) DATABASE_URL=$(PG_URL)/postgres $(BIN)/python manage.py translations check
	$(TEST_ENV) $(BIN)/python -m pytest $(XDIST) --reuse-db $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## bench: generate data at scale into a separate database (crm_bench) and print figures
bench: install
	$(BENCH_ENV) $(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf var staticfiles .pytest_cache .ruff_cache
