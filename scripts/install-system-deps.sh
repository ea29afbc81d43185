#!/usr/bin/env bash
# Install the Debian packages Jindallae needs, only when missing (idempotent, fast when done).
# This is the one list of the project's Debian packages; each line says why it is needed.
# Usage: scripts/install-system-deps.sh site|test
set -euo pipefail
mode="${1:-site}"

# package                 mode  reason
packages='
fonts-noto-cjk            site  CJK fonts: posters draw with Noto Sans CJK SC/KR; pages in screenshots
fontconfig                site  fc-match: posters find their font faces through it
libgs-common              site  Ghostscript ICC profiles: the CMYK output profile of posters
rsync                     site  deploy type rsync: copies a release to a server (--link-dest)
openssh-client            site  deploy type rsync: the SSH transport rsync runs over
chromium                  test  pages are tested in a real browser through Playwright
nginx-light               test  deploy tests: a real web server serving a dir target with our config
openssh-server            test  deploy tests: a real sshd on 127.0.0.1 for the rsync target
poppler-utils             test  pdffonts/pdftotext: poster PDFs checked the way a print shop does
mupdf-tools               test  mutool: poster PDFs read back by a second PDF engine (MuPDF besides poppler)
libreoffice-writer-nogui  test  import tests: a .docx (and an old .doc) written by LibreOffice, not by us
'

want=()
while read -r pkg pmode _; do
  [ -z "$pkg" ] && continue
  if [ "$pmode" = "site" ] || [ "$mode" = "test" ]; then want+=("$pkg"); fi
done <<< "$packages"

missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "$mode" = "test" ]; then
  # Commands rather than package names: Java or Node.js may come from another package (openjdk-17,
  # NodeSource's nodejs that bundles npm); install Debian's only when the command is missing.
  #   default-jre-headless  test  the Nu HTML Checker (vnu.jar) validates built pages
  #   nodejs, npm           test  test tools in tests/js/ (axe-core, vnu-jar), pinned by package-lock.json
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
  # policy-rc.d: never start the packaged services (nginx, sshd) system-wide; tests start their
  # own on 127.0.0.1 with throwaway configuration.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
  fi
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
