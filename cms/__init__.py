"""Jindallae's editorial CMS: a Flask app that edits the same ``content/`` Markdown files the
site is built from (the files stay the source of truth, git keeps the history).

``create_app(config)`` is the app factory (``gunicorn 'cms:create_app()'`` in production; the
``jindallae cms`` command for local use).  Blueprints: ``auth`` (sign-in, account), ``admin``
(users, roles, audit log), ``media`` (image upload), ``publish`` (checks, production build,
deploy, rollback), and the content blueprints registered by ``cms.content_views.register(app)``
when that module exists.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, g, redirect, render_template, request, url_for

from .i18n import N_

# The Content-Security-Policy of every CMS response (ASVS V14.4.3, V50.x; W3C CSP Level 3): no
# inline scripts or styles, no framing, forms only to this site.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'")

DEFAULTS: dict[str, Any] = {
    "TESTING": False,
    "PRODUCTION": False,
    "SESSION_IDLE_SECONDS": 1800,  # ASVS V3.3.2 idle timeout (30 min)
    "SESSION_ABSOLUTE_SECONDS": 43200,  # absolute session lifetime (12 h)
    "UPLOAD_MAX_BYTES": 20 * 1024 * 1024,  # one image file, bytes
    "UPLOAD_MAX_PIXELS": 40_000_000,  # width x height of an uploaded image
    "LOGIN_MAX_FAILURES_ACCOUNT": 5,  # ASVS V2.2.1: failures per account ...
    "LOGIN_MAX_FAILURES_IP": 20,  # ... and per address ...
    "LOGIN_WINDOW_SECONDS": 900,  # ... within this sliding window (seconds)
    "SCHEDULER_INTERVAL": 30,  # seconds between runs of cms.workflow.run_due
    "TRUSTED_PROXIES": 0,  # reverse proxies in front (nginx: 1) whose X-Forwarded-* is trusted
    "PUBLISH_SETTINGS": "publishconf.py",  # production settings of every CMS publish (relative to the project)
    "DEPLOY_TARGET": None,  # deploy target name (None: DEPLOY_DEFAULT_TARGET or the only one)
}

# Our blueprints (module, attribute); CONTENT's come from cms.content_views.register(app).
BLUEPRINTS = (("cms.auth", "bp"), ("cms.admin", "bp"), ("cms.media", "bp"), ("cms.publish", "bp"), ("cms.wechat", "bp"),
              ("cms.importer", "bp"), ("cms.preview", "bp"))


def _secret_key(instance: Path) -> str:
    """``JINDALLAE_CMS_SECRET_KEY`` from the environment, else a random key kept in
    ``instance/secret_key`` (mode 0600) so sessions survive a restart on a local machine."""
    key = os.environ.get("JINDALLAE_CMS_SECRET_KEY")
    if key:
        return key
    path = instance / "secret_key"
    if path.is_file():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fp:
        fp.write(key)
    return key


def create_app(config: dict | None = None) -> Flask:
    """Create the CMS app.

    ``config`` keys (all optional): ``PROJECT_DIR`` (folder with pelicanconf.py; default found
    from the current folder), ``CONTENT_DIR`` (PROJECT_DIR/content), ``OUTPUT_DIR``
    (PROJECT_DIR/build), ``INSTANCE_DIR`` (PROJECT_DIR/instance), ``DATABASE``
    (INSTANCE_DIR/cms.sqlite3), ``SECRET_KEY`` (env ``JINDALLAE_CMS_SECRET_KEY``, else a key
    stored in the instance folder), ``PRODUCTION`` (env ``JINDALLAE_CMS_PRODUCTION=1``: Secure
    cookies, HSTS), ``TRUSTED_PROXIES`` (env ``JINDALLAE_CMS_PROXIES``), ``SCHEDULER`` (default:
    on unless ``TESTING`` or env ``JINDALLAE_CMS_SCHEDULER=0``), ``PUBLISH_SETTINGS`` (the
    production settings every publish uses, default ``publishconf.py``; env
    ``JINDALLAE_CMS_PUBLISH_SETTINGS``), ``DEPLOY_TARGET`` (env ``JINDALLAE_CMS_DEPLOY_TARGET``;
    default the settings' ``DEPLOY_DEFAULT_TARGET`` or only target) and the limits of
    :data:`DEFAULTS`.
    """
    from jindallae.cli import find_project

    config = dict(config or {})
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.config.update(DEFAULTS)
    app.config["PRODUCTION"] = os.environ.get("JINDALLAE_CMS_PRODUCTION", "") in ("1", "true", "yes")
    if os.environ.get("JINDALLAE_CMS_PROXIES", "").isdigit():
        app.config["TRUSTED_PROXIES"] = int(os.environ["JINDALLAE_CMS_PROXIES"])
    for key in ("PUBLISH_SETTINGS", "DEPLOY_TARGET"):
        if os.environ.get(f"JINDALLAE_CMS_{key}"):
            app.config[key] = os.environ[f"JINDALLAE_CMS_{key}"]
    app.config.update(config)
    project = Path(app.config.get("PROJECT_DIR") or find_project(Path.cwd())).resolve()
    app.config["PROJECT_DIR"] = project
    app.config["CONTENT_DIR"] = Path(app.config.get("CONTENT_DIR") or project / "content").resolve()
    app.config["OUTPUT_DIR"] = Path(app.config.get("OUTPUT_DIR") or project / "build").resolve()
    instance = Path(app.config.get("INSTANCE_DIR") or project / "instance").resolve()
    app.config["INSTANCE_DIR"] = instance
    app.config["DATABASE"] = Path(app.config.get("DATABASE") or instance / "cms.sqlite3")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(instance)
    if "SCHEDULER" not in config:  # env JINDALLAE_CMS_SCHEDULER=0: schedule run by cron instead
        app.config["SCHEDULER"] = not app.config["TESTING"] and os.environ.get("JINDALLAE_CMS_SCHEDULER", "1") != "0"
    # Cookies (ASVS V3.4.1-3): not readable by scripts, not sent cross-site, HTTPS-only in production.
    app.config.update(
        SESSION_COOKIE_NAME="jindallae_cms",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(app.config["PRODUCTION"]),
        # The request limit: one image plus the rest of the form (413 above it).
        MAX_CONTENT_LENGTH=int(app.config["UPLOAD_MAX_BYTES"]) + 1024 * 1024,
        TEMPLATES_AUTO_RELOAD=not app.config["PRODUCTION"],
    )
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    from . import auth, db, i18n

    db.init_db(app)
    from .publish import recover_interrupted_runs

    recover_interrupted_runs(app.config["DATABASE"], instance)
    i18n.init_i18n(app)
    auth.init_auth(app)
    for module, attr in BLUEPRINTS:
        if importlib.util.find_spec(module) is not None:
            app.register_blueprint(getattr(importlib.import_module(module), attr))
    if importlib.util.find_spec("cms.content_views") is not None:
        importlib.import_module("cms.content_views").register(app)
    if not any(rule.rule == "/" for rule in app.url_map.iter_rules()):
        app.add_url_rule("/", "home", _home)
    _install_responses(app)
    app.jinja_env.globals["nav_links"] = nav_links
    if app.config["SCHEDULER"]:
        from .scheduler import start_scheduler

        start_scheduler(app)
    return app


def _home():
    """Start page when the content list is not installed: the account page (or sign-in)."""
    return redirect(url_for("auth.account"))


# Navigation: (URL path of a GET rule, label).  An entry is shown when the rule exists and the
# user holds one of the roles its view requires (``roles_required`` records them).
NAV = (
    ("/", N_("Content")),
    ("/new", N_("New page")),
    ("/translate/", N_("Translations")),
    ("/workflow/", N_("Review")),
    ("/publish", N_("Publish")),
    ("/media/", N_("Images")),
    ("/admin/users", N_("Users")),
    ("/admin/audit", N_("Audit log")),
)


def nav_links() -> list[tuple[str, str, bool]]:
    """``[(url, label, current)]`` of the navigation for the signed-in user: the routes of
    :data:`NAV` that exist in this app and that the user's roles allow."""
    from flask import current_app

    from .i18n import gettext

    user = g.get("user")
    if user is None:
        return []
    views = {rule.rule: current_app.view_functions[rule.endpoint]
             for rule in current_app.url_map.iter_rules() if "GET" in rule.methods}
    out = []
    for path, label in NAV:
        key = path.rstrip("/") or "/"
        view = views.get(path)
        if view is None:
            continue
        roles = getattr(view, "cms_roles", ())
        if roles and not any(user.can(r) for r in roles):
            continue
        current = request.path == path or (path != "/" and request.path.startswith(key + "/"))
        out.append((path, gettext(label), current))
    return out


def _install_responses(app: Flask) -> None:
    """Security headers on every response and the error pages (403, 404, 413, 500)."""

    @app.after_request
    def _headers(response):
        h = response.headers
        if "Content-Security-Policy" not in h:  # site previews set their own (cms.preview)
            h["Content-Security-Policy"] = CSP
        h["X-Content-Type-Options"] = "nosniff"
        h["Referrer-Policy"] = "same-origin"
        h["X-Frame-Options"] = "DENY"
        h["Cross-Origin-Opener-Policy"] = "same-origin"
        h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if app.config["PRODUCTION"]:
            h["Strict-Transport-Security"] = "max-age=31536000"
        if request.endpoint != "static":
            # Authenticated pages must not be kept by the browser or a proxy (ASVS V8.2.1).
            h["Cache-Control"] = "no-store"
        return response

    from .auth import wants_json
    from .i18n import gettext as _

    def _error(code: int, template: str, title: str, message: str):
        if wants_json():
            from flask import jsonify

            return jsonify(error=message), code
        return render_template(template, code=code, title=title, message=message, kept=[]), code

    @app.errorhandler(403)
    def _forbidden(_exc):
        return _error(403, "403.html", _("Not allowed"),
                      _("Your roles do not allow this page or action. Ask an administrator if you need it."))

    @app.errorhandler(404)
    def _not_found(_exc):
        return _error(404, "404.html", _("Page not found"), _("There is no page at this address."))

    @app.errorhandler(413)
    def _too_large(_exc):
        from .i18n import format_size

        if request.endpoint != "media.upload":  # a page form, not an image: no talk of photos
            return _error(413, "error.html", _("Too large"),
                          _("What you sent is larger than %(size)s, so nothing was saved. The editor keeps your "
                            "text in this browser: go back, shorten the text (or split the page) and save again.",
                            size=format_size(app.config["MAX_CONTENT_LENGTH"])))
        return _error(413, "error.html", _("File too large"),
                      _("The file is larger than %(size)s. Make it smaller (for a photo: save it at a lower "
                        "resolution) and try again.", size=format_size(app.config["UPLOAD_MAX_BYTES"])))

    @app.errorhandler(400)
    def _bad_request(exc):
        # Werkzeug's generic English description is replaced by ours; a specific one is kept.
        description = getattr(exc, "description", None)
        if description == type(exc).description:
            description = None
        return _error(400, "error.html", _("Bad request"), description or _("The request could not be understood."))

    @app.errorhandler(500)
    def _server_error(_exc):
        return _error(500, "error.html", _("Something went wrong"),
                      _("An unexpected error happened; nothing was reported as done. Try again, and tell an "
                        "administrator if it happens again."))
