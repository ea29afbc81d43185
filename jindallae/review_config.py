"""Settings of the CMS's review chain, 三审三校 (prefix ``REVIEW_``), declared like a plugin's and
validated at start-up with the other settings (:data:`jindallae.settings.TOOL_SCHEMAS`).

They live in ``pelicanconf.py`` (``publishconf.py`` imports it), so the chain is part of the
site's configuration, in git, and a wrong value stops the CMS (and a build) naming the key:

``REVIEW_STEPS``
    The steps a page passes after "Send to review", in order.  Each step is
    ``{"id": "proofread", "role": "proofreader", "name": {"zh": "校对", "ko": "교정"}}``: ``id``
    (lowercase letters, digits, ``-``; recorded with every decision), ``role`` (the CMS role whose
    holders may pass or return the page at that step) and ``name`` (shown in the CMS; text, or
    ``{language: text}``).  The default is the three steps of Chinese government publishing:
    校对 proofread (``proofreader``) → 部门审核 department review (``head``) → 领导签发 sign-off
    (``leader``); the last step publishes.  ``[{"id": "review", "role": "reviewer"}]`` is the
    one-step chain of earlier versions (a reviewer approves and publishes).
``REVIEW_DISTINCT_PEOPLE``
    ``True`` (default): one person passes at most one step of a page in one round of review
    (the proofreader cannot also sign the page off, even when holding both roles).
``REVIEW_MAIL``
    ``{}`` (default: no e-mail) or the SMTP server that tells people a page waits for them:
    ``{"host": "smtp.example.gov.cn", "port": 587, "security": "starttls", "sender":
    "cms@example.gov.cn", "username": "cms", "timeout": 10, "cms_url": "https://cms.example.gov.cn"}``.
    ``security`` is ``starttls`` (default), ``ssl`` or ``none``; the password is never a setting:
    it comes from the environment variable ``JINDALLAE_CMS_SMTP_PASSWORD``.  ``cms_url`` is the
    CMS's address used in the links of the mails (default: the address the triggering request
    came to).

Kept free of heavy imports: every build loads it.
"""

from __future__ import annotations

import re
from typing import Any

# CMS roles a step may name (cms.auth.ROLES without "admin": administrators manage accounts, they
# do not review; a test keeps the two lists in step).
STEP_ROLES = ("proofreader", "head", "leader", "reviewer", "editor", "translator")
DEFAULT_STEPS = [
    {"id": "proofread", "role": "proofreader", "name": {"zh": "校对", "ko": "교정"}},
    {"id": "department", "role": "head", "name": {"zh": "部门审核", "ko": "부서 심사"}},
    {"id": "signoff", "role": "leader", "name": {"zh": "领导签发", "ko": "령도 결재"}},
]
MAIL_KEYS = {"host", "port", "security", "sender", "username", "timeout", "cms_url"}
SECURITY = ("starttls", "ssl", "none")
_ID = re.compile(r"[a-z][a-z0-9-]{0,31}")


def _text(v: Any) -> bool:
    return (isinstance(v, str) and bool(v.strip())) or (
        isinstance(v, dict) and bool(v) and all(isinstance(k, str) and isinstance(t, str) and t.strip()
                                                for k, t in v.items()))


def check_steps(v: Any) -> str | None:
    """The problem with a ``REVIEW_STEPS`` value, or ``None``."""
    if not isinstance(v, (list, tuple)) or not v:
        return 'must be a non-empty list of steps {"id", "role", "name"}'
    if len(v) > 9:
        return "has more than 9 steps"
    seen = set()
    for n, step in enumerate(v, 1):
        if not isinstance(step, dict):
            return f"step {n} must be a dict {{\"id\", \"role\", \"name\"}}"
        unknown = set(step) - {"id", "role", "name"}
        if unknown:
            return f"step {n} has unknown keys {sorted(unknown)}; allowed: id, role, name"
        sid = step.get("id")
        if not isinstance(sid, str) or not _ID.fullmatch(sid):
            return f"step {n}: id must be lowercase letters, digits and '-' (e.g. 'proofread'), not {sid!r}"
        if sid in seen:
            return f"step {n}: id {sid!r} is used twice"
        seen.add(sid)
        if step.get("role") not in STEP_ROLES:
            return f"step {n} ({sid}): role must be one of {list(STEP_ROLES)}, not {step.get('role')!r}"
        if "name" in step and not _text(step["name"]):
            return f"step {n} ({sid}): name must be text, or {{language code: text}}"
    return None


def check_mail(v: Any) -> str | None:
    """The problem with a ``REVIEW_MAIL`` value, or ``None``."""
    if not isinstance(v, dict):
        return "must be a dict (empty: no e-mail)"
    if not v:
        return None
    if "password" in v:
        return ("must not hold the password (settings are in git): set the environment variable "
                "JINDALLAE_CMS_SMTP_PASSWORD instead")
    unknown = set(v) - MAIL_KEYS
    if unknown:
        return f"has unknown keys {sorted(unknown)}; allowed: {sorted(MAIL_KEYS)}"
    if not isinstance(v.get("host"), str) or not v["host"].strip():
        return "needs 'host', the SMTP server"
    if not isinstance(v.get("sender"), str) or "@" not in v["sender"]:
        return "needs 'sender', the address the mails come from"
    port = v.get("port", 587)
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        return "['port'] must be a port number"
    if v.get("security", "starttls") not in SECURITY:
        return f"['security'] must be one of {list(SECURITY)}"
    timeout = v.get("timeout", 10)
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or not 0 < timeout <= 120:
        return "['timeout'] must be seconds (at most 120)"
    if "username" in v and not isinstance(v["username"], str):
        return "['username'] must be text"
    if "cms_url" in v and not (isinstance(v["cms_url"], str) and re.match(r"https?://[^\s/]+", v["cms_url"])):
        return "['cms_url'] must be the CMS's address, e.g. https://cms.example.gov.cn"
    return None


def settings_schema():
    """``(prefix, {KEY: Option})`` of the review chain."""
    from jindallae.settings import Option, is_type

    return "REVIEW_", {
        "REVIEW_STEPS": Option(DEFAULT_STEPS, check_steps,
                               "The review chain: steps {id, role, name} in order; the last one publishes"),
        "REVIEW_DISTINCT_PEOPLE": Option(True, is_type(bool),
                                         "One person passes at most one step of a page in one round of review"),
        "REVIEW_MAIL": Option({}, check_mail,
                              "SMTP server for review notifications {host, port, security, sender, username, "
                              "timeout, cms_url}; password from JINDALLAE_CMS_SMTP_PASSWORD"),
    }
