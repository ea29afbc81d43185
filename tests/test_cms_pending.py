"""Pending revisions (issue #7 item 3: an editor edits drafts, a reviewer approves and publishes):
a save of a PUBLISHED page by a user without the reviewer role leaves the file and git alone and
is stored as a pending revision (cms/pending.py); reviewers approve (file written, commit with
the editor as author, publish queued) or reject (with a note the editor sees).  W1 applies to
the pending text and, on approval, to the live file; W4 follows the live file only.  Real git,
real SQLite, real builds (tests/cms_helpers.make_cms)."""

from __future__ import annotations

from bs4 import BeautifulSoup

from cms_helpers import csrf, db_rows, git, make_cms
from jindallae.model import revision_of
from test_cms_content import USERS, client_for, content_files, form_of, head
from test_cms_workflow import wait_publish

import pytest

ZH = "news/jiangzuo.zh.md"
KO = "news/jiangzuo.ko.md"
OLD_LINE = "第二段，介绍人口文化。"


@pytest.fixture
def cms(tmp_path):
    app, client = make_cms(tmp_path, users=USERS, content_files=content_files())
    yield app, client
    wait_publish(app)


def pending_rows(app, path=ZH):
    return db_rows(app, "SELECT * FROM pending WHERE path = ? ORDER BY id", path)


def save_body(client, rel, old, new, url=None):
    """Open the edit form of ``rel``, replace ``old`` by ``new`` in the body, post it."""
    url = url or f"/edit/{rel}"
    data = form_of(client.get(url).get_data(as_text=True))
    assert old in data["body"], data["body"]
    data["body"] = data["body"].replace(old, new)
    return client.post(url, data=data), data


def workflow_status(repo) -> str:
    return git(repo, "status", "--porcelain", "--", "content").strip()


def test_editor_save_on_published_page_is_pending_and_file_and_git_untouched(cms):
    """An editor's save of a published page: 302 and "your change awaits review" in zh; the
    file's bytes, HEAD and the work tree unchanged; one pending row (base = live revision, the
    whole new text, author = the editor); reopening the form shows the pending text with the
    notice and its revision as base; a second save supersedes the first row."""
    app, _ = cms
    repo, path = app.config["PROJECT_DIR"], app.config["CONTENT_DIR"] / ZH
    before, head_before = path.read_bytes(), head(repo)
    ed = client_for(app, "ed2")
    r, _data = save_body(ed, ZH, OLD_LINE, "第二段，补充了讲座的报名方式。")
    assert r.status_code == 302 and r.location.startswith(f"/edit/{ZH}?saved=")
    page = ed.get(r.location)
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    flashes = [p.get_text() for p in soup.select(".flashes .flash")]
    assert any(f.startswith("您的修改正在等待审核") for f in flashes), flashes
    assert path.read_bytes() == before and head(repo) == head_before and workflow_status(repo) == ""
    (row,) = pending_rows(app)
    user_id = db_rows(app, "SELECT id FROM users WHERE username = 'ed2'")[0]["id"]
    assert row["state"] == "pending" and row["author_id"] == user_id
    assert row["base_revision"] == revision_of(before)
    assert row["text"] == before.decode().replace(OLD_LINE, "第二段，补充了讲座的报名方式。")
    assert row["revision"] == revision_of(row["text"].encode())
    # reopened: the pending text is in the form, with the notice, based on the pending revision
    form = form_of(page.get_data(as_text=True))
    assert "第二段，补充了讲座的报名方式。" in form["body"] and OLD_LINE not in form["body"]
    assert form["base_revision"] == row["revision"]
    assert "您正在编辑它的待审修改" in soup.find(id="pending-notice").get_text()
    # keep editing the pending revision: a new row, the old one superseded, still nothing written
    r, _ = save_body(ed, ZH, "报名方式。", "报名方式和地点。")
    assert r.status_code == 302
    rows = pending_rows(app)
    assert [x["state"] for x in rows] == ["superseded", "pending"]
    assert rows[1]["base_revision"] == revision_of(before) and "报名方式和地点。" in rows[1]["text"]
    assert path.read_bytes() == before and head(repo) == head_before
    actions = [a["action"] for a in db_rows(app, "SELECT action FROM audit_log ORDER BY id")]
    assert actions.count("pending_save") == 2


def test_W1_stale_save_on_pending_revision_shows_merge_view(cms):
    """W1 on a pending revision: A and B open the published page; A saves (pending); B's save
    on the old base is refused with 409 and the merge view (A's pending text as the current
    version, B's text kept in the form); A's pending text is kept."""
    app, _ = cms
    a, b = client_for(app, "ed"), client_for(app, "ed2")
    form_b = form_of(b.get(f"/edit/{ZH}").get_data(as_text=True))
    r, _ = save_body(a, ZH, "讲座在延吉市人民广场举行。", "讲座在延吉市人民广场隆重举行。")
    assert r.status_code == 302
    (row,) = pending_rows(app)
    form_b["body"] = form_b["body"].replace(OLD_LINE, "第二段，由李编辑补充的说明。")
    r = b.post(f"/edit/{ZH}", data=form_b)
    assert r.status_code == 409
    soup = BeautifulSoup(r.get_data(as_text=True), "html.parser")
    assert "隆重举行" in soup.find("textarea", id="merge-theirs").string
    assert "由李编辑补充的说明" in soup.find("textarea", id="merge-yours").string
    kept = form_of(r.get_data(as_text=True))
    assert "由李编辑补充的说明" in kept["body"] and kept["base_revision"] == row["revision"]
    assert [x["state"] for x in pending_rows(app)] == ["pending"]
    kept["body"] = kept["body"].replace("讲座在延吉市人民广场举行。", "讲座在延吉市人民广场隆重举行。")
    assert b.post(f"/edit/{ZH}", data=kept).status_code == 302
    text = pending_rows(app)[-1]["text"]
    assert "隆重举行" in text and "由李编辑补充的说明" in text


def test_reviewer_approves_pending_change_file_written_editor_is_author_publish_queued(cms):
    """The reviewer sees the change in /workflow/ and its diff against the live file; approving
    writes the pending text, commits it with the editor as author and the reviewer named in
    the message, keeps the status, marks the row approved and queues a publish run."""
    app, _ = cms
    repo, path = app.config["PROJECT_DIR"], app.config["CONTENT_DIR"] / ZH
    ed = client_for(app, "ed2")
    assert save_body(ed, ZH, OLD_LINE, "第二段，补充了讲座的报名方式。")[0].status_code == 302
    (row,) = pending_rows(app)
    rev = client_for(app, "rev")
    listing = BeautifulSoup(rev.get("/").get_data(as_text=True), "html.parser")
    cell = listing.find("tr", attrs={"data-key": "news/jiangzuo"}).find("td", attrs={"data-lang": "zh"})
    assert cell.select_one("a.badge-pending")["href"] == f"/workflow/pending/{row['id']}"
    assert cell.select_one(".badge-pending").get_text() == "修改待审核"
    other = listing.find("tr", attrs={"data-key": "news/jiangzuo"}).find("td", attrs={"data-lang": "ko"})
    assert other.select_one(".badge-pending") is None
    queue = BeautifulSoup(rev.get("/workflow/").get_data(as_text=True), "html.parser")
    links = [a["href"] for a in queue.select("#pending-queue a")]
    assert links == [f"/workflow/pending/{row['id']}"]
    view = BeautifulSoup(rev.get(links[0]).get_data(as_text=True), "html.parser")
    assert [d.get_text() for d in view.select("table.diff del")] == [OLD_LINE]
    assert [i.get_text() for i in view.select("table.diff ins")] == ["第二段，补充了讲座的报名方式。"]
    # the reviewer's edit page names the pending change but shows the live text
    edit = rev.get(f"/edit/{ZH}").get_data(as_text=True)
    assert OLD_LINE in form_of(edit)["body"]
    assert f"/workflow/pending/{row['id']}" in str(BeautifulSoup(edit, "html.parser").find(id="pending-notice"))
    r = rev.post(f"/workflow/pending/{row['id']}/approve", data={"csrf_token": csrf(rev)})
    assert r.status_code == 303 and r.location.startswith("/publish/log/")
    wait_publish(app)
    assert path.read_text(encoding="utf-8") == row["text"]
    assert "status: published" in row["text"]
    assert git(repo, "log", "-1", "--format=%an|%ae|%s").strip() == \
        f"李编辑|li@example.cn|Edit {ZH}: 延吉市举办幸福家庭讲座 (approved by Rev)"
    (done,) = pending_rows(app)
    assert done["state"] == "approved" and done["commit_id"] == head(repo)
    assert BeautifulSoup(rev.get("/").get_data(as_text=True), "html.parser").select(".badge-pending") == []
    assert len(db_rows(app, "SELECT id FROM publish_runs")) == 1
    actions = [a["action"] for a in db_rows(app, "SELECT action FROM audit_log ORDER BY id")]
    assert "pending_save" in actions and "pending_approve" in actions
    # the editor now edits the live text again (no pending change left)
    form = form_of(ed.get(f"/edit/{ZH}").get_data(as_text=True))
    assert "第二段，补充了讲座的报名方式。" in form["body"] and form["base_revision"] == revision_of(path.read_bytes())


def test_reject_leaves_file_untouched_and_editor_sees_the_note(cms):
    """Reject: the file and git stay as they were, the row is rejected with the note, and the
    editor reopening the page sees the note and the live text."""
    app, _ = cms
    repo, path = app.config["PROJECT_DIR"], app.config["CONTENT_DIR"] / ZH
    before, head_before = path.read_bytes(), head(repo)
    ed = client_for(app, "ed")
    assert save_body(ed, ZH, OLD_LINE, "第二段，未经核实的数字：一万人。")[0].status_code == 302
    (row,) = pending_rows(app)
    rev = client_for(app, "rev")
    r = rev.post(f"/workflow/pending/{row['id']}/reject", data={"csrf_token": csrf(rev), "note": "请注明数字的来源"})
    assert r.status_code == 302
    assert path.read_bytes() == before and head(repo) == head_before
    (done,) = pending_rows(app)
    assert done["state"] == "rejected" and done["note"] == "请注明数字的来源"
    html = ed.get(f"/edit/{ZH}").get_data(as_text=True)
    notice = BeautifulSoup(html, "html.parser").find(id="pending-rejected")
    assert notice is not None and notice.select_one(".pending-note").get_text() == "请注明数字的来源"
    assert "您上次的修改已被 Rev" in notice.get_text()
    assert OLD_LINE in form_of(html)["body"]
    # approving a rejected change does nothing
    rev.post(f"/workflow/pending/{row['id']}/approve", data={"csrf_token": csrf(rev)})
    assert path.read_bytes() == before and head(repo) == head_before
    assert "pending_reject" in [a["action"] for a in db_rows(app, "SELECT action FROM audit_log")]


def test_W1_approve_when_live_changed_shows_merge_view_then_merged_text(cms):
    """W1 on approval: the live file changed after the pending revision's base (a reviewer's
    direct save); approving is refused with 409 and the merge view (diff, and the three-way
    combination of both changes); nothing is written; approving the combined text with the
    live revision writes both changes."""
    app, _ = cms
    repo, path = app.config["PROJECT_DIR"], app.config["CONTENT_DIR"] / ZH
    ed = client_for(app, "ed")
    assert save_body(ed, ZH, OLD_LINE, "第二段，编辑改写的句子。")[0].status_code == 302
    (row,) = pending_rows(app)
    rev = client_for(app, "rev")
    assert save_body(rev, ZH, "讲座在延吉市人民广场举行。", "讲座在延吉市人民广场隆重举行。")[0].status_code == 302
    live, head_live = path.read_bytes(), head(repo)
    r = rev.post(f"/workflow/pending/{row['id']}/approve", data={"csrf_token": csrf(rev)})
    assert r.status_code == 409
    assert path.read_bytes() == live and head(repo) == head_live
    soup = BeautifulSoup(r.get_data(as_text=True), "html.parser")
    assert soup.find(id="pending-merge") is not None and soup.find(id="pending-error") is not None
    combined = soup.find("textarea", id="pending-text").string
    assert "隆重举行" in combined and "第二段，编辑改写的句子。" in combined
    live_revision = soup.find("input", attrs={"name": "live_revision"})["value"]
    assert live_revision == revision_of(live)
    assert pending_rows(app)[0]["state"] == "pending"
    r = rev.post(f"/workflow/pending/{row['id']}/approve",
                 data={"csrf_token": csrf(rev), "text": combined.lstrip("\n").replace("\n", "\r\n"),
                       "live_revision": live_revision})
    assert r.status_code == 303
    wait_publish(app)
    text = path.read_text(encoding="utf-8")
    assert "隆重举行" in text and "第二段，编辑改写的句子。" in text and "\r" not in text
    assert git(repo, "log", "-1", "--format=%an").strip() == "Ed"
    # an approval merged against a live revision that is no longer current is refused
    assert save_body(ed, ZH, "编辑改写的句子。", "编辑再次改写。")[0].status_code == 302
    row2 = pending_rows(app)[-1]
    r = rev.post(f"/workflow/pending/{row2['id']}/approve",
                 data={"csrf_token": csrf(rev), "text": "x", "live_revision": live_revision})
    assert r.status_code == 409 and path.read_text(encoding="utf-8") == text


def test_withdraw_drops_the_pending_change(cms):
    """The editor withdraws the pending change: the row is withdrawn, the form shows the live
    text, the file is untouched."""
    app, _ = cms
    repo, path = app.config["PROJECT_DIR"], app.config["CONTENT_DIR"] / ZH
    before, head_before = path.read_bytes(), head(repo)
    ed = client_for(app, "ed")
    assert save_body(ed, ZH, OLD_LINE, "第二段，暂存的修改。")[0].status_code == 302
    (row,) = pending_rows(app)
    r = ed.post(f"/workflow/pending/{row['id']}/withdraw", data={"csrf_token": csrf(ed)})
    assert r.status_code == 302 and r.location == f"/edit/{ZH}"
    assert pending_rows(app)[0]["state"] == "withdrawn"
    assert OLD_LINE in form_of(ed.get(f"/edit/{ZH}").get_data(as_text=True))["body"]
    assert path.read_bytes() == before and head(repo) == head_before


def test_drafts_and_reviewers_save_directly(cms):
    """Drafts are edited directly by editors; a reviewer's save of a published page writes the
    file at once; neither makes a pending row."""
    app, _ = cms
    repo = app.config["PROJECT_DIR"]
    ed = client_for(app, "ed")
    data = form_of(ed.get("/edit/news/odd.zh.md").get_data(as_text=True))
    data["title"] = "长白山文化园区（草稿）"
    assert ed.post("/edit/news/odd.zh.md", data=data).status_code == 302
    assert git(repo, "log", "-1", "--format=%s").strip() == "Edit news/odd.zh.md: 长白山文化园区（草稿）"
    rev = client_for(app, "rev")
    assert save_body(rev, ZH, OLD_LINE, "第二段，审核人直接修改。")[0].status_code == 302
    assert "审核人直接修改" in (app.config["CONTENT_DIR"] / ZH).read_text(encoding="utf-8")
    assert db_rows(app, "SELECT id FROM pending") == []


def test_translator_on_published_translation_makes_pending_change(cms):
    """Permissions: a translator saving a published translation behaves like an editor (a
    pending change, the ko file untouched); marking it up to date is pending too; an editor
    (no translation rights) may neither see nor withdraw it; only reviewers approve."""
    app, _ = cms
    repo, path = app.config["PROJECT_DIR"], app.config["CONTENT_DIR"] / KO
    rev = client_for(app, "rev")  # the zh source changes (live), so ko can be marked up to date
    assert save_body(rev, ZH, OLD_LINE, "第二段，审核人更新的原文。")[0].status_code == 302
    before, head_before = path.read_bytes(), head(repo)
    tr = client_for(app, "tr")
    r, _ = save_body(tr, KO, "강좌는 연길시 인민광장에서 열렸습니다.", "강좌는 연길시 인민광장에서 성대히 열렸습니다.",
                     url=f"/translate/{KO}")
    assert r.status_code == 302 and r.location.startswith(f"/translate/{KO}?saved=")
    assert path.read_bytes() == before and head(repo) == head_before
    (row,) = pending_rows(app, KO)
    page = tr.get(r.location).get_data(as_text=True)
    assert any("변경 사항이 검토를 기다립니다" in p.get_text()
               for p in BeautifulSoup(page, "html.parser").select(".flashes .flash"))
    form = form_of(page)
    assert "성대히" in form["body"] and form["base_revision"] == row["revision"]
    r = tr.post(f"/translate/{KO}/mark", data={"csrf_token": csrf(tr), "base_revision": form["base_revision"]})
    assert r.status_code == 302 and path.read_bytes() == before
    assert [x["state"] for x in pending_rows(app, KO)] == ["superseded", "pending"]
    zh_digest = revision_of((app.config["CONTENT_DIR"] / ZH).read_bytes())
    assert "성대히" in pending_rows(app, KO)[-1]["text"]
    assert f"translated_from: {{lang: zh, revision: {zh_digest}}}" in pending_rows(app, KO)[-1]["text"]
    ed, adm = client_for(app, "ed"), client_for(app, "adm")
    new_id = pending_rows(app, KO)[-1]["id"]
    assert ed.get(f"/workflow/pending/{new_id}").status_code == 403
    assert ed.post(f"/workflow/pending/{new_id}/withdraw", data={"csrf_token": csrf(ed)}).status_code == 403
    for client in (ed, tr, adm):
        assert client.post(f"/workflow/pending/{new_id}/approve", data={"csrf_token": csrf(client)}).status_code == 403
        assert client.post(f"/workflow/pending/{new_id}/reject",
                           data={"csrf_token": csrf(client), "note": "x"}).status_code == 403
    assert adm.get(f"/workflow/pending/{new_id}").status_code == 403
    assert pending_rows(app, KO)[-1]["state"] == "pending" and path.read_bytes() == before


def test_anonymous_and_get_change_nothing(cms):
    """Anonymous requests are sent to the login page and GET requests never act (no approve by
    a link); the pending row and the file stay as they were."""
    app, client = cms
    path = app.config["CONTENT_DIR"] / ZH
    before = path.read_bytes()
    ed = client_for(app, "ed")
    assert save_body(ed, ZH, OLD_LINE, "第二段，匿名测试。")[0].status_code == 302
    (row,) = pending_rows(app)
    token = csrf(client)
    for action in ("approve", "reject", "withdraw"):
        r = client.post(f"/workflow/pending/{row['id']}/{action}", data={"csrf_token": token})
        assert r.status_code == 302 and r.location.startswith("/login")
    assert client.get(f"/workflow/pending/{row['id']}").location.startswith("/login")
    rev = client_for(app, "rev")
    for action in ("approve", "reject", "withdraw"):
        assert rev.get(f"/workflow/pending/{row['id']}/{action}").status_code == 405
    assert rev.get(f"/workflow/pending/{row['id']}").status_code == 200
    assert rev.get("/workflow/pending/99999").status_code == 404
    assert pending_rows(app)[0]["state"] == "pending" and path.read_bytes() == before
    # a pending POST without the CSRF token is refused too
    assert rev.post(f"/workflow/pending/{row['id']}/approve").status_code in (400, 403)
    assert pending_rows(app)[0]["state"] == "pending"


def test_history_restore_by_editor_on_published_page_is_pending(cms):
    """Restoring an old version of a published page without the reviewer role makes the old
    text the pending change (the file stays)."""
    app, _ = cms
    repo, path = app.config["PROJECT_DIR"], app.config["CONTENT_DIR"] / ZH
    rev = client_for(app, "rev")
    original = path.read_text(encoding="utf-8")
    assert save_body(rev, ZH, OLD_LINE, "第二段，审核人的版本。")[0].status_code == 302
    live, head_live = path.read_bytes(), head(repo)
    first = git(repo, "log", "--format=%H", "--", f"content/{ZH}").split()[-1]
    ed = client_for(app, "ed")
    r = ed.post(f"/history/{ZH}/restore", data={"csrf_token": csrf(ed), "commit": first,
                                                "base_revision": revision_of(live)})
    assert r.status_code == 302
    assert path.read_bytes() == live and head(repo) == head_live
    (row,) = pending_rows(app)
    assert row["text"] == original and row["base_revision"] == revision_of(live)


def test_W4_pending_source_change_does_not_mark_translation_outdated_until_approved(cms):
    """W4 with pending: an editor's pending zh change leaves the ko translation current (list
    badge and translate view); once the reviewer approves it, ko is "source changed" and the
    translator sees exactly that zh sentence in the diff; the ko file is never touched."""
    app, _ = cms
    content = app.config["CONTENT_DIR"]
    ko_before = (content / KO).read_bytes()
    ed, tr, rev = client_for(app, "ed"), client_for(app, "tr"), client_for(app, "rev")

    def ko_state(client):
        soup = BeautifulSoup(client.get("/").get_data(as_text=True), "html.parser")
        cell = soup.find("tr", attrs={"data-key": "news/jiangzuo"}).find("td", attrs={"data-lang": "ko"})
        return [c for c in ("badge-current", "badge-outdated") if cell.find(class_=c) is not None]

    assert ko_state(ed) == ["badge-current"]
    assert save_body(ed, ZH, OLD_LINE, "第二段，介绍新修订的人口文化政策。")[0].status_code == 302
    assert ko_state(ed) == ["badge-current"]
    soup = BeautifulSoup(tr.get(f"/translate/{KO}").get_data(as_text=True), "html.parser")
    assert soup.select_one(".translation-state.state-current") is not None
    (row,) = pending_rows(app)
    assert rev.post(f"/workflow/pending/{row['id']}/approve", data={"csrf_token": csrf(rev)}).status_code == 303
    wait_publish(app)
    assert ko_state(ed) == ["badge-outdated"]
    soup = BeautifulSoup(tr.get(f"/translate/{KO}").get_data(as_text=True), "html.parser")
    assert soup.select_one(".translation-state.state-outdated") is not None
    source_col = soup.select_one(".source-col")
    assert [d.get_text() for d in source_col.select("table.diff del")] == [OLD_LINE]
    assert [i.get_text() for i in source_col.select("table.diff ins")] == ["第二段，介绍新修订的人口文化政策。"]
    assert (content / KO).read_bytes() == ko_before


@pytest.mark.skipif(not __import__("pathlib").Path("/usr/bin/chromium").exists(),
                    reason="Chromium is not installed at /usr/bin/chromium")
def test_browser_editor_pending_then_reviewer_approves(browser, tmp_path):
    """In a real browser (Chromium): the editor changes a published page and saves — the notice
    says the change awaits review and the live file is unchanged; the reviewer opens the review
    queue, the pending change with its diff, approves it (publish log page), and the file has
    the editor's text; no page breaks the CSP (no console errors)."""
    from test_cms_e2e import running, sign_in

    app, _client = make_cms(tmp_path, users=USERS, content_files=content_files())
    path = app.config["CONTENT_DIR"] / ZH
    before = path.read_bytes()
    errors: list[str] = []
    with running(app) as url:
        editor = browser.new_context()
        page = sign_in(editor, url, "ed")
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{url}/edit/{ZH}")
        assert "此页面已发布" in page.locator("#pending-notice").inner_text()
        body = page.locator("#body").input_value()
        page.fill("#body", body.replace(OLD_LINE, "第二段，在浏览器里改写。"))
        page.click("#page-form button[name=save]")
        page.wait_for_url(f"{url}/edit/{ZH}?saved=*")
        assert "您的修改正在等待审核" in page.locator(".flashes").inner_text()
        assert "您正在编辑它的待审修改" in page.locator("#pending-notice").inner_text()
        assert "第二段，在浏览器里改写。" in page.locator("#body").input_value()
        assert path.read_bytes() == before
        reviewer = browser.new_context()
        rpage = sign_in(reviewer, url, "rev")
        rpage.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        rpage.goto(f"{url}/workflow/")
        rpage.click("#pending-queue a")
        assert rpage.locator("table.diff ins").inner_text() == "第二段，在浏览器里改写。"
        rpage.click("form[action$='/approve'] button")
        rpage.wait_for_url(f"{url}/publish/log/*")
        wait_publish(app)
        editor.close()
        reviewer.close()
    assert "第二段，在浏览器里改写。" in path.read_text(encoding="utf-8")
    assert git(app.config["PROJECT_DIR"], "log", "-1", "--format=%an").strip() == "Ed"
    assert errors == []
