"""SQLite storage of the CMS: users, roles, sessions, login attempts, the audit log, publish runs.

The audit log is append-only and hash-chained (migration 3): every row stores the SHA-256 of its
content and of the previous row's hash (:func:`audit_row_hash`), triggers refuse UPDATE and
DELETE on it, and :func:`verify_audit` (``jindallae cms audit verify``) finds the first row that
was changed or deleted behind the CMS's back.

One connection per request (kept on :data:`flask.g`, closed at teardown) with foreign keys on
and the write-ahead log, so the scheduler thread, a ``jindallae cms`` command and the web
process can use the same file.  The schema is created idempotently by :func:`init_db` and
migrated step by step with the ``schema_version`` table (one integer row).

Tables of the CONTENT side are created by ``cms/workflow_db.py`` (``ensure_schema(conn)``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from flask import current_app, g, has_app_context, has_request_context, request

AUDIT_HASH_FUNCTION = "cms_audit_hash"  # SQL function registered on every connection (see connect)


def audit_row_hash(row_id: int, at: str, user_id: int | None, action: str, target: str, detail: str, ip: str,
                   prev_hash: str) -> str:
    """The SHA-256 (hex) of one audit row: of the JSON array ``[id, at, user_id, action, target,
    detail, ip, prev_hash]`` (UTF-8, no spaces, non-ASCII kept: ``json.dumps(..., ensure_ascii=False,
    separators=(",", ":"))``).  ``prev_hash`` is the hash of the row before (``''`` for the
    first), so changing or deleting any row breaks every hash after it (a hash chain)."""
    data = json.dumps([row_id, at, user_id, action, target, detail, ip, prev_hash], ensure_ascii=False,
                      separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _sql_audit_hash(row_id, at, user_id, action, target, detail, ip, prev_hash) -> str:
    return audit_row_hash(row_id, at, user_id, action, target or "", detail or "", ip or "", prev_hash or "")


# The audit log is append-only (migration 3): a new row gets its hash from the trigger below,
# inside the INSERT statement (which holds SQLite's write lock, so two writers cannot chain to
# the same row); changing or deleting a row is refused.  The function only exists on
# connections made by :func:`connect`: a plain ``sqlite3`` shell cannot even add a row.
AUDIT_TRIGGERS = f"""
CREATE TRIGGER IF NOT EXISTS audit_log_chain AFTER INSERT ON audit_log WHEN NEW.hash IS NULL
BEGIN
    UPDATE audit_log SET
        prev_hash = coalesce((SELECT hash FROM audit_log WHERE id < NEW.id ORDER BY id DESC LIMIT 1), ''),
        hash = {AUDIT_HASH_FUNCTION}(NEW.id, NEW.at, NEW.user_id, NEW.action, NEW.target, NEW.detail, NEW.ip,
            coalesce((SELECT hash FROM audit_log WHERE id < NEW.id ORDER BY id DESC LIMIT 1), ''))
    WHERE id = NEW.id;
END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log WHEN OLD.hash IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be changed');
END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be deleted');
END;
"""


def append_only(table: str) -> str:
    """SQL creating triggers that refuse UPDATE and DELETE on ``table`` (for other records that
    must not be edited afterwards, e.g. review decisions): ``conn.executescript(append_only("x"))``."""
    if not table.isidentifier():
        raise ValueError(f"not a table name: {table!r}")
    return (f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} BEGIN "
            f"SELECT RAISE(ABORT, '{table} is append-only: rows cannot be changed'); END;\n"
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} BEGIN "
            f"SELECT RAISE(ABORT, '{table} is append-only: rows cannot be deleted'); END;\n")


def _migration_3(conn: sqlite3.Connection) -> None:
    """3: the audit log becomes a hash chain (existing rows chained in id order) and
    append-only; users get ``must_change_password`` (a password set by an administrator must
    be replaced at the first sign-in)."""
    conn.execute("ALTER TABLE audit_log ADD COLUMN prev_hash TEXT NOT NULL DEFAULT ''")
    conn.execute("ALTER TABLE audit_log ADD COLUMN hash TEXT")
    prev = ""
    rows = conn.execute("SELECT id, at, user_id, action, target, detail, ip FROM audit_log ORDER BY id").fetchall()
    for row in rows:
        digest = audit_row_hash(row["id"], row["at"], row["user_id"], row["action"], row["target"], row["detail"],
                                row["ip"], prev)
        conn.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, row["id"]))
        prev = digest
    for statement in AUDIT_TRIGGERS.split("END;"):
        if statement.strip():
            conn.execute(statement + "END;")
    conn.execute("ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0")


# Migration steps, in order: schema_version N means MIGRATIONS[:N] have been applied.  A step is
# an SQL script or a function of the connection (run inside the step's transaction).
MIGRATIONS: tuple[str | Callable[[sqlite3.Connection], None], ...] = (
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
    # 2: publishing goes through deploy targets; the log page shows the run step by step.
    # ``kind``: publish | rollback; ``report``: JSON written by cms.publish.RunRecorder (steps,
    # their times and translatable notes); ``log`` stays the technical log (English).
    """
    ALTER TABLE publish_runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'publish';
    ALTER TABLE publish_runs ADD COLUMN report TEXT NOT NULL DEFAULT '';
    """,
    # 3: the audit log is hash-chained and append-only; users.must_change_password.
    _migration_3,
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
    conn.create_function(AUDIT_HASH_FUNCTION, 8, _sql_audit_hash, deterministic=True)
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
    for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
        if callable(step):
            conn.execute("BEGIN IMMEDIATE")
            try:
                if conn.execute("SELECT version FROM schema_version").fetchone()[0] >= number:
                    conn.execute("ROLLBACK")  # another process migrated meanwhile
                    continue
                step(conn)
                conn.execute("UPDATE schema_version SET version = ?", (number,))
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            continue
        # executescript commits first; the BEGIN makes the step and its version bump atomic.
        conn.executescript(f"BEGIN IMMEDIATE;\n{step}\nUPDATE schema_version SET version = {number};\nCOMMIT;")
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
    # The trigger audit_log_chain fills prev_hash and hash in the same statement.
    db.execute("INSERT INTO audit_log (at, user_id, action, target, detail, ip) VALUES (?, ?, ?, ?, ?, ?)",
               (utc_now_iso(), user_id, action, target, detail, client_ip() if ip is None else ip))


# ---------------------------------------------------------------------------------------------
# Checking the audit chain


@dataclass(frozen=True)
class AuditCheck:
    """The result of :func:`verify_audit`.  ``bad_id`` is the id of the first row that is not
    what was written (``None`` when the chain is intact); ``problem`` says how: ``changed`` (the
    row's content no longer matches its hash), ``deleted`` (rows are missing: ``bad_id`` is the
    first missing id, ``next_id`` the row that follows the gap), ``relinked`` (the row does not
    follow the row before it: that one was changed and re-hashed, or this one's link was
    edited) or ``unhashed``.  ``rows`` rows were checked; ``head`` is the last row's hash (note
    it down, or keep an export: removing rows at the end leaves no trace in the chain itself)."""

    rows: int
    head: str
    last_id: int | None
    bad_id: int | None = None
    problem: str = ""
    next_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.bad_id is None


def verify_audit(conn: sqlite3.Connection) -> AuditCheck:
    """Recompute the hash chain of the audit log row by row (see :func:`audit_row_hash`); the
    first row that does not match is reported."""
    prev_hash, prev_id, count = "", 0, 0
    for row in conn.execute("SELECT id, at, user_id, action, target, detail, ip, prev_hash, hash FROM audit_log "
                            "ORDER BY id"):
        count += 1
        rid = row["id"]
        if not row["hash"]:
            return AuditCheck(count, prev_hash, prev_id or None, rid, "unhashed")
        if row["prev_hash"] != prev_hash:
            if rid != prev_id + 1:
                return AuditCheck(count, prev_hash, prev_id or None, prev_id + 1, "deleted", rid)
            return AuditCheck(count, prev_hash, prev_id or None, rid, "relinked")
        expected = audit_row_hash(rid, row["at"], row["user_id"], row["action"], row["target"], row["detail"],
                                  row["ip"], row["prev_hash"])
        if expected != row["hash"]:
            return AuditCheck(count, prev_hash, prev_id or None, rid, "changed")
        prev_hash, prev_id = row["hash"], rid
    return AuditCheck(count, prev_hash, prev_id or None)


def audit_entries(conn: sqlite3.Connection, where: str = "", params: tuple = (), order: str = "ASC",
                  limit: int | None = None, offset: int = 0) -> Iterator[dict]:
    """Audit rows joined with the user name (``username``; ``None`` for the system), in id
    order; ``where`` is an SQL condition on ``a`` (audit_log) and ``u`` (users)."""
    sql = ("SELECT a.*, u.username FROM audit_log a LEFT JOIN users u ON u.id = a.user_id"
           + (f" WHERE {where}" if where else "") + f" ORDER BY a.id {'DESC' if order == 'DESC' else 'ASC'}")
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params = (*params, limit, offset)
    for row in conn.execute(sql, params):
        yield dict(row)
