"""Administration (role ``admin``): users, their roles, deactivation, passwords, the audit log.

Every change is written to the audit log (ASVS V7.1.3/V7.2.2: security-relevant events, with
who did it).  The last active administrator can neither lose the admin role nor be
deactivated, so the CMS can always be administered (checked inside one write transaction).
A password an administrator sets (new user, reset) must be replaced by its user at the first
sign-in.  The audit log page shows what happened in the reader's language (action names,
details, page titles, Beijing time), whether the hash chain is intact, and downloads the log
as CSV (a POST: the download itself is audited).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import sqlite3

from flask import Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request, url_for

from .auth import (ROLES, PasswordPolicyError, create_user, hash_password, hidden_characters, password_problems,
                   roles_required)
from .db import audit, audit_entries, get_db, verify_audit
from .i18n import BEIJING, LANGUAGES, _, get_lang
from .records import ACTION_NAMES, action_name, audit_csv, describe_detail, known_action, page_title

bp = Blueprint("admin", __name__, url_prefix="/admin")
AUDIT_PAGE = 100  # rows per page of the audit log


def generate_password() -> str:
    """A random initial password: 16 URL-safe characters (96 bits), shown to the admin once."""
    return secrets.token_urlsafe(12)


def _user_rows(conn: sqlite3.Connection) -> list[dict]:
    rows = []
    for row in conn.execute("SELECT * FROM users ORDER BY username COLLATE NOCASE"):
        roles = [r[0] for r in conn.execute("SELECT role FROM user_roles WHERE user_id = ? ORDER BY role", (row["id"],))]
        last = conn.execute("SELECT at FROM audit_log WHERE user_id = ? AND action = 'login' ORDER BY id DESC LIMIT 1",
                            (row["id"],)).fetchone()
        rows.append({**dict(row), "roles": roles, "last_login": last[0] if last else None})
    return rows


def _get_user(conn: sqlite3.Connection, user_id: int) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
    if row is None:
        abort(404)
    return row


def _other_active_admins(conn: sqlite3.Connection, user_id: int) -> int:
    return conn.execute("SELECT count(*) FROM users u JOIN user_roles r ON r.user_id = u.id "
                        "WHERE r.role = 'admin' AND u.active = 1 AND u.id != ?", (user_id,)).fetchone()[0]


@bp.route("/users")
@roles_required("admin")
def users():
    """The list of users with their roles and a form to create one."""
    return render_template("admin_users.html", users=_user_rows(get_db()), form={}, problems=[])


@bp.route("/users", methods=["POST"])
@roles_required("admin")
def create():
    """POST ``username``, ``display_name``, ``email``, ``ui_lang``, ``roles`` (several),
    ``password`` (empty: a random one is generated and shown once on the answer page)."""
    conn = get_db()
    form = request.form
    roles = [r for r in form.getlist("roles") if r in ROLES]
    password = form.get("password", "")
    generated = not password
    if generated:
        password = generate_password()
    try:
        user_id = create_user(conn, form.get("username", ""), password, roles, display_name=form.get("display_name", ""),
                              email=form.get("email", ""), ui_lang=form.get("ui_lang", "zh"), must_change_password=True)
    except PasswordPolicyError as exc:
        return render_template("admin_users.html", users=_user_rows(conn), form=form, problems=exc.problems), 400
    except ValueError as exc:
        return render_template("admin_users.html", users=_user_rows(conn), form=form, problems=[str(exc)]), 400
    username = conn.execute("SELECT username FROM users WHERE id = ?", (user_id,)).fetchone()[0]
    audit("user_create", username, "roles: " + (", ".join(sorted(roles)) or "-"))
    return render_template("admin_user_created.html", username=username, user_id=user_id,
                           password=password if generated else None, roles=roles)


@bp.route("/users/<int:user_id>")
@roles_required("admin")
def edit(user_id: int):
    """One user: profile, roles, active state, password reset."""
    conn = get_db()
    row = _get_user(conn, user_id)
    user = next(u for u in _user_rows(conn) if u["id"] == row["id"])
    return render_template("admin_user.html", user=user, problems=[], password=None)


def _render_edit(user_id: int, problems: list[str], status: int = 400, password: str | None = None):
    user = next(u for u in _user_rows(get_db()) if u["id"] == user_id)
    return render_template("admin_user.html", user=user, problems=problems, password=password), status


@bp.route("/users/<int:user_id>/roles", methods=["POST"])
@roles_required("admin")
def set_roles(user_id: int):
    """POST ``roles`` (several): the user's roles become exactly these.  Each added or removed
    role is audited; removing the admin role of the last active admin is refused."""
    conn = get_db()
    row = _get_user(conn, user_id)
    wanted = {r for r in request.form.getlist("roles") if r in ROLES}
    conn.execute("BEGIN IMMEDIATE")
    try:
        have = {r[0] for r in conn.execute("SELECT role FROM user_roles WHERE user_id = ?", (user_id,))}
        if "admin" in have and "admin" not in wanted and row["active"] and _other_active_admins(conn, user_id) == 0:
            conn.execute("ROLLBACK")
            return _render_edit(user_id, [_("%(name)s is the last administrator: give another user the administrator "
                                            "role first.", name=row["username"])], 409)
        for role in sorted(wanted - have):
            conn.execute("INSERT INTO user_roles (user_id, role) VALUES (?, ?)", (user_id, role))
            audit("role_add", row["username"], role)
        for role in sorted(have - wanted):
            conn.execute("DELETE FROM user_roles WHERE user_id = ? AND role = ?", (user_id, role))
            audit("role_remove", row["username"], role)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    flash(_("Roles of %(name)s saved.", name=row["username"]), "success")
    return redirect(url_for("admin.edit", user_id=user_id))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@roles_required("admin")
def set_active(user_id: int):
    """POST ``active`` ('1' or '0'): reactivate or deactivate (sessions of a deactivated user end
    at once; the last active admin cannot be deactivated)."""
    conn = get_db()
    row = _get_user(conn, user_id)
    active = request.form.get("active") == "1"
    conn.execute("BEGIN IMMEDIATE")
    try:
        is_admin = conn.execute("SELECT 1 FROM user_roles WHERE user_id = ? AND role = 'admin'", (user_id,)).fetchone()
        if not active and is_admin and row["active"] and _other_active_admins(conn, user_id) == 0:
            conn.execute("ROLLBACK")
            return _render_edit(user_id, [_("%(name)s is the last administrator and cannot be deactivated.",
                                            name=row["username"])], 409)
        conn.execute("UPDATE users SET active = ? WHERE id = ?", (int(active), user_id))
        if not active:
            conn.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,))
        audit("user_activate" if active else "user_deactivate", row["username"])
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    flash(_("%(name)s can sign in again.", name=row["username"]) if active
          else _("%(name)s is deactivated and signed out.", name=row["username"]), "success")
    return redirect(url_for("admin.edit", user_id=user_id))


@bp.route("/users/<int:user_id>/profile", methods=["POST"])
@roles_required("admin")
def set_profile(user_id: int):
    """POST ``display_name``, ``email``, ``ui_lang``: the user's profile (the display name and
    e-mail address are the git author of the user's saves)."""
    conn = get_db()
    row = _get_user(conn, user_id)
    ui_lang = request.form.get("ui_lang", row["ui_lang"])
    if ui_lang not in LANGUAGES:
        return _render_edit(user_id, [_("Unknown language: %(lang)s", lang=ui_lang)])
    display, email = request.form.get("display_name", "").strip(), request.form.get("email", "").strip()
    if hidden_characters(display) or hidden_characters(email):
        return _render_edit(user_id, [_("The display name and the e-mail address may not contain invisible or "
                                        "control characters.")])
    conn.execute("UPDATE users SET display_name = ?, email = ?, ui_lang = ? WHERE id = ?", (display, email, ui_lang, user_id))
    audit("user_update", row["username"], f"display_name={display!r} email={email!r} ui_lang={ui_lang}")
    flash(_("Profile of %(name)s saved.", name=row["username"]), "success")
    return redirect(url_for("admin.edit", user_id=user_id))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@roles_required("admin")
def reset_password(user_id: int):
    """POST ``password`` (empty: generate one, shown once): set a new password for the user; the
    user's sessions end."""
    conn = get_db()
    row = _get_user(conn, user_id)
    password = request.form.get("password", "")
    generated = not password
    if generated:
        password = generate_password()
    problems = password_problems(password, row["username"])
    if problems:
        return _render_edit(user_id, problems)
    # Somebody else's password: a first password, to be replaced at their next sign-in.
    conn.execute("UPDATE users SET password_hash = ?, must_change_password = ? WHERE id = ?",
                 (hash_password(password), int(user_id != g.user.id), user_id))
    if user_id != g.user.id:
        conn.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,))
    audit("password_reset", row["username"])
    return _render_edit(user_id, [], 200, password=password if generated else "")


def _audit_filter() -> tuple[str, str, str, tuple]:
    """``(user, action, where, params)`` of the audit log filter in the request."""
    user = request.values.get("user", "").strip()
    action = request.values.get("action", "").strip()
    where, params = [], []
    if user:
        where.append("u.username = ?")
        params.append(user)
    if action:
        where.append("a.action = ?")
        params.append(action)
    return user, action, " AND ".join(where), tuple(params)


def _shown(row: dict, titles: dict) -> dict:
    """An audit row as the page shows it: the action's name, the detail in the reader's language
    (or as recorded: ``detail_raw``), a page title for a content path (the path as a detail)."""
    detail = describe_detail(row["action"], row["detail"], html=True)
    target = row["target"] or ""
    title = None
    if re.fullmatch(r"[\w./-]+\.md", target):
        if target not in titles:
            titles[target] = page_title(current_app.config["CONTENT_DIR"], target)
        title = titles[target]
    technical = target.startswith("/") or re.fullmatch(r"[\w./-]+\.(md|jpg|jpeg|png|webp)", target) is not None
    return {**row, "action_name": action_name(row["action"]), "known": known_action(row["action"]),
            "detail_text": detail, "detail_raw": row["detail"] if detail is None else "",
            "target_title": title, "target_technical": technical}


def page_number(text: str | None, last: int) -> int:
    """The 1-based page number asked for in ``text`` (a query argument), between 1 and ``last``:
    no number, a broken one or one past the end (``999999999999999999999`` would not even fit
    SQLite's integers) gives the nearest page that exists."""
    text = (text or "").strip()
    number = int(text) if text.isascii() and text.isdigit() else 1
    return min(max(1, number), last)


@bp.route("/audit")
@roles_required("admin")
def audit_log():
    """The audit log, newest first, filtered by ``user`` (user name) and ``action``; ``page``
    (1-based) of :data:`AUDIT_PAGE` rows; with the result of the hash chain check."""
    conn = get_db()
    user, action, where, params = _audit_filter()
    count = conn.execute("SELECT COUNT(*) FROM audit_log a LEFT JOIN users u ON u.id = a.user_id"
                         + (f" WHERE {where}" if where else ""), params).fetchone()[0]
    page = page_number(request.args.get("page"), max(1, -(-count // AUDIT_PAGE)))
    rows = list(audit_entries(conn, where, params, order="DESC", limit=AUDIT_PAGE + 1, offset=(page - 1) * AUDIT_PAGE))
    more = len(rows) > AUDIT_PAGE
    titles: dict = {}
    rows = [_shown(r, titles) for r in rows[:AUDIT_PAGE]]
    codes = {r[0] for r in conn.execute("SELECT DISTINCT action FROM audit_log")} | set(ACTION_NAMES)
    actions = sorted(((c, action_name(c)) for c in codes if known_action(c) or c == action), key=lambda a: a[1])
    usernames = [r[0] for r in conn.execute("SELECT username FROM users ORDER BY username COLLATE NOCASE")]
    return render_template("admin_audit.html", rows=rows, more=more, page=page, user=user, action=action,
                           actions=actions, usernames=usernames, check=verify_audit(conn))


@bp.route("/audit/export", methods=["POST"])
@roles_required("admin")
def audit_export():
    """POST (``user``, ``action`` as the page's filter): the audit log as CSV in the reader's
    language (a file download, see :func:`cms.records.write_audit_csv`); the download is audited."""
    conn = get_db()
    user, action, where, params = _audit_filter()
    audit("audit_export", "", f"user={user} action={action}" if (user or action) else "")
    text = audit_csv(conn, where, params)
    stamp = dt.datetime.now(BEIJING)
    name = f"audit-log-{stamp:%Y%m%d-%H%M%S}-{get_lang()}.csv"
    return Response(text.encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
