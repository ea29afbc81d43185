"""Previews on the site before anything is public (issue 12 item 4).

"Preview on the site" shows a page that is a draft or in review as the public will see it: the
page, its translations and the lists it will appear in (section, home, tags, calendar), rendered
by the real build with the real theme — but built from a copy of ``content/`` in which that
page and its translations are marked published, into ``INSTANCE_DIR/preview/<key>/``, and served
by the CMS behind sign-in with ``noindex``. Nothing here is ever deployed: the production build
and the deploy targets never read the instance folder.

The ``key`` is a hash of the content files (paths, sizes, modification times) and the page, so
an unchanged site reuses its preview; the newest :data:`KEEP` previews are kept. The search
index is left out of previews; posters come from the build's poster cache.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import threading
from pathlib import Path

from flask import Blueprint, abort, current_app, redirect, send_from_directory

from .auth import login_required
from .publish import publish_lock

bp = Blueprint("site_preview", __name__)
KEEP = 8  # previews kept in the instance folder
PREFIX = "/preview/site"
_STATUS = re.compile(r"^status[ \t]*:.*$", re.M)


def preview_key(content: Path, rel: str) -> str:
    """16 hex characters naming the state of ``content`` (every file's path, size and mtime)
    and the page ``rel``."""
    h = hashlib.sha1(rel.encode())
    for dirpath, dirnames, filenames in os.walk(content):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            st = path.stat()
            h.update(f"{path.relative_to(content)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]


def as_published(text: str) -> str:
    """The file ``text`` with ``status: published`` in its front matter (added when absent)."""
    if not text.startswith("---"):
        return text
    end = text.find("\n---", 3)
    if end < 0:
        return text
    front = text[:end]
    front = _STATUS.sub("status: published", front) if _STATUS.search(front) else front + "\nstatus: published"
    return front + text[end:]


def build_preview(project: Path, content: Path, instance: Path, rel: str) -> tuple[str, Path]:
    """Build the preview of content page ``rel`` (with its translations) and return ``(key,
    output folder)``. Raises ``BuildError``/``SettingsError`` like a build."""
    from jindallae.build import build

    key = preview_key(content, rel)
    root = instance / "preview"
    out = root / key
    if (out / ".complete").is_file():
        return key, out
    root.mkdir(parents=True, exist_ok=True)
    work = root / f"{key}.work-{os.getpid()}-{threading.get_ident()}"
    shutil.rmtree(work, ignore_errors=True)
    try:
        copy = work / "content"
        shutil.copytree(content, copy, ignore=shutil.ignore_patterns(".git"))
        section, name = rel.split("/", 1)
        slug = name.split(".", 1)[0]
        for version in (copy / section).glob(f"{slug}.*.md"):
            version.write_text(as_published(version.read_text(encoding="utf-8")), encoding="utf-8")
        conf = work / "previewconf.py"
        conf.write_text("from pelicanconf import *  # noqa: F401,F403 - the site's own settings\n"
                        f"SITEURL = {PREFIX + '/' + key!r}\n"
                        "SEARCH_ENABLED = False\n", encoding="utf-8")
        # One build folder for every preview (so the build's caches — rendered pages, resized
        # images, posters — are reused), renamed to the preview's key when complete.
        with publish_lock(root / "build.lock"):  # one preview build at a time (threads and processes)
            staging = root / "_build"
            shutil.rmtree(staging, ignore_errors=True)
            build(project, copy, staging, conf, progress=False, cache=True, force=True)
            (staging / ".complete").write_text(rel, encoding="utf-8")
            if out.exists():
                shutil.rmtree(out, ignore_errors=True)
            os.rename(staging, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _prune(root)
    return key, out


def _prune(root: Path) -> None:
    previews = sorted((p for p in root.iterdir() if p.is_dir() and (p / ".complete").is_file()),
                      key=lambda p: p.stat().st_mtime)
    for old in previews[:-KEEP]:
        shutil.rmtree(old, ignore_errors=True)


def page_url(project: Path, rel: str) -> str:
    """The site path of content page ``rel`` (``news/a/``, ``ko/news/a/``)."""
    from jindallae.model import model_from_settings
    from jindallae.settings import load_settings

    model = model_from_settings(load_settings(project))
    section, name = rel.split("/", 1)
    slug, lang = name[:-3].rsplit(".", 1)
    return model.article_url(section, slug, lang)


@bp.get(f"{PREFIX}/page/<path:rel>")
@login_required
def open_preview(rel: str):
    """Build (or reuse) the preview of content page ``rel`` and show the page in it."""
    from jindallae.build import BuildError

    from .i18n import gettext as _

    cfg = current_app.config
    content = Path(cfg["CONTENT_DIR"])
    if not re.fullmatch(r"[a-z0-9-]+/[a-z0-9-]+\.[a-z]{2,3}\.md", rel) or not (content / rel).is_file():
        abort(404)
    try:
        key, _out = build_preview(Path(cfg["PROJECT_DIR"]), content, Path(cfg["INSTANCE_DIR"]), rel)
    except BuildError as exc:
        message = _("The preview cannot be built: %(detail)s", detail="; ".join(exc.errors[:3]))
        return current_app.response_class(message, status=422, mimetype="text/plain")
    return redirect(f"{PREFIX}/{key}/{page_url(Path(cfg['PROJECT_DIR']), rel)}", code=303)


@bp.get(f"{PREFIX}/<key>/")
@bp.get(f"{PREFIX}/<key>/<path:path>")
@login_required
def serve(key: str, path: str = ""):
    """A file of preview ``key``, for signed-in staff only, never indexed."""
    if not re.fullmatch(r"[0-9a-f]{16}", key):
        abort(404)
    root = Path(current_app.config["INSTANCE_DIR"]) / "preview" / key
    if not (root / ".complete").is_file():
        abort(404)
    if path == "" or path.endswith("/"):
        path += "index.html"
    if not (root / path).is_file() and (root / path / "index.html").is_file():
        return redirect(f"{PREFIX}/{key}/{path}/", code=301)
    response = send_from_directory(root, path, max_age=0)
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    # The site's pages as the public sees them (their own styles), still no foreign scripts.
    response.headers["Content-Security-Policy"] = ("default-src 'self'; script-src 'self'; style-src 'self' "
                                                   "'unsafe-inline'; img-src 'self' data:; frame-ancestors 'self'; "
                                                   "base-uri 'none'; object-src 'none'")
    return response
