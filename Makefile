# The two set-up commands: `make build` (the main job) and `make test`.
# Each creates .venv with the pinned versions in constraints.txt the first time.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
TEST_STAMP := $(VENV)/.test-installed-stamp

.PHONY: build test reports reports-check check clean

# What `make build` uses: the font the pack is set in, and pmlib with its runtime dependencies.
$(STAMP): pyproject.toml constraints.txt scripts/install-system-packages
	bash scripts/install-system-packages build
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e .
	touch $(STAMP)

# What the tests use as well: poppler, Chromium, the test extras and axe-core. One pip install of
# pmlib with its test extras, not the build's install and then another (a fresh clone's `make test`
# is ten seconds shorter), so this stamps the build's install too. package.json pins axe-core,
# which the website accessibility tests inject into each page; --no-package-lock keeps npm from
# writing a lock file of registry URLs.
$(TEST_STAMP): pyproject.toml constraints.txt scripts/install-system-packages package.json
	bash scripts/install-system-packages test
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test,demo]'
	npm install --no-package-lock --no-audit --no-fund
	touch $(STAMP) $(TEST_STAMP)

build: $(STAMP)
	$(BIN)/pm check --data data
	$(BIN)/pm build --latest

# Every check, on every core: pytest-xdist sends each test module and each notebook whole to one
# worker, longest first (tests/conftest.py); nbval re-executes every report.
test: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n auto --dist loadscope --no-loadscope-reorder --durations=25 --nbval --nbval-current-env tests reports
	$(MAKE) --no-print-directory reports-check

# The fast loop while changing code: lint, unit, property, fixture and fragment tests (no
# build, no notebook executed, no browser).
check: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n auto -m "not e2e"

# Execute every quarter's notebooks again (--force: none is kept for its matching provenance).
reports: $(STAMP)
	$(BIN)/pm run --all --force

# The committed reports must be exactly what the committed code and data produce. nbval (in
# `make test`) has re-executed every report and compared every output; here `pm run --all`
# executes again only the reports whose recorded provenance (parameters, inputs, code digest,
# their own content digest) is not what this checkout would record, and any report it
# rewrites fails the check. So no report is executed a third time when all is well.
reports-check: $(STAMP)
	$(BIN)/pm run --all --no-progress
	@if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	  echo "reports-check: not a git checkout, nothing to compare with"; exit 0; fi; \
	changed="$$(git status --porcelain --untracked-files=all -- reports/)"; \
	if [ -n "$$changed" ]; then \
	  echo "$$changed"; git --no-pager diff --stat -- reports/; \
	  echo "reports/ differs from the commit: commit code changes first, then run 'make reports' and commit reports/."; \
	  exit 1; fi; \
	echo "reports/ is up to date."

clean:
	rm -rf $(VENV) _site node_modules test-artifacts
