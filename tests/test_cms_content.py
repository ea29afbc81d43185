"""CMS content side: the content store (round-trip saves, git commits, history, restore), the
edit form generated from the content model, the content list, preview, and the no-lost-work
cases W1 (stale save → merge view), W4 (one language never touches the other) and W6 (a failed
save keeps the form).  Real git, real SQLite, real files (tests/cms_helpers.make_cms)."""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from cms_helpers import csrf, git, login, make_cms
from jindallae.model import MESSAGES, revision_of

ZH = """---
title: "延吉市举办幸福家庭讲座"   # 标题请勿超过三十字
date: 2026-06-12
tags: [延吉, 幸福家庭]
author: 延边州人口文化办公室
x-internal-note: 保留此字段
status: published
---

讲座在延吉市人民广场举行。

第二段，介绍人口文化。
"""
KO = """---
title: 연길시 행복가정 강좌
date: 2026-06-12
status: published
translated_from: {{lang: zh, revision: {rev}}}
---

강좌는 연길시 인민광장에서 열렸습니다.
"""
# A body with odd whitespace, raw HTML, CRLF line ends and a trailing-space line break.
ODD = ("---\r\ntitle: 长白山文化园区\r\ndate: 2026-05-01\r\nstatus: draft\r\n---\r\n\r\n"
       "第一行后有两个空格  \r\n<div class=\"note\">  原样 HTML\t</div>\r\n\r\n\t缩进行\r\n\r\n\r\n")
# A body the renderer refuses (a list nested 500 deep: over jindallae.markup.MAX_NESTING).
NESTED = "".join("  " * i + "- 列表\n" for i in range(500))
DEEP = "---\ntitle: 深层嵌套\ndate: 2026-05-02\nstatus: draft\n---\n\n" + NESTED


def content_files() -> dict[str, str]:
    ko = KO.format(rev=revision_of(ZH.encode()))
    return {"news/jiangzuo.zh.md": ZH, "news/jiangzuo.ko.md": ko, "news/odd.zh.md": ODD, "news/deep.zh.md": DEEP,
            "parks/gongyuan.ko.md": "---\ntitle: 진달래 공원\ndate: 2026-04-01\nstatus: draft\n---\n\n공원 소개.\n",
            "policy/zhengce.zh.md": "---\ntitle: Policy 解读 ABC\ndate: 2026-03-01\nsummary: 摘要\nstatus: review\n---\n\n正文。\n"}


USERS = {"ed": ["editor"], "ed2": {"roles": ["editor"], "display_name": "李编辑", "email": "li@example.cn"},
         "tr": {"roles": ["translator"], "ui_lang": "ko", "display_name": "김번역"}, "rev": ["reviewer"],
         "adm": ["admin"], "all": ["editor", "translator", "reviewer"], "edko": {"roles": ["editor"], "ui_lang": "ko"},
         # Editors who are also reviewers: their saves on a published page write the file directly (an
         # editor's alone wait for review as a pending change: tests/test_cms_pending.py).
         "edr": {"roles": ["editor", "reviewer"], "display_name": "Ed"},
         "ed2r": {"roles": ["editor", "reviewer"], "display_name": "李编辑", "email": "li@example.cn"},
         "trr": {"roles": ["translator", "reviewer"], "ui_lang": "ko", "display_name": "김번역"}}


@pytest.fixture
def cms(tmp_path):
    app, client = make_cms(tmp_path, users=USERS, content_files=content_files())
    return app, client


def client_for(app, user):
    c = app.test_client()
    assert login(c, user).status_code == 302
    return c


def form_of(html: str, form_id: str = "page-form") -> dict[str, str]:
    """What a browser would send for the form: inputs, checked boxes, selects and textareas
    (the first newline after <textarea> dropped by the HTML parser, line ends sent as CRLF)."""
    soup = BeautifulSoup(html, "html.parser")
    form = soup.find("form", id=form_id)
    assert form is not None, html[:2000]
    data = {}
    for el in form.find_all(["input", "textarea", "select"]):
        name = el.get("name")
        if not name:
            continue
        if el.name == "textarea":
            text = (el.string or "").replace("\r\n", "\n")
            text = text[1:] if text.startswith("\n") else text  # the parser drops it, as browsers do
            data[name] = text.replace("\n", "\r\n")
        elif el.name == "select":
            opt = el.find("option", selected=True)
            data[name] = opt.get("value", "") if opt else ""
        elif el.get("type") == "checkbox":
            if el.has_attr("checked"):
                data[name] = el.get("value", "on")
        elif el.get("type") not in ("submit", "button", "file"):
            data[name] = el.get("value", "")
    return data


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def files_in(repo: Path, commit: str = "HEAD") -> list[str]:
    return [p for p in git(repo, "show", "--name-only", "--format=", commit).splitlines() if p]


# ---------------------------------------------------------------------------------------------
# Saving: round-trip, body bytes, commits


def test_edit_title_keeps_unknown_field_comment_order_and_body(cms):
    """Item 5: front matter edited round-trip — an unknown field, a comment, quotes and key
    order survive; only the title line changes; the commit has the user as author."""
    app, _ = cms
    c = client_for(app, "ed2r")
    repo = app.config["PROJECT_DIR"]
    path = app.config["CONTENT_DIR"] / "news/jiangzuo.zh.md"
    page = c.get("/edit/news/jiangzuo.zh.md")
    assert page.status_code == 200
    data = form_of(page.get_data(as_text=True))
    assert data["title"] == "延吉市举办幸福家庭讲座" and data["tags"] == "延吉, 幸福家庭" and data["date"] == "2026-06-12"
    assert "status" not in data  # the workflow changes the status, not the form
    data["title"] = "延吉市举办第二期幸福家庭讲座"
    r = c.post("/edit/news/jiangzuo.zh.md", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    assert r.location.startswith("/edit/news/jiangzuo.zh.md?saved=")
    old, new = ZH.split("\n"), path.read_text(encoding="utf-8").split("\n")
    assert len(old) == len(new) and [a for a, b in zip(old, new) if a != b] == [old[1]]
    # the quotes and the comment stay (ruamel keeps the comment's column where it can)
    assert re.fullmatch(r'title: "延吉市举办第二期幸福家庭讲座" +# 标题请勿超过三十字', new[1])
    log = git(repo, "log", "-1", "--format=%an|%ae|%cn|%s").strip()
    assert log == "李编辑|li@example.cn|Jindallae CMS|Edit news/jiangzuo.zh.md: 延吉市举办第二期幸福家庭讲座"
    assert files_in(repo) == ["content/news/jiangzuo.zh.md"]
    # the page after the redirect tells the editor script that the save succeeded (clears drafts)
    assert 'data-saved="1"' in c.get(r.location).get_data(as_text=True)


def test_body_with_crlf_trailing_spaces_and_raw_html_kept_byte_for_byte(cms):
    """Item 5: an unchanged body is kept byte for byte (CRLF, trailing-space line break, tab,
    raw HTML, trailing blank lines) although the browser sends the textarea back normalised."""
    app, _ = cms
    c = client_for(app, "ed")
    path = app.config["CONTENT_DIR"] / "news/odd.zh.md"
    data = form_of(c.get("/edit/news/odd.zh.md").get_data(as_text=True))
    data["title"] = "长白山文化园区（新）"
    assert c.post("/edit/news/odd.zh.md", data=data).status_code == 302
    assert path.read_bytes() == ODD.replace("长白山文化园区", "长白山文化园区（新）").encode()
    # A changed body keeps the file's CRLF line ends.
    data = form_of(c.get("/edit/news/odd.zh.md").get_data(as_text=True))
    data["body"] = data["body"].replace("缩进行", "缩进行，已改")
    assert c.post("/edit/news/odd.zh.md", data=data).status_code == 302
    raw = path.read_bytes()
    assert b"\t\xe7\xbc\xa9\xe8\xbf\x9b\xe8\xa1\x8c\xef\xbc\x8c\xe5\xb7\xb2\xe6\x94\xb9\r\n" in raw
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert "第一行后有两个空格  \r\n<div class=\"note\">  原样 HTML\t</div>" in raw.decode()


def test_body_the_renderer_cannot_render_is_kept(cms):
    """Item 5: a body the Markdown renderer cannot render (a list nested 500 deep) stays byte for
    byte when only a field is edited; the preview says it cannot show it instead of failing."""
    app, _ = cms
    c = client_for(app, "ed")
    path = app.config["CONTENT_DIR"] / "news/deep.zh.md"
    data = form_of(c.get("/edit/news/deep.zh.md").get_data(as_text=True))
    data["author"] = "编辑部"
    assert c.post("/edit/news/deep.zh.md", data=data).status_code == 302
    text = path.read_text(encoding="utf-8")
    assert text == DEEP.replace("status: draft\n", "status: draft\nauthor: 编辑部\n") or \
        text == DEEP.replace("date: 2026-05-02\n", "date: 2026-05-02\nauthor: 编辑部\n")
    assert text.endswith("---\n\n" + NESTED)
    r = c.post("/preview", json={"path": "news/deep.zh.md", "body": NESTED},
               headers={"X-CSRF-Token": csrf(c)})
    error = r.get_json()["error"]
    assert r.status_code == 200 and r.get_json()["html"] == "" and "正文第 51 行" in error and "最多 50 层" in error, error


def test_unchanged_form_makes_no_commit(cms):
    app, _ = cms
    c = client_for(app, "ed")
    repo = app.config["PROJECT_DIR"]
    before = head(repo)
    data = form_of(c.get("/edit/news/jiangzuo.zh.md").get_data(as_text=True))
    r = c.post("/edit/news/jiangzuo.zh.md", data=data)
    assert r.status_code == 302 and head(repo) == before


def test_event_fields_use_date_and_time_pickers(cms):
    """Item 5: event fields are generated with date and time inputs; a start with a time is
    written as 'YYYY-MM-DD HH:MM', an all-day end as a date."""
    app, _ = cms
    c = client_for(app, "edr")
    html = c.get("/edit/news/jiangzuo.zh.md").get_data(as_text=True)
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("input", attrs={"name": "event.start", "type": "date"})
    assert soup.find("input", attrs={"name": "event.start.time", "type": "time"})
    assert soup.find("input", attrs={"name": "date", "type": "date"})
    assert soup.find("select", attrs={"name": "event.status"})
    data = form_of(html)
    data.update({"event.start": "2026-07-01", "event.start.time": "09:30", "event.end": "2026-07-01",
                 "event.end.time": "16:00", "event.location": "延吉市人民广场"})
    r = c.post("/edit/news/jiangzuo.zh.md", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    text = (app.config["CONTENT_DIR"] / "news/jiangzuo.zh.md").read_text(encoding="utf-8")
    assert "event:\n  start: 2026-07-01 09:30\n  end: 2026-07-01 16:00\n  location: 延吉市人民广场\n" in text
    assert "x-internal-note: 保留此字段" in text


def test_new_page_is_a_committed_draft(cms):
    """Item 5/7: a new page is created from the form as a draft, slug from the title (pinyin)."""
    app, _ = cms
    c = client_for(app, "ed")
    page = c.get("/new?section=news&lang=zh")
    assert page.status_code == 200
    data = form_of(page.get_data(as_text=True), "new-form")
    data.update({"title": "和龙市人口文化广场落成", "date": "2026-09-01", "tags": "和龙, 广场", "body": "广场落成。\r\n"})
    r = c.post("/new", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    rel = r.location.split("/edit/", 1)[1].split("?")[0]
    assert rel == "news/he-long-shi-ren-kou-wen-hua-guang-chang-luo-cheng.zh.md" or rel.startswith("news/he-long")
    text = (app.config["CONTENT_DIR"] / rel).read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: 和龙市人口文化广场落成\ndate: 2026-09-01\ntags: [和龙, 广场]\nstatus: draft\n---\n")
    assert text.endswith("\n广场落成。\n")
    assert git(app.config["PROJECT_DIR"], "log", "-1", "--format=%s").strip() == f"Create {rel}: 和龙市人口文化广场落成"
    # the same slug again is refused with the form kept
    data["slug"] = rel.split("/")[1].split(".")[0]
    r = c.post("/new", data=data)
    assert r.status_code == 422 and "和龙市人口文化广场落成" in r.get_data(as_text=True)


def _new_form(c, title="珲春市防川景区开放日", body="景区今日开放。\r\n"):
    data = form_of(c.get("/new?section=news&lang=zh").get_data(as_text=True), "new-form")
    data.update({"title": title, "date": "2026-09-01", "body": body})
    return data


def _kept(r, title, body):
    soup = BeautifulSoup(r.get_data(as_text=True), "html.parser")
    form = soup.find("form", id="new-form")
    assert form.find("input", attrs={"name": "title"})["value"] == title
    assert body.strip() in form.find("textarea", attrs={"name": "body"}).get_text()
    return soup


def test_new_page_with_a_file_name_too_long_keeps_the_text(cms):
    """Item 2: an address name the file system cannot take (typed by hand, past the 80
    characters of a made one) is a message with the form kept, not a server error."""
    app, _ = cms
    c = client_for(app, "ed")
    data = _new_form(c)
    data["slug"] = "a" * 300
    r = c.post("/new", data=data)
    assert r.status_code == 422
    soup = _kept(r, "珲春市防川景区开放日", "景区今日开放。")
    assert "未保存" in soup.get_text() and "ENAMETOOLONG" in soup.get_text()
    assert not list((app.config["CONTENT_DIR"] / "news").glob("a*.md"))


def test_new_page_when_the_section_folder_cannot_be_written(cms, monkeypatch):
    app, _ = cms
    c = client_for(app, "ed")
    section = app.config["CONTENT_DIR"] / "news"
    before = sorted(p.name for p in section.iterdir())
    head = git(app.config["PROJECT_DIR"], "rev-parse", "HEAD")
    import cms.content_store as store_mod

    def refused(path, data):
        raise PermissionError(errno.EACCES, "Permission denied")

    section.chmod(0o555)  # a read-only folder (root writes anyway: the write is refused as it would be)
    try:
        if os.geteuid() == 0:
            monkeypatch.setattr(store_mod, "write_bytes_atomic", refused)
        r = c.post("/new", data=_new_form(c))
    finally:
        section.chmod(0o755)
        monkeypatch.undo()
    assert r.status_code == 422
    soup = _kept(r, "珲春市防川景区开放日", "景区今日开放。")
    assert "未保存" in soup.get_text()
    assert sorted(p.name for p in section.iterdir()) == before
    assert git(app.config["PROJECT_DIR"], "rev-parse", "HEAD") == head
    # any OSError on the way (here reading the folder), not only the write itself
    def boom(*a, **k):
        raise OSError(errno.ENAMETOOLONG, "File name too long")

    monkeypatch.setattr(store_mod.Path, "is_file", boom)
    r = c.post("/new", data=_new_form(c))
    monkeypatch.undo()
    assert r.status_code == 422
    assert "File name too long" in _kept(r, "珲春市防川景区开放日", "景区今日开放。").get_text()


def test_new_event_gets_event_id(cms):
    app, _ = cms
    c = client_for(app, "ed")
    data = form_of(c.get("/new?section=events&lang=zh").get_data(as_text=True), "new-form")
    data.update({"title": "图们江文化节", "slug": "tumenjiang-wenhuajie", "event.start": "2027-05-01",
                 "event.location": "图们市"})
    r = c.post("/new", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    text = (app.config["CONTENT_DIR"] / "events/tumenjiang-wenhuajie.zh.md").read_text(encoding="utf-8")
    assert re.search(r"event:\n  id: [0-9a-f-]{36}\n  start: 2027-05-01\n  location: 图们市\n", text), text


# ---------------------------------------------------------------------------------------------
# W1: stale save


def test_W1_stale_save_refused_with_merge_view_and_nothing_lost(cms):
    """W1: A and B open the page; A saves; B's save (old base revision) is refused with 409,
    both versions shown, B's text kept in the form, A's change kept on disk; B then saves
    with the new base revision."""
    app, _ = cms
    a, b = client_for(app, "edr"), client_for(app, "ed2r")
    path = app.config["CONTENT_DIR"] / "news/jiangzuo.zh.md"
    form_a = form_of(a.get("/edit/news/jiangzuo.zh.md").get_data(as_text=True))
    form_b = form_of(b.get("/edit/news/jiangzuo.zh.md").get_data(as_text=True))
    form_a["body"] = form_a["body"].replace("讲座在延吉市人民广场举行。", "讲座在延吉市人民广场隆重举行。")
    assert a.post("/edit/news/jiangzuo.zh.md", data=form_a).status_code == 302
    after_a = path.read_bytes()
    head_a = head(app.config["PROJECT_DIR"])
    form_b["body"] = form_b["body"].replace("第二段，介绍人口文化。", "第二段，由李编辑补充的说明。")
    r = b.post("/edit/news/jiangzuo.zh.md", data=form_b)
    assert r.status_code == 409
    html = r.get_data(as_text=True)
    soup = BeautifulSoup(html, "html.parser")
    theirs = soup.find("textarea", id="merge-theirs").string
    yours = soup.find("textarea", id="merge-yours").string
    assert "隆重举行" in theirs and "由李编辑补充的说明" not in theirs
    assert "由李编辑补充的说明" in yours and "隆重举行" not in yours
    assert soup.select("table.diff ins") and any("由李编辑补充的说明" in i.get_text() for i in soup.select("table.diff ins"))
    # the two changes touch different lines: the combined text (three-way merge) is offered too
    import json

    combined = soup.find("textarea", id="merge-combined").string
    assert "隆重举行" in combined and "由李编辑补充的说明" in combined
    offered = json.loads(soup.find("script", id="merge-data").string)
    assert "隆重举行" in offered["body"] and "由李编辑补充的说明" in offered["body"]
    assert offered["title"] == "延吉市举办幸福家庭讲座" and offered["date"] == "2026-06-12"
    kept = form_of(html)
    assert "由李编辑补充的说明" in kept["body"]  # B's text is still in the form
    assert kept["base_revision"] == revision_of(after_a)  # ready to save on the current version
    assert path.read_bytes() == after_a and head(app.config["PROJECT_DIR"]) == head_a  # A's change kept
    # B takes A's sentence into their text and saves again
    kept["body"] = kept["body"].replace("讲座在延吉市人民广场举行。", "讲座在延吉市人民广场隆重举行。")
    assert b.post("/edit/news/jiangzuo.zh.md", data=kept).status_code == 302
    text = path.read_text(encoding="utf-8")
    assert "隆重举行" in text and "由李编辑补充的说明" in text


# ---------------------------------------------------------------------------------------------
# W6: failed saves


def test_W1_overlapping_changes_offer_no_combined_text(cms):
    """W1: when both editors changed the same line there is no automatic combination; both
    versions and the diff are shown and the editor's text stays in the form."""
    app, _ = cms
    a, b = client_for(app, "edr"), client_for(app, "ed2r")
    form_a = form_of(a.get("/edit/news/jiangzuo.zh.md").get_data(as_text=True))
    form_b = form_of(b.get("/edit/news/jiangzuo.zh.md").get_data(as_text=True))
    form_a["title"], form_b["title"] = "甲改的标题", "乙改的标题"
    assert a.post("/edit/news/jiangzuo.zh.md", data=form_a).status_code == 302
    r = b.post("/edit/news/jiangzuo.zh.md", data=form_b)
    assert r.status_code == 409
    soup = BeautifulSoup(r.get_data(as_text=True), "html.parser")
    assert soup.find(id="merge-combined") is None and soup.find(id="merge-data") is None
    assert form_of(r.get_data(as_text=True))["title"] == "乙改的标题"
    assert "甲改的标题" in (app.config["CONTENT_DIR"] / "news/jiangzuo.zh.md").read_text(encoding="utf-8")


def _assert_form_kept(html: str, body_marker: str, title: str):
    data = form_of(html)
    assert body_marker in data["body"] and data["title"] == title


def test_W6_validation_error_keeps_form_and_speaks_the_users_language(cms):
    """W6: a validation error (required title removed) — 422, the message in the user's UI
    language (Korean for a Korean editor of a Chinese page) next to the field and at the top,
    everything typed kept, file and history unchanged."""
    app, _ = cms
    c = client_for(app, "edko")
    path = app.config["CONTENT_DIR"] / "news/jiangzuo.zh.md"
    before, head_before = path.read_bytes(), head(app.config["PROJECT_DIR"])
    data = form_of(c.get("/edit/news/jiangzuo.zh.md").get_data(as_text=True))
    data["title"] = ""
    data["body"] += "새로 쓴 문단입니다.\r\n"
    data["summary"] = "요약도 썼습니다"
    r = c.post("/edit/news/jiangzuo.zh.md", data=data)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    expected = MESSAGES["missing_field"]["ko"].format(field="제목")  # the form's label, not the key
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find(id="f-title-err").get_text() == expected
    assert expected in soup.find("div", role="alert").get_text()
    kept = form_of(html)
    assert "새로 쓴 문단입니다." in kept["body"] and kept["summary"] == "요약도 썼습니다" and kept["title"] == ""
    assert path.read_bytes() == before and head(app.config["PROJECT_DIR"]) == head_before


def test_W6_git_lock_error_rolls_back_and_keeps_form(cms):
    """W6: git cannot commit (index.lock exists) — 500 naming git, the file on disk is as it
    was, no commit, the form keeps the text."""
    app, _ = cms
    c = client_for(app, "edr")
    repo = app.config["PROJECT_DIR"]
    path = app.config["CONTENT_DIR"] / "news/jiangzuo.zh.md"
    before, head_before = path.read_bytes(), head(repo)
    data = form_of(c.get("/edit/news/jiangzuo.zh.md").get_data(as_text=True))
    data["body"] += "锁住时写的段落。\r\n"
    lock = repo / ".git" / "index.lock"
    lock.write_text("")
    try:
        r = c.post("/edit/news/jiangzuo.zh.md", data=data)
    finally:
        lock.unlink()
    assert r.status_code == 500
    html = r.get_data(as_text=True)
    assert "index.lock" in BeautifulSoup(html, "html.parser").find(id="save-failed").get_text()
    _assert_form_kept(html, "锁住时写的段落。", "延吉市举办幸福家庭讲座")
    assert path.read_bytes() == before and head(repo) == head_before
    assert git(repo, "status", "--porcelain", "--", "content").strip() == ""
    # after the lock is gone the same form saves
    assert c.post("/edit/news/jiangzuo.zh.md", data=form_of(html)).status_code == 302
    assert "锁住时写的段落。" in path.read_text(encoding="utf-8")


def test_W6_failing_pre_commit_hook_rolls_back(cms):
    app, _ = cms
    c = client_for(app, "ed")
    repo = app.config["PROJECT_DIR"]
    path = app.config["CONTENT_DIR"] / "news/odd.zh.md"
    before, head_before = path.read_bytes(), head(repo)
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'policy: commits are frozen' >&2\nexit 1\n")
    hook.chmod(0o755)
    data = form_of(c.get("/edit/news/odd.zh.md").get_data(as_text=True))
    data["title"] = "钩子拒绝的标题"
    r = c.post("/edit/news/odd.zh.md", data=data)
    hook.unlink()
    assert r.status_code == 500
    assert "commits are frozen" in r.get_data(as_text=True)
    _assert_form_kept(r.get_data(as_text=True), "缩进行", "钩子拒绝的标题")
    assert path.read_bytes() == before and head(repo) == head_before
    assert git(repo, "diff", "--cached", "--name-only").strip() == ""


def test_W6_disk_full_keeps_old_file(cms, monkeypatch):
    """W6: the write fails (ENOSPC injected into the atomic write's fsync) — 500 saying the
    disk problem, old file intact, no temporary file left, no commit."""
    import cms.content_store as store_mod

    app, _ = cms
    c = client_for(app, "edr")
    repo = app.config["PROJECT_DIR"]
    path = app.config["CONTENT_DIR"] / "news/jiangzuo.zh.md"
    before, head_before = path.read_bytes(), head(repo)
    data = form_of(c.get("/edit/news/jiangzuo.zh.md").get_data(as_text=True))
    data["body"] += "磁盘满时写的段落。\r\n"

    def full(_fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store_mod.os, "fsync", full)
    r = c.post("/edit/news/jiangzuo.zh.md", data=data)
    monkeypatch.undo()
    assert r.status_code == 500
    message = BeautifulSoup(r.get_data(as_text=True), "html.parser").find(id="save-failed").get_text()
    assert "ENOSPC" in message and "No space left on device" in message
    _assert_form_kept(r.get_data(as_text=True), "磁盘满时写的段落。", "延吉市举办幸福家庭讲座")
    assert path.read_bytes() == before and head(repo) == head_before
    assert not list(path.parent.glob(".cms-*"))


# ---------------------------------------------------------------------------------------------
# W4: one language never touches the other


def test_W4_editing_zh_never_touches_ko_and_back(cms):
    """W4: saving the zh file changes only that file (bytes and git blob of the ko file the
    same, the commit names one path); saving ko leaves zh alone."""
    app, _ = cms
    repo = app.config["PROJECT_DIR"]
    content = app.config["CONTENT_DIR"]
    ko_before = (content / "news/jiangzuo.ko.md").read_bytes()
    ko_blob = git(repo, "rev-parse", "HEAD:content/news/jiangzuo.ko.md").strip()
    c = client_for(app, "edr")
    data = form_of(c.get("/edit/news/jiangzuo.zh.md").get_data(as_text=True))
    data["body"] = data["body"].replace("第二段，介绍人口文化。", "第二段，介绍新的人口文化政策。")
    assert c.post("/edit/news/jiangzuo.zh.md", data=data).status_code == 302
    assert (content / "news/jiangzuo.ko.md").read_bytes() == ko_before
    assert git(repo, "rev-parse", "HEAD:content/news/jiangzuo.ko.md").strip() == ko_blob
    assert files_in(repo) == ["content/news/jiangzuo.zh.md"]
    # the other way round: the translator edits ko, zh stays
    zh_before = (content / "news/jiangzuo.zh.md").read_bytes()
    zh_blob = git(repo, "rev-parse", "HEAD:content/news/jiangzuo.zh.md").strip()
    t = client_for(app, "trr")
    data = form_of(t.get("/edit/news/jiangzuo.ko.md").get_data(as_text=True))
    data["body"] += "추가 문장.\r\n"
    assert t.post("/edit/news/jiangzuo.ko.md", data=data).status_code == 302
    assert (content / "news/jiangzuo.zh.md").read_bytes() == zh_before
    assert git(repo, "rev-parse", "HEAD:content/news/jiangzuo.zh.md").strip() == zh_blob
    assert files_in(repo) == ["content/news/jiangzuo.ko.md"]


def test_W4_other_staged_changes_are_not_committed(cms):
    """W4: a save commits only its own file even when something else is staged in the index."""
    app, _ = cms
    repo = app.config["PROJECT_DIR"]
    other = app.config["CONTENT_DIR"] / "news/odd.zh.md"
    other.write_bytes(other.read_bytes() + b"staged by someone else\r\n")
    git(repo, "add", "content/news/odd.zh.md")
    c = client_for(app, "edr")
    data = form_of(c.get("/edit/news/jiangzuo.zh.md").get_data(as_text=True))
    data["title"] = "只提交这一篇"
    assert c.post("/edit/news/jiangzuo.zh.md", data=data).status_code == 302
    assert files_in(repo) == ["content/news/jiangzuo.zh.md"]
    assert git(repo, "diff", "--cached", "--name-only").strip() == "content/news/odd.zh.md"


# ---------------------------------------------------------------------------------------------
# History, diff, restore


def test_history_diff_and_restore_as_new_commit(cms):
    """Item 8: per-page history with author and message, a side-by-side diff, and restoring an
    old revision as a new commit (history kept)."""
    app, _ = cms
    repo = app.config["PROJECT_DIR"]
    path = app.config["CONTENT_DIR"] / "news/jiangzuo.zh.md"
    original = path.read_bytes()
    c = client_for(app, "ed2r")
    for new_title in ("第一次修改的标题", "第二次修改的标题"):
        data = form_of(c.get("/edit/news/jiangzuo.zh.md").get_data(as_text=True))
        data["title"] = new_title
        assert c.post("/edit/news/jiangzuo.zh.md", data=data).status_code == 302
    r = c.get("/history/news/jiangzuo.zh.md")
    assert r.status_code == 200
    soup = BeautifulSoup(r.get_data(as_text=True), "html.parser")
    rows = soup.select("table.history tbody tr")
    assert len(rows) == 3
    # The commit message is shown in the reader's language (the commit keeps the English one);
    # a commit made outside the CMS is said to be one, its message as a detail.
    assert "修改：第二次修改的标题" in rows[0].get_text() and "李编辑" in rows[0].get_text()
    assert "在内容管理系统之外修改" in rows[2].get_text()
    assert rows[2].find("code", class_="details-line").get_text() == "Starter content"
    commits = git(repo, "log", "--format=%H", "--", "content/news/jiangzuo.zh.md").split()
    r = c.get(f"/history/news/jiangzuo.zh.md/diff?a={commits[1]}&b={commits[0]}")
    soup = BeautifulSoup(r.get_data(as_text=True), "html.parser")
    assert [re.sub(" +", " ", d.get_text()) for d in soup.select("table.diff del")] == ['title: "第一次修改的标题" # 标题请勿超过三十字']
    assert [re.sub(" +", " ", i.get_text()) for i in soup.select("table.diff ins")] == ['title: "第二次修改的标题" # 标题请勿超过三十字']
    base = form_of(c.get("/edit/news/jiangzuo.zh.md").get_data(as_text=True))["base_revision"]
    r = c.post("/history/news/jiangzuo.zh.md/restore", data={"csrf_token": csrf(c), "commit": commits[2],
                                                             "base_revision": base})
    assert r.status_code == 302
    assert path.read_bytes() == original
    log = git(repo, "log", "--format=%s", "--", "content/news/jiangzuo.zh.md").splitlines()
    assert log[0] == f"Restore news/jiangzuo.zh.md to {commits[2][:10]}" and len(log) == 4
    assert log[1] == "Edit news/jiangzuo.zh.md: 第二次修改的标题"
    rows = BeautifulSoup(c.get("/history/news/jiangzuo.zh.md").get_data(as_text=True), "html.parser").select(
        "table.history tbody tr")
    assert rows[0].find_all("td")[2].get_text().startswith("恢复为 ")  # ... the version of <its time>
    # a restore based on an old revision is refused
    r = c.post("/history/news/jiangzuo.zh.md/restore", data={"csrf_token": csrf(c), "commit": commits[1],
                                                             "base_revision": base})
    assert r.status_code == 302 and path.read_bytes() == original


# ---------------------------------------------------------------------------------------------
# Content list


def _rows(html: str) -> dict[str, str]:
    soup = BeautifulSoup(html, "html.parser")
    return {tr["data-key"]: tr for tr in soup.select("table.content-list tbody tr[data-key]")}


def test_content_list_filters_and_search(cms):
    """Item 4: filters by section, language, status and translation state; title search is a
    case-insensitive substring match in Chinese, Korean and Latin."""
    app, _ = cms
    c = client_for(app, "ed")
    everything = _rows(c.get("/").get_data(as_text=True))
    assert set(everything) == {"news/jiangzuo", "news/odd", "news/deep", "parks/gongyuan", "policy/zhengce"}
    assert set(_rows(c.get("/?section=news").get_data(as_text=True))) == {"news/jiangzuo", "news/odd", "news/deep"}
    assert set(_rows(c.get("/?lang=ko").get_data(as_text=True))) == {"news/jiangzuo", "parks/gongyuan"}
    assert set(_rows(c.get("/?status=review").get_data(as_text=True))) == {"policy/zhengce"}
    assert set(_rows(c.get("/?state=current").get_data(as_text=True))) == {"news/jiangzuo"}
    assert set(_rows(c.get("/?state=missing").get_data(as_text=True))) == {"news/odd", "news/deep", "parks/gongyuan",
                                                                             "policy/zhengce"}
    assert set(_rows(c.get("/?q=幸福家庭").get_data(as_text=True))) == {"news/jiangzuo"}
    assert set(_rows(c.get("/?q=행복가정").get_data(as_text=True))) == {"news/jiangzuo"}
    assert set(_rows(c.get("/?q=진달래").get_data(as_text=True))) == {"parks/gongyuan"}
    assert set(_rows(c.get("/", query_string={"q": "解读 abc"}).get_data(as_text=True))) == {"policy/zhengce"}
    assert set(_rows(c.get("/?q=ｐｏｌｉｃｙ").get_data(as_text=True))) == {"policy/zhengce"}  # full-width Latin
    assert _rows(c.get("/?q=不存在的标题").get_data(as_text=True)) == {}
    row = everything["news/jiangzuo"]
    assert row.find("td", attrs={"data-lang": "ko"}).find("a")["href"] == "/edit/news/jiangzuo.ko.md"
    gongyuan = everything["parks/gongyuan"]
    assert gongyuan.find("td", attrs={"data-lang": "zh"}).find("a")["href"] == "/translate/parks/gongyuan.zh.md"


# ---------------------------------------------------------------------------------------------
# Preview


def test_preview_renders_with_site_pipeline_and_sanitises(cms):
    """Item 5 / M4: the preview is the site's renderer — CJK soft breaks joined, pinyin heading
    anchors, scripts and event handlers removed; POST with CSRF only."""
    app, _ = cms
    c = client_for(app, "ed")
    body = "## 创建幸福家庭\n\n第一行\n第二行\n\n<script>alert(1)</script><img src=x onerror=alert(2)>"
    assert c.post("/preview", json={"path": "news/jiangzuo.zh.md", "body": body}).status_code == 400  # no token
    r = c.post("/preview", json={"path": "news/jiangzuo.zh.md", "body": body}, headers={"X-CSRF-Token": csrf(c)})
    assert r.status_code == 200
    html = r.get_json()["html"]
    assert '<h2 id="chuang-jian-xing-fu-jia-ting">创建幸福家庭</h2>' in html
    assert "<p>第一行第二行</p>" in html
    assert "<script" not in html and "onerror" not in html and "alert(1)" not in html
    css = c.get("/preview/theme.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    text = css.get_data(as_text=True)
    assert ":host {" in text and ":root {" not in text and "\nbody {" not in text and ".article-body" in text


def test_poster_preview_link_only_when_built(cms):
    """Item 5: the poster preview lists the page's built posters (plugins/posters output:
    poster-<variant>-<format>.png in the page's folder, bilingual ones in the default
    language's) and is hidden when there are none."""
    app, _ = cms
    if not (app.config["PROJECT_DIR"] / "plugins" / "posters").is_dir():
        pytest.skip("posters plugin not present")
    c = client_for(app, "tr")
    assert BeautifulSoup(c.get("/edit/news/jiangzuo.ko.md").get_data(as_text=True), "html.parser") \
        .select_one(".poster-preview") is None
    out = app.config["OUTPUT_DIR"]
    for rel in ("ko/news/jiangzuo/poster-ko-A2.png", "news/jiangzuo/poster-bilingual-rollup.png",
                "news/jiangzuo/poster-zh-A2.png"):
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(b"\x89PNG\r\n\x1a\n" + rel.encode())
    soup = BeautifulSoup(c.get("/edit/news/jiangzuo.ko.md").get_data(as_text=True), "html.parser")
    links = [(a.get_text(), a["href"]) for a in soup.select(".poster-preview a")]
    assert links == [("poster-ko-A2.png", "/built/ko/news/jiangzuo/poster-ko-A2.png"),
                     ("poster-bilingual-rollup.png", "/built/news/jiangzuo/poster-bilingual-rollup.png")]
    assert c.get(links[0][1]).data == b"\x89PNG\r\n\x1a\nko/news/jiangzuo/poster-ko-A2.png"


# ---------------------------------------------------------------------------------------------
# Permissions: every route


ROUTES_GET = ["/", "/new", "/edit/news/jiangzuo.zh.md", "/history/news/jiangzuo.zh.md",
              "/history/news/jiangzuo.zh.md/diff?a=HEAD", "/translate/news/jiangzuo.ko.md", "/translate/",
              "/workflow/", "/workflow/schedule", "/preview/theme.css"]
ROUTES_POST = ["/edit/news/jiangzuo.zh.md", "/new", "/preview", "/history/news/jiangzuo.zh.md/restore",
               "/translate/news/jiangzuo.ko.md", "/translate/news/jiangzuo.ko.md/mark",
               "/translate/parks/gongyuan.zh.md/create", "/workflow/review/news/odd.zh.md",
               "/workflow/approve/policy/zhengce.zh.md", "/workflow/unpublish/news/jiangzuo.zh.md",
               "/workflow/schedule", "/workflow/schedule/1/cancel"]


def test_anonymous_is_sent_to_login_everywhere(cms):
    app, client = cms
    for url in ROUTES_GET:
        r = client.get(url)
        assert r.status_code == 302 and r.location.startswith("/login"), url
    for url in ("/content-file/images/x.jpg", "/built/news/x/poster-zh-A2.png"):
        r = client.get(url)
        assert r.status_code == 302 and r.location.startswith("/login"), url
    token = csrf(client)
    for url in ROUTES_POST:
        r = client.post(url, data={"csrf_token": token})
        assert r.status_code == 302 and r.location.startswith("/login"), url


def test_wrong_role_is_forbidden_and_changes_nothing(cms):
    """Item 3: roles enforced on the server; refused actions change no file and no commit."""
    app, _ = cms
    repo = app.config["PROJECT_DIR"]
    before = head(repo)
    adm = client_for(app, "adm")
    for url in ROUTES_GET:
        if url in ("/", "/preview/theme.css"):  # read-only pages every signed-in user may open
            continue
        assert adm.get(url).status_code == 403, url
    token = csrf(adm)
    for url in ROUTES_POST:
        assert adm.post(url, data={"csrf_token": token}).status_code == 403, url
    tr = client_for(app, "tr")
    ed = client_for(app, "ed")
    assert tr.get("/edit/news/jiangzuo.zh.md").status_code == 403  # an original: editor's
    assert ed.get("/edit/news/jiangzuo.ko.md").status_code == 403  # a translation: translator's
    assert tr.get("/new").status_code == 403
    data = form_of(client_for(app, "rev").get("/edit/news/jiangzuo.zh.md").get_data(as_text=True))
    data["csrf_token"] = csrf(tr)
    data["title"] = "翻译员不能改原文"
    assert tr.post("/edit/news/jiangzuo.zh.md", data=data).status_code == 403
    assert ed.post("/workflow/approve/policy/zhengce.zh.md", data={"csrf_token": csrf(ed)}).status_code == 403
    assert ed.post("/workflow/unpublish/news/jiangzuo.zh.md", data={"csrf_token": csrf(ed)}).status_code == 403
    assert ed.get("/workflow/schedule").status_code == 403
    assert tr.post("/workflow/review/news/odd.zh.md", data={"csrf_token": csrf(tr)}).status_code == 403
    assert head(repo) == before
    assert git(repo, "status", "--porcelain", "--", "content").strip() == ""


def test_get_never_changes_state(cms):
    """ASVS: no state change on GET — GET on action URLs is 405, GET pages make no commit."""
    app, _ = cms
    repo = app.config["PROJECT_DIR"]
    before = head(repo)
    rev = client_for(app, "all")
    for url in ROUTES_GET:
        if "diff" not in url:  # (a diff needs real commit ids: test_history_diff_and_restore_as_new_commit)
            assert rev.get(url).status_code in (200, 302), url
    for url in ["/workflow/approve/policy/zhengce.zh.md", "/translate/news/jiangzuo.ko.md/mark",
                "/history/news/jiangzuo.zh.md/restore", "/preview", "/translate/parks/gongyuan.zh.md/create",
                "/workflow/schedule/1/cancel"]:
        # 405, or 404 where the path is read as a page name (".../x.ko.md/mark" is no page)
        assert rev.get(url).status_code in (404, 405), url
    assert head(repo) == before
    assert not (app.config["CONTENT_DIR"] / "parks/gongyuan.zh.md").exists()


def test_post_without_csrf_is_refused(cms):
    app, _ = cms
    c = client_for(app, "ed")
    path = app.config["CONTENT_DIR"] / "news/jiangzuo.zh.md"
    before = path.read_bytes()
    data = form_of(c.get("/edit/news/jiangzuo.zh.md").get_data(as_text=True))
    data.pop("csrf_token")
    data["title"] = "没有令牌"
    assert c.post("/edit/news/jiangzuo.zh.md", data=data).status_code == 400
    assert path.read_bytes() == before


def test_paths_outside_content_are_404(cms):
    app, _ = cms
    c = client_for(app, "rev")
    for url in ["/edit/../pelicanconf.py", "/edit/news/../../pelicanconf.py", "/edit/news/nope.zh.md",
                "/history/news/x.md", "/content-file/../pelicanconf.py", "/built/../pelicanconf.py"]:
        assert c.get(url).status_code == 404, url


def test_ui_in_chinese_and_korean(cms):
    """Item 2: the content pages speak the user's UI language (cms/translations/*/content.po)."""
    app, _ = cms
    zh = BeautifulSoup(client_for(app, "ed").get("/edit/news/jiangzuo.zh.md").get_data(as_text=True), "html.parser")
    ko = BeautifulSoup(client_for(app, "edko").get("/edit/news/jiangzuo.zh.md").get_data(as_text=True), "html.parser")
    assert zh.find("button", attrs={"name": "save"}).get_text() == "保存"
    assert ko.find("button", attrs={"name": "save"}).get_text() == "저장"
    assert zh.find("label", attrs={"for": "f-title"}).get_text(" ", strip=True).startswith("标题")
    assert ko.find("label", attrs={"for": "f-title"}).get_text(" ", strip=True).startswith("제목")
    assert ko.find(id="draft-restore").get_text() == "저장하지 않은 글 되살리기"


def test_store_initialises_git_when_content_is_not_in_a_repository(tmp_path, model):
    """Item 1/8: content/ outside any git repository becomes one (``git init``) on first use;
    a save is then a commit with the user as author and the CMS as committer."""
    from cms.content_store import Author, ContentStore

    content = tmp_path / "content"
    (content / "news").mkdir(parents=True)
    (content / "news/x.zh.md").write_text("---\ntitle: 标题\ndate: 2026-01-02\n---\n\n正文\n", encoding="utf-8")
    store = ContentStore(content, model)
    assert store.top == content.resolve() and (content / ".git").is_dir()
    page = store.load("news/x.zh.md")
    text = page.text.replace("正文", "新正文")
    result = store.save_text("news/x.zh.md", text, page.revision, Author("朴编辑", "park@example.kr"), "Edit news/x.zh.md: 标题")
    assert result.commit and result.revision == revision_of(text.encode())
    log = subprocess.run(["git", "-C", str(content), "log", "--format=%an <%ae>|%cn|%s"], capture_output=True,
                         text=True).stdout.strip()
    assert log == "朴编辑 <park@example.kr>|Jindallae CMS|Edit news/x.zh.md: 标题"
    assert [r.subject for r in store.history("news/x.zh.md")] == ["Edit news/x.zh.md: 标题"]


def test_store_set_value_keeps_nested_unknowns_and_flow_style(model):
    """Round-trip details: a changed event field keeps the event block's other keys, comments
    and the flow-style lists; a new field goes to its place in the model's order."""
    from cms.content_store import dump_front, load_front, set_value

    front = load_front("title: 甲  # 标题\ntags: [一, 二]\nevent:\n  start: 2026-08-15 09:30  # 开始\n"
                       "  location: 延吉\n  x-room: 三楼\nextra: {a: 1}\n")
    set_value(front, "event.location", "龙井")
    set_value(front, "date", dt.date(2026, 8, 1))
    set_value(front, "tags", ["一", "二", "三"])
    assert dump_front(front) == ("title: 甲  # 标题\ndate: 2026-08-01\ntags: [一, 二, 三]\nevent:\n"
                                 "  start: 2026-08-15 09:30  # 开始\n  location: 龙井\n  x-room: 三楼\nextra: {a: 1}\n")
    set_value(front, "event.x-room", None)
    set_value(front, "title", None)
    assert dump_front(front).startswith("date: 2026-08-01\ntags: [一, 二, 三]\nevent:\n  start: 2026-08-15 09:30  # 开始\n  location: 龙井\nextra")


def test_W6_new_page_git_failure_creates_nothing(cms):
    """W6: creating a page while git cannot commit leaves no file behind, reports the git
    problem and keeps the form."""
    app, _ = cms
    c = client_for(app, "ed")
    repo = app.config["PROJECT_DIR"]
    before = head(repo)
    data = form_of(c.get("/new?section=news&lang=zh").get_data(as_text=True), "new-form")
    data.update({"title": "锁住时新建的页面", "slug": "suozhu", "body": "正文留在表单里。"})
    lock = repo / ".git" / "index.lock"
    lock.write_text("")
    try:
        r = c.post("/new", data=data)
    finally:
        lock.unlink()
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "index.lock" in BeautifulSoup(html, "html.parser").find("div", role="alert").get_text()
    kept = form_of(html, "new-form")
    assert kept["title"] == "锁住时新建的页面" and kept["body"] == "正文留在表单里。" and kept["slug"] == "suozhu"
    assert not (app.config["CONTENT_DIR"] / "news/suozhu.zh.md").exists() and head(repo) == before
    assert git(repo, "status", "--porcelain", "--", "content").strip() == ""


# ---------------------------------------------------------------------------------------------
# A file the content model cannot read: listed, opened and fixed as text


# An unclosed quote on line 2, and front matter whose closing "---" is missing.
UNCLOSED_QUOTE = "---\ntitle: \"没有闭合的标题\ndate: 2026-06-12\nstatus: draft\n---\n\n原来的正文。\n"
UNCLOSED_FRONT = "---\ntitle: 연길시 강좌\ndate: 2026-06-12\nstatus: draft\n\n원래 본문입니다.\n"


@pytest.fixture
def broken_cms(tmp_path):
    files = {**content_files(), "news/weibihe.zh.md": UNCLOSED_QUOTE, "news/meiyou.ko.md": UNCLOSED_FRONT}
    return make_cms(tmp_path, users=USERS, content_files=files)


def raw_form(html: str) -> dict[str, str]:
    """The text editor's form as a browser sends it (CRLF line ends)."""
    return form_of(html, "raw-form")


def test_unreadable_file_is_listed_with_its_error_and_a_link_to_fix_it(broken_cms):
    """A file with broken front matter is in the content list (whatever the status and
    translation filters), its cell saying it cannot be read, on which line and why, in the
    user's UI language (also for a Korean file shown to a Chinese editor), with a link to the
    text editor."""
    app, _ = broken_cms
    ed = client_for(app, "ed")
    rows = _rows(ed.get("/").get_data(as_text=True))
    cell = rows["news/weibihe"].find("td", attrs={"data-lang": "zh"})
    assert cell["class"] == ["cell", "state-unreadable"]
    assert cell.find(class_="badge-unreadable").get_text() == "无法读取：第 2 行：" + MESSAGES["unclosed_quote"]["zh"]
    assert cell.find("a", class_="fix-link")["href"] == "/edit/news/weibihe.zh.md"
    assert cell.find("code").get_text() == "news/weibihe.zh.md"
    ko_cell = rows["news/meiyou"].find("td", attrs={"data-lang": "ko"})
    assert ko_cell.find(class_="badge-unreadable").get_text() == \
        "无法读取：第 1 行：" + MESSAGES["unclosed_front_matter"]["zh"]  # the editor's language, not the file's
    assert rows["news/meiyou"]["data-state"] == "unreadable"
    for query in ("?status=published", "?state=current", "?section=news&status=review"):
        assert "news/weibihe" in _rows(ed.get("/" + query).get_data(as_text=True)), query
    assert set(_rows(ed.get("/?section=policy").get_data(as_text=True))) == {"policy/zhengce"}
    edko = client_for(app, "edko")
    cell = _rows(edko.get("/").get_data(as_text=True))["news/meiyou"].find("td", attrs={"data-lang": "ko"})
    assert cell.find(class_="badge-unreadable").get_text() == \
        "읽을 수 없음: 1행: " + MESSAGES["unclosed_front_matter"]["ko"]


def test_unreadable_file_fixed_in_the_text_editor_and_broken_text_refused(broken_cms):
    """The link opens a text editor: the error with its line number and the line itself, the
    whole file in one text field.  Text that still cannot be read is refused (422) with the
    new error, the file and history untouched and the typed text kept; the corrected text is
    saved and committed (line ends as in the file), and the page opens in the form again."""
    app, _ = broken_cms
    content, repo = app.config["CONTENT_DIR"], app.config["PROJECT_DIR"]
    ed = client_for(app, "ed")
    r = ed.get("/edit/news/weibihe.zh.md")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("form", id="page-form") is None  # no form of fields it cannot fill
    (problem,) = soup.select("#raw-errors li")
    assert problem["data-line"] == "2"
    assert problem.get_text(" ", strip=True).startswith("第 2 行：" + MESSAGES["unclosed_quote"]["zh"])
    assert problem.find("code", class_="error-line").get_text() == 'title: "没有闭合的标题'
    data = raw_form(html)
    assert data["raw_text"].replace("\r\n", "\n") == UNCLOSED_QUOTE

    before, head_before = (content / "news/weibihe.zh.md").read_bytes(), head(repo)
    still = "---\r\ntitle: 没有闭合的标题\r\nsummary: \"还是少了引号\r\ndate: 2026-06-12\r\nstatus: draft\r\n---\r\n\r\n新写的正文。\r\n"
    r = ed.post("/edit/news/weibihe.zh.md", data={**data, "raw_text": still})
    assert r.status_code == 422
    soup = BeautifulSoup(r.get_data(as_text=True), "html.parser")
    assert soup.find(id="save-failed").get_text().startswith("未保存：文件仍然无法读取。")
    (problem,) = soup.select("#raw-errors li")
    assert problem["data-line"] == "3" and problem.find("code").get_text() == 'summary: "还是少了引号'
    assert raw_form(r.get_data(as_text=True))["raw_text"] == still  # the typed text, not the file's
    assert (content / "news/weibihe.zh.md").read_bytes() == before and head(repo) == head_before

    fixed = "---\r\ntitle: \"闭合好的标题\"\r\ndate: 2026-06-12\r\nstatus: draft\r\n---\r\n\r\n新写的正文。\r\n"
    r = ed.post("/edit/news/weibihe.zh.md", data={**data, "raw_text": fixed})
    assert r.status_code == 302 and r.location.startswith("/edit/news/weibihe.zh.md")
    assert (content / "news/weibihe.zh.md").read_bytes() == fixed.replace("\r\n", "\n").encode()
    assert git(repo, "log", "-1", "--format=%an|%s").strip() == "Ed|Edit news/weibihe.zh.md: 闭合好的标题"
    assert files_in(repo) == ["content/news/weibihe.zh.md"]
    soup = BeautifulSoup(ed.get("/edit/news/weibihe.zh.md").get_data(as_text=True), "html.parser")
    assert soup.find("input", id="f-title")["value"] == "闭合好的标题"
    cell = _rows(ed.get("/").get_data(as_text=True))["news/weibihe"].find("td", attrs={"data-lang": "zh"})
    assert cell.find(class_="badge-unreadable") is None and cell.find("a").get_text() == "闭合好的标题"


def test_unreadable_file_correction_with_a_new_error_is_refused_in_the_users_language(broken_cms):
    """A correction that can be read but breaks a rule the form would refuse too (a date that
    does not exist) is refused with that error and its line, in the user's UI language."""
    app, _ = broken_cms
    content = app.config["CONTENT_DIR"]
    edko = client_for(app, "edko")  # an editor whose UI is Korean
    html = edko.get("/edit/news/meiyou.ko.md").get_data(as_text=True)
    (problem,) = BeautifulSoup(html, "html.parser").select("#raw-errors li")
    assert problem.get_text(" ", strip=True).startswith("1행: " + MESSAGES["unclosed_front_matter"]["ko"])
    data = raw_form(html)
    before = (content / "news/meiyou.ko.md").read_bytes()
    wrong = data["raw_text"].replace("date: 2026-06-12", "date: 2026-02-30").replace("status: draft", "status: draft\r\n---")
    r = edko.post("/edit/news/meiyou.ko.md", data={**data, "raw_text": wrong})
    assert r.status_code == 422
    soup = BeautifulSoup(r.get_data(as_text=True), "html.parser")
    problems = soup.select("#raw-errors li")
    assert [p["data-line"] for p in problems] == ["3"]
    assert problems[0].get_text(" ", strip=True).startswith("3행: ") and "2026-02-30" in problems[0].get_text()
    assert raw_form(r.get_data(as_text=True))["raw_text"] == wrong
    # readable now, but without its required title: refused like the form would, with the rule's message
    untitled = data["raw_text"].replace("title: 연길시 강좌\r\n", "").replace("status: draft", "status: draft\r\n---")
    r = edko.post("/edit/news/meiyou.ko.md", data={**data, "raw_text": untitled})
    assert r.status_code == 422
    soup = BeautifulSoup(r.get_data(as_text=True), "html.parser")
    assert soup.find(id="save-failed").get_text() == "저장하지 않았습니다. 아래에 적힌 행들을 고치세요. 내 글은 그대로 있습니다."
    assert [p.get_text(" ", strip=True) for p in soup.select("#raw-errors li")] == \
        ["1행: " + MESSAGES["missing_field"]["ko"].format(field="title") + " ---"]
    assert raw_form(r.get_data(as_text=True))["raw_text"] == untitled
    assert (content / "news/meiyou.ko.md").read_bytes() == before


def test_new_page_without_title_says_the_title_is_required(cms):
    """A new page with an empty title: the required-title error on the title field, in the
    UI language; no slug error (the slug is made from the title, so it is empty only because
    the title is); everything typed kept; nothing created."""
    app, _ = cms
    repo = app.config["PROJECT_DIR"]
    before, files_before = head(repo), sorted(app.config["CONTENT_DIR"].rglob("*.md"))
    for user, expected in (("ed", "标题为必填项：请在“标题”栏中填写页面标题。"),
                           ("edko", "제목은 꼭 써야 합니다. '제목' 칸에 페지 제목을 쓰세요.")):
        c = client_for(app, user)
        data = form_of(c.get("/new?section=news&lang=zh").get_data(as_text=True), "new-form")
        data.update({"title": "", "date": "2026-09-01", "tags": "和龙", "body": "写好的正文不能丢。\r\n"})
        r = c.post("/new", data=data)
        assert r.status_code == 422
        html = r.get_data(as_text=True)
        soup = BeautifulSoup(html, "html.parser")
        assert soup.find(id="f-title-err").get_text() == expected
        assert soup.find("input", id="f-title")["aria-invalid"] == "true"
        alert = soup.find("div", role="alert")
        assert [li.get_text() for li in alert.find_all("li")] == [expected]  # and no slug error
        assert soup.find("input", id="f-slug").find_parent("div").find(class_="field-error") is None
        kept = form_of(html, "new-form")
        assert kept["body"] == "写好的正文不能丢。\r\n" and kept["tags"] == "和龙" and kept["date"] == "2026-09-01"
    # a slug typed wrong is still named, next to the title error
    c = client_for(app, "ed")
    data = form_of(c.get("/new?section=news&lang=zh").get_data(as_text=True), "new-form")
    data.update({"title": " ", "slug": "Bad Slug", "body": "正文"})
    soup = BeautifulSoup(c.post("/new", data=data).get_data(as_text=True), "html.parser")
    assert soup.find(id="f-title-err") is not None
    assert soup.find("input", id="f-slug").find_parent("div").find(class_="field-error").get_text() == \
        "网址名只能包含小写字母、数字和连字符。"
    assert head(repo) == before and sorted(app.config["CONTENT_DIR"].rglob("*.md")) == files_before


def test_unreadable_published_file_fixed_by_an_editor_waits_for_review(broken_cms):
    """A correction that makes the page published (``status: published``, or no status) by a
    user without the reviewer role is a pending change, as every change to a published page:
    the file stays as it is until a reviewer approves; the editor then edits the pending text
    in the form.  A reviewer's correction is written directly."""
    from cms_helpers import db_rows

    app, _ = broken_cms
    content, repo = app.config["CONTENT_DIR"], app.config["PROJECT_DIR"]
    before, head_before = (content / "news/weibihe.zh.md").read_bytes(), head(repo)
    ed = client_for(app, "ed")
    data = raw_form(ed.get("/edit/news/weibihe.zh.md").get_data(as_text=True))
    fixed = data["raw_text"].replace('"没有闭合的标题', '"闭合好的标题"').replace("status: draft", "status: published")
    r = ed.post("/edit/news/weibihe.zh.md", data={**data, "raw_text": fixed})
    assert r.status_code == 302
    assert (content / "news/weibihe.zh.md").read_bytes() == before and head(repo) == head_before
    (row,) = db_rows(app, "SELECT path, text FROM pending WHERE state = 'pending'")
    assert row["path"] == "news/weibihe.zh.md" and row["text"] == fixed.replace("\r\n", "\n")
    soup = BeautifulSoup(ed.get("/edit/news/weibihe.zh.md").get_data(as_text=True), "html.parser")
    assert soup.find("input", id="f-title")["value"] == "闭合好的标题" and soup.find(id="pending-notice") is not None
    rev = client_for(app, "rev")  # the reviewer still sees the file as it is, and the pending change
    soup = BeautifulSoup(rev.get("/edit/news/weibihe.zh.md").get_data(as_text=True), "html.parser")
    assert soup.find("form", id="raw-form") is not None and soup.find(id="pending-notice").find("a") is not None
    data = raw_form(str(soup))
    r = rev.post("/edit/news/weibihe.zh.md", data={**data, "raw_text": fixed})
    assert r.status_code == 302
    assert (content / "news/weibihe.zh.md").read_bytes() == fixed.replace("\r\n", "\n").encode()


def test_unreadable_file_stale_correction_keeps_the_text(broken_cms):
    """W1 in the text editor: the file changed after it was opened, so nothing is saved (409);
    the other version is shown beside, the typed text stays in the field with the new base."""
    app, _ = broken_cms
    content, repo = app.config["CONTENT_DIR"], app.config["PROJECT_DIR"]
    ed = client_for(app, "ed")
    data = raw_form(ed.get("/edit/news/weibihe.zh.md").get_data(as_text=True))
    theirs = UNCLOSED_QUOTE.replace("原来的正文。", "别人改过的正文。")
    (content / "news/weibihe.zh.md").write_text(theirs, encoding="utf-8")
    git(repo, "commit", "-qam", "Someone else")
    mine = "---\r\ntitle: 我改好的标题\r\ndate: 2026-06-12\r\nstatus: draft\r\n---\r\n\r\n我的正文。\r\n"
    r = ed.post("/edit/news/weibihe.zh.md", data={**data, "raw_text": mine})
    assert r.status_code == 409
    soup = BeautifulSoup(r.get_data(as_text=True), "html.parser")
    assert soup.find("textarea", id="merge-theirs").get_text().lstrip("\n") == theirs
    kept = raw_form(str(soup))
    assert kept["raw_text"] == mine and kept["base_revision"] == revision_of(theirs.encode())
    assert soup.select("#raw-errors li") == []  # the typed text has nothing to correct
    assert (content / "news/weibihe.zh.md").read_text(encoding="utf-8") == theirs
