# Two commands for a newcomer: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install lock run migrate demo test fuzz lint format schema bench bench-compare clean vendor vendor-check

# requirements.lock pins every package (pip constraints): each machine installs the versions
# the suite last passed with. `make lock` re-resolves it after a change to pyproject.toml.
$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "returns-api needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

LOCK_VENV := .lock-venv
lock:  ## re-resolve every dependency from pyproject.toml into requirements.lock
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LOCK_VENV)/bin/python -m pip install --quiet -e '.[dev]'
	{ echo "# Every package make install takes, as pip constraints; written by make lock."; \
	  $(LOCK_VENV)/bin/python -m pip freeze --exclude-editable; } > requirements.lock
	rm -rf $(LOCK_VENV)

# The server migrates once as it starts (RETURNS_MIGRATE_ON_START), so no separate step here.
run: install  ## migrate the SQLite file and serve GraphQL + GraphiQL with a dev key
	RETURNS_LOG_FORMAT=text RETURNS_DEV_CREDENTIALS=true RETURNS_WEBHOOK_ALLOW_PRIVATE_TARGETS=true \
	  RETURNS_MIGRATE_ON_START=true $(BIN)/returns-api serve

migrate: install
	$(BIN)/returns-api migrate

demo: install  ## load the demo merchant "demo-store", its orders and returns into the dev tenant
	$(BIN)/returns-api seed-demo --tenant dev

# The suite runs in one pytest worker per core and one more (pytest-xdist): browser tests
# and the servers and commands tests start leave a core idle while they wait, and the extra
# worker fills it (2 cores: 5:27 with 2 workers, 4:45 with 3, 4:48 with 4). PYTEST_WORKERS=0
# runs it in this one process, PYTEST_WORKERS=2 in two. Bytecode is written even where the
# machine says not to (PYTHONDONTWRITEBYTECODE): each of the hundred-odd servers and commands
# the tests start would otherwise compile the app again, and each worker every test module.
PYTEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print((os.cpu_count() or 1) + 1)')
test: install  ## lint, schema drift and the whole test suite (PostgreSQL too if RETURNS_TEST_POSTGRES_URL is set)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup

FUZZ_EXAMPLES ?= 25
fuzz: install  ## schemathesis against a served instance; fails on any server error
	$(BIN)/python -m fuzz.run --max-examples $(FUZZ_EXAMPLES)

lint: install
	$(BIN)/ruff check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

schema: install  ## regenerate schema.graphql from the code
	$(BIN)/returns-api export-schema

vendor: install  ## refresh GraphiQL and Swagger UI from their pinned npm releases (needs npm)
	$(BIN)/python tools/vendor_assets.py

vendor-check: install  ## the vendored files match their integrity hashes and pins
	$(BIN)/python tools/vendor_assets.py --check

bench: install
	$(BIN)/python bench/list_statements.py

bench-compare: install  ## returns-api beside PostGraphile 4 and raw aiohttp+asyncpg (needs wrk, npm)
	$(BIN)/python bench/compare.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis *.egg-info
