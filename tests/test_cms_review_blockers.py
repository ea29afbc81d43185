"""A new user's walk through the README (the review chain, publishing, translations, WeChat):
errors that would stop the publish are found before anyone signs off, the sign-off says the
publish started (not that the page is live), the translator's tab lists missing translations,
the leader reads the history, the publish log speaks to the reader (names, columns, log for
admins only), WeChat notices in the editor's language, no stray line number in the diff of a new
page, and the review record readable on a phone.

Real git, real SQLite, real builds of a small project (tests/cms_helpers.make_cms); the layout
and the clipboard in Chromium.
"""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from cms_helpers import DEFAULT_PASSWORD, PROJECT, csrf, db_rows, git, make_cms
from test_cms_content import client_for
from test_cms_workflow import status_of, wait_publish

# A page imported from Word: its picture still has the importer's placeholder as alt text, which
# `jindallae check` reports as an error (alt-missing) and the publish refuses.
TODO = ("---\ntitle: 延吉市举办幸福家庭讲座\ndate: 2026-10-01\nstatus: {status}\n---\n\n讲座在延吉市举行。\n\n"
        "![TODO：请描述图片内容](images/jindallae-azalea.jpg)\n")
CLEAN = "---\ntitle: 安图县人口文化宣传周\ndate: 2026-10-02\nstatus: {status}\n---\n\n宣传周在安图县开幕。\n"
LIVE = "---\ntitle: 珲春市家庭健康讲座\ndate: 2026-09-01\nstatus: published\n---\n\n讲座举行。\n"
TODO_LINE = 9  # the picture's line in TODO
USERS = {
    "ed": {"roles": ["editor"], "display_name": "张编辑"},
    "edko": {"roles": ["editor"], "display_name": "김편집", "ui_lang": "ko"},
    "pr": {"roles": ["proofreader"], "display_name": "李校对"},
    "hd": {"roles": ["head"], "display_name": "王主任", "ui_lang": "ko"},
    "ld": {"roles": ["leader"], "display_name": "赵局长"},
    "tr": {"roles": ["translator"], "display_name": "金翻译"},
    "adm": {"roles": ["admin", "reviewer"], "display_name": "系统管理员"},
}


def files(**pages: str) -> dict:
    out = {"images/jindallae-azalea.jpg": (PROJECT / "content/images/jindallae-azalea.jpg").read_bytes(),
           "news/hunchun.zh.md": LIVE}
    out.update(pages)
    return out


@pytest.fixture
def cms(tmp_path):
    app, _client = make_cms(tmp_path, users=USERS, review_steps=None,  # the default chain 校对 → 部门审核 → 领导签发
                            content_files=files(**{"news/todo.zh.md": TODO.format(status="draft"),
                                                   "news/review.zh.md": TODO.format(status="review"),
                                                   "news/clean.zh.md": CLEAN.format(status="draft")}))
    yield app
    wait_publish(app)


def act(client, action, rel, **data):
    return client.post(f"/workflow/{action}/{rel}", data={"csrf_token": csrf(client), **data})


def flashes(client, url="/account") -> list[str]:
    soup = BeautifulSoup(client.get(url).get_data(as_text=True), "html.parser")
    return [p.get_text(" ", strip=True) for p in soup.select(".flashes .flash")]


def page_soup(client, url) -> BeautifulSoup:
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    return BeautifulSoup(r.get_data(as_text=True), "html.parser")


# ---------------------------------------------------------------------------------------------
# 1. Errors that would stop the publish block the review chain, not the sign-off's publish


def test_check_error_keeps_the_page_from_review_with_the_line_in_the_editors_language(cms):
    app = cms
    ed = client_for(app, "ed")
    r = act(ed, "review", "news/todo.zh.md")
    assert r.status_code == 302
    said = flashes(ed)
    assert any("未提交审核" in f and f"第 {TODO_LINE} 行" in f and "占位文字" in f for f in said), said
    # the line also counted as the edit form's text box counts it
    body = BeautifulSoup(ed.get("/edit/news/todo.zh.md").get_data(as_text=True), "html.parser").find(
        "textarea", attrs={"name": "body"}).get_text()
    body = body[1:] if body.startswith("\n") else body  # as a browser reads a text area
    in_box = next(n for n, line in enumerate(body.split("\n"), 1) if line.startswith("![TODO"))
    assert any(f"第 {TODO_LINE} 行（正文第 {in_box} 行）" in f for f in said), (in_box, said)
    assert status_of(app, "news/todo.zh.md") == "draft"
    assert db_rows(app, "SELECT * FROM review_decisions WHERE path = 'news/todo.zh.md'") == []
    # The same refusal for a Korean-speaking editor: the message of the check in Korean too.
    edko = client_for(app, "edko")
    act(edko, "review", "news/todo.zh.md")
    said = flashes(edko)
    assert any("검토에 보내지 않았습니다" in f and f"{TODO_LINE}행" in f and "자리표시" in f for f in said), said
    # A page without errors goes to review.
    act(ed, "review", "news/clean.zh.md")
    assert status_of(app, "news/clean.zh.md") == "review"


def test_no_step_passes_a_page_with_blocking_errors(cms):
    """A page in review (set outside the CMS, or edited after it was sent) with an error: every
    reviewer sees it on the review page and in the queue, no pass button, and a pass is refused."""
    app = cms
    rel = "news/review.zh.md"
    pr = client_for(app, "pr")
    soup = page_soup(pr, f"/review/{rel}")
    panel = soup.find(id="publish-blockers")
    assert panel is not None
    items = panel.select("li.scan-finding")
    assert [li["data-check"] for li in items] == ["alt-missing"]
    assert items[0]["data-line"] == str(TODO_LINE)
    assert items[0].get_text().startswith(f"第 {TODO_LINE} 行第 1 列：图片") and "占位文字" in items[0].get_text()
    assert soup.select_one("form.approve-form") is None
    assert soup.find(id="approve-blocked") is not None
    assert soup.select_one("form.return-form") is not None  # returning the page stays possible
    queue = page_soup(pr, "/workflow/")
    entry = queue.select_one(f"li.review-entry[data-path='{rel}']")
    assert entry.select_one(".review-blocked") is not None
    assert entry.select_one("form[action*='/workflow/approve/']") is None
    # The pass itself is refused, nothing recorded, the status unchanged.
    r = act(pr, "approve", rel)
    assert r.status_code == 302
    assert any("未通过" in f and f"第 {TODO_LINE} 行" in f for f in flashes(pr)), flashes(pr)
    assert db_rows(app, "SELECT * FROM review_decisions WHERE path = ? AND action = 'pass'", rel) == []
    assert status_of(app, rel) == "review"
    # The head (Korean UI) reads the errors in Korean on the same page.
    hd = client_for(app, "hd")
    panel = page_soup(hd, f"/review/{rel}").find(id="publish-blockers")
    assert "발행을 막는 오류" in panel.get_text() and "자리표시" in panel.get_text()
    # Corrected (the alt text describes the picture): the proofreader passes it.
    path = app.config["CONTENT_DIR"] / rel
    path.write_text(TODO.format(status="review").replace("TODO：请描述图片内容", "讲座现场"), encoding="utf-8")
    soup = page_soup(pr, f"/review/{rel}")
    assert soup.find(id="publish-blockers") is None and soup.select_one("form.approve-form") is not None
    act(pr, "approve", rel)
    assert [r["step"] for r in db_rows(app, "SELECT step FROM review_decisions WHERE path = ? AND action = 'pass'",
                                       rel)] == ["proofread"]


def test_a_link_to_a_draft_blocks_before_the_sign_off(cms):
    """The checks judge the page as if it were published: a link to a draft stops the chain at
    the first step, not the leader's publish."""
    app = cms
    rel = "news/linking.zh.md"
    (app.config["CONTENT_DIR"] / rel).write_text(
        CLEAN.format(status="review").replace("开幕。", "开幕，见[讲座](todo.zh.md)。"), encoding="utf-8")
    soup = page_soup(client_for(app, "pr"), f"/review/{rel}")
    assert [li["data-check"] for li in soup.select("#publish-blockers li")] == ["link-unpublished"]


def test_sign_off_says_the_publish_started_and_links_to_its_log(cms):
    app = cms
    rel = "news/clean.zh.md"
    act(client_for(app, "ed"), "review", rel)
    act(client_for(app, "pr"), "approve", rel)
    act(client_for(app, "hd"), "approve", rel)
    ld = client_for(app, "ld")
    r = act(ld, "approve", rel)
    assert r.status_code == 303
    run_id = int(r.location.rsplit("/", 1)[1])
    soup = page_soup(ld, r.location)
    flash = soup.select_one(".flashes .flash")
    text = flash.get_text(" ", strip=True)
    assert f"第 {run_id} 次发布已开始" in text and "已发布。" not in text and "状态已改为" not in text
    assert flash.find("a")["href"] == f"/publish/log/{run_id}"
    wait_publish(app)
    soup = page_soup(ld, f"/publish/log/{run_id}")
    assert soup.find(id="run-result").get_text(strip=True) == "已发布"
    assert status_of(app, rel) == "published"


# ---------------------------------------------------------------------------------------------
# 3. The translator's tab, 7. history for every reviewer, 6. the publish log


def test_translators_tab_lists_missing_and_outdated_translations(tmp_path):
    from jindallae.model import revision_of

    old = CLEAN.format(status="published")
    new = old.replace("开幕。", "开幕，共有三场活动。")
    ko = ("---\ntitle: 안도현 인구문화 선전주간\ndate: 2026-10-02\n"
          f"translated_from: {{lang: zh, revision: {revision_of(old.encode('utf-8'))}}}\n---\n\n선전주간이 열렸습니다.\n")
    app, _client = make_cms(tmp_path, users=USERS, content_files=files(**{
        "news/antu.zh.md": new, "news/antu.ko.md": ko, "news/hunchun.zh.md": LIVE}))
    tr = client_for(app, "tr")
    r = tr.get("/translate/")
    assert r.status_code == 200  # the list itself, not a redirect to a filter of the content list
    soup = BeautifulSoup(r.get_data(as_text=True), "html.parser")
    rows = {tr_["data-key"]: [(p["data-lang"], p["data-state"]) for p in tr_.select("p.work")]
            for tr_ in soup.select("table.translation-work tbody tr[data-key]")}
    assert rows == {"news/antu": [("ko", "outdated")], "news/hunchun": [("ko", "missing")]}
    assert soup.find(id="translation-counts").get_text(strip=True) == "缺少：1 · 已过时：1"
    link = soup.select_one("tr[data-key='news/hunchun'] a[href='/translate/news/hunchun.ko.md']")
    assert link is not None
    only_missing = BeautifulSoup(tr.get("/translate/?state=missing").get_data(as_text=True), "html.parser")
    assert [t["data-key"] for t in only_missing.select("tbody tr[data-key]")] == ["news/hunchun"]


def test_leader_reads_the_history_but_cannot_restore(cms):
    app = cms
    ld = client_for(app, "ld")
    soup = page_soup(ld, "/history/news/hunchun.zh.md")
    assert soup.find("form", action=re.compile("/restore$")) is None
    assert soup.find("a", href="/edit/news/hunchun.zh.md") is None  # no edit link the leader could not use
    commit = git(app.config["PROJECT_DIR"], "log", "-1", "--format=%H").strip()
    assert ld.get(f"/history/news/hunchun.zh.md/diff?a={commit}").status_code == 200
    assert client_for(app, "adm").get("/history/news/hunchun.zh.md").status_code == 200  # reviewer role
    review = page_soup(ld, "/review/news/hunchun.zh.md")
    assert review.find("a", href="/history/news/hunchun.zh.md") is not None


def test_publish_log_names_people_and_keeps_the_technical_log_for_admins(cms):
    app = cms
    from cms.db import connect

    conn = connect(app.config["DATABASE"])
    conn.execute("INSERT INTO publish_runs (user, queued, started, finished, ok, log, report) VALUES "
                 "('ld', 1, 2, 3, 1, 'Publish #1 by ld', ?)",
                 ('{"kind": "publish", "steps": [{"id": "checks", "state": "ok", "started": 2, "finished": 3, '
                  '"notes": [], "details": []}], "result": null, "failed": null, "held": [], "warnings": []}',))
    run_id = conn.execute("SELECT max(id) FROM publish_runs").fetchone()[0]
    conn.close()
    ld = client_for(app, "ld")
    soup = page_soup(ld, f"/publish/log/{run_id}")
    assert soup.find(id="run-user").get_text(strip=True) == "赵局长"
    headers = [th.get_text(strip=True) for th in soup.select("#steps thead th")]
    assert headers[-1] == "说明和详情" and "经过" not in headers
    assert "nowrap" in soup.select_one("#step-checks td")["class"]
    assert soup.find(id="publish-log") is None and "技术日志" not in soup.get_text()
    admin = page_soup(client_for(app, "adm"), f"/publish/log/{run_id}")
    assert admin.find(id="publish-log") is not None
    runs = page_soup(client_for(app, "adm"), "/publish")
    assert "赵局长" in runs.get_text()


# ---------------------------------------------------------------------------------------------
# 2. WeChat notices, 4. terminology, 5. the diff of a new page, 8. punctuation, 9. the CLI


def test_wechat_notices_in_the_editors_language(cms):
    app = cms
    for user, expected in (("ed", "本页尚未发布（状态：草稿）"), ("edko", "이 페지는 아직 발행되지 않았습니다(상태: ")):
        soup = page_soup(client_for(app, user), "/wechat/news/clean.zh.md")
        notices = soup.find(id="wechat-notices")
        assert expected in notices.get_text(), notices.get_text()
        assert not re.search(r"\b(the|page|is|not|published|status)\b", notices.get_text())
        assert soup.find("h1").get_text().startswith("微信导出：" if user == "ed" else "위챗 내보내기: ")


def test_every_wechat_notice_has_a_translation():
    from cms.i18n import load_catalogs
    from cms.wechat import NOTICE_TEXTS
    from jindallae.export.wechat import NOTICES

    assert set(NOTICES) <= set(NOTICE_TEXTS)
    catalogs = load_catalogs()
    for text in NOTICE_TEXTS.values():
        for lang in ("zh", "ko"):
            assert catalogs[lang].gettext(text) != text, (lang, text)


def test_terminology_of_check_messages():
    """朝鲜文 for the Korean language in Chinese, 페지 (not 페이지) in Korean (Yanbian norms)."""
    from pathlib import Path

    from jindallae.checks.catalogue import LANG_NAMES, MESSAGES, message

    assert LANG_NAMES["zh"]["ko"] == "朝鲜文"
    assert message("translation-missing", "zh", language="ko")[0] == "本页还没有朝鲜文版本"
    for texts in MESSAGES.values():
        assert "韩" not in texts["zh"] and "페이지" not in texts["ko"]
    for po in (Path(__file__).resolve().parents[1] / "cms/translations").glob("*/*.po"):
        if po.name != "posters.po":
            text = po.read_text(encoding="utf-8")
            assert "韩文" not in text and "韩语" not in text and "페이지" not in text, po


def test_new_page_diff_has_no_live_line_numbers(cms):
    app = cms
    soup = page_soup(client_for(app, "pr"), "/review/news/review.zh.md")
    rows = soup.select("table.diff tbody tr")
    assert rows and all(tr.select("td.ln")[0].get_text(strip=True) == "" for tr in rows)
    assert [tr.select("td.ln")[1].get_text(strip=True) for tr in rows][:2] == ["1", "2"]
    history = soup.select_one("table.review-history")
    if history is not None:
        assert "stack-narrow" in history["class"] and all(td.has_attr("data-label") for td in history.select("td"))


def test_punctuation_joined_per_language():
    from flask import Flask, g

    from cms.i18n import punct

    app = Flask(__name__)
    with app.test_request_context():
        g.ui_lang = "zh"
        assert (punct(":"), punct(";"), punct("("), punct(")"), punct("、")) == ("：", "；", "（", "）", "、")
        g.ui_lang = "ko"
        assert (punct(":"), punct(";"), punct("("), punct(")"), punct("、")) == (": ", "; ", " (", ")", ", ")


def test_review_queue_steps_with_full_width_punctuation_in_chinese(cms):
    app = cms
    act(client_for(app, "ed"), "review", "news/clean.zh.md")
    text = page_soup(client_for(app, "pr"), "/workflow/").get_text()
    assert "审核环节：校对（校对员）" in text
    assert re.search(r"校对（校对员；第 1 步，共 3 步）", text), text
    ko = page_soup(client_for(app, "hd"), "/workflow/")
    said = ko.select_one(".review-chain-summary").get_text() + ko.select_one(".review-current-step").get_text()
    assert "교정 (교정원)" in said and not re.search("[（）；：]", said), said


# ---------------------------------------------------------------------------------------------
# In Chromium: the review record on a phone, the clipboard without CSP errors


def test_review_record_is_readable_at_390px(cms, browser):
    from test_cms_e2e import running, sign_in

    app = cms
    rel = "news/clean.zh.md"
    act(client_for(app, "ed"), "review", rel)
    act(client_for(app, "pr"), "approve", rel, comment="已校对，标点已统一。")
    with running(app) as url:
        context = browser.new_context(viewport={"width": 390, "height": 844})
        page = sign_in(context, url, "hd")
        page.goto(f"{url}/review/{rel}")
        cells = page.locator("table.review-history tbody td:not(.empty)")
        assert cells.count() >= 5
        for i in range(cells.count()):
            box = cells.nth(i).bounding_box()
            assert box["width"] > 200, (i, box)  # a whole line, not a column one character wide
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        context.close()


def test_copy_for_wechat_causes_no_csp_violation(cms, browser):
    from test_cms_e2e import running

    app = cms
    with running(app) as url:
        context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
        page = context.new_page()
        messages: list[str] = []
        page.on("console", lambda m: messages.append(m.text))
        page.goto(f"{url}/login")
        page.fill("#username", "ed")
        page.fill("#password", DEFAULT_PASSWORD)
        page.click("button[type=submit].primary")
        page.wait_for_url(f"{url}/")
        page.goto(f"{url}/wechat/news/hunchun.zh.md")
        page.click("button[data-wechat-export]")
        page.wait_for_selector("button[data-wechat-export][data-copied='1']", timeout=15000)
        copied = list(messages)
        html = page.evaluate("""async () => {
            const items = await navigator.clipboard.read();
            return await (await items[0].getType('text/html')).text();
        }""")
        context.close()
    assert not [m for m in copied if "Content Security Policy" in m and "style" in m], copied
    assert "讲座举行" in html and "style=" in html  # the article with its inline styles
