"""Publishing (issue 7 item 10): the editorial checks first (errors block, warnings are shown),
then the site build into ``OUTPUT_DIR``.

:func:`jindallae.build.build` writes into a sibling temporary folder and renames it over the
live folder only when the build succeeded, so a failed build leaves the live site exactly as it
was; its error lines become the run's log.  Publishes are serialised across threads *and*
processes by an exclusive ``fcntl.flock`` on ``instance/publish.lock``: a second publish waits
for the first (a queue), so two builds never interleave (they would also share the temporary
folder name, which contains the process id).  Every run is recorded in ``publish_runs``
(queued / started / finished as Unix seconds, ok, log) and audited.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
import sqlite3
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from flask import Blueprint, abort, current_app, flash, g, has_app_context, redirect, render_template, url_for

from .auth import roles_required
from .db import audit, connect, get_db
from .i18n import _

bp = Blueprint("publish", __name__)
LOCK_NAME = "publish.lock"
log = logging.getLogger(__name__)


@dataclass
class CheckSummary:
    """The editorial checks in short: ``errors`` block publishing, ``warnings`` do not; each is
    ``path:line:col: message (English)`` with a content-relative path."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no error blocks publishing."""
        return not self.errors


@dataclass
class PublishResult:
    """One publish run.  ``log`` is the whole text shown to the reviewer; ``errors`` the lines
    that stopped it (check errors or build errors); times are Unix seconds (``started`` is
    when the lock was obtained)."""

    ok: bool
    log: str
    seconds: float
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    run_id: int | None = None
    started: float = 0.0
    finished: float = 0.0


def _line(f: Any) -> str:
    text = f"{f.path}:{f.line}:{f.col}: {f.message}"
    if f.english and f.english != f.message:
        text += f" ({f.english})"
    return text


def run_checks(project: Path, content: Path | None = None) -> CheckSummary:
    """Run :func:`jindallae.checks.run_checks` on ``content`` (default ``project/content``) and
    summarise it.  Raises ``SettingsError`` for broken project settings."""
    from jindallae.checks import run_checks as _run

    report = _run(Path(project), Path(content) if content else None)
    return CheckSummary([_line(f) for f in report.errors], [_line(f) for f in report.warnings])


@contextlib.contextmanager
def publish_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (created when missing) for the ``with`` block;
    blocks until other holders — threads with their own open file, or other processes —
    release it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fp:
        fcntl.flock(fp.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fp.fileno(), fcntl.LOCK_UN)


def recover_interrupted_runs(database: Path, instance: Path) -> int:
    """Close the runs a stopped server left open (started but never finished, or queued for
    more than an hour), as failed with a note in their log, so their pages stop waiting.
    Only when nobody holds the publish lock (no publish is running in any process); returns
    the number of runs closed."""
    lock = Path(instance) / LOCK_NAME
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a+") as fp:
        try:
            fcntl.flock(fp.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return 0
        try:
            conn = connect(database)
            try:
                now = time.time()
                note = f"\nInterrupted: the CMS stopped before this run finished (closed {_stamp(now)}); publish again."
                return conn.execute("UPDATE publish_runs SET finished = ?, ok = 0, log = log || ? WHERE finished IS NULL "
                                    "AND (started IS NOT NULL OR queued < ?)", (now, note, now - 3600)).rowcount
            finally:
                conn.close()
        finally:
            fcntl.flock(fp.fileno(), fcntl.LOCK_UN)


def _stamp(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).isoformat(timespec="seconds")


def queue_run(conn: sqlite3.Connection, user: Any = None) -> int:
    """Record a publish run as queued (``publish_runs`` row) and return its id; pass it to
    :func:`publish` as ``run_id`` (the page can show the run before the build starts)."""
    return conn.execute("INSERT INTO publish_runs (user, queued) VALUES (?, ?)", (_who(user), time.time())).lastrowid


def _who(user: Any) -> str:
    return getattr(user, "username", None) or (user if isinstance(user, str) else "") or ""


def publish(project: Path, output: Path, user: Any = None, *, content: Path | None = None,
            instance: Path | None = None, database: Path | None = None, force: bool = False,
            run_id: int | None = None, ip: str | None = None) -> PublishResult:
    """Check and build the site of ``project`` (content ``content``, default from the app or
    ``project/content``) into ``output``; returns a :class:`PublishResult` (never raises for
    check or build failures: they are in the result and the log).

    ``user`` is a :class:`cms.auth.User`, a name or ``None`` (the scheduler).  ``instance``
    (lock folder) and ``database`` default to the current app's ``INSTANCE_DIR`` / ``DATABASE``.
    ``run_id`` is a run made by :func:`queue_run` (default: a new one); ``ip`` the address for
    the audit log when called outside the request (a background thread).
    Serialised by :func:`publish_lock`; recorded in ``publish_runs`` and the audit log."""
    from jindallae.build import BuildError, build
    from jindallae.settings import SettingsError

    app_cfg = current_app.config if has_app_context() else {}
    project = Path(project)
    content = Path(content or app_cfg.get("CONTENT_DIR") or project / "content")
    instance = Path(instance or app_cfg.get("INSTANCE_DIR") or project / "instance")
    database = database or app_cfg.get("DATABASE") or instance / "cms.sqlite3"
    who = _who(user)
    user_id = getattr(user, "id", None)
    conn = connect(database)  # own connection: usable from threads and outside requests
    try:
        if run_id is None:
            run_id = queue_run(conn, user)
        with publish_lock(instance / LOCK_NAME):
            started = time.time()
            conn.execute("UPDATE publish_runs SET started = ? WHERE id = ?", (started, run_id))
            log = [f"Publish #{run_id} by {who or '(scheduler)'}, started {_stamp(started)}", f"Output: {output}", ""]
            errors: list[str] = []
            warnings: list[str] = []
            ok = False
            try:
                checks = run_checks(project, content)
                warnings = checks.warnings
                log.append(f"Checks: {len(checks.errors)} error(s), {len(checks.warnings)} warning(s)")
                log += [f"  error: {e}" for e in checks.errors] + [f"  warning: {w}" for w in checks.warnings]
                conn.execute("UPDATE publish_runs SET log = ? WHERE id = ?", ("\n".join(log + ["Building…"]), run_id))
                if checks.errors:
                    errors = checks.errors
                    log.append("Not published: fix the errors above (the live site was not changed).")
                else:
                    result = build(project, content, Path(output), progress=False, force=force)
                    if result.skipped:
                        log.append("Build: nothing changed since the last build; the live site is up to date.")
                    else:
                        log.append(f"Build: {result.pages} pages ({result.files} files) in {result.seconds:.1f} s; "
                                   f"{result.drafts} page(s) not published (draft or review).")
                    log += [f"  warning: {w}" for w in result.warnings]
                    warnings = warnings + result.warnings
                    ok = True
            except BuildError as exc:
                errors = list(exc.errors)
                log.append(f"Build failed with {len(errors)} error(s); the live site was left unchanged:")
                log += [f"  {e}" for e in errors]
            except (SettingsError, FileNotFoundError, OSError) as exc:
                errors = [str(exc)]
                log.append(f"Build failed; the live site was left unchanged: {exc}")
            except Exception as exc:  # a fault in a plugin or the theme: keep the trace for the log
                errors = [f"{type(exc).__name__}: {exc}"]
                log.append("Build failed unexpectedly; the live site was left unchanged:")
                log.append(traceback.format_exc())
            finished = time.time()
            log.append("")
            log.append(f"{'Published' if ok else 'Failed'} at {_stamp(finished)} ({finished - started:.1f} s).")
            text = "\n".join(log)
            conn.execute("UPDATE publish_runs SET finished = ?, ok = ?, log = ? WHERE id = ?",
                         (finished, int(ok), text, run_id))
            audit("publish" if ok else "publish_failed", str(output), f"run {run_id}", user_id=user_id, conn=conn, ip=ip)
    finally:
        conn.close()
    return PublishResult(ok, text, finished - started, errors, warnings, run_id, started, finished)


def _project_args() -> tuple[Path, Path, Path]:
    cfg = current_app.config
    return Path(cfg["PROJECT_DIR"]), Path(cfg["OUTPUT_DIR"]), Path(cfg["CONTENT_DIR"])


@bp.route("/publish")
@roles_required("reviewer")
def publish_view():
    """The checks (errors block, warnings shown), the Publish button and the recent runs."""
    project, output, content = _project_args()
    try:
        checks = run_checks(project, content)
        setup_error = None
    except Exception as exc:  # broken settings: say so instead of a 500
        checks, setup_error = CheckSummary(), str(exc)
    runs = [dict(r) for r in get_db().execute("SELECT id, user, queued, started, finished, ok FROM publish_runs "
                                                "ORDER BY id DESC LIMIT 20")]
    return render_template("publish.html", checks=checks, runs=runs, setup_error=setup_error, output=output)


def _publish_in_background(app, run_id: int, user: Any, ip: str) -> None:
    """Thread body: :func:`publish` inside an app context; an unexpected failure (the database,
    say) still closes the run as failed, with the reason in its log."""
    with app.app_context():
        cfg = app.config
        try:
            publish(Path(cfg["PROJECT_DIR"]), Path(cfg["OUTPUT_DIR"]), user, content=Path(cfg["CONTENT_DIR"]),
                    run_id=run_id, ip=ip)
        except Exception:
            log.exception("publish run %s failed", run_id)
            conn = connect(cfg["DATABASE"])
            try:
                conn.execute("UPDATE publish_runs SET finished = ?, ok = 0, log = log || ? WHERE id = ?",
                             (time.time(), "\n" + traceback.format_exc(), run_id))
            finally:
                conn.close()


def start_publish(user: Any = None) -> int:
    """Queue a publish of the current app's site and run it in a background thread (a
    whole-site build can take minutes, longer than a proxy waits for an answer); returns the run
    id at once (``/publish/log/<id>`` follows it).  Needs an app context; the thread is kept in
    ``app.extensions['cms_publish_threads'][run_id]`` (tests join it).  A publish already
    running makes this one wait (:func:`publish_lock`)."""
    from .db import client_ip

    run_id = queue_run(get_db(), user)
    app = current_app._get_current_object()
    # Not a daemon: stopping the server waits for the build to finish (it swaps atomically anyway).
    thread = threading.Thread(target=_publish_in_background, args=(app, run_id, user, client_ip()),
                              name=f"jindallae-publish-{run_id}")
    thread.start()
    app.extensions.setdefault("cms_publish_threads", {})[run_id] = thread
    return run_id


@bp.route("/publish", methods=["POST"])
@roles_required("reviewer")
def publish_post():
    """Start a publish (:func:`start_publish`) and answer at once with 303 to its log page,
    which reloads itself until the run is over."""
    run_id = start_publish(g.user)
    flash(_("Publishing started. This page shows the progress and the result."), "info")
    return redirect(url_for("publish.log_view", run_id=run_id), code=303)


@bp.route("/publish/log/<int:run_id>")
@roles_required("reviewer")
def log_view(run_id: int):
    """The log of publish run ``run_id``."""
    row = get_db().execute("SELECT * FROM publish_runs WHERE id = ?", (run_id,)).fetchone()
    if row is None:
        abort(404)
    ahead = get_db().execute("SELECT count(*) FROM publish_runs WHERE id < ? AND finished IS NULL", (run_id,)).fetchone()[0]
    return render_template("publish_log.html", run=dict(row), ahead=ahead)
