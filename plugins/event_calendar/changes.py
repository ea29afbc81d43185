"""When each content file was created and last changed, for DTSTAMP, CREATED and LAST-MODIFIED,
and how often it was revised, for SEQUENCE (RFC 5545 3.8.7.4).

In a git work tree: the commit times of each file, from one ``git log`` over all of them (plus
one ``git diff`` to find files changed since the last commit; for those the change time is
the file's modification time, never earlier than the commit).  A file that is not committed,
and every file outside git, falls back to its front matter (``date`` for created, ``updated``
or else ``date`` for changed) and revision 0.  Never the build time, so two builds of the same
content give the same stamps.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

UTC = dt.timezone.utc


def _git(root: Path, *args: str) -> str | None:
    """Output of ``git -C root args`` or ``None`` when git is missing or fails (not a work tree)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}  # the content's own repo
    try:
        proc = subprocess.run(["git", "-C", str(root), "-c", "core.quotepath=off", *args], capture_output=True,
                              env=env, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    return proc.stdout.decode("utf-8", "replace")


class FileTimes(NamedTuple):
    """A content file's history: ``created`` and ``changed`` (UTC), and ``sequence``, the number
    of revisions after the first (commits, plus one for an edit not yet committed)."""

    created: dt.datetime
    changed: dt.datetime
    sequence: int = 0


def git_times(root: Path, rels: list[str]) -> dict[str, FileTimes]:
    """``{rel: FileTimes(first commit time, last commit time, commits - 1)}`` of the committed
    files among ``rels`` (relative to ``root``); an edit since the last commit counts as one
    more revision, at the file's modification time.  Files never committed are left out."""
    if not rels:
        return {}
    log = _git(root, "log", "--no-renames", "--format=%x00%ct", "--name-only", "--relative", "--", *rels)
    if log is None:
        return {}
    wanted = set(rels)
    out: dict[str, FileTimes] = {}
    for chunk in log.split("\0")[1:]:  # newest commit first
        lines = chunk.strip("\n").split("\n")
        when = dt.datetime.fromtimestamp(int(lines[0]), UTC)
        for name in lines[1:]:
            if name in wanted:
                seen = out.get(name)
                out[name] = FileTimes(when, seen.changed, seen.sequence + 1) if seen else FileTimes(when, when, 0)
    dirty = _git(root, "diff", "HEAD", "--name-only", "--relative", "--", *rels)
    for name in (dirty or "").splitlines():
        if name in out:
            # Edited since its last commit: the edit is its last change (the file's mtime, to the
            # second), never earlier than the commit, so DTSTAMP does not go backwards (a client
            # would take the update for stale).  Unchanged between two builds, so still reproducible.
            try:
                mtime = dt.datetime.fromtimestamp(int((root / name).stat().st_mtime), UTC)
            except OSError:
                out.pop(name)
                continue
            old = out[name]
            out[name] = FileTimes(old.created, max(old.changed, mtime), old.sequence + 1)
    return out


def midnight_utc(value: dt.date | dt.datetime, tz: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.astimezone(UTC)
    return dt.datetime(value.year, value.month, value.day, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def file_times(root: Path, items: list[Any], tz: str) -> dict[str, FileTimes]:
    """``{item.path: FileTimes}`` of the content items (see the module docstring)."""
    found = git_times(root, sorted({item.path for item in items}))
    out = {}
    for item in items:
        if item.path in found:
            out[item.path] = found[item.path]
            continue
        fields = item.fields
        created = midnight_utc(fields["date"], tz)
        out[item.path] = FileTimes(created, max(created, midnight_utc(fields.get("updated") or fields["date"], tz)))
    return out
