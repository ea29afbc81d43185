"""Sign-in, sessions, roles and CSRF protection of the CMS (OWASP ASVS 4.0.3 level 2).

* Passwords: argon2id (argon2-cffi's :class:`~argon2.PasswordHasher` defaults, RFC 9106), hashes
  upgraded at the next sign-in when the parameters change (ASVS V2.4.1, V2.4.4).  Policy: at
  least 12 characters, at most 128, any characters, not the user name (V2.1.1, V2.1.2, V2.1.4).
* Sign-in: one generic message for an unknown user, a wrong password or a deactivated account
  (V2.2.1, V3.x enumeration); unknown users still cost one hash so timing does not tell them
  apart.  Throttling with a sliding window in SQLite, per account and per address (V2.2.1,
  V11.1.4): ``LOGIN_MAX_FAILURES_ACCOUNT`` (5) and ``LOGIN_MAX_FAILURES_IP`` (20) failures
  in ``LOGIN_WINDOW_SECONDS`` (900) make further attempts answer 429 without checking the
  password.  An attempt is counted and recorded (as a failure) in one ``BEGIN IMMEDIATE``
  transaction *before* its password is checked, and marked as a success afterwards: requests
  sent at the same moment queue on SQLite's write lock, so at most 5 passwords of one account
  are ever checked per window, however many arrive at once.
* A password set by an administrator (new user, reset) is a first password: the user must
  replace it at the next sign-in before doing anything else (``users.must_change_password``).
* Sessions: server side (table ``sessions``); the signed Flask cookie holds only a random
  token whose SHA-256 is the row id (V3.2.2, V3.2.3).  A new session at sign-in, the old one
  deleted (V3.2.1); idle (``SESSION_IDLE_SECONDS``, 30 min) and absolute
  (``SESSION_ABSOLUTE_SECONDS``, 12 h) timeouts checked on every request (V3.3.2); logout is a
  POST that deletes the server session (V3.3.1); a password change ends the user's other
  sessions (V3.3.3).  Cookie HttpOnly, SameSite=Lax, Secure when ``PRODUCTION`` (V3.4.1-3).
* CSRF: every POST/PUT/PATCH/DELETE needs the token of its session, as form field
  ``csrf_token`` or header ``X-CSRF-Token`` (V4.2.2, V13.2.3); the token is an HMAC of the
  session token (or, before sign-in, of a random pre-session id).
* Access control on the server: :func:`login_required`, :func:`roles_required` (V4.1.1,
  V4.1.3); anonymous users go to the sign-in page, users without the role get 403.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import sqlite3
import time
import unicodedata
from dataclasses import dataclass
from typing import Callable, Iterable
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import (Blueprint, abort, current_app, flash, g, jsonify, make_response, redirect, render_template,
                   request, session, url_for)

from . import i18n
from .db import audit, client_ip, get_db, utc_now_iso
from .i18n import N_, _

# proofreader, head, leader: the steps of the review chain 三审三校 (settings REVIEW_STEPS, cms.review)
ROLES = ("editor", "translator", "reviewer", "proofreader", "head", "leader", "admin")
ROLE_NAMES = {  # shown in the UI; translated at use
    "editor": N_("Editor"), "translator": N_("Translator (Korean editor)"), "reviewer": N_("Reviewer"),
    "proofreader": N_("Proofreader"), "head": N_("Department head"), "leader": N_("Leader (signs off)"),
    "admin": N_("Administrator"),
}
PASSWORD_MIN = 12  # ASVS V2.1.1
PASSWORD_MAX = 128  # ASVS V2.1.2 (at least 64 allowed, at most 128)
# A few passwords of 12+ characters found at the top of breach lists (ASVS V2.1.7 asks for a
# check against breached passwords; this small offline list catches the most common ones).
COMMON_PASSWORDS = frozenset({
    "123456789012", "1234567890123", "12345678901234", "qwertyuiopas", "password1234", "password12345",
    "passwordpassword", "qwerty123456", "111111111111", "000000000000", "abcdefghijkl", "iloveyou1234",
    "123123123123", "1q2w3e4r5t6y", "qwertyuiop123", "administrator", "admin1234567", "letmein12345",
    "a1b2c3d4e5f6", "1qaz2wsx3edc", "zaq12wsxcde3", "welcome12345", "jindallae123", "jindallae1234",
})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# What a user who must first replace an administrator's password may still reach.
FIRST_PASSWORD_OPEN = frozenset({"auth.first_password", "auth.logout", "auth.language", "auth.login", "static"})

bp = Blueprint("auth", __name__)


# ---------------------------------------------------------------------------------------------
# Users


@dataclass(frozen=True)
class User:
    """A signed-in user.  ``roles`` is a subset of :data:`ROLES`; ``ui_lang`` is 'zh' or 'ko'."""

    id: int
    username: str
    display_name: str
    email: str
    roles: frozenset
    ui_lang: str
    must_change_password: bool = False

    def can(self, role: str) -> bool:
        """True when the user holds ``role`` (roles are not implied by one another)."""
        return role in self.roles

    @property
    def name(self) -> str:
        """The name shown in the UI and used as git author: the display name, else the user name."""
        return self.display_name or self.username


def load_user(conn: sqlite3.Connection, user_id: int, active_only: bool = True) -> User | None:
    """The :class:`User` with ``user_id`` (``None`` when missing or, by default, deactivated)."""
    row = conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
    if row is None or (active_only and not row["active"]):
        return None
    roles = frozenset(r[0] for r in conn.execute("SELECT role FROM user_roles WHERE user_id = ?", (user_id,)))
    return User(row["id"], row["username"], row["display_name"], row["email"], roles, row["ui_lang"],
                bool(row["must_change_password"]) if "must_change_password" in row.keys() else False)


def current_user() -> User | None:
    """The signed-in user of this request (also ``g.user``), or ``None``."""
    return g.get("user")


class PasswordPolicyError(ValueError):
    """The password does not meet the policy; ``problems`` are messages in the UI language."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def password_problems(password: str, username: str = "") -> list[str]:
    """What is wrong with ``password`` (messages in the UI language; empty when acceptable).

    ASVS V2.1.1 (at least 12 characters), V2.1.2 (at most 128), V2.1.4 (any Unicode characters
    allowed, counted as code points after NFC normalisation), V2.1.7 (not a common password)."""
    text = unicodedata.normalize("NFC", password or "")
    problems = []
    if len(text) < PASSWORD_MIN:
        problems.append(_("The password must have at least %(n)s characters (it has %(k)s).", n=PASSWORD_MIN, k=len(text)))
    if len(text) > PASSWORD_MAX:
        problems.append(_("The password must have at most %(n)s characters.", n=PASSWORD_MAX))
    if text and username and text.casefold() == username.casefold():
        problems.append(_("The password must not be the user name."))
    if text.casefold() in COMMON_PASSWORDS:
        problems.append(_("This password is too common; choose another one (a short sentence is easy to remember)."))
    return problems


def make_hasher(config: dict | None = None) -> PasswordHasher:
    """argon2id hasher; ``ARGON2_TIME_COST`` / ``ARGON2_MEMORY_COST`` (KiB) / ``ARGON2_PARALLELISM``
    in ``config`` override argon2-cffi's RFC 9106 low-memory defaults (t=3, m=64 MiB, p=4)."""
    config = config or {}
    kw = {}
    for key, arg in (("ARGON2_TIME_COST", "time_cost"), ("ARGON2_MEMORY_COST", "memory_cost"),
                     ("ARGON2_PARALLELISM", "parallelism")):
        if config.get(key):
            kw[arg] = int(config[key])
    return PasswordHasher(**kw)


def _hasher() -> PasswordHasher:
    return current_app.extensions["cms_hasher"]


def hash_password(password: str) -> str:
    """The argon2id hash (PHC string) of ``password`` (NFC-normalised)."""
    return _hasher().hash(unicodedata.normalize("NFC", password))


def _dummy_hash() -> str:
    """A hash of a random password, computed once per app: verified against when the user does
    not exist, so that a sign-in costs one hash either way (no user enumeration by timing)."""
    ext = current_app.extensions
    if "cms_dummy_hash" not in ext:
        ext["cms_dummy_hash"] = _hasher().hash(secrets.token_urlsafe(16))
    return ext["cms_dummy_hash"]


def create_user(conn: sqlite3.Connection, username: str, password: str, roles: Iterable[str] = (),
                display_name: str = "", email: str = "", ui_lang: str = "zh", hasher: PasswordHasher | None = None,
                must_change_password: bool = False) -> int:
    """Create a user and return its id.  ``must_change_password``: the password was chosen by
    somebody else (an administrator), so the user must replace it at the first sign-in.

    Raises :class:`PasswordPolicyError` (messages in the UI language) for a weak password and
    ``ValueError`` for an empty or taken user name, an unknown role or UI language."""
    username = unicodedata.normalize("NFC", username.strip())
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        raise ValueError(_("The user name must be 1 to 64 characters without spaces."))
    if hidden_characters(username) or unicodedata.normalize("NFKC", username) != username:
        # "ad<zero width space>min", "<right-to-left override>nimda" or "ａｄｍｉｎ" would pass for
        # "admin" in the user list and the audit log (UTS #39 confusables, in short).
        raise ValueError(_("The user name may not contain invisible or control characters or full-width "
                           "letters."))
    if hidden_characters(display_name) or hidden_characters(email):
        raise ValueError(_("The display name and the e-mail address may not contain invisible or control "
                           "characters."))
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(_("Unknown role: %(role)s", role=", ".join(sorted(unknown))))
    if ui_lang not in i18n.LANGUAGES:
        raise ValueError(_("Unknown language: %(lang)s", lang=ui_lang))
    problems = password_problems(password, username)
    if problems:
        raise PasswordPolicyError(problems)
    if conn.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
        raise ValueError(_("The user name %(name)s is taken.", name=username))
    pw_hash = (hasher or _hasher()).hash(unicodedata.normalize("NFC", password))
    conn.execute("BEGIN IMMEDIATE")
    try:
        cur = conn.execute("INSERT INTO users (username, display_name, email, password_hash, ui_lang, active, created_at,"
                           " must_change_password) VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
                           (username, display_name.strip(), email.strip(), pw_hash, ui_lang, utc_now_iso(),
                            int(bool(must_change_password))))
        user_id = cur.lastrowid
        conn.executemany("INSERT INTO user_roles (user_id, role) VALUES (?, ?)", [(user_id, r) for r in sorted(set(roles))])
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return user_id


def hidden_characters(text: str) -> bool:
    """True when ``text`` holds a control character (Unicode category Cc: NUL, escape ...) or an
    invisible format character (Cf: zero-width space and joiners, bidirectional overrides and
    isolates, the byte-order mark): none belongs in a name, and they make one name look like
    another (Unicode TR #36 "Unicode Security Considerations", bidi spoofing)."""
    return any(unicodedata.category(c) in ("Cc", "Cf") for c in text or "")


def set_password(conn: sqlite3.Connection, user_id: int, password: str, username: str = "") -> None:
    """Store a new password for ``user_id`` (policy checked: :class:`PasswordPolicyError`)."""
    problems = password_problems(password, username)
    if problems:
        raise PasswordPolicyError(problems)
    conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (hash_password(password), user_id))


def check_password(conn: sqlite3.Connection, row: sqlite3.Row, password: str) -> bool:
    """True when ``password`` matches the hash of user ``row``; upgrades the hash when the
    hasher's parameters changed since it was made (ASVS V2.4.1)."""
    hasher = _hasher()
    password = unicodedata.normalize("NFC", password)
    try:
        hasher.verify(row["password_hash"], password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(row["password_hash"]):
        conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (hasher.hash(password), row["id"]))
    return True


# ---------------------------------------------------------------------------------------------
# Sessions


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(conn: sqlite3.Connection, user_id: int) -> str:
    """Create a server session for ``user_id``; returns the secret token for the cookie."""
    token = secrets.token_urlsafe(32)
    now = time.time()
    conn.execute("INSERT INTO sessions (id, user_id, created_at, last_seen, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?)",
                 (_digest(token), user_id, now, now, client_ip(), request.headers.get("User-Agent", "")[:300]))
    return token


def end_session(conn: sqlite3.Connection, token: str | None) -> None:
    """Delete the server session of ``token`` (nothing when ``None``)."""
    if token:
        conn.execute("DELETE FROM sessions WHERE id = ?", (_digest(token),))


def _load_session_user() -> None:
    """Set ``g.user`` from the session cookie, enforcing the idle and absolute timeouts (V3.3.2)."""
    g.user = None
    token = session.get("sid")
    if not token:
        return
    conn = get_db()
    row = conn.execute("SELECT * FROM sessions WHERE id = ?", (_digest(token),)).fetchone()
    now = time.time()
    cfg = current_app.config
    if row is None:
        session.pop("sid", None)
        return
    if now - row["last_seen"] > cfg["SESSION_IDLE_SECONDS"] or now - row["created_at"] > cfg["SESSION_ABSOLUTE_SECONDS"]:
        conn.execute("DELETE FROM sessions WHERE id = ?", (row["id"],))
        session.pop("sid", None)
        flash(_("Your session has ended. Please sign in again."), "info")
        return
    user = load_user(conn, row["user_id"])
    if user is None:  # deactivated since: the session ends
        conn.execute("DELETE FROM sessions WHERE id = ?", (row["id"],))
        session.pop("sid", None)
        return
    if now - row["last_seen"] > 30:  # bookkeeping for the idle timeout, at most every 30 s
        conn.execute("UPDATE sessions SET last_seen = ? WHERE id = ?", (now, row["id"]))
    g.user = user


# ---------------------------------------------------------------------------------------------
# CSRF


def csrf_token() -> str:
    """The CSRF token of this session (an HMAC-SHA256 of the session token under SECRET_KEY;
    before sign-in, of a random pre-session id kept in the cookie)."""
    binding = session.get("sid")
    if not binding:
        binding = session.get("anon")
        if not binding:
            binding = session["anon"] = secrets.token_urlsafe(24)
    key = current_app.config["SECRET_KEY"]
    key = key if isinstance(key, bytes) else key.encode()
    return hmac.new(key, b"csrf\0" + binding.encode(), hashlib.sha256).hexdigest()


def _csrf_ok() -> bool:
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token") or ""
    if not (session.get("sid") or session.get("anon")):
        return False
    return hmac.compare_digest(sent.encode(), csrf_token().encode())


def wants_json() -> bool:
    """True for requests made by scripts (fetch with JSON or ``X-Requested-With``)."""
    if request.is_json or request.headers.get("X-Requested-With"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def _csrf_failure():
    message = _("The form could not be accepted because its security token is missing or out of date "
                "(the page was open too long, or you signed in again elsewhere). Nothing was changed. "
                "Your input is shown below: copy it, reload the page and send it again.")
    if wants_json():
        return jsonify(error=message), 400
    if request.endpoint == "auth.login":
        return render_template("login.html", error=message, username=request.form.get("username", ""),
                               next=safe_next(request.form.get("next"))), 400
    kept = [(_field_label(k), k, v) for k, v in request.form.items(multi=True)
            if k != "csrf_token" and "password" not in k.lower() and k not in ("new", "confirm", "current") and v.strip()]
    return render_template("error.html", code=400, title=_("Security check failed"), message=message, kept=kept), 400


# Form fields outside the page form (cms.forms.LABELS names those), by their label.
FIELD_LABELS = {"body": N_("Text (Markdown)"), "username": N_("User name"), "display_name": N_("Display name"),
                "email": N_("Email"), "alt": N_("Alt text (required)"), "slug": N_("Address name (slug)"),
                "comment": N_("Comment"), "note": N_("Note"), "roles": N_("Roles")}


def _field_label(name: str) -> str | None:
    """The label of a form field named ``name`` in the UI language, ``None`` when unknown (the
    page then shows the name as a technical detail)."""
    from .forms import LABELS

    base, time_part = (name[:-5], True) if name.endswith(".time") else (name, False)
    label = LABELS.get(base) or FIELD_LABELS.get(base)
    if label is None:
        return None
    return f"{_(label)} · {_('time')}" if time_part else _(label)


# ---------------------------------------------------------------------------------------------
# Decorators


def _login_redirect():
    if wants_json():
        return jsonify(error=_("Please sign in.")), 401
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?") if request.method == "GET" else request.path))


def login_required(view: Callable) -> Callable:
    """Only signed-in users (ASVS V4.1.1); others are sent to /login?next=... (401 JSON for scripts)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if g.get("user") is None:
            return _login_redirect()
        return view(*args, **kwargs)

    return wrapper


def roles_required(*roles: str) -> Callable:
    """Only signed-in users holding any of ``roles`` (enforced on the server, ASVS V4.1.1/V4.1.3);
    anonymous users are sent to sign in, others get the 403 page."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}; use {ROLES}")

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            user = g.get("user")
            if user is None:
                return _login_redirect()
            if not any(user.can(r) for r in roles):
                abort(403)
            return view(*args, **kwargs)

        wrapper.cms_roles = roles  # for the permission tests and the nav
        return wrapper

    return decorator


def safe_next(target: str | None) -> str:
    """``target`` when it is a path on this site (no scheme, no host, no '//' or '\\', no
    control characters: browsers drop a tab or line break, so ``/<tab>/host`` is ``//host``),
    else '/' (ASVS V5.1.5: no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


# ---------------------------------------------------------------------------------------------
# Request hooks


def init_auth(app) -> None:
    """Install the hasher, the request hooks (user loading, timeouts, CSRF) and ``csrf_token``."""
    app.extensions["cms_hasher"] = make_hasher(app.config)
    app.jinja_env.globals.update(csrf_token=csrf_token, current_user=current_user, ROLES=ROLES,
                                 role_name=lambda r: _(ROLE_NAMES.get(r, r)))

    @app.before_request
    def _before():
        if request.endpoint == "static":
            g.user = None
            return None
        _load_session_user()
        if request.method in UNSAFE_METHODS and not _csrf_ok():
            return _csrf_failure()
        user = g.get("user")
        if user is not None and user.must_change_password and request.endpoint not in FIRST_PASSWORD_OPEN:
            # A first password set by an administrator: nothing else until it is replaced.
            if wants_json():
                return jsonify(error=_("Choose your own password first (your account page).")), 403
            target = request.full_path.rstrip("?") if request.method == "GET" else "/"
            return redirect(url_for("auth.first_password", next=safe_next(target)))
        return None


# ---------------------------------------------------------------------------------------------
# Throttling (ASVS V2.2.1)


def _reserve_attempt(conn: sqlite3.Connection, username: str, ip: str) -> int | None:
    """Count the failures of ``username`` and of ``ip`` in the window and, when both are under
    their limit, record this attempt as a failure — in one ``BEGIN IMMEDIATE`` transaction,
    before the password is checked.  Returns the attempt's row id (marked a success later by
    :func:`_attempt_succeeded`), or ``None`` when throttled (nothing recorded).

    Counting and recording at once is what makes the limit hold under concurrent requests: a
    check-then-record sequence let every request of a burst pass the count before any failure
    was written (50 sent at once were all checked)."""
    cfg = current_app.config
    now = time.time()
    since = now - cfg["LOGIN_WINDOW_SECONDS"]
    conn.execute("BEGIN IMMEDIATE")
    try:
        by_user = conn.execute("SELECT count(*) FROM login_attempts WHERE username = ? AND ok = 0 AND at >= ?",
                               (username, since)).fetchone()[0]
        by_ip = conn.execute("SELECT count(*) FROM login_attempts WHERE ip = ? AND ok = 0 AND at >= ?",
                             (ip, since)).fetchone()[0]
        if by_user >= cfg["LOGIN_MAX_FAILURES_ACCOUNT"] or by_ip >= cfg["LOGIN_MAX_FAILURES_IP"]:
            conn.execute("COMMIT")
            return None
        cur = conn.execute("INSERT INTO login_attempts (at, username, ip, ok) VALUES (?, ?, ?, 0)", (now, username, ip))
        # Rows older than a day are never counted again.
        conn.execute("DELETE FROM login_attempts WHERE at < ?", (now - 86400,))
        conn.execute("COMMIT")
        return cur.lastrowid
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _attempt_succeeded(conn: sqlite3.Connection, attempt_id: int, username: str) -> None:
    """Mark the attempt a success and forget the account's failures reserved before it (also
    those of requests still being checked), as a sign-in with the right password resets the
    count; failures reserved after it keep counting."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("UPDATE login_attempts SET ok = 1 WHERE id = ?", (attempt_id,))
        conn.execute("DELETE FROM login_attempts WHERE username = ? AND ok = 0 AND id < ?", (username, attempt_id))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


# ---------------------------------------------------------------------------------------------
# Views


@bp.route("/login", methods=["GET", "POST"])
def login():
    """GET: the sign-in form.  POST ``username``, ``password``, ``next``: sign in and go to
    ``next`` (a local path) or back to the form with the generic error (429 when throttled)."""
    next_url = safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("login.html", next=next_url, username="")
    username = unicodedata.normalize("NFC", request.form.get("username", "").strip())
    password = request.form.get("password", "")
    key = username.casefold()
    conn = get_db()
    ip = client_ip()
    attempt = _reserve_attempt(conn, key, ip)
    if attempt is None:
        # No password check at all (not even a dummy one): the answer is the same for every
        # account and the 429 already tells that the limit is reached.
        audit("login_throttled", username, user_id=None)
        return render_template("login.html", next=next_url, username=username,
                               error=_("Too many failed sign-in attempts. Wait 15 minutes and try again, "
                                       "or ask an administrator.")), 429
    row = conn.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone() if username else None
    if row is None:
        _spend_hash(password)
        ok = False
    else:
        ok = check_password(conn, row, password) and bool(row["active"])
    if ok:
        _attempt_succeeded(conn, attempt, key)
    if not ok:
        audit("login_failed", username, user_id=row["id"] if row is not None else None)
        return render_template("login.html", next=next_url, username=username,
                               error=_("Wrong user name or password.")), 200
    # Session renewal (ASVS V3.2.1): the pre-login session and any old one are dropped.
    end_session(conn, session.get("sid"))
    session.clear()
    session["sid"] = start_session(conn, row["id"])
    cfg = current_app.config  # sessions of users who never came back
    now = time.time()
    conn.execute("DELETE FROM sessions WHERE last_seen < ? OR created_at < ?",
                 (now - cfg["SESSION_IDLE_SECONDS"], now - cfg["SESSION_ABSOLUTE_SECONDS"]))
    g.user = load_user(conn, row["id"])
    g.pop("ui_lang", None)
    audit("login", username)
    if g.user is not None and g.user.must_change_password:
        return redirect(url_for("auth.first_password", next=next_url))
    return redirect(next_url)


def _spend_hash(password: str) -> None:
    """Verify against the dummy hash: the same cost as checking a real user's password."""
    try:
        _hasher().verify(_dummy_hash(), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        pass


@bp.route("/logout", methods=["POST"])
def logout():
    """POST only (a link cannot sign anybody out): delete the server session, go to /login."""
    user = g.get("user")
    if user is not None:
        audit("logout", user.username)
    end_session(get_db(), session.get("sid"))
    session.clear()
    g.user = None
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account")
@login_required
def account():
    """The signed-in user's page: roles, password change, UI language."""
    return render_template("account.html", problems=[])


@bp.route("/account/password", methods=["POST"])
@login_required
def change_password():
    """POST ``current``, ``new``, ``confirm``: change the own password (the current one is
    required, ASVS V2.1.6); the user's other sessions end (V3.3.3)."""
    user = g.user
    conn = get_db()
    row = conn.execute("SELECT * FROM users WHERE id = ?", (user.id,)).fetchone()
    problems = []
    if not check_password(conn, row, request.form.get("current", "")):
        problems.append(_("The current password is wrong."))
    new = request.form.get("new", "")
    if new != request.form.get("confirm", ""):
        problems.append(_("The two new passwords differ."))
    problems += password_problems(new, user.username)
    if problems:
        audit("password_change_failed", user.username)
        return render_template("account.html", problems=problems), 400
    conn.execute("UPDATE users SET password_hash = ?, must_change_password = 0 WHERE id = ?", (hash_password(new), user.id))
    conn.execute("DELETE FROM sessions WHERE user_id = ? AND id != ?", (user.id, _digest(session["sid"])))
    audit("password_change", user.username)
    flash(_("Your password was changed. Other sessions of yours were signed out."), "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/first-password", methods=["GET", "POST"])
@login_required
def first_password():
    """The first sign-in with a password an administrator set (new account or reset): the user
    chooses their own (``new``, ``confirm``; it must differ from the given one) before anything
    else; then on to ``next``.  Other users are sent to their account page."""
    user = g.user
    next_url = safe_next(request.values.get("next"))
    if not user.must_change_password:
        return redirect(url_for("auth.account"))
    if request.method == "GET":
        return render_template("account.html", problems=[], first_time=True, next=next_url)
    conn = get_db()
    row = conn.execute("SELECT * FROM users WHERE id = ?", (user.id,)).fetchone()
    new = request.form.get("new", "")
    problems = []
    if new != request.form.get("confirm", ""):
        problems.append(_("The two new passwords differ."))
    problems += password_problems(new, user.username)
    if not problems and check_password(conn, row, new):
        problems.append(_("Choose a password of your own, not the one you were given."))
    if problems:
        audit("password_change_failed", user.username)
        return render_template("account.html", problems=problems, first_time=True, next=next_url), 400
    conn.execute("UPDATE users SET password_hash = ?, must_change_password = 0 WHERE id = ?", (hash_password(new), user.id))
    conn.execute("DELETE FROM sessions WHERE user_id = ? AND id != ?", (user.id, _digest(session["sid"])))
    audit("password_change", user.username, "first password")
    flash(_("Your own password is set. From now on, sign in with it."), "success")
    return redirect(next_url)


@bp.route("/language", methods=["POST"])
def language():
    """POST ``lang`` (zh|ko) and ``next``: the UI language; stored for the signed-in user, and in
    the ``cms_lang`` cookie (for the sign-in page)."""
    lang = request.form.get("lang", "")
    if lang not in i18n.LANGUAGES:
        abort(400)
    user = g.get("user")
    if user is not None:
        get_db().execute("UPDATE users SET ui_lang = ? WHERE id = ?", (lang, user.id))
    g.ui_lang = lang
    response = make_response(redirect(safe_next(request.form.get("next"))))
    response.set_cookie(i18n.COOKIE, lang, max_age=365 * 86400, httponly=True, samesite="Lax",
                        secure=bool(current_app.config.get("PRODUCTION")))
    return response
