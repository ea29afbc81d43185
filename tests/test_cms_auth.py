"""CMS sign-in, sessions, CSRF, account page (issue 7 items 1, 3, 11; OWASP ASVS V2, V3, V4)."""

from __future__ import annotations

import pytest

from cms_helpers import DEFAULT_PASSWORD, csrf, db_rows, login, logout, make_cms


@pytest.fixture
def cms(tmp_path):
    return make_cms(tmp_path, users={"ed": ["editor"], "boss": ["admin"]}, content_files={"news/a.zh.md": "---\ntitle: 甲\ndate: 2026-01-01\n---\n正文。\n"})


def test_login_logout_roundtrip(cms):
    app, client = cms
    r = client.get("/account")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login?next=")
    r = login(client, "ed", next="/account")
    assert r.status_code == 302 and r.headers["Location"] == "/account"
    page = client.get("/account").get_data(as_text=True)
    assert "ed" in page and 'lang="zh-Hans"' in page
    assert [r["action"] for r in db_rows(app, "SELECT action FROM audit_log ORDER BY id")] == ["login"]
    assert len(db_rows(app, "SELECT * FROM sessions")) == 1
    r = logout(client)
    assert r.status_code == 302
    assert db_rows(app, "SELECT * FROM sessions") == []
    assert client.get("/account").status_code == 302
    assert [r["action"] for r in db_rows(app, "SELECT action FROM audit_log ORDER BY id")] == ["login", "logout"]
