"""The workflow's own tables (scheduled publishing and unpublishing) in the CMS database.

FOUNDATION's :mod:`cms.db` owns the connection and its tables; this module adds
``schedule`` idempotently (``CREATE TABLE IF NOT EXISTS``), called on first use.
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
"""


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the ``schedule`` table and its index when missing (idempotent, cheap)."""
    conn.executescript(SCHEMA)
