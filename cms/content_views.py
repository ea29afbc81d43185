"""Registers the content blueprints (``content``, ``translate``, ``history``, ``workflow``, the
review chain's ``review`` and ``comments``, and ``posters``, the poster preview) on the CMS app;
:func:`cms.create_app` calls :func:`register` when this module exists."""

from __future__ import annotations


def register(app) -> None:
    """Register the content blueprints on ``app``, create the workflow tables and read the
    review chain's settings (:func:`cms.review.init_app`: a wrong ``REVIEW_*`` value stops the
    app naming the key)."""
    from . import comments, content, forms, history, posters, review, translate, workflow
    from .db import connect
    from .workflow_db import ensure_schema

    for module in (content, translate, history, workflow, review, comments, posters):
        app.register_blueprint(module.bp)
    conn = connect(app.config["DATABASE"])
    try:
        ensure_schema(conn)
    finally:
        conn.close()
    review.init_app(app)
    app.jinja_env.globals.setdefault("content_lang_names", {"zh": "中文", "ko": "한국어"})
    # the repeat and lunar-date choices of _field.html (cms.forms.control_state)
    app.jinja_env.globals.update(field_controls=forms.control_state, form_module=forms)
