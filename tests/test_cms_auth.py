"""CMS sign-in, sessions, CSRF and the account page (issue 7 items 1, 3, 11; OWASP ASVS 4.0.3
V2 authentication, V3 session management, V4.2.2 CSRF)."""

from __future__ import annotations

import hashlib
import re

import pytest
from argon2 import PasswordHasher

from cms_helpers import DEFAULT_PASSWORD, csrf, db_rows, login, logout, make_cms

NEWS = {"news/a.zh.md": "---\ntitle: 甲\ndate: 2026-01-01\n---\n正文。\n"}
COOKIE = "jindallae_cms"


@pytest.fixture
def cms(tmp_path):
    return make_cms(tmp_path, users={"ed": ["editor"], "boss": ["admin"]}, content_files=NEWS)


def actions(app) -> list[str]:
    return [r["action"] for r in db_rows(app, "SELECT action FROM audit_log ORDER BY id")]


def cookie_data(app, client) -> dict:
    """The decoded (signed) session cookie of ``client``."""
    value = client.get_cookie(COOKIE).value
    return app.session_interface.get_signing_serializer(app).loads(value)


def test_login_logout_roundtrip(cms):
    app, client = cms
    r = client.get("/account")
    assert r.status_code == 302 and r.headers["Location"] == "/login?next=/account"
    r = login(client, "ed", next="/account")
    assert r.status_code == 302 and r.headers["Location"] == "/account"
    page = client.get("/account").get_data(as_text=True)
    assert "<dd>ed</dd>" in page and 'lang="zh-Hans"' in page and "编辑" in page  # role name in Chinese
    assert actions(app) == ["login"]
    assert len(db_rows(app, "SELECT * FROM sessions")) == 1
    r = logout(client)
    assert r.status_code == 302 and r.headers["Location"] == "/login"
    assert db_rows(app, "SELECT * FROM sessions") == []
    assert client.get("/account").status_code == 302
    assert actions(app) == ["login", "logout"]


def test_passwords_stored_as_argon2id(cms):
    """ASVS V2.4.1/V2.4.4: argon2id, never the password."""
    app, _ = cms
    (row,) = db_rows(app, "SELECT password_hash FROM users WHERE username = 'ed'")
    assert row["password_hash"].startswith("$argon2id$")
    assert DEFAULT_PASSWORD not in row["password_hash"]
    PasswordHasher().verify(row["password_hash"], DEFAULT_PASSWORD)


def test_hash_upgraded_when_parameters_change(tmp_path):
    """A hash made with weaker parameters is replaced at the next sign-in (ASVS V2.4.1)."""
    app, client = make_cms(tmp_path, users={"ed": ["editor"]}, content_files=NEWS,
                           config={"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 8192, "ARGON2_PARALLELISM": 1})
    old = db_rows(app, "SELECT password_hash FROM users")[0]["password_hash"]
    assert "m=8192,t=1,p=1" in old
    app.extensions["cms_hasher"] = PasswordHasher()  # the operator raised the parameters
    assert login(client, "ed").status_code == 302
    new = db_rows(app, "SELECT password_hash FROM users")[0]["password_hash"]
    assert new != old and "m=65536,t=3,p=4" in new
    PasswordHasher().verify(new, DEFAULT_PASSWORD)


def test_generic_error_for_unknown_user_and_wrong_password(cms):
    """The same answer whether the user exists or not (ASVS V2.2.1, no enumeration); the unknown
    user still costs a hash (the dummy hash gets computed)."""
    app, client = cms
    assert "cms_dummy_hash" not in app.extensions
    r1 = login(client, "nobody", "whatever-password")
    assert "cms_dummy_hash" in app.extensions
    r2 = login(client, "ed", "wrong-password-123")
    assert r1.status_code == r2.status_code == 200
    for r in (r1, r2):
        assert "用户名或密码错误。" in r.get_data(as_text=True)
    strip = lambda r: re.sub(r'value="[^"]*"', "", r.get_data(as_text=True))  # noqa: E731 - tokens and user name
    assert strip(r1) == strip(r2)
    assert actions(app) == ["login_failed", "login_failed"]
    assert [r["target"] for r in db_rows(app, "SELECT target FROM audit_log")] == ["nobody", "ed"]
    assert client.get("/account").status_code == 302


def test_deactivated_user_cannot_sign_in_and_loses_session(cms):
    app, client = cms
    assert login(client, "ed").status_code == 302
    from cms.db import connect

    conn = connect(app.config["DATABASE"])
    conn.execute("UPDATE users SET active = 0 WHERE username = 'ed'")
    conn.close()
    assert client.get("/account").status_code == 302  # the running session ends too
    r = login(client, "ed")
    assert r.status_code == 200 and "用户名或密码错误。" in r.get_data(as_text=True)


def test_throttle_per_account(tmp_path):
    """ASVS V2.2.1: after LOGIN_MAX_FAILURES_ACCOUNT failures in the window, even the right
    password is refused (429, no password check); other accounts are not affected; the window
    slides."""
    app, client = make_cms(tmp_path, users={"ed": ["editor"], "amy": ["editor"]}, content_files=NEWS,
                           config={"LOGIN_MAX_FAILURES_ACCOUNT": 3})
    for _ in range(3):
        assert login(client, "ed", "wrong-password-123").status_code == 200
    r = login(client, "ed")  # right password, but throttled
    assert r.status_code == 429
    assert "登录失败次数太多" in r.get_data(as_text=True)
    assert client.get("/account").status_code == 302
    assert "login_throttled" in actions(app)
    assert login(client, "amy").status_code == 302  # another account from the same address
    logout(client)
    from cms.db import connect

    conn = connect(app.config["DATABASE"])
    conn.execute("UPDATE login_attempts SET at = at - 901")  # 15 minutes later
    conn.close()
    assert login(client, "ed").status_code == 302


def test_throttle_per_address(tmp_path):
    """ASVS V2.2.1: many failures from one address (across user names) block that address only."""
    app, client = make_cms(tmp_path, users={"ed": ["editor"]}, content_files=NEWS,
                           config={"LOGIN_MAX_FAILURES_IP": 4})
    client.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    for name in ("a1", "a2", "a3", "a4"):
        login(client, name, "guess-password-1")
    assert login(client, "ed").status_code == 429
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert login(other, "ed").status_code == 302
    ips = {r["ip"] for r in db_rows(app, "SELECT ip FROM login_attempts")}
    assert ips == {"203.0.113.9", "198.51.100.7"}


def test_session_cookie_holds_only_the_session_token(cms):
    """ASVS V3.2.2/V3.5: the signed cookie carries a random token only; the database keeps its
    SHA-256, not the token."""
    app, client = cms
    login(client, "ed")
    data = cookie_data(app, client)
    assert set(data) == {"sid"}
    token = data["sid"]
    assert len(token) >= 40
    (row,) = db_rows(app, "SELECT id, user_id FROM sessions")
    assert row["id"] == hashlib.sha256(token.encode()).hexdigest() != token


def test_session_renewed_at_login(cms):
    """ASVS V3.2.1: signing in makes a new session and deletes the old one; a stolen old
    cookie (or a fixated pre-login cookie) gives no access."""
    app, client = cms
    client.get("/login")
    pre = client.get_cookie(COOKIE).value
    assert "sid" not in cookie_data(app, client)
    login(client, "ed")
    first = client.get_cookie(COOKIE).value
    assert first != pre
    login(client, "ed")  # again, in the same browser
    second = client.get_cookie(COOKIE).value
    assert second != first
    assert len(db_rows(app, "SELECT * FROM sessions")) == 1
    thief = app.test_client()
    thief.set_cookie(COOKIE, first)
    assert thief.get("/account").status_code == 302
    fixated = app.test_client()
    fixated.set_cookie(COOKIE, pre)
    assert fixated.get("/account").status_code == 302
    assert client.get("/account").status_code == 200


def test_idle_timeout(cms):
    """ASVS V3.3.2: 30 minutes without a request end the session (checked on every request)."""
    app, client = cms
    login(client, "ed")
    assert client.get("/account").status_code == 200
    from cms.db import connect

    conn = connect(app.config["DATABASE"])
    conn.execute("UPDATE sessions SET last_seen = last_seen - 1801")
    conn.close()
    r = client.get("/account", follow_redirects=True)
    assert r.request.path == "/login"
    assert "您的登录已过期" in r.get_data(as_text=True)
    assert db_rows(app, "SELECT * FROM sessions") == []


def test_absolute_timeout(cms):
    """ASVS V3.3.2: 12 hours after sign-in the session ends even when in use."""
    app, client = cms
    login(client, "ed")
    from cms.db import connect

    conn = connect(app.config["DATABASE"])
    conn.execute("UPDATE sessions SET created_at = created_at - 43201")  # last_seen stays recent
    conn.close()
    assert client.get("/account").status_code == 302
    assert db_rows(app, "SELECT * FROM sessions") == []


def test_cookie_flags(cms, tmp_path):
    """ASVS V3.4.1-3: HttpOnly and SameSite always; Secure only in production (HTTPS)."""
    _app, client = cms
    r = login(client, "ed")
    cookie = next(v for v in r.headers.getlist("Set-Cookie") if v.startswith(COOKIE + "="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    app2, client2 = make_cms(tmp_path / "prod", users={"ed": ["editor"]}, content_files=NEWS,
                             config={"PRODUCTION": True})
    r = login(client2, "ed")
    cookie = next(v for v in r.headers.getlist("Set-Cookie") if v.startswith(COOKIE + "="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    assert r.headers["Strict-Transport-Security"].startswith("max-age=")


def test_logout_is_post_only(cms):
    app, client = cms
    login(client, "ed")
    assert client.get("/logout").status_code == 405
    assert client.get("/account").status_code == 200
    assert len(db_rows(app, "SELECT * FROM sessions")) == 1


def test_login_without_csrf_token_refused_and_form_kept(cms):
    """V4.2.2: a sign-in without the token is refused with 400 and a clear message; the user
    name typed is kept in the form."""
    app, client = cms
    client.get("/login")
    r = client.post("/login", data={"username": "ed", "password": DEFAULT_PASSWORD})
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert "安全令牌" in page and 'value="ed"' in page
    assert client.get("/account").status_code == 302
    assert db_rows(app, "SELECT * FROM sessions") == []


def test_csrf_token_of_another_session_refused(cms):
    app, client = cms
    login(client, "ed")
    other = app.test_client()
    login(other, "boss")
    stolen = csrf(other)
    before = db_rows(app, "SELECT password_hash FROM users WHERE username = 'ed'")
    r = client.post("/account/password", data={"csrf_token": stolen, "current": DEFAULT_PASSWORD,
                                               "new": "a brand new passphrase", "confirm": "a brand new passphrase"})
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert "安全令牌" in page
    assert db_rows(app, "SELECT password_hash FROM users WHERE username = 'ed'") == before


def test_csrf_header_for_scripts(cms):
    """fetch() sends the token as X-CSRF-Token (cms.js); JSON errors for scripts."""
    app, client = cms
    login(client, "ed")
    r = client.post("/language", data={"lang": "ko"}, headers={"X-Requested-With": "fetch"})
    assert r.status_code == 400 and "error" in r.get_json()
    r = client.post("/language", data={"lang": "ko"}, headers={"X-CSRF-Token": csrf(client)})
    assert r.status_code == 302
    assert db_rows(app, "SELECT ui_lang FROM users WHERE username = 'ed'") == [{"ui_lang": "ko"}]


def test_login_redirect_is_local_only(cms):
    """ASVS V5.1.5: ``next`` cannot send the user to another site."""
    _app, client = cms
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"):
        r = login(client, "ed", next=target)
        assert r.status_code == 302 and r.headers["Location"] == "/", target
    assert login(client, "ed", next="/account?x=1").headers["Location"] == "/account?x=1"


def test_change_password(cms):
    """The current password is required (ASVS V2.1.6); policy applied; other sessions end (V3.3.3)."""
    app, client = cms
    login(client, "ed")
    other = app.test_client()
    login(other, "ed")
    assert len(db_rows(app, "SELECT * FROM sessions")) == 2
    token = csrf(client)
    r = client.post("/account/password", data={"csrf_token": token, "current": "not my password",
                                               "new": "延边的春天来得很晚呢", "confirm": "延边的春天来得很晚呢"})
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert "当前密码不正确。" in page and "密码至少要有 12 个字符（现在是 10 个）。" in page
    new = "延边的春天来得很晚但是很美"  # 13 characters: any characters are allowed
    r = client.post("/account/password", data={"csrf_token": token, "current": DEFAULT_PASSWORD, "new": new,
                                               "confirm": new})
    assert r.status_code == 302
    assert len(db_rows(app, "SELECT * FROM sessions")) == 1
    assert other.get("/account").status_code == 302
    assert client.get("/account").status_code == 200
    logout(client)
    assert login(client, "ed").status_code == 200  # the old password no longer works
    assert login(client, "ed", new).status_code == 302
    assert "password_change" in actions(app)


@pytest.mark.parametrize("password, message", [
    ("short-pass1", "密码至少要有 12 个字符（现在是 11 个）。"),
    ("password1234", "这个密码太常见了"),
    ("x" * 129, "密码最多 128 个字符。"),
])
def test_password_policy(cms, password, message):
    """ASVS V2.1.1 (12+), V2.1.2 (at most 128), V2.1.7 (common passwords)."""
    app, client = cms
    login(client, "ed")
    r = client.post("/account/password", data={"csrf_token": csrf(client), "current": DEFAULT_PASSWORD,
                                               "new": password, "confirm": password})
    assert r.status_code == 400 and message in r.get_data(as_text=True)


def test_password_policy_function():
    from cms.auth import password_problems

    assert password_problems("청진동 골목의 봄날 아침", "ed") == []  # Korean with spaces: 13 code points
    assert password_problems("Yanbian-Editor-1", "yanbian-editor-1") == ["The password must not be the user name."]


def test_language_choice_per_user(cms):
    """The UI language is stored for the user; <html lang> follows it."""
    app, client = cms
    login(client, "ed")
    r = client.post("/language", data={"csrf_token": csrf(client), "lang": "ko", "next": "/account"})
    assert r.status_code == 302 and r.headers["Location"] == "/account"
    page = client.get("/account").get_data(as_text=True)
    assert '<html lang="ko">' in page and "로그아웃" in page and "내 계정" in page and "退出登录" not in page
    logout(client)
    login(client, "ed")
    assert '<html lang="ko">' in client.get("/account").get_data(as_text=True)
    other = app.test_client()
    login(other, "boss")
    assert '<html lang="zh-Hans">' in other.get("/account").get_data(as_text=True)


def test_language_before_login(cms):
    """Before sign-in: Accept-Language (negotiated with q-values), then the switch's cookie."""
    app, client = cms
    page = client.get("/login", headers={"Accept-Language": "ko-KR,ko;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="ko">' in page and "로그인" in page
    page = client.get("/login", headers={"Accept-Language": "en;q=1,zh-CN;q=0.8,ko;q=0.5"}).get_data(as_text=True)
    assert '<html lang="zh-Hans">' in page
    page = client.get("/login", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="zh-Hans">' in page
    r = client.post("/language", data={"csrf_token": csrf(client), "lang": "ko", "next": "/login"})
    assert r.status_code == 302
    page = client.get("/login", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert '<html lang="ko">' in page
    r = client.post("/language", data={"csrf_token": csrf(client), "lang": "fr"})
    assert r.status_code == 400


def test_account_requires_login(cms):
    _app, client = cms
    for method, url in (("get", "/account"),):
        r = getattr(client, method)(url)
        assert r.status_code == 302 and r.headers["Location"].startswith("/login")
    r = client.post("/account/password", data={"csrf_token": csrf(client)})
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")


def test_throttle_sees_real_address_behind_proxy(tmp_path):
    """With TRUSTED_PROXIES=1 (nginx in front), the client address comes from X-Forwarded-For."""
    app, client = make_cms(tmp_path, users={"ed": ["editor"]}, content_files=NEWS,
                           config={"TRUSTED_PROXIES": 1, "LOGIN_MAX_FAILURES_IP": 2})
    client.environ_base["REMOTE_ADDR"] = "127.0.0.1"
    for name in ("a", "b"):
        token = csrf(client)
        client.post("/login", data={"csrf_token": token, "username": name, "password": "wrong password 1"},
                    headers={"X-Forwarded-For": "203.0.113.5"})
    token = csrf(client)
    r = client.post("/login", data={"csrf_token": token, "username": "ed", "password": DEFAULT_PASSWORD},
                    headers={"X-Forwarded-For": "203.0.113.5"})
    assert r.status_code == 429
    r = client.post("/login", data={"csrf_token": token, "username": "ed", "password": DEFAULT_PASSWORD},
                    headers={"X-Forwarded-For": "198.51.100.1"})
    assert r.status_code == 302
    assert {r["ip"] for r in db_rows(app, "SELECT ip FROM login_attempts")} == {"203.0.113.5", "198.51.100.1"}


def test_stale_sessions_removed_at_login(cms):
    app, client = cms
    login(client, "ed")
    from cms.db import connect

    conn = connect(app.config["DATABASE"])
    conn.execute("UPDATE sessions SET last_seen = last_seen - 4000")  # abandoned an hour ago
    conn.close()
    other = app.test_client()
    login(other, "boss")
    assert [r["user_id"] for r in db_rows(app, "SELECT user_id FROM sessions")] == \
        [db_rows(app, "SELECT id FROM users WHERE username = 'boss'")[0]["id"]]
