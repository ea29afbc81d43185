"""The CMS in the editor's language, everywhere (issue "Government editorial workflow", item 5).

One CMS made with the real starter content (tests/cms_helpers.make_cms), some work done in it
(saves, an upload, a page sent to review, a pending change, a publish run, failed sign-ins,
a new user) so that history, audit log, notices and lists have something to show; then every
GET route of the app is requested by a user of each role and one with all roles, in Chinese and
in Korean, plus the error pages.  Each HTML page's visible text (and the attributes people
read: title, placeholder, aria-label, alt, data-confirm) must hold no Latin word except:

* allow-listed terms (file formats and standards people know by these names, the product name),
* proper names: the users' names and Latin words of the content itself (titles, text),
* technical details shown as such: ``<code>``, ``<pre>``, ``<kbd>``, ``<samp>`` or an element
  with the class ``details-line`` (paths, commit ids, values as recorded), and what the user
  typed (input values, text areas).

A finding names the page, the user, the language and the words, so it can be fixed where the
text comes from.
"""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup, Comment

from cms_helpers import csrf, db_rows, git, login, make_cms

# File formats, standards and names people know in Latin letters (also in Chinese and Korean).
ALLOWED = {
    "Jindallae", "CMS", "Markdown", "PDF", "URL", "QR", "CSV", "ICP", "HTML", "JPEG", "JPG", "PNG", "WebP", "GIF", "GPS",
    "MB", "KB", "Word", "WPS", "docx", "Excel", "SHA", "RSS", "iCalendar", "ICS", "Git", "git", "ID", "IP", "UTC",
    "WeChat", "SMTP", "HTTPS", "HTTP", "RFC", "AM", "PM",
}
# Names of settings and files an administrator is told to change (typed as they are).
SETTINGS = {"JINDALLAE_PUBLIC_URL", "DEPLOY_TARGETS", "DEPLOY_TARGET", "DEPLOY_DEFAULT_TARGET", "PUBLISH_SETTINGS",
            "REVIEW_STEPS", "REVIEW_MAIL", "REVIEW_DISTINCT_PEOPLE", "publishconf.py", "pelicanconf.py"}
# Identifiers that are numbers for people: versions (git ids), event ids (UUIDs), e-mail addresses.
IDENTIFIERS = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"
                         r"|\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,40}\b|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Attributes whose text people read (tooltips, screen readers, confirmations).
READ_ATTRS = ("title", "placeholder", "aria-label", "alt", "data-confirm", "data-busy")
TECHNICAL = ("code", "pre", "kbd", "samp", "script", "style", "template", "textarea", "noscript")
LATIN = re.compile(r"[A-Za-z][A-Za-z’'-]*[A-Za-z]|[A-Za-z]")
CHEAP = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024, "ARGON2_PARALLELISM": 1}
# Pages where Latin words come from other parts of the CMS, reported to their authors: endpoint ->
# (where and what, the kind of words excused for now: "paths" = parts of content file paths and of
# the project folder, "file text" = words of the page files as written).  Any other word still
# fails, and so does an entry that no longer excuses anything (the list only shrinks).
ELSEWHERE = {
    "publish.publish_view": ("cms/templates/publish.html: file paths of the check list (span.loc) and the output "
                             "folder are not in a details line, no page titles; the checks' messages tell editors "
                             "to run 'jindallae check --mark-translated' (jindallae/checks/catalogue.py)",
                             ("paths", "commands")),
    "workflow.schedule": ("cms/templates/workflow schedule page: page paths in the drop-down instead of titles",
                          ("paths",)),
}
# Half-width punctuation in Chinese labels of other parts, reported ("<label>: <title>" joined in
# the template instead of one translated message with its own full-width colon).
PUNCTUATION_ELSEWHERE = {
    "content.edit": "cms/templates/edit.html (编辑: <title>), cms/templates/_page_form.html (状态: ): "
                    "{{ _(\"Edit: %(title)s\", title=…) }} and {{ _(\"Status\") }}{{ punct(\":\") }} (cms.i18n.punct)",
    "translate.view": "cms/templates/translate.html (翻译: / 原文: <title>): {{ _(\"Translate: %(title)s\", …) }}",
}
SKIP_ENDPOINTS = {"static", "media.file", "media.thumb", "content.built_file", "content.content_file", "content.theme_css",
                  "wechat.qr", "wechat.export"}


def content_words(content: Path) -> set[str]:
    """Latin words of the content (page titles, summaries, tags, text): proper names there."""
    words: set[str] = set()
    for path in content.rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        m = re.match(r"---\n(.*?)\n---\n(.*)", text, re.S)
        if not m:
            continue
        front = yaml.safe_load(m.group(1)) or {}
        values = [front.get(k) for k in ("title", "summary", "author", "cover_alt")] + list(front.get("tags") or [])
        event = front.get("event") or {}
        if isinstance(event, dict):
            values += [event.get(k) for k in ("location", "address", "organizer", "registration", "contact")]
        body = re.sub(r"\]\([^)]*\)", "]", m.group(2))  # link targets are not shown as text
        for value in [*values, body]:
            if isinstance(value, str):
                words |= set(LATIN.findall(value))
    return words


def visible_texts(html: str) -> list[str]:
    """The texts a reader sees on the page (technical details and typed values left out)."""
    soup = BeautifulSoup(html, "html.parser")
    for el in soup.find_all(TECHNICAL):
        el.decompose()
    for el in soup.select(".details-line, [translate=no]"):
        el.decompose()
    for el in soup.find_all(string=lambda s: isinstance(s, Comment)):
        el.extract()
    texts = [soup.title.get_text()] if soup.title else []
    body = soup.body or soup
    texts.append(body.get_text(" "))
    for el in body.find_all(True):
        for attr in READ_ATTRS:
            if el.has_attr(attr) and not (attr == "alt" and el.name == "img" and el.get("src", "").startswith("/preview")):
                texts.append(el[attr])
        if el.name == "input" and el.get("type") in ("submit", "button", "reset") and el.has_attr("value"):
            texts.append(el["value"])
    return texts


# Chinese text takes full-width punctuation (GB/T 15834, W3C clreq): an ASCII , : ; ? ! ( ) touching
# a Han character is a half-width mark in a Chinese label.
HALF_WIDTH = re.compile(r"[\u4e00-\u9fff][,:;?!()]|[,:;?!(][\u4e00-\u9fff]")
# Korean text takes the half-width marks: a Chinese full-width mark touching Hangul is a piece of
# the Chinese interface (or Chinese punctuation joined in code) in a Korean page ("中文，버전").
FULL_WIDTH = re.compile(r"[\uac00-\ud7a3][，：；（）、。]|[，：；（）、][\uac00-\ud7a3]")


def half_width_marks(html: str, pattern: re.Pattern = HALF_WIDTH) -> list[str]:
    """Han characters next to half-width punctuation (``pattern``: or Hangul next to full-width
    punctuation, :data:`FULL_WIDTH`), with a little context."""
    out = []
    for text in visible_texts(html):
        for m in pattern.finditer(text):
            out.append(text[max(0, m.start() - 8):m.end() + 8].strip())
    return out


def visible_latin(html: str, allowed: set[str]) -> list[str]:
    """The Latin words a reader sees on the page that are not allowed."""
    texts = visible_texts(html)
    found = []
    for text in texts:
        text = re.sub(r"https?://\S+", " ", text)  # an address is a detail
        text = IDENTIFIERS.sub(" ", text)
        for name in sorted(SETTINGS, key=len, reverse=True):  # DEPLOY_TARGETS before DEPLOY_TARGET
            text = text.replace(name, " ")
        for word in LATIN.findall(text):
            if word not in allowed and word.strip("'’-") not in allowed:
                found.append(word)
    return found


@pytest.fixture(scope="module")
def walked(tmp_path_factory):
    """The CMS with real starter content and some work done in it, and the pages to walk."""
    from cms.auth import ROLES

    tmp = tmp_path_factory.mktemp("walk")
    users = {f"u-{role}": {"roles": [role], "display_name": f"用户{n}"} for n, role in enumerate(ROLES)}
    users["all"] = {"roles": list(ROLES), "display_name": "全体"}
    users["ed"] = {"roles": ["editor"], "display_name": "金编辑"}
    app, client = make_cms(tmp, users=users, config=CHEAP)
    content = Path(app.config["CONTENT_DIR"])
    pages = sorted(p.relative_to(content).as_posix() for p in content.rglob("*.md"))
    news_zh = next(p for p in pages if p.startswith("news/") and p.endswith(".zh.md"))
    news_ko = news_zh[:-6] + ".ko.md"
    event_ko = next(p for p in pages if p.startswith("events/") and p.endswith(".ko.md"))

    login(client, "all")
    # A save (history: a commit written by the CMS), as the form sends it.
    soup = BeautifulSoup(client.get(f"/edit/{news_zh}").get_data(as_text=True), "html.parser")
    form = soup.find("form", id="page-form")
    data = {el["name"]: el.get("value", "") for el in form.find_all("input") if el.get("name") and el.get("type") not in
            ("checkbox", "file", "submit", "button")}
    data["body"] = soup.find("textarea", id="body").get_text().lstrip("\n") + "\n走访时补充的一段话。\n"
    for el in form.find_all("textarea"):
        if el.get("name") and el["name"] != "body":
            data[el["name"]] = el.get_text().lstrip("\n")
    r = client.post(f"/edit/{news_zh}", data=data)
    assert r.status_code in (302, 303), r.status_code
    # An upload (audit, history of the image), a failed sign-in, a new user.
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 60)).save(buf, "JPEG")
    r = client.post("/media/upload", data={"csrf_token": csrf(client), "alt": "红色的测试图片",
                                           "file": (io.BytesIO(buf.getvalue()), "red.jpg")},
                    headers={"Accept": "application/json"})
    assert r.status_code == 201, r.get_data(as_text=True)
    uploaded = r.get_json()["path"]
    login(app.test_client(), "ed", "a wrong password 123")
    client.post("/admin/users", data={"csrf_token": csrf(client), "username": "newbie", "roles": ["editor"], "password": ""})
    # A draft sent to review; a pending change of a published page by an editor without review rights.
    draft = next((p for p in pages if "status: draft" in (content / p).read_text(encoding="utf-8")), None)
    if draft:
        page = client.get(f"/edit/{draft}").get_data(as_text=True)
        base = re.search(r'name="base_revision" value="([^"]+)"', page)
        client.post(f"/workflow/review/{draft}", data={"csrf_token": csrf(client),
                                                        "base_revision": base.group(1) if base else ""})
    ed = app.test_client()
    login(ed, "ed")
    published = next(p for p in pages if p.startswith("news/") and p.endswith(".zh.md")
                     and "status: published" in (content / p).read_text(encoding="utf-8") and p != news_zh)
    soup = BeautifulSoup(ed.get(f"/edit/{published}").get_data(as_text=True), "html.parser")
    form = soup.find("form", id="page-form")
    data = {el["name"]: el.get("value", "") for el in form.find_all("input") if el.get("name") and el.get("type") not in
            ("checkbox", "file", "submit", "button")}
    data["body"] = soup.find("textarea", id="body").get_text().lstrip("\n") + "\n等待审核的修改。\n"
    ed.post(f"/edit/{published}", data=data)
    # A finished publish run to show (a real publish builds the whole site: tests/test_cms_publish.py).
    from cms.db import connect

    conn = connect(app.config["DATABASE"])
    conn.execute("INSERT INTO publish_runs (user, queued, started, finished, ok, log) VALUES ('all', 1, 2, 3, 1, 'x')")
    run_id = conn.execute("SELECT max(id) FROM publish_runs").fetchone()[0]
    pending = conn.execute("SELECT max(id) FROM pending").fetchone()[0] if conn.execute(
        "SELECT 1 FROM sqlite_master WHERE name = 'pending'").fetchone() else None
    conn.close()

    commits = [c for c in git(Path(app.config["PROJECT_DIR"]), "log", "--format=%H", "--", f"content/{news_zh}").split()]
    values = {"user_id": db_rows(app, "SELECT id FROM users WHERE username = 'ed'")[0]["id"], "run_id": run_id,
              "row_id": pending or 1, "job_id": 1}
    urls: list[str] = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in SKIP_ENDPOINTS or rule.endpoint.startswith("site_preview"):
            continue
        if "rel" in rule.arguments:
            rels = [uploaded[len("images/"):]] if rule.endpoint.startswith("media.") else [news_zh, news_ko, event_ko]
        else:
            rels = [None]
        for rel in rels:
            path = rule.rule
            for name in rule.arguments:
                value = rel if name == "rel" else values.get(name, "1")
                path = re.sub(rf"<(?:[a-z]+:)?{name}>", str(value), path)
            if rule.endpoint == "history.diff":
                path += f"?a={commits[-1]}&b={commits[0]}"
            urls.append(path)
    urls += ["/no-such-page", "/media/?q=红色", "/?state=missing", "/login"]
    # Proper names: the content's own words, the user names, the author of the starter content's commit.
    names = content_words(content) | set(users) | {"newbie", "Test", "Setup"}
    excusable = {"paths": set(LATIN.findall(" ".join([*pages, uploaded, str(app.config["PROJECT_DIR"])]))) | {"build"},
                 "file text": {w for p in pages for w in LATIN.findall((content / p).read_text(encoding="utf-8"))},
                 "commands": {"jindallae", "check", "mark-translated"}}
    return app, sorted(set(urls)), names, excusable


def walk(app, urls: list[str], user: str | None, lang: str, allowed: set[str]) -> dict[str, list[str]]:
    """``{url: [Latin words]}`` of the walk (and ``{url: ["punctuation: …"]}`` in Chinese)."""
    client = app.test_client()
    if user is None:
        client.set_cookie("cms_lang", lang)
    else:
        conn = sqlite3.connect(app.config["DATABASE"])
        conn.execute("UPDATE users SET ui_lang = ? WHERE username = ?", (lang, user))
        conn.commit()
        conn.close()
        assert login(client, user).status_code == 302
    findings: dict[str, list[str]] = {}
    for url in urls:
        r = client.get(url)
        if r.status_code in (301, 302, 303):
            continue
        assert r.status_code < 500, (user, url, r.status_code)
        if r.mimetype != "text/html":
            continue
        html = r.get_data(as_text=True)
        words = visible_latin(html, allowed)
        words += [f"punctuation: {m}" for m in half_width_marks(html, HALF_WIDTH if lang == "zh" else FULL_WIDTH)]
        if words:
            findings[url] = sorted(set(words))
    return findings


@pytest.mark.parametrize("lang", ["zh", "ko"])
def test_every_page_in_the_users_language(walked, lang):
    """Every GET page for a user of each role, one holding all roles, and nobody signed in."""
    from cms.auth import ROLES

    app, urls, allowed, excusable = walked
    allowed = allowed | ALLOWED
    adapter = app.url_map.bind("localhost")
    report: dict[str, dict] = defaultdict(dict)
    excused: dict[str, set] = defaultdict(set)
    for user in [*(f"u-{r}" for r in ROLES), "all", None]:
        for url, words in walk(app, urls, user, lang, allowed).items():
            endpoint = adapter.match(url.split("?")[0], method="GET")[0] if url != "/no-such-page" else ""
            if endpoint in ELSEWHERE:
                kind = set().union(*(excusable[k] for k in ELSEWHERE[endpoint][1]))
                excused[endpoint] |= {w for w in words if w in kind}
                words = [w for w in words if w not in kind]
            if endpoint in PUNCTUATION_ELSEWHERE:
                excused["punctuation " + endpoint] |= {w for w in words if w.startswith("punctuation: ")}
                words = [w for w in words if not w.startswith("punctuation: ")]
            if words:
                report[url][user or "anonymous"] = words
    lines = [f"{url} ({', '.join(sorted(report[url]))}): {' '.join(sorted({w for ws in report[url].values() for w in ws}))}"
             for url in sorted(report)]
    assert not lines, f"Latin words in the {lang} interface:\n" + "\n".join(lines)
    endpoints = {r.endpoint for r in app.url_map.iter_rules()}
    stale = [f"{e}: {ELSEWHERE[e][0]}" for e in ELSEWHERE if e in endpoints and not excused[e]]
    if lang == "zh":
        stale += [f"{e}: {PUNCTUATION_ELSEWHERE[e]}" for e in PUNCTUATION_ELSEWHERE
                  if e in endpoints and not excused["punctuation " + e]]
    assert not stale, "fixed elsewhere, remove from ELSEWHERE:\n" + "\n".join(stale)


def test_csrf_failure_page_names_fields_in_the_users_language(walked):
    """The page of a refused form (security token out of date) lists what was sent under the
    fields' names as the editor knows them, not the form's internal names."""
    app, _urls, allowed, _excusable = walked
    conn = sqlite3.connect(app.config["DATABASE"])
    conn.execute("UPDATE users SET ui_lang = 'zh' WHERE username = 'all'")
    conn.commit()
    conn.close()
    client = app.test_client()
    login(client, "all")
    r = client.post("/edit/news/x.zh.md", data={"title": "标题", "body": "正文", "event.location": "延吉"})
    assert r.status_code == 400
    assert visible_latin(r.get_data(as_text=True), allowed | ALLOWED) == []
    soup = BeautifulSoup(r.get_data(as_text=True), "html.parser")
    labels = [label.get_text() for label in soup.select("section.panel label")]
    assert labels == ["标题", "正文（Markdown）", "地点"]


def test_the_walk_finds_english():
    """The check itself: English UI text and raw codes are found, details are not."""
    html = ("<html><head><title>Audit log · 金达莱</title></head><body><p>已保存 Saved.</p>"
            "<button data-confirm='Really?'>发布</button><p class='details-line'>news/x.zh.md</p>"
            "<code>role_add</code><input value='typed by user'><p>用 Markdown 写</p></body></html>")
    assert sorted(visible_latin(html, ALLOWED)) == ["Audit", "Really", "Saved", "log"]


@pytest.mark.parametrize("subject, zh, ko", [
    ("Edit news/a.zh.md: 讲座", "修改：讲座", "수정: 讲座"),
    ("Edit news/a.zh.md: 讲座 (approved by 李编辑)", "修改：讲座（李编辑 批准）", "수정: 讲座 (李编辑 승인)"),
    ("Create news/a.zh.md: 讲座", "新建：讲座", "새로 만듦: 讲座"),
    ("Import news/a.zh.md: 讲座 (from 通知.docx)", "由 Word 文档生成：讲座", "Word 문서로 만듦: 讲座"),
    ("Translate news/a.zh.md into ko: 강좌", "新建译文：강좌", "번역 만듦: 강좌"),
    ("Translate news/a.ko.md: 강좌", "修改译文：강좌", "번역 수정: 강좌"),
    ("Mark news/a.ko.md as translated from news/a.zh.md @ 0123456789", "标记为与当前原文一致", "현재 원문과 맞는다고 표시함"),
    ("Restore news/a.zh.md to 0123456789", "恢复为较早的版本", "이전 판으로 되돌림"),
    ("Upload image images/2026/a-1a2b3c4d.jpg", "上传了图片", "그림 올림"),
    ("Replace image images/2026/a-1a2b3c4d.jpg", "替换了图片", "그림 바꿈"),
    ("Send to review news/a.zh.md: 讲座", "提交审核：讲座", "검토에 보냄: 讲座"),
    ("Return to draft news/a.zh.md: 讲座", "退回草稿：讲座", "초안으로 돌려보냄: 讲座"),
    ("Approve and publish news/a.zh.md: 讲座", "批准并发布：讲座", "승인하고 발행: 讲座"),
    ("Unpublish news/a.zh.md: 讲座", "撤下发布：讲座", "발행 취소: 讲座"),
    ("Scheduled publish news/a.zh.md: 讲座", "定时发布：讲座", "예약대로 발행: 讲座"),
    ("Publish #12 failed; back to review news/a.zh.md: 讲座", "第 12 次发布失败，状态退回“待审核”：讲座",
     "12번 발행 실패, 상태를 ‘검토 중’(으)로 되돌림: 讲座"),
])
def test_commit_messages_of_the_cms_in_both_languages(subject, zh, ko):
    """Every commit message the CMS writes (cms/content.py, translate.py, history, media.py,
    workflow.py, pending.py, importer.py) is told in the reader's language."""
    from flask import Flask, g

    from cms.i18n import load_catalogs
    from cms.records import describe_commit

    app = Flask(__name__)
    app.extensions["cms_i18n"] = load_catalogs()
    with app.test_request_context():
        for lang, expected in (("zh", zh), ("ko", ko)):
            g.ui_lang = lang
            said = describe_commit(subject)
            assert (said.text, said.raw) == (expected, "")
        said = describe_commit("Merge branch 'fix' of the web server")
        assert said.raw == "Merge branch 'fix' of the web server" and said.text == "편집 시스템 밖에서 바뀜"
