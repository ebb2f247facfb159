# Two entry points for a fresh machine (see README): `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: install demo test test-fast browser java bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e ".[dev]"
	touch $@

# Install, then analyse the bundled example note (facts, claim lines, flags, checklist).
demo: install
	$(VENV)/bin/facetcoder analyze data/examples/lumbar_mbb_example.txt

# Install (plus Debian's chromium for the browser test and Java 17 for Spark when missing), run everything.
# FACETCODER_NO_SKIP=1: a skipped test (no chromium, Java, pyspark or model artifacts) fails the run.
test: install browser java
	FACETCODER_NO_SKIP=1 $(VENV)/bin/pytest -q -ra

test-fast: install
	$(VENV)/bin/pytest -q -m "not slow"

browser:
	bash scripts/install_browser.sh

java:
	bash scripts/install_java.sh

bench: install
	$(PY) benchmarks/bench_pipeline.py
	$(PY) benchmarks/bench_batch.py
	$(PY) benchmarks/load_web.py

clean:
	rm -rf $(VENV) build *.egg-info
