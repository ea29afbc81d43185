# Jindallae: `make site` builds the site from content/ into build/ on a fresh machine,
# `make test` runs the whole test suite, `make bench` compares build speed with the references.
# Each target sets up what it needs first (Debian packages, .venv, Python packages).

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha1sum | cut -c1-12)

.PHONY: site test bench soak serve cms docs clean system-site system-test help lock check-fresh screenshots

help:
	@echo "make site   - set up and build the site into build/"
	@echo "make test   - set up and run the test suite"
	@echo "make bench  - build benchmark (ours vs Pelican + i18n-subsites and Hugo)"
	@echo "make soak   - incremental vs cold builds over thousands of random edits (SOAK_STEPS=1000)"
	@echo "make serve  - build, serve on http://127.0.0.1:8000/ and reload on changes"
	@echo "make cms    - start the editorial CMS on http://127.0.0.1:8080/ (first user: see README)"
	@echo "make docs   - build the editors' handbook (zh, ko) into build-handbook/ (serve it at /handbook/)"
	@echo "make screenshots - PNGs of every page template (phone, desktop; zh, ko) into build-screenshots/"
	@echo "make lock   - refresh requirements.lock to the newest versions pyproject.toml allows"
	@echo "make check-fresh - clone HEAD into a temporary folder and run make site + make test there"

# Python packages come from requirements.lock only (exact versions, every file hash-checked), so
# two fresh machines install the same bytes; the project itself is installed on top without its
# dependencies and without build isolation (setuptools is in the lock too).
$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing Python packages from requirements.lock into $(VENV)/ (log: $(VENV)/pip.log)"
	@$(BIN)/python -m pip install --require-hashes --no-deps -r requirements.lock > $(VENV)/pip.log 2>&1 || (cat $(VENV)/pip.log; exit 1)
	@$(BIN)/python -m pip install --no-deps --no-build-isolation -e . >> $(VENV)/pip.log 2>&1 || (cat $(VENV)/pip.log; exit 1)
	@$(BIN)/python -m pip check >> $(VENV)/pip.log 2>&1 || (cat $(VENV)/pip.log; echo "requirements.lock does not satisfy pyproject.toml: run make lock"; exit 1)
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# Refresh requirements.lock on purpose: the newest versions pyproject.toml allows, with hashes.
# Run it after changing a dependency in pyproject.toml, or to take upgrades; then run make test
# and commit both files. (pip-tools runs from its own throwaway venv, not from the lock.)
lock:
	rm -rf $(VENV)-lock && $(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/python -m pip install -q 'pip-tools>=7.4'
	$(VENV)-lock/bin/pip-compile -q --upgrade --generate-hashes --all-build-deps --allow-unsafe \
	  --extra test --extra bench --no-emit-index-url --no-emit-find-links --strip-extras \
	  -o requirements.lock pyproject.toml
	rm -rf $(VENV)-lock
	@echo "requirements.lock refreshed: run make test, then commit it with pyproject.toml"

# Before a release: clone the committed HEAD into a temporary folder and run the README's two
# commands there, as a new machine would (only the package registries are needed).
check-fresh:
	scripts/check-fresh.sh

system-site:
	scripts/install-system-deps.sh site

system-test:
	scripts/install-system-deps.sh test

site: system-site $(STAMP)
	$(BIN)/jindallae build

serve: system-site $(STAMP)
	$(BIN)/jindallae serve

cms: system-site $(STAMP)
	$(BIN)/jindallae cms

test: system-test $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider

# The editors' handbook (docs/zh, docs/ko; mkdocs-material comes with the test extra): built into
# build-handbook.tmp/ and swapped in only when both languages built with --strict, so a broken
# page never replaces a good handbook. Never into build/, which the site build owns and swaps.
docs: $(STAMP)
	rm -rf build-handbook.tmp
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict -q -f docs/zh/mkdocs.yml -d $(CURDIR)/build-handbook.tmp
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict -q -f docs/ko/mkdocs.yml -d $(CURDIR)/build-handbook.tmp/ko
	rm -rf build-handbook && mv build-handbook.tmp build-handbook
	@echo "Handbook: build-handbook/index.html (Korean: build-handbook/ko/index.html)"

# PNGs of every page template at phone and desktop width, in both languages and text sizes, into
# build-screenshots/ (git-ignored), with the test Chromium (scripts/screenshots.py; FULL=1: whole pages).
screenshots: system-test $(STAMP)
	$(BIN)/python scripts/screenshots.py $(if $(FULL),--full)

bench: system-test $(STAMP)
	$(BIN)/python scripts/bench.py
	$(BIN)/python scripts/bench_fresh.py
	$(BIN)/python scripts/bench_deploy.py
	$(BIN)/python scripts/bench_scale.py

# Incremental builds against cold builds over thousands of random edits (tests/test_incremental.py;
# the suite runs 200 steps).  SOAK_STEPS per walk, four walks.
SOAK_STEPS ?= 1000
soak: system-test $(STAMP)
	JINDALLAE_SOAK_STEPS=$(SOAK_STEPS) $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_incremental.py -k byte_identical

clean:
	rm -rf build build.tmp-* .cache build-handbook build-handbook.tmp
