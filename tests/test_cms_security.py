"""CMS security across routes (issue 7 items 3, 11, 12; OWASP ASVS 4.0.3): headers and CSP on
every response, no state change on GET, the role matrix of every FOUNDATION route, no inline
script or style, and a real-browser check that the CSP does not break the pages."""

from __future__ import annotations

import contextlib
import io
import re
import threading
from pathlib import Path

import pytest

from cms_helpers import csrf, db_rows, git, login, make_cms
from site_helpers import tree_hashes

NEWS = {"news/a.zh.md": "---\ntitle: 甲\ndate: 2026-01-01\n---\n正文。\n",
        "images/2026/x.png": b""}
# FOUNDATION's blueprints and the review chain's (cms.review, cms.comments), whose routes MATRIX lists too.
FOUNDATION_BLUEPRINTS = {"auth", "admin", "media", "publish", "review", "comments"}
ALL_ROLES = ["editor", "translator", "reviewer", "admin"]
EXPECTED_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
                "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'")


def png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def cms(tmp_path):
    files = dict(NEWS, **{"images/2026/x.png": png()})
    users = {"all": ALL_ROLES, "ed": ["editor"], "tr": ["translator"], "rev": ["reviewer"], "adm": ["admin"], "none": []}
    # Real argon2id with cheap parameters: these tests sign in some hundred times.
    app, client = make_cms(tmp_path, users=users, content_files=files,
                           config={"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024, "ARGON2_PARALLELISM": 1})
    yield app, client
    for thread in app.extensions.get("cms_publish_threads", {}).values():  # POST /publish builds in a thread
        thread.join(120)


def foundation_rules(app):
    """Every URL rule of FOUNDATION's blueprints (plus the fallback home and static)."""
    return [r for r in app.url_map.iter_rules()
            if r.endpoint.split(".")[0] in FOUNDATION_BLUEPRINTS or r.endpoint in ("static", "home")]


def sample_url(app, rule) -> str:
    """A URL of ``rule`` with sample values (media files and content pages that exist)."""
    values = {"user_id": db_rows(app, "SELECT id FROM users WHERE username = 'ed'")[0]["id"], "run_id": 1,
              "rel": "news/a.zh.md" if not rule.endpoint.startswith("media.") else "2026/x.png",
              "filename": "cms.css", "job_id": 1, "comment_id": 1}
    path = rule.rule
    for name in rule.arguments:
        path = re.sub(rf"<(?:[a-z]+:)?{name}>", str(values.get(name, "x")), path)
    return path


# -------------------------------------------------------------------------------------------
# Headers


def test_security_headers_on_every_response(cms):
    app, client = cms
    anon = app.test_client()
    login(client, "all")
    responses = [anon.get("/login"), anon.get("/account"), anon.get("/static/cms.css"), anon.get("/nowhere"),
                 anon.post("/login", data={}), client.get("/account"), client.get("/admin/users"),
                 client.get("/admin/audit"), client.get("/publish"), client.get("/media/upload"), client.get("/nowhere"),
                 client.get("/publish/log/999")]
    for r in responses:
        h = r.headers
        assert h["Content-Security-Policy"] == EXPECTED_CSP, r.request.path
        assert h["X-Content-Type-Options"] == "nosniff"
        assert h["Referrer-Policy"] == "same-origin"
        assert h["X-Frame-Options"] == "DENY"
        if not r.request.path.startswith("/static/"):
            assert h["Cache-Control"] == "no-store", r.request.path
    assert {r.status_code for r in responses} == {200, 302, 400, 404}


def test_no_inline_script_or_style_in_pages(cms):
    """The CSP forbids inline code, so no page may rely on it (it would silently break)."""
    app, client = cms
    login(client, "all")
    pages = ["/account", "/admin/users", "/admin/audit", "/publish", "/media/upload", "/nowhere",
             f"/admin/users/{db_rows(app, 'SELECT id FROM users LIMIT 1')[0]['id']}"]
    anon_pages = [app.test_client().get("/login").get_data(as_text=True)]
    for html in [client.get(p).get_data(as_text=True) for p in pages] + anon_pages:
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
        assert not re.search(r"\sstyle=", html)
        assert not re.search(r"\son[a-z]+=", html)
        assert "<style" not in html


# -------------------------------------------------------------------------------------------
# No state change on GET (ASVS V13.1 / RFC 9110 §9.2.1 safe methods)


def db_state(app) -> dict[str, list]:
    """Every table's rows (sessions without the last-seen bookkeeping)."""
    tables = [r["name"] for r in db_rows(app, "SELECT name FROM sqlite_master WHERE type = 'table'")]
    state = {}
    for t in tables:
        rows = db_rows(app, f"SELECT * FROM {t}")
        if t == "sessions":
            rows = [{k: v for k, v in r.items() if k != "last_seen"} for r in rows]
        state[t] = sorted(map(repr, rows))
    return state


def files_state(app) -> dict[str, str]:
    root = Path(app.config["PROJECT_DIR"])
    files = {k: v for k, v in tree_hashes(root).items() if not k.startswith((".git/", "instance/", ".cache/"))}
    files["HEAD"] = git(root, "rev-parse", "HEAD")
    return files


def test_no_get_route_changes_state(cms):
    """Every GET rule of the app (FOUNDATION's and the content side's), requested by a user
    with every role and anonymously, changes no row of the database (new empty tables allowed)
    and no file, and never fails with 500."""
    app, client = cms
    login(client, "all")
    anon = app.test_client()
    with app.app_context():  # a finished publish run to show
        from cms.db import get_db

        get_db().execute("INSERT INTO publish_runs (user, queued, started, finished, ok, log) VALUES ('all', 1, 2, 3, 1, 'x')")
    rules = [r for r in app.url_map.iter_rules() if "GET" in r.methods]
    assert {r.endpoint for r in rules} >= {"auth.login", "auth.account", "admin.users", "admin.edit", "admin.audit_log",
                                           "media.upload_form", "media.file", "publish.publish_view", "publish.log_view"}
    for who in (client, anon):
        for rule in rules:
            before_db, before_files = db_state(app), files_state(app)
            r = who.get(sample_url(app, rule))
            assert r.status_code < 500, rule.rule
            after = db_state(app)
            for table, rows in after.items():
                assert rows == before_db.get(table, []), (rule.rule, table)
            assert files_state(app) == before_files, rule.rule


def test_every_unsafe_method_needs_csrf(cms):
    """ASVS V4.2.2: every POST route of FOUNDATION refuses a request without the token (400),
    before any permission or state check."""
    app, client = cms
    login(client, "all")
    before = db_state(app)
    posts = [r for r in foundation_rules(app) if "POST" in r.methods]
    assert len(posts) >= 9
    for rule in posts:
        r = client.post(sample_url(app, rule), data={"lang": "ko", "roles": [], "active": "0", "username": "x",
                                                     "password": "long enough password"})
        assert r.status_code == 400, rule.rule
    after = db_state(app)
    assert after["users"] == before["users"] and after["user_roles"] == before["user_roles"]
    assert after["publish_runs"] == before["publish_runs"] == []


# -------------------------------------------------------------------------------------------
# Role matrix (ASVS V4.1.1/V4.1.3: enforced on the server; anonymous → sign-in, wrong role → 403)

# (method, rule, roles allowed; () = any signed-in user)
MATRIX = [
    ("GET", "/account", ()),
    ("POST", "/account/password", ()),
    ("GET", "/account/first-password", ()),
    ("POST", "/account/first-password", ()),
    ("GET", "/admin/users", ("admin",)),
    ("POST", "/admin/users", ("admin",)),
    ("GET", "/admin/users/<int:user_id>", ("admin",)),
    ("POST", "/admin/users/<int:user_id>/roles", ("admin",)),
    ("POST", "/admin/users/<int:user_id>/active", ("admin",)),
    ("POST", "/admin/users/<int:user_id>/profile", ("admin",)),
    ("POST", "/admin/users/<int:user_id>/password", ("admin",)),
    ("GET", "/admin/audit", ("admin",)),
    ("POST", "/admin/audit/export", ("admin",)),
    ("GET", "/media/upload", ("editor", "translator")),
    ("POST", "/media/upload", ("editor", "translator")),
    ("GET", "/media/file/<path:rel>", ("editor", "translator", "reviewer")),
    ("GET", "/media/", ("editor", "translator", "reviewer")),
    ("GET", "/media/image/<path:rel>", ("editor", "translator", "reviewer")),
    ("GET", "/media/thumb/<path:rel>", ("editor", "translator", "reviewer")),
    ("POST", "/media/replace/<path:rel>", ("editor", "translator")),
    ("GET", "/publish", ("reviewer", "admin")),
    ("POST", "/publish", ("reviewer",)),
    ("POST", "/publish/rollback", ("admin",)),
    ("GET", "/publish/log/<int:run_id>", ("reviewer", "admin")),  # and the sign-off step's role (cms.review)
    # The review chain (cms.review, cms.comments); these tests run the one-step chain (reviewer):
    # the step roles proofreader / head / leader are walked in tests/test_cms_review_chain.py.
    ("GET", "/review/<path:rel>", ("editor", "translator", "reviewer")),
    ("POST", "/comments/page/<path:rel>", ("editor", "translator", "reviewer")),
    ("POST", "/comments/<int:comment_id>/resolve", ("editor", "translator", "reviewer")),
]
PUBLIC = {("GET", "/login"), ("POST", "/login"), ("POST", "/logout"), ("POST", "/language"), ("GET", "/static/<path:filename>"),
          ("GET", "/")}


def test_matrix_covers_every_foundation_route(cms):
    app, _client = cms
    routes = {(m, r.rule) for r in foundation_rules(app) for m in r.methods - {"HEAD", "OPTIONS"}}
    assert routes == {(m, rule) for m, rule, _ in MATRIX} | (PUBLIC & routes)


@pytest.mark.parametrize("method, rule, allowed", MATRIX, ids=[f"{m} {r}" for m, r, _ in MATRIX])
def test_role_matrix(cms, method, rule, allowed):
    app, _client = cms
    url = sample_url(app, next(r for r in app.url_map.iter_rules() if r.rule == rule))
    anon = app.test_client()
    token = csrf(anon)
    r = anon.get(url) if method == "GET" else anon.post(url, data={"csrf_token": token})
    assert r.status_code == 302 and r.headers["Location"].startswith("/login"), "anonymous"
    for user in ("ed", "tr", "rev", "adm", "none"):
        client = app.test_client()
        login(client, user)
        # Harmless form data: for allowed users the request is processed (possibly refused as
        # invalid with 400), for the others it must be 403 before anything happens.
        data = {"csrf_token": csrf(client), "roles": ["editor"], "active": "1"}
        r = client.get(url) if method == "GET" else client.post(url, data=data)
        user_roles = {"ed": {"editor"}, "tr": {"translator"}, "rev": {"reviewer"}, "adm": {"admin"}, "none": set()}[user]
        if not allowed or user_roles & set(allowed):
            assert r.status_code not in (302, 403) or (r.status_code == 302 and not r.headers["Location"].startswith("/login")), \
                (user, r.status_code)
        else:
            assert r.status_code == 403, (user, r.status_code)


# -------------------------------------------------------------------------------------------
# A real browser: sign in through the form, no CSP violation, language switch, layout


@contextlib.contextmanager
def serve_app(app):
    """Serve ``app`` with Werkzeug on a free local port in a thread; yields the base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


def test_browser_login_csp_language_layout(cms, browser):
    """Chromium: sign in with the keyboard-reachable form, no CSP violation or script error on
    any page, switch to Korean (<html lang="ko">), no horizontal scrolling at 768 and 1366 px,
    a skip link first in the tab order, a label for every form field."""
    app, _client = cms
    with serve_app(app) as base:
        context = browser.new_context(viewport={"width": 768, "height": 1000}, locale="zh-CN")
        page = context.new_page()
        problems = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(f"{base}/account")
        assert page.url.startswith(f"{base}/login")
        assert page.get_attribute("html", "lang") == "zh-Hans"
        assert page.evaluate("document.activeElement.id") == "username"  # autofocus
        page.fill("#username", "all")
        page.fill("#password", "correct horse battery staple")
        page.press("#password", "Enter")
        page.wait_for_url(f"{base}/account")
        assert page.text_content("h1") == "我的账户"
        page.keyboard.press("Tab")  # the skip link comes first and is visible with a focus ring
        assert page.evaluate("document.activeElement.className") == "skip-link"
        assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
        assert page.evaluate("document.activeElement.getBoundingClientRect().top") >= 0
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#main"
        for path in ("/account", "/admin/users", "/admin/audit", "/publish", "/media/upload"):
            for width in (768, 1366):
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(base + path)
                assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (path, width)
                unlabeled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
                    .filter(e => e.type !== 'hidden' && !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
                    .map(e => e.name || e.id)""")
                assert unlabeled == [], (path, unlabeled)
        # cms.js ran under the CSP: fetch carries the CSRF header.
        assert page.evaluate("typeof window.jindallaeCsrfToken") == "function"
        page.goto(f"{base}/account")
        page.click("header .lang-switch button[value=ko]")
        page.wait_for_load_state()
        assert page.get_attribute("html", "lang") == "ko"
        assert page.text_content("h1") == "내 계정"
        assert db_rows(app, "SELECT ui_lang FROM users WHERE username = 'all'") == [{"ui_lang": "ko"}]
        # A fetch with the header passes the CSRF check; without it, it is refused.
        status = page.evaluate("""async () => {
            const ok = await fetch('/language', {method: 'POST', body: new URLSearchParams({lang: 'zh'})});
            const bad = await window.fetch.call(window, new Request('/language', {method: 'POST'}), {headers: {'X-CSRF-Token': 'x'}});
            return [ok.status, bad.status]; }""")
        assert status[0] == 200 and status[1] == 400
        context.close()
    csp = [p for p in problems if "Content Security Policy" in p or "Refused to" in p]
    assert csp == [], csp
    assert [p for p in problems if "400" not in p] == []


def test_navigation_follows_roles(cms):
    """The menu shows exactly the pages the user's roles open: every link shown answers, every
    menu page left out answers 403 (roles come from the views' own ``roles_required``)."""
    from cms import NAV

    app, _client = cms
    existing = {r.rule for r in app.url_map.iter_rules()}
    shown_for = {}
    for user in ("ed", "tr", "rev", "adm", "none", "all"):
        client = app.test_client()
        login(client, user)
        page = client.get("/account").get_data(as_text=True)
        nav = page.split("</nav>")[0].split('class="main-nav"')[1] if 'class="main-nav"' in page else ""
        shown = re.findall(r'<li><a href="([^"]+)"', nav)
        shown_for[user] = shown
        for path, _label in NAV:
            if path not in existing:
                continue
            status = client.get(path).status_code
            if path in shown:
                assert status in (200, 302), (user, path, status)
            else:
                assert status == 403, (user, path, status)
    assert "/publish" in shown_for["rev"] and "/publish" not in shown_for["ed"]
    assert "/admin/users" in shown_for["adm"] and "/admin/users" not in shown_for["rev"]
    assert set(shown_for["all"]) == {p for p, _ in NAV if p in existing}
