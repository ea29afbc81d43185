"""The review chain 三审三校 (cms.review, cms.comments, cms.notify; issue "Government editorial
workflow" items 1, 2, 3, 8): a page sent to review passes 校对 proofread (proofreader) → 部门审核
department review (head) → 领导签发 sign-off (leader) in order, any step returns it with a
required comment, the last step publishes (with its translations in one action and one publish);
comments on a version and a line, resolved by the editor; the sensitive-word and typo scan before
review; the badge and the e-mails (a local SMTP sink).  Real git, real SQLite, real builds of a
small project; the main path also in Chromium.

Cases of ../shared/cases/cms.md: W1 (a decision on a version someone changed meanwhile is
refused, nothing lost), W6 (a refused "send to review" keeps the editor's text and says why).
"""

from __future__ import annotations

import re
import socket
import sqlite3

import pytest
from bs4 import BeautifulSoup

from cms_helpers import PROJECT, csrf, db_rows, git, make_cms
from test_cms_content import client_for
from test_cms_workflow import status_of, wait_publish

ZH = "---\ntitle: 安图县人口文化宣传周\ndate: 2026-10-01\nstatus: draft\n---\n\n宣传周在安图县开幕。\n\n各乡镇组织文艺演出。\n"
LIVE = "---\ntitle: 珲春市家庭健康讲座\ndate: 2026-09-01\nstatus: published\n---\n\n讲座举行。\n"
USERS = {
    "ed": {"roles": ["editor"], "display_name": "张编辑", "email": "ed@rkwh.example.gov.cn"},
    "tr": {"roles": ["translator"], "display_name": "김번역", "email": "tr@rkwh.example.gov.cn", "ui_lang": "ko"},
    "pr": {"roles": ["proofreader"], "display_name": "李校对", "email": "pr@rkwh.example.gov.cn"},
    "hd": {"roles": ["head"], "display_name": "王主任", "email": "hd@rkwh.example.gov.cn", "ui_lang": "ko"},
    "ld": {"roles": ["leader"], "display_name": "赵局长", "email": "ld@rkwh.example.gov.cn"},
    "ph": {"roles": ["proofreader", "head"], "display_name": "两职", "email": ""},
    "rev": {"roles": ["reviewer"], "display_name": "审核人", "email": ""},
    "adm": {"roles": ["admin"], "email": ""},
}
ROLE_USERS = {"ed": "editor", "tr": "translator", "pr": "proofreader", "hd": "head", "ld": "leader", "rev": "reviewer",
              "adm": "admin"}
STEP_ROLES = {"proofread": "proofreader", "department": "head", "signoff": "leader"}


def ko_text(zh_revision: str) -> str:
    return ("---\ntitle: 안도현 인구문화 선전주간\ndate: 2026-10-01\nstatus: draft\n"
            f"translated_from: {{lang: zh, revision: {zh_revision}}}\n---\n\n선전주간이 안도현에서 열렸습니다.\n")


def files(with_ko: bool = True) -> dict:
    from jindallae.model import revision_of

    out = {"news/antu.zh.md": ZH, "news/hunchun.zh.md": LIVE,
           "images/jindallae-azalea.jpg": (PROJECT / "content/images/jindallae-azalea.jpg").read_bytes(),
           "sensitive-words.yaml": (PROJECT / "content/sensitive-words.yaml").read_text(encoding="utf-8"),
           "typos.yaml": (PROJECT / "content/typos.yaml").read_text(encoding="utf-8")}
    if with_ko:
        out["news/antu.ko.md"] = ko_text(revision_of(ZH.encode("utf-8")))
    return out


@pytest.fixture
def cms(tmp_path):
    app, _client = make_cms(tmp_path, users=USERS, content_files=files(), review_steps=None)  # the default chain
    yield app
    wait_publish(app)


def post(client, url, **data):
    return client.post(url, data={"csrf_token": csrf(client), **data})


def act(client, action, rel, **data):
    return post(client, f"/workflow/{action}/{rel}", **data)


def decisions(app, rel):
    return [(r["action"], r["step"], r["username"]) for r in db_rows(
        app, "SELECT d.action, d.step, u.username FROM review_decisions d LEFT JOIN users u ON u.id = d.user_id "
             "WHERE d.path = ? ORDER BY d.id", rel)]


def waiting_step(app, client, rel):
    soup = BeautifulSoup(client.get("/workflow/").get_data(as_text=True), "html.parser")
    entry = soup.select_one(f'.review-entry[data-path="{rel}"]')
    return entry["data-step"] if entry is not None else None


# ---------------------------------------------------------------------------------------------
# Settings and roles


def test_default_chain_and_settings_validation(tmp_path):
    """The default REVIEW_STEPS are 校对 → 部门审核 → 领导签发 with roles proofreader, head,
    leader (CMS roles); a wrong value stops at start naming the key."""
    from cms.auth import ROLES
    from jindallae.review_config import DEFAULT_STEPS, STEP_ROLES as ALLOWED
    from jindallae.settings import SettingsError, load_settings
    from site_helpers import make_project

    assert [(s["id"], s["role"], s["name"]["zh"]) for s in DEFAULT_STEPS] == [
        ("proofread", "proofreader", "校对"), ("department", "head", "部门审核"), ("signoff", "leader", "领导签发")]
    assert set(ALLOWED) == set(ROLES) - {"admin"}
    base = (PROJECT / "pelicanconf.py").read_text(encoding="utf-8")
    for extra, key in (('REVIEW_STEPS = [{"id": "a", "role": "admin"}]', "REVIEW_STEPS"),
                       ('REVIEW_STEPS = [{"id": "a", "role": "head"}, {"id": "a", "role": "leader"}]', "REVIEW_STEPS"),
                       ('REVIEW_STEPS = []', "REVIEW_STEPS"),
                       ('REVIEW_MAIL = {"host": "smtp.x.cn", "sender": "a@x.cn", "password": "secret"}', "REVIEW_MAIL"),
                       ("REVIEW_DISTINCT_PEOPLE = 'no'", "REVIEW_DISTINCT_PEOPLE"),
                       ("REVIEW_STEP = []", "REVIEW_STEP")):
        root = make_project(tmp_path / key / str(len(extra)), base + "\n" + extra + "\n")
        with pytest.raises(SettingsError, match=key):
            load_settings(root)
    root = make_project(tmp_path / "ok", base)
    assert load_settings(root)["REVIEW_STEPS"] == DEFAULT_STEPS


# ---------------------------------------------------------------------------------------------
# Item 1: the chain


def test_three_steps_in_order_by_three_people_then_published(cms):
    """Editor sends → proofreader → head → leader publishes; nobody passes a step out of turn or
    a step of another role (403), the file stays "review" until the sign-off, every decision is
    recorded and audited, the sign-off commits and publishes like today's approve."""
    app = cms
    rel = "news/antu.zh.md"
    ed, pr, hd, ld = (client_for(app, u) for u in ("ed", "pr", "hd", "ld"))
    assert act(ed, "review", rel).status_code == 302 and status_of(app, rel) == "review"
    for client in (hd, ld, ed):  # not their step
        assert act(client, "approve", rel).status_code == 403
    assert waiting_step(app, pr, rel) == "proofread"
    assert act(pr, "approve", rel, comment="已校对").status_code == 302
    assert status_of(app, rel) == "review" and waiting_step(app, pr, rel) == "department"
    assert act(pr, "approve", rel).status_code == 403  # the proofreader's step is over
    assert act(ld, "approve", rel).status_code == 403
    assert act(hd, "approve", rel).status_code == 302 and waiting_step(app, hd, rel) == "signoff"
    head_before = git(app.config["PROJECT_DIR"], "rev-parse", "HEAD").strip()
    r = act(ld, "approve", rel)
    assert r.status_code == 303 and r.location.startswith("/publish/log/")
    assert ld.get(r.location).status_code == 200  # who signs off follows the publish
    wait_publish(app)
    assert status_of(app, rel) == "published"
    assert git(app.config["PROJECT_DIR"], "log", "-1", "--format=%an|%s").strip() == \
        "赵局长|Approve and publish news/antu.zh.md: 安图县人口文化宣传周"
    assert git(app.config["PROJECT_DIR"], "rev-list", "--count", f"{head_before}..HEAD").strip() == "1"
    assert (app.config["OUTPUT_DIR"] / "news" / "antu" / "index.html").is_file()
    assert decisions(app, rel) == [("submit", "", "ed"), ("pass", "proofread", "pr"), ("pass", "department", "hd"),
                                   ("pass", "signoff", "ld")]
    assert db_rows(app, "SELECT comment FROM review_decisions WHERE step = 'proofread'") == [{"comment": "已校对"}]
    audit = [r["action"] for r in db_rows(app, "SELECT action FROM audit_log WHERE target = ? ORDER BY id", rel)]
    assert audit.count("review_pass") == 3 and "review_submit" in audit and "workflow_approve" in audit
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):  # the history cannot be edited
        from cms.db import connect

        connect(app.config["DATABASE"]).execute("UPDATE review_decisions SET user_id = NULL")


@pytest.mark.parametrize("step", ["proofread", "department", "signoff"])
def test_role_step_matrix(cms, step):
    """At each step only that step's role may decide (probed with a return without comment:
    refused as incomplete, nothing changed — 302 — for the right role, 403 for every other);
    every content and review role may open the review page and comment, admins may not."""
    app = cms
    rel = "news/antu.zh.md"
    act(client_for(app, "ed"), "review", rel)
    for done in list(STEP_ROLES)[:list(STEP_ROLES).index(step)]:
        who = next(u for u, r in ROLE_USERS.items() if r == STEP_ROLES[done])
        assert act(client_for(app, who), "approve", rel).status_code == 302
    before = git(app.config["PROJECT_DIR"], "rev-parse", "HEAD")
    for user, role in ROLE_USERS.items():
        client = client_for(app, user)
        expected = 302 if role == STEP_ROLES[step] else 403
        assert act(client, "return", rel).status_code == expected, (step, user)
        assert act(client, "approve", rel, base_revision="0" * 40).status_code == expected, (step, user)  # W1: stale
        view = client.get(f"/review/{rel}")
        assert view.status_code == (403 if role == "admin" else 200), user
        assert post(client, f"/comments/page/{rel}").status_code == (403 if role == "admin" else 302), user
    assert git(app.config["PROJECT_DIR"], "rev-parse", "HEAD") == before and status_of(app, rel) == "review"
    assert waiting_step(app, client_for(app, "ed"), rel) == step


def test_veto_needs_a_comment_which_the_editor_sees_and_resolves(cms):
    """The leader returns (vetoes) the page: without a comment nothing happens; with one, the
    page is a draft again, the comment is on the page (version, step) for everyone, the editor
    marks it resolved, and a new "send to review" starts again at the first step."""
    app = cms
    rel = "news/antu.zh.md"
    ed, pr, hd, ld = (client_for(app, u) for u in ("ed", "pr", "hd", "ld"))
    act(ed, "review", rel)
    act(pr, "approve", rel)
    act(hd, "approve", rel)
    r = act(ld, "return", rel)
    assert r.status_code == 302 and status_of(app, rel) == "review"
    assert "退回前请写明需要修改的地方" in ld.get(r.location).get_data(as_text=True)
    revision = db_rows(app, "SELECT revision FROM review_decisions WHERE action = 'pass' LIMIT 1")[0]["revision"]
    assert act(ld, "return", rel, comment="标题请加上年份。").status_code == 302
    assert status_of(app, rel) == "draft"
    assert git(app.config["PROJECT_DIR"], "log", "-1", "--format=%an|%s").strip() == \
        "赵局长|Return to draft news/antu.zh.md: 安图县人口文化宣传周"
    rows = db_rows(app, "SELECT revision, line, body, step, decision_id FROM review_comments")
    assert rows == [{"revision": revision, "line": None, "body": "标题请加上年份。", "step": "signoff",
                     "decision_id": db_rows(app, "SELECT id FROM review_decisions WHERE action = 'return'")[0]["id"]}]
    page = BeautifulSoup(ed.get(f"/edit/{rel}").get_data(as_text=True), "html.parser")
    comment = page.select_one("#review-panel .comment")
    assert "标题请加上年份。" in comment.get_text() and "赵局长" in comment.get_text() and "领导签发" in comment.get_text()
    assert act(pr, "approve", rel).status_code == 302  # a draft: nothing to pass
    assert decisions(app, rel)[-1] == ("return", "signoff", "ld")
    form = comment.find("form")
    assert post(pr, form["action"]).status_code == 403  # resolved by whoever edits the page
    assert post(ed, form["action"]).status_code == 302
    resolved = db_rows(app, "SELECT user_id FROM review_comment_resolutions")
    assert len(resolved) == 1 and "comment_resolve" in [r["action"] for r in db_rows(app, "SELECT action FROM audit_log")]
    act(ed, "review", rel)
    assert waiting_step(app, pr, rel) == "proofread"  # a new round starts at the first step
    assert act(hd, "approve", rel).status_code == 403


def test_comment_on_a_line_of_a_version(cms):
    """Item 2: a comment names the version (git blob revision) and a line; after the page
    changes it stays, marked as about an earlier version with the line's text then."""
    app = cms
    rel = "news/antu.zh.md"
    ed, pr = client_for(app, "ed"), client_for(app, "pr")
    act(ed, "review", rel)
    soup = BeautifulSoup(pr.get(f"/review/{rel}").get_data(as_text=True), "html.parser")
    form = soup.select_one("#comment-form")
    revision = form.find("input", attrs={"name": "revision"})["value"]
    assert soup.select_one("#L7 .src").get_text() == "宣传周在安图县开幕。"
    assert post(pr, form["action"], revision=revision, line="7", body="“开幕”前加日期。").status_code == 302
    assert post(pr, form["action"], revision=revision, line="99", body="x").status_code == 302  # no such line
    assert post(pr, form["action"], revision=revision, body=" ").status_code == 302  # empty
    rows = db_rows(app, "SELECT line, excerpt, revision, step FROM review_comments")
    assert rows == [{"line": 7, "excerpt": "宣传周在安图县开幕。", "revision": revision, "step": "proofread"}]
    soup = BeautifulSoup(ed.get(f"/review/{rel}").get_data(as_text=True), "html.parser")
    assert "“开幕”前加日期。" in soup.select_one("#L7").find_next_sibling("tr").get_text()
    path = app.config["CONTENT_DIR"] / rel
    path.write_text(path.read_text(encoding="utf-8").replace("开幕。", "10月1日开幕。"), encoding="utf-8")
    git(app.config["PROJECT_DIR"], "commit", "-qam", "edit")
    soup = BeautifulSoup(ed.get(f"/review/{rel}").get_data(as_text=True), "html.parser")
    old = soup.select_one(".comment")
    assert "宣传周在安图县开幕。" in old.select_one(".comment-excerpt").get_text()  # the line as it was
    assert "较早的版本" in old.get_text()
    assert "上一次审核决定之后正文又改过" in soup.get_text()  # sent to review with the earlier text
    # a comment sent from a review page opened before the change lands on the version read ...
    assert post(pr, form["action"], revision=revision, line="9", body="演出名单？").status_code == 302
    assert db_rows(app, "SELECT revision, excerpt FROM review_comments ORDER BY id DESC LIMIT 1") == [
        {"revision": revision, "excerpt": "各乡镇组织文艺演出。"}]
    # ... but never on a revision that is not one of this page's
    other = git(app.config["PROJECT_DIR"], "rev-parse", "HEAD:content/news/hunchun.zh.md").strip()
    assert post(pr, form["action"], revision=other, line="1", body="x").status_code == 400
    assert any(a["action"] == "comment_add" for a in db_rows(app, "SELECT action FROM audit_log"))


def test_W1_decision_on_a_version_changed_meanwhile_is_refused(cms):
    """W1: the head opens the page; the editor saves a change; the head's approval names the
    version read and is refused — nothing recorded, the editor's change kept; after looking at
    the new version the head approves it."""
    app = cms
    rel = "news/antu.zh.md"
    ed, hd = client_for(app, "ed"), client_for(app, "hd")
    act(ed, "review", rel)
    act(client_for(app, "pr"), "approve", rel)
    soup = BeautifulSoup(hd.get(f"/review/{rel}").get_data(as_text=True), "html.parser")
    read = soup.select_one(".approve-form input[name=base_revision]")["value"]
    path = app.config["CONTENT_DIR"] / rel
    changed = path.read_text(encoding="utf-8").replace("文艺演出", "文艺演出和义诊")
    path.write_text(changed, encoding="utf-8")
    git(app.config["PROJECT_DIR"], "commit", "-qam", "the editor's change")
    r = act(hd, "approve", rel, base_revision=read)
    assert r.status_code == 302 and "아무것도 바꾸지 않았으니" in hd.get(r.location).get_data(as_text=True)  # hd reads Korean
    assert decisions(app, rel)[-1][:2] == ("pass", "proofread") and path.read_text(encoding="utf-8") == changed
    soup = BeautifulSoup(hd.get(f"/review/{rel}").get_data(as_text=True), "html.parser")
    assert "마지막 검토 결정 뒤에 본문이 바뀌였습니다" in soup.get_text()
    fresh = soup.select_one(".approve-form input[name=base_revision]")["value"]
    assert fresh != read and act(hd, "approve", rel, base_revision=fresh).status_code == 302
    assert decisions(app, rel)[-1][:2] == ("pass", "department")


def test_one_person_passes_one_step_unless_configured(tmp_path):
    """REVIEW_DISTINCT_PEOPLE: who holds proofreader and head passes one of the two steps, not
    both; with the setting off, both."""
    for distinct, expected in ((True, "department"), (False, "signoff")):
        app, _ = make_cms(tmp_path / str(distinct), users=USERS, content_files=files(False), review_steps=None,
                          settings_extra=f"REVIEW_DISTINCT_PEOPLE = {distinct}\n")
        rel = "news/antu.zh.md"
        ph = client_for(app, "ph")
        act(client_for(app, "ed"), "review", rel)
        assert act(ph, "approve", rel).status_code == 302
        r = act(ph, "approve", rel)
        assert r.status_code == 302
        assert waiting_step(app, client_for(app, "ed"), rel) == expected
        if distinct:
            assert "您已经审核通过了这个页面的另一个环节" in ph.get(r.location).get_data(as_text=True)
            assert 'id="review-distinct"' in ph.get(f"/review/{rel}").get_data(as_text=True)


def test_zh_and_ko_approved_together_in_one_publish(cms):
    """A page and its translation waiting at the same step pass together in one action; at the
    sign-off, one action and one publish put both on the site."""
    app = cms
    zh, ko = "news/antu.zh.md", "news/antu.ko.md"
    act(client_for(app, "ed"), "review", zh)
    act(client_for(app, "tr"), "review", ko)
    pr = client_for(app, "pr")
    queue = BeautifulSoup(pr.get("/workflow/").get_data(as_text=True), "html.parser")
    together = queue.select_one(f'.review-entry[data-path="{zh}"] form.approve-together')
    also = [i["value"] for i in together.find_all("input", attrs={"name": "also"})]
    assert [a.split("@")[0] for a in also] == [ko] and "한국어" in together.get_text()
    assert post(pr, together["action"], also="news/hunchun.zh.md").status_code == 400  # not a version of the page
    assert post(pr, together["action"], also=f"{ko}@{'0' * 40}").status_code == 302  # W1: changed meanwhile
    assert waiting_step(app, pr, zh) == "proofread"
    assert post(pr, together["action"], also=also).status_code == 302
    for who in ("hd", "ld"):
        client = client_for(app, who)
        assert {waiting_step(app, client, p) for p in (zh, ko)} == {"department" if who == "hd" else "signoff"}
        queue = BeautifulSoup(client.get("/workflow/").get_data(as_text=True), "html.parser")
        form = queue.select_one(f'.review-entry[data-path="{zh}"] form.approve-together')
        r = post(client, form["action"], also=[i["value"] for i in form.find_all("input", attrs={"name": "also"})])
    assert r.status_code == 303
    wait_publish(app)
    assert status_of(app, zh) == status_of(app, ko) == "published"
    assert len(db_rows(app, "SELECT id FROM publish_runs")) == 1
    out = app.config["OUTPUT_DIR"]
    assert (out / "news" / "antu" / "index.html").is_file() and (out / "ko" / "news" / "antu" / "index.html").is_file()


def test_queue_shows_what_the_reviewer_needs(cms):
    """Item 1: title (not path), section, language, who submitted and when, the step, the diff
    against the live version and the preview link; the badge counts what waits for the user."""
    app = cms
    rel = "news/antu.zh.md"
    ed = client_for(app, "ed")
    act(ed, "review", rel)
    path = app.config["CONTENT_DIR"] / "news/hunchun.zh.md"  # a published page changed and in review
    path.write_text(LIVE.replace("published", "review").replace("讲座举行。", "讲座在珲春举行。"), encoding="utf-8")
    git(app.config["PROJECT_DIR"], "commit", "-qam", "to review outside the CMS")
    pr = client_for(app, "pr")
    soup = BeautifulSoup(pr.get("/workflow/").get_data(as_text=True), "html.parser")
    entry = soup.select_one(f'.review-entry[data-path="{rel}"]')
    text = entry.get_text(" ", strip=True)
    assert entry.select_one(".review-title a").get_text() == "安图县人口文化宣传周"
    for shown in ("工作动态", "中文", "张编辑", "校对", "第 1 步，共 3 步", "等您处理"):
        assert shown in text, shown
    assert entry.select_one("a[href='/preview/site/page/news/antu.zh.md']") is not None
    assert "新页面：网站上还没有" in entry.select_one(".review-diff summary").get_text()
    other = soup.select_one('.review-entry[data-path="news/hunchun.zh.md"]')
    assert "与线上版本相比的改动" in other.get_text()
    assert "讲座在珲春举行。" in other.select_one(".review-diff").get_text()
    assert soup.select_one("#review-badge").get_text(strip=True).startswith("1")  # set to review outside the CMS: not counted
    hd = BeautifulSoup(client_for(app, "hd").get("/workflow/").get_data(as_text=True), "html.parser")
    assert hd.select_one("#review-badge") is None and hd.select_one(".waiting-for-you") is None
    assert "검토" in BeautifulSoup(client_for(app, "tr").get("/").get_data(as_text=True), "html.parser").select_one(
        ".main-nav").get_text()


# ---------------------------------------------------------------------------------------------
# Item 3: the scan before review


def test_W6_sensitive_word_blocks_send_to_review_and_keeps_the_text(cms):
    """W6: a listed word (here written with a space) keeps the page a draft; the editor's text
    is untouched and the finding is shown under the text with its line; a typo is a warning
    that does not block."""
    app = cms
    rel = "news/antu.zh.md"
    path = app.config["CONTENT_DIR"] / rel
    text = ZH.replace("各乡镇组织文艺演出。", "各乡镇认真的做好演出，材料属内部 资料。")
    path.write_text(text, encoding="utf-8")
    git(app.config["PROJECT_DIR"], "commit", "-qam", "draft with a listed word")
    ed = client_for(app, "ed")
    r = act(ed, "review", rel)
    assert r.status_code == 302 and status_of(app, rel) == "draft" and path.read_text(encoding="utf-8") == text
    soup = BeautifulSoup(ed.get(r.location).get_data(as_text=True), "html.parser")
    assert "未提交审核：正文有 1 处问题须先改正" in soup.select_one(".flash-error").get_text()
    found = {li["data-check"]: li for li in soup.select("#scan-findings li")}
    assert set(found) == {"sensitive", "typo"}
    assert found["sensitive"]["data-line"] == "9" and "内部 资料" in found["sensitive"].get_text()
    assert "认真地做好" in found["typo"].get_text()
    assert soup.select_one("#body").get_text().strip().endswith("材料属内部 资料。")
    assert decisions(app, rel) == []
    path.write_text(text.replace("材料属内部 资料。", ""), encoding="utf-8")
    git(app.config["PROJECT_DIR"], "commit", "-qam", "fixed")
    assert act(ed, "review", rel).status_code == 302 and status_of(app, rel) == "review"  # the typo does not block


# ---------------------------------------------------------------------------------------------
# Publishing fails at the sign-off; scheduling


def test_failed_publish_puts_the_page_back_at_the_sign_off(cms):
    app = cms
    rel = "news/antu.zh.md"
    act(client_for(app, "ed"), "review", rel)
    act(client_for(app, "pr"), "approve", rel)
    act(client_for(app, "hd"), "approve", rel)
    base = app.config["PROJECT_DIR"] / "themes" / "jindallae" / "templates" / "base.html"
    original = base.read_text(encoding="utf-8")
    base.write_text("{{ no_such_macro() }}\n" + original, encoding="utf-8")
    ld = client_for(app, "ld")
    assert act(ld, "approve", rel).status_code == 303
    wait_publish(app)
    assert status_of(app, rel) == "review" and waiting_step(app, ld, rel) == "signoff"
    assert decisions(app, rel)[-1] == ("reopen", "signoff", None)
    assert 'id="review-badge"' in ld.get("/workflow/").get_data(as_text=True)


def test_only_who_signs_off_may_schedule_publishing(tmp_path):
    users = dict(USERS, rl={"roles": ["reviewer", "leader"], "email": ""})
    app, _ = make_cms(tmp_path, users=users, content_files=files(False), review_steps=None)
    data = {"path": "news/antu.zh.md", "action": "publish", "run_at": "2030-01-01T09:00"}
    r = post(client_for(app, "rev"), "/workflow/schedule", **data)
    assert r.status_code == 422 and "只有负责签发的人" in r.get_data(as_text=True)
    assert post(client_for(app, "rl"), "/workflow/schedule", **data).status_code == 302
    assert post(client_for(app, "rev"), "/workflow/schedule", **dict(data, action="unpublish")).status_code == 302


# ---------------------------------------------------------------------------------------------
# Item 8: e-mail through a local SMTP sink


@pytest.fixture
def smtp_sink():
    """An SMTP server (aiosmtpd) on 127.0.0.1 at a free port, collecting what it receives;
    stopped at teardown."""
    controller_mod = pytest.importorskip("aiosmtpd.controller")
    received = []

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope)
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = controller_mod.Controller(Sink(), hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    try:
        yield port, received
    finally:
        controller.stop()


def join_mail(app):
    for thread in app.extensions.get("cms_mail_threads", []):
        thread.join(20)
        assert not thread.is_alive()


def test_mail_to_whoever_may_pass_the_next_step(tmp_path, smtp_sink):
    import email
    from email.policy import default

    port, received = smtp_sink
    mail = {"host": "127.0.0.1", "port": port, "security": "none", "sender": "cms@rkwh.example.gov.cn",
            "timeout": 5, "cms_url": "https://cms.rkwh.example.gov.cn"}
    app, _ = make_cms(tmp_path, users=USERS, content_files=files(False), review_steps=None,
                      settings_extra=f"REVIEW_MAIL = {mail!r}\n")
    rel = "news/antu.zh.md"
    act(client_for(app, "ed"), "review", rel)
    join_mail(app)
    assert [e.rcpt_tos for e in received] == [["pr@rkwh.example.gov.cn"]]  # ph has no address
    message = email.message_from_bytes(received[0].content, policy=default)
    assert message["Subject"] == "【金达莱内容管理】等待您处理（校对）：安图县人口文化宣传周"
    assert "https://cms.rkwh.example.gov.cn/review/news/antu.zh.md" in message.get_content()
    act(client_for(app, "pr"), "approve", rel)
    join_mail(app)
    message = email.message_from_bytes(received[1].content, policy=default)
    assert received[1].rcpt_tos == ["hd@rkwh.example.gov.cn"] and "(부서 심사)" in message["Subject"]  # in Korean
    act(client_for(app, "hd"), "return", rel, comment="请补充活动时间。")
    join_mail(app)
    message = email.message_from_bytes(received[2].content, policy=default)
    assert received[2].rcpt_tos == ["ed@rkwh.example.gov.cn"] and "请补充活动时间。" in message.get_content()
    sent = [r["action"] for r in db_rows(app, "SELECT action FROM audit_log WHERE action LIKE 'mail_%'")]
    assert sent == ["mail_sent"] * 3


def test_mail_failure_is_audited_and_blocks_nothing(tmp_path):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mail = {"host": "127.0.0.1", "port": port, "security": "none", "sender": "cms@rkwh.example.gov.cn", "timeout": 2}
    app, _ = make_cms(tmp_path, users=USERS, content_files=files(False), review_steps=None,
                      settings_extra=f"REVIEW_MAIL = {mail!r}\n")
    assert act(client_for(app, "ed"), "review", "news/antu.zh.md").status_code == 302
    join_mail(app)
    assert status_of(app, "news/antu.zh.md") == "review"
    assert [r["action"] for r in db_rows(app, "SELECT action FROM audit_log WHERE action LIKE 'mail_%'")] == \
        ["mail_failed"]


# ---------------------------------------------------------------------------------------------
# The main path in Chromium


def test_browser_three_reviewers_veto_and_combined_approval(browser, tmp_path):
    """Chromium: editor and translator send zh and ko; the proofreader comments on a line and
    passes both together; the head passes both; the leader vetoes the zh page with a comment;
    the editor sees it, fixes the title, resolves it and sends again; proofreader and head pass
    it; the leader approves zh with its ko version in one action — one publish, both pages on
    the built site; no CSP violation or script error on the way."""
    from test_cms_e2e import running, sign_in

    app, _ = make_cms(tmp_path, users=USERS, content_files=files(), review_steps=None)
    zh, ko = "news/antu.zh.md", "news/antu.ko.md"
    problems = []
    with running(app) as url:
        pages = {}
        for user in ("ed", "tr", "pr", "hd", "ld"):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = sign_in(context, url, user)
            page.on("console", lambda m, u=user: problems.append((u, m.text)) if m.type == "error" else None)
            page.on("pageerror", lambda e, u=user: problems.append((u, str(e))))
            page.set_default_timeout(20000)
            pages[user] = page
        ed, tr, pr, hd, ld = (pages[u] for u in ("ed", "tr", "pr", "hd", "ld"))

        ed.goto(f"{url}/edit/{zh}")
        ed.click("form[action*='/workflow/review/'] button")
        ed.wait_for_load_state()
        tr.goto(f"{url}/translate/{ko}")
        tr.click("form[action*='/workflow/review/'] button")
        tr.wait_for_load_state()

        pr.goto(f"{url}/workflow/")
        assert pr.locator("#review-badge").inner_text().startswith("2")
        pr.click(f".review-entry[data-path='{zh}'] .review-title a")
        pr.fill("#comment-line", "9")
        pr.fill("#comment-body", "“文艺演出”可写具体节目。")
        pr.click("#comment-form button")
        pr.wait_for_selector("#L9 + tr .comment")
        assert pr.locator("#also-ko").is_checked()
        pr.click(".approve-form button")
        pr.wait_for_url(f"{url}/workflow/")
        assert pr.locator(".review-current-step").first.inner_text().startswith("部门审核")

        hd.goto(f"{url}/workflow/")
        hd.click(f".review-entry[data-path='{zh}'] form.approve-together button")
        hd.wait_for_url(f"{url}/workflow/")
        assert hd.locator(".review-entry").count() == 2

        ld.goto(f"{url}/review/{zh}")
        ld.fill("#return-comment", "标题请写明年份。")
        ld.click(".return-form button")
        ld.wait_for_load_state()
        assert status_of(app, zh) == "draft" and status_of(app, ko) == "review"

        ed.goto(f"{url}/edit/{zh}")
        assert "标题请写明年份。" in ed.locator("#review-panel").inner_text()
        ed.fill("#f-title", "2026年安图县人口文化宣传周")
        ed.click("#page-form button[name=save]")
        ed.wait_for_url(f"{url}/edit/{zh}?saved=*")
        for _ in range(2):  # the veto and the proofreader's line comment
            ed.click("#review-panel .comment form button")
            ed.wait_for_load_state()
        assert ed.locator("#review-panel .comment:not(.comment-resolved) form").count() == 0
        ed.click("form[action*='/workflow/review/'] button")
        ed.wait_for_load_state()

        for reviewer in (pr, hd):
            reviewer.goto(f"{url}/review/{zh}")
            reviewer.click(".approve-form button")
            reviewer.wait_for_url(f"{url}/workflow/")
        ld.goto(f"{url}/workflow/")
        assert ld.locator("#review-badge").inner_text().startswith("2")
        ld.click(f".review-entry[data-path='{zh}'] form.approve-together button")
        ld.wait_for_url(f"{url}/publish/log/*")
        wait_publish(app)
        for page in pages.values():
            page.context.close()
    assert problems == []
    assert status_of(app, zh) == status_of(app, ko) == "published"
    assert len(db_rows(app, "SELECT id FROM publish_runs")) == 1
    out = app.config["OUTPUT_DIR"]
    built = BeautifulSoup((out / "news" / "antu" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert built.find("h1").get_text(strip=True) == "2026年安图县人口文化宣传周"
    assert (out / "ko" / "news" / "antu" / "index.html").is_file()
    assert [d[:2] for d in decisions(app, zh)] == [
        ("submit", ""), ("pass", "proofread"), ("pass", "department"), ("return", "signoff"), ("submit", ""),
        ("pass", "proofread"), ("pass", "department"), ("pass", "signoff")]
    assert len(db_rows(app, "SELECT comment_id FROM review_comment_resolutions")) == 2
    assert re.fullmatch(r"[0-9a-f]{40}", db_rows(app, "SELECT revision FROM review_comments LIMIT 1")[0]["revision"])


def test_review_pages_have_no_axe_violations(browser, tmp_path):
    """The queue with entries, the review page with steps, comments and the text, and the edit
    page with the review panel and the scan findings pass axe-core (WCAG rules)."""
    from test_a11y import AXE
    from test_cms_e2e import running, sign_in

    if not AXE.exists():
        pytest.skip("axe-core is not installed: run `make test`")
    app, _ = make_cms(tmp_path, users=USERS, content_files=files(), review_steps=None)
    zh = "news/antu.zh.md"
    act(client_for(app, "ed"), "review", zh)
    pr = client_for(app, "pr")
    post(pr, f"/comments/page/{zh}", line="7", body="请核对日期。")
    act(pr, "approve", zh)
    act(client_for(app, "hd"), "return", zh, comment="请补充活动时间。")
    path = app.config["CONTENT_DIR"] / zh
    path.write_text(ZH.replace("各乡镇组织文艺演出。", "各乡镇认真的做好演出。"), encoding="utf-8")
    git(app.config["PROJECT_DIR"], "commit", "-qam", "a typo to show")
    act(client_for(app, "tr"), "review", "news/antu.ko.md")
    found = {}
    with running(app) as url:
        for user, paths in (("pr", ["/workflow/", f"/review/{zh}"]), ("ed", [f"/edit/{zh}", f"/review/{zh}"])):
            context = browser.new_context(bypass_csp=True)  # (only so that axe itself can be injected)
            page = sign_in(context, url, user)
            for path_ in paths:
                page.goto(url + path_)
                page.evaluate(AXE.read_text(encoding="utf-8"))
                result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
                found[(user, path_)] = [f"{v['id']}: {v['help']} — " + "; ".join(
                    " ".join(map(str, n["target"])) for n in v["nodes"][:3]) for v in result["violations"]]
            context.close()
    assert {k: v for k, v in found.items() if v} == {}
    html = client_for(app, "ed").get(f"/edit/{zh}").get_data(as_text=True)
    assert BeautifulSoup(html, "html.parser").select("#scan-findings li[data-check=typo]")
