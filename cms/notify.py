"""Telling people a page waits for them (issue "Government editorial workflow", item 8).

* **In the CMS**: the badge beside **Review** counts the pages waiting at a step the signed-in
  user may pass (:func:`cms.review.badge_count`); the queue marks them "waiting for you".
* **By e-mail** (optional): with ``REVIEW_MAIL`` set in ``pelicanconf.py`` (host, port,
  security ``starttls`` | ``ssl`` | ``none``, sender, username, timeout, cms_url — the password
  only from the environment variable ``JINDALLAE_CMS_SMTP_PASSWORD``), a page that arrives at a
  step is mailed to every active user who may pass it and has an e-mail address (not to those
  who passed an earlier step of the page when ``REVIEW_DISTINCT_PEOPLE``), and a returned page
  to who submitted it — each in their interface language, plain text, with the link to the
  review page.

Mails go out in a background thread (a slow or absent SMTP server never holds up the reviewer;
``timeout`` bounds each connection); a failure is logged and audited as ``mail_failed``, a
sent mail as ``mail_sent`` (the recipients' user names, never the text).  The threads are kept
in ``app.extensions['cms_mail_threads']`` (tests join them).
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
import threading
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Any

from flask import current_app, has_request_context, request

from .i18n import N_, gettext

log = logging.getLogger(__name__)
PASSWORD_ENV = "JINDALLAE_CMS_SMTP_PASSWORD"

SUBJECT_WAITING = N_("[Jindallae CMS] Waiting for you (%(step)s): %(title)s")
BODY_WAITING = N_("The page \"%(title)s\" (%(path)s) is waiting at the review step \"%(step)s\", which you may "
                  "pass. %(who)s sent it on.\n\nOpen it: %(link)s\n")
SUBJECT_RETURNED = N_("[Jindallae CMS] Returned to you: %(title)s")
BODY_RETURNED = N_("%(who)s returned the page \"%(title)s\" (%(path)s) at the review step \"%(step)s\" with this "
                   "comment:\n\n%(comment)s\n\nOpen it: %(link)s\n")


def _users_with_role(role: str) -> list[dict[str, Any]]:
    from .db import get_db

    return [dict(r) for r in get_db().execute(
        "SELECT u.id, u.username, u.display_name, u.email, u.ui_lang FROM users u JOIN user_roles r ON r.user_id = u.id "
        "WHERE r.role = ? AND u.active = 1 AND u.email != '' ORDER BY u.id", (role,))]


def _user(user_id: int | None) -> dict[str, Any] | None:
    from .db import get_db

    if user_id is None:
        return None
    row = get_db().execute("SELECT id, username, display_name, email, ui_lang, active FROM users WHERE id = ?",
                           (user_id,)).fetchone()
    return dict(row) if row is not None and row["active"] and row["email"] else None


def _link(mail: dict[str, Any], rel: str) -> str:
    from flask import url_for

    path = url_for("review.view", rel=rel)
    base = mail.get("cms_url") or (request.host_url if has_request_context() else "")
    return base.rstrip("/") + path


def _name(user: Any) -> str:
    return getattr(user, "name", None) or "Jindallae CMS"


def page_waiting(path: str, title: str, step: Any, by: Any, skip_ids: set[int] | None = None) -> int:
    """Mail everyone who may pass ``step`` of ``path`` (not ``by``, not ``skip_ids``); returns the
    number of mails queued (0 when ``REVIEW_MAIL`` is not set)."""
    from .review import config

    cfg = config()
    if not cfg.mail:
        return 0
    skip = set(skip_ids or ()) | {getattr(by, "id", None)}
    recipients = [u for u in _users_with_role(step.role) if u["id"] not in skip]
    messages = []
    for user in recipients:
        lang = user["ui_lang"]
        args = {"title": title, "path": path, "step": step.label(lang), "who": _name(by), "link": _link(cfg.mail, path)}
        messages.append((user, gettext(SUBJECT_WAITING, lang, **args), gettext(BODY_WAITING, lang, **args)))
    return _send_later(cfg.mail, messages, path)


def page_returned(path: str, title: str, step: Any, by: Any, to_user_id: int | None, comment: str) -> int:
    """Mail who submitted ``path`` that ``by`` returned it at ``step`` with ``comment``."""
    from .review import config

    cfg = config()
    user = _user(to_user_id)
    if not cfg.mail or user is None or user["id"] == getattr(by, "id", None):
        return 0
    lang = user["ui_lang"]
    args = {"title": title, "path": path, "step": step.label(lang), "who": _name(by), "comment": comment,
            "link": _link(cfg.mail, path)}
    return _send_later(cfg.mail, [(user, gettext(SUBJECT_RETURNED, lang, **args), gettext(BODY_RETURNED, lang, **args))],
                       path)


def _send_later(mail: dict[str, Any], messages: list[tuple[dict[str, Any], str, str]], path: str) -> int:
    if not messages:
        return 0
    app = current_app._get_current_object()
    thread = threading.Thread(target=_deliver, args=(app, dict(mail), messages, path), name="jindallae-mail",
                              daemon=True)
    app.extensions.setdefault("cms_mail_threads", []).append(thread)
    thread.start()
    return len(messages)


def build_message(mail: dict[str, Any], user: dict[str, Any], subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = formataddr(("Jindallae CMS", mail["sender"]))
    msg["To"] = formataddr((user["display_name"] or user["username"], user["email"]))
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain=mail["sender"].rsplit("@", 1)[-1])
    msg.set_content(body)
    return msg


def _deliver(app: Any, mail: dict[str, Any], messages: list[tuple[dict[str, Any], str, str]], path: str) -> None:
    """Thread body: one SMTP connection for all ``messages``; the outcome audited."""
    from .db import audit, connect

    names = ", ".join(user["username"] for user, _s, _b in messages)
    try:
        send(mail, [build_message(mail, user, subject, body) for user, subject, body in messages])
        action, detail = "mail_sent", f"to {names}"
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("review mail about %s to %s failed: %s", path, names, exc)
        action, detail = "mail_failed", f"to {names}: {type(exc).__name__}: {exc}"[:500]
    with app.app_context():
        conn = connect(app.config["DATABASE"])
        try:
            audit(action, path, detail, user_id=None, conn=conn, ip="")
        finally:
            conn.close()


def send(mail: dict[str, Any], messages: list[EmailMessage]) -> None:
    """Send ``messages`` through the SMTP server of ``mail`` (``REVIEW_MAIL``) on one
    connection; raises ``OSError`` / ``smtplib.SMTPException`` on failure."""
    host, port = mail["host"], int(mail.get("port", 587))
    timeout = float(mail.get("timeout", 10))
    security = mail.get("security", "starttls")
    context = ssl.create_default_context()
    if security == "ssl":
        server: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        server = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if security == "starttls":
            server.starttls(context=context)
        password = os.environ.get(PASSWORD_ENV, "")
        if mail.get("username") and password:
            server.login(mail["username"], password)
        for message in messages:
            server.send_message(message)
    finally:
        try:
            server.quit()
        except (OSError, smtplib.SMTPException):
            server.close()
