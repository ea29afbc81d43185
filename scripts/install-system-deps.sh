#!/usr/bin/env bash
# Install the Debian packages Jindallae needs, only when missing (idempotent, fast when done).
#   site : fonts-noto-cjk (CJK fonts for posters and for screenshots of pages)
#   test : chromium (pages are tested in a real browser through Playwright)
# Usage: scripts/install-system-deps.sh site|test
set -euo pipefail
want=(fonts-noto-cjk)
[ "${1:-site}" = "test" ] && want+=(chromium)
missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
