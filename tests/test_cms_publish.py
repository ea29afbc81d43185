"""Publishing from the CMS (issue 7 item 10): checks first, then a build that replaces the live
site only when it succeeded, serialised across threads and processes, recorded and audited."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from cms_helpers import csrf, db_rows, login, make_cms
from site_helpers import tree_hashes

GOOD = {
    "news/hello.zh.md": "---\ntitle: 延吉市举办家庭讲座\ndate: 2026-03-02\n---\n\n社区医生讲解健康知识。\n",
    "news/hello.ko.md": "---\ntitle: 연길시 가정 강좌\ndate: 2026-03-02\n---\n\n지역 의사가 건강 지식을 설명했습니다.\n",
}


@pytest.fixture
def cms(tmp_path):
    app, client = make_cms(tmp_path, users={"rev": ["reviewer"], "ed": ["editor"]}, content_files=GOOD)
    login(client, "rev")
    yield app, client
    for thread in app.extensions.get("cms_publish_threads", {}).values():
        thread.join(120)


def output(app) -> Path:
    return Path(app.config["OUTPUT_DIR"])


def post_publish(app, client):
    """POST /publish (the build runs in a background thread), then wait for the run to end;
    returns the POST response and the finished ``publish_runs`` row."""
    started = time.monotonic()
    r = client.post("/publish", data={"csrf_token": csrf(client)})
    assert r.status_code == 303
    run_id = int(r.headers["Location"].rsplit("/", 1)[1])
    app.extensions["cms_publish_threads"][run_id].join(120)
    (row,) = db_rows(app, "SELECT * FROM publish_runs WHERE id = ?", run_id)
    assert row["finished"] is not None, time.monotonic() - started
    return r, row


def test_publish_builds_the_site(cms):
    app, client = cms
    page = client.get("/publish").get_data(as_text=True)
    assert "没有错误，可以发布。" in page and "立即发布" in page
    r, run = post_publish(app, client)
    assert r.headers["Location"] == f"/publish/log/{run['id']}"
    assert run["ok"] == 1 and run["user"] == "rev" and run["queued"] <= run["started"] <= run["finished"]
    html = (output(app) / "news" / "hello" / "index.html").read_text(encoding="utf-8")
    assert "延吉市举办家庭讲座" in html
    assert "연길시 가정 강좌" in (output(app) / "ko" / "news" / "hello" / "index.html").read_text(encoding="utf-8")
    log_page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "网站已发布。" in log_page and "Build: 2 pages" in log_page and 'http-equiv="refresh"' not in log_page
    assert db_rows(app, "SELECT action, target, detail FROM audit_log WHERE action LIKE 'publish%'") == \
        [{"action": "publish", "target": str(output(app)), "detail": f"run {run['id']}"}]


def test_check_errors_block_and_warnings_show(cms):
    app, client = cms
    content = Path(app.config["CONTENT_DIR"])
    (content / "news" / "old.zh.md").write_text("---\ntitle: 這是舊聞\ndate: 2026-01-01\n---\n\n這裏有繁體字。\n",
                                                encoding="utf-8")
    (content / "news" / "solo.zh.md").write_text("---\ntitle: 只有中文\ndate: 2026-01-03\n---\n\n正文。\n", encoding="utf-8")
    page = client.get("/publish").get_data(as_text=True)
    assert "暂不能发布" in page and "news/old.zh.md:2:" in page
    assert "news/solo.zh.md" in page  # translation-missing warning is listed
    assert '<button type="submit" class="primary" disabled>' in page
    r, run = post_publish(app, client)  # the server refuses too
    assert run["ok"] == 0 and "error: news/old.zh.md:2:" in run["log"] and "Not published" in run["log"]
    assert not output(app).exists()
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "未发布" in page and "news/old.zh.md:2:" in page
    assert [r["action"] for r in db_rows(app, "SELECT action FROM audit_log WHERE action LIKE 'publish%'")] == ["publish_failed"]


def test_failed_build_leaves_live_site_byte_identical(cms):
    """A fault the checks cannot see (a broken theme template) fails the build: the live site
    stays byte for byte, no temporary folder is left, and the log shows the build error."""
    app, client = cms
    post_publish(app, client)
    before = tree_hashes(output(app))
    assert "news/hello/index.html" in before
    project = Path(app.config["PROJECT_DIR"])
    article = project / "themes" / "jindallae" / "templates" / "article.html"
    article.write_text("{% extends 'base.html' %}\n{% block content %}{{ no_such_macro() }}{% endblock %}\n",
                       encoding="utf-8")
    content = Path(app.config["CONTENT_DIR"]) / "news" / "hello.zh.md"
    content.write_text(content.read_text(encoding="utf-8").replace("社区医生", "社区的医生"), encoding="utf-8")
    assert client.get("/publish").get_data(as_text=True).count("没有错误，可以发布。") == 1  # checks pass
    r, run = post_publish(app, client)
    assert run["ok"] == 0
    assert "Build failed" in run["log"] and "article.html" in run["log"] and "no_such_macro" in run["log"]
    assert tree_hashes(output(app)) == before
    assert [p.name for p in output(app).parent.iterdir() if p.name.startswith("build.")] == []
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "失败：线上网站没有改变" in page and "no_such_macro" in page


def test_two_publishes_at_once_queue(cms):
    """Two threads publish at the same moment: both succeed and the runs do not overlap (the
    second starts after the first finished)."""
    from cms.publish import publish

    app, _client = cms
    cfg = app.config
    results = {}
    barrier = threading.Barrier(2)

    def run(name):
        barrier.wait()
        results[name] = publish(cfg["PROJECT_DIR"], cfg["OUTPUT_DIR"], name, content=cfg["CONTENT_DIR"],
                                instance=cfg["INSTANCE_DIR"], database=cfg["DATABASE"], force=True)

    threads = [threading.Thread(target=run, args=(n,)) for n in ("first", "second")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    a, b = sorted(results.values(), key=lambda r: r.started)
    assert a.ok and b.ok, (a.log, b.log)
    assert "Build: 2 pages" in a.log and "Build: 2 pages" in b.log  # both really built
    assert a.finished <= b.started
    rows = db_rows(app, "SELECT * FROM publish_runs ORDER BY started")
    assert len(rows) == 2 and rows[0]["finished"] <= rows[1]["started"]
    assert max(r["queued"] for r in rows) < rows[0]["finished"]  # the second was waiting while the first ran
    assert "延吉市举办家庭讲座" in (output(app) / "news" / "hello" / "index.html").read_text(encoding="utf-8")


def test_publish_waits_for_another_process(cms, tmp_path):
    """The lock is an flock on instance/publish.lock: a publish waits while another process
    holds it."""
    from cms.publish import LOCK_NAME, publish

    app, _client = cms
    cfg = app.config
    lock = Path(cfg["INSTANCE_DIR"]) / LOCK_NAME
    flag = tmp_path / "locked"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, pathlib, sys, time\n"
        f"fp = open({str(lock)!r}, 'a+')\n"
        "fcntl.flock(fp.fileno(), fcntl.LOCK_EX)\n"
        f"pathlib.Path({str(flag)!r}).write_text('1')\n"
        "time.sleep(1.5)\n"
        "print(time.time(), flush=True)\n"
        "fcntl.flock(fp.fileno(), fcntl.LOCK_UN)\n")], stdout=subprocess.PIPE, text=True)
    deadline = time.time() + 20
    while not flag.exists():
        assert time.time() < deadline and holder.poll() is None
        time.sleep(0.02)
    result = publish(cfg["PROJECT_DIR"], cfg["OUTPUT_DIR"], "rev", content=cfg["CONTENT_DIR"],
                     instance=cfg["INSTANCE_DIR"], database=cfg["DATABASE"])
    released = float(holder.communicate(timeout=30)[0])
    assert result.ok and result.started >= released


def test_publish_permissions(cms):
    app, _client = cms
    ed = app.test_client()
    login(ed, "ed")
    anon = app.test_client()
    for url in ("/publish", "/publish/log/1"):
        assert ed.get(url).status_code == 403
        r = anon.get(url)
        assert r.status_code == 302 and r.headers["Location"].startswith("/login")
    assert ed.post("/publish", data={"csrf_token": csrf(ed)}).status_code == 403
    assert anon.post("/publish", data={"csrf_token": csrf(anon)}).status_code == 302
    assert db_rows(app, "SELECT * FROM publish_runs") == [] and not output(app).exists()
    assert _client.get("/publish/log/42").status_code == 404


def test_publish_without_csrf_token_does_nothing(cms):
    app, client = cms
    r = client.post("/publish")
    assert r.status_code == 400
    assert db_rows(app, "SELECT * FROM publish_runs") == [] and not output(app).exists()


def test_run_checks_summary(cms):
    from cms.publish import run_checks

    app, _client = cms
    content = Path(app.config["CONTENT_DIR"])
    (content / "news" / "x.zh.md").write_text("---\ntitle: 國家\ndate: 2026-01-01\n---\n\n正文。\n", encoding="utf-8")
    summary = run_checks(app.config["PROJECT_DIR"], content)
    assert not summary.ok
    assert len(summary.errors) == 1 and summary.errors[0].startswith("news/x.zh.md:2:8: ")
    assert any(w.startswith("news/x.zh.md:") for w in summary.warnings)


def test_log_page_while_running_reloads(cms):
    """A queued or running publish: the log page says so and reloads itself (no script)."""
    app, client = cms
    with app.app_context():
        from cms.db import get_db

        conn = get_db()
        conn.execute("INSERT INTO publish_runs (user, queued, started) VALUES ('rev', 1, 2)")
        conn.execute("INSERT INTO publish_runs (user, queued) VALUES ('rev', 3)")
    page = client.get("/publish/log/1").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="3">' in page and "正在检查并生成网站" in page
    page = client.get("/publish/log/2").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="3">' in page and "正在等待 1 次尚未结束的发布" in page
    assert "进行中或排队中" in client.get("/publish").get_data(as_text=True)


def test_publish_post_answers_before_the_build_ends(cms, monkeypatch):
    """The POST does not wait for the build: it answers while the (slowed) build still runs."""
    import jindallae.build

    app, client = cms
    release = threading.Event()
    real_build = jindallae.build.build

    def slow_build(*args, **kwargs):
        release.wait(30)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(jindallae.build, "build", slow_build)
    r = client.post("/publish", data={"csrf_token": csrf(client)})
    assert r.status_code == 303
    (row,) = db_rows(app, "SELECT * FROM publish_runs")
    assert row["finished"] is None
    assert 'http-equiv="refresh"' in client.get(r.headers["Location"]).get_data(as_text=True)
    release.set()
    app.extensions["cms_publish_threads"][row["id"]].join(60)
    assert db_rows(app, "SELECT ok FROM publish_runs") == [{"ok": 1}]


def test_interrupted_runs_closed_at_start(cms):
    """A run left open by a stopped server is closed as failed when the CMS starts again, unless
    a publish holds the lock (it may be running in another process)."""
    import fcntl

    from cms import create_app
    from cms.publish import LOCK_NAME

    app, _client = cms
    cfg = dict(app.config)
    with app.app_context():
        from cms.db import get_db

        conn = get_db()
        conn.execute("INSERT INTO publish_runs (user, queued, started) VALUES ('rev', ?, ?)", (time.time(), time.time()))
        conn.execute("INSERT INTO publish_runs (user, queued) VALUES ('rev', ?)", (time.time(),))  # queued just now
    keys = ("PROJECT_DIR", "CONTENT_DIR", "OUTPUT_DIR", "INSTANCE_DIR", "SECRET_KEY", "TESTING")
    with open(Path(cfg["INSTANCE_DIR"]) / LOCK_NAME, "a+") as fp:
        fcntl.flock(fp.fileno(), fcntl.LOCK_EX)  # a publish is running: nothing is touched
        create_app({k: cfg[k] for k in keys})
        assert [r["finished"] for r in db_rows(app, "SELECT finished FROM publish_runs ORDER BY id")] == [None, None]
    create_app({k: cfg[k] for k in keys})
    rows = db_rows(app, "SELECT ok, finished, log FROM publish_runs ORDER BY id")
    assert rows[0]["ok"] == 0 and rows[0]["finished"] and "Interrupted" in rows[0]["log"]
    assert rows[1]["finished"] is None  # queued a moment ago: may still be waiting for the lock
    page = _client.get("/publish/log/1").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page and "失败" in page
