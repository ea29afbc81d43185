#!/usr/bin/env bash
# Install the Debian packages Jindallae needs, only when missing (idempotent, fast when done).
#   site : fonts-noto-cjk (CJK fonts for posters and for screenshots of pages), fontconfig
#          (fc-match: posters find their font faces through it)
#          libgs-common (Ghostscript's ICC profiles: the CMYK output profile of posters)
#   test : chromium (pages are tested in a real browser through Playwright),
#          a Java runtime (the Nu HTML Checker, vnu.jar), Node.js + npm (test tools in tests/js/:
#          axe-core and vnu-jar, pinned in tests/js/package-lock.json, installed with `npm ci`)
# Usage: scripts/install-system-deps.sh site|test
set -euo pipefail
mode="${1:-site}"
want=(fonts-noto-cjk fontconfig libgs-common)
[ "$mode" = "test" ] && want+=(chromium)
missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "$mode" = "test" ]; then
  # Commands rather than package names: Java or Node.js may come from another package (openjdk-17,
  # NodeSource's nodejs that bundles npm); install Debian's only when the command is missing.
  command -v java >/dev/null || missing+=(default-jre-headless)
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ "$mode" = "test" ]; then
  # JavaScript test tools, project-local; --ignore-scripts: vnu-jar's postinstall would download a
  # Java runtime, the machine's java is used instead. Re-run only when the lock file changed.
  js="$(dirname "$0")/../tests/js"
  stamp="$js/node_modules/.installed-$(sha1sum "$js/package-lock.json" | cut -c1-12)"
  if [ ! -e "$stamp" ]; then
    (cd "$js" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
    touch "$stamp"
  fi
fi
