"""The release layout of ``dir`` and ``rsync`` targets, on this server or over SSH.

::

    <path>/releases/20261207T031700.123456Z-1a2b3c4d/        a complete release (immutable once named)
    <path>/releases/20261207T031700.123456Z-1a2b3c4d.json    its manifest (outside the web root)
    <path>/current -> releases/20261207T031700.123456Z-1a2b3c4d

The web server's root is ``<path>/current``. A release is written as ``<id>.partial`` and renamed
when complete; ``current`` is switched by renaming a new symlink over it (``rename(2)`` is
atomic), so a reader sees the old release or the new one, never a mix, and a killed deploy
leaves only a ``.partial`` folder that the next deploy removes. Every step is one POSIX shell
script run by :class:`Shell` — locally with ``sh -c``, remotely with ``ssh host sh -c`` — so the
two target types share one tested implementation.
"""

from __future__ import annotations

import shlex
import subprocess
from dataclasses import dataclass

from .release import Manifest


class LayoutError(Exception):
    """A step on the target failed; the message says which and what the server answered."""


@dataclass
class Shell:
    """Runs a shell script here (``ssh=None``) or on a server (``ssh``: the ssh command line,
    e.g. ``["ssh", "-p", "2222", "deploy@web"]``)."""

    ssh: list[str] | None = None
    timeout: float = 600

    def run(self, script: str, what: str, stdin: bytes | None = None) -> str:
        """Run ``script``; return its standard output. Raises :class:`LayoutError` naming
        ``what`` on a non-zero exit or a timeout."""
        cmd = ["sh", "-c", script] if self.ssh is None else [*self.ssh, "sh -c " + shlex.quote(script)]
        try:
            proc = subprocess.run(cmd, input=stdin, capture_output=True, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            raise LayoutError(f"{what}: no answer in {self.timeout:.0f} s") from None
        if proc.returncode != 0:
            detail = (proc.stderr or proc.stdout).decode("utf-8", "replace").strip().splitlines()
            raise LayoutError(f"{what} failed (exit {proc.returncode}): {detail[-1] if detail else 'no message'}")
        return proc.stdout.decode("utf-8", "replace")


class Layout:
    """``releases/`` + ``current`` under ``path`` (absolute), through a :class:`Shell`."""

    def __init__(self, shell: Shell, path: str) -> None:
        self.shell, self.path = shell, path.rstrip("/") or "/"
        self.q = shlex.quote(self.path)

    def live(self) -> tuple[str | None, Manifest | None]:
        """The live release id and its manifest (``(None, None)`` before the first deploy; a
        release without a readable manifest gives ``(id, None)``: everything is uploaded)."""
        out = self.shell.run(f'cd {self.q} 2>/dev/null || exit 0; [ -L current ] || exit 0; '
                             f'id=$(basename "$(readlink current)"); echo "$id"; cat "releases/$id.json" 2>/dev/null; true',
                             "reading the live release")
        if not out.strip():
            return None, None
        release, _, manifest = out.partition("\n")
        try:
            return release.strip(), Manifest.from_json(manifest) if manifest.strip() else None
        except ValueError:
            return release.strip(), None

    def prepare(self) -> None:
        """Create ``releases/`` and remove ``.partial`` folders of interrupted deploys."""
        self.shell.run(f"mkdir -p {self.q}/releases && cd {self.q}/releases || exit 1; "
                       f'for d in *.partial; do [ -e "$d" ] && rm -rf "$d"; done; true', "preparing the releases folder")

    def switch(self, release: str, manifest: Manifest) -> None:
        """Name the uploaded ``<release>.partial`` complete, write its manifest, and point
        ``current`` at it in one rename."""
        r = shlex.quote(release)
        data = manifest.to_json().encode("utf-8")
        # The manifest arrives on stdin: if this process dies while sending it, the shell gets a
        # short file and must not switch (a kill -9 here left an empty manifest and a switched site).
        self.shell.run(f"set -e; cd {self.q}; cat > releases/{r}.json.tmp; "
                       f'[ "$(wc -c < releases/{r}.json.tmp)" -eq {len(data)} ] || {{ rm -f releases/{r}.json.tmp; exit 1; }}; '
                       f"mv releases/{r}.json.tmp releases/{r}.json; "
                       f"mv releases/{r}.partial releases/{r}; ln -s releases/{r} current.new.$$; "
                       f"mv -T current.new.$$ current", "switching to the new release", stdin=data)

    def point(self, release: str) -> None:
        """Point ``current`` at an existing release (rollback, or undoing a failed switch)."""
        r = shlex.quote(release)
        self.shell.run(f"set -e; cd {self.q}; [ -d releases/{r} ]; ln -s releases/{r} current.new.$$; "
                       f"mv -T current.new.$$ current", f"switching back to release {release}")

    def releases(self) -> list[str]:
        """Complete releases, oldest first."""
        out = self.shell.run(f"cd {self.q}/releases 2>/dev/null || exit 0; for d in *; do "
                             f'[ -d "$d" ] && case "$d" in *.partial) ;; *) echo "$d";; esac; done; true',
                             "listing releases")
        return sorted(line for line in out.splitlines() if line)

    def prune(self, keep: int, live: str) -> list[str]:
        """Remove all but the newest ``keep`` releases (never ``live``); returns those removed."""
        old = [r for r in self.releases()[:-keep] if r != live] if keep else []
        if old:
            names = " ".join(shlex.quote(r) for r in old)
            self.shell.run(f"cd {self.q}/releases && for r in {names}; do rm -rf \"$r\" \"$r.json\"; done",
                           "removing old releases")
        return old

    def previous(self, live: str | None) -> str | None:
        """The newest release older than ``live`` (what a rollback switches to)."""
        older = [r for r in self.releases() if live is None or r < live]
        return older[-1] if older else None
