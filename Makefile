# The two commands of the README: `make demo` and `make test`. Both build the virtualenv first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test bench lock clean

# --no-deps: requirements.lock lists every package (pip check proves it); resolving again would
# only trip older pips, such as the 23.2 bundled with Python 3.11, over lxml[html-clean].
$(STAMP): requirements.lock setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements.lock
	$(BIN)/python -m pip check
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Who said what in the seeds; then the same in the knowledge graph (a store under build/).
demo: $(STAMP)
	$(BIN)/kg extract seeds/ --format table
	$(BIN)/kg ingest seeds/ --store build/demo-store
	$(BIN)/kg attributions --via Bloomberg --store build/demo-store
	$(BIN)/kg sources --store build/demo-store

test: $(STAMP)
	$(BIN)/python -m pytest -q

# Regenerate requirements.lock (exact versions and hashes) after changing setup.cfg.
lock: $(STAMP)
	$(BIN)/python -m pip install --quiet pip-tools==7.6.2
	$(BIN)/pip-compile --quiet --allow-unsafe --extra=test --generate-hashes \
	    --output-file=requirements.lock setup.cfg
	sed -i -E '/^--(extra-index-url|find-links)/d' requirements.lock

clean:
	rm -rf $(VENV) build dist *.egg-info
