# Jindallae: `make site` builds the site from content/ into build/ on a fresh machine,
# `make test` runs the whole test suite, `make bench` compares build speed with the references.
# Each target sets up what it needs first (Debian packages, .venv, Python packages).

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: site test bench serve cms docs clean system-site system-test help

help:
	@echo "make site   - set up and build the site into build/"
	@echo "make test   - set up and run the test suite"
	@echo "make bench  - build benchmark (ours vs Pelican + i18n-subsites and Hugo)"
	@echo "make serve  - build, serve on http://127.0.0.1:8000/ and reload on changes"
	@echo "make cms    - start the editorial CMS on http://127.0.0.1:8080/ (first user: see README)"
	@echo "make docs   - build the editors' handbook (zh, ko) into build-handbook/ (serve it at /handbook/)"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing Python packages into $(VENV)/ (log: $(VENV)/pip.log)"
	@$(BIN)/python -m pip install -q --upgrade pip > $(VENV)/pip.log 2>&1 || (cat $(VENV)/pip.log; exit 1)
	@$(BIN)/python -m pip install -q -e '.[test]' >> $(VENV)/pip.log 2>&1 || (cat $(VENV)/pip.log; exit 1)
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

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

bench: system-site $(STAMP)
	@$(BIN)/python -m pip install -q -e '.[test,bench]' >> $(VENV)/pip.log 2>&1 || (cat $(VENV)/pip.log; exit 1)
	$(BIN)/python scripts/bench.py

clean:
	rm -rf build build.tmp-* .cache build-handbook build-handbook.tmp
