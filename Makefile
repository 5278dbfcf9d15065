# The two set-up commands: `make build` (the main job) and `make test`.
# Each creates .venv with the pinned versions in constraints.txt the first time. uv installs them
# (seconds, where pip takes about 40 s); scripts/pip-sources hands it the package indexes pip is
# configured with, which uv does not read itself. pmlib is built with the venv's own pinned
# setuptools (--no-build-isolation) rather than in a throwaway environment.
# uv writes no bytecode, so Python must be let write it as modules are first imported (only those
# used are compiled, about 2 s, rather than all of them at install, about 12 s).
unexport PYTHONDONTWRITEBYTECODE
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
TEST_STAMP := $(VENV)/.test-installed-stamp
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt
UV = $(BIN)/uv pip install --quiet --python $(BIN)/python -c constraints.txt --index-strategy unsafe-best-match $$($(BIN)/python scripts/pip-sources $(BIN)/python)

.PHONY: build test reports check clean shared-example

# What `make build` uses: the font the pack is set in, and pmlib with its runtime dependencies.
$(STAMP): pyproject.toml constraints.txt scripts/install-system-packages scripts/pip-sources
	bash scripts/install-system-packages build
	python3 -m venv $(VENV)
	$(PIP) uv
	$(UV) setuptools
	$(UV) --no-build-isolation -e .
	touch $(STAMP)

# What the tests use as well: poppler, Chromium, the test extras and axe-core. One pip install of
# pmlib with its test extras, not the build's install and then another (a fresh clone's `make test`
# is ten seconds shorter), so this stamps the build's install too. package.json pins axe-core,
# which the website accessibility tests inject into each page; --no-package-lock keeps npm from
# writing a lock file of registry URLs.
$(TEST_STAMP): pyproject.toml constraints.txt scripts/install-system-packages scripts/pip-sources package.json
	bash scripts/install-system-packages test
	python3 -m venv $(VENV)
	$(PIP) uv
	$(UV) setuptools
	$(UV) --no-build-isolation -e '.[test,demo]'
	npm install --no-package-lock --no-audit --no-fund
	touch $(STAMP) $(TEST_STAMP)

build: $(STAMP)
	$(BIN)/pm check --data data
	$(BIN)/pm build --latest

# The second demo: two councils sharing services, and their joint committee (examples/chorley-south-ribble).
SHARED := examples/chorley-south-ribble/councils.yml
shared-example: $(STAMP)
	$(BIN)/pm check --councils $(SHARED)
	$(BIN)/pm build --latest --councils $(SHARED)

# Every check, on every core: pytest-xdist sends each test module and each notebook whole to one
# worker, longest first (tests/conftest.py); -rs prints why each skipped test was skipped (the
# Quarto ones: no `quarto` on PATH). nbval re-executes every report and compares every
# output; tests/test_reports.py proves `pm run --all` would keep every report and write nothing.
# nbval's kernels, like pm run's, fork from a process that has already imported pandas and pmlib
# (pmlib/run/warm_kernels.py), a second less per notebook.
test: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	JUPYTER_DEFAULT_PROVISIONER_NAME=pmlib-warm $(BIN)/pytest -n auto --dist loadscope --no-loadscope-reorder --durations=25 -rs --nbval --nbval-current-env tests reports examples

# The fast loop while changing code: lint, unit, property, fixture and fragment tests (no
# build, no notebook executed, no browser).
check: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n auto -m "not e2e"

# Execute every quarter's notebooks again (--force: none is kept for its matching provenance).
reports: $(STAMP)
	$(BIN)/pm run --all --force
	$(BIN)/pm run --all --force --councils $(SHARED)

clean:
	rm -rf $(VENV) _site node_modules test-artifacts pmlib.egg-info
