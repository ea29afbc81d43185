"""The CMS's records in the editor's language: audit log actions and details, history commit
messages, and the audit log as CSV for the office's filing.

The database and git keep what was written (short English codes and commit messages: stable,
searchable, the same for everybody); this module says what they mean in Chinese or Korean.
Anything it does not recognise is shown as recorded, in a details line (``<code>``), next to
a generic label — never as if it were interface text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sqlite3
from dataclasses import dataclass
from typing import Callable, Iterable, TextIO

from .i18n import BEIJING, LANGUAGE_NAMES, N_, get_lang
from .i18n import gettext as _

# Audit action code -> what happened (translated where shown).  Every code written by
# ``audit(...)`` anywhere in cms/ must be here (tests/test_cms_audit.py checks).
ACTION_NAMES: dict[str, str] = {
    "login": N_("Signed in"),
    "login_failed": N_("Sign-in failed"),
    "login_throttled": N_("Sign-in blocked (too many failures)"),
    "logout": N_("Signed out"),
    "password_change": N_("Password changed"),
    "password_change_failed": N_("Password change refused"),
    "password_reset": N_("Password set by an administrator"),
    "user_create": N_("User created"),
    "user_update": N_("Profile changed"),
    "user_activate": N_("User reactivated"),
    "user_deactivate": N_("User deactivated"),
    "role_add": N_("Role given"),
    "role_remove": N_("Role taken away"),
    "upload": N_("Image uploaded"),
    "upload_refused": N_("Image refused"),
    "image_replace": N_("Image replaced"),
    "import": N_("Word document imported"),
    "import_refused": N_("Word document refused"),
    "pending_save": N_("Change saved for review"),
    "pending_approve": N_("Change approved"),
    "pending_reject": N_("Change rejected"),
    "pending_withdraw": N_("Change withdrawn"),
    "publish": N_("Site published"),
    "publish_failed": N_("Publishing failed"),
    "rollback": N_("Switched back to the previous release"),
    "rollback_failed": N_("Switching back failed"),
    "workflow_review": N_("Sent to review"),
    "workflow_return": N_("Returned to draft"),
    "workflow_approve": N_("Approved and published"),
    "workflow_unpublish": N_("Unpublished"),
    "workflow_revert": N_("Status change undone (publishing failed)"),
    "schedule_add": N_("Publishing or unpublishing scheduled"),
    "schedule_cancel": N_("Scheduled job cancelled"),
    "schedule_publish": N_("Scheduled publishing ran"),
    "schedule_unpublish": N_("Scheduled unpublishing ran"),
    "audit_export": N_("Audit log downloaded"),
    "review_submit": N_("Sent into the review chain"),
    "review_pass": N_("Review step passed"),
    "review_return": N_("Returned by a review step"),
    "review_reopen": N_("Back at the last review step (publishing failed)"),
    "comment_add": N_("Review comment written"),
    "comment_resolve": N_("Review comment resolved"),
    "mail_sent": N_("Notification e-mail sent"),
    "mail_failed": N_("Notification e-mail failed"),
}
STATUS_NAMES = {"draft": N_("Draft"), "review": N_("In review"), "published": N_("Published")}


def action_name(code: str) -> str:
    """What the audit action ``code`` means, in the UI language (``Other action`` when unknown:
    the code itself is then shown as a detail)."""
    name = ACTION_NAMES.get(code)
    return _(name) if name else _("Other action")


def known_action(code: str) -> bool:
    """True when :func:`action_name` has a name for ``code``."""
    return code in ACTION_NAMES


def _status(code: str) -> str:
    return _(STATUS_NAMES[code]) if code in STATUS_NAMES else code


def _role(code: str) -> str:
    from .auth import ROLE_NAMES

    return _(ROLE_NAMES[code]) if code in ROLE_NAMES else code


def _step(step_id: str) -> str:
    """The name of a review step (settings REVIEW_STEPS) in the UI language."""
    try:
        from .review import config

        for step in config().steps:
            if step.id == step_id:
                return step.label()
    except Exception:  # noqa: BLE001 - no review chain configured (or not installed): the id
        pass
    return step_id


def _list(items: Iterable[str]) -> str:
    return ("、" if get_lang() == "zh" else ", ").join(items)


def _when(text: str) -> str:
    from .i18n import format_datetime

    try:
        return format_datetime(dt.datetime.fromisoformat(text))
    except ValueError:
        return text


# (action pattern, detail pattern, formatter of the match) — the detail formats the CMS writes.
_DETAILS: list[tuple[str, re.Pattern, Callable[[re.Match], str]]] = [
    ("role_add|role_remove", re.compile(r"([a-z]+)"), lambda m: _role(m[1])),
    ("user_create", re.compile(r"roles: (.*?)( \(command line\))?"),
     lambda m: _("Roles: %(roles)s", roles=_list(_role(r.strip()) for r in m[1].split(",")) if m[1] != "-" else _("none"))
     + (_("; created with the command line") if m[2] else "")),
    ("user_update", re.compile(r"display_name=(['\"])(.*)\1 email=(['\"])(.*)\3 ui_lang=(zh|ko)"),
     lambda m: _("Display name: %(name)s; e-mail: %(email)s; interface language: %(lang)s", name=m[2] or "—",
                 email=m[4] or "—", lang=LANGUAGE_NAMES[m[5]])),
    ("password_change", re.compile(r"first password"), lambda m: _("The first password was replaced")),
    ("upload|image_replace", re.compile(r"from (['\"])(.*)\1, (\d+)x(\d+)"),
     lambda m: _("From the file %(name)s, %(w)s × %(h)s pixels", name=_technical(m[2]), w=m[3], h=m[4])),
    ("import", re.compile(r"from (['\"])(.*)\1, (\d+) picture\(s\)"),
     lambda m: _("From the document %(name)s, %(n)s pictures", name=_technical(m[2]), n=m[3])),
    ("workflow_review|workflow_return|workflow_approve|workflow_unpublish", re.compile(r"status: (\w+)"),
     lambda m: _("New status: %(status)s", status=_status(m[1]))),
    ("workflow_revert", re.compile(r"run (\d+) failed: status (\w+) -> (\w+)"),
     lambda m: _("Publish run %(run)s failed: status %(after)s set back to %(before)s", run=m[1],
                 after=_status(m[2]), before=_status(m[3]))),
    ("publish|publish_failed|rollback|rollback_failed", re.compile(r"run (\d+)(?:: .*)?"),
     lambda m: _("Publish run %(run)s", run=m[1])),
    ("pending_save", re.compile(r"pending (\d+) on live [0-9a-f]+.*"), lambda m: _("Pending change %(n)s", n=m[1])),
    ("pending_approve", re.compile(r"pending (\d+): commit .*"), lambda m: _("Pending change %(n)s", n=m[1])),
    ("pending_withdraw", re.compile(r"pending (\d+)"), lambda m: _("Pending change %(n)s", n=m[1])),
    ("pending_reject", re.compile(r"pending (\d+): (.*)", re.S),
     lambda m: _("Pending change %(n)s; note: %(note)s", n=m[1], note=m[2]) if m[2].strip()
     else _("Pending change %(n)s", n=m[1])),
    ("schedule_add", re.compile(r"(publish|unpublish) at (\S+) \(job (\d+)\)"),
     lambda m: (_("Publish at %(when)s (job %(job)s)", when=_when(m[2]), job=m[3]) if m[1] == "publish"
                else _("Unpublish at %(when)s (job %(job)s)", when=_when(m[2]), job=m[3]))),
    ("schedule_cancel", re.compile(r"(publish|unpublish) \(job (\d+)\)"),
     lambda m: (_("Publishing (job %(job)s)", job=m[2]) if m[1] == "publish" else _("Unpublishing (job %(job)s)", job=m[2]))),
    ("schedule_publish|schedule_unpublish", re.compile(r"job (\d+): ok(?:: already \w+)?"),
     lambda m: _("Job %(job)s: done", job=m[1])),
    ("review_submit", re.compile(r"- on [0-9a-f]+"), lambda m: ""),
    ("review_pass|review_return|review_reopen", re.compile(r"([\w-]+) on [0-9a-f]+(?:: (.*))?", re.S),
     lambda m: (_("Step: %(step)s; comment: %(comment)s", step=_step(m[1]), comment=m[2]) if m[2]
                else _("Step: %(step)s", step=_step(m[1])))),
    ("comment_add", re.compile(r"comment (\d+) on [0-9a-f]+(?: line (\d+))?: (.*)", re.S),
     lambda m: (_("Comment %(n)s on line %(line)s: %(text)s", n=m[1], line=m[2], text=m[3]) if m[2]
                else _("Comment %(n)s: %(text)s", n=m[1], text=m[3]))),
    ("comment_resolve", re.compile(r"comment (\d+)"), lambda m: _("Comment %(n)s", n=m[1])),
    ("mail_sent", re.compile(r"to (.*)"), lambda m: _("To: %(names)s", names=m[1])),
    ("audit_export", re.compile(r"user=(\S*) action=(\S*)"),
     lambda m: _("Filtered: user %(user)s, action %(action)s", user=m[1] or _("all"),
                 action=action_name(m[2]) if m[2] else _("all"))),
]


_OPEN, _CLOSE = "\x02", "\x03"  # around a technical value (a file name) inside a described detail


def _technical(value: str) -> str:
    return _OPEN + value.replace(_OPEN, "").replace(_CLOSE, "") + _CLOSE


def describe_detail(action: str, detail: str, html: bool = False) -> str | None:
    """The recorded ``detail`` of an ``action`` in the UI language, or ``None`` when its form is
    not known (show it as recorded, as a technical detail).  Empty details give ''.  With
    ``html`` the result is markup (escaped) with file names as ``<code>``."""
    if not detail:
        return ""
    text = None
    for actions, pattern, formatter in _DETAILS:
        if re.fullmatch(actions, action):
            m = pattern.fullmatch(detail)
            if m:
                text = formatter(m)
                break
    else:
        if action in ("upload_refused", "pending_reject"):
            text = detail  # the refusal as the user saw it / the reviewer's own words
    if text is None:
        return None
    if not html:
        return text.replace(_OPEN, "").replace(_CLOSE, "")
    from markupsafe import Markup, escape

    parts = re.split(f"{_OPEN}(.*?){_CLOSE}", text, flags=re.S)
    return Markup("").join(escape(part) if i % 2 == 0 else Markup("<code>%s</code>") % part
                           for i, part in enumerate(parts))


# ---------------------------------------------------------------------------------------------
# History: commit messages written by the CMS


@dataclass(frozen=True)
class CommitText:
    """A commit message for people: ``text`` in the UI language; ``raw`` the message as
    recorded when it was not written by the CMS (shown as a detail)."""

    text: str
    raw: str = ""


_VERBS = {
    "Edit": N_("Edited: %(title)s"), "Create": N_("Created: %(title)s"), "Translate": N_("Translation edited: %(title)s"),
    "Import": N_("Made from a Word document: %(title)s"), "Send to review": N_("Sent to review: %(title)s"),
    "Return to draft": N_("Returned to draft: %(title)s"), "Approve and publish": N_("Approved and published: %(title)s"),
    "Unpublish": N_("Unpublished: %(title)s"), "Scheduled publish": N_("Published as scheduled: %(title)s"),
    "Scheduled unpublish": N_("Unpublished as scheduled: %(title)s"),
}
_PATH = r"\S+?\.md"
_VERB_RE = re.compile(rf"({'|'.join(sorted(map(re.escape, _VERBS), key=len, reverse=True))}) ({_PATH})(?:: (.*))?", re.S)


def commit_text(subject: str, title: str = "", revisions: Iterable = ()) -> CommitText:
    """:func:`describe_commit` for the history page: ``revisions`` (objects with ``commit``
    and ``when``) give the time of a restored version."""
    from .i18n import format_datetime

    revisions = list(revisions)

    def when_of(short: str) -> str | None:
        for rev in revisions:
            if rev.commit.startswith(short):
                return format_datetime(rev.when)
        return None

    return describe_commit(subject, title, when_of)


def describe_commit(subject: str, title: str = "", when_of: Callable[[str], str | None] | None = None) -> CommitText:
    """The first line of a commit message of the content repository, for the history page.

    ``title`` is used when the message names no title; ``when_of(short_sha)`` gives the time of
    an earlier version (for "restored the version of ...")."""
    subject = subject.strip()
    m = re.fullmatch(rf"Translate ({_PATH}) into (\w+): (.*)", subject, re.S)
    if m:
        return CommitText(_("Translation created: %(title)s", title=m[3]))
    m = re.fullmatch(rf"Publish #(\d+) failed; back to (\w+) ({_PATH})(?:: (.*))?", subject, re.S)
    if m:
        return CommitText(_("Publish run %(run)s failed, status set back to %(status)s: %(title)s", run=m[1],
                            status=_status(m[2]), title=m[4] or title))
    m = _VERB_RE.fullmatch(subject)
    if m:
        rest = m[3] or title
        approved = re.fullmatch(r"(.*) \(approved by (.+)\)", rest, re.S) if m[1] == "Edit" else None
        if approved:
            return CommitText(_("Edited: %(title)s (approved by %(name)s)", title=approved[1], name=approved[2]))
        source = re.fullmatch(r"(.*) \(from (.+)\)", rest, re.S) if m[1] == "Import" else None
        if source:
            rest = source[1]
        return CommitText(_(_VERBS[m[1]], title=rest))
    m = re.fullmatch(rf"Restore ({_PATH}) to ([0-9a-f]{{7,40}})", subject)
    if m:
        when = when_of(m[2]) if when_of else None
        return CommitText(_("Restored the version of %(when)s", when=when) if when else _("Restored an earlier version"))
    m = re.fullmatch(rf"Mark ({_PATH}) as translated from ({_PATH}) @ \w+", subject)
    if m:
        return CommitText(_("Marked as matching the current source"))
    m = re.fullmatch(r"(Upload|Replace) image (\S+)", subject)
    if m:
        return CommitText(_("Image uploaded") if m[1] == "Upload" else _("Image replaced"))
    return CommitText(_("Changed outside the CMS"), subject)


# ---------------------------------------------------------------------------------------------
# The audit log as CSV

CSV_COLUMNS = (
    N_("No."), N_("Time (Beijing)"), N_("User"), N_("Action"), N_("Target"), N_("Detail"), N_("Address"),
    N_("Action code"), N_("Recorded time (UTC)"), N_("User id"), N_("Recorded detail"),
    N_("Hash of the previous entry"), N_("Hash of this entry"),
)
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (OWASP "CSV injection"): text
    starting with = + - @ tab or CR gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def beijing_time(at: str) -> str:
    """A recorded UTC time as ``2026-11-30 06:10:08`` in Beijing time (sortable, for CSV)."""
    try:
        when = dt.datetime.fromisoformat(at)
    except ValueError:
        return at
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def write_audit_csv(rows: Iterable[dict], out: TextIO, bom: bool = True) -> int:
    """Write audit rows (:func:`cms.db.audit_entries`) as CSV (RFC 4180, UTF-8 with a byte-order
    mark so spreadsheet programs read Chinese and Korean): the readable columns in the UI
    language first, then the columns as recorded — enough to recompute the hash chain
    (:func:`cms.db.audit_row_hash`; a cell starting with = + - @ carries a leading
    apostrophe, drop it first).  Returns the number of rows written."""
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_(c) for c in CSV_COLUMNS])
    count = 0
    for r in rows:
        detail = describe_detail(r["action"], r["detail"])
        writer.writerow([_cell(v) for v in (
            r["id"], beijing_time(r["at"]), r.get("username") or _("system"), action_name(r["action"]),
            r["target"], r["detail"] if detail is None else detail, r["ip"], r["action"], r["at"],
            "" if r["user_id"] is None else r["user_id"], r["detail"], r.get("prev_hash", ""),
            r.get("hash", ""))])
        count += 1
    return count


def audit_csv(conn: sqlite3.Connection, where: str = "", params: tuple = ()) -> str:
    """The audit log (all rows, or those matching ``where``) as CSV text."""
    from .db import audit_entries

    buf = io.StringIO()
    write_audit_csv(audit_entries(conn, where, params), buf)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# Titles instead of file paths


def page_title(content_dir, rel: str) -> str | None:
    """The ``title`` of the content page ``rel`` (``news/x.zh.md``) as written in its front
    matter, or ``None`` (no such page, no title, not a page path)."""
    from pathlib import Path

    from .content_store import get_value, load_front, split_file

    if not re.fullmatch(r"[\w./-]+\.md", rel or "") or ".." in rel.split("/"):
        return None
    path = Path(content_dir) / rel
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    parts = split_file(text)
    front = load_front(parts[1]) if parts else None
    title = get_value(front, "title") if front is not None else None
    return str(title) if title else None
