"""The audit log as a record that cannot be quietly edited (issue "Government editorial workflow",
item 4): hash-chained, append-only rows (SQLite triggers), ``jindallae cms audit verify`` naming
the first changed or deleted row, the CSV export (command and admin page) with readable action
names and Beijing time in the reader's language, and the migration of an existing database."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup

from cms_helpers import csrf, db_rows, login, logout, make_cms

NEWS = {"news/a.zh.md": "---\ntitle: 延吉讲座\ndate: 2026-01-01\nstatus: draft\n---\n正文。\n"}
CHEAP = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 8192, "ARGON2_PARALLELISM": 1}
CMS = Path(__file__).resolve().parents[1] / "cms"


@pytest.fixture
def cms(tmp_path):
    app, client = make_cms(tmp_path, users={"boss": ["admin"], "ed": ["editor"]}, content_files=NEWS, config=CHEAP)
    login(client, "boss")
    return app, client


def raw(app) -> sqlite3.Connection:
    """A plain sqlite3 connection (as somebody with the file would use): no CMS functions."""
    conn = sqlite3.connect(app.config["DATABASE"], isolation_level=None)
    conn.row_factory = sqlite3.Row
    return conn


def cli(app, *args: str, lang: str = "C.UTF-8") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jindallae.cli", "--project", str(app.config["PROJECT_DIR"]), "cms",
                           "audit", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "LANG": lang, "LC_ALL": "", "LC_MESSAGES": ""})


def expected_hash(row: dict, prev: str) -> str:
    data = json.dumps([row["id"], row["at"], row["user_id"], row["action"], row["target"], row["detail"], row["ip"], prev],
                      ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()


def some_events(app):
    other = app.test_client()
    login(other, "ed", "a wrong password here")
    login(other, "ed")
    logout(other)


def test_rows_are_hash_chained(cms):
    """Each row holds the SHA-256 of its content and of the previous row's hash (the documented
    formula, recomputed here independently)."""
    app, _client = cms
    some_events(app)
    rows = db_rows(app, "SELECT * FROM audit_log ORDER BY id")
    assert [r["action"] for r in rows] == ["login", "login_failed", "login", "logout"]
    prev = ""
    for row in rows:
        assert row["prev_hash"] == prev
        assert row["hash"] == expected_hash(row, prev) and re.fullmatch(r"[0-9a-f]{64}", row["hash"])
        prev = row["hash"]
    assert rows[1]["target"] == "ed" and rows[1]["ip"] == "127.0.0.1"


def test_update_and_delete_are_refused(cms):
    """SQLite triggers refuse UPDATE and DELETE, also from a plain sqlite3 connection; and a
    connection without the CMS's hash function cannot even add a row."""
    app, _client = cms
    some_events(app)
    conn = raw(app)
    for sql in ("UPDATE audit_log SET detail = 'edited' WHERE id = 2", "DELETE FROM audit_log WHERE id = 2",
                "DELETE FROM audit_log"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute(sql)
    with pytest.raises(sqlite3.OperationalError, match="cms_audit_hash"):
        conn.execute("INSERT INTO audit_log (at, action) VALUES ('2026-01-01T00:00:00+00:00', 'login')")
    conn.close()
    assert len(db_rows(app, "SELECT * FROM audit_log")) == 4
    assert cli(app, "verify").returncode == 0


def test_concurrent_writers_keep_one_chain(cms):
    """Eight threads writing 25 rows each at the same time: 200 rows, one unbroken chain (the
    previous hash is read inside the INSERT, under SQLite's write lock)."""
    from cms.db import audit, connect, verify_audit

    app, _client = cms
    before = len(db_rows(app, "SELECT id FROM audit_log"))
    barrier = threading.Barrier(8)

    def writer(n):
        conn = connect(app.config["DATABASE"])
        barrier.wait(10)
        with app.app_context():
            for i in range(25):
                audit("test_event", f"w{n}-{i}", conn=conn, user_id=None, ip="192.0.2.1")
        conn.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    conn = connect(app.config["DATABASE"])
    check = verify_audit(conn)
    conn.close()
    assert check.ok and check.rows == before + 200
    assert len({r["prev_hash"] for r in db_rows(app, "SELECT prev_hash FROM audit_log")}) == before + 200


def test_verify_names_the_changed_row(cms):
    app, _client = cms
    some_events(app)
    r = cli(app, "verify")
    assert r.returncode == 0, r.stderr
    assert "4 entries" in r.stdout and "Last entry: 4" in r.stdout
    head = db_rows(app, "SELECT hash FROM audit_log WHERE id = 4")[0]["hash"]
    assert head in r.stdout
    conn = raw(app)  # somebody with the database file and the sqlite3 shell
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("UPDATE audit_log SET target = 'boss' WHERE id = 2")  # hide who failed to sign in
    conn.close()
    r = cli(app, "verify")
    assert r.returncode == 1
    assert "entry 2 was changed" in r.stderr and "First bad entry: 2." in r.stderr
    # Re-hashing the changed row does not help: the next row no longer follows it.
    conn = raw(app)
    row = dict(conn.execute("SELECT * FROM audit_log WHERE id = 2").fetchone())
    conn.execute("UPDATE audit_log SET hash = ? WHERE id = 2", (expected_hash(row, row["prev_hash"]),))
    conn.close()
    r = cli(app, "verify")
    assert r.returncode == 1 and "entry 3 does not follow" in r.stderr


def test_verify_names_the_deleted_row(cms):
    app, _client = cms
    some_events(app)
    conn = raw(app)
    conn.execute("DROP TRIGGER audit_log_no_delete")
    conn.execute("DELETE FROM audit_log WHERE id = 3")
    conn.close()
    r = cli(app, "verify", lang="zh_CN.UTF-8")
    assert r.returncode == 1
    assert "第 3 条被删除了" in r.stderr and "第一条有问题的记录：第 3 条" in r.stderr
    # The first row deleted: found too.
    conn = raw(app)
    conn.execute("DELETE FROM audit_log WHERE id = 1")
    conn.close()
    r = cli(app, "verify")
    assert r.returncode == 1 and "entry 1 was deleted" in r.stderr


def test_admin_page_shows_the_check(cms):
    app, client = cms
    some_events(app)
    page = client.get("/admin/audit").get_data(as_text=True)
    soup = BeautifulSoup(page, "html.parser")
    assert "记录完整：已核验 4 条" in soup.find(id="audit-check").get_text()
    conn = raw(app)
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("UPDATE audit_log SET ip = '10.0.0.1' WHERE id = 3")
    conn.close()
    soup = BeautifulSoup(client.get("/admin/audit").get_data(as_text=True), "html.parser")
    check = soup.find(id="audit-check")
    assert check["role"] == "alert" and "第 3 条在内容管理系统之外被修改" in check.get_text()
    assert soup.find("tr", attrs={"data-id": "3"})["class"] == ["tampered"]


def test_names_details_titles_and_beijing_time_on_the_page(cms):
    """Actions by name, details in the reader's language, a page title instead of its path
    (the path as a detail), Beijing time — in Chinese and in Korean."""
    from cms.db import audit, connect

    app, client = cms
    ed = db_rows(app, "SELECT id FROM users WHERE username = 'ed'")[0]["id"]
    client.post(f"/admin/users/{ed}/roles", data={"csrf_token": csrf(client), "roles": ["editor", "translator"]})
    conn = connect(app.config["DATABASE"])
    with app.app_context():
        audit("workflow_review", "news/a.zh.md", "status: review", conn=conn, user_id=ed)
    conn.close()
    soup = BeautifulSoup(client.get("/admin/audit").get_data(as_text=True), "html.parser")
    row = soup.find("tr", attrs={"data-action": "workflow_review"})
    cells = [td.get_text(" ", strip=True) for td in row.find_all("td")]
    (at,) = [r["at"] for r in db_rows(app, "SELECT at FROM audit_log WHERE action = 'workflow_review'")]
    local = dt.datetime.fromisoformat(at).astimezone(ZoneInfo("Asia/Shanghai"))
    assert cells[0] == f"{local.year}年{local.month}月{local.day}日 {local:%H:%M:%S}"
    assert cells[1:5] == ["ed", "提交审核", "延吉讲座 news/a.zh.md", "新状态：待审核"]
    assert row.find("code", class_="details-line").get_text() == "news/a.zh.md"
    role = soup.find("tr", attrs={"data-action": "role_add"})
    assert [td.get_text(strip=True) for td in role.find_all("td")][2:5] == ["授予角色", "ed", "翻译（朝鲜文编辑）"]
    options = [o.get_text() for o in soup.find(id="f-action").find_all("option")]
    assert "登录失败" in options and "login_failed" not in options
    client.post("/language", data={"csrf_token": csrf(client), "lang": "ko", "next": "/"})
    soup = BeautifulSoup(client.get("/admin/audit").get_data(as_text=True), "html.parser")
    cells = [td.get_text(" ", strip=True) for td in soup.find("tr", attrs={"data-action": "workflow_review"}).find_all("td")]
    assert cells[0].startswith(f"{local.year}. {local.month}. {local.day}.")
    assert cells[2:5] == ["검토에 보냄", "延吉讲座 news/a.zh.md", "새 상태: 검토 중"]


def test_csv_download_from_the_admin_page(cms):
    """POST /admin/audit/export: the filtered log as CSV (UTF-8 with BOM) in the reader's
    language; the download itself is audited; a formula in a user-supplied cell is defused."""
    app, client = cms
    some_events(app)
    attacker = app.test_client()
    login(attacker, "=HYPERLINK(\"http://x.invalid\")", "whatever password 1")
    r = client.post("/admin/audit/export", data={"csrf_token": csrf(client), "user": "", "action": ""})
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert re.fullmatch(r'attachment; filename="audit-log-\d{8}-\d{6}-zh\.csv"', r.headers["Content-Disposition"])
    text = r.data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][:8] == ["序号", "时间（北京时间）", "用户", "操作", "对象", "详情", "地址", "操作代码"]
    body = rows[1:]
    # boss signed in, ed's failure, sign-in and sign-out, the attacker's failure, this download
    assert [r[3] for r in body] == ["登录", "登录失败", "登录", "退出登录", "登录失败", "下载了操作日志"]
    assert [r[7] for r in body] == ["login", "login_failed", "login", "logout", "login_failed", "audit_export"]
    assert body[4][4] == "'=HYPERLINK(\"http://x.invalid\")"
    db = db_rows(app, "SELECT * FROM audit_log ORDER BY id")
    local = dt.datetime.fromisoformat(db[0]["at"]).astimezone(ZoneInfo("Asia/Shanghai"))
    assert body[0][1] == local.strftime("%Y-%m-%d %H:%M:%S") and body[0][8] == db[0]["at"]
    assert [r[-1] for r in body] == [d["hash"] for d in db[:6]]
    assert [r[-2] for r in body] == [d["prev_hash"] for d in db[:6]]
    last = db_rows(app, "SELECT action, detail FROM audit_log ORDER BY id DESC LIMIT 1")[0]
    assert last == {"action": "audit_export", "detail": ""}
    r = client.post("/admin/audit/export", data={"csrf_token": csrf(client), "user": "ed", "action": "login_failed"})
    assert len(list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))) == 2  # header + ed's one failure
    assert client.get("/admin/audit/export").status_code == 405  # a download that is audited is a POST


def test_csv_export_command(cms, tmp_path):
    app, _client = cms
    some_events(app)
    out = tmp_path / "filing.csv"
    r = cli(app, "export", "--output", str(out), "--lang", "ko")
    assert r.returncode == 0, r.stderr
    assert "Wrote 4 audit entries" in r.stdout
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0][:4] == ["번호", "시각(북경 시간)", "사용자", "작업"]
    assert [r[3] for r in rows[1:]] == ["로그인", "로그인 실패", "로그인", "로그아웃"]
    r = cli(app, "export", "--action", "logout")  # to standard output, Chinese by default
    lines = list(csv.reader(io.StringIO(r.stdout)))
    assert r.returncode == 0 and lines[0][0] == "序号" and [l[3] for l in lines[1:]] == ["退出登录"]


def test_existing_database_is_migrated_and_chained(tmp_path):
    """A database of schema version 2 with audit rows: on start the rows get chained in id
    order, the triggers are installed, and new rows continue the chain."""
    from cms.db import MIGRATIONS, connect

    instance = tmp_path / "instance"
    conn = connect(instance / "cms.sqlite3")
    conn.executescript("CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (2);"
                       + MIGRATIONS[0] + MIGRATIONS[1])
    for i, action in enumerate(("login", "role_add", "logout")):
        conn.execute("INSERT INTO audit_log (at, user_id, action, target, detail, ip) VALUES (?, NULL, ?, 'old', ?, '')",
                     (f"2026-0{i + 1}-01T00:00:00+00:00", action, "editor" if action == "role_add" else ""))
    conn.close()
    app, client = make_cms(tmp_path, users={"boss": ["admin"]}, content_files=NEWS, config={**CHEAP, "INSTANCE_DIR": instance})
    assert db_rows(app, "SELECT version FROM schema_version") == [{"version": len(MIGRATIONS)}]
    rows = db_rows(app, "SELECT * FROM audit_log ORDER BY id")
    assert [r["action"] for r in rows] == ["login", "role_add", "logout", "user_create"][:len(rows)]
    login(client, "boss")
    rows = db_rows(app, "SELECT * FROM audit_log ORDER BY id")
    prev = ""
    for row in rows:
        assert row["prev_hash"] == prev and row["hash"] == expected_hash(row, prev)
        prev = row["hash"]
    assert [r["action"] for r in rows][:3] == ["login", "role_add", "logout"] and rows[-1]["action"] == "login"
    assert cli(app, "verify").returncode == 0
    with pytest.raises(sqlite3.DatabaseError):
        raw(app).execute("DELETE FROM audit_log WHERE id = 1")
    assert db_rows(app, "SELECT must_change_password FROM users") == [{"must_change_password": 0}]


def test_every_audited_action_has_a_name():
    """Every action code the CMS writes (``audit("code", ...)`` in cms/, and the workflow's
    ``workflow_<action>`` / ``schedule_<action>`` families) has a readable name in both
    languages."""
    from babel.messages.pofile import read_po

    from cms.i18n import load_catalogs
    from cms.records import ACTION_NAMES

    codes = set()
    for path in CMS.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        codes |= set(re.findall(r"""\b_?audit\(\s*["']([a-z_]+)["']""", text))
        codes |= {c for pair in re.findall(r"""\b_?audit\(\s*["']([a-z_]+)["'] if \w+ else ["']([a-z_]+)["']""", text)
                  for c in pair}
        codes |= set(re.findall(r"""\baction, detail = ["']([a-z_]+)["']""", text))  # cms/notify.py
    from cms import workflow

    codes |= {f"workflow_{a}" for a in workflow.TRANSITIONS} | {f"schedule_{a}" for a in workflow.SCHEDULE_ACTIONS}
    if (CMS / "review.py").exists():  # the review chain's decisions: review_<action>
        from cms import review

        check = re.search(r"action IN \(([^)]*)\)", review.SCHEMA)
        codes |= {f"review_{a}" for a in re.findall(r"'(\w+)'", check.group(1))}
    codes |= {"workflow_revert", "schedule_add", "schedule_cancel", "publish_failed", "rollback_failed", "audit_export"}
    assert {"login", "login_failed", "role_add", "upload", "image_replace", "pending_save"} <= codes
    missing = sorted(codes - set(ACTION_NAMES))
    assert missing == [], f"audit actions without a name in cms/records.py ACTION_NAMES: {missing}"
    catalogs = load_catalogs()
    for lang in ("zh", "ko"):
        untranslated = [c for c in codes if catalogs[lang].gettext(ACTION_NAMES[c]) == ACTION_NAMES[c]]
        assert untranslated == [], (lang, untranslated)


def test_review_decisions_are_append_only_too(cms):
    """The review chain's decisions (cms/review.py) use the same triggers (cms.db.append_only)."""
    from cms.db import append_only

    app, _client = cms
    tables = {r["name"] for r in db_rows(app, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    conn = raw(app)
    if "review_decisions" not in tables:  # the review chain not installed: the helper on a table of our own
        conn.executescript("CREATE TABLE review_decisions (id INTEGER PRIMARY KEY, path TEXT, action TEXT);"
                           + append_only("review_decisions"))
        conn.execute("INSERT INTO review_decisions (path, action) VALUES ('news/a.zh.md', 'submit')")
    else:
        conn.execute("INSERT INTO review_decisions (path, action, step, user_id, at, revision) "
                     "VALUES ('news/a.zh.md', 'submit', '', NULL, '2026-01-01T00:00:00+00:00', 'abc')")
    for sql in ("UPDATE review_decisions SET action = 'pass'", "DELETE FROM review_decisions"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute(sql)
    conn.close()
    with pytest.raises(ValueError):
        append_only("x; DROP TABLE users")


@pytest.mark.parametrize("asked, shown", [("999999999999999999999", 1), ("-3", 1), ("abc", 1), ("0", 1),
                                          ("１", 1), ("", 1)])
def test_page_numbers_out_of_range_show_a_page_that_exists(cms, asked, shown):
    """``?page=`` beyond SQLite's integers (OverflowError before), negative or not a number:
    the nearest page that exists, never a server error."""
    app, client = cms
    some_events(app)
    r = client.get(f"/admin/audit?page={asked}")
    assert r.status_code == 200
    soup = BeautifulSoup(r.get_data(as_text=True), "html.parser")
    assert len(soup.select("tr[data-id]")) == 4  # the rows of the (only) page, not an empty one
    assert not [a for a in soup.find_all("a") if "page=" in (a.get("href") or "")]  # no Newer/Older past it


def test_page_number_is_clamped_to_the_last_page():
    from cms.admin import page_number

    assert page_number("999999999999999999999", 7) == 7
    assert page_number("3", 7) == 3 and page_number(None, 7) == 1 and page_number("-1", 7) == 1
