"""CMS translation (issue #7 item 6, case W4): side-by-side view, translations created from
either language, "source changed" with the source diff since the recorded revision, marking a
translation up to date.  Real git and files (tests/cms_helpers.make_cms)."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from cms_helpers import csrf, db_rows, git, make_cms
from jindallae.model import model_from_settings, revision_of
from jindallae.settings import load_settings
from test_cms_content import USERS, client_for, content_files, files_in, form_of, head
from test_cms_workflow import wait_publish


@pytest.fixture
def cms(tmp_path):
    return make_cms(tmp_path, users=USERS, content_files=content_files())


def parse(app, rel):
    model = model_from_settings(load_settings(app.config["PROJECT_DIR"]))
    item, errors = model.parse_file(app.config["CONTENT_DIR"], app.config["CONTENT_DIR"] / rel)
    return item


def row_cell(html, key, lang):
    soup = BeautifulSoup(html, "html.parser")
    return soup.find("tr", attrs={"data-key": key}).find("td", attrs={"data-lang": lang})


def test_W4_source_change_marks_translation_outdated_and_shows_the_diff(cms):
    """W4: an editor changes one zh sentence; the ko text is kept, marked "source changed" in
    the list and the translate view, and the translator sees the zh diff since the recorded
    revision beside the ko text; marking it updated records the current zh revision."""
    app, _ = cms
    content = app.config["CONTENT_DIR"]
    ko_before = (content / "news/jiangzuo.ko.md").read_bytes()
    ed = client_for(app, "ed")
    assert "badge-current" in str(row_cell(ed.get("/").get_data(as_text=True), "news/jiangzuo", "ko"))
    data = form_of(ed.get("/edit/news/jiangzuo.zh.md").get_data(as_text=True))
    data["body"] = data["body"].replace("第二段，介绍人口文化。", "第二段，介绍新修订的人口文化政策。")
    assert ed.post("/edit/news/jiangzuo.zh.md", data=data).status_code == 302
    # the zh page is published: the editor's change waits for a reviewer, who approves it
    assert "badge-current" in str(row_cell(ed.get("/").get_data(as_text=True), "news/jiangzuo", "ko"))
    (pending_id,) = [r["id"] for r in db_rows(app, "SELECT id FROM pending WHERE state = 'pending'")]
    rev = client_for(app, "rev")
    r = rev.post(f"/workflow/pending/{pending_id}/approve", data={"csrf_token": csrf(rev)})
    assert r.status_code == 303, r.get_data(as_text=True)[:2000]
    wait_publish(app)
    assert "第二段，介绍新修订的人口文化政策。" in (content / "news/jiangzuo.zh.md").read_text(encoding="utf-8")
    assert (content / "news/jiangzuo.ko.md").read_bytes() == ko_before
    cell = row_cell(ed.get("/").get_data(as_text=True), "news/jiangzuo", "ko")
    badge = cell.find(class_="badge-outdated")
    assert badge is not None and badge["href"] == "/translate/news/jiangzuo.ko.md"
    outdated = BeautifulSoup(ed.get("/?state=outdated").get_data(as_text=True), "html.parser")
    assert {row["data-key"] for row in outdated.select("tr[data-key]")} == {"news/jiangzuo"}

    tr = client_for(app, "tr")
    r = tr.get("/translate/news/jiangzuo.ko.md")
    assert r.status_code == 200
    soup = BeautifulSoup(r.get_data(as_text=True), "html.parser")
    assert soup.select_one(".translation-state.state-outdated") is not None
    source_col = soup.select_one(".source-col")
    assert [d.get_text() for d in source_col.select("table.diff del")] == ["第二段，介绍人口文化。"]
    assert [i.get_text() for i in source_col.select("table.diff ins")] == ["第二段，介绍新修订的人口文化政策。"]
    assert "+第二段，介绍新修订的人口文化政策。" in source_col.select_one("pre.source-diff").get_text()
    assert "讲座在延吉市人民广场举行。" in source_col.select_one(".source-rendered").get_text()
    assert "第二段，介绍新修订的人口文化政策。" in source_col.find("textarea", id="source-raw").get_text()
    form = form_of(r.get_data(as_text=True))  # the ko text beside it, in the same generated fields
    assert "강좌는 연길시 인민광장에서 열렸습니다." in form["body"] and form["title"] == "연길시 행복가정 강좌"

    base = form["base_revision"]
    # the ko page is published too: a translator who is also a reviewer marks it directly
    # (a translator alone makes a pending change: tests/test_cms_pending.py)
    trr = client_for(app, "trr")
    r = trr.post("/translate/news/jiangzuo.ko.md/mark", data={"csrf_token": csrf(trr), "base_revision": base})
    assert r.status_code == 302
    zh = parse(app, "news/jiangzuo.zh.md")
    after = (content / "news/jiangzuo.ko.md").read_text(encoding="utf-8")
    # round-trip: only the revision value changed, the flow style stays
    assert after == ko_before.decode().replace(re.search(r"revision: (\w+)", ko_before.decode()).group(1), zh.digest)
    assert f"translated_from: {{lang: zh, revision: {zh.digest}}}" in after
    assert files_in(app.config["PROJECT_DIR"]) == ["content/news/jiangzuo.ko.md"]
    assert "badge-current" in str(row_cell(ed.get("/").get_data(as_text=True), "news/jiangzuo", "ko"))
    soup = BeautifulSoup(tr.get("/translate/news/jiangzuo.ko.md").get_data(as_text=True), "html.parser")
    assert soup.select_one(".translation-state.state-current") is not None


def test_saving_a_translation_can_mark_it_current(cms):
    """Item 6: the translator saves the updated text and ticks "matches the current source" in
    one commit: translated_from.revision becomes the source's current revision.  (Both pages
    are published: the editor and the translator here also hold the reviewer role.)"""
    app, _ = cms
    content = app.config["CONTENT_DIR"]
    ed = client_for(app, "edr")
    data = form_of(ed.get("/edit/news/jiangzuo.zh.md").get_data(as_text=True))
    data["title"] = "延吉市举办幸福家庭专题讲座"
    assert ed.post("/edit/news/jiangzuo.zh.md", data=data).status_code == 302
    tr = client_for(app, "trr")
    html = tr.get("/translate/news/jiangzuo.ko.md").get_data(as_text=True)
    data = form_of(html)
    assert "mark_current" not in data  # unticked by default
    data["title"] = "연길시 행복가정 특강"
    data["mark_current"] = "1"
    r = tr.post("/translate/news/jiangzuo.ko.md", data=data)
    assert r.status_code == 302 and r.location.startswith("/translate/news/jiangzuo.ko.md")
    ko = parse(app, "news/jiangzuo.ko.md")
    assert ko.fields["title"] == "연길시 행복가정 특강"
    assert ko.fields["translated_from"] == {"lang": "zh", "revision": parse(app, "news/jiangzuo.zh.md").digest}
    assert git(app.config["PROJECT_DIR"], "log", "-1", "--format=%an|%s").strip() == \
        "김번역|Translate news/jiangzuo.ko.md: 연길시 행복가정 특강"


def test_korean_first_page_translated_into_chinese(cms):
    """Item 6: either language can be the source — a Korean-only page gets a Chinese
    translation that starts as a draft recording translated_from {lang: ko, revision}."""
    app, _ = cms
    content = app.config["CONTENT_DIR"]
    tr = client_for(app, "tr")
    r = tr.get("/translate/parks/gongyuan.zh.md")
    assert r.status_code == 200
    soup = BeautifulSoup(r.get_data(as_text=True), "html.parser")
    assert "공원 소개." in soup.select_one(".source-rendered").get_text()
    form = soup.find("form", action="/translate/parks/gongyuan.zh.md/create")
    assert form is not None and form.find("input", attrs={"name": "source"})["value"] == "parks/gongyuan.ko.md"
    before = head(app.config["PROJECT_DIR"])
    r = tr.post("/translate/parks/gongyuan.zh.md/create", data={"csrf_token": csrf(tr), "source": "parks/gongyuan.ko.md"})
    assert r.status_code == 302
    zh = parse(app, "parks/gongyuan.zh.md")
    ko_text = (content / "parks/gongyuan.ko.md").read_bytes()
    assert zh.status == "draft"
    assert zh.fields["translated_from"] == {"lang": "ko", "revision": revision_of(ko_text)}
    assert files_in(app.config["PROJECT_DIR"]) == ["content/parks/gongyuan.zh.md"]
    assert git(app.config["PROJECT_DIR"], "rev-parse", "HEAD~1").strip() == before
    # the new zh file is a translation: the translator edits it, an editor may not
    assert tr.get("/edit/parks/gongyuan.zh.md").status_code == 200
    assert client_for(app, "ed").get("/edit/parks/gongyuan.zh.md").status_code == 403
    # the ko original stays the editor's
    assert client_for(app, "edko").get("/edit/parks/gongyuan.ko.md").status_code == 200
    # side by side now: source ko on the left, translation form (generated fields) on the right
    soup = BeautifulSoup(tr.get("/translate/parks/gongyuan.zh.md").get_data(as_text=True), "html.parser")
    assert soup.select_one(".source-col code").get_text() == "parks/gongyuan.ko.md"
    # a copy of the source is not a translation yet (tests/test_cms_translate.py
    # test_new_translation_draft_is_not_translated_until_its_text_is)
    assert soup.select_one(".translation-state.state-untranslated") is not None
    assert soup.select_one(".translation-state.state-current") is None
    names = {el.get("name") for el in soup.find("form", id="page-form").find_all(["input", "textarea", "select"])}
    assert {"title", "date", "summary", "tags", "cover", "cover_alt", "body", "event.start", "event.location"} <= names
    # creating it again does not overwrite
    r = tr.post("/translate/parks/gongyuan.zh.md/create", data={"csrf_token": csrf(tr), "source": "parks/gongyuan.ko.md"})
    assert r.status_code == 302 and parse(app, "parks/gongyuan.zh.md").digest == zh.digest


def test_create_translation_rejects_foreign_source(cms):
    app, _ = cms
    tr = client_for(app, "tr")
    r = tr.post("/translate/parks/gongyuan.zh.md/create", data={"csrf_token": csrf(tr), "source": "news/odd.zh.md"})
    assert r.status_code == 400
    assert not (app.config["CONTENT_DIR"] / "parks/gongyuan.zh.md").exists()


def test_workflow_status_change_of_the_source_does_not_outdate_translations(cms):
    """W4: "source changed" means the text changed — sending the zh source to review (only its
    status line changes) leaves the ko translation current; a real edit afterwards outdates it
    and the diff since the recorded revision shows the edit, not the status."""
    app, _ = cms
    rev = client_for(app, "rev")
    ed = client_for(app, "ed")
    assert rev.post("/workflow/unpublish/news/jiangzuo.zh.md", data={"csrf_token": csrf(rev)}).status_code == 303
    for thread in list(app.extensions.get("cms_publish_threads", {}).values()):
        thread.join(120)
    assert "status: draft" in (app.config["CONTENT_DIR"] / "news/jiangzuo.zh.md").read_text(encoding="utf-8")
    assert "badge-current" in str(row_cell(ed.get("/").get_data(as_text=True), "news/jiangzuo", "ko"))
    data = form_of(ed.get("/edit/news/jiangzuo.zh.md").get_data(as_text=True))
    data["body"] = data["body"].replace("讲座在延吉市人民广场举行。", "讲座在延吉市文化馆举行。")
    assert ed.post("/edit/news/jiangzuo.zh.md", data=data).status_code == 302
    assert "badge-outdated" in str(row_cell(ed.get("/").get_data(as_text=True), "news/jiangzuo", "ko"))
    soup = BeautifulSoup(client_for(app, "tr").get("/translate/news/jiangzuo.ko.md").get_data(as_text=True), "html.parser")
    changed = [d.get_text() for d in soup.select(".source-col table.diff del")]
    assert changed == ["status: published", "讲座在延吉市人民广场举行。"]


def test_new_translation_draft_is_not_translated_until_its_text_is(cms):
    """A translation draft just created from the source (its text the copied source) is work
    still to do, not "up to date": the translate view says "not translated yet", the content
    list marks it so and counts the article as missing, the translation list lists it.  Emptying
    the text does not change that; once the text is the translator's own it is current."""
    app, _ = cms
    tr = client_for(app, "tr")  # Korean UI
    ed = client_for(app, "ed")  # Chinese UI
    r = tr.post("/translate/policy/zhengce.ko.md/create", data={"csrf_token": csrf(tr), "source": "policy/zhengce.zh.md"})
    assert r.status_code == 302
    ko = parse(app, "policy/zhengce.ko.md")
    assert ko.status == "draft" and ko.body.strip() == "正文。"  # the copy
    assert ko.fields["translated_from"]["revision"] == parse(app, "policy/zhengce.zh.md").digest  # "current" by revision

    def states():
        view = BeautifulSoup(tr.get("/translate/policy/zhengce.ko.md").get_data(as_text=True), "html.parser")
        listed = BeautifulSoup(ed.get("/").get_data(as_text=True), "html.parser")
        row = listed.find("tr", attrs={"data-key": "policy/zhengce"})
        work = BeautifulSoup(tr.get("/translate/").get_data(as_text=True), "html.parser")
        todo = work.find("tr", attrs={"data-key": "policy/zhengce"})
        return view, row, todo, work

    view, row, todo, work = states()
    state = view.select_one(".translation-state")
    assert state["class"] == ["flash", "flash-warning", "translation-state", "state-untranslated"]
    assert state.find("strong").get_text() == "아직 번역 안 됨"
    cell = row.find("td", attrs={"data-lang": "ko"})
    assert cell.find(class_="badge-current") is None
    badge = cell.find("a", class_="badge-missing")
    assert badge.get_text() == "尚未翻译" and badge["href"] == "/translate/policy/zhengce.ko.md"
    assert row["data-state"] == "missing"
    assert "policy/zhengce" in {tr_["data-key"] for tr_ in BeautifulSoup(
        ed.get("/?state=missing").get_data(as_text=True), "html.parser").select("tr[data-key]")}
    assert "policy/zhengce" not in {tr_["data-key"] for tr_ in BeautifulSoup(
        ed.get("/?state=current").get_data(as_text=True), "html.parser").select("tr[data-key]")}
    (item,) = todo.select("p.work")
    assert (item["data-lang"], item["data-state"], item["class"]) == ("ko", "untranslated", ["work", "work-missing"])
    assert item.find(class_="badge").get_text() == "한국어 판: 아직 번역 안 됨"
    assert item.find("a")["href"] == "/translate/policy/zhengce.ko.md"
    assert "policy/zhengce" in {t["data-key"] for t in BeautifulSoup(
        tr.get("/translate/?state=missing").get_data(as_text=True), "html.parser").select("tr[data-key]")}

    # the text emptied, nothing written yet: still not translated
    data = form_of(tr.get("/translate/policy/zhengce.ko.md").get_data(as_text=True))
    data["title"], data["body"] = "정책 해설 ABC", ""
    assert tr.post("/translate/policy/zhengce.ko.md", data=data).status_code == 302
    assert parse(app, "policy/zhengce.ko.md").body.strip() == ""
    view, row, todo, _work = states()
    assert view.select_one(".translation-state.state-untranslated") is not None
    assert todo.select_one("p.work")["data-state"] == "untranslated"

    # translated: current everywhere, nothing left to do for this article
    data = form_of(tr.get("/translate/policy/zhengce.ko.md").get_data(as_text=True))
    data["body"] = "본문입니다.\r\n"
    assert tr.post("/translate/policy/zhengce.ko.md", data=data).status_code == 302
    view, row, todo, work = states()
    assert view.select_one(".translation-state.state-current") is not None
    assert view.select_one(".translation-state.state-untranslated") is None
    assert row.find("td", attrs={"data-lang": "ko"}).find(class_="badge-current") is not None
    assert row["data-state"] == "current" and todo is None


def test_copied_draft_stays_not_translated_when_the_source_changes(cms):
    """The draft still holds the source as it was copied; the source is edited afterwards.  By
    revisions it is "outdated", but it is still a copy (of the source at the recorded revision,
    read from git): not translated yet, in the list as work to translate rather than to update;
    the form offers to record the current source on save."""
    app, _ = cms
    tr = client_for(app, "tr")
    ed = client_for(app, "ed")
    assert tr.post("/translate/policy/zhengce.ko.md/create",
                   data={"csrf_token": csrf(tr), "source": "policy/zhengce.zh.md"}).status_code == 302
    data = form_of(ed.get("/edit/policy/zhengce.zh.md").get_data(as_text=True))  # in review: edited directly
    data["body"] = "修改后的正文。\r\n"
    assert ed.post("/edit/policy/zhengce.zh.md", data=data).status_code == 302
    assert parse(app, "policy/zhengce.ko.md").body.strip() == "正文。"  # the old copy
    soup = BeautifulSoup(tr.get("/translate/policy/zhengce.ko.md").get_data(as_text=True), "html.parser")
    assert soup.select_one(".translation-state.state-untranslated") is not None
    assert soup.select_one(".translation-state.state-outdated") is None
    assert soup.find("input", id="mark-current") is not None
    work = BeautifulSoup(tr.get("/translate/").get_data(as_text=True), "html.parser")
    item = work.find("tr", attrs={"data-key": "policy/zhengce"}).select_one("p.work")
    assert (item["data-state"], item["class"]) == ("untranslated", ["work", "work-missing"])
    cell = row_cell(ed.get("/").get_data(as_text=True), "policy/zhengce", "ko")
    assert cell.find(class_="badge-outdated") is None and cell.find("a", class_="badge-missing").get_text() == "尚未翻译"
