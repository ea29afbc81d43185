"""Registers the content blueprints (``content``, ``translate``, ``history``, ``workflow``)
on the CMS app; :func:`cms.create_app` calls :func:`register` when this module exists."""

from __future__ import annotations


def register(app) -> None:
    """Register the content blueprints on ``app`` and create the workflow table."""
    from . import content, history, translate, workflow
    from .db import connect
    from .workflow_db import ensure_schema

    for module in (content, translate, history, workflow):
        app.register_blueprint(module.bp)
    conn = connect(app.config["DATABASE"])
    try:
        ensure_schema(conn)
    finally:
        conn.close()
    app.jinja_env.globals.setdefault("content_lang_names", {"zh": "中文", "ko": "한국어"})
