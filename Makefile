# The two set-up commands: `make build` (the main job) and `make test`.
# Each creates .venv with the pinned versions in constraints.txt the first time.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: build test check clean

$(STAMP): pyproject.toml constraints.txt scripts/install-system-packages
	bash scripts/install-system-packages
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test,demo]'
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/pm check --data data
	$(BIN)/pm status --latest --data data --params params

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

clean:
	rm -rf $(VENV) _site
