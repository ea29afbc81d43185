"""The CMS under attack and bad input (issue #7 item 11, OWASP ASVS 4.0.3 level 2 as the
reference), found by a newcomer's walk-through plus an adversary's probing of a running CMS:

* a NUL byte in a title or a display name (W6: the save failed with a 500 and left the file
  changed and staged; git arguments cannot hold a NUL);
* any unexpected failure while committing rolls the file back (W6);
* "Restore this version" cannot change the workflow status (an editor restoring the version
  before a reviewer's unpublish made the page published again: ASVS V4.1.3);
* the workflow's ``next`` is a local path only (``/<tab>/host`` is ``//host`` to a browser:
  ASVS V5.1.5);
* a symbolic link inside content/ is never followed (ASVS V12.3.1);
* user names with invisible, control or full-width characters are refused (spoofing "admin");
* titles with YAML special characters, right-to-left overrides and zero-width characters
  round-trip exactly;
* a failed image commit leaves nothing staged (W6);
* ``jindallae cms`` on a busy port says which command to use instead;
* the edit form shows the workflow status and the translation source in words, not ``draft`` or
  ``lang: zh, revision: ...``.

Real git, real SQLite, real files (tests/cms_helpers.make_cms).
"""

from __future__ import annotations

import io
import socket

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from cms_helpers import browser_form, csrf, db_rows, git, login, make_cms
from jindallae.model import revision_of

ZH = "---\ntitle: 延吉市举办幸福家庭讲座\ndate: 2026-06-12\nstatus: draft\n---\n\n讲座在延吉市人民广场举行。\n"
KO = ("---\ntitle: 연길시 행복가정 강좌\ndate: 2026-06-12\nstatus: draft\n"
      "translated_from: {{lang: zh, revision: {rev}}}\n---\n\n강좌는 연길시 인민광장에서 열렸습니다.\n")
USERS = {"ed": {"roles": ["editor"], "display_name": "王编辑", "email": "wang@example.invalid"},
         "tr": {"roles": ["translator"], "ui_lang": "ko"}, "rev": ["reviewer"], "adm": ["admin"]}


@pytest.fixture
def cms(tmp_path):
    files = {"news/jiangzuo.zh.md": ZH, "news/jiangzuo.ko.md": KO.format(rev=revision_of(ZH.encode()))}
    return make_cms(tmp_path, users=USERS, content_files=files)


def client_for(app, user):
    c = app.test_client()
    assert login(c, user).status_code == 302
    return c


def form_of(html: str) -> dict[str, str]:
    """What a browser sends for the page form (``cms_helpers.browser_form``)."""
    assert "page-form" in html, html[:1500]
    return browser_form(html)


def porcelain(repo) -> str:
    """``git status --porcelain`` of the content folder (the project files around it are untracked)."""
    return git(repo, "status", "--porcelain", "--", "content").strip()


# ---------------------------------------------------------------------------------------------
# W6: NUL bytes and unexpected commit failures


def test_W6_nul_byte_in_title_saves_without_it(cms):
    """A crafted form with a NUL in the title used to end in a 500 with the file changed and
    staged but not committed; now the control character is dropped and the save commits."""
    app, _ = cms
    c = client_for(app, "ed")
    repo, path = app.config["PROJECT_DIR"], app.config["CONTENT_DIR"] / "news/jiangzuo.zh.md"
    data = form_of(c.get("/edit/news/jiangzuo.zh.md").get_data(as_text=True))
    data["title"] = "讲座\x00新标题\x1b"
    r = c.post("/edit/news/jiangzuo.zh.md", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    assert "title: 讲座新标题\n" in path.read_text(encoding="utf-8")
    assert porcelain(repo) == ""
    assert git(repo, "log", "-1", "--format=%s").strip() == "Edit news/jiangzuo.zh.md: 讲座新标题"


def test_W6_unexpected_commit_failure_rolls_back_and_keeps_the_form(cms, monkeypatch):
    """Any exception while committing (not only a git refusal) puts the file back as it was,
    leaves nothing staged, and shows the form with the editor's text (500)."""
    import cms.content_store as store_module

    app, _ = cms
    c = client_for(app, "ed")
    repo, path = app.config["PROJECT_DIR"], app.config["CONTENT_DIR"] / "news/jiangzuo.zh.md"
    before = path.read_bytes()
    real = store_module.run_git

    def failing(top, *args, **kw):
        if args and args[0] == "commit":
            raise ValueError("embedded null byte")
        return real(top, *args, **kw)

    monkeypatch.setattr(store_module, "run_git", failing)
    data = form_of(c.get("/edit/news/jiangzuo.zh.md").get_data(as_text=True))
    data["body"] = "编辑写的新段落，不能丢。\n"
    r = c.post("/edit/news/jiangzuo.zh.md", data=data)
    html = r.get_data(as_text=True)
    assert r.status_code == 500
    assert 'id="save-failed"' in html and "embedded null byte" in html
    assert "编辑写的新段落，不能丢。" in html
    assert path.read_bytes() == before
    assert porcelain(repo) == ""


def test_W6_display_name_with_nul_cannot_break_saves(cms):
    """A NUL in a stored display name (an older database, or a crafted admin form) made every
    save of that user fail: git's author environment cannot hold it.  The admin form now refuses
    it, and a name already stored is cleaned for git."""
    app, _ = cms
    adm = client_for(app, "adm")
    ed_id = db_rows(app, "SELECT id FROM users WHERE username = 'ed'")[0]["id"]
    r = adm.post(f"/admin/users/{ed_id}/profile", data={"csrf_token": csrf(adm), "display_name": "王\x00编辑",
                                                         "email": "wang@example.invalid", "ui_lang": "zh"})
    assert r.status_code == 400
    assert "不能包含不可见字符或控制字符" in r.get_data(as_text=True)
    assert db_rows(app, "SELECT display_name FROM users WHERE id = ?", ed_id)[0]["display_name"] == "王编辑"
    from cms.db import connect

    conn = connect(app.config["DATABASE"])
    conn.execute("UPDATE users SET display_name = ? WHERE id = ?", ("王\x00编辑", ed_id))
    conn.close()
    c = client_for(app, "ed")
    data = form_of(c.get("/edit/news/jiangzuo.zh.md").get_data(as_text=True))
    data["title"] = "新标题"
    assert c.post("/edit/news/jiangzuo.zh.md", data=data).status_code == 302
    repo = app.config["PROJECT_DIR"]
    assert git(repo, "log", "-1", "--format=%an <%ae>").strip() == "王编辑 <wang@example.invalid>"
    assert porcelain(repo) == ""


def test_W6_failed_image_commit_leaves_nothing_staged(cms):
    """An upload whose commit git refuses (a pre-commit hook) stores nothing and stages nothing."""
    app, _ = cms
    c = client_for(app, "ed")
    repo = app.config["PROJECT_DIR"]
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'frozen' >&2\nexit 1\n")
    hook.chmod(0o755)
    buf = io.BytesIO()
    Image.new("RGB", (20, 10), (200, 30, 30)).save(buf, "PNG")
    r = c.post("/media/upload", data={"csrf_token": csrf(c), "alt": "红色", "file": (io.BytesIO(buf.getvalue()), "red.png")},
               headers={"Accept": "application/json"}, content_type="multipart/form-data")
    hook.unlink()
    assert r.status_code == 500 and "frozen" in r.get_json()["error"]
    assert porcelain(repo) == ""
    assert not list((app.config["CONTENT_DIR"] / "images").rglob("*.png"))


# ---------------------------------------------------------------------------------------------
# Access control


def _status(app, rel: str) -> str:
    text = (app.config["CONTENT_DIR"] / rel).read_text(encoding="utf-8")
    return next(line for line in text.splitlines() if line.startswith("status:"))


def test_restore_keeps_the_current_status(cms):
    """A reviewer unpublishes a page; an editor restores the version from before the unpublish:
    the text comes back, the status stays ``draft`` (only reviewers publish)."""
    from cms.content import author_of, get_store
    from cms.content_store import Author
    from cms.workflow import change_status

    app, _ = cms
    rel = "news/jiangzuo.zh.md"
    with app.test_request_context():
        store = get_store()
        change_status(store, rel, "review", Author("Ed"), "Send to review")
        change_status(store, rel, "published", Author("Rev"), "Approve and publish")
        published = git(app.config["PROJECT_DIR"], "rev-parse", "HEAD").strip()
        change_status(store, rel, "draft", Author("Rev"), "Unpublish")
    assert _status(app, rel) == "status: draft"
    c = client_for(app, "ed")
    base = revision_of((app.config["CONTENT_DIR"] / rel).read_bytes())
    r = c.post(f"/history/{rel}/restore", data={"csrf_token": csrf(c), "commit": published, "base_revision": base})
    assert r.status_code == 302
    assert _status(app, rel) == "status: draft"
    # restoring the text itself still works: an older title comes back with the current status
    with app.test_request_context():
        store = get_store()
        page = store.load(rel)
        text = page.text.replace("延吉市举办幸福家庭讲座", "改过的标题")
        store.save_text(rel, text, page.revision, author_of(None), "Edit")
        page = store.load(rel)
        change_status(store, rel, "review", Author("Ed"), "Send to review")
    r = c.post(f"/history/{rel}/restore", data={"csrf_token": csrf(c), "commit": published,
                                                 "base_revision": revision_of((app.config["CONTENT_DIR"] / rel).read_bytes())})
    assert r.status_code == 302
    text = (app.config["CONTENT_DIR"] / rel).read_text(encoding="utf-8")
    assert "title: 延吉市举办幸福家庭讲座" in text and "status: review" in text


@pytest.mark.parametrize("target", ["/\t/evil.example", "/\n/evil.example", "/\\evil.example", "//evil.example",
                                    "https://evil.example/"])
def test_workflow_next_is_a_local_path_only(cms, target):
    """ASVS V5.1.5: the workflow buttons' ``next`` never sends the browser to another site."""
    app, _ = cms
    c = client_for(app, "ed")
    r = c.post("/workflow/review/news/jiangzuo.zh.md", data={"csrf_token": csrf(c), "next": target})
    assert r.status_code == 302
    assert r.headers["Location"] == "/"


def test_symlink_inside_content_is_not_followed(cms):
    """A link content/news/x.zh.md -> ../../pelicanconf.py must not show (or overwrite) the
    project's settings; a linked section folder neither."""
    app, _ = cms
    content = app.config["CONTENT_DIR"]
    (content / "news" / "leak.zh.md").symlink_to("../../pelicanconf.py")
    (content / "forums").symlink_to(app.config["PROJECT_DIR"], target_is_directory=True)
    c = client_for(app, "ed")
    for url in ("/edit/news/leak.zh.md", "/history/news/leak.zh.md"):
        r = c.get(url)
        assert r.status_code == 404, url
        assert "SITENAME" not in r.get_data(as_text=True)
    rev = client_for(app, "rev")
    assert rev.get("/edit/forums/pelicanconf.zh.md").status_code == 404


@pytest.mark.parametrize("name", ["ad\u200bmin2", "\u202enimda", "ａｄｍｉｎ", "x\x00y", "bob\u2066"])
def test_user_names_with_hidden_or_full_width_characters_refused(cms, name):
    app, _ = cms
    adm = client_for(app, "adm")
    r = adm.post("/admin/users", data={"csrf_token": csrf(adm), "username": name, "roles": "editor",
                                       "password": "a long enough password 1"})
    assert r.status_code == 400
    assert "用户名不能包含不可见字符、控制字符或全角字母。" in r.get_data(as_text=True)
    assert [u["username"] for u in db_rows(app, "SELECT username FROM users ORDER BY id")] == list(USERS)


# ---------------------------------------------------------------------------------------------
# Titles that are hard for YAML and for display


@pytest.mark.parametrize("title", [
    "YAML: # - [ ] { } ' \" & * ! | > % @ `",
    "- 列表开头",
    "---",
    "abc\u202eevil\u202c 测试",
    "零\u200b宽\u200d字符",
    "yes",
    "2026-01-01",
    "null",
])
def test_title_round_trips_exactly(cms, title):
    """A title with YAML syntax (``: # - [ ] { } ' "``), a YAML keyword, a date or invisible
    characters is stored as a string and reads back exactly (form and content model)."""
    from jindallae.model import model_from_settings
    from jindallae.settings import load_settings

    app, _ = cms
    c = client_for(app, "ed")
    r = c.post("/new", data={"csrf_token": csrf(c), "section": "news", "lang": "zh", "step": "create",
                             "title": title, "date": "2026-11-30", "body": "正文。\n", "slug": "round-trip"})
    assert r.status_code == 302, r.get_data(as_text=True)[:800]
    html = c.get("/edit/news/round-trip.zh.md").get_data(as_text=True)
    field = BeautifulSoup(html, "html.parser").find("input", id="f-title")
    assert field["value"] == title
    model = model_from_settings(load_settings(app.config["PROJECT_DIR"]))
    item, errors = model.parse_text(app.config["CONTENT_DIR"], "news/round-trip.zh.md")
    assert not errors and item.fields["title"] == title
    # saving the untouched form changes nothing
    before = (app.config["CONTENT_DIR"] / "news/round-trip.zh.md").read_bytes()
    assert c.post("/edit/news/round-trip.zh.md", data=form_of(html)).status_code == 302
    assert (app.config["CONTENT_DIR"] / "news/round-trip.zh.md").read_bytes() == before


# ---------------------------------------------------------------------------------------------
# What a non-programmer sees


def test_form_shows_status_and_translation_source_in_words(cms):
    """No raw ``draft`` or ``lang: zh, revision: <hash>`` in the form: the status in the UI
    language once, the translation source as language name and short version."""
    app, _ = cms
    tr = client_for(app, "tr")
    html = tr.get("/translate/news/jiangzuo.ko.md").get_data(as_text=True)
    soup = BeautifulSoup(html, "html.parser")
    form = soup.find("form", id="page-form")
    assert form.find(id="f-status") is None
    assert form.find(class_="status-line").get_text(" ", strip=True) == "상태: 초안"
    rev = revision_of(ZH.encode())
    assert form.find(id="f-translated_from").get_text(strip=True) == f"中文, 버전 {rev[:10]}"
    assert "revision:" not in form.get_text()
    # the heading names the page by its title, the file path only below it
    assert soup.find("h1").get_text(strip=True) == "번역:연길시 행복가정 강좌"


# ---------------------------------------------------------------------------------------------
# Start-up


def test_serve_on_a_busy_port_names_the_command_to_use(cms, capsys):
    """``make cms`` cannot take options: when 8080 (here: a busy port) is taken, the message says
    how to start on another port, and the exit status is 1."""
    from cms.cli import serve

    app, _ = cms
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        assert serve(app.config["PROJECT_DIR"], "127.0.0.1", port, scheduler=False) == 1
    err = capsys.readouterr().err
    assert f"127.0.0.1:{port}" in err and f"jindallae cms serve --port {port + 1}" in err


def test_huge_page_form_refused_without_talk_of_photos(tmp_path):
    """A page form above the request limit is a 413 that says nothing was saved (not the image
    upload's "make the photo smaller"); the file on disk is untouched."""
    files = {"news/jiangzuo.zh.md": ZH}
    app, _ = make_cms(tmp_path, users=USERS, content_files=files, config={"UPLOAD_MAX_BYTES": 1000})
    c = client_for(app, "ed")
    path = app.config["CONTENT_DIR"] / "news/jiangzuo.zh.md"
    before = path.read_bytes()
    data = form_of(c.get("/edit/news/jiangzuo.zh.md").get_data(as_text=True))
    data["body"] = "字" * 600_000  # 1.8 MB of UTF-8, over 1000 B + 1 MiB
    r = c.post("/edit/news/jiangzuo.zh.md", data=data)
    html = r.get_data(as_text=True)
    assert r.status_code == 413
    assert "没有保存任何内容" in html and "照片" not in html
    assert path.read_bytes() == before


def test_one_english_text_has_one_translation_per_language():
    """The catalogues of a language are merged (foundation.po, content.po ...): an English text
    translated differently in two of them shows the wrong one somewhere (the publish page said
    "安排人", the schedule's "scheduled by", for the user who published)."""
    from pathlib import Path

    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parent.parent / "cms" / "translations"
    for lang_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        seen: dict[str, tuple[str, str]] = {}
        clashes = []
        for po in sorted(lang_dir.glob("*.po")):
            with po.open("rb") as fp:
                catalog = read_po(fp)
            for message in catalog:
                if not message.id or not message.string or isinstance(message.id, tuple):
                    continue
                if message.id in seen and seen[message.id][1] != message.string:
                    clashes.append(f"{lang_dir.name}: {message.id!r}: {seen[message.id]} vs ({po.name}, {message.string!r})")
                seen.setdefault(message.id, (po.name, message.string))
        assert not clashes, "\n".join(clashes)
