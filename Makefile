# The two commands of the README: `make demo` and `make test`. Both build the virtualenv first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test train browser bench lock clean

# --no-deps: requirements.lock lists every package (pip check proves it); resolving again would
# only trip older pips, such as the 23.2 bundled with Python 3.11, over lxml[html-clean].
$(STAMP): requirements.lock setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements.lock
	$(BIN)/python -m pip check
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# The extra kg[dask] (`kg run`), on top: its own lock, the core install unchanged. The tests need it.
DASK_STAMP := $(VENV)/.installed-dask
$(DASK_STAMP): $(STAMP) requirements-dask.lock
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements-dask.lock
	$(BIN)/python -m pip check
	touch $(DASK_STAMP)

# Who said what in the seeds; then the same in the knowledge graph (a store under build/): asked,
# grouped into corroborated claims, and drawn as build/demo-graph.html.
demo: $(STAMP)
	$(BIN)/kg extract seeds/ --format table
	$(BIN)/kg ingest seeds/ --store build/demo-store
	$(BIN)/kg attributions --via Bloomberg --store build/demo-store
	$(BIN)/kg sources --store build/demo-store
	$(BIN)/kg claims --min-sources 2 --store build/demo-store
	$(BIN)/kg render -o build/demo-graph.html --store build/demo-store

# Test artifacts (the headless browser's screenshots: the seeds' drawing, kg serve's pages) go to build/test-artifacts.
test: $(DASK_STAMP) browser
	KG_TEST_ARTIFACTS=build/test-artifacts $(BIN)/python -m pytest -q

# The attribution model kg/extract/cue_model.json and its data card cue_model.md, fitted on PolNeAR
# train (read in place from ../shared, never copied); dev, when there, only gives the card its figures.
POLNEAR ?= ../shared/eval/polnear
train: $(STAMP)
	$(BIN)/python bench/train_cue_model.py $(POLNEAR)/train.jsonl --jobs 2 \
	    $(if $(wildcard $(POLNEAR)/dev.jsonl),--dev $(POLNEAR)/dev.jsonl)

# The browser tests (the rendered graph; kg serve's pages, driven by Playwright) use Debian's chromium,
# installed here when missing (as root; otherwise those tests say they skipped, and why).
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	    { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
	    echo "note: no chromium, and it cannot be installed here: the browser test will be skipped"

# Regenerate requirements.lock (exact versions and hashes) after changing setup.cfg.
lock: $(STAMP)
	$(BIN)/python -m pip install --quiet pip-tools==7.6.2
	$(BIN)/pip-compile --quiet --allow-unsafe --extra=test --extra=train --generate-hashes \
	    --output-file=requirements.lock setup.cfg
	sed -i -E '/^--(extra-index-url|find-links)/d' requirements.lock

clean:
	rm -rf $(VENV) build dist *.egg-info
