"""Accounts (issue "Government editorial workflow", item 7): the sign-in throttle holds under
concurrent requests (real HTTP, a threaded server on 127.0.0.1), a first password set by an
administrator must be replaced at the first sign-in, the first administrator of the README can
do the whole path alone, and a save on a read-only file system keeps the editor's text."""

from __future__ import annotations

import errno
import http.client
import re
import subprocess
import sys
import threading
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from bs4 import BeautifulSoup

from cms_helpers import DEFAULT_PASSWORD, browser_form, csrf, db_rows, git, login, make_cms

NEWS = {"news/a.zh.md": "---\ntitle: 甲\ndate: 2026-01-01\nstatus: draft\n---\n正文。\n"}
COOKIE = "jindallae_cms"
CHEAP = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 8192, "ARGON2_PARALLELISM": 1}


class CountingHasher(PasswordHasher):
    """argon2id as configured, counting every ``verify`` (= every password check)."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.calls = 0
        self._lock = threading.Lock()

    def verify(self, hash, password):  # noqa: A002 - argon2's own parameter name
        with self._lock:
            self.calls += 1
        return super().verify(hash, password)


@contextmanager
def http_server(app):
    """``app`` behind Werkzeug's threaded server on a free port of 127.0.0.1; stopped on exit."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
        assert not thread.is_alive()


class Browser:
    """One HTTP client with its own session cookie (http.client, one connection per request)."""

    def __init__(self, port: int):
        self.port = port
        self.cookie = ""

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            headers = {"Cookie": self.cookie} if self.cookie else {}
            body = None
            if form is not None:
                body = urllib.parse.urlencode(form)
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie" and value.startswith(COOKIE + "="):
                    self.cookie = value.split(";", 1)[0]
            return response.status, dict(response.getheaders()), text
        finally:
            conn.close()

    def token(self) -> str:
        _status, _headers, page = self.request("GET", "/login")
        return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def burst(port: int, passwords: list[str], username: str = "ed") -> list[tuple[int, dict, str]]:
    """Send one sign-in per password for ``username`` at the same moment (each from its own
    session, all released by one barrier); the responses in the same order."""
    browsers = [Browser(port) for _ in passwords]
    tokens = [b.token() for b in browsers]
    barrier = threading.Barrier(len(passwords))
    results: list = [None] * len(passwords)

    def one(i):
        barrier.wait(30)
        results[i] = browsers[i].request("POST", "/login", {"csrf_token": tokens[i], "username": username,
                                                             "password": passwords[i], "next": "/account"})

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(passwords))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    assert all(r is not None for r in results), "a request did not finish"
    return results


@pytest.fixture
def counted(tmp_path):
    app, _client = make_cms(tmp_path, users={"ed": ["editor"], "amy": ["editor"]}, content_files=NEWS, config=CHEAP)
    hasher = CountingHasher(time_cost=1, memory_cost=8192, parallelism=1)
    app.extensions["cms_hasher"] = hasher
    return app, hasher


def test_throttle_holds_for_50_wrong_passwords_at_once(counted):
    """50 wrong passwords for one account sent at the same moment over real HTTP: exactly 5 are
    checked (LOGIN_MAX_FAILURES_ACCOUNT), the other 45 answer 429 without any password check."""
    app, hasher = counted
    with http_server(app) as port:
        results = burst(port, [f"wrong password number {i}" for i in range(50)])
    statuses = sorted(r[0] for r in results)
    assert statuses == [200] * 5 + [429] * 45
    assert hasher.calls == 5
    wrong = [r for r in results if r[0] == 200]
    assert all("用户名或密码错误。" in r[2] for r in wrong)
    assert all("登录失败次数太多" in r[2] for r in results if r[0] == 429)
    rows = db_rows(app, "SELECT ok FROM login_attempts WHERE username = 'ed'")
    assert [r["ok"] for r in rows] == [0] * 5
    actions = [r["action"] for r in db_rows(app, "SELECT action FROM audit_log ORDER BY id")]
    assert actions.count("login_failed") == 5 and actions.count("login_throttled") == 45


def test_right_password_in_a_burst_is_checked_only_within_the_limit(counted):
    """49 wrong passwords and the right one at the same moment: still at most 5 checks, so the
    right one signs in only when it is among them; afterwards the account stays throttled for
    the wrong guesses and another account is not affected."""
    app, hasher = counted
    passwords = [f"wrong password number {i}" for i in range(49)]
    passwords.insert(25, DEFAULT_PASSWORD)
    with http_server(app) as port:
        results = burst(port, passwords)
        signed_in = [r for r in results if r[0] == 302]
        assert len(signed_in) <= 1
        # Checked: at most 5 reservations up to and including the right one; its success forgets
        # the (at most 4) failures reserved before it, so at most 5 more of the burst can be
        # admitted after it: 10 checks at most, 5 when the right password was refused unchecked.
        assert hasher.calls <= 10 if signed_in else hasher.calls <= 5
        assert sum(1 for r in results if r[0] == 429) >= 40  # the rest were refused unchecked
        before = hasher.calls
        other = Browser(port)
        status, headers, _page = other.request("POST", "/login", {"csrf_token": other.token(), "username": "amy",
                                                                  "password": DEFAULT_PASSWORD, "next": "/account"})
        assert status == 302 and headers["Location"] == "/account"
        assert hasher.calls == before + 1


def test_throttled_request_checks_no_password(counted):
    """Once the limit is reached, a request (even with the right password) costs no hash at all."""
    app, hasher = counted
    client = app.test_client()
    for i in range(5):
        assert login(client, "ed", f"wrong password {i}").status_code == 200
    assert hasher.calls == 5
    assert login(client, "ed").status_code == 429
    assert hasher.calls == 5


# ---------------------------------------------------------------------------------------------
# First password


def test_first_password_set_by_admin_must_be_replaced(tmp_path):
    """A user created by an administrator signs in with the given password and must choose their
    own before any page opens (pages and scripts alike); the given one is refused as the new
    one; afterwards the new password works and the old one does not."""
    app, admin = make_cms(tmp_path, users={"boss": ["admin"]}, content_files=NEWS, config=CHEAP)
    login(admin, "boss")
    r = admin.post("/admin/users", data={"csrf_token": csrf(admin), "username": "kim", "roles": ["editor"],
                                         "password": "", "ui_lang": "zh"})
    given = re.search(r'id="new-password">([^<]+)<', r.get_data(as_text=True)).group(1)
    assert db_rows(app, "SELECT must_change_password FROM users WHERE username = 'kim'") == [{"must_change_password": 1}]
    kim = app.test_client()
    r = login(kim, "kim", given, next="/new")
    assert r.status_code == 302 and r.headers["Location"] == "/account/first-password?next=/new"
    for path in ("/", "/new", "/account", "/media/"):
        r = kim.get(path)
        assert r.status_code == 302 and r.headers["Location"].startswith("/account/first-password"), path
    r = kim.get("/media/?format=json", headers={"Accept": "application/json"})
    assert r.status_code == 403 and "密码" in r.get_json()["error"]
    page = kim.get("/account/first-password?next=/new").get_data(as_text=True)
    soup = BeautifulSoup(page, "html.parser")
    assert soup.h1.get_text() == "设置您自己的密码"
    assert soup.find("input", id="current") is None  # the given password was just typed
    token = csrf(kim)
    r = kim.post("/account/first-password", data={"csrf_token": token, "new": given, "confirm": given, "next": "/new"})
    assert r.status_code == 400 and "不要沿用管理员给您的密码" in r.get_data(as_text=True)
    r = kim.post("/account/first-password", data={"csrf_token": token, "new": "我自己的新密码又长又好记", "confirm": "不一样",
                                                  "next": "/new"})
    assert r.status_code == 400 and "两次输入的新密码不一致" in r.get_data(as_text=True)
    r = kim.post("/account/first-password", data={"csrf_token": token, "new": "我自己的新密码又长又好记",
                                                  "confirm": "我自己的新密码又长又好记", "next": "/new"})
    assert r.status_code == 302 and r.headers["Location"] == "/new"
    assert kim.get("/new").status_code == 200
    assert db_rows(app, "SELECT must_change_password FROM users WHERE username = 'kim'") == [{"must_change_password": 0}]
    assert kim.get("/account/first-password").headers["Location"] == "/account"  # nothing to do any more
    other = app.test_client()
    assert login(other, "kim", given).status_code == 200
    assert login(other, "kim", "我自己的新密码又长又好记").headers["Location"] == "/"
    rows = db_rows(app, "SELECT action, detail FROM audit_log WHERE target = 'kim' AND action LIKE 'password%'")
    assert rows == [{"action": "password_change_failed", "detail": ""}, {"action": "password_change_failed", "detail": ""},
                    {"action": "password_change", "detail": "first password"}]


def test_reset_by_admin_is_a_first_password_but_own_reset_is_not(tmp_path):
    app, admin = make_cms(tmp_path, users={"boss": ["admin"], "ed": ["editor"]}, content_files=NEWS, config=CHEAP)
    login(admin, "boss")
    ids = {r["username"]: r["id"] for r in db_rows(app, "SELECT id, username FROM users")}
    admin.post(f"/admin/users/{ids['ed']}/password", data={"csrf_token": csrf(admin), "password": "given by the boss 1"})
    admin.post(f"/admin/users/{ids['boss']}/password", data={"csrf_token": csrf(admin), "password": "the boss chose this"})
    flags = {r["username"]: r["must_change_password"] for r in db_rows(app, "SELECT username, must_change_password FROM users")}
    assert flags == {"boss": 0, "ed": 1}
    ed = app.test_client()
    assert login(ed, "ed", "given by the boss 1").headers["Location"] == "/account/first-password?next=/"


def test_users_created_on_the_command_line_choose_their_own_password(tmp_path):
    """The first administrator (README: ``jindallae cms create-user``) typed the password
    themselves: no forced change; ``--all-roles`` gives every role, so one person can write,
    translate, review, publish and administer; without it the command says how."""
    import os

    app, client = make_cms(tmp_path, content_files=NEWS, config=CHEAP)
    root = Path(app.config["PROJECT_DIR"])

    def run(*args):
        return subprocess.run([sys.executable, "-m", "jindallae.cli", "--project", str(root), "cms", "create-user", *args,
                               "--password-stdin"], input="a long first password\n", capture_output=True, text=True,
                              timeout=120, env={**os.environ, "LANG": "C.UTF-8"})

    r = run("solo", "--all-roles")
    assert r.returncode == 0, r.stderr
    from cms.auth import ROLES

    assert ", ".join(sorted(ROLES)) in r.stdout
    r = run("boss", "--role", "admin")
    assert r.returncode == 0 and "--all-roles" in r.stdout and "Users page" in r.stdout
    rows = db_rows(app, "SELECT u.username, group_concat(r.role) AS roles, u.must_change_password FROM users u "
                        "LEFT JOIN user_roles r ON r.user_id = u.id GROUP BY u.id ORDER BY u.id")
    assert [(r["username"], sorted(r["roles"].split(",")), r["must_change_password"]) for r in rows] == \
        [("solo", sorted(ROLES), 0), ("boss", ["admin"], 0)]
    assert login(client, "solo", "a long first password").headers["Location"] == "/"
    for path in ("/new", "/workflow/", "/publish", "/admin/users", "/media/", "/edit/news/a.zh.md"):
        assert client.get(path).status_code == 200, path


def test_admin_without_writing_roles_is_told_how_to_get_them(tmp_path):
    """The first administrator of the README has the admin role only: the content list says
    why nothing can be written and links to their own roles; with the roles the note goes."""
    app, client = make_cms(tmp_path, users={"boss": ["admin"]}, content_files=NEWS, config=CHEAP)
    login(client, "boss")
    soup = BeautifulSoup(client.get("/").get_data(as_text=True), "html.parser")
    hint = soup.find(id="roles-hint")
    boss = db_rows(app, "SELECT id FROM users WHERE username = 'boss'")[0]["id"]
    assert "单人办公室" in hint.get_text() and hint.find("a")["href"] == f"/admin/users/{boss}"
    client.post(f"/admin/users/{boss}/roles", data={"csrf_token": csrf(client),
                                                    "roles": ["admin", "editor", "translator", "reviewer"]})
    soup = BeautifulSoup(client.get("/").get_data(as_text=True), "html.parser")
    assert soup.find(id="roles-hint") is None and soup.find("a", href="/new") is not None


# ---------------------------------------------------------------------------------------------
# A save on a read-only file system keeps the editor's text


def _edit_form(client, rel: str) -> dict:
    return browser_form(client.get(f"/edit/{rel}").get_data(as_text=True))


def _assert_kept(response, body_text: str, title: str) -> None:
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert body_text in soup.find("textarea", id="body").get_text()
    assert soup.find("input", id="f-title")["value"] == title
    assert soup.find(id="save-failed") is not None


@pytest.fixture
def editor(tmp_path):
    app, client = make_cms(tmp_path, users={"ed": ["editor"]}, content_files=NEWS, config=CHEAP)
    login(client, "ed")
    return app, client


def test_save_on_read_only_file_system_injected(editor, monkeypatch):
    """EROFS at the write (the temporary file of the atomic save cannot be created): the form
    comes back with the editor's text and title, 500, the file and history unchanged."""
    import cms.content_store as store_mod

    app, client = editor
    path = app.config["CONTENT_DIR"] / "news/a.zh.md"
    before, head = path.read_bytes(), git(app.config["PROJECT_DIR"], "rev-parse", "HEAD")
    data = _edit_form(client, "news/a.zh.md")
    data["title"] = "只读时改的标题"
    data["body"] += "只读文件系统上写的段落。\n"

    def read_only(*_a, **_k):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(store_mod.tempfile, "mkstemp", read_only)
    r = client.post("/edit/news/a.zh.md", data=data)
    monkeypatch.undo()
    assert r.status_code == 500
    _assert_kept(r, "只读文件系统上写的段落。", "只读时改的标题")
    assert "EROFS" in BeautifulSoup(r.get_data(as_text=True), "html.parser").find(id="save-failed").get_text()
    assert path.read_bytes() == before and git(app.config["PROJECT_DIR"], "rev-parse", "HEAD") == head


def _can_mount() -> bool:
    import os

    return sys.platform.startswith("linux") and os.geteuid() == 0


@pytest.mark.skipif(not _can_mount(), reason="a read-only bind mount needs root on Linux")
def test_save_on_a_really_read_only_folder(editor):
    """The section folder really read-only (a read-only bind mount of itself): same answer."""
    app, client = editor
    folder = app.config["CONTENT_DIR"] / "news"
    path = folder / "a.zh.md"
    before = path.read_bytes()
    data = _edit_form(client, "news/a.zh.md")
    data["body"] += "真正只读时写的段落。\n"
    if subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True).returncode != 0:
        pytest.skip("mount --bind is not allowed here")
    try:
        if subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)], capture_output=True).returncode != 0:
            pytest.skip("a read-only remount is not allowed here")
        with pytest.raises(OSError) as info:
            (folder / "probe").write_text("x")
        assert info.value.errno == errno.EROFS
        r = client.post("/edit/news/a.zh.md", data=data)
    finally:
        subprocess.run(["umount", str(folder)], capture_output=True, check=True)
    assert r.status_code == 500
    _assert_kept(r, "真正只读时写的段落。", "甲")
    assert path.read_bytes() == before
    assert not list(Path(folder).glob(".cms-*"))
