"""``jindallae cms``: create-user, run-due and serve (issue 7 item 1)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from cms_helpers import db_rows, login, make_cms

NEWS = {"news/a.zh.md": "---\ntitle: 甲\ndate: 2026-01-01\n---\n正文。\n"}
JINDALLAE = [sys.executable, "-m", "jindallae.cli"]


@pytest.fixture
def project(tmp_path):
    app, _client = make_cms(tmp_path, content_files=NEWS)
    return app, Path(app.config["PROJECT_DIR"])


def run(project: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "LANG": "C.UTF-8"}
    return subprocess.run([*JINDALLAE, "--project", str(project), "cms", *args], input=stdin, capture_output=True,
                          text=True, env=env, timeout=60)


def test_create_first_admin_with_password_stdin(project):
    app, root = project
    r = run(root, "create-user", "admin", "--role", "admin", "--role", "reviewer", "--display-name", "管理员",
            "--email", "admin@example.invalid", "--ui-lang", "ko", "--password-stdin", stdin="延边金达莱花开的美丽季节\n")
    assert r.returncode == 0, r.stderr
    assert "Created user admin" in r.stdout and "admin, reviewer" in r.stdout
    (user,) = db_rows(app, "SELECT * FROM users")
    assert (user["username"], user["display_name"], user["email"], user["ui_lang"]) == \
        ("admin", "管理员", "admin@example.invalid", "ko")
    assert user["password_hash"].startswith("$argon2id$")
    assert [r["role"] for r in db_rows(app, "SELECT role FROM user_roles ORDER BY role")] == ["admin", "reviewer"]
    assert db_rows(app, "SELECT action, target, user_id FROM audit_log") == \
        [{"action": "user_create", "target": "admin", "user_id": None}]
    client = app.test_client()
    assert login(client, "admin", "延边金达莱花开的美丽季节").status_code == 302
    assert client.get("/admin/users").status_code == 200


def test_create_user_refusals(project):
    app, root = project
    r = run(root, "create-user", "admin", "--role", "admin", "--password-stdin", stdin="short\n")
    assert r.returncode == 1
    assert "password refused: The password must have at least 12 characters (it has 5)." in r.stderr
    assert "nothing was created" in r.stderr
    assert db_rows(app, "SELECT * FROM users") == []
    assert run(root, "create-user", "admin", "--password-stdin", stdin="a good long password\n").returncode == 0
    r = run(root, "create-user", "ADMIN", "--password-stdin", stdin="another long password\n")
    assert r.returncode == 1 and "is taken" in r.stderr
    # Two sentences, each whole: not "… is taken.; nothing was created"
    assert r.stderr.splitlines() == ["cms: The user name ADMIN is taken.", "cms: nothing was created"], r.stderr
    r = run(root, "create-user", "x", "--role", "boss", "--password-stdin", stdin="another long password\n")
    assert r.returncode == 2 and "invalid choice: 'boss'" in r.stderr  # argparse usage error
    assert [u["username"] for u in db_rows(app, "SELECT username FROM users")] == ["admin"]


def test_create_user_prompts_twice(project, monkeypatch, capsys):
    from jindallae.cli import main

    app, root = project
    answers = iter(["first long password", "other long password"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert main(["--project", str(root), "cms", "create-user", "kim", "--role", "translator"]) == 1
    assert "the two passwords differ" in capsys.readouterr().err
    answers = iter(["청진동 골목의 봄날 아침", "청진동 골목의 봄날 아침"])
    assert main(["--project", str(root), "cms", "create-user", "kim", "--role", "translator"]) == 0
    assert [r["role"] for r in db_rows(app, "SELECT role FROM user_roles")] == ["translator"]


def test_create_user_messages_in_chinese_locale(project):
    _app, root = project
    env = {**os.environ, "LANG": "zh_CN.UTF-8", "LC_ALL": ""}
    r = subprocess.run([*JINDALLAE, "--project", str(root), "cms", "create-user", "a", "--password-stdin"],
                       input="short\n", capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 1 and "密码至少要有 12 个字符（现在是 5 个）。" in r.stderr


def test_run_due(project):
    _app, root = project
    r = run(root, "run-due")
    assert r.returncode == 0, r.stderr
    import importlib.util

    if importlib.util.find_spec("cms.workflow") is None:
        assert "Nothing to run" in r.stdout
    else:
        assert r.stdout.startswith("Ran 0 due job(s).")


def test_outside_a_project(tmp_path):
    r = subprocess.run([*JINDALLAE, "--project", str(tmp_path), "cms", "run-due"], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 2 and "no pelicanconf.py" in r.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve(project):
    """``jindallae cms --port P`` serves the sign-in page on 127.0.0.1 with the CMS headers."""
    _app, root = project
    port = free_port()
    proc = subprocess.Popen([*JINDALLAE, "--project", str(root), "cms", "serve", "--port", str(port), "--no-scheduler"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.time() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as resp:
                    body = resp.read().decode()
                    headers = resp.headers
                break
            except OSError:
                assert proc.poll() is None and time.time() < deadline, proc.stdout.read() if proc.poll() is not None else "timeout"
                time.sleep(0.2)
        assert 'name="password"' in body and "Content-Security-Policy" in headers
    finally:
        proc.terminate()
        out = proc.communicate(timeout=10)[0]
    assert f"http://127.0.0.1:{port}/" in out and "create-user admin --role admin" in out


def test_scheduler_thread_calls_run_due(tmp_path, monkeypatch):
    """The serving process's thread calls cms.workflow.run_due(app) every SCHEDULER_INTERVAL
    seconds inside an app context; test apps do not start it."""
    import threading

    import cms.workflow
    from flask import current_app

    from cms.scheduler import stop_scheduler

    calls = []
    done = threading.Event()

    def fake_run_due(app):
        calls.append((app, current_app._get_current_object()))
        if len(calls) >= 2:
            done.set()
        return []

    monkeypatch.setattr(cms.workflow, "run_due", fake_run_due)
    app, _client = make_cms(tmp_path / "a", content_files=NEWS)
    assert "cms_scheduler" not in app.extensions
    app, _client = make_cms(tmp_path / "b", content_files=NEWS, config={"SCHEDULER": True, "SCHEDULER_INTERVAL": 0.05})
    try:
        assert done.wait(10)
    finally:
        stop_scheduler(app)
    assert all(a is app and c is app for a, c in calls)
