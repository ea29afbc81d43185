#!/usr/bin/env bash
# Before a release: clone the committed HEAD into a temporary folder and run the README's two
# commands there, as a new machine would (`make site`, then `make test`), with the times of the
# install and build parts. Uses only the package registries; leaves the working tree alone.
# Usage: scripts/check-fresh.sh [--keep]     (--keep: leave the clone for a look afterwards)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/jindallae-fresh.XXXXXX")"
keep="${1:-}"
cleanup() { [ "$keep" = "--keep" ] && echo "clone kept in $work" || rm -rf "$work"; }
trap cleanup EXIT
git clone -q --no-local "$here" "$work/jindallae"
cd "$work/jindallae"
echo "fresh clone of $(git rev-parse --short HEAD) in $work/jindallae"
start=$(date +%s)
make site 2>&1 | tee "$work/site.log" | sed 's/^/  site | /'
site_done=$(date +%s)
make test 2>&1 | tee "$work/test.log" | tail -n 30 | sed 's/^/  test | /'
test_done=$(date +%s)
echo "make site: $((site_done - start)) s; make test: $((test_done - site_done)) s"
