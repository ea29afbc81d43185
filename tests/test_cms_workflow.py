"""CMS workflow (issue #7 item 7): draft → review → published and unpublish with role checks,
publishing through FOUNDATION's cms.publish, scheduled publish/unpublish at a Beijing time and
``run_due``.  Real git, real SQLite, a real build of a small project."""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup

from cms_helpers import PROJECT, csrf, db_rows, git, make_cms
from test_cms_content import client_for, files_in, head

DRAFT = "---\ntitle: 安图县人口文化宣传周\ndate: 2026-10-01\nstatus: draft\n---\n\n宣传周开幕。\n"
LIVE = "---\ntitle: 珲春市家庭健康讲座\ndate: 2026-09-01\nstatus: published\n---\n\n讲座举行。\n"
INCOMPLETE = "---\ntitle: 政策草稿\ndate: 2026-08-01\nstatus: draft\n---\n\n缺少摘要。\n"
USERS = {"ed": ["editor"], "rev": {"roles": ["reviewer"], "display_name": "王审核", "email": "wang@example.cn"},
         "tr": ["translator"]}


@pytest.fixture
def cms(tmp_path):
    files = {"news/antu.zh.md": DRAFT, "news/hunchun.zh.md": LIVE, "policy/caogao.zh.md": INCOMPLETE,
             "images/jindallae-azalea.jpg": (PROJECT / "content/images/jindallae-azalea.jpg").read_bytes()}
    return make_cms(tmp_path, users=USERS, content_files=files)


def status_of(app, rel):
    text = (app.config["CONTENT_DIR"] / rel).read_text(encoding="utf-8")
    return next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("status:"))


def wait_publish(app):
    """Join the background publish threads the workflow started (cms.workflow.start_publish)."""
    for thread in list(app.extensions.get("cms_publish_threads", {}).values()):
        thread.join(120)


def act(client, action, rel, **extra):
    return client.post(f"/workflow/{action}/{rel}", data={"csrf_token": csrf(client), **extra})


def test_review_approve_publish_and_unpublish(cms):
    """Item 7: editor sends a draft to review; reviewer approves → published, committed and the
    site built (the page is in OUTPUT_DIR); unpublish → draft and the page leaves the site."""
    app, _ = cms
    repo, out = app.config["PROJECT_DIR"], app.config["OUTPUT_DIR"]
    ed, rev = client_for(app, "ed"), client_for(app, "rev")
    r = act(ed, "review", "news/antu.zh.md")
    assert r.status_code == 302 and status_of(app, "news/antu.zh.md") == "review"
    assert git(repo, "log", "-1", "--format=%s").strip() == "Send to review news/antu.zh.md: 安图县人口文化宣传周"
    assert files_in(repo) == ["content/news/antu.zh.md"]
    assert act(ed, "approve", "news/antu.zh.md").status_code == 403
    assert status_of(app, "news/antu.zh.md") == "review"
    r = act(rev, "approve", "news/antu.zh.md")
    assert r.status_code == 303 and r.location.startswith("/publish/log/")  # the build runs in the background
    wait_publish(app)
    assert status_of(app, "news/antu.zh.md") == "published"
    assert git(repo, "log", "-1", "--format=%an|%s").strip() == "王审核|Approve and publish news/antu.zh.md: 安图县人口文化宣传周"
    page = out / "news" / "antu" / "index.html"
    assert page.is_file(), db_rows(app, "SELECT log FROM publish_runs")
    assert BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").find("h1").get_text(strip=True) == "安图县人口文化宣传周"
    runs = db_rows(app, "SELECT ok FROM publish_runs")
    assert [r["ok"] for r in runs] == [1]
    actions = [row["action"] for row in db_rows(app, "SELECT action FROM audit_log ORDER BY id")]
    assert "workflow_review" in actions and "workflow_approve" in actions and "publish" in actions
    r = act(rev, "unpublish", "news/antu.zh.md")
    assert r.status_code == 303 and status_of(app, "news/antu.zh.md") == "draft"
    wait_publish(app)
    assert not page.exists()
    assert (out / "news" / "hunchun" / "index.html").is_file()


def test_actions_only_from_their_states(cms):
    """Approving a draft or unpublishing a draft is refused and changes nothing."""
    app, _ = cms
    rev = client_for(app, "rev")
    before = head(app.config["PROJECT_DIR"])
    r = act(rev, "approve", "news/antu.zh.md")
    assert r.status_code == 302
    assert act(rev, "unpublish", "news/antu.zh.md").status_code == 302
    assert status_of(app, "news/antu.zh.md") == "draft" and head(app.config["PROJECT_DIR"]) == before
    page = rev.get(r.location).get_data(as_text=True)
    assert "flash-error" in page
    assert db_rows(app, "SELECT * FROM publish_runs") == []


def test_incomplete_page_cannot_go_to_review(cms):
    """A page must be complete for review: the policy draft lacks its required summary."""
    app, _ = cms
    ed = client_for(app, "ed")
    before = head(app.config["PROJECT_DIR"])
    r = act(ed, "review", "policy/caogao.zh.md")
    assert r.status_code == 302
    assert status_of(app, "policy/caogao.zh.md") == "draft" and head(app.config["PROJECT_DIR"]) == before
    assert "summary" in ed.get(r.location).get_data(as_text=True)


def test_stale_workflow_action_refused(cms):
    app, _ = cms
    ed = client_for(app, "ed")
    r = act(ed, "review", "news/antu.zh.md", base_revision="0" * 40)
    assert r.status_code == 302 and status_of(app, "news/antu.zh.md") == "draft"


def test_schedule_at_beijing_time_is_stored_in_utc_and_can_be_cancelled(cms):
    """Item 7: a datetime-local value is Beijing time (UTC+8); stored in UTC; listed; cancel."""
    app, _ = cms
    rev = client_for(app, "rev")
    r = rev.post("/workflow/schedule", data={"csrf_token": csrf(rev), "path": "news/antu.zh.md",
                                             "action": "publish", "run_at": "2026-12-01T09:30"})
    assert r.status_code == 302
    rows = db_rows(app, "SELECT * FROM schedule")
    assert len(rows) == 1 and rows[0]["run_at_utc"] == "2026-12-01T01:30:00+00:00" and rows[0]["done_at"] is None
    listing = BeautifulSoup(rev.get("/workflow/schedule").get_data(as_text=True), "html.parser")
    row = listing.find("tr", attrs={"data-job": str(rows[0]["id"])})
    assert "news/antu.zh.md" in row.get_text() and "09:30" in row.get_text()
    r = rev.post("/workflow/schedule", data={"csrf_token": csrf(rev), "path": "news/antu.zh.md",
                                             "action": "publish", "run_at": "not a time"})
    assert r.status_code == 422 and len(db_rows(app, "SELECT * FROM schedule")) == 1
    r = rev.post(f"/workflow/schedule/{rows[0]['id']}/cancel", data={"csrf_token": csrf(rev)})
    assert r.status_code == 302
    assert db_rows(app, "SELECT result FROM schedule")[0]["result"] == "cancelled"
    actions = [row["action"] for row in db_rows(app, "SELECT action FROM audit_log")]
    assert "schedule_add" in actions and "schedule_cancel" in actions


def test_run_due_runs_past_jobs_once_and_leaves_future_ones(cms):
    """Item 7: run_due executes the job due in the past (status change + commit by the
    scheduling user + one publish) and leaves the future job; a second run does nothing."""
    from cms.workflow import run_due

    app, _ = cms
    repo = app.config["PROJECT_DIR"]
    rev = client_for(app, "rev")
    now = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).replace(second=0, microsecond=0)
    past = (now - dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    future = (now + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    for path, action, when in (("news/antu.zh.md", "publish", past), ("news/hunchun.zh.md", "unpublish", future)):
        assert rev.post("/workflow/schedule", data={"csrf_token": csrf(rev), "path": path, "action": action,
                                                    "run_at": when}).status_code == 302
    with app.app_context():
        done = run_due(app)
    assert [(d["path"], d["action"], d["result"]) for d in done] == [("news/antu.zh.md", "publish", "ok")]
    assert status_of(app, "news/antu.zh.md") == "published"
    assert status_of(app, "news/hunchun.zh.md") == "published"
    assert git(repo, "log", "-1", "--format=%an|%cn|%s").strip() == \
        "王审核|Jindallae CMS|Scheduled publish news/antu.zh.md: 安图县人口文化宣传周"
    assert (app.config["OUTPUT_DIR"] / "news" / "antu" / "index.html").is_file()
    assert len(db_rows(app, "SELECT * FROM publish_runs")) == 1
    jobs = {row["path"]: row for row in db_rows(app, "SELECT * FROM schedule")}
    assert jobs["news/antu.zh.md"]["done_at"] and jobs["news/antu.zh.md"]["result"] == "ok"
    assert jobs["news/hunchun.zh.md"]["done_at"] is None
    assert any(r["action"] == "schedule_publish" and r["target"] == "news/antu.zh.md"
               for r in db_rows(app, "SELECT action, target FROM audit_log"))
    with app.app_context():
        assert run_due(app) == []
    assert len(db_rows(app, "SELECT * FROM publish_runs")) == 1
    # when its time comes, the future job runs too
    with app.app_context():
        done = run_due(app, now=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=3))
    assert [(d["path"], d["result"]) for d in done] == [("news/hunchun.zh.md", "ok")]
    assert status_of(app, "news/hunchun.zh.md") == "draft"
    assert not (app.config["OUTPUT_DIR"] / "news" / "hunchun" / "index.html").exists()


def test_page_approved_while_a_build_runs_is_published_by_the_next_build(tmp_path, monkeypatch):
    """Two approvals in quick succession: the second page's status changes while the first
    publish is building; the second publish must build again, not report "nothing changed"
    (jindallae.build fingerprints its inputs as it reads them)."""
    import jindallae.build as build_mod
    from site_helpers import make_project, write_files

    project = make_project(tmp_path / "project")
    content = write_files(project / "content", {
        "news/hunchun.zh.md": LIVE, "news/antu.zh.md": DRAFT,
        "images/jindallae-azalea.jpg": (PROJECT / "content/images/jindallae-azalea.jpg").read_bytes()})
    out = project / "build"
    original = build_mod.prepare_site

    def approve_meanwhile(*args, **kwargs):
        site = original(*args, **kwargs)
        (content / "news/antu.zh.md").write_text(DRAFT.replace("status: draft", "status: published"), encoding="utf-8")
        return site

    monkeypatch.setattr(build_mod, "prepare_site", approve_meanwhile)
    first = build_mod.build(project, content, out, progress=False)
    monkeypatch.undo()
    assert not first.skipped and not (out / "news" / "antu" / "index.html").exists()
    second = build_mod.build(project, content, out, progress=False)
    assert not second.skipped
    assert (out / "news" / "antu" / "index.html").is_file()
    assert build_mod.build(project, content, out, progress=False).skipped  # and then nothing changed


def test_failed_publish_sets_status_changes_back(cms):
    """The publish a status change asked for fails (a broken theme template fails the build):
    each change is undone by a commit of the CMS and audited, so the status in the file and the
    live site (OUTPUT_DIR, left as it was) agree — for approve, unpublish and a scheduled job."""
    from cms.workflow import run_due

    app, _ = cms
    repo, out = app.config["PROJECT_DIR"], app.config["OUTPUT_DIR"]
    ed, rev = client_for(app, "ed"), client_for(app, "rev")
    assert rev.post("/publish", data={"csrf_token": csrf(rev)}).status_code == 303  # a live site first
    wait_publish(app)
    assert (out / "news" / "hunchun" / "index.html").is_file()
    base = repo / "themes" / "jindallae" / "templates" / "base.html"  # every page of every build fails
    base.write_text("{{ no_such_macro() }}\n" + base.read_text(encoding="utf-8"), encoding="utf-8")

    act(ed, "review", "news/antu.zh.md")
    r = act(rev, "approve", "news/antu.zh.md")
    wait_publish(app)
    run_id = int(r.location.rsplit("/", 1)[1])
    assert db_rows(app, "SELECT ok FROM publish_runs WHERE id = ?", run_id) == [{"ok": 0}]
    assert status_of(app, "news/antu.zh.md") == "review" and not (out / "news" / "antu").exists()
    assert git(repo, "log", "-1", "--format=%an|%s").strip() == \
        f"Jindallae CMS|Publish #{run_id} failed; back to review news/antu.zh.md: 安图县人口文化宣传周"
    page = rev.get(r.location).get_data(as_text=True)
    assert "未发布：“正式生成”这一步失败了。" in page and "news/antu.zh.md：状态已恢复为“待审核”" in page

    r = act(rev, "unpublish", "news/hunchun.zh.md")
    wait_publish(app)
    assert status_of(app, "news/hunchun.zh.md") == "published" and (out / "news" / "hunchun" / "index.html").is_file()

    now = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).replace(second=0, microsecond=0)
    assert rev.post("/workflow/schedule", data={"csrf_token": csrf(rev), "path": "news/antu.zh.md", "action": "publish",
                                                "run_at": (now - dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")}
                    ).status_code == 302
    with app.app_context():
        done = run_due(app)
    assert [d["result"] for d in done] == [f"error: publish #{run_id + 2} failed; status set back"]
    assert status_of(app, "news/antu.zh.md") == "review" and not (out / "news" / "antu").exists()
    reverts = db_rows(app, "SELECT target, detail FROM audit_log WHERE action = 'workflow_revert' ORDER BY id")
    assert [(r["target"], r["detail"].split(": ", 1)[1]) for r in reverts] == [
        ("news/antu.zh.md", "status published -> review"), ("news/hunchun.zh.md", "status draft -> published"),
        ("news/antu.zh.md", "status published -> review")]
