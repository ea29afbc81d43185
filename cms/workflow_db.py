"""The workflow's own tables (scheduled publishing and unpublishing, pending revisions) in
the CMS database.

FOUNDATION's :mod:`cms.db` owns the connection and its tables; this module adds ``schedule``
and ``pending`` idempotently (``CREATE TABLE IF NOT EXISTS``), called on first use.

``pending`` holds changes to published pages saved by users without the reviewer role
(:mod:`cms.pending`): the whole new file text, the live revision it was based on, and its
state.  Each save of a pending change inserts a new row and marks the previous one
``superseded``, so at most one row per page is ``pending`` and earlier texts stay available
as the base of a three-way merge.
"""

from __future__ import annotations

import sqlite3

SCHEMA = """
CREATE TABLE IF NOT EXISTS schedule (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,               -- content-relative file, news/x.zh.md
    action TEXT NOT NULL CHECK (action IN ('publish', 'unpublish')),
    run_at_utc TEXT NOT NULL,         -- ISO 8601 in UTC, 2026-12-01T01:30:00+00:00
    created_by INTEGER,               -- users.id
    created_at TEXT NOT NULL,
    done_at TEXT,                     -- set when the job was claimed and run (or cancelled)
    result TEXT                       -- ok / cancelled / error: ...
);
CREATE INDEX IF NOT EXISTS schedule_due ON schedule (done_at, run_at_utc);
CREATE TABLE IF NOT EXISTS pending (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,               -- content-relative file, news/x.zh.md
    base_revision TEXT NOT NULL,      -- git blob hash of the live file the change started from
    text TEXT NOT NULL,               -- the whole new file text
    revision TEXT NOT NULL,           -- git blob hash of text (the W1 base of the next save)
    author_id INTEGER,                -- users.id of who saved this text
    created_at TEXT NOT NULL,         -- ISO 8601 UTC
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'approved', 'rejected', 'superseded', 'withdrawn')),
    decided_by INTEGER,               -- users.id of the reviewer (or who withdrew it)
    decided_at TEXT,
    note TEXT NOT NULL DEFAULT '',    -- the reviewer's note on a rejection
    commit_id TEXT                    -- the commit written on approval
);
CREATE INDEX IF NOT EXISTS pending_path ON pending (path, state);
"""


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the ``schedule`` and ``pending`` tables and their indexes when missing
    (idempotent, cheap)."""
    conn.executescript(SCHEMA)
