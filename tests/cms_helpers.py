"""Helpers for the CMS tests (both CMS sides use them): a fresh project with its own git repo,
its own SQLite database and users; sign-in and CSRF helpers for Flask's test client.

    app, client = make_cms(tmp_path, users={"ed": ["editor"], "rev": ["reviewer", "admin"]})
    login(client, "ed")                      # DEFAULT_PASSWORD unless given
    client.post("/x", data={"csrf_token": csrf(client), ...})
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from site_helpers import PROJECT, make_project, write_files

DEFAULT_PASSWORD = "correct horse battery staple"
PUBLIC_URL = "https://rkwh.yanbian.gov.cn"  # the production settings' public address: never contacted
SECRET_KEY = "test-secret-key-not-for-production"
GIT_ENV = {"GIT_AUTHOR_NAME": "Test Setup", "GIT_AUTHOR_EMAIL": "setup@example.invalid",
           "GIT_COMMITTER_NAME": "Test Setup", "GIT_COMMITTER_EMAIL": "setup@example.invalid",
           "GIT_CONFIG_NOSYSTEM": "1"}
_CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


def git(repo: Path, *args: str) -> str:
    """Run ``git -C repo args`` (explicit arguments, no shell); returns stdout, raises on failure."""
    env = {**os.environ, **GIT_ENV, "HOME": str(repo)}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env).stdout


def publishconf_text(public_url: str = PUBLIC_URL, targets: dict | None = None, extra: str = "") -> str:
    """A publishconf.py: the local settings with ``public_url`` and ``DEPLOY_TARGETS``."""
    return ("from pelicanconf import *  # noqa\n"
            f"JINDALLAE_PUBLIC_URL = {public_url!r}\n"
            f"DEPLOY_TARGETS = {targets or {}!r}\n" + extra)


# The review chain of the CMS tests unless a test asks for another: one step passed by the reviewer
# role, the workflow before the 三审三校 chain (tests/test_cms_review_chain.py walks the default three).
ONE_STEP = [{"id": "review", "role": "reviewer", "name": {"zh": "审核", "ko": "검토"}}]


def make_cms(tmp_path: Path, users: dict[str, Any] | None = None, content_files: dict[str, str | bytes] | None = None,
             config: dict[str, Any] | None = None, publishconf: str | None = None,
             review_steps: list[dict[str, Any]] | None = ONE_STEP, settings_extra: str = ""):
    """A CMS on a fresh project at ``tmp_path/project`` → ``(app, client)``.

    The project has copies of plugins/, themes/, pelicanconf.py and content/ (the real starter
    content, or only ``content_files`` — ``{content-relative path: text}`` — for small fast
    builds), a publishconf.py (``publishconf``, default :func:`publishconf_text`: the public
    address :data:`PUBLIC_URL` and no deploy target, so a publish builds into OUTPUT_DIR with
    the production settings), and is a git repository with one commit of content/.  ``users``
    maps a user name to its roles (a list, or one role as a string) or to a dict with
    ``roles``, ``password`` (default :data:`DEFAULT_PASSWORD`), ``display_name``, ``email``,
    ``ui_lang``.  ``review_steps`` is written into the project's pelicanconf.py as ``REVIEW_STEPS``
    (default :data:`ONE_STEP`; ``None``: the default three-step chain), ``settings_extra`` appended
    to it (other ``REVIEW_*`` settings).  ``config`` overrides the app config (TESTING, SECRET_KEY
    and the folders are set here; the scheduler is off).
    """
    from cms import create_app
    from cms.auth import create_user, make_hasher

    root = make_project(tmp_path / "project")
    if review_steps is not None or settings_extra:
        with (root / "pelicanconf.py").open("a", encoding="utf-8") as conf:
            conf.write("\n" + (f"REVIEW_STEPS = {review_steps!r}\n" if review_steps is not None else "") + settings_extra)
    (root / "publishconf.py").write_text(publishconf if publishconf is not None else publishconf_text(),
                                         encoding="utf-8")
    content = root / "content"
    if content_files is None:
        shutil.rmtree(content)
        shutil.copytree(PROJECT / "content", content, ignore=shutil.ignore_patterns(".*"))
    else:
        write_files(content, content_files)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "content")
    git(root, "commit", "-q", "-m", "Starter content")
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": SECRET_KEY,
        "PROJECT_DIR": root,
        "CONTENT_DIR": content,
        "OUTPUT_DIR": root / "build",
        "INSTANCE_DIR": root / "instance",
        "SCHEDULER": False,
        **(config or {}),
    })
    if users:
        from cms.db import connect

        hasher = make_hasher(app.config)
        conn = connect(app.config["DATABASE"])
        with app.test_request_context():
            for name, spec in users.items():
                if not isinstance(spec, dict):
                    spec = {"roles": [spec] if isinstance(spec, str) else list(spec)}
                create_user(conn, name, spec.get("password", DEFAULT_PASSWORD), spec.get("roles", ()),
                            display_name=spec.get("display_name", name.title()),
                            email=spec.get("email", f"{name}@example.invalid"), ui_lang=spec.get("ui_lang", "zh"),
                            hasher=hasher)
        conn.close()
    return app, app.test_client()


def csrf(client) -> str:
    """The CSRF token of the client's current session (read from the page's meta tag)."""
    page = client.get("/login").get_data(as_text=True)
    match = _CSRF_RE.search(page)
    assert match, "no csrf-token meta tag on /login"
    return match.group(1)


def login(client, username: str, password: str = DEFAULT_PASSWORD, next: str = "/"):
    """Sign in through the form (GET /login for the token, then POST); returns the response
    (302 to ``next`` on success)."""
    token = csrf(client)
    return client.post("/login", data={"csrf_token": token, "username": username, "password": password, "next": next})


def logout(client):
    """POST /logout with the session's token; returns the response."""
    return client.post("/logout", data={"csrf_token": csrf(client)})


def db_rows(app, sql: str, *params) -> list[dict]:
    """Rows of ``sql`` on the app's database, as dicts (a separate connection)."""
    from cms.db import connect

    conn = connect(app.config["DATABASE"])
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def browser_form(html: str, form_id: str = "page-form") -> dict[str, str]:
    """The fields of the form ``form_id`` in ``html`` as a browser sends them (checked boxes
    only, the selected option or else the first, a text area without the line break that
    follows its start tag)."""
    from bs4 import BeautifulSoup

    form = BeautifulSoup(html, "html.parser").find("form", id=form_id)
    data: dict[str, str] = {}
    for el in form.find_all(["input", "select", "textarea"]):
        name = el.get("name")
        if not name or el.get("type") in ("file", "submit", "button"):
            continue
        if el.name == "select":
            option = el.find("option", selected=True) or el.find("option")
            data[name] = option.get("value", option.get_text()) if option else ""
        elif el.name == "textarea":
            text = el.get_text()
            data[name] = text[1:] if text.startswith("\n") else text
        elif el.get("type") == "checkbox":
            if el.has_attr("checked"):
                data[name] = el.get("value", "on")
        else:
            data[name] = el.get("value", "")
    return data
