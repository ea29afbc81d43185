"""Settings of ``jindallae deploy`` (prefix ``DEPLOY_``), declared once like a plugin's, and the
checks that make a production build safe to publish.

``DEPLOY_TARGETS`` names where the site goes; every target has a ``type``:

=========  ===================================================================================
``dir``    ``path``: a web root on this server (``releases/<id>/`` + a ``current`` symlink)
``rsync``  ``host`` (``user@server``), ``path``: the same layout on another server over SSH;
           ``port``, ``identity_file`` (outside the repository), ``known_hosts``
``s3``     ``bucket``, ``endpoint`` (https URL), ``prefix``, ``region``, ``addressing_style``
           (``path`` for MinIO, ``virtual`` for Aliyun OSS and Tencent COS), ``profile``
           (credentials come from the environment or ``~/.aws/credentials``, never settings)
``zip``    ``path``: the release as one zip file, for a platform's upload form
=========  ===================================================================================

Shared keys: ``verify_url`` (where the target is fetched to verify a deploy; default the public
URL), ``keep`` (releases kept, default ``DEPLOY_KEEP_RELEASES``), ``post_deploy`` (a command, as a
list, that receives the changed public URLs on standard input, one per line), ``max_deletions``,
``precompress`` (write ``.gz`` beside text files / upload gzip with ``Content-Encoding``).
Kept free of heavy imports: every build loads this schema.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

TYPES = {
    "dir": ({"type", "path"}, {"verify_url", "keep", "post_deploy", "max_deletions", "precompress"}),
    "rsync": ({"type", "host", "path"}, {"port", "identity_file", "known_hosts", "verify_url", "keep", "post_deploy",
                                         "max_deletions", "precompress", "rsync_path"}),
    "s3": ({"type", "bucket"}, {"endpoint", "prefix", "region", "addressing_style", "profile", "verify_url",
                                "post_deploy", "max_deletions", "precompress", "keep"}),
    "zip": ({"type", "path"}, {"post_deploy", "keep"}),
}
# Key names that would put a secret into a settings file (kept in git): refused.
SECRET_KEYS = re.compile(r"secret|password|passwd|token|access_key|private_key|credential", re.I)
# Host names that are never a public address (RFC 2606, RFC 6761, RFC 6762).
RESERVED_SUFFIXES = (".example", ".test", ".invalid", ".localhost", ".local", ".internal")
RESERVED_HOSTS = {"localhost", "example.com", "example.net", "example.org"}


def _check_targets(v: Any) -> str | None:
    if not isinstance(v, dict):
        return "must be a dict {name: {type: dir|rsync|s3|zip, ...}}"
    for name, target in v.items():
        if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name):
            return f"[{name!r}]: target names are lowercase letters, digits, '-' and '_'"
        if not isinstance(target, dict):
            return f"[{name!r}] must be a dict with a 'type'"
        kind = target.get("type")
        if kind not in TYPES:
            return f"[{name!r}]['type'] must be one of {sorted(TYPES)}, not {kind!r}"
        required, optional = TYPES[kind]
        secret = [k for k in target if isinstance(k, str) and SECRET_KEYS.search(k)]
        if secret:
            return (f"[{name!r}]: {secret[0]!r} looks like a secret; secrets never go in settings: use the environment "
                    f"(AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY) or a file outside the repository")
        missing = sorted(required - set(target))
        if missing:
            return f"[{name!r}]: a {kind} target needs {missing}"
        unknown = sorted(set(target) - required - optional)
        if unknown:
            return f"[{name!r}]: unknown key(s) {unknown} for a {kind} target; allowed: {sorted(required | optional)}"
        for key in ("path", "host", "bucket", "prefix", "endpoint", "verify_url", "region", "identity_file",
                    "known_hosts", "profile", "rsync_path"):
            if key in target and not isinstance(target[key], str):
                return f"[{name!r}][{key!r}] must be a string"
        if kind in ("dir", "rsync") and not target["path"].startswith("/"):
            return f"[{name!r}]['path'] must be an absolute path on the server"
        for key in ("endpoint", "verify_url"):
            if key in target and not re.match(r"https?://[^/]", target[key]):
                return f"[{name!r}][{key!r}] must be an http(s) URL"
        if "addressing_style" in target and target["addressing_style"] not in ("path", "virtual", "auto"):
            return f"[{name!r}]['addressing_style'] must be path, virtual or auto"
        for key in ("keep", "max_deletions", "port"):
            if key in target and (not isinstance(target[key], int) or isinstance(target[key], bool) or target[key] < 1):
                return f"[{name!r}][{key!r}] must be a positive integer"
        if "post_deploy" in target and not (isinstance(target["post_deploy"], list) and target["post_deploy"]
                                            and all(isinstance(x, str) for x in target["post_deploy"])):
            return f"[{name!r}]['post_deploy'] must be a command as a list of strings, e.g. ['scripts/cdn-refresh.sh']"
        if "precompress" in target and not isinstance(target["precompress"], bool):
            return f"[{name!r}]['precompress'] must be True or False"
    return None


def _check_default(v: Any) -> str | None:
    return None if v is None or isinstance(v, str) else "must be a target name (a string) or None"


def settings_schema():
    """``(prefix, {KEY: Option})`` of ``jindallae deploy``."""
    from jindallae.settings import Option, positive_int

    return "DEPLOY_", {
        "DEPLOY_TARGETS": Option({}, _check_targets, "Where the site is published: {name: {type: dir|rsync|s3|zip, ...}}"),
        "DEPLOY_DEFAULT_TARGET": Option(None, _check_default, "The target used without --target (default: the only one)"),
        "DEPLOY_KEEP_RELEASES": Option(5, positive_int, "Releases kept on dir and rsync targets (for --rollback)"),
        "DEPLOY_MAX_DELETIONS": Option(200, positive_int,
                                       "A deploy that would delete more files than this stops unless --force is given"),
        "DEPLOY_OUTPUT": Option("build-publish", _relative_folder,
                                "Folder (relative to the project) of the production build that is deployed"),
        "DEPLOY_EXCLUDE": Option(["_reports/"], _check_exclude,
                                 "Paths of the build never published (prefixes; staff pages such as the translation report)"),
    }


def _check_exclude(v: Any) -> str | None:
    if not isinstance(v, list) or not all(isinstance(x, str) and x and not x.startswith("/") for x in v):
        return "must be a list of paths relative to the build, like [\"_reports/\"]"
    return None


def _relative_folder(v: Any) -> str | None:
    if not isinstance(v, str) or not v or v.startswith("/") or ".." in v.split("/"):
        return "must be a folder relative to the project"
    return None


def public_url_problem(url: str | None) -> str | None:
    """Why ``url`` cannot be the address of a published site, or ``None`` when it can.

    Refused: missing or empty, not http(s), ``localhost`` and ``*.localhost``, an IP address
    literal, and the names reserved for examples and tests (RFC 2606 ``*.example``,
    ``example.com``; RFC 6761 ``*.test``, ``*.invalid``; ``*.local``).
    """
    if not url:
        return "is not set"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{url!r} is not an http(s) address"
    host = parts.hostname.rstrip(".").lower()
    try:
        ipaddress.ip_address(host)
        return f"{url!r} is an IP address, not the site's public name"
    except ValueError:
        pass
    if host in RESERVED_HOSTS or host.endswith(RESERVED_SUFFIXES) or "." not in host:
        return f"{url!r} is a local or example address, not a public one"
    return None
