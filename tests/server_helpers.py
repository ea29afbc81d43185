"""Throwaway servers on 127.0.0.1 for the rsync and S3 deploy tests, started and stopped by the
tests themselves: OpenSSH's ``sshd`` with keys generated in the test's temporary folder, and
moto's standalone S3 server. Each is a context manager that stops its process (and waits for
it) on exit, whatever happened inside."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from deploy_helpers import free_port, wait_port

SSHD = Path("/usr/sbin/sshd")


def stop(proc: subprocess.Popen, timeout: float = 10) -> None:
    """Terminate ``proc`` (its whole process group when it leads one) and wait for it."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        proc.wait(timeout)


def keygen(path: Path, comment: str) -> Path:
    """A new ed25519 key pair at ``path`` / ``path.pub`` (no passphrase); returns ``path``."""
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
                   check=True, capture_output=True, timeout=30)
    path.chmod(0o600)
    return path


def known_hosts_line(port: int, key: Path) -> str:
    """The known_hosts line of ``[127.0.0.1]:port`` for the public half of ``key``."""
    kind, blob = key.with_suffix(".pub").read_text(encoding="utf-8").split()[:2]
    return f"[127.0.0.1]:{port} {kind} {blob}\n"


@dataclass
class Sshd:
    """A running sshd: ``user@127.0.0.1`` on ``port``; ``identity`` logs in, ``known_hosts``
    holds its host key; ``other_known_hosts`` holds another key for the same address."""

    host: str
    port: int
    identity: Path
    known_hosts: Path
    other_known_hosts: Path
    folder: Path

    def target(self, path: Path, **extra) -> dict:
        """An rsync deploy target for ``path`` on this server."""
        return {"type": "rsync", "host": self.host, "path": str(path), "port": self.port,
                "identity_file": str(self.identity), "known_hosts": str(self.known_hosts), **extra}


@contextlib.contextmanager
def sshd(tmp: Path) -> Iterator[Sshd]:
    """Run ``/usr/sbin/sshd -D -e`` on 127.0.0.1 with a throwaway host key, accepting only a
    throwaway user key (for the current user, root included)."""
    tmp.mkdir(parents=True, exist_ok=True)
    host_key = keygen(tmp / "ssh_host_ed25519_key", "test host")
    user_key = keygen(tmp / "id_deploy", "deploy test")
    other_key = keygen(tmp / "other_host_key", "not the host")
    shutil.copyfile(user_key.with_suffix(".pub"), tmp / "authorized_keys")
    (tmp / "authorized_keys").chmod(0o600)
    port = free_port()
    config = tmp / "sshd_config"
    config.write_text(f"""\
ListenAddress 127.0.0.1
Port {port}
HostKey {host_key}
PidFile {tmp}/sshd.pid
AuthorizedKeysFile {tmp}/authorized_keys
StrictModes no
UsePAM no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
X11Forwarding no
AllowTcpForwarding no
PrintMotd no
LogLevel ERROR
""", encoding="utf-8")
    try:
        os.makedirs("/run/sshd", exist_ok=True)  # its privilege-separation folder (Debian's path)
    except PermissionError:
        import pytest

        pytest.skip("sshd needs /run/sshd; create it as root (the tests run as root in CI)")
    check = subprocess.run([str(SSHD), "-t", "-f", str(config)], capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, check.stderr
    known = tmp / "known_hosts"
    known.write_text(known_hosts_line(port, host_key), encoding="utf-8")
    other = tmp / "other_known_hosts"
    other.write_text(known_hosts_line(port, other_key), encoding="utf-8")
    log = open(tmp / "sshd.log", "wb")
    proc = subprocess.Popen([str(SSHD), "-D", "-e", "-f", str(config)], stdin=subprocess.DEVNULL, stdout=log,
                            stderr=subprocess.STDOUT)
    try:
        wait_port(port, proc)
        user = pwd.getpwuid(os.geteuid()).pw_name
        yield Sshd(f"{user}@127.0.0.1", port, user_key, known, other, tmp)
    finally:
        stop(proc)
        log.close()


@contextlib.contextmanager
def moto_s3(tmp: Path) -> Iterator[str]:
    """Run moto's standalone server (``python -m moto.server``) on 127.0.0.1; yields its
    endpoint URL."""
    tmp.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = open(tmp / "moto.log", "wb")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)
    try:
        wait_port(port, proc, timeout=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        log.close()


def wait_gone(pid: int, timeout: float = 10) -> None:
    """Wait until process ``pid`` no longer exists."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise TimeoutError(f"process {pid} still runs")


def kill_when(proc: subprocess.Popen, ready, delay: float = 0.0, timeout: float = 60) -> bool:
    """SIGKILL ``proc`` (that process only) once ``ready()`` is true — polled every 20 ms, for
    at most ``timeout`` seconds — and ``delay`` more seconds have passed. Returns whether it
    was still running when killed."""
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline and not ready():
        time.sleep(0.02)
    if delay:
        time.sleep(delay)
    if proc.poll() is not None:
        return False
    proc.send_signal(signal.SIGKILL)
    return True
