"""CMS administration: users, roles, deactivation, the audit log (issue 7 items 3 and 8; ASVS
V4.1 access control, V7.1-V7.2 logging)."""

from __future__ import annotations

import re

import pytest

from cms_helpers import DEFAULT_PASSWORD, csrf, db_rows, login, logout, make_cms

NEWS = {"news/a.zh.md": "---\ntitle: 甲\ndate: 2026-01-01\n---\n正文。\n"}


@pytest.fixture
def cms(tmp_path):
    app, client = make_cms(tmp_path, users={"boss": ["admin"], "ed": ["editor"]}, content_files=NEWS)
    login(client, "boss")
    return app, client


def uid(app, name: str) -> int:
    return db_rows(app, "SELECT id FROM users WHERE username = ?", name)[0]["id"]


def roles_of(app, name: str) -> list[str]:
    return [r["role"] for r in db_rows(app, "SELECT role FROM user_roles r JOIN users u ON u.id = r.user_id "
                                            "WHERE u.username = ? ORDER BY role", name)]


def audit_rows(app) -> list[tuple]:
    return [(r["action"], r["target"], r["detail"], r["username"]) for r in
            db_rows(app, "SELECT a.action, a.target, a.detail, u.username FROM audit_log a "
                         "LEFT JOIN users u ON u.id = a.user_id ORDER BY a.id")]


def test_user_list(cms):
    app, client = cms
    page = client.get("/admin/users").get_data(as_text=True)
    assert f'href="/admin/users/{uid(app, "ed")}">ed</a>' in page
    assert "管理员" in page and "编辑" in page
    assert 'name="csrf_token"' in page


def test_create_user_with_generated_password_shown_once(cms):
    app, client = cms
    r = client.post("/admin/users", data={"csrf_token": csrf(client), "username": "kim", "display_name": "김편집",
                                          "email": "kim@example.invalid", "ui_lang": "ko",
                                          "roles": ["translator", "editor"], "password": ""})
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    password = re.search(r'<code class="secret" id="new-password">([^<]+)</code>', page).group(1)
    assert len(password) >= 16
    assert roles_of(app, "kim") == ["editor", "translator"]
    (row,) = db_rows(app, "SELECT display_name, email, ui_lang, active, password_hash FROM users WHERE username = 'kim'")
    assert (row["display_name"], row["email"], row["ui_lang"], row["active"]) == ("김편집", "kim@example.invalid", "ko", 1)
    assert password not in row["password_hash"]
    assert password not in client.get(f"/admin/users/{uid(app, 'kim')}").get_data(as_text=True)  # shown once
    assert ("user_create", "kim", "roles: editor, translator", "boss") in audit_rows(app)
    assert password not in str(audit_rows(app))
    other = app.test_client()
    r = login(other, "kim", password)
    # A password set by an administrator: the user must choose their own first (item 7).
    assert r.status_code == 302 and r.headers["Location"] == "/account/first-password?next=/"
    page = other.get("/account/first-password?next=/").get_data(as_text=True)
    assert '<html lang="ko">' in page and "비밀번호" in page


def test_create_user_refusals_keep_the_form(cms):
    app, client = cms
    r = client.post("/admin/users", data={"csrf_token": csrf(client), "username": "li", "display_name": "李编辑",
                                          "roles": ["editor"], "password": "short"})
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert "密码至少要有 12 个字符（现在是 5 个）。" in page
    assert 'value="李编辑"' in page and 'value="li"' in page
    assert re.search(r'id="nu-role-editor" name="roles" value="editor" checked', page)
    r = client.post("/admin/users", data={"csrf_token": csrf(client), "username": "ED", "password": "long enough password"})
    assert r.status_code == 400 and "用户名 ED 已被使用。" in r.get_data(as_text=True)
    r = client.post("/admin/users", data={"csrf_token": csrf(client), "username": "a b", "password": "long enough password"})
    assert r.status_code == 400 and "不能有空格" in r.get_data(as_text=True)
    assert [r["username"] for r in db_rows(app, "SELECT username FROM users ORDER BY id")] == ["boss", "ed"]


def test_create_user_with_admin_chosen_password(cms):
    app, client = cms
    r = client.post("/admin/users", data={"csrf_token": csrf(client), "username": "park", "roles": ["reviewer"],
                                          "password": "春天的金达莱开满山坡"[:9] + "abc"})
    assert r.status_code == 200 and 'class="secret"' not in r.get_data(as_text=True)
    assert login(app.test_client(), "park", "春天的金达莱开满山坡"[:9] + "abc").status_code == 302


def test_set_several_roles_audited(cms):
    app, client = cms
    ed = uid(app, "ed")
    r = client.post(f"/admin/users/{ed}/roles", data={"csrf_token": csrf(client), "roles": ["editor", "reviewer", "translator"]})
    assert r.status_code == 302
    assert roles_of(app, "ed") == ["editor", "reviewer", "translator"]
    client.post(f"/admin/users/{ed}/roles", data={"csrf_token": csrf(client), "roles": ["reviewer", "bogus"]})
    assert roles_of(app, "ed") == ["reviewer"]
    rows = [r for r in audit_rows(app) if r[0].startswith("role_")]
    assert rows == [("role_add", "ed", "reviewer", "boss"), ("role_add", "ed", "translator", "boss"),
                    ("role_remove", "ed", "editor", "boss"), ("role_remove", "ed", "translator", "boss")]


def test_roles_take_effect_on_next_request(cms):
    app, client = cms
    ed_client = app.test_client()
    login(ed_client, "ed")
    assert ed_client.get("/publish").status_code == 403
    client.post(f"/admin/users/{uid(app, 'ed')}/roles", data={"csrf_token": csrf(client), "roles": ["editor", "reviewer"]})
    assert ed_client.get("/publish").status_code == 200


def test_last_admin_keeps_admin_role(cms):
    """An admin cannot remove their own admin role (or anyone's) when they are the last admin."""
    app, client = cms
    boss = uid(app, "boss")
    r = client.post(f"/admin/users/{boss}/roles", data={"csrf_token": csrf(client), "roles": ["editor"]})
    assert r.status_code == 409
    assert "最后一位管理员" in r.get_data(as_text=True)
    assert roles_of(app, "boss") == ["admin"]
    r = client.post(f"/admin/users/{boss}/active", data={"csrf_token": csrf(client), "active": "0"})
    assert r.status_code == 409
    assert db_rows(app, "SELECT active FROM users WHERE username = 'boss'") == [{"active": 1}]
    # With a second admin, the first may step down.
    client.post(f"/admin/users/{uid(app, 'ed')}/roles", data={"csrf_token": csrf(client), "roles": ["admin"]})
    r = client.post(f"/admin/users/{boss}/roles", data={"csrf_token": csrf(client), "roles": ["editor"]})
    assert r.status_code == 302 and roles_of(app, "boss") == ["editor"]
    assert client.get("/admin/users").status_code == 403  # no longer an admin


def test_deactivated_admin_does_not_count(cms):
    app, client = cms
    ed = uid(app, "ed")
    client.post(f"/admin/users/{ed}/roles", data={"csrf_token": csrf(client), "roles": ["admin"]})
    client.post(f"/admin/users/{ed}/active", data={"csrf_token": csrf(client), "active": "0"})
    r = client.post(f"/admin/users/{uid(app, 'boss')}/roles", data={"csrf_token": csrf(client), "roles": []})
    assert r.status_code == 409


def test_deactivate_and_reactivate(cms):
    app, client = cms
    ed_client = app.test_client()
    login(ed_client, "ed")
    ed = uid(app, "ed")
    r = client.post(f"/admin/users/{ed}/active", data={"csrf_token": csrf(client), "active": "0"})
    assert r.status_code == 302
    assert ed_client.get("/account").status_code == 302  # signed out at once
    assert db_rows(app, "SELECT count(*) AS n FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = 'ed'") == [{"n": 0}]
    assert login(ed_client, "ed").status_code == 200  # generic failure
    assert "已停用" in client.get("/admin/users").get_data(as_text=True)
    client.post(f"/admin/users/{ed}/active", data={"csrf_token": csrf(client), "active": "1"})
    assert login(ed_client, "ed").status_code == 302
    assert [r[0] for r in audit_rows(app) if r[1] == "ed" and r[0].startswith("user_")] == ["user_deactivate", "user_activate"]


def test_reset_password(cms):
    app, client = cms
    ed_client = app.test_client()
    login(ed_client, "ed")
    r = client.post(f"/admin/users/{uid(app, 'ed')}/password", data={"csrf_token": csrf(client), "password": ""})
    assert r.status_code == 200
    password = re.search(r'id="new-password">([^<]+)<', r.get_data(as_text=True)).group(1)
    assert ed_client.get("/account").status_code == 302  # the user's sessions ended
    assert login(ed_client, "ed", DEFAULT_PASSWORD).status_code == 200
    assert login(ed_client, "ed", password).status_code == 302
    r = client.post(f"/admin/users/{uid(app, 'ed')}/password", data={"csrf_token": csrf(client), "password": "ed"})
    assert r.status_code == 400 and "至少要有 12 个字符" in r.get_data(as_text=True)
    assert ("password_reset", "ed", "", "boss") in audit_rows(app)


def test_profile_edit(cms):
    app, client = cms
    r = client.post(f"/admin/users/{uid(app, 'ed')}/profile", data={"csrf_token": csrf(client), "display_name": "朴编辑",
                                                                  "email": "park@example.invalid", "ui_lang": "ko"})
    assert r.status_code == 302
    assert db_rows(app, "SELECT display_name, email, ui_lang FROM users WHERE username = 'ed'") == \
        [{"display_name": "朴编辑", "email": "park@example.invalid", "ui_lang": "ko"}]
    r = client.post(f"/admin/users/{uid(app, 'ed')}/profile", data={"csrf_token": csrf(client), "ui_lang": "fr"})
    assert r.status_code == 400


def test_audit_log_records_and_filters(cms):
    """Item 8: logins, failed logins, logouts and role changes are in the log, filterable by
    user and action, with times in Beijing time."""
    app, client = cms
    other = app.test_client()
    login(other, "ed", "wrong password here")
    login(other, "ed")
    logout(other)
    client.post(f"/admin/users/{uid(app, 'ed')}/roles", data={"csrf_token": csrf(client), "roles": ["editor", "reviewer"]})
    actions = [r[0] for r in audit_rows(app)]
    assert actions == ["login", "login_failed", "login", "logout", "role_add"]
    page = client.get("/admin/audit").get_data(as_text=True)
    for action, name in (("login_failed", "登录失败"), ("logout", "退出登录"), ("role_add", "授予角色")):
        assert f'data-action="{action}"' in page and f"<td>{name}</td>" in page  # a name, not the code
        assert f"<code>{action}</code>" not in page
    page = client.get("/admin/audit?user=ed").get_data(as_text=True)
    assert page.count("data-action=") == 3 and 'data-action="role_add"' not in page  # ed's own: failed, login, logout
    page = client.get("/admin/audit?action=role_add").get_data(as_text=True)
    assert page.count("data-action=") == 1 and "<td>审核人</td>" in page  # the role's name, not "reviewer"
    page = client.get("/admin/audit?user=ed&action=logout").get_data(as_text=True)
    assert page.count("data-action=") == 1
    # Times are shown in Beijing time (UTC+8).
    (at,) = [r["at"] for r in db_rows(app, "SELECT at FROM audit_log WHERE action = 'role_add'")]
    import datetime as dt
    from zoneinfo import ZoneInfo

    local = dt.datetime.fromisoformat(at).astimezone(ZoneInfo("Asia/Shanghai"))
    page = client.get("/admin/audit?action=role_add").get_data(as_text=True)
    assert f"<td>{local.year}年{local.month}月{local.day}日 {local:%H:%M:%S}</td>" in page


def test_audit_paging(cms):
    from cms.admin import AUDIT_PAGE
    from cms.db import audit, connect

    app, client = cms
    conn = connect(app.config["DATABASE"])
    with app.app_context():
        for i in range(AUDIT_PAGE + 5):
            audit("test_event", f"t{i}", conn=conn, user_id=None)
    conn.close()
    page1 = client.get("/admin/audit?action=test_event").get_data(as_text=True)
    # An action the CMS has no name for: "other action" and the code as a detail.
    assert page1.count("<code>test_event</code>") == AUDIT_PAGE and "page=2" in page1 and "其他操作" in page1
    page2 = client.get("/admin/audit?action=test_event&page=2").get_data(as_text=True)
    assert page2.count("<code>test_event</code>") == 5 and ">t0<" in page2


def test_admin_pages_forbidden_for_others(cms):
    app, _client = cms
    ed_client = app.test_client()
    anon = app.test_client()
    login(ed_client, "ed")
    ed = uid(app, "ed")
    gets = ["/admin/users", f"/admin/users/{ed}", "/admin/audit"]
    posts = ["/admin/users", f"/admin/users/{ed}/roles", f"/admin/users/{ed}/active", f"/admin/users/{ed}/profile",
             f"/admin/users/{ed}/password"]
    for url in gets:
        assert ed_client.get(url).status_code == 403, url
        r = anon.get(url)
        assert r.status_code == 302 and r.headers["Location"].startswith("/login?next="), url
    for url in posts:
        r = ed_client.post(url, data={"csrf_token": csrf(ed_client), "roles": ["admin"], "active": "0",
                                      "username": "x", "password": "long enough password"})
        assert r.status_code == 403, url
        r = anon.post(url, data={"csrf_token": csrf(anon), "roles": ["admin"]})
        assert r.status_code == 302, url
    assert roles_of(app, "ed") == ["editor"] and len(db_rows(app, "SELECT * FROM users")) == 2
    assert _client.get("/admin/users/9999").status_code == 404


def test_form_without_csrf_token_shows_what_was_typed(cms):
    """V4.2.2 refusal (400) keeps the user's input visible (passwords excluded) and changes nothing."""
    app, client = cms
    r = client.post("/admin/users", data={"username": "choi", "display_name": "崔主任", "email": "choi@example.invalid",
                                          "password": "a secret long password", "roles": ["editor"]})
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert "安全令牌" in page
    assert ">崔主任</textarea>" in page and ">choi@example.invalid</textarea>" in page
    assert "a secret long password" not in page
    assert [u["username"] for u in db_rows(app, "SELECT username FROM users ORDER BY id")] == ["boss", "ed"]
