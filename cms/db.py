"""SQLite storage of the CMS: users, roles, sessions, login attempts, the audit log, publish runs.

One connection per request (kept on :data:`flask.g`, closed at teardown) with foreign keys on
and the write-ahead log, so the scheduler thread, a ``jindallae cms`` command and the web
process can use the same file.  The schema is created idempotently by :func:`init_db` and
migrated step by step with the ``schema_version`` table (one integer row).

Tables of the CONTENT side are created by ``cms/workflow_db.py`` (``ensure_schema(conn)``).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

from flask import current_app, g, has_app_context, has_request_context, request

# Migration steps, in order: schema_version N means MIGRATIONS[:N] have been applied.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name TEXT NOT NULL DEFAULT '',
        email TEXT NOT NULL DEFAULT '',
        password_hash TEXT NOT NULL,
        ui_lang TEXT NOT NULL DEFAULT 'zh' CHECK (ui_lang IN ('zh', 'ko')),
        active INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL
    );
    CREATE TABLE user_roles (
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        role TEXT NOT NULL,
        PRIMARY KEY (user_id, role)
    );
    -- id is the SHA-256 of the secret session token held in the cookie (ASVS V3.2.2/V3.5):
    -- a copy of the database does not let anybody take over a session.
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at REAL NOT NULL,
        last_seen REAL NOT NULL,
        ip TEXT NOT NULL DEFAULT '',
        user_agent TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX sessions_user ON sessions(user_id);
    CREATE TABLE login_attempts (
        id INTEGER PRIMARY KEY,
        at REAL NOT NULL,
        username TEXT NOT NULL,
        ip TEXT NOT NULL,
        ok INTEGER NOT NULL
    );
    CREATE INDEX login_attempts_user ON login_attempts(username, at);
    CREATE INDEX login_attempts_ip ON login_attempts(ip, at);
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT '',
        ip TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX audit_log_action ON audit_log(action, at);
    CREATE INDEX audit_log_user ON audit_log(user_id, at);
    CREATE TABLE publish_runs (
        id INTEGER PRIMARY KEY,
        user TEXT NOT NULL DEFAULT '',
        queued REAL NOT NULL,
        started REAL,
        finished REAL,
        ok INTEGER,
        log TEXT NOT NULL DEFAULT ''
    );
    """,
)


def utc_now_iso() -> str:
    """The current time in UTC as ISO 8601 with seconds (``2026-11-29T22:10:08+00:00``)."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def connect(path: str | Path) -> sqlite3.Connection:
    """A new connection to the database file ``path`` (rows as :class:`sqlite3.Row`, foreign keys
    on, WAL journal, 10 s busy timeout).  The folder is created when missing."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA busy_timeout=10000")
    return conn


def migrate(conn: sqlite3.Connection) -> int:
    """Apply the missing :data:`MIGRATIONS` in one transaction each; returns the schema version."""
    conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    row = conn.execute("SELECT version FROM schema_version").fetchone()
    if row is None:
        conn.execute("INSERT INTO schema_version (version) VALUES (0)")
        version = 0
    else:
        version = row[0]
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        # executescript commits first; the BEGIN makes the step and its version bump atomic.
        conn.executescript(f"BEGIN IMMEDIATE;\n{script}\nUPDATE schema_version SET version = {number};\nCOMMIT;")
    return len(MIGRATIONS)


def init_db(app) -> None:
    """Create or migrate the database of ``app`` (``app.config['DATABASE']``); idempotent."""
    conn = connect(app.config["DATABASE"])
    try:
        migrate(conn)
    finally:
        conn.close()
    app.teardown_appcontext(close_db)


def get_db() -> sqlite3.Connection:
    """The connection of the current app context (opened on first use, closed at teardown)."""
    if "cms_db" not in g:
        g.cms_db = connect(current_app.config["DATABASE"])
    return g.cms_db


def close_db(_exc: BaseException | None = None) -> None:
    """Close the app context's connection (registered as a teardown handler)."""
    conn = g.pop("cms_db", None)
    if conn is not None:
        conn.close()


def client_ip() -> str:
    """The client's address of the current request ('' outside a request).  Behind a reverse
    proxy set ``TRUSTED_PROXIES`` so that werkzeug's ProxyFix fills this from X-Forwarded-For."""
    if has_request_context():
        return request.remote_addr or ""
    return ""


def audit(action: str, target: str = "", detail: str = "", *, user_id: int | None | Any = ...,
          conn: sqlite3.Connection | None = None, ip: str | None = None) -> None:
    """Append an entry to the audit log (ASVS V7.1/V7.2: security events are logged with who,
    what, when and from where; never a password or a token).

    ``action`` is a short code (``login``, ``login_failed``, ``logout``, ``role_add``,
    ``publish`` ...), ``target`` what it acted on (a user name, a file), ``detail`` free text.
    The user is the signed-in user of the request unless ``user_id`` is given; outside a request
    (scheduler thread, CLI) it is ``None``; ``ip`` defaults to the request's client address.
    Needs an app context (or ``conn``).
    """
    if user_id is ...:
        user = g.get("user") if has_app_context() else None
        user_id = user.id if user is not None else None
    db = conn if conn is not None else get_db()
    db.execute("INSERT INTO audit_log (at, user_id, action, target, detail, ip) VALUES (?, ?, ?, ?, ?, ?)",
               (utc_now_iso(), user_id, action, target, detail, client_ip() if ip is None else ip))
