"""Real servers for the deploy tests, started on 127.0.0.1 by the tests themselves: nginx serving
a ``dir`` target with the configuration ``jindallae deploy --nginx-config`` prints, and a small
project with production settings."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator

from site_helpers import jpeg_bytes, make_project, md, write_files

PUBLIC = "https://rkwh.yanbian.gov.cn"  # a public-looking address: never contacted by the tests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen | None = None, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


SITE = {
    "news/jiangzuo.zh.md": md("title: 延吉市举办幸福家庭讲座\ndate: 2026-06-12\ntags: [延边]",
                              "讲座在人民公园举行。\n\n![公园](../images/park.jpg)\n"),
    "news/jiangzuo.ko.md": md("title: 연길시 행복가정 강좌\ndate: 2026-06-12", "강좌는 인민공원에서 열렸습니다.\n"),
    "news/jianfang.zh.md": md("title: 长白山文化园区开放\ndate: 2026-05-01", "园区开放。\n"),
    "policy/mianfei.zh.md": md("title: 免费孕前检查政策解读\ndate: 2026-03-01\nsummary: 政策要点", "政策正文。\n"),
    "images/park.jpg": jpeg_bytes(size=(1000, 600)),
}


def deploy_project(root: Path, targets: dict, public_url: str = PUBLIC, extra: str = "",
                   files: dict | None = None) -> Path:
    """A project (copies of the real plugins and theme) with :data:`SITE` as content and a
    publishconf.py naming ``public_url`` and ``targets``."""
    project = make_project(root)
    write_files(project / "content", files if files is not None else SITE)
    (project / "publishconf.py").write_text(
        "from pelicanconf import *  # noqa\n"
        f"JINDALLAE_PUBLIC_URL = {public_url!r}\n"
        f"DEPLOY_TARGETS = {targets!r}\n" + extra, encoding="utf-8")
    return project


def nginx_conf(tmp: Path, site_conf: str) -> Path:
    """A whole nginx.conf around the generated ``site_conf`` (prefix, logs, temp folders in
    ``tmp``)."""
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "site.conf").write_text(site_conf, encoding="utf-8")
    conf = tmp / "nginx.conf"
    user = "user root;" if os.geteuid() == 0 else ""  # workers must read the tests' private temp folders
    conf.write_text(f"""
{user}
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/site.conf;
}}
""", encoding="utf-8")
    return conf


@contextlib.contextmanager
def nginx(tmp: Path, site_conf: str, port: int) -> Iterator[str]:
    """Run nginx in the foreground on 127.0.0.1:``port`` with ``site_conf``; yields its base URL."""
    conf = nginx_conf(tmp, site_conf)
    check = subprocess.run(["nginx", "-t", "-c", str(conf), "-p", str(tmp)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(tmp), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_port(port, proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def fetch(url: str, headers: dict | None = None) -> tuple[int, bytes, dict]:
    """GET ``url``: ``(status, body, headers)`` — 4xx/5xx answers too."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


def run_cli(project: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """``jindallae --project PROJECT ARGS`` as a subprocess (stdin closed, no terminal)."""
    import sys

    return subprocess.run([sys.executable, "-m", "jindallae.cli", "--project", str(project), *args],
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
                          env={k: v for k, v in os.environ.items() if k != "LANGUAGE"})


def have(program: str) -> bool:
    return shutil.which(program) is not None
