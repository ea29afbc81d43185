"""The review chain, 三审三校: a page sent to review passes configured steps in order — by default
校对 proofread (role ``proofreader``) → 部门审核 department review (``head``) → 领导签发 sign-off
(``leader``) — and the last step publishes it (issue "Government editorial workflow", item 1).

Settings (``pelicanconf.py``, validated at start with the others by
:mod:`jindallae.review_config`): ``REVIEW_STEPS`` (``[{id, role, name}]``),
``REVIEW_DISTINCT_PEOPLE`` (one person passes at most one step of a page in one round) and
``REVIEW_MAIL`` (:mod:`cms.notify`).  They are read when the app is created
(:func:`init_app`); a restart applies a change.  A one-step chain ``[{"id": "review", "role":
"reviewer"}]`` is the workflow of earlier versions: the reviewer approves and publishes.

The file's ``status`` stays ``review`` from "Send to review" until the last step publishes it
(or a step returns it: ``draft``); which step a page waits at is derived from the decisions,
an append-only table (``review_decisions``: who decided what, when, on which revision, with
which comment — rows can be neither changed nor deleted) that is also the review history:

* ``submit`` (the editor sent the page; a new round of review starts),
* ``pass`` (a step approved the revision it saw; the page waits at the next step),
* ``return`` (a step sent the page back to the editor, with a comment; the round ends),
* ``reopen`` (the publish the last step asked for failed: the page waits at the last step again).

Errors that would stop the publish (:func:`publish_blockers`: every editorial check of
``jindallae check``, the page judged as if it were published) are found before anyone signs
off: "Send to review" is refused while the page has any, the review page and the queue list
them (in the reader's language, with their lines) for every reviewer, and no step can be
passed until they are corrected (the page can still be returned with a comment).  Warnings
never block; a finding staff accepted (``jindallae check --accept``) does not either.

Every decision is audited (``review_submit``, ``review_pass``, ``review_return``,
``review_reopen``).  The passes, returns and the final approval run through
:mod:`cms.workflow` (``/workflow/approve/<path>``, ``/workflow/return/<path>``); this module
holds the model, the queue, the badge and the review page ``/review/<path>``.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, g, has_request_context, render_template

from .auth import roles_required

log = logging.getLogger(__name__)
bp = Blueprint("review", __name__, url_prefix="/review")

SCHEMA = """
CREATE TABLE IF NOT EXISTS review_decisions (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,               -- content-relative file, news/x.zh.md
    action TEXT NOT NULL CHECK (action IN ('submit', 'pass', 'return', 'reopen')),
    step TEXT NOT NULL DEFAULT '',    -- REVIEW_STEPS id decided on ('' for submit)
    user_id INTEGER,                  -- users.id (NULL: the CMS itself)
    at TEXT NOT NULL,                 -- ISO 8601 UTC
    revision TEXT NOT NULL,           -- git blob hash of the page as decided on
    comment TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS review_decisions_path ON review_decisions (path, id);
"""
# Who may open the review page and the queue: the content roles and every role a step may name.
VIEW_ROLES = ("editor", "translator", "reviewer", "proofreader", "head", "leader")


# ---------------------------------------------------------------------------------------------
# Settings


@dataclass(frozen=True)
class Step:
    """One step of the chain: ``id``, the ``role`` that passes it, its ``name`` (text or
    ``{language: text}``) and its 0-based ``index``."""

    id: str
    role: str
    name: Any
    index: int

    def label(self, lang: str | None = None) -> str:
        """The step's name in ``lang`` (default the UI language)."""
        if lang is None:
            from .i18n import get_lang

            lang = get_lang()
        if isinstance(self.name, dict):
            return self.name.get(lang) or self.name.get("zh") or next(iter(self.name.values()), self.id)
        return str(self.name or self.id)


@dataclass
class ReviewConfig:
    """The ``REVIEW_*`` settings of the app (and the whole settings, for the checks)."""

    steps: list[Step]
    distinct: bool = True
    mail: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def roles(self) -> tuple[str, ...]:
        """The roles that pass some step, in chain order."""
        return tuple(dict.fromkeys(s.role for s in self.steps))

    @property
    def last(self) -> Step:
        return self.steps[-1]

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def next_after(self, step_id: str) -> Step | None:
        """The step after ``step_id`` (``None`` after the last; the first for an unknown id)."""
        step = self.step(step_id)
        if step is None:
            return self.steps[0]
        return self.steps[step.index + 1] if step.index + 1 < len(self.steps) else None


def make_config(settings: dict[str, Any]) -> ReviewConfig:
    from jindallae.review_config import DEFAULT_STEPS

    raw = settings.get("REVIEW_STEPS") or DEFAULT_STEPS
    steps = [Step(s["id"], s["role"], s.get("name") or s["id"], n) for n, s in enumerate(raw)]
    return ReviewConfig(steps, bool(settings.get("REVIEW_DISTINCT_PEOPLE", True)), dict(settings.get("REVIEW_MAIL") or {}),
                        settings)


def init_app(app) -> None:
    """Read the review settings of the app's project (``pelicanconf.py``; a wrong value raises
    :class:`jindallae.settings.SettingsError` naming the key, so the CMS does not start), create
    the tables and install the Jinja helpers."""
    from jindallae.settings import load_settings

    from .db import connect

    settings = load_settings(Path(app.config["PROJECT_DIR"]), None, {"PATH": str(app.config["CONTENT_DIR"])})
    app.extensions["cms_review"] = make_config(settings)
    conn = connect(app.config["DATABASE"])
    try:
        ensure_schema(conn)
        from .comments import ensure_schema as comments_schema

        comments_schema(conn)
    finally:
        conn.close()
    app.jinja_env.globals.update(review_badge=badge_count, review_info=page_info, scan_findings=scan_findings,
                                 page_comments=_page_comments, can_edit_page=_can_edit_page)


def config() -> ReviewConfig:
    """The current app's :class:`ReviewConfig` (read once, when the app was created)."""
    cfg = current_app.extensions.get("cms_review")
    if cfg is None:
        init_app(current_app)
        cfg = current_app.extensions["cms_review"]
    return cfg


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the ``review_decisions`` table (append-only: rows can be neither changed nor
    deleted) when missing; idempotent."""
    from .db import append_only

    conn.executescript(SCHEMA + append_only("review_decisions"))


def _db() -> sqlite3.Connection:
    from .db import get_db

    return get_db()


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


# ---------------------------------------------------------------------------------------------
# State of a page: replayed from its decisions


@dataclass
class RoundState:
    """Where a page in review stands: the round's ``submit`` decision (``None`` when the page
    was set to review outside the CMS), the decisions since (``events``), the step it
    ``waiting`` at, who passed a step in this round (``passers``: user ids) and the ``passes``."""

    path: str
    submit: dict[str, Any] | None
    events: list[dict[str, Any]]
    waiting: Step
    passers: set[int]
    passes: list[dict[str, Any]]

    @property
    def submitted_by(self) -> str:
        return _name(self.submit) if self.submit else ""

    @property
    def submitted_at(self) -> str:
        return self.submit["at"] if self.submit else ""

    @property
    def last_revision(self) -> str | None:
        """The revision the last decision of the round was about (``None``: no decision)."""
        rows = ([self.submit] if self.submit else []) + self.events
        return rows[-1]["revision"] if rows else None


def _name(row: dict[str, Any] | None) -> str:
    if not row:
        return ""
    return row.get("display_name") or row.get("username") or ("Jindallae CMS" if row.get("user_id") is None else "?")


_DECISIONS = ("SELECT d.*, u.display_name, u.username FROM review_decisions d LEFT JOIN users u ON u.id = d.user_id ")


def decisions(path: str, since: int = 0) -> list[dict[str, Any]]:
    """The decisions on ``path`` with ``id >= since``, oldest first, with the names of who made them."""
    return [dict(r) for r in _db().execute(_DECISIONS + "WHERE d.path = ? AND d.id >= ? ORDER BY d.id", (path, since))]


def replay(path: str, rows: list[dict[str, Any]], cfg: ReviewConfig) -> RoundState:
    """The :class:`RoundState` of a page in review from its decisions since the last ``submit``
    (``rows`` oldest first; may be empty)."""
    submit = next((r for r in reversed(rows) if r["action"] == "submit"), None)
    events = [r for r in rows if submit is None or r["id"] > submit["id"]] if submit else []
    waiting: Step = cfg.steps[0]
    passers: set[int] = set()
    passes = []
    for event in events:
        if event["action"] == "pass":
            passes.append(event)
            if event["user_id"] is not None:
                passers.add(event["user_id"])
            nxt = cfg.next_after(event["step"])
            waiting = nxt if nxt is not None else cfg.last  # past the last: its publish failed (reopen)
        elif event["action"] == "reopen":  # that step's pass did not publish: it is to be passed again
            waiting = cfg.step(event["step"]) or cfg.last
            passes = [p for p in passes if p["step"] != event["step"]]
            passers = {p["user_id"] for p in passes if p["user_id"] is not None}
        elif event["action"] == "return":  # the page went back to draft, yet it is in review now
            waiting, passers, passes = cfg.steps[0], set(), []
    return RoundState(path, submit, events, waiting, passers, passes)


def round_state(path: str, status: str | None, cfg: ReviewConfig | None = None) -> RoundState | None:
    """The review state of ``path`` when its ``status`` is ``review``, else ``None``."""
    if status != "review":
        return None
    cfg = cfg or config()
    last = _db().execute("SELECT max(id) FROM review_decisions WHERE path = ? AND action = 'submit'", (path,)).fetchone()[0]
    return replay(path, decisions(path, last or 0) if last else [], cfg)


def open_rounds(cfg: ReviewConfig | None = None) -> dict[str, RoundState]:
    """``{path: RoundState}`` of every page whose newest round is still going (submitted, not
    returned, its last step not passed), from the database alone (for the badge)."""
    cfg = cfg or config()
    rows = [dict(r) for r in _db().execute(
        _DECISIONS + "JOIN (SELECT path AS p, max(id) AS since FROM review_decisions WHERE action = 'submit' "
        "GROUP BY path) s ON s.p = d.path AND d.id >= s.since ORDER BY d.id")]
    by_path: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_path.setdefault(row["path"], []).append(row)
    out = {}
    for path, events in by_path.items():
        closed = False
        for event in events[1:]:
            if event["action"] == "return":
                closed = True
            elif event["action"] == "pass":
                closed = cfg.next_after(event["step"]) is None
            elif event["action"] == "reopen":
                closed = False
        if not closed:
            out[path] = replay(path, events, cfg)
    return out


def may_pass(user: Any, state: RoundState | None, cfg: ReviewConfig | None = None) -> tuple[bool, str]:
    """Whether ``user`` may pass (or return) the page now, and why not: ``""`` (may),
    ``"state"`` (not in review), ``"role"`` (lacks the step's role), ``"distinct"`` (passed
    another step of this round already)."""
    cfg = cfg or config()
    if state is None:
        return False, "state"
    if user is None or not user.can(state.waiting.role):
        return False, "role"
    if cfg.distinct and user.id in state.passers:
        return False, "distinct"
    return True, ""


def may_sign_off(user: Any) -> bool:
    """True when ``user`` holds the role of the chain's last step (who publishes)."""
    return user is not None and user.can(config().last.role)


# ---------------------------------------------------------------------------------------------
# Decisions


def record(path: str, action: str, step: str, user: Any, revision: str, comment: str = "",
           conn: sqlite3.Connection | None = None) -> int:
    """Append a decision and audit it (``review_<action>``); returns its id."""
    from .db import audit

    conn = conn or _db()
    cur = conn.execute("INSERT INTO review_decisions (path, action, step, user_id, at, revision, comment) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (path, action, step, getattr(user, "id", None), _now(), revision, comment.strip()[:4000]))
    detail = f"{step or '-'} on {revision[:12]}" + (f": {comment.strip()[:200]}" if comment.strip() else "")
    kwargs: dict[str, Any] = {"conn": conn}
    if user is None:
        kwargs["user_id"] = None
    audit(f"review_{action}", path, detail, **kwargs)
    return cur.lastrowid


def reopen_after_failed_publish(path: str, run_id: int, revision: str, conn: sqlite3.Connection | None = None) -> None:
    """The publish the last step asked for failed and the page is back in review: it waits at
    the last step again (a ``reopen`` decision by the CMS)."""
    cfg = current_app.extensions.get("cms_review")
    if cfg is None:
        return
    record(path, "reopen", cfg.last.id, None, revision, f"publish #{run_id} failed", conn=conn)


# ---------------------------------------------------------------------------------------------
# The live version, the queue and the badge


def live_text(store: Any, rel: str, limit: int = 60) -> str | None:
    """The text of ``rel`` as it is on the live site: the newest committed version whose status
    is ``published`` (a page without ``status`` is published); ``None`` for a page that was
    never published (within the last ``limit`` commits)."""
    from .content_store import run_git, split_file

    prefix = store.root.relative_to(store.top).as_posix()
    for rev in store.history(rel, limit):
        gpath = f"{prefix}/{rev.path}" if prefix not in ("", ".") else rev.path
        proc = run_git(store.top, "show", f"{rev.commit}:{gpath}")
        if proc.returncode != 0:
            continue
        text = proc.stdout.decode("utf-8", "surrogateescape")
        parts = split_file(text)
        match = re.search(r"^status[ \t]*:[ \t]*['\"]?(\w+)", parts[1], re.M) if parts else None
        if match is None or match.group(1) == "published":
            return text
    return None


def badge_count() -> int:
    """Pages waiting at a step the signed-in user may pass (the badge beside "Review")."""
    user = g.get("user") if has_request_context() else None
    if user is None or "cms_review" not in current_app.extensions:
        return 0
    cfg = config()
    if not any(user.can(r) for r in cfg.roles):
        return 0
    try:
        rounds = open_rounds(cfg)
    except sqlite3.Error:
        return 0
    return sum(1 for state in rounds.values() if may_pass(user, state, cfg)[0])


def queue(store: Any, user: Any) -> list[dict[str, Any]]:
    """The review queue: one entry per page in review, oldest submission first, with what the
    reviewer needs — title, section, language, who submitted and when, the step it waits at,
    whether the user may pass it (and why not), the diff against the live version and the
    other language versions at the same step that can be approved with it."""
    from .content import title_of, versions
    from .content_store import NotFound, side_by_side
    from .i18n import get_lang

    cfg = config()
    lang = get_lang()
    items, _errors = store.items()
    in_review = {i.path: i for i in items if i.status == "review"}
    states = {path: round_state(path, "review", cfg) for path in in_review}
    names = {code.code: code.name for code in store.model.languages}
    blockers = publish_blockers(list(in_review))
    out = []
    for path, item in in_review.items():
        try:
            page = store.load(path, lang)
        except NotFound:
            continue
        state = states[path]
        ok, why = may_pass(user, state, cfg)
        live = live_text(store, path)
        together = []
        for code, other in versions(store, path).items():
            if other == path or other not in in_review:
                continue
            other_state = states[other]
            if other_state.waiting.id == state.waiting.id and may_pass(user, other_state, cfg)[0]:
                together.append({"path": other, "lang": code, "lang_name": names.get(code, code),
                                 "revision": store.load(other).revision})
        out.append({
            "page": page, "path": path, "title": title_of(page), "section": store.model.sections[item.section].name(lang),
            "lang": item.lang, "lang_name": names.get(item.lang, item.lang), "state": state,
            "submitted_by": state.submitted_by, "submitted_at": state.submitted_at, "step": state.waiting,
            "last": state.waiting.id == cfg.last.id, "may_pass": ok, "why_not": why,
            "together": together if ok else [], "new_page": live is None, "blockers": blockers.get(path, []),
            "hunks": side_by_side(live or "", page.text), "changed_since": _changed_since(state, page.revision),
        })
    out.sort(key=lambda e: (not e["may_pass"], e["submitted_at"] or "", e["path"]))
    return out


def _changed_since(state: RoundState, revision: str) -> bool:
    """True when the page changed after the round's last decision (a step passed an older text)."""
    last = state.last_revision
    return bool(last and last != revision)


# ---------------------------------------------------------------------------------------------
# Jinja helpers for the edit, translate and review pages


def page_info(page: Any) -> dict[str, Any]:
    """What the page's panels show: the chain, the step the page waits at, the decisions of
    this round, whether the signed-in user may pass or return it now (and why not)."""
    cfg = config()
    status = page.item.status if page.item is not None else None
    state = round_state(page.path, status, cfg)
    user = g.get("user")
    ok, why = may_pass(user, state, cfg)
    # Errors that would stop the publish, for a page in review: the approve button is replaced
    # by them (the approve action checks again).
    blockers = publish_blockers([page.path]).get(page.path, []) if state is not None else []
    return {"steps": cfg.steps, "state": state, "status": status, "may_pass": ok, "why_not": why,
            "last": state is not None and state.waiting.id == cfg.last.id, "blockers": blockers,
            "changed_since": state is not None and _changed_since(state, page.revision), "one_step": len(cfg.steps) == 1}


def _page_comments(page: Any) -> list[dict[str, Any]]:
    from .comments import for_page

    return for_page(page.path, page.revision)


def _can_edit_page(page: Any) -> bool:
    from .content import can_edit, get_store

    return can_edit(g.get("user"), get_store(), page)


def scan_findings(page: Any) -> list[Any]:
    """The ``sensitive`` and ``typo`` findings of the page's saved text (shown beside the text of a
    draft; errors block "Send to review")."""
    from jindallae.checks.core import scan_page

    from .content import get_store

    if page.item is None:
        return []
    store = get_store()
    try:
        return scan_page(store.model, store.root, page.path, page.text, config().settings)
    except Exception:  # noqa: BLE001 - a broken list must not take the editor down: the check reports it
        log.exception("scanning %s", page.path)
        return []


# ---------------------------------------------------------------------------------------------
# Errors that would stop the publish


def _check_settings() -> dict[str, Any]:
    """The settings the publish checks with: the production settings (``PUBLISH_SETTINGS``,
    :func:`cms.publish.production_setup`) when they can be used, else the project's."""
    try:
        from .publish import SetupError, production_setup

        return production_setup(Path(current_app.config["PROJECT_DIR"]), Path(current_app.config["CONTENT_DIR"])).settings
    except (ImportError, SetupError):
        return config().settings


def publish_blockers(paths: list[str]) -> dict[str, list[Any]]:
    """``{path: [Finding]}``: the errors that would stop the publish of ``paths`` if they were
    published now — :func:`jindallae.checks.run_checks` on the whole content (as the publish
    runs it), those pages judged as published (so a link to a draft counts), limited to those
    pages and to the data files every page depends on (a broken word list is listed under each
    page).  Accepted findings and warnings are left out.  Pages without errors are not keys."""
    from jindallae.checks import run_checks

    paths = sorted(set(paths))
    if not paths:
        return {}
    cache = g.setdefault("cms_publish_blockers", {}) if has_request_context() else {}
    key = tuple(paths)
    if key in cache:
        return cache[key]
    content = Path(current_app.config["CONTENT_DIR"])
    try:
        report = run_checks(Path(current_app.config["PROJECT_DIR"]), content, paths=paths,
                            settings=_check_settings(), as_published=paths)
    except Exception:  # noqa: BLE001 - broken settings: the publish page says so; never block the review on it
        log.exception("checking %s", ", ".join(paths))
        return {}
    out: dict[str, list[Any]] = {}
    shared = [f for f in report.errors if f.path not in paths]  # data files (terms, word lists, accept file)
    for f in report.errors:
        if f.path in paths:
            out.setdefault(f.path, []).append(f)
    if shared:
        for path in paths:
            out[path] = shared + out.get(path, [])
    cache[key] = out
    return out


def finding_text(f: Any, page_path: str | None = None, lang: str | None = None, body_line: int | None = None) -> str:
    """One finding for people, in the UI language: ``第 12 行：…`` / ``12행: …`` (with the file
    when it is not the page's own, e.g. a word list).  With ``body_line`` (the file line where
    the page's text starts, :attr:`jindallae.model.Item.body_line`) a finding in the text also
    gets its line within the text, as the edit form's text box counts: ``第 11 行（正文第 5 行）``."""
    from .forms import with_labels
    from .i18n import _, get_lang

    lang = lang or get_lang()
    text = with_labels(f.text(lang) if hasattr(f, "text") else f.message)
    if page_path is not None and f.path != page_path:
        return _("%(path)s, line %(line)s: %(problem)s", path=f.path, line=f.line, problem=text)
    if body_line is not None and f.line >= body_line:
        return _("Line %(line)s (line %(body)s of the text): %(problem)s", line=f.line, body=f.line - body_line + 1,
                 problem=text)
    return _("Line %(line)s: %(problem)s", line=f.line, problem=text)


def blockers_sentence(findings: list[Any], page_path: str, body_line: int | None = None) -> str:
    """The findings as one sentence for a flash message, joined the UI language's way
    (``body_line``: see :func:`finding_text`)."""
    from .i18n import list_separator

    shown = [finding_text(f, page_path, body_line=body_line) for f in findings[:5]]
    more = len(findings) - len(shown)
    if more > 0:
        from .i18n import ngettext

        shown.append(ngettext("%(num)s more", "%(num)s more", more))
    return list_separator("; ").join(shown)


# ---------------------------------------------------------------------------------------------
# The review page


@bp.get("/<path:rel>")
@roles_required(*VIEW_ROLES)
def view(rel: str):
    """One page for its reviewers (and everyone else working on it): where it stands in the
    chain and its history of decisions, the diff against the live version, the text with line
    numbers and the comments on it, the preview link, and the pass / return forms for whoever
    may act at the current step."""
    from . import comments, forms
    from .content import can_edit, get_store, load_or_404, title_of, versions
    from .content_store import side_by_side
    from .i18n import get_lang

    store = get_store()
    page = load_or_404(store, rel)
    user = g.user
    info = page_info(page)
    cfg = config()
    live = live_text(store, rel)
    history = decisions(rel)
    names = {lang.code: lang.name for lang in store.model.languages}
    together = []
    if info["may_pass"]:
        for code, other in versions(store, rel).items():
            if other == rel:
                continue
            other_page = store.load(other, get_lang())
            other_status = other_page.item.status if other_page.item is not None else None
            other_state = round_state(other, other_status, cfg)
            if other_state is not None and other_state.waiting.id == info["state"].waiting.id \
                    and may_pass(user, other_state, cfg)[0]:
                together.append({"path": other, "lang": code, "lang_name": names.get(code, code),
                                 "revision": other_page.revision})
    lines = page.text.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    editing = info["status"] in ("draft", "review")
    blockers = publish_blockers([rel]).get(rel, []) if editing else []
    listed = {(f.id, f.line, f.col) for f in blockers}
    findings = [f for f in scan_findings(page) if (f.id, f.line, f.col) not in listed] if editing else []
    return render_template(
        "review.html", page=page, title=title_of(page), info=info, steps=cfg.steps, history=history,
        step_of={s.id: s for s in cfg.steps}, hunks=side_by_side(live or "", page.text), new_page=live is None,
        lines=lines, comments=comments.for_page(rel, page.revision), can_edit=can_edit(user, store, page),
        together=together, lang_name=names.get(page.lang, page.lang), status_labels=forms.STATUS_LABELS,
        section=store.model.sections[page.item.section].name(get_lang()) if page.item is not None else "",
        findings=findings, blockers=blockers)
