"""Publishing from the CMS (issue 7 item 10, and the deploy issue's CMS items): production
settings (a public address that is not public is refused), checks (errors in drafts do not
block), then a production build that replaces the live site only when it succeeded, serialised
across threads and processes, recorded step by step and audited.  These projects have no
deploy target (the production build goes into OUTPUT_DIR); tests/test_cms_deploy.py deploys to
nginx."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from cms_helpers import PUBLIC_URL, csrf, db_rows, login, make_cms, publishconf_text
from site_helpers import tree_hashes

GOOD = {
    "news/hello.zh.md": "---\ntitle: 延吉市举办家庭讲座\ndate: 2026-03-02\n---\n\n社区医生讲解健康知识。\n",
    "news/hello.ko.md": "---\ntitle: 연길시 가정 강좌\ndate: 2026-03-02\n---\n\n지역 의사가 건강 지식을 설명했습니다.\n",
}


@pytest.fixture
def cms(tmp_path):
    app, client = make_cms(tmp_path, users={"rev": ["reviewer"], "ed": ["editor"],
                                            "kor": {"roles": ["reviewer"], "ui_lang": "ko"}}, content_files=GOOD)
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
    assert "要发布的页面中没有错误。" in page and "立即发布" in page
    assert "https://rkwh.yanbian.gov.cn" in page and "未配置：网站会生成到" in page  # no deploy target: said plainly
    r, run = post_publish(app, client)
    assert r.headers["Location"] == f"/publish/log/{run['id']}"
    assert run["ok"] == 1 and run["user"] == "rev" and run["queued"] <= run["started"] <= run["finished"]
    html = (output(app) / "news" / "hello" / "index.html").read_text(encoding="utf-8")
    assert "延吉市举办家庭讲座" in html
    # built with the production settings: links, canonical and QR codes use the public address
    assert f'<link rel="canonical" href="{PUBLIC_URL}/news/hello/">' in html and "localhost" not in html
    assert "연길시 가정 강좌" in (output(app) / "ko" / "news" / "hello" / "index.html").read_text(encoding="utf-8")
    log_page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "网站已用正式设置生成到" in log_page and "但没有部署：没有配置部署目标" in log_page
    assert "生成了 2 个页面" in log_page and 'http-equiv="refresh"' not in log_page
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
    assert run["ok"] == 0 and "    news/old.zh.md:2:" in run["log"] and "FAILED: 2 error(s) in the pages to publish" in run["log"]
    assert not output(app).exists()
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "未发布：“检查”这一步失败了。线上网站没有改变。" in page and "news/old.zh.md:2:" in page
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
    assert client.get("/publish").get_data(as_text=True).count("要发布的页面中没有错误。") == 1  # checks pass
    r, run = post_publish(app, client)
    assert run["ok"] == 0
    assert "The production build failed" in run["log"] and "article.html" in run["log"] and "no_such_macro" in run["log"]
    assert tree_hashes(output(app)) == before
    assert [p.name for p in output(app).parent.iterdir() if p.name.startswith("build.")] == []
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "失败：线上网站没有改变" in page and "no_such_macro" in page and "未发布：“正式生成”这一步失败了" in page


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
    assert "2 page(s) built" in a.log and "2 page(s) built" in b.log  # both really built
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
    assert '<meta http-equiv="refresh" content="3">' in page and "正在进行……本页每隔几秒自动刷新。" in page
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
    """Runs left open by a stopped server — started, or only queued (killed before it started)
    — are closed as failed when the CMS starts again, with a note in the reader's language;
    unless a publish holds the lock (it may be running in another process)."""
    import fcntl

    from cms import create_app
    from cms.publish import LOCK_NAME

    app, _client = cms
    cfg = dict(app.config)
    with app.app_context():
        from cms.db import get_db

        conn = get_db()
        conn.execute("INSERT INTO publish_runs (user, queued, started) VALUES ('rev', ?, ?)", (time.time(), time.time()))
        conn.execute("INSERT INTO publish_runs (user, queued) VALUES ('rev', ?)", (time.time(),))  # queued, then killed
    keys = ("PROJECT_DIR", "CONTENT_DIR", "OUTPUT_DIR", "INSTANCE_DIR", "SECRET_KEY", "TESTING")
    with open(Path(cfg["INSTANCE_DIR"]) / LOCK_NAME, "a+") as fp:
        fcntl.flock(fp.fileno(), fcntl.LOCK_EX)  # a publish is running: nothing is touched
        create_app({k: cfg[k] for k in keys})
        assert [r["finished"] for r in db_rows(app, "SELECT finished FROM publish_runs ORDER BY id")] == [None, None]
    create_app({k: cfg[k] for k in keys})
    rows = db_rows(app, "SELECT ok, finished, log FROM publish_runs ORDER BY id")
    assert [(r["ok"], bool(r["finished"]), "Interrupted" in r["log"]) for r in rows] == [(0, True, True), (0, True, True)]
    page = _client.get("/publish/log/1").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page and "失败" in page and "已中断：这次操作进行中 CMS 停止了" in page
    page = _client.get("/publish/log/2").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page and "已中断：这次操作开始之前 CMS 就停止了；什么都没有改变。" in page
    ko = app.test_client()
    login(ko, "kor")
    assert "중단됨: 이 작업이 시작되기 전에 CMS가 멈췄습니다." in ko.get("/publish/log/2").get_data(as_text=True)
    assert "running or waiting" not in page and "进行中或排队中" not in _client.get("/publish").get_data(as_text=True)


def test_run_closed_while_waiting_for_the_lock_goes_on(cms):
    """A run that was only waiting for the lock in a live process when another process started
    (and closed it as interrupted) reopens itself when it gets the lock, and publishes."""
    from cms.db import connect
    from cms.publish import publish, queue_run, recover_interrupted_runs

    app, _client = cms
    cfg = app.config
    conn = connect(cfg["DATABASE"])
    run_id = queue_run(conn, "rev")
    conn.close()
    assert recover_interrupted_runs(cfg["DATABASE"], cfg["INSTANCE_DIR"]) == 1
    result = publish(cfg["PROJECT_DIR"], cfg["OUTPUT_DIR"], "rev", content=cfg["CONTENT_DIR"], instance=cfg["INSTANCE_DIR"],
                     database=cfg["DATABASE"], run_id=run_id)
    assert result.ok
    (row,) = db_rows(app, "SELECT ok, finished FROM publish_runs WHERE id = ?", run_id)
    assert row["ok"] == 1 and row["finished"]


# ---------------------------------------------------------------------------------------------
# Production settings and checks of what will be public


@pytest.mark.parametrize("url, shown", [
    ("http://localhost:8000", "拒绝发布：网站的公开地址 http://localhost:8000（publishconf.py 中的 JINDALLAE_PUBLIC_URL）是 localhost"),
    ("http://192.168.1.20/rkwh", "拒绝发布：网站的公开地址 http://192.168.1.20/rkwh（publishconf.py 中的 JINDALLAE_PUBLIC_URL）"),
    ("https://www.jindallae.example", "拒绝发布：网站的公开地址 https://www.jindallae.example（"),
    ("", "publishconf.py 中的正式设置有错误，所以无法发布。"),  # the settings schema refuses an empty address
])
def test_public_url_that_is_not_public_is_refused_on_the_publish_page(tmp_path, url, shown):
    app, client = make_cms(tmp_path, users={"rev": ["reviewer"]}, content_files=GOOD,
                           publishconf=publishconf_text(url))
    login(client, "rev")
    page = client.get("/publish").get_data(as_text=True)
    assert shown in page and "JINDALLAE_PUBLIC_URL" in page
    assert '<button type="submit" class="primary" disabled>' in page


def test_localhost_public_url_refuses_every_publish_path(tmp_path):
    """publishconf.py with a localhost address: the publish page says so (zh and ko) and
    disables the button, a POST fails at the "production settings" step without building, and
    "Approve and publish" is refused before the page's status changes."""
    files = dict(GOOD, **{"news/antu.zh.md": "---\ntitle: 安图县人口文化宣传周\ndate: 2026-10-01\nstatus: review\n---\n\n宣传周开幕。\n"})
    app, client = make_cms(tmp_path, users={"rev": ["reviewer"], "kor": {"roles": ["reviewer"], "ui_lang": "ko"}},
                           content_files=files, publishconf=publishconf_text("http://localhost:8000"))
    login(client, "rev")
    kor = app.test_client()
    login(kor, "kor")
    assert "발행할 수 없습니다: 사이트의 공개 주소 http://localhost:8000(publishconf.py의 JINDALLAE_PUBLIC_URL)는 " \
           "localhost, IP 주소 또는 예시용 이름" in kor.get("/publish").get_data(as_text=True)
    r, run = post_publish(app, client)
    assert run["ok"] == 0 and not output(app).exists()
    report = __import__("json").loads(run["report"])
    assert report["failed"] == "settings"
    assert [(s["id"], s["state"]) for s in report["steps"]] == [("settings", "failed"), ("checks", "skipped"),
                                                                  ("build", "skipped")]
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "未发布：“正式设置”这一步失败了。" in page and "JINDALLAE_PUBLIC_URL" in page
    r = client.post("/workflow/approve/news/antu.zh.md", data={"csrf_token": csrf(client)})
    assert r.status_code == 302
    assert "拒绝发布：网站的公开地址 http://localhost:8000" in client.get(r.headers["Location"]).get_data(as_text=True)
    assert "status: review" in (Path(app.config["CONTENT_DIR"]) / "news" / "antu.zh.md").read_text(encoding="utf-8")
    assert len(db_rows(app, "SELECT id FROM publish_runs")) == 1


def test_publish_settings_config_names_the_production_settings(tmp_path):
    """The app config PUBLISH_SETTINGS names the production settings file."""
    app, client = make_cms(tmp_path, users={"rev": ["reviewer"]}, content_files=GOOD,
                           publishconf=publishconf_text("http://localhost:8000"), config={"PUBLISH_SETTINGS": "prod.py"})
    (Path(app.config["PROJECT_DIR"]) / "prod.py").write_text(publishconf_text("https://www.yanbian.gov.cn/zt/rkwh"),
                                                             encoding="utf-8")
    login(client, "rev")
    _r, run = post_publish(app, client)
    assert run["ok"] == 1, run["log"]
    html = (output(app) / "news" / "hello" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://www.yanbian.gov.cn/zt/rkwh/news/hello/">' in html


def test_draft_with_errors_does_not_block_publishing(cms):
    """Errors in a draft (and a page in review) are listed as "not published: fix before
    publishing" and block nothing; the draft stays off the site."""
    app, client = cms
    content = Path(app.config["CONTENT_DIR"])
    (content / "news" / "old.zh.md").write_text("---\ntitle: 這是舊聞\ndate: 2026-01-01\nstatus: draft\n---\n\n這裏。\n",
                                                encoding="utf-8")
    (content / "news" / "wip.zh.md").write_text("---\ntitle: 汪清\ndate: 2026-01-02\nstatus: review\n---\n\n"
                                                "[坏链接](/news/nowhere/)\n", encoding="utf-8")
    page = client.get("/publish").get_data(as_text=True)
    assert "要发布的页面中没有错误。" in page and "未发布页面中的错误（3 个）：不影响发布" in page
    assert "news/old.zh.md:2:" in page and "news/wip.zh.md:7:" in page
    assert '<button type="submit" class="primary">' in page
    _r, run = post_publish(app, client)
    assert run["ok"] == 1, run["log"]
    assert (output(app) / "news" / "hello" / "index.html").is_file() and not (output(app) / "news" / "old").exists()
    page = client.get(f"/publish/log/{run['id']}").get_data(as_text=True)
    assert "未发布的页面（草稿或待审核）中有 3 个错误：不影响这次发布" in page


def test_database_of_the_previous_version_is_migrated(tmp_path):
    """A database made before publish runs had steps (schema version 1) gets the new columns;
    its old runs still show their log."""
    from cms.db import MIGRATIONS, connect

    instance = tmp_path / "instance"
    conn = connect(instance / "cms.sqlite3")
    conn.executescript("CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (1);"
                       + MIGRATIONS[0])
    conn.execute("INSERT INTO publish_runs (user, queued, started, finished, ok, log) "
                 "VALUES ('rev', 1, 2, 3, 1, 'Build: 2 pages (old log)')")
    conn.close()
    app, client = make_cms(tmp_path, users={"rev": ["reviewer"], "adm": ["admin"]}, content_files=GOOD,
                           config={"INSTANCE_DIR": instance})
    assert db_rows(app, "SELECT version FROM schema_version") == [{"version": len(MIGRATIONS)}]
    assert db_rows(app, "SELECT kind, report FROM publish_runs") == [{"kind": "publish", "report": ""}]
    login(client, "rev")
    page = client.get("/publish/log/1").get_data(as_text=True)
    assert "网站已发布" in page and "old log" not in page  # the technical log is the admin's
    client = app.test_client()
    login(client, "adm")
    page = client.get("/publish/log/1").get_data(as_text=True)
    assert "Build: 2 pages (old log)" in page and "已发布" in page
