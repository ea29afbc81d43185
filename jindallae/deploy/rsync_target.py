"""``type: rsync``: the release layout of :mod:`.layout` on another server, over SSH.

The release is staged here (precompressed files included), copied with ``rsync --checksum``
into ``releases/<id>.partial`` with ``--link-dest`` on the live release (unchanged files become
hard links, nothing is sent for them), then switched remotely in one rename. Needs Debian
``rsync`` and ``openssh-client`` here and ``rsync`` on the server. The SSH key is
``identity_file`` (a path outside the repository) or the user's agent/default key; host keys
are checked (``known_hosts``, or the user's).

rsync hard-links a file from ``--link-dest`` only when every attribute it preserves is equal, so
modification times are not preserved (the staged copies are new on every deploy): a file sent
gets the time it arrived (what ``Last-Modified`` should say), an unchanged one keeps its inode
and its time. Modes are normalised (``--chmod``) so that the web server can read every file
whatever the local umask.
"""

from __future__ import annotations

import ctypes
import shlex
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from .base import DeployError, Target
from .layout import Layout, LayoutError, Shell
from .release import Manifest, Plan, stage_release

# Preserved by rsync: recursion, symlinks, modes (normalised), devices — not times (see above).
RSYNC_OPTIONS = ["-rlpD", "--checksum", "--chmod=D755,F644", "--stats"]


try:  # resolved once here: the child between fork and exec only calls it
    _PRCTL = ctypes.CDLL(None).prctl if sys.platform.startswith("linux") else None
except (OSError, AttributeError):
    _PRCTL = None
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the rsync child gets SIGKILL when the deploy process dies, so a deploy killed with
    ``kill -9`` leaves no rsync still writing into the ``.partial`` folder the next deploy
    removes."""
    _PRCTL(PR_SET_PDEATHSIG, int(signal.SIGKILL))


class RsyncTarget(Target):
    kind = "rsync"

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.host = self.config["host"]
        self.path = self.config["path"].rstrip("/")
        identity = self.config.get("identity_file")
        self.ssh_options = ["-o", "BatchMode=yes", "-o", "ConnectTimeout=20"]
        if "port" in self.config:
            self.ssh_options += ["-p", str(self.config["port"])]
        if identity:
            key = self._project_path(identity)
            if key.resolve().is_relative_to(ctx.project.resolve()):
                raise DeployError(f"DEPLOY_TARGETS[{ctx.name!r}]['identity_file']: {identity} is inside the project; "
                                  f"keep private keys outside the repository (e.g. ~/.ssh/); nothing was changed")
            self.ssh_options += ["-i", str(key), "-o", "IdentitiesOnly=yes"]
        if self.config.get("known_hosts"):
            self.ssh_options += ["-o", f"UserKnownHostsFile={self._project_path(self.config['known_hosts'])}",
                                 "-o", "StrictHostKeyChecking=yes"]
        self.layout = Layout(Shell(["ssh", *self.ssh_options, self.host]), self.path)

    def _project_path(self, value: str) -> Path:
        """A path setting: ``~`` expanded, relative to the project (not to the current folder)."""
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.ctx.project / path

    def _failed(self, exc: Exception, live: str = "the live site was not changed") -> DeployError:
        """A :class:`DeployError` from ``exc`` (a :class:`LayoutError` naming the step and the
        server's answer), with a hint for SSH's usual refusals and the state left."""
        detail = str(exc)
        hint = ""
        if "Host key verification failed" in detail or "REMOTE HOST IDENTIFICATION HAS CHANGED" in detail:
            hint = (f"; the server's host key is not the one in "
                    f"{self.config.get('known_hosts') or '~/.ssh/known_hosts'}: check the key's fingerprint with the "
                    f"server's administrator before changing known_hosts")
        elif "Permission denied" in detail:
            hint = f"; {self.host} refused the SSH key ({self.config.get('identity_file') or 'the default key'})"
        return DeployError(f"{self.ctx.name}: {detail} (on {self.host}){hint}; {live}")

    def live(self):
        try:
            return self.layout.live()
        except LayoutError as exc:
            raise self._failed(exc) from None

    def apply(self, source: Path, manifest: Manifest, plan: Plan, release: str) -> Path:
        try:
            self.layout.prepare()
            live, _ = self.layout.live()
        except LayoutError as exc:
            raise self._failed(exc) from None
        stage = self.ctx.work / "stage"
        shutil.rmtree(stage, ignore_errors=True)
        stage_release(source, stage, None, None, manifest, self.config.get("precompress", True))
        manifest.release = release
        dest = f"{self.host}:{self.path}/releases/{release}.partial/"
        cmd = ["rsync", *RSYNC_OPTIONS, "-e", shlex.join(["ssh", *self.ssh_options])]
        if self.config.get("rsync_path"):
            cmd += ["--rsync-path", self.config["rsync_path"]]
        if live:
            cmd += [f"--link-dest={self.path}/releases/{live}"]
        cmd += [f"{stage}/", dest]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=3600, stdin=subprocess.DEVNULL,
                                  preexec_fn=_die_with_parent if _PRCTL is not None else None)
        except subprocess.TimeoutExpired:
            raise DeployError(f"{self.ctx.name}: rsync to {self.host} did not finish in an hour; the live site was "
                              f"not changed (the next deploy removes the partial upload)") from None
        except OSError as exc:
            raise DeployError(f"{self.ctx.name}: cannot run rsync ({exc}); install Debian's rsync and "
                              f"openssh-client; the live site was not changed") from None
        if proc.returncode != 0:
            detail = (proc.stderr or proc.stdout).strip().splitlines()
            raise self._failed(LayoutError(f"uploading with rsync failed (exit {proc.returncode}): "
                                           f"{detail[-1] if detail else 'no message'}"),
                               "the live site was not changed (the next deploy removes the partial upload)")
        sent = [line for line in proc.stdout.splitlines() if line.startswith(("Number of regular files transferred",
                                                                              "Total transferred file size"))]
        for line in sent:
            self.ctx.log(f"  rsync: {line.strip()}")
        try:
            self.layout.switch(release, manifest)
        except LayoutError as exc:
            raise self._failed(exc, f"{self.path}/current still points at release {live or '(none)'}") from None
        self.ctx.log(f"  {self.ctx.name}: {self.host}:{self.path}/current -> releases/{release}")
        return stage

    def undo(self, previous: str | None) -> None:
        if previous:
            try:
                self.layout.point(previous)
            except LayoutError as exc:
                raise self._failed(exc, "the new, unverified release may still be live: run "
                                   "`jindallae deploy --rollback`") from None

    def finish(self, plan: Plan, release: str) -> list[str]:
        try:
            return self.layout.prune(self.ctx.keep, release)
        except LayoutError as exc:
            raise self._failed(exc, f"release {release} is live and verified") from None

    def rollback(self) -> tuple[str, str]:
        live, _ = self.live()
        try:
            before = self.layout.previous(live)
        except LayoutError as exc:
            raise self._failed(exc) from None
        if before is None:
            raise DeployError(f"{self.ctx.name}: no earlier release on {self.host}:{self.path}/releases to roll back "
                              f"to; nothing was changed")
        try:
            self.layout.point(before)
        except LayoutError as exc:
            raise self._failed(exc) from None
        return live or "", before
