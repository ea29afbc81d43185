"""Publishing from the CMS (issue 7 item 10, and the deploy issue's CMS items): the production
settings, the editorial checks, the production build, the deploy and its verification, shown
step by step on the run's log page in the reader's language.

* **Production settings** (:func:`production_setup`): the file named by the app config
  ``PUBLISH_SETTINGS`` (default ``publishconf.py``).  Its ``JINDALLAE_PUBLIC_URL`` must be a
  public address (:func:`jindallae.deploy.config.public_url_problem`, the rule of
  ``jindallae deploy``): missing, localhost, an IP literal or an example name is refused with a
  message naming the setting and the file, on the publish page and in the run.
* **Checks** (:func:`run_checks`): errors in what will be public block — published pages (a
  published page that links to an unpublished one has the error itself), files that are not
  pages, and broken page fields (the build reads every page).  Errors in drafts and pages in
  review are listed as "not published: fix before publishing it" and do not block.
* **Build and deploy**: when the production settings' ``DEPLOY_TARGETS`` is not empty,
  :func:`jindallae.deploy.run.deploy` builds, uploads, verifies (fetches and compares) and
  finishes — a failed verification switches the target back — for the target of the app config
  ``DEPLOY_TARGET`` or the settings' default (or only) one.  With no target, the production
  build goes into ``OUTPUT_DIR`` and the run says plainly that nothing was deployed.
* **Rollback** (:func:`rollback`, admins): ``deploy(..., rollback=True)``.

A failure at any step leaves the live site as it was and the log page says which step failed;
status changes that asked for the publish (approve, unpublish, scheduled jobs) are then undone
by :func:`cms.workflow.revert_changes`, so a page's status and the live site agree.

Runs are serialised across threads *and* processes by an exclusive ``fcntl.flock`` on
``instance/publish.lock`` (a second publish waits).  Every run is a ``publish_runs`` row:
queued / started / finished (Unix seconds), ok, ``kind`` (publish | rollback), ``report`` (JSON
of :class:`RunRecorder`: the steps with their times and translatable notes) and ``log`` (the
technical log, English, Beijing times); it is audited.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
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
from .i18n import BEIJING, N_, _
from .i18n import gettext as _gettext

bp = Blueprint("publish", __name__)
LOCK_NAME = "publish.lock"
PUBLISH_SETTINGS = "publishconf.py"
log = logging.getLogger(__name__)

# Steps of a run, in order, and their labels.
STEPS: dict[str, str] = {
    "settings": N_("Production settings"),
    "checks": N_("Checks"),
    "build": N_("Production build"),
    "deploy": N_("Upload to the web server"),
    "verify": N_("Verification"),
    "finish": N_("Finishing"),
    "rollback": N_("Switch back to the previous release"),
    "status": N_("Page status"),
}
STATES: dict[str, str] = {"waiting": N_("not started"), "running": N_("in progress"), "ok": N_("done"),
                          "failed": N_("failed"), "skipped": N_("not run")}
# Progress phases of jindallae.build and jindallae.deploy.run -> our steps.
PHASE_STEPS = {"read+render": "build", "write": "build", "images": "build", "posters": "build", "search": "build",
               "plan": "deploy", "upload": "deploy", "verify": "verify", "finish": "finish", "rollback": "rollback"}


# ---------------------------------------------------------------------------------------------
# Translatable messages stored in the database (shown in the reader's language)


def msg(message: str, **args: Any) -> dict[str, Any]:
    """A message to store: ``message`` is an English source string marked with ``N_()``;
    ``args`` fill its ``%(name)s`` (an arg may itself be a :func:`msg`, e.g. a status label)."""
    return {"m": message, "a": args}


def render_msg(message: dict[str, Any] | str | None, lang: str | None = None) -> str:
    """A stored :func:`msg` in the UI language (``lang``: another language; ``"en"``: the
    English source, for the technical log)."""
    if not message:
        return ""
    if isinstance(message, str):
        return message
    if not message.get("m"):
        return ""
    args = {k: render_msg(v, lang) if isinstance(v, dict) else v for k, v in (message.get("a") or {}).items()}
    text = message["m"] if lang == "en" else _gettext(message["m"], lang)
    try:
        return text % args if args else text
    except (KeyError, TypeError, ValueError):  # a catalogue entry that lost a placeholder
        return message["m"] % args if args else message["m"]


def english(message: dict[str, Any] | str | None) -> str:
    """A stored message in English (the technical log)."""
    return render_msg(message, "en")


# ---------------------------------------------------------------------------------------------
# Results


@dataclass
class CheckSummary:
    """The editorial checks in short, each finding as ``path:line:col: message`` (in the page's
    language; content-relative path): ``errors`` block publishing; ``held`` are errors in pages
    that are not published (drafts, review) — they do not block, the page must be fixed before
    it is published; ``warnings`` never block."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no error blocks publishing."""
        return not self.errors


@dataclass
class PublishResult:
    """One publish (or rollback) run.  ``log`` is the technical log; ``report`` the steps (see
    :class:`RunRecorder`); ``errors`` the lines that stopped it; times are Unix seconds
    (``started`` is when the lock was obtained).  ``target``: the deploy target (``None``: built
    into the output folder), ``release``: the release now live on it."""

    ok: bool
    log: str
    seconds: float
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    run_id: int | None = None
    started: float = 0.0
    finished: float = 0.0
    report: dict[str, Any] = field(default_factory=dict)
    target: str | None = None
    release: str = ""
    failed_step: str | None = None


class SetupError(Exception):
    """The production settings cannot be used: ``message`` (a :func:`msg`) for the page,
    ``detail`` the technical text (English, may be empty)."""

    def __init__(self, message: dict[str, Any], detail: str = ""):
        self.message, self.detail = message, detail
        super().__init__(english(message) + (f" ({detail})" if detail else ""))


@dataclass
class Setup:
    """The production settings of a publish: the settings file, the settings, the public URL,
    the deploy ``target`` name (``None``: DEPLOY_TARGETS is empty) and its type."""

    conf: Path
    settings: dict[str, Any]
    public_url: str
    target: str | None = None
    target_kind: str | None = None


def _config(key: str, default: Any = None) -> Any:
    return current_app.config.get(key, default) if has_app_context() else default


def production_setup(project: Path, content: Path | None = None, settings_file: str | Path | None = None,
                     target: str | None = None) -> Setup:
    """Load the production settings of ``project`` (``settings_file``, default the app config
    ``PUBLISH_SETTINGS`` or ``publishconf.py``; relative to the project) and choose the deploy
    target (``target``, default the app config ``DEPLOY_TARGET``, else ``DEPLOY_DEFAULT_TARGET``
    or the only one).  Raises :class:`SetupError` with a message naming what to fix: a missing
    or broken file, a public URL that is not public (the rule of ``jindallae deploy``), an
    unknown or ambiguous target."""
    from jindallae.deploy.config import public_url_problem
    from jindallae.settings import SettingsError, load_settings

    project = Path(project).resolve()
    conf = Path(settings_file or _config("PUBLISH_SETTINGS") or PUBLISH_SETTINGS)
    conf = (conf if conf.is_absolute() else project / conf).resolve()
    name = conf.name
    if not conf.is_file():
        raise SetupError(msg(N_("The production settings file %(file)s is missing: the CMS publishes with it. Create it "
                                "(see README, \"Publishing\") or name another file in the CMS setting PUBLISH_SETTINGS."),
                             file=name), str(conf))
    try:
        settings = load_settings(project, conf, {"PATH": str(Path(content or project / "content").resolve())})
    except (SettingsError, FileNotFoundError) as exc:
        raise SetupError(msg(N_("The production settings in %(file)s have an error, so nothing can be published. "
                                "An administrator must fix the setting named in the details."), file=name),
                         str(exc)) from None
    url = settings.get("JINDALLAE_PUBLIC_URL") or ""
    problem = public_url_problem(url)
    if problem:
        detail = f"{name}: JINDALLAE_PUBLIC_URL {problem}"
        if not url:
            raise SetupError(msg(N_("Publishing is refused: the public address of the site is not set. Set "
                                    "JINDALLAE_PUBLIC_URL in %(file)s to the address the public reads the site at, "
                                    "e.g. https://www.yanbian.gov.cn/zt/rkwh."), file=name), detail)
        raise SetupError(msg(N_("Publishing is refused: the public address of the site, %(url)s (JINDALLAE_PUBLIC_URL "
                                "in %(file)s), is localhost, an IP address or an example name, not the address the "
                                "public reads the site at; links, feeds and QR codes would point to it. Set "
                                "JINDALLAE_PUBLIC_URL to the real address, e.g. https://www.yanbian.gov.cn/zt/rkwh."),
                             url=url, file=name), detail)
    targets = settings.get("DEPLOY_TARGETS") or {}
    setup = Setup(conf, settings, url.rstrip("/"))
    if not targets:
        return setup
    chosen = target or _config("DEPLOY_TARGET") or settings.get("DEPLOY_DEFAULT_TARGET") \
        or (next(iter(targets)) if len(targets) == 1 else None)
    if chosen is None:
        raise SetupError(msg(N_("%(file)s declares several deploy targets (%(targets)s) and none is chosen: set "
                                "DEPLOY_DEFAULT_TARGET in %(file)s or the CMS setting DEPLOY_TARGET."),
                             file=name, targets=", ".join(sorted(targets))))
    if chosen not in targets:
        raise SetupError(msg(N_("There is no deploy target %(target)s in DEPLOY_TARGETS of %(file)s (it has: "
                                "%(targets)s); correct the CMS setting DEPLOY_TARGET or DEPLOY_DEFAULT_TARGET."),
                             target=chosen, file=name, targets=", ".join(sorted(targets))))
    setup.target, setup.target_kind = chosen, targets[chosen].get("type")
    return setup


def publish_refusal(project: Path | None = None, content: Path | None = None) -> str | None:
    """Why the current app cannot publish now (the production settings, translated), or
    ``None``: the workflow asks before it changes a page's status."""
    cfg = current_app.config
    try:
        production_setup(Path(project or cfg["PROJECT_DIR"]), Path(content or cfg["CONTENT_DIR"]))
    except SetupError as exc:
        return render_msg(exc.message)
    return None


# ---------------------------------------------------------------------------------------------
# Checks


def _finding_line(f: Any, lang: str | None = None) -> str:
    """``path:line:col: message``, the message in ``lang`` (default: the page's language)."""
    return f"{f.path}:{f.line}:{f.col}: {f.text(lang) if lang else f.message}"


def _page_status(model: Any, root: Path, rel: str, cache: dict[str, str | None]) -> str | None:
    """The workflow status of the page ``rel`` (``None``: not a page, or unreadable)."""
    if rel not in cache:
        item = None
        if rel.endswith(".md") and (root / rel).is_file():
            try:
                item, _errors = model.parse_text(root, rel)
            except Exception:  # noqa: BLE001 - unreadable: the checks report it
                item = None
        cache[rel] = item.status if item is not None else None
    return cache[rel]


def run_checks(project: Path, content: Path | None = None, settings: dict[str, Any] | None = None,
               lang: str | None = None) -> CheckSummary:
    """Run :func:`jindallae.checks.run_checks` on ``content`` (default ``project/content``) with
    ``settings`` (default: the project's pelicanconf.py) and sort its errors: those of pages
    that are not published (status draft or review) are ``held`` (listed, not blocking; the build
    leaves such pages out and reports their problems as warnings), except errors of files that
    are not pages (images, the terms and accept files).  ``lang``: the language of the messages
    (the reader's, on the publish page; default each page's own, as a run records them).  Raises
    ``SettingsError`` for broken project settings."""
    from jindallae.checks import run_checks as _run
    from jindallae.model import model_from_settings

    report = _run(Path(project), Path(content) if content else None, settings=settings)
    root = Path(report.content)
    model = None
    statuses: dict[str, str | None] = {}
    summary = CheckSummary(warnings=[_finding_line(f, lang) for f in report.warnings])
    for f in report.errors:
        status = None
        if f.id != "data-file":
            if model is None:
                if settings is None:
                    from jindallae.settings import load_settings

                    settings = load_settings(Path(project), None, {"PATH": str(root)})
                model = model_from_settings(settings)
            status = _page_status(model, root, f.path, statuses)
        (summary.held if status in ("draft", "review") else summary.errors).append(_finding_line(f, lang))
    return summary


# ---------------------------------------------------------------------------------------------
# The lock and the runs


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


def _stamp(seconds: float) -> str:
    """Unix seconds as ISO 8601 in Beijing time (``2026-12-07T11:17:00+08:00``)."""
    return dt.datetime.fromtimestamp(seconds, BEIJING).isoformat(timespec="seconds")


def load_report(row: Any) -> dict[str, Any]:
    """The ``report`` JSON of a ``publish_runs`` row (``{}`` for runs of older versions)."""
    try:
        text = row["report"]
    except (KeyError, IndexError):
        return {}
    try:
        report = json.loads(text) if text else {}
    except ValueError:
        return {}
    return report if isinstance(report, dict) else {}


def recover_interrupted_runs(database: Path, instance: Path) -> int:
    """Close every run a stopped server left open — queued or started — as failed, with a note
    in its log and its steps (shown in the reader's language), so nothing waits forever.
    Only when nobody holds the publish lock (no publish is running in any process); a run that
    was only waiting for the lock in another process and gets it later reopens itself
    (:func:`publish` marks it started again).  Returns the number of runs closed."""
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
                closed = 0
                for row in conn.execute("SELECT * FROM publish_runs WHERE finished IS NULL").fetchall():
                    report = load_report(row) or {"kind": row["kind"], "steps": []}
                    if row["started"] is None:
                        result = msg(N_("Interrupted: the CMS stopped before this run started; nothing was changed. "
                                        "Start it again."))
                    else:
                        result = msg(N_("Interrupted: the CMS stopped while this run was in progress. Look at the "
                                        "live site and start it again."))
                    for step in report.get("steps", []):
                        if step.get("state") == "running":
                            step.update(state="failed", finished=now)
                            report["failed"] = step["id"]
                        elif step.get("state") == "waiting":
                            step["state"] = "skipped"
                    report["result"] = result
                    note = f"\n{english(result)} (closed {_stamp(now)})"
                    closed += conn.execute(
                        "UPDATE publish_runs SET finished = ?, ok = 0, log = log || ?, report = ? "
                        "WHERE id = ? AND finished IS NULL",
                        (now, note, json.dumps(report, ensure_ascii=False), row["id"])).rowcount
                return closed
            finally:
                conn.close()
        finally:
            fcntl.flock(fp.fileno(), fcntl.LOCK_UN)


def queue_run(conn: sqlite3.Connection, user: Any = None, kind: str = "publish") -> int:
    """Record a run as queued (``publish_runs`` row, ``kind`` publish or rollback) and return
    its id; pass it to :func:`publish` / :func:`rollback` as ``run_id`` (the page can show the
    run before it starts)."""
    return conn.execute("INSERT INTO publish_runs (user, queued, kind) VALUES (?, ?, ?)",
                        (_who(user), time.time(), kind)).lastrowid


def _who(user: Any) -> str:
    return getattr(user, "username", None) or (user if isinstance(user, str) else "") or ""


class RunRecorder:
    """The steps of one run, saved to its ``publish_runs`` row as they happen (the log page
    reloads and follows them).  ``report`` (JSON)::

        {"kind": "publish", "target": "web", "public_url": "https://…", "output": "/srv/…",
         "steps": [{"id": "checks", "state": "ok", "started": 1.0, "finished": 2.0,
                    "notes": [msg…], "details": ["news/a.zh.md:3:1: …"]}, …],
         "failed": "build", "result": msg, "held": [...], "warnings": [...]}

    Notes are :func:`msg` dicts (translated when shown); details are technical lines shown as
    they are.  The English technical log is kept beside it (``lines``)."""

    def __init__(self, conn: sqlite3.Connection, run_id: int, kind: str, header: list[str]):
        self.conn, self.run_id = conn, run_id
        self.report: dict[str, Any] = {"kind": kind, "steps": [], "result": None, "failed": None,
                                       "held": [], "warnings": []}
        self.lines = list(header)

    # the steps ---------------------------------------------------------------------------
    def plan(self, *ids: str) -> None:
        """Show the steps ``ids`` as waiting (those not listed yet)."""
        known = {s["id"] for s in self.report["steps"]}
        for step_id in ids:
            if step_id not in known:
                self.report["steps"].append({"id": step_id, "state": "waiting", "started": None, "finished": None,
                                             "notes": [], "details": []})
        self.save()

    def _get(self, step_id: str) -> dict[str, Any]:
        for step in self.report["steps"]:
            if step["id"] == step_id:
                return step
        self.plan(step_id)
        return self.report["steps"][-1]

    @property
    def current(self) -> dict[str, Any] | None:
        """The running step, if any."""
        return next((s for s in self.report["steps"] if s["state"] == "running"), None)

    def step(self, step_id: str) -> None:
        """Start step ``step_id`` (the running one, if another, is done)."""
        now = time.time()
        current = self.current
        if current is not None and current["id"] == step_id:
            return
        if current is not None:
            current.update(state="ok", finished=now)
        step = self._get(step_id)
        step.update(state="running", started=now, finished=None)
        self.lines.append(f"[{_stamp(now)}] {english(msg(STEPS.get(step_id, step_id)))}")
        self.save()

    def done(self) -> None:
        """The running step ended well."""
        current = self.current
        if current is not None:
            current.update(state="ok", finished=time.time())
        self.save()

    def note(self, message: dict[str, Any], step_id: str | None = None) -> None:
        """Add ``message`` (a :func:`msg`) to step ``step_id`` (default: the running or last step)."""
        step = self._get(step_id) if step_id else (self.current or (self.report["steps"] or [None])[-1])
        if step is None:
            step = self._get("settings")
        step["notes"].append(message)
        self.lines.append(f"  {english(message)}")
        self.save()

    def fail(self, message: dict[str, Any], details: list[str] | tuple[str, ...] = ()) -> None:
        """The running step failed with ``message``; steps still waiting are not run."""
        now = time.time()
        step = self.current or (self.report["steps"] or [None])[-1] or self._get("settings")
        step.update(state="failed", finished=now)
        step["notes"].append(message)
        step["details"].extend(details)
        self.report["failed"] = step["id"]
        self.lines.append(f"  FAILED: {english(message)}")
        self.lines.extend(f"    {line}" for line in details)
        for other in self.report["steps"]:
            if other["state"] == "waiting":
                other["state"] = "skipped"
        self.save()

    def log(self, line: str) -> None:
        """One line of the technical log (the deploy's ``log`` callback, the build's phases)."""
        self.lines.append(line.rstrip("\n"))
        self.save()

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def save(self) -> None:
        self.conn.execute("UPDATE publish_runs SET report = ?, log = ? WHERE id = ?",
                          (json.dumps(self.report, ensure_ascii=False), self.text, self.run_id))


class _Sink:
    """A text stream that sends each line to :meth:`RunRecorder.log`."""

    def __init__(self, recorder: RunRecorder):
        self.recorder, self.buffer = recorder, ""

    def write(self, text: str) -> int:
        self.buffer += text
        while "\n" in self.buffer:
            line, self.buffer = self.buffer.split("\n", 1)
            self.recorder.log(line)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def step_progress(recorder: RunRecorder) -> Any:
    """A :class:`jindallae.progress.Progress` (one line per phase, into the technical log) that
    moves the recorder to the step of each phase (:data:`PHASE_STEPS`): the build's phases are
    "build", the deploy's plan and upload "deploy", then "verify", "finish", "rollback"."""
    from jindallae.progress import Progress

    class StepProgress(Progress):
        @contextlib.contextmanager
        def phase(self, name: str, total: int | None = None, unit: str = "page"):
            step = PHASE_STEPS.get(name)
            if step is not None and not self._open:  # nested phases (images in write) stay in their step
                recorder.step(step)
            with super().phase(name, total, unit) as shown:
                yield shown

    return StepProgress("lines", stream=_Sink(recorder), prefix="  ")


# ---------------------------------------------------------------------------------------------
# Publish and rollback


def _paths(project: Path, content: Path | None, instance: Path | None, database: Path | None
           ) -> tuple[Path, Path, Path, Path]:
    cfg = current_app.config if has_app_context() else {}
    project = Path(project)
    content = Path(content or cfg.get("CONTENT_DIR") or project / "content")
    instance = Path(instance or cfg.get("INSTANCE_DIR") or project / "instance")
    database = Path(database or cfg.get("DATABASE") or instance / "cms.sqlite3")
    return project, content, instance, database


def _deploy_errors() -> tuple[type[BaseException], ...]:
    """The failures a deploy reports (a refused or undone deploy, a failed step on the target,
    I/O): recorded on their step with the target's message, without a traceback."""
    from jindallae.deploy.base import DeployError
    from jindallae.deploy.layout import LayoutError

    return (DeployError, LayoutError, OSError)


def _fail_deploy(rec: RunRecorder, exc: Exception, target: str | None) -> None:
    """Record a :class:`DeployError` (or an I/O error) of the deploy on the step it happened in."""
    step = (rec.current or {}).get("id")
    detail = [str(exc)]
    if step == "verify":
        rec.fail(msg(N_("The files the web server returns differ from the release, so the previous release was "
                        "switched back: the live site is as it was. The details say which files differ.")), detail)
    elif step == "rollback":
        if "no earlier release" in str(exc):
            rec.fail(msg(N_("There is no earlier release on %(target)s to switch back to; nothing was changed."),
                         target=target or ""), detail)
        else:
            rec.fail(msg(N_("Switching back failed; the live site was not changed. The details say why.")), detail)
    elif step == "build":
        rec.fail(msg(N_("The production build failed; the live site was not changed. The details say why.")), detail)
    else:
        if rec.current is None:
            rec.step("deploy")
        rec.fail(msg(N_("Publishing to %(target)s failed; the live site was not changed. The details say why."),
                     target=target or ""), detail)


def publish(project: Path, output: Path, user: Any = None, *, content: Path | None = None,
            instance: Path | None = None, database: Path | None = None, force: bool = False,
            run_id: int | None = None, ip: str | None = None, settings_file: str | Path | None = None,
            target: str | None = None, changes: list[dict[str, Any]] | None = None) -> PublishResult:
    """Publish the site of ``project``: production settings, checks, then either
    :func:`jindallae.deploy.run.deploy` to the deploy target (build, upload, verify, finish) or,
    with no target, the production build into ``output``.  Returns a :class:`PublishResult`
    (never raises for a refusal, a check, build or deploy failure: they are in the result, the
    steps and the log).

    ``user`` is a :class:`cms.auth.User`, a name or ``None`` (the scheduler).  ``content``,
    ``instance`` (lock folder), ``database``, ``settings_file`` (``PUBLISH_SETTINGS``) and
    ``target`` (``DEPLOY_TARGET``) default to the current app's config.  ``run_id`` is a run
    made by :func:`queue_run` (default: a new one); ``ip`` the address for the audit log when
    called outside the request; ``force`` rebuilds without the build cache.  ``changes`` are
    the status changes that asked for this publish (``{path, before, after, revision}``): when
    the publish fails they are undone (:func:`cms.workflow.revert_changes`).
    Serialised by :func:`publish_lock`; recorded in ``publish_runs`` and the audit log."""
    from jindallae.build import BuildError, build
    from jindallae.settings import SettingsError

    project, content, instance, database = _paths(project, content, instance, database)
    output = Path(output)
    who = _who(user)
    user_id = getattr(user, "id", None)
    conn = connect(database)  # own connection: usable from threads and outside requests
    try:
        if run_id is None:
            run_id = queue_run(conn, user)
        with publish_lock(instance / LOCK_NAME):
            started = time.time()
            # finished/ok cleared: a run closed by recover_interrupted_runs while it only waited
            # for the lock in this process goes on.
            conn.execute("UPDATE publish_runs SET started = ?, finished = NULL, ok = NULL WHERE id = ?",
                         (started, run_id))
            rec = RunRecorder(conn, run_id, "publish",
                              [f"Publish #{run_id} by {who or '(scheduler)'}, started {_stamp(started)}", ""])
            rec.plan("settings", "checks", "build")
            errors: list[str] = []
            warnings: list[str] = []
            ok = False
            setup: Setup | None = None
            release = ""
            try:
                rec.step("settings")
                setup = production_setup(project, content, settings_file, target)
                rec.report.update(public_url=setup.public_url, target=setup.target, settings=setup.conf.name)
                if setup.target:
                    rec.report["output"] = str(project / setup.settings.get("DEPLOY_OUTPUT", "build-publish"))
                    rec.plan("deploy", "verify", "finish")
                    rec.note(msg(N_("%(file)s: public address %(url)s; deploy target %(target)s (%(kind)s)."),
                                 file=setup.conf.name, url=setup.public_url, target=setup.target,
                                 kind=setup.target_kind or ""))
                else:
                    rec.report["output"] = str(output)
                    rec.note(msg(N_("%(file)s: public address %(url)s; no deploy target is configured "
                                    "(DEPLOY_TARGETS is empty)."), file=setup.conf.name, url=setup.public_url))
                rec.step("checks")
                checks = run_checks(project, content, setup.settings)
                warnings = checks.warnings + checks.held
                rec.report["warnings"], rec.report["held"] = checks.warnings, checks.held
                rec.lines += [f"    warning: {w}" for w in checks.warnings]
                rec.lines += [f"    not published, fix before publishing it: {w}" for w in checks.held]
                if checks.held:
                    rec.note(msg(N_("%(num)s error(s) in pages that are not published (draft or in review): they do "
                                    "not block this publish; fix them before publishing those pages."),
                                 num=len(checks.held)))
                if checks.errors:
                    errors = checks.errors
                    rec.fail(msg(N_("%(num)s error(s) in the pages to publish: nothing was published and the live "
                                    "site was not changed. Fix them and publish again."), num=len(checks.errors)),
                             checks.errors)
                else:
                    rec.note(msg(N_("No errors in the pages to publish; %(num)s warning(s)."),
                                 num=len(checks.warnings)))
                    if setup.target:
                        from jindallae.deploy.run import deploy

                        rec.step("build")
                        result = deploy(project, setup.target, settings_file=setup.conf, content=content,
                                        log=rec.log, progress=step_progress(rec))
                        rec.done()
                        release = result.release
                        for step in rec.report["steps"]:
                            if step["state"] == "waiting":
                                step["state"] = "skipped"
                        if not result.plan.upload and not result.plan.delete:
                            rec.note(msg(N_("Nothing changed since the last publish: release %(release)s stays "
                                            "live on %(target)s."), release=release, target=setup.target), "deploy")
                        else:
                            rec.note(msg(N_("Release %(release)s is live on %(target)s: %(uploaded)s file(s) sent, "
                                            "%(kept)s kept, %(deleted)s deleted."), release=release,
                                         target=setup.target, uploaded=len(result.plan.upload),
                                         kept=len(result.plan.keep), deleted=len(result.plan.delete)), "deploy")
                            rec.note(msg(N_("%(verified)s file(s) fetched back from the web server and compared with "
                                            "the release: identical."), verified=result.verified), "verify")
                        rec.report["release"] = release
                        rec.report["result"] = msg(N_("The site was published: release %(release)s is live at "
                                                      "%(url)s."), release=release, url=setup.public_url)
                    else:
                        rec.step("build")
                        result = build(project, content, output, setup.conf, progress=step_progress(rec), force=force)
                        if result.skipped:
                            rec.note(msg(N_("Nothing changed since the last build.")))
                        else:
                            rec.note(msg(N_("%(pages)s page(s) built (%(files)s files); %(drafts)s page(s) not "
                                            "published (draft or in review)."),
                                         pages=result.pages, files=result.files, drafts=result.drafts))
                        rec.lines += [f"    warning: {w}" for w in result.warnings]
                        warnings = warnings + result.warnings
                        rec.done()
                        rec.report["result"] = msg(N_("The site was built into %(output)s with the production "
                                                      "settings, but not deployed: no deploy target is configured "
                                                      "(DEPLOY_TARGETS in %(file)s is empty). Copy that folder to the "
                                                      "web server, or ask an administrator to set up a target."),
                                                   output=str(output), file=setup.conf.name)
                    ok = True
            except SetupError as exc:
                errors = [english(exc.message)] + ([exc.detail] if exc.detail else [])
                rec.fail(exc.message, [exc.detail] if exc.detail else [])
            except BuildError as exc:
                errors = list(exc.errors)
                if rec.current is None or rec.current["id"] != "build":
                    rec.step("build")
                rec.fail(msg(N_("The production build failed with %(num)s error(s); the live site was not "
                                "changed."), num=len(errors)), errors)
            except Exception as exc:  # noqa: BLE001 - every failure is recorded on its step
                errors = [str(exc) or type(exc).__name__]
                current = (rec.current or {}).get("id")
                if current == "finish" and setup is not None and setup.target:
                    # The new release is live and verified; only removing old releases or
                    # deleted files failed: published, with the failure shown on its step.
                    rec.fail(msg(N_("The new release is live and verified, but finishing (removing old releases or "
                                    "deleted files) failed. An administrator should look at the details.")), errors)
                    rec.report["result"] = msg(N_("The site was published at %(url)s, but its last step failed; "
                                                  "see \"Finishing\" below."), url=setup.public_url)
                    ok = True
                elif isinstance(exc, _deploy_errors()):
                    _fail_deploy(rec, exc, setup.target if setup else None)
                elif isinstance(exc, SettingsError):
                    rec.fail(msg(N_("The production settings have an error, so nothing was published. An "
                                    "administrator must fix the setting named in the details.")), errors)
                else:  # a fault in a plugin, the theme or a target: keep the trace
                    errors = [f"{type(exc).__name__}: {exc}"]
                    rec.fail(msg(N_("An unexpected error stopped this step. The details are for an administrator.")),
                             [*errors, *traceback.format_exc().splitlines()])
            if ok:
                rec.report["failed"] = None
            else:
                if rec.report.get("result") is None:
                    rec.report["result"] = msg(N_("Not published: the step \"%(step)s\" failed. The live site was "
                                                  "not changed."), step=msg(STEPS.get(rec.report["failed"] or "", "?")))
                if changes:
                    _revert(rec, changes, run_id)
            finished = time.time()
            rec.lines += ["", f"{'Published' if ok else 'Failed'} at {_stamp(finished)} ({finished - started:.1f} s)."]
            rec.save()
            conn.execute("UPDATE publish_runs SET finished = ?, ok = ? WHERE id = ?", (finished, int(ok), run_id))
            where = (setup.target if setup and setup.target else str(output))
            audit("publish" if ok else "publish_failed", where, f"run {run_id}" + (f": release {release}" if release else ""),
                  user_id=user_id, conn=conn, ip=ip)
    finally:
        conn.close()
    return PublishResult(ok, rec.text, finished - started, errors, warnings, run_id, started, finished, rec.report,
                         setup.target if setup else None, release, rec.report.get("failed"))


def _revert(rec: RunRecorder, changes: list[dict[str, Any]], run_id: int) -> None:
    """Undo the status changes that asked for a failed publish (the file and the live site agree
    again) and note each result under the "Page status" step."""
    try:
        from .workflow import revert_changes
    except ImportError:
        return
    rec.step("status")
    try:
        notes = revert_changes(changes, run_id)
    except Exception as exc:  # noqa: BLE001 - never hide the publish's own failure
        log.exception("reverting the status changes of run %s failed", run_id)
        rec.fail(msg(N_("The status of the approved pages could not be set back; check them on the Review page.")),
                 [f"{type(exc).__name__}: {exc}"])
        return
    for note in notes:
        rec.note(note)
    rec.done()


def rollback(project: Path, user: Any = None, *, instance: Path | None = None, database: Path | None = None,
             run_id: int | None = None, ip: str | None = None, settings_file: str | Path | None = None,
             target: str | None = None) -> PublishResult:
    """Switch the deploy target back to its previous release (``deploy(..., rollback=True)``)
    under the publish lock; recorded like a publish (``kind`` rollback) and audited
    (``rollback`` / ``rollback_failed``).  Never raises for a refused or failed rollback."""
    from jindallae.settings import SettingsError

    project, content, instance, database = _paths(project, None, instance, database)
    who = _who(user)
    conn = connect(database)
    try:
        if run_id is None:
            run_id = queue_run(conn, user, "rollback")
        with publish_lock(instance / LOCK_NAME):
            started = time.time()
            conn.execute("UPDATE publish_runs SET started = ?, finished = NULL, ok = NULL WHERE id = ?",
                         (started, run_id))
            rec = RunRecorder(conn, run_id, "rollback", [f"Rollback #{run_id} by {who}, started {_stamp(started)}", ""])
            rec.plan("settings", "rollback")
            ok, errors, setup, after = False, [], None, ""
            try:
                rec.step("settings")
                setup = production_setup(project, content, settings_file, target)
                rec.report.update(public_url=setup.public_url, target=setup.target, settings=setup.conf.name)
                if not setup.target:
                    raise SetupError(msg(N_("No deploy target is configured (DEPLOY_TARGETS in %(file)s is empty), so "
                                            "there is no earlier release to switch back to."), file=setup.conf.name))
                from jindallae.deploy.run import deploy

                rec.step("rollback")
                result = deploy(project, setup.target, rollback=True, settings_file=setup.conf, log=rec.log,
                                progress=step_progress(rec))
                after = result.rolled_back_to or result.release
                rec.note(msg(N_("Release %(release)s is live again on %(target)s."), release=after, target=setup.target))
                rec.done()
                rec.report["release"] = after
                rec.report["result"] = msg(N_("The previous release is live again (%(release)s). The content files "
                                              "were not changed: the next publish puts the current content live "
                                              "again."), release=after)
                ok = True
            except SetupError as exc:
                errors = [english(exc.message)] + ([exc.detail] if exc.detail else [])
                rec.fail(exc.message, [exc.detail] if exc.detail else [])
            except _deploy_errors() as exc:
                errors = [str(exc)]
                if rec.current is None:
                    rec.step("rollback")
                _fail_deploy(rec, exc, setup.target if setup else None)
            except SettingsError as exc:
                errors = [str(exc)]
                rec.fail(msg(N_("The production settings have an error, so nothing was published. An administrator "
                                "must fix the setting named in the details.")), [str(exc)])
            except Exception as exc:  # noqa: BLE001 - keep the trace for the administrator
                errors = [f"{type(exc).__name__}: {exc}"]
                rec.fail(msg(N_("An unexpected error stopped this step. The details are for an administrator.")),
                         [*errors, *traceback.format_exc().splitlines()])
            if not ok and rec.report.get("result") is None:
                rec.report["result"] = msg(N_("Not switched back: the step \"%(step)s\" failed. The live site was not "
                                              "changed."), step=msg(STEPS.get(rec.report["failed"] or "", "?")))
            finished = time.time()
            rec.lines += ["", f"{'Rolled back' if ok else 'Failed'} at {_stamp(finished)} ({finished - started:.1f} s)."]
            rec.save()
            conn.execute("UPDATE publish_runs SET finished = ?, ok = ? WHERE id = ?", (finished, int(ok), run_id))
            audit("rollback" if ok else "rollback_failed", (setup.target if setup and setup.target else ""),
                  f"run {run_id}" + (f": release {after} is live" if after else ""),
                  user_id=getattr(user, "id", None), conn=conn, ip=ip)
    finally:
        conn.close()
    return PublishResult(ok, rec.text, finished - started, errors, [], run_id, started, finished, rec.report,
                         setup.target if setup else None, after, rec.report.get("failed"))


def published_output() -> Path:
    """The folder the last successful CMS publish built into (the production build of the
    deploy target, or ``OUTPUT_DIR``): the poster preview shows its files."""
    try:
        row = get_db().execute("SELECT report FROM publish_runs WHERE ok = 1 AND kind = 'publish' "
                               "ORDER BY id DESC LIMIT 1").fetchone()
    except sqlite3.Error:
        row = None
    output = load_report(row).get("output") if row is not None else None
    return Path(output) if output else Path(current_app.config["OUTPUT_DIR"])


# ---------------------------------------------------------------------------------------------
# Background runs


def _in_background(app: Any, kind: str, run_id: int, user: Any, ip: str, changes: list[dict[str, Any]] | None) -> None:
    """Thread body: :func:`publish` or :func:`rollback` inside an app context; an unexpected
    failure (the database, say) still closes the run as failed, with the reason in its log."""
    with app.app_context():
        cfg = app.config
        try:
            if kind == "rollback":
                rollback(Path(cfg["PROJECT_DIR"]), user, run_id=run_id, ip=ip)
            else:
                publish(Path(cfg["PROJECT_DIR"]), Path(cfg["OUTPUT_DIR"]), user, content=Path(cfg["CONTENT_DIR"]),
                        run_id=run_id, ip=ip, changes=changes)
        except Exception:
            log.exception("%s run %s failed", kind, run_id)
            conn = connect(cfg["DATABASE"])
            try:
                conn.execute("UPDATE publish_runs SET finished = ?, ok = 0, log = log || ? WHERE id = ? "
                             "AND finished IS NULL", (time.time(), "\n" + traceback.format_exc(), run_id))
            finally:
                conn.close()


def _start(kind: str, user: Any, changes: list[dict[str, Any]] | None = None) -> int:
    from .db import client_ip

    run_id = queue_run(get_db(), user, kind)
    app = current_app._get_current_object()
    # Not a daemon: stopping the server waits for the run to finish (it switches atomically anyway).
    thread = threading.Thread(target=_in_background, args=(app, kind, run_id, user, client_ip(), changes),
                              name=f"jindallae-{kind}-{run_id}")
    thread.start()
    app.extensions.setdefault("cms_publish_threads", {})[run_id] = thread
    return run_id


def start_publish(user: Any = None, changes: list[dict[str, Any]] | None = None) -> int:
    """Queue a publish of the current app's site and run it in a background thread (a
    whole-site build and upload can take minutes, longer than a proxy waits for an answer);
    returns the run id at once (``/publish/log/<id>`` follows it).  ``changes``: see
    :func:`publish`.  Needs an app context; the thread is kept in
    ``app.extensions['cms_publish_threads'][run_id]`` (tests join it).  A run already going
    makes this one wait (:func:`publish_lock`)."""
    return _start("publish", user, changes)


def start_rollback(user: Any = None) -> int:
    """Queue a rollback to the previous release (:func:`rollback`) in a background thread, like
    :func:`start_publish`; returns the run id."""
    return _start("rollback", user)


# ---------------------------------------------------------------------------------------------
# Pages


def _project_args() -> tuple[Path, Path, Path]:
    cfg = current_app.config
    return Path(cfg["PROJECT_DIR"]), Path(cfg["OUTPUT_DIR"]), Path(cfg["CONTENT_DIR"])


def _signs_off(user: Any) -> bool:
    """True when ``user`` holds the role of the review chain's last step (cms.review)."""
    try:
        from .review import may_sign_off
    except ImportError:
        return False
    return may_sign_off(user)


@bp.app_template_filter("msg")
def _msg_filter(message: Any) -> str:
    """Jinja: a stored :func:`msg` in the reader's language."""
    return render_msg(message)


@bp.route("/publish")
@roles_required("reviewer", "admin")
def publish_view():
    """The production settings (public address, deploy target, or why publishing is refused),
    the checks (errors block; errors in unpublished pages and warnings are listed), the Publish
    button (reviewers), the Roll back button (admins, with a deploy target) and recent runs."""
    project, output, content = _project_args()
    setup, setup_error, setup_detail = None, None, ""
    try:
        setup = production_setup(project, content)
    except SetupError as exc:
        setup_error, setup_detail = exc.message, exc.detail
    try:
        from .i18n import get_lang

        checks = run_checks(project, content, setup.settings if setup else None, get_lang())
        checks_error = None
    except Exception as exc:  # broken settings: say so instead of a 500
        checks, checks_error = CheckSummary(), str(exc)
    runs = [dict(r) for r in get_db().execute("SELECT id, user, queued, started, finished, ok, kind FROM publish_runs "
                                                "ORDER BY id DESC LIMIT 20")]
    user = g.user
    return render_template("publish.html", checks=checks, runs=runs, setup=setup, setup_error=setup_error,
                           setup_detail=setup_detail, checks_error=checks_error, output=output,
                           can_publish=user.can("reviewer"), can_rollback=user.can("admin"),
                           run_users=display_names(r["user"] for r in runs))


def display_names(usernames: Any) -> dict[str, str]:
    """``{user name: display name}`` of the users who started runs (a run records the sign-in
    name; people are shown by the name they are known by, or the sign-in name without one)."""
    names = sorted({n for n in usernames if n})
    if not names:
        return {}
    rows = get_db().execute(f"SELECT username, display_name FROM users WHERE username IN ({','.join('?' * len(names))})",
                            names).fetchall()
    return {r["username"]: r["display_name"] or r["username"] for r in rows}


@bp.route("/publish", methods=["POST"])
@roles_required("reviewer")
def publish_post():
    """Start a publish (:func:`start_publish`) and answer at once with 303 to its log page,
    which reloads itself until the run is over."""
    run_id = start_publish(g.user)
    flash(_("Publishing started. This page shows the progress and the result."), "info")
    return redirect(url_for("publish.log_view", run_id=run_id), code=303)


@bp.route("/publish/rollback", methods=["POST"])
@roles_required("admin")
def rollback_post():
    """Admins: switch the deploy target back to its previous release (:func:`start_rollback`),
    then 303 to the run's log page.  Refused (nothing queued) when the production settings are
    unusable or no deploy target is configured."""
    project, _output, content = _project_args()
    try:
        setup = production_setup(project, content)
    except SetupError as exc:
        flash(render_msg(exc.message), "error")
        return redirect(url_for("publish.publish_view"))
    if not setup.target:
        flash(_("No deploy target is configured (DEPLOY_TARGETS in %(file)s is empty), so there is no earlier release "
                "to switch back to.", file=setup.conf.name), "error")
        return redirect(url_for("publish.publish_view"))
    run_id = start_rollback(g.user)
    flash(_("Switching back to the previous release. This page shows the progress and the result."), "info")
    return redirect(url_for("publish.log_view", run_id=run_id), code=303)


@bp.route("/publish/log/<int:run_id>")
@roles_required("reviewer", "admin", "editor", "translator", "proofreader", "head", "leader")
def log_view(run_id: int):
    """Run ``run_id`` step by step (times in Beijing time), its result and the technical log:
    for reviewers and admins, and for whoever signs pages off in the review chain (the role of
    its last step, :mod:`cms.review`), whose approval starts a publish."""
    if not (g.user.can("reviewer") or g.user.can("admin") or _signs_off(g.user)):
        abort(403)
    row = get_db().execute("SELECT * FROM publish_runs WHERE id = ?", (run_id,)).fetchone()
    if row is None:
        abort(404)
    ahead = get_db().execute("SELECT count(*) FROM publish_runs WHERE id < ? AND finished IS NULL", (run_id,)).fetchone()[0]
    report = load_report(row)
    # The technical log (English, paths and commands) is for administrators; everyone else reads
    # the steps, their notes and the result in their own language.
    return render_template("publish_log.html", run=dict(row), report=report, ahead=ahead, steps=STEPS, states=STATES,
                           failed_step=report.get("failed"), show_log=g.user.can("admin"),
                           run_user=display_names([row["user"]]).get(row["user"], row["user"]))
