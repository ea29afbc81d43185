"""Releases as data: the manifest of a built site, the plan that moves a target from one release
to the next, precompression and verification.

A **manifest** maps every file of a release (``news/a/index.html``) to its SHA-256, size and
media type. It is our own content hash, never a provider's ETag (multipart and provider ETags
are not MD5s of the bytes). The **plan** compares the live manifest with the new one:

* ``upload``, in the order that never shows a page whose assets are missing: assets first
  (images, CSS, scripts, the search index, feeds), then pages, then the home pages last;
* ``keep``: same path, same hash;
* ``delete``: paths the new release does not have, removed after everything else.

Nothing here touches a server: the targets (:mod:`.targets`) apply a plan.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import mimetypes
import os
import re
import shutil
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

MANIFEST_VERSION = 1
# Types worth precompressing (gzip_static / Content-Encoding); pictures and fonts are compressed.
# (Pagefind's .pf_* files are gzip streams already: not compressed twice.)
COMPRESSIBLE = {".html", ".css", ".js", ".mjs", ".json", ".xml", ".ics", ".svg", ".txt", ".webmanifest"}
# Fingerprinted file names (the hash is in the name: the bytes never change) get a long,
# immutable cache lifetime: resized images (x.<hash>.800.webp) and Pagefind's hashed files.
FINGERPRINTED = re.compile(r"(^|/)[^/]*\.[0-9a-f]{8,}\.[^/]+$|^pagefind/(fragment|index)/|\.pf_(fragment|index)$"
                           r"|^pagefind/wasm\.[a-z-]+\.pagefind$")
HOME = re.compile(r"^(?:[a-z]{2,3}(?:-[a-z]+)?/)?index\.html$")
TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
         ".json": "application/json", ".xml": "application/xml; charset=utf-8",
         ".ics": "text/calendar; charset=utf-8", ".svg": "image/svg+xml", ".txt": "text/plain; charset=utf-8",
         ".webp": "image/webp", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
         ".pdf": "application/pdf", ".woff2": "font/woff2", ".pagefind": "application/wasm",
         ".pf_meta": "application/octet-stream", ".pf_index": "application/octet-stream",
         ".pf_fragment": "application/octet-stream", ".gz": "application/gzip", ".zip": "application/zip"}
SHORT_CACHE = "public, max-age=300"  # pages, feeds, calendars, the search entry: seen soon after a publish
LONG_CACHE = "public, max-age=31536000, immutable"  # fingerprinted: the name changes with the bytes
DEFAULT_CACHE = "public, max-age=3600"


@dataclass(frozen=True)
class Entry:
    """One file of a release: ``sha256`` (hex), ``size`` (bytes), ``type`` (media type)."""

    sha256: str
    size: int
    type: str


@dataclass
class Manifest:
    """A release: ``files`` maps a POSIX path relative to the site root to its :class:`Entry`."""

    files: dict[str, Entry]
    release: str = ""

    @property
    def digest(self) -> str:
        """One hash of every path and file hash (equal sites have equal digests)."""
        h = hashlib.sha256()
        for path in sorted(self.files):
            h.update(f"{path}\0{self.files[path].sha256}\n".encode())
        return h.hexdigest()

    def to_json(self) -> str:
        return json.dumps({"version": MANIFEST_VERSION, "release": self.release,
                           "files": {p: [e.sha256, e.size, e.type] for p, e in sorted(self.files.items())}},
                          ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> "Manifest":
        """Parse :meth:`to_json`; raises ``ValueError`` for anything else."""
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
            raise ValueError("not a Jindallae release manifest (version 1)")
        return cls({p: Entry(*v) for p, v in data["files"].items()}, data.get("release", ""))


def content_type(path: str) -> str:
    """The media type (with charset for text) served for ``path``."""
    ext = os.path.splitext(path)[1].lower()
    return TYPES.get(ext) or mimetypes.guess_type(path)[0] or "application/octet-stream"


def cache_control(path: str) -> str:
    """``Cache-Control`` for ``path``: short for pages, feeds and the search entry point, long
    and immutable for fingerprinted files, an hour for the rest (theme files, originals)."""
    if FINGERPRINTED.search(path):
        return LONG_CACHE
    if path.endswith((".html", ".xml", ".ics", ".json", ".txt")) or path.startswith("pagefind/"):
        return SHORT_CACHE
    return DEFAULT_CACHE


def kind(path: str) -> str:
    """``"home"`` (a language's home page), ``"page"`` (another HTML page) or ``"asset"``."""
    if HOME.match(path):
        return "home"
    return "page" if path.endswith(".html") else "asset"


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fp:
        for block in iter(lambda: fp.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def scan(folder: Path, release: str = "", exclude: Iterable[str] = ()) -> Manifest:
    """The :class:`Manifest` of every regular file under ``folder`` (symlinks are not followed;
    names are POSIX paths relative to ``folder``), except those starting with one of the
    ``exclude`` prefixes (``DEPLOY_EXCLUDE``: staff pages that must never reach the public)."""
    skip = tuple(exclude)
    files: dict[str, Entry] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(filenames):
            full = Path(dirpath) / name
            if full.is_symlink() or not full.is_file():
                continue
            rel = full.relative_to(folder).as_posix()
            if skip and rel.startswith(skip):
                continue
            files[rel] = Entry(file_sha256(full), full.stat().st_size, content_type(rel))
    return Manifest(files, release)


def release_id(manifest: Manifest, now: float | None = None) -> str:
    """``20261207T031700.123456Z-<8 hex of the manifest digest>`` (ISO 8601 basic format, UTC,
    microseconds): names its content and sorts by time — also for two deploys in one second,
    which a rollback tells apart by this order."""
    now = now if now is not None else time.time()
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now))
    return f"{stamp}.{int(now % 1 * 1e6):06d}Z-{manifest.digest[:8]}"


@dataclass
class Plan:
    """What a deploy does (see the module docstring); every list holds release paths."""

    upload: list[str] = field(default_factory=list)
    keep: list[str] = field(default_factory=list)
    delete: list[str] = field(default_factory=list)
    upload_bytes: int = 0
    keep_bytes: int = 0
    delete_bytes: int = 0
    first: bool = False  # no live release was found: everything is uploaded

    def summary(self) -> str:
        """``upload 12 files (340 KB), keep 500 (30 MB), delete 1 (2 KB)``."""
        return (f"upload {len(self.upload)} file(s) ({human_bytes(self.upload_bytes)}), keep {len(self.keep)} "
                f"({human_bytes(self.keep_bytes)}), delete {len(self.delete)} ({human_bytes(self.delete_bytes)})")

    def changed_pages(self) -> list[str]:
        """Uploaded and deleted HTML pages (the URLs a CDN refresh needs)."""
        return [p for p in self.upload + self.delete if p.endswith(".html")]


def make_plan(live: Manifest | None, new: Manifest) -> Plan:
    """The :class:`Plan` from ``live`` (``None``: nothing deployed yet) to ``new``."""
    old = live.files if live else {}
    plan = Plan(first=live is None)
    order = {"asset": 0, "page": 1, "home": 2}
    for path in sorted(new.files, key=lambda p: (order[kind(p)], p)):
        entry = new.files[path]
        if path in old and old[path].sha256 == entry.sha256:
            plan.keep.append(path)
            plan.keep_bytes += entry.size
        else:
            plan.upload.append(path)
            plan.upload_bytes += entry.size
    # deletions: pages first (nothing links to them any more), then assets
    for path in sorted((p for p in old if p not in new.files), key=lambda p: (-order[kind(p)], p)):
        plan.delete.append(path)
        plan.delete_bytes += old[path].size
    return plan


def human_bytes(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


def public_url_of(public_url: str, path: str) -> str:
    """The public address of release path ``path`` (``news/a/index.html`` -> ``…/news/a/``)."""
    if path == "index.html":
        return public_url + "/"
    if path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return f"{public_url}/{path}"


def gzip_bytes(data: bytes) -> bytes:
    """Deterministic gzip (no name, mtime 0, level 9): equal input, equal bytes."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def stage_release(source: Path, target: Path, previous: Path | None, before: Manifest | None, manifest: Manifest,
                  precompress: bool) -> int:
    """Write the release of ``source`` (described by ``manifest``) into the new folder
    ``target``: files whose hash equals the ``previous`` release's (``before``, its manifest)
    are hard-linked from it, the rest copied; with ``precompress`` a deterministic ``.gz`` beside
    every compressible file (for nginx ``gzip_static``), linked too when unchanged. Returns the
    number of files copied or compressed (the rest are links)."""
    target.mkdir(parents=True)
    old = before.files if before is not None and previous is not None else {}
    written = 0
    for path, entry in manifest.files.items():
        dest = target / path
        dest.parent.mkdir(parents=True, exist_ok=True)
        same = path in old and old[path].sha256 == entry.sha256
        if not (same and _link(previous / path, dest)):
            shutil.copyfile(source / path, dest)
            written += 1
        if precompress and os.path.splitext(path)[1] in COMPRESSIBLE and entry.size >= 256:
            gz = path + ".gz"
            if not (same and _link(previous / gz, target / gz)):
                (target / gz).write_bytes(gzip_bytes((source / path).read_bytes()))
                written += 1
    return written


def _link(src: Path, dest: Path) -> bool:
    try:
        os.link(src, dest)
        return True
    except OSError:
        return False


class VerifyError(Exception):
    """A deployed file differs from the release (``problems``: ``path: what``)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems[:5]) + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""))


def verify(base_url: str, release: Path, paths: Iterable[str], absent: Iterable[str] = (), timeout: float = 20,
           attempts: int = 3) -> int:
    """Fetch ``base_url/<path>`` for every path and compare the bytes with ``release/<path>``;
    every ``absent`` path must answer 404 (or 403, as object stores do). A ``gzip``
    ``Content-Encoding`` is undone first. Returns the number of files checked; raises
    :class:`VerifyError` listing every difference. Each fetch is tried ``attempts`` times
    (a CDN or a server reloading may answer late)."""
    problems: list[str] = []
    unreachable = False
    count = 0
    for path in paths:
        count += 1
        want = (release / path).read_bytes()
        got, status = _fetch(f"{base_url}/{path}", timeout, 1 if problems else attempts, want)
        if status == -1:
            unreachable = True
            problems.append(f"{path}: no answer from {base_url}/{path} ({got.decode('utf-8', 'replace')})")
        elif status != 200:
            problems.append(f"{path}: HTTP {status}")
        elif got != want:
            problems.append(f"{path}: the served bytes differ from the release ({len(got)} bytes, {len(want)} expected)")
    for path in absent:
        count += 1
        _got, status = _fetch(f"{base_url}/{path}", timeout, 1 if problems else attempts, None)
        if status not in (403, 404):
            problems.append(f"{path}: still served (HTTP {status}) after its deletion")
    if unreachable:
        problems.append(f"the web server did not answer at {base_url}: if the public address cannot be reached from "
                        f"this machine (a firewall, DNS, a test setup), set \"verify_url\" on the deploy target to an "
                        f"address that reaches the same server, e.g. \"http://127.0.0.1/zt/rkwh\"")
    if problems:
        raise VerifyError(problems)
    return count


def _fetch(url: str, timeout: float, attempts: int, want: bytes | None) -> tuple[bytes, int]:
    last: tuple[bytes, int] = (b"", 0)
    for attempt in range(attempts):
        request = urllib.request.Request(url, headers={"Cache-Control": "no-cache", "User-Agent": "jindallae-deploy"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - our own target
                body = response.read()
                if response.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                last = (body, response.status)
        except urllib.error.HTTPError as exc:
            last = (b"", exc.code)
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)  # "[Errno 111] Connection refused", "Name or service not known"
            last = (str(reason).encode(), -1)
        if (want is not None and last == (want, 200)) or (want is None and last[1] in (403, 404)):
            return last
        if attempt + 1 < attempts:
            time.sleep(0.3 * (attempt + 1))
    return last
