"""Blueprint ``workflow``: draft → in review → published, unpublish, and publishing or
unpublishing at a scheduled Beijing time (issue #7 item 7); the review chain 三审三校
(:mod:`cms.review`).

The state is the page's ``status`` front-matter field; each change is a commit of that one
file.  Actions (POST only, roles checked on the server):

* ``review``    draft → review     — whoever may edit the page (editor, translator for translations);
  refused while the ``sensitive`` / ``typo`` scan finds errors in the text (shown beside it);
  starts a round of review at the chain's first step (:mod:`cms.review`, ``REVIEW_STEPS``)
* ``approve``   passes the step the page waits at — whoever holds that step's role (and, with
  ``REVIEW_DISTINCT_PEOPLE``, passed no other step of the round); ``also`` (``path@revision``,
  repeatable) passes the page's other language versions waiting at the same step in the same
  action.  At the last step: review → published, then the site is published once for all of
  them (:func:`cms.publish.publish` in a background thread; the user is taken to the run's log)
* ``return``    review → draft     — the same people, with a required ``comment`` (kept as a
  comment on the page and in the review history; a "veto" at the sign-off step)
* ``unpublish`` published → draft  — reviewer, then the site is published without the page

With the one-step chain ``[{"id": "review", "role": "reviewer"}]`` this is the workflow of
earlier versions: a reviewer approves and publishes.

Approve and unpublish are refused before anything changes when the production settings cannot
publish (:func:`cms.publish.publish_refusal`).  When the publish that a status change asked for
fails, the change is undone (:func:`revert_changes`: a commit by the CMS, audited), so the
status in the file and the live site agree: an approved page goes back to review, an
unpublished one back to published.

Scheduled jobs (table ``schedule``, :mod:`cms.workflow_db`): a time typed in Beijing time
(``<input type="datetime-local">``, Asia/Shanghai) is stored in UTC; :func:`run_due` runs the
due ones (status change + commit each, then one publish for all), called by FOUNDATION's
scheduler thread and by ``jindallae cms run-due``.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from . import forms
from .auth import current_user, roles_required, safe_next
from .content import EDIT_ROLES, author_of, can_edit, get_store, load_or_404, title_of, versions
from .content_store import (Author, Conflict, ContentStore, NotFound, SaveResult, StoreError, ValidationFailed, set_value,
                            side_by_side)
from .i18n import format_datetime
from .i18n import gettext as _
from .i18n import get_lang, list_separator
from .review import VIEW_ROLES
from .workflow_db import ensure_schema

log = logging.getLogger(__name__)
bp = Blueprint("workflow", __name__, url_prefix="/workflow")
BEIJING = ZoneInfo("Asia/Shanghai")

# action -> (statuses it starts from, new status, commit verb, roles; None = whoever may edit the
# page; "chain" = whoever may decide at the step the page waits at, cms.review)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str, str, tuple[str, ...] | str | None]] = {
    "review": (("draft",), "review", "Send to review", None),
    "return": (("review",), "draft", "Return to draft", "chain"),
    "approve": (("review",), "published", "Approve and publish", "chain"),
    "unpublish": (("published",), "draft", "Unpublish", ("reviewer",)),
}
SCHEDULE_ACTIONS = {"publish": "published", "unpublish": "draft"}


class TransitionError(Exception):
    """The page is not in a state the action starts from."""


def change_status(store: ContentStore, rel: str, new_status: str, author: Author, verb: str,
                  base_revision: str | None = None, allowed_from: tuple[str, ...] | None = None,
                  ui_lang: str | None = None) -> SaveResult:
    """Set the page's ``status`` and commit that one file (``<verb> <path>: <title>``).

    ``base_revision`` (when given) must be the current revision (:class:`Conflict` otherwise);
    ``allowed_from`` the statuses the change may start from (:class:`TransitionError`).  The
    content model validates the result: a page must be complete to go to review or be
    published (:class:`ValidationFailed`)."""
    page = store.load(rel, ui_lang)
    if base_revision and base_revision != page.revision:
        raise Conflict(page.text, page.revision)
    status = page.item.status if page.item is not None else "published"
    if allowed_from is not None and status not in allowed_from:
        raise TransitionError(status)
    if page.front is None:
        raise ValidationFailed(page.errors)
    front = copy.deepcopy(page.front)
    set_value(front, "status", new_status)
    text = store.text_for(page, front, None, True)
    return store.save_text(rel, text, page.revision, author, f"{verb} {rel}: {title_of(page)}", ui_lang)


def run_publish(user: Any, changes: list[dict[str, Any]] | None = None) -> Any:
    """Publish the site with FOUNDATION's :func:`cms.publish.publish` (production settings,
    checks, build, deploy; serialised); returns its ``PublishResult``, or ``None`` when
    publishing is not installed.  ``changes``: the status changes to undo if it fails."""
    try:
        from .publish import publish
    except ImportError:
        return None
    return publish(Path(current_app.config["PROJECT_DIR"]), Path(current_app.config["OUTPUT_DIR"]), user,
                   changes=changes)


def start_publish(user: Any, changes: list[dict[str, Any]] | None = None) -> int | None:
    """Queue a publish and run it in the background (:func:`cms.publish.start_publish`, the same
    as the Publish page); the run id, or ``None`` when publishing is not installed.
    ``changes``: the status changes to undo if it fails (:func:`revert_changes`)."""
    try:
        from .publish import start_publish as start
    except ImportError:
        return None
    return start(user, changes)


def publish_refusal() -> str | None:
    """Why publishing is impossible now (the production settings, translated), or ``None``:
    asked before a status change that publishes, so a refused publish changes nothing."""
    try:
        from .publish import publish_refusal as refusal
    except ImportError:
        return None
    return refusal()


def revert_changes(changes: list[dict[str, Any]], run_id: int, project: Path | None = None,
                   content: Path | None = None) -> list[dict[str, Any]]:
    """Undo status changes whose publish (run ``run_id``) failed, so that the status in each
    file agrees with the live site again: each page goes back to its ``before`` status in a
    commit by the CMS itself (``Publish #N failed; back to review <path>: <title>``), audited as
    ``workflow_revert``.  A page changed since (another revision or status) is left alone.
    ``changes``: ``[{path, before, after, revision}]``.  Returns one translatable note
    (:func:`cms.publish.msg`) per page.  Needs an app context (for the folders, unless given)."""
    from .publish import msg

    store = ContentStore.for_project(Path(project or current_app.config["PROJECT_DIR"]),
                                     Path(content or current_app.config["CONTENT_DIR"]))
    notes = []
    for change in changes:
        rel, before, after = change["path"], change.get("before") or "draft", change["after"]
        label = msg(forms.STATUS_LABELS.get(before, before))
        try:
            saved = change_status(store, rel, before, author_of(None), f"Publish #{run_id} failed; back to {before}",
                                  change.get("revision") or None, (after,))
        except (Conflict, TransitionError):
            notes.append(msg(forms.N_("%(path)s was changed after its status change, so its status was left as it "
                                      "is; look at it on the Review page."), path=rel))
            continue
        except (ValidationFailed, StoreError, NotFound) as exc:
            detail = getattr(exc, "detail", "") or "; ".join(str(e) for e in getattr(exc, "errors", [])) or str(exc)
            notes.append(msg(forms.N_("The status of %(path)s could not be set back: %(detail)s"), path=rel,
                             detail=detail))
            continue
        _audit("workflow_revert", rel, f"run {run_id} failed: status {after} -> {before}", user_id=None)
        if before == "review":  # the page waits at the chain's last step again
            try:
                from .review import reopen_after_failed_publish

                reopen_after_failed_publish(rel, run_id, saved.revision)
            except Exception:  # noqa: BLE001 - the status is back; the queue still lists the page
                log.exception("recording the reopened review of %s", rel)
        notes.append(msg(forms.N_("%(path)s: the status is back to \"%(status)s\", as on the live site (the publish "
                                  "failed). The change is recorded in the page's history."), path=rel, status=label))
    return notes


def _audit(action: str, target: str, detail: str = "", **kw: Any) -> None:
    try:
        from .db import audit
    except ImportError:
        return
    audit(action, target, detail, **kw)


@bp.post("/<action>/<path:rel>")
@roles_required(*VIEW_ROLES)
def act(action: str, rel: str):
    """Run a workflow action on one page (see :data:`TRANSITIONS`)."""
    if action not in TRANSITIONS:
        abort(404)
    starts, new_status, verb, roles = TRANSITIONS[action]
    store = get_store()
    page = load_or_404(store, rel)
    user = current_user()
    if roles == "chain":
        return _chain_action(action, store, page, user)
    allowed = can_edit(user, store, page) if roles is None else any(user.can(r) for r in roles)
    if not allowed:
        abort(403)
    back = _back(store, page, user)
    if action == "unpublish":
        refusal = publish_refusal()  # the production settings: refused before anything changes
        if refusal:
            flash(refusal, "error")
            return redirect(back)
    if action == "review" and page.item is not None and page.item.status in starts:
        from .review import blockers_sentence, publish_blockers, scan_findings

        blocking = [f for f in scan_findings(page) if f.blocking]
        if blocking:  # the sensitive-word and typo scan: errors keep the page a draft, the text as it is
            flash(_("Not sent to review: the text has %(count)s problem(s) to correct first (sensitive words or "
                    "typos, listed under the text with their lines). Nothing was changed.", count=len(blocking)),
                  "error")
            return redirect(back)
        # Every error that would stop its publish (jindallae check): no review step could pass it,
        # so it stays a draft until they are corrected (listed here, in the editor's language).
        blockers = publish_blockers([rel]).get(rel, [])
        if blockers:
            flash(_("Not sent to review: %(count)s error(s) would stop this page from being published; correct "
                    "them first. Nothing was changed. %(errors)s", count=len(blockers),
                    errors=blockers_sentence(blockers, rel, page.item.body_line)), "error")
            return redirect(back)
    saved = _change(store, rel, new_status, user, verb, request.form.get("base_revision") or None, starts)
    if saved is None:
        return redirect(back)
    _audit(f"workflow_{action}", rel, f"status: {new_status}")
    if action != "unpublish":  # an unpublish is told with its publish run, below
        flash(_("Status changed to: %(status)s.", status=_(forms.STATUS_LABELS[new_status])), "success")
    if action == "review":
        from . import notify, review

        cfg = review.config()
        review.record(rel, "submit", "", user, saved.revision)
        notify.page_waiting(rel, title_of(page), cfg.steps[0], user)
    if action == "unpublish":
        changes = [{"path": rel, "before": starts[0], "after": new_status, "revision": saved.revision}]
        run_id = start_publish(user, changes)
        if run_id is not None:
            flash_publish_started(run_id, _("The page is a draft again."))
            return redirect(url_for("publish.log_view", run_id=run_id), code=303)
        flash(_("Status changed to: %(status)s.", status=_(forms.STATUS_LABELS[new_status])), "success")
    return redirect(back)


def flash_publish_started(run_id: int, done: str) -> None:
    """Say what was done (``done``, a translated sentence) and that the publish run ``run_id``
    was started, not that anything is live yet: it is queued or running, and only its log says
    when the site is published (or that it failed and the status went back).  With a link to
    the log."""
    from markupsafe import Markup

    said = _("%(done)s Publishing #%(id)s has started: the live site changes only when it has finished, and its "
             "log says so (or why it failed).", done=done, id=run_id)
    flash(Markup('{} <a href="{}">{}</a>').format(said, url_for("publish.log_view", run_id=run_id),
                                                 _("Open the log of publishing #%(id)s", id=run_id)), "info")


def _back(store: ContentStore, page: Any, user: Any) -> str:
    """Where a workflow form returns to: its ``next`` (a local path only, ASVS V5.1.5: not
    //host, /\\host, /<tab>/host), else the page's editor or its review page."""
    back = request.form.get("next") or (url_for("content.edit", rel=page.path) if can_edit(user, store, page)
                                        else url_for("review.view", rel=page.path))
    return safe_next(back)


def _change(store: ContentStore, rel: str, new_status: str, user: Any, verb: str, base: str | None,
            starts: tuple[str, ...]) -> SaveResult | None:
    """:func:`change_status` with the problems flashed (``None``: nothing was changed)."""
    try:
        return change_status(store, rel, new_status, author_of(user), verb, base, starts, get_lang())
    except TransitionError as exc:
        flash(_("This page is %(status)s; that action is not possible now.",
                status=_(forms.STATUS_LABELS.get(str(exc), str(exc)))), "error")
    except Conflict:
        flash(_("The page changed since you opened it; nothing was changed. Look at the new version first."), "error")
    except ValidationFailed as exc:
        flash(_("The page is not complete: %(detail)s", detail=list_separator(";").join(e.message for e in exc.errors)), "error")
    except StoreError as exc:
        flash(_("Nothing was changed: %(detail)s", detail=exc.detail), "error")
    return None


def _chain_action(action: str, store: ContentStore, page: Any, user: Any):
    """``approve`` (pass the step the page waits at; the last step publishes) and ``return``
    (back to draft with a comment), for whoever may decide at that step (:mod:`cms.review`)."""
    from . import comments, notify, review

    cfg = review.config()
    if not any(user.can(r) for r in cfg.roles):
        abort(403)
    rel = page.path
    back = _back(store, page, user)
    status = page.item.status if page.item is not None else "published"
    state = review.round_state(rel, status, cfg)
    if state is None:
        flash(_("This page is %(status)s; that action is not possible now.",
                status=_(forms.STATUS_LABELS.get(status, status))), "error")
        return redirect(back)
    step = state.waiting
    ok, why = review.may_pass(user, state, cfg)
    if why == "role":
        abort(403)
    if not ok:
        flash(_("You already passed another review step of this page; someone else must decide at \"%(step)s\". "
                "Nothing was changed.", step=step.label()), "error")
        return redirect(back)
    base = request.form.get("base_revision") or None
    if base and base != page.revision:
        flash(_("The page changed since you opened it; nothing was changed. Look at the new version first."), "error")
        return redirect(back)
    comment = request.form.get("comment", "").strip()
    if action == "return":
        if not comment:
            flash(_("Write what must change before returning the page; nothing was changed."), "error")
            return redirect(back)
        saved = _change(store, rel, "draft", user, "Return to draft", page.revision, ("review",))
        if saved is None:
            return redirect(back)
        decision = review.record(rel, "return", step.id, user, page.revision, comment)
        comments.add(rel, page.revision, comment, user, step=step.id, decision_id=decision)
        _audit("workflow_return", rel, "status: draft")
        notify.page_returned(rel, title_of(page), step, user, state.submit["user_id"] if state.submit else None,
                             comment)
        flash(_("Returned to the editor with your comment; the page is a draft again."), "success")
        return redirect(back)
    group = [(page, state)]
    siblings = set(versions(store, rel).values()) - {rel}
    for value in request.form.getlist("also"):
        other_rel, _sep, revision = value.partition("@")
        if other_rel not in siblings or other_rel in {p.path for p, _s in group}:
            abort(400)
        other = load_or_404(store, other_rel)
        other_status = other.item.status if other.item is not None else "published"
        other_state = review.round_state(other_rel, other_status, cfg)
        if other_state is None or other_state.waiting.id != step.id or not review.may_pass(user, other_state, cfg)[0]:
            flash(_("%(path)s is no longer waiting for you at \"%(step)s\"; nothing was changed.", path=other_rel,
                    step=step.label()), "error")
            return redirect(back)
        if revision and revision != other.revision:
            flash(_("The page changed since you opened it; nothing was changed. Look at the new version first."),
                  "error")
            return redirect(back)
        group.append((other, other_state))
    blockers = review.publish_blockers([m.path for m, _s in group])
    if blockers:  # errors that would stop the publish: no step passes the page until they are corrected
        for member, _member_state in group:
            found = blockers.get(member.path)
            if found:
                flash(_("Not approved: %(title)s has %(count)s error(s) that would stop it from being published. "
                        "Return it to the editor to correct them (they are listed on its review page). Nothing was "
                        "changed. %(errors)s", title=title_of(member), count=len(found),
                        errors=review.blockers_sentence(found, member.path)), "error")
        return redirect(url_for("review.view", rel=rel))
    following = cfg.next_after(step.id)
    if following is not None:  # a step on the way: recorded, the next step is told
        for member, member_state in group:
            review.record(member.path, "pass", step.id, user, member.revision, comment)
            skip = (member_state.passers | {user.id}) if cfg.distinct else set()
            notify.page_waiting(member.path, title_of(member), following, user, skip)
        flash(_("Approved at \"%(step)s\"; now waiting at \"%(next)s\": %(pages)s.", step=step.label(),
                next=following.label(), pages=list_separator().join(title_of(m) for m, _s in group)), "success")
        return redirect(back)
    refusal = publish_refusal()  # the production settings: refused before anything changes
    if refusal:
        flash(refusal, "error")
        return redirect(back)
    changes = []
    for member, _member_state in group:
        saved = _change(store, member.path, "published", user, "Approve and publish", member.revision, ("review",))
        if saved is None:
            continue
        review.record(member.path, "pass", step.id, user, member.revision, comment)
        _audit("workflow_approve", member.path, "status: published")
        changes.append({"path": member.path, "before": "review", "after": "published", "revision": saved.revision})
    if not changes:
        return redirect(back)
    run_id = start_publish(user, changes)
    if run_id is not None:
        flash_publish_started(run_id, _("Approved for publishing: %(pages)s.", pages=list_separator().join(
            title_of(m) for m, _s in group if m.path in {c["path"] for c in changes})))
        return redirect(url_for("publish.log_view", run_id=run_id), code=303)
    flash(_("Status changed to: %(status)s.", status=_(forms.STATUS_LABELS["published"])), "success")
    return redirect(back)


# ---------------------------------------------------------------------------------------------
# Review queue and scheduled jobs


def parse_beijing(value: str) -> dt.datetime:
    """A ``datetime-local`` value (``2026-12-01T09:30``) read as Beijing time (Asia/Shanghai),
    returned in UTC.  Raises ValueError for anything else."""
    when = dt.datetime.fromisoformat(value.strip())
    if when.tzinfo is not None:
        raise ValueError(value)
    return when.replace(tzinfo=BEIJING).astimezone(dt.timezone.utc)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _db():
    from .db import get_db

    conn = get_db()
    ensure_schema(conn)
    return conn


@bp.get("/")
@roles_required(*VIEW_ROLES)
def index():
    """The review queue: every page in review with its title, section, language, who submitted
    it and when, the step it waits at (those the user may pass first), the diff against the live
    version and the preview link; the changes to published pages waiting for a reviewer."""
    from . import pending, review

    store = get_store()
    user = current_user()
    return render_template("workflow.html", queue=review.queue(store, user), steps=review.config().steps,
                           status_labels=forms.STATUS_LABELS, can_review=user.can("reviewer"),
                           pending=pending.queue() if any(user.can(r) for r in EDIT_ROLES) else None)


# ---------------------------------------------------------------------------------------------
# Pending revisions of published pages (cms.pending)


def _pending_or_404(row_id: int):
    from . import pending

    row = pending.get(row_id)
    if row is None:
        abort(404)
    return row


def _may_withdraw(user: Any, store: ContentStore, row: Any) -> bool:
    """A reviewer, or whoever may edit the page (editor; translator for a translation)."""
    if user.can("reviewer"):
        return True
    try:
        return can_edit(user, store, store.load(row["path"]))
    except NotFound:
        return False


def _pending_page(row_id: int, merge: dict[str, Any] | None = None, status: int = 200, error: str | None = None):
    from jindallae.checks.translations import read_blobs

    from .content import merge_view

    store = get_store()
    row = _pending_or_404(row_id)
    user = current_user()
    if not _may_withdraw(user, store, row):
        abort(403)
    try:
        live = store.load(row["path"], get_lang())
    except NotFound:
        abort(404)
    if merge is None and row["state"] == "pending" and live.revision != row["base_revision"]:
        base = read_blobs(store.root, [row["base_revision"]]).get(row["base_revision"])
        merge = merge_view(live.text, row["text"])
        if base is not None:
            from .content_store import merge_texts

            combined = merge_texts(base.decode("utf-8", "surrogateescape"), row["text"], live.text)
            merge["combined"] = combined if combined not in (None, live.text, row["text"]) else None
    hunks = side_by_side(live.text, row["text"])
    states = {"pending": forms.N_("awaiting review"), "approved": forms.N_("approved"),
              "rejected": forms.N_("rejected"), "superseded": forms.N_("replaced by a later save"),
              "withdrawn": forms.N_("withdrawn")}
    return render_template("pending.html", pending_states=states, row=row, live=live, title=title_of(live), hunks=hunks, merge=merge,
                           error=error, can_review=user.can("reviewer"),
                           can_withdraw=_may_withdraw(user, store, row)), status


@bp.get("/pending/<int:row_id>")
@roles_required(*EDIT_ROLES)
def pending_view(row_id: int):
    """A pending revision against the live file (side-by-side diff); approve and reject forms
    for reviewers, withdraw for its editors.  When the live file changed since the revision's
    base, the merge view (both texts, and the three-way merge when the changes do not overlap)."""
    return _pending_page(row_id)


@bp.post("/pending/<int:row_id>/approve")
@roles_required("reviewer")
def pending_approve(row_id: int):
    """Approve a pending revision: write and commit it (editor as author, reviewer named in the
    message), then publish like the approve action.  A stale revision (the live file changed
    since its base) shows the merge view (409); the reviewer approves the merged text, sent
    with the live revision it was merged against (``text``, ``live_revision``)."""
    from . import pending

    store = get_store()
    row = _pending_or_404(row_id)
    if row["state"] != "pending":
        flash(_("This change is no longer pending."), "error")
        return redirect(url_for("workflow.index"))
    user = current_user()
    refusal = publish_refusal()  # the production settings: refused before anything is written
    if refusal:
        return _pending_page(row_id, status=409, error=refusal)
    text = request.form.get("text")
    try:
        result = pending.approve(store, row, user, text if text else None, request.form.get("live_revision") or None,
                                 get_lang())
    except pending.Stale:
        return _pending_page(row_id, status=409, error=_(
            "The live page changed after this change was made; nothing was written. Compare both versions, "
            "check the text to publish, then approve it or reject the change."))
    except ValidationFailed as exc:
        return _pending_page(row_id, status=422, error=_(
            "The page is not complete: %(detail)s", detail=list_separator(";").join(e.message for e in exc.errors)))
    except Conflict:
        return _pending_page(row_id, status=409, error=_(
            "The live page changed after this change was made; nothing was written. Compare both versions, "
            "check the text to publish, then approve it or reject the change."))
    except NotFound:
        abort(404)
    except StoreError as exc:
        return _pending_page(row_id, status=500, error=_("Nothing was changed: %(detail)s", detail=exc.detail))
    if result.commit:
        run_id = start_publish(user)
        if run_id is not None:
            flash_publish_started(run_id, _("The change was approved and written."))
            return redirect(url_for("publish.log_view", run_id=run_id), code=303)
    flash(_("The change was approved and written."), "success")
    return redirect(url_for("workflow.index"))


@bp.post("/pending/<int:row_id>/reject")
@roles_required("reviewer")
def pending_reject(row_id: int):
    """Reject a pending revision with a note (``note``) the editors see; the file is untouched."""
    from . import pending

    row = _pending_or_404(row_id)
    if pending.reject(row, current_user(), request.form.get("note", "")):
        flash(_("The change was rejected; the editor will see your note."), "success")
    else:
        flash(_("This change is no longer pending."), "error")
    return redirect(url_for("workflow.index"))


@bp.post("/pending/<int:row_id>/withdraw")
@roles_required(*EDIT_ROLES)
def pending_withdraw(row_id: int):
    """Withdraw a pending revision (its editors or a reviewer); the live page stays as it is."""
    from . import pending

    store = get_store()
    row = _pending_or_404(row_id)
    if not _may_withdraw(current_user(), store, row):
        abort(403)
    if pending.withdraw(row, current_user()):
        flash(_("The pending change was withdrawn; the live page is unchanged."), "success")
    else:
        flash(_("This change is no longer pending."), "error")
    try:
        store.load(row["path"])
        return redirect(url_for("content.edit", rel=row["path"]))
    except NotFound:
        return redirect(url_for("workflow.index"))


def _jobs(limit: int = 200) -> list[dict[str, Any]]:
    rows = _db().execute("SELECT s.*, u.username AS creator FROM schedule s LEFT JOIN users u ON u.id = s.created_by "
                         "ORDER BY s.done_at IS NOT NULL, s.run_at_utc DESC LIMIT ?", (limit,)).fetchall()
    out = []
    for row in rows:
        job = dict(row)
        job["when"] = format_datetime(row["run_at_utc"], "medium")
        out.append(job)
    return out


@bp.route("/schedule", methods=["GET", "POST"])
@roles_required("reviewer")
def schedule():
    """Schedule publishing or unpublishing of a page at a Beijing time (POST), list jobs (GET)."""
    store = get_store()
    paths = store.all_paths()
    error = None
    values = {"path": request.values.get("path", ""), "action": request.form.get("action", "publish"),
              "run_at": request.form.get("run_at", "")}
    if request.method == "POST":
        rel, action = values["path"], values["action"]
        try:
            when = parse_beijing(values["run_at"])
        except ValueError:
            when = None
        from .review import config, may_sign_off

        if rel not in paths:
            error = _("Choose a page.")
        elif action not in SCHEDULE_ACTIONS:
            error = _("Choose publish or unpublish.")
        elif action == "publish" and not may_sign_off(current_user()):
            error = _("Only who signs pages off (the review step \"%(step)s\") may schedule publishing.",
                      step=config().last.label())
        elif when is None:
            error = _("Give the date and time (Beijing time).")
        else:
            conn = _db()
            cur = conn.execute("INSERT INTO schedule (path, action, run_at_utc, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
                               (rel, action, when.isoformat(), current_user().id, _now().isoformat()))
            _audit("schedule_add", rel, f"{action} at {when.isoformat()} (job {cur.lastrowid})")
            flash(_("Scheduled: %(action)s %(path)s at %(when)s (Beijing time).", action=_(action_label(action)),
                    path=rel, when=format_datetime(when, "medium")), "success")
            return redirect(url_for("workflow.schedule"))
    return render_template("schedule.html", paths=paths, jobs=_jobs(), values=values, error=error), (422 if error else 200)


def action_label(action: str) -> str:
    """The English source label of a scheduled action (translated where shown)."""
    return {"publish": forms.N_("publish"), "unpublish": forms.N_("unpublish")}.get(action, action)


@bp.post("/schedule/<int:job_id>/cancel")
@roles_required("reviewer")
def cancel(job_id: int):
    """Cancel a scheduled job that has not run yet."""
    conn = _db()
    cur = conn.execute("UPDATE schedule SET done_at = ?, result = 'cancelled' WHERE id = ? AND done_at IS NULL",
                       (_now().isoformat(), job_id))
    if cur.rowcount:
        row = conn.execute("SELECT path, action FROM schedule WHERE id = ?", (job_id,)).fetchone()
        _audit("schedule_cancel", row["path"], f"{row['action']} (job {job_id})")
        flash(_("The scheduled job was cancelled."), "success")
    else:
        flash(_("That job has already run or was cancelled."), "error")
    return redirect(url_for("workflow.schedule"))


def run_due(app: Any, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Run every scheduled job due at ``now`` (UTC; default the current time): each job is
    claimed atomically (``UPDATE ... WHERE done_at IS NULL``, so the scheduler thread and a
    cron ``jindallae cms run-due`` never run one twice), its page's status set and committed
    with the scheduling user as author, and audited; then the site is published once for all
    of them.  Needs an app context (FOUNDATION's scheduler provides one).  Returns
    ``[{id, path, action, result}]``."""
    from .auth import load_user

    now = (now or _now()).astimezone(dt.timezone.utc)
    conn = _db()
    due = conn.execute("SELECT * FROM schedule WHERE done_at IS NULL AND run_at_utc <= ? ORDER BY run_at_utc, id",
                       (now.isoformat(),)).fetchall()
    if not due:
        return []
    store = ContentStore.for_project(Path(app.config["PROJECT_DIR"]), Path(app.config["CONTENT_DIR"]))
    done, changes = [], []
    for job in due:
        claim = conn.execute("UPDATE schedule SET done_at = ?, result = 'running' WHERE id = ? AND done_at IS NULL",
                             (_now().isoformat(), job["id"]))
        if not claim.rowcount:
            continue
        user = load_user(conn, job["created_by"], active_only=False) if job["created_by"] else None
        target = SCHEDULE_ACTIONS[job["action"]]
        try:
            page = store.load(job["path"])
            if page.item is not None and page.item.status == target:
                result = "ok: already " + target
            else:
                verb = "Scheduled publish" if job["action"] == "publish" else "Scheduled unpublish"
                before = page.item.status if page.item is not None else None
                saved = change_status(store, job["path"], target, author_of(user), verb)
                result = "ok"
                changes.append({"path": job["path"], "before": before, "after": target, "revision": saved.revision})
        except ValidationFailed as exc:
            result = "error: " + "; ".join(str(e) for e in exc.errors)
        except (StoreError, NotFound) as exc:
            result = f"error: {type(exc).__name__}: {exc.detail}"
        conn.execute("UPDATE schedule SET result = ? WHERE id = ?", (result, job["id"]))
        _audit(f"schedule_{job['action']}", job["path"], f"job {job['id']}: {result}", user_id=None, conn=conn)
        done.append({"id": job["id"], "path": job["path"], "action": job["action"], "result": result})
    if changes:
        result = run_publish(None, changes)
        if result is not None and not getattr(result, "ok", False):
            log.error("scheduled publish failed: %s", getattr(result, "errors", ""))
            note = f"error: publish #{getattr(result, 'run_id', '?')} failed; status set back"
            changed = {c["path"] for c in changes}
            for entry in done:
                if entry["result"] == "ok" and entry["path"] in changed:
                    entry["result"] = note
                    conn.execute("UPDATE schedule SET result = ? WHERE id = ?", (note, entry["id"]))
    return done
