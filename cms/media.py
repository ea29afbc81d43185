"""Image upload for the editor (issue 7 item 5, case W5; OWASP ASVS V12.1-V12.5 file upload).

What happens to an upload, in order:

1. size: the request is refused with 413 above ``UPLOAD_MAX_BYTES`` + 1 MB (Flask's
   ``MAX_CONTENT_LENGTH``); the file itself must be at most ``UPLOAD_MAX_BYTES`` (V12.1.1);
2. alt text: required (the editor must describe the picture; WCAG 2.1 SC 1.1.1);
3. type by content, never by name or the client's Content-Type: Pillow must identify it as
   JPEG, PNG or WebP and ``verify()`` it (V12.2.1);
4. pixel limit: ``width x height`` from the header is checked against ``UPLOAD_MAX_PIXELS``
   *before* any pixel is decoded, so a decompression bomb (a 20000x20000 PNG of a few KB)
   is refused cheaply (V12.1.2); Pillow's own bomb check is caught too;
5. the EXIF orientation is applied (``ImageOps.exif_transpose``) and the image re-encoded from
   its pixels alone: no EXIF (so no GPS position), no ICC profile, no text chunks, no XMP;
6. stored as ``content/images/<yyyy>/<slug>-<random>.<ext>``: the client's file name is only
   a hint for the slug (``../../etc/passwd.jpg`` gives ``passwd-1a2b3c4d.jpg``) and is never
   used as a path (V12.3.1, V12.3.2); the file is created exclusively (no overwrite);
7. committed to the content git repository with the user as author, touching only that file.

The answer is JSON ``{path, markdown, width, height}`` for the editor (``fetch`` with the
CSRF header), or the upload page for a plain form post.  Refusals are 400 (413 for size) with
a message in the UI language.

The image library (``/media/``) lists ``content/images`` with thumbnails (made with Pillow,
kept in ``instance/thumbs``), the alt texts the pages give each image (from Markdown and HTML
images in the text, and ``cover`` / ``cover_alt``), and where each is used; it is searched by
alt text, page title or file name, answers JSON for the editor's picker (``static/media.js``:
insert into the text, use as cover), and replaces an image in place (same path, new bytes
checked and cleaned like an upload, committed and audited; an image a published page shows is
replaced only by a reviewer, as a change of that page would be).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import io
import os
import posixpath
import re
import secrets
import subprocess
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from urllib.parse import unquote, urlsplit

from flask import (Blueprint, abort, current_app, flash, g, jsonify, redirect, render_template, request,
                   send_file, url_for)
from PIL import Image, ImageOps, UnidentifiedImageError

from .auth import current_user, roles_required, wants_json
from .db import audit
from .i18n import BEIJING, _, format_size

bp = Blueprint("media", __name__, url_prefix="/media")
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}  # Pillow format -> stored extension
IMAGES_DIR = "images"  # under the content folder; the site's images plugin serves it


class UploadRefused(Exception):
    """The upload is refused; ``message`` is in the UI language, ``status`` the HTTP status."""

    def __init__(self, message: str, status: int = 400):
        self.message = message
        self.status = status
        super().__init__(message)


@dataclass
class StoredImage:
    """An accepted upload: ``path`` relative to the content folder (``images/2026/x-1a2b.jpg``),
    pixel size after orientation, the Markdown to insert (relative to a page in a section)."""

    path: str
    width: int
    height: int
    markdown: str
    commit: str = ""

    def to_json(self) -> dict:
        """The JSON answer of an upload: ``{path, width, height, markdown, commit}``."""
        return {"path": self.path, "width": self.width, "height": self.height, "markdown": self.markdown,
                "commit": self.commit}


def safe_stem(filename: str) -> str:
    """A slug made from the client's file name, used only as a readable part of the generated
    name: the last path component (POSIX or Windows separators), without extension, slugified
    (pinyin / romanized for CJK); ``image`` when nothing is left.  Never a path."""
    from jindallae.slugs import slugify

    name = PureWindowsPath(PurePosixPath(filename or "").name).name
    stem = name.rsplit(".", 1)[0] if "." in name else name
    slug = slugify(stem)[:40].strip("-")
    return slug or "image"


def markdown_for(path: str, alt: str) -> str:
    """``![alt](../images/...)`` for a page in a section folder; brackets and line breaks in the
    alt text are escaped / flattened so the Markdown stays one image."""
    alt = " ".join(alt.split())
    alt = re.sub(r"([\\\[\]])", r"\\\1", alt)
    return f"![{alt}](../{path})"


def process_image(data: bytes, max_pixels: int) -> tuple[bytes, str, int, int]:
    """Check and clean one uploaded image.

    Returns ``(clean bytes, extension, width, height)``: the image upright (EXIF orientation
    applied) and re-encoded without any metadata.  Raises :class:`UploadRefused` for data that
    is not a JPEG/PNG/WebP image, a broken image, or more than ``max_pixels`` pixels (checked
    from the header, before decoding)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            fmt = probe.format
            width, height = probe.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadRefused(_("This image has far too many pixels (it could be a decompression bomb); "
                              "it was refused. Upload a photo of at most %(mp)s megapixels.",
                              mp=max_pixels // 1_000_000)) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise UploadRefused(_("This file is not an image (its content is not JPEG, PNG or WebP), whatever its "
                              "name says; it was refused.")) from None
    if fmt not in FORMATS:
        raise UploadRefused(_("Images must be JPEG, PNG or WebP; this file is %(fmt)s. Save it as JPEG or PNG "
                              "and upload again.", fmt=fmt or "?"))
    if width * height > max_pixels:
        raise UploadRefused(_("The image is %(w)s × %(h)s pixels, more than the limit of %(mp)s megapixels; it "
                              "was refused before being opened (a very large image can be a decompression bomb). "
                              "Make it smaller and upload again.", w=width, h=height, mp=max_pixels // 1_000_000))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            Image.open(io.BytesIO(data)).verify()  # structure and checksums (PNG CRCs)
            image = Image.open(io.BytesIO(data))
            image.load()
    except Exception:  # Pillow raises many types for damaged files
        raise UploadRefused(_("The image file is damaged or incomplete; it was refused. Export it again and "
                              "upload the new file.")) from None
    upright = ImageOps.exif_transpose(image)  # applies and drops the orientation tag
    ext = FORMATS[fmt]
    out = io.BytesIO()
    if fmt == "JPEG":
        if upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        # A new image from the pixels alone: no EXIF, ICC, XMP or comments are carried over.
        clean = Image.new(upright.mode, upright.size)
        clean.paste(upright)
        clean.save(out, "JPEG", quality=92, optimize=True)
    elif fmt == "PNG":
        clean = Image.new(upright.mode, upright.size)
        if upright.mode == "P":
            clean.putpalette(upright.getpalette())
            if "transparency" in upright.info:
                clean.info["transparency"] = upright.info["transparency"]
        clean.paste(upright)
        clean.save(out, "PNG", optimize=True,
                   **({"transparency": clean.info["transparency"]} if "transparency" in clean.info else {}))
    else:
        if upright.mode not in ("RGB", "RGBA"):
            upright = upright.convert("RGBA" if "A" in upright.getbands() else "RGB")
        clean = Image.new(upright.mode, upright.size)
        clean.paste(upright)
        clean.save(out, "WEBP", quality=90)
    return out.getvalue(), ext, clean.width, clean.height


def _content_repo(content: Path) -> Path:
    """The git work tree holding ``content`` (``git init`` in ``content`` when there is none)."""
    found = subprocess.run(["git", "-C", str(content), "rev-parse", "--show-toplevel"], capture_output=True, text=True)
    if found.returncode == 0:
        return Path(found.stdout.strip())
    subprocess.run(["git", "init", "-q", str(content)], check=True, capture_output=True)
    return content


def commit_file(content: Path, file: Path, message: str, name: str, email: str) -> str:
    """Commit ``file`` (and only it) to the content repository with ``name <email>`` as author
    and committer; returns the commit hash.  Raises ``subprocess.CalledProcessError``.

    Holds the writers' lock of the content side (``flock`` on ``<git dir>/jindallae-cms.lock``,
    as ``cms.content_store.ContentStore.locked``), so an upload and a page save never run git
    at the same time (git's own ``index.lock`` would make one of them fail)."""
    from .content_store import git_safe  # a NUL in a display name cannot go into the environment

    name, email = git_safe(name) or "CMS user", git_safe(email)
    repo = _content_repo(content)
    rel = file.resolve().relative_to(repo.resolve()).as_posix()
    env = {**os.environ, "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email or "cms@localhost",
           "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email or "cms@localhost"}
    git_dir = Path(subprocess.run(["git", "-C", str(repo), "rev-parse", "--absolute-git-dir"], check=True,
                                  capture_output=True, text=True).stdout.strip())
    with open(git_dir / "jindallae-cms.lock", "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            subprocess.run(["git", "-C", str(repo), "add", "--", rel], check=True, capture_output=True, env=env)
            try:
                subprocess.run(["git", "-C", str(repo), "commit", "-q", "-m", message, "--", rel], check=True,
                               capture_output=True, env=env)
            except subprocess.CalledProcessError:
                # Unstage it again: the caller removes the file, and nothing of it may stay behind.
                subprocess.run(["git", "-C", str(repo), "rm", "-q", "--cached", "--ignore-unmatch", "--", rel],
                               capture_output=True, env=env)
                raise
            return subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], check=True, capture_output=True,
                                  text=True, env=env).stdout.strip()
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def store_upload(content: Path, filename: str, data: bytes, alt: str, max_bytes: int, max_pixels: int,
                 author: tuple[str, str] | None = None, now: dt.datetime | None = None) -> StoredImage:
    """Check, clean and store one upload under ``content/images/<yyyy>/`` (year in Beijing
    time); commit it when ``author`` ``(name, email)`` is given.  Raises :class:`UploadRefused`
    (nothing is written then)."""
    if not alt.strip():
        raise UploadRefused(_("Describe the picture in the alt text field (for readers who cannot see it); "
                              "the image was not stored."))
    if not data:
        raise UploadRefused(_("Choose an image file to upload."))
    if len(data) > max_bytes:
        raise UploadRefused(_("The file is larger than %(size)s. Make it smaller (for a photo: save it at a lower "
                              "resolution) and try again.", size=format_size(max_bytes)), 413)
    clean, ext, width, height = process_image(data, max_pixels)
    year = (now or dt.datetime.now(BEIJING)).astimezone(BEIJING).year
    folder = content / IMAGES_DIR / str(year)
    folder.mkdir(parents=True, exist_ok=True)
    stem = safe_stem(filename)
    while True:
        target = folder / f"{stem}-{secrets.token_hex(4)}.{ext}"
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            continue
        break
    with os.fdopen(fd, "wb") as fp:
        fp.write(clean)
    rel = target.relative_to(content).as_posix()
    stored = StoredImage(rel, width, height, markdown_for(rel, alt))
    if author is not None:
        try:
            stored.commit = commit_file(content, target, f"Upload image {rel}", *author)
        except (subprocess.CalledProcessError, OSError, ValueError) as exc:
            target.unlink(missing_ok=True)
            detail = getattr(exc, "stderr", b"") or b""
            raise UploadRefused(_("The image could not be saved in the history (git: %(detail)s); nothing was "
                                  "stored. Try again or tell an administrator.",
                                  detail=(detail.decode(errors="replace") if isinstance(detail, bytes) else str(detail)).strip()[:200]
                                  or str(exc)), 500) from None
    return stored


def limit_example(max_pixels: int | None = None) -> tuple[int, int]:
    """A 4:3 photo size within the pixel limit, in whole hundreds (40 MP: 7300 × 5400), to
    show the limit in terms people know from their camera."""
    import math

    if max_pixels is None:
        max_pixels = int(current_app.config["UPLOAD_MAX_PIXELS"])
    width = int(math.sqrt(max_pixels * 4 / 3)) // 100 * 100
    height = (max_pixels // max(width, 1)) // 100 * 100
    return width, height


def picker_enabled() -> bool:
    """True when the signed-in user may insert images (editor or translator): base.html then
    loads the library picker and the size checks (static/media.js)."""
    user = g.get("user")
    return user is not None and (user.can("editor") or user.can("translator"))


@bp.app_context_processor
def _media_context() -> dict:
    return {"limit_example": limit_example, "media_picker_enabled": picker_enabled}


@bp.route("/upload", methods=["GET"])
@roles_required("editor", "translator")
def upload_form():
    """The upload page (the editor uses the same endpoint with fetch)."""
    return render_template("media_upload.html", result=None, error=None, alt="")


@bp.route("/upload", methods=["POST"])
@roles_required("editor", "translator")
def upload():
    """POST multipart ``file`` and ``alt`` → JSON ``{path, markdown, width, height, commit}``
    (or the upload page showing the result); refusals 400/413 with ``{error}``."""
    cfg = current_app.config
    file = request.files.get("file")
    alt = request.form.get("alt", "")
    filename = file.filename if file else ""
    try:
        data = file.read(int(cfg["UPLOAD_MAX_BYTES"]) + 1) if file else b""
        user = g.user
        stored = store_upload(Path(cfg["CONTENT_DIR"]), filename or "", data, alt, int(cfg["UPLOAD_MAX_BYTES"]),
                              int(cfg["UPLOAD_MAX_PIXELS"]), author=(user.name, user.email))
    except UploadRefused as exc:
        audit("upload_refused", (filename or "")[:200], exc.message[:300])
        if wants_json():
            return jsonify(error=exc.message), exc.status
        return render_template("media_upload.html", result=None, error=exc.message, alt=alt), exc.status
    audit("upload", stored.path, f"from {filename!r}, {stored.width}x{stored.height}")
    if wants_json():
        return jsonify(stored.to_json()), 201
    return render_template("media_upload.html", result=stored, error=None, alt=alt), 201


@bp.route("/file/<path:rel>")
@roles_required("editor", "translator", "reviewer")
def file(rel: str):
    """An image of ``content/images/`` for previews in the CMS (only that folder; the path is
    resolved and must stay inside it)."""
    from flask import abort, send_from_directory

    base = (Path(current_app.config["CONTENT_DIR"]) / IMAGES_DIR).resolve()
    target = (base / rel).resolve()
    if not target.is_relative_to(base) or not target.is_file():
        abort(404)
    return send_from_directory(base, target.relative_to(base).as_posix())


# ---------------------------------------------------------------------------------------------
# The image library

THUMB_SIZE = (320, 240)
LISTED = {".jpg", ".jpeg", ".png", ".webp", ".gif"}
_MD_IMAGE = re.compile(r"!\[((?:[^\]\\\n]|\\.)*)\]\(\s*<?([^)\s>]+)>?(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)")
_HTML_IMG = re.compile(r"<img\b[^>]*>", re.I)
_ATTR = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_cache_lock = threading.Lock()
_page_cache: dict[str, tuple[tuple, "PageRefs"]] = {}
_size_cache: dict[str, tuple[tuple, tuple[int | None, int | None]]] = {}


@dataclass(frozen=True)
class ImageUse:
    """One place an image is shown: the page (content-relative path), its title, language and
    status, ``kind`` ``cover`` or ``body``, and the alt text the page gives it there."""

    page: str
    title: str
    lang: str
    status: str
    kind: str
    alt: str


@dataclass(frozen=True)
class PageRefs:
    title: str
    lang: str
    status: str
    refs: tuple[tuple[str, str, str], ...]  # (image path under images/, kind, alt)


@dataclass
class LibraryImage:
    """An image of ``content/images``: ``rel`` under that folder (``2026/x.jpg``), file size,
    pixel size (``None`` when unreadable), modification time and where it is used."""

    rel: str
    size: int
    width: int | None
    height: int | None
    mtime: float
    uses: list[ImageUse] = field(default_factory=list)

    @property
    def path(self) -> str:
        """The path under ``content/`` (what a page's ``cover`` field holds)."""
        return f"{IMAGES_DIR}/{self.rel}"

    @property
    def name(self) -> str:
        return PurePosixPath(self.rel).name

    @property
    def alts(self) -> list[str]:
        """The alt texts the pages give this image, each once, in page order."""
        out: list[str] = []
        for use in self.uses:
            if use.alt and use.alt not in out:
                out.append(use.alt)
        return out

    def alt_for(self, lang: str | None) -> str:
        """The alt text of a page in ``lang`` ('' when no page in that language describes it)."""
        return next((u.alt for u in self.uses if u.alt and u.lang == lang), "")

    def best_alt(self, lang: str | None) -> str:
        """The alt text to show a reader of ``lang``: a page's in that language, else the first."""
        return self.alt_for(lang) or (self.alts[0] if self.alts else "")

    @property
    def pages(self) -> list[ImageUse]:
        """One use per page (the first), in page order."""
        seen, out = set(), []
        for use in self.uses:
            if use.page not in seen:
                seen.add(use.page)
                out.append(use)
        return out

    @property
    def published(self) -> bool:
        """True when a published page shows the image (replacing it changes the live site)."""
        return any(u.status == "published" for u in self.uses)

    def matches(self, query: str) -> bool:
        """Every word of ``query`` is in an alt text, a page title or the file name (any case)."""
        hay = " ".join([*self.alts, *(u.title for u in self.uses), self.rel]).casefold()
        return all(word in hay for word in query.casefold().split())

    def to_json(self, lang: str | None = None) -> dict:
        return {"path": self.path, "rel": self.rel, "name": self.name, "width": self.width, "height": self.height,
                "size": format_size(self.size), "bytes": self.size,
                "thumb": url_for("media.thumb", rel=self.rel), "url": url_for("media.file", rel=self.rel),
                "detail": url_for("media.image", rel=self.rel), "alt": self.alt_for(lang) or "",
                "alts": [{"lang": u.lang, "alt": u.alt} for u in self.uses if u.alt],
                "pages": [{"path": u.page, "title": u.title} for u in self.pages],
                "markdown": markdown_for(self.path, self.alt_for(lang) or "")}


def _image_ref(page_rel: str, target: str) -> str | None:
    """The path under ``images/`` an image reference of the page ``page_rel`` points at
    (``../images/a.jpg`` from ``news/x.zh.md``; ``images/a.jpg`` for a cover; ``{static}`` and
    site-absolute forms too), or ``None`` (another site, another folder)."""
    parts = urlsplit(target.strip())
    if parts.scheme or parts.netloc:
        return None
    path = unquote(parts.path)
    base = posixpath.dirname(page_rel)
    for prefix in ("{static}", "{attach}", "{filename}"):
        if path.startswith(prefix):
            path, base = path[len(prefix):], ""
            break
    if path.startswith("/"):
        path, base = path.lstrip("/"), ""
    full = posixpath.normpath(posixpath.join(base, path))
    return full[len(IMAGES_DIR) + 1:] if full.startswith(IMAGES_DIR + "/") else None


def _cover_ref(value) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return _image_ref("", value.strip())


def _unescape_alt(alt: str) -> str:
    return " ".join(re.sub(r"\\(.)", r"\1", alt).split())


def page_refs(content: Path, rel: str, text: str) -> PageRefs:
    """The images ``text`` (the page ``rel``) shows: its cover (with ``cover_alt``) and the
    Markdown and HTML images of the text, with their alt texts."""
    from ruamel.yaml import YAML

    from .content_store import split_file

    parts = split_file(text)
    front: dict = {}
    body = text
    if parts:
        try:
            loaded = YAML(typ="safe").load(parts[1])
        except Exception:  # noqa: BLE001 - a broken page still lists its body images
            loaded = None
        front = loaded if isinstance(loaded, dict) else {}
        body = parts[3]
    name = PurePosixPath(rel).name
    lang = name.split(".")[-2] if name.count(".") >= 2 else ""
    refs: list[tuple[str, str, str]] = []
    cover = _cover_ref(front.get("cover"))
    if cover:
        refs.append((cover, "cover", str(front.get("cover_alt") or "").strip()))
    for m in _MD_IMAGE.finditer(body):
        target = _image_ref(rel, m.group(2))
        if target:
            refs.append((target, "body", _unescape_alt(m.group(1))))
    for m in _HTML_IMG.finditer(body):
        attrs = {a.group(1).lower(): a.group(2) or a.group(3) or a.group(4) or "" for a in _ATTR.finditer(m.group(0))}
        target = _image_ref(rel, attrs.get("src", ""))
        if target:
            refs.append((target, "body", " ".join(attrs.get("alt", "").split())))
    title = front.get("title")
    return PageRefs(str(title) if title else "", lang, str(front.get("status") or "published"), tuple(refs))


def image_uses(content: Path) -> dict[str, list[ImageUse]]:
    """``{path under images/: [uses]}`` over every Markdown page of ``content`` (parsed pages
    are cached by file size and modification time)."""
    out: dict[str, list[ImageUse]] = {}
    for path in sorted(content.rglob("*.md")):
        rel = path.relative_to(content).as_posix()
        if any(part.startswith(".") for part in PurePosixPath(rel).parts) or rel.startswith(IMAGES_DIR + "/"):
            continue
        try:
            st = path.stat()
        except OSError:
            continue
        key = (st.st_mtime_ns, st.st_size)
        with _cache_lock:
            cached = _page_cache.get(str(path))
        if cached is not None and cached[0] == key:
            refs = cached[1]
        else:
            try:
                refs = page_refs(content, rel, path.read_text(encoding="utf-8", errors="replace"))
            except OSError:
                continue
            with _cache_lock:
                _page_cache[str(path)] = (key, refs)
        for target, kind, alt in refs.refs:
            out.setdefault(target, []).append(ImageUse(rel, refs.title or rel, refs.lang, refs.status, kind, alt))
    return out


def _dimensions(path: Path, st: os.stat_result) -> tuple[int | None, int | None]:
    key = (st.st_mtime_ns, st.st_size)
    with _cache_lock:
        cached = _size_cache.get(str(path))
    if cached is not None and cached[0] == key:
        return cached[1]
    try:
        with Image.open(path) as probe:  # the header only: no pixels are decoded
            size: tuple[int | None, int | None] = probe.size
    except Exception:  # noqa: BLE001 - unreadable: listed without a size
        size = (None, None)
    with _cache_lock:
        _size_cache[str(path)] = (key, size)
    return size


def library(content: Path) -> list[LibraryImage]:
    """Every image file under ``content/images`` (newest first) with where it is used."""
    base = content / IMAGES_DIR
    uses = image_uses(content)
    out = []
    if base.is_dir():
        for path in base.rglob("*"):
            rel = path.relative_to(base).as_posix()
            if path.suffix.lower() not in LISTED or any(p.startswith(".") for p in PurePosixPath(rel).parts):
                continue
            try:
                st = path.stat()
            except OSError:
                continue
            if not path.is_file():
                continue
            width, height = _dimensions(path, st)
            out.append(LibraryImage(rel, st.st_size, width, height, st.st_mtime, uses.get(rel, [])))
    out.sort(key=lambda i: (-i.mtime, i.rel))
    return out


def _image_path(rel: str) -> Path:
    """The file ``content/images/<rel>`` (404 unless it is an image file inside that folder)."""
    base = (Path(current_app.config["CONTENT_DIR"]) / IMAGES_DIR).resolve()
    target = (base / rel).resolve()
    if not target.is_relative_to(base) or not target.is_file() or target.suffix.lower() not in LISTED:
        abort(404)
    return target


def make_thumbnail(source: Path, folder: Path, max_pixels: int) -> Path | None:
    """A WebP thumbnail (at most :data:`THUMB_SIZE`, upright) of ``source``, kept in ``folder``
    under a name made from the source's path, size and modification time (a replaced image
    gets a new one).  ``None`` for a file Pillow cannot read or larger than ``max_pixels``."""
    st = source.stat()
    key = hashlib.sha256(f"{source}\0{st.st_mtime_ns}\0{st.st_size}".encode()).hexdigest()[:32]
    out = folder / f"{key}.webp"
    if out.is_file():
        return out
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source) as image:
                if image.size[0] * image.size[1] > max_pixels:
                    return None
                image.draft("RGB", THUMB_SIZE)  # JPEG: decode at a reduced scale
                upright = ImageOps.exif_transpose(image)
                upright.thumbnail(THUMB_SIZE)
                if upright.mode not in ("RGB", "RGBA"):
                    upright = upright.convert("RGBA" if "A" in upright.getbands() or "transparency" in upright.info
                                              else "RGB")
                folder.mkdir(parents=True, exist_ok=True)
                tmp = folder / f".{key}-{secrets.token_hex(4)}.tmp"
                upright.save(tmp, "WEBP", quality=80)
                os.replace(tmp, out)
    except Exception:  # noqa: BLE001 - damaged or exotic files get no thumbnail
        return None
    return out


def _library_lang() -> str | None:
    lang = request.args.get("lang", "")
    return lang if re.fullmatch(r"[a-z]{2,3}", lang) else None


@bp.route("/")
@roles_required("editor", "translator", "reviewer")
def index():
    """The image library: thumbnails, alt texts, where used; ``q`` searches alt texts, page
    titles and file names.  JSON (``format=json`` or an Accept of JSON; ``lang``: the language
    of the page being edited, for its alt texts) for the editor's picker."""
    cfg = current_app.config
    query = request.args.get("q", "").strip()[:200]
    images = library(Path(cfg["CONTENT_DIR"]))
    found = [i for i in images if i.matches(query)] if query else images
    if request.args.get("format") == "json" or wants_json():
        lang = _library_lang()
        return jsonify(total=len(found), images=[i.to_json(lang) for i in found[:300]])
    user = current_user()
    return render_template("media_library.html", images=found, total=len(images), query=query,
                           can_upload=user.can("editor") or user.can("translator"))


@bp.route("/image/<path:rel>")
@roles_required("editor", "translator", "reviewer")
def image(rel: str):
    """One image: preview, sizes, where it is used and with which alt texts, the Markdown to
    reuse it, and the form to replace it."""
    target = _image_path(rel)
    return _render_image(target, None, 200)


def _render_image(target: Path, error: str | None, status: int):
    content = Path(current_app.config["CONTENT_DIR"])
    rel = target.relative_to((content / IMAGES_DIR).resolve()).as_posix()
    item = next((i for i in library(content) if i.rel == rel), None)
    if item is None:
        abort(404)
    user = current_user()
    may_replace = (user.can("editor") or user.can("translator")) and (not item.published or user.can("reviewer"))
    snippets = [(alt, markdown_for(item.path, alt)) for alt in item.alts] or [("", markdown_for(item.path, ""))]
    return render_template("media_image.html", item=item, snippets=snippets, error=error,
                           may_replace=may_replace, can_upload=user.can("editor") or user.can("translator")), status


@bp.route("/thumb/<path:rel>")
@roles_required("editor", "translator", "reviewer")
def thumb(rel: str):
    """A small WebP of the image for the library and the picker (made once, kept in
    ``instance/thumbs``); the image itself when no thumbnail can be made."""
    target = _image_path(rel)
    cfg = current_app.config
    out = make_thumbnail(target, Path(cfg["INSTANCE_DIR"]) / "thumbs", int(cfg["UPLOAD_MAX_PIXELS"]))
    if out is None:
        abort(404)
    response = send_file(out, mimetype="image/webp", max_age=0)
    return response


def encode_as(clean: bytes, ext: str) -> bytes:
    """Re-encode a cleaned image (from :func:`process_image`) in the format of ``ext``."""
    image = Image.open(io.BytesIO(clean))
    image.load()
    out = io.BytesIO()
    if ext == "jpg":
        if image.mode not in ("RGB", "L"):
            flat = Image.new("RGB", image.size, (255, 255, 255))
            rgba = image.convert("RGBA")
            flat.paste(rgba, mask=rgba.getchannel("A"))
            image = flat
        image.save(out, "JPEG", quality=92, optimize=True)
    elif ext == "png":
        image.save(out, "PNG", optimize=True)
    else:
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
        image.save(out, "WEBP", quality=90)
    return out.getvalue()


def replace_image(content: Path, target: Path, data: bytes, max_bytes: int, max_pixels: int,
                  author: tuple[str, str]) -> StoredImage:
    """Put new bytes at the path of an existing image: checked and cleaned as an upload
    (:func:`process_image`), re-encoded in the format the file name says, written atomically
    and committed (``Replace image <path>``); on a failed commit the old bytes are put back.
    Raises :class:`UploadRefused`."""
    from .content_store import write_bytes_atomic

    if not data:
        raise UploadRefused(_("Choose an image file to upload."))
    if len(data) > max_bytes:
        raise UploadRefused(_("The file is larger than %(size)s. Make it smaller (for a photo: save it at a lower "
                              "resolution) and try again.", size=format_size(max_bytes)), 413)
    clean, ext, width, height = process_image(data, max_pixels)
    want = target.suffix.lower().lstrip(".")
    want = "jpg" if want == "jpeg" else want
    if want not in FORMATS.values():
        raise UploadRefused(_("Only JPEG, PNG and WebP images can be replaced here."))
    if ext != want:
        clean = encode_as(clean, want)
    rel = target.relative_to(content.resolve()).as_posix()
    old = target.read_bytes()
    stored = StoredImage(rel, width, height, markdown_for(rel, ""))
    if old == clean:
        return stored
    try:
        write_bytes_atomic(target, clean)
    except OSError as exc:
        raise UploadRefused(_("The image could not be written (%(detail)s); the old image is unchanged.",
                              detail=exc.strerror or str(exc)), 500) from None
    try:
        stored.commit = commit_file(content, target, f"Replace image {rel}", *author)
    except (subprocess.CalledProcessError, OSError, ValueError) as exc:
        write_bytes_atomic(target, old)
        detail = getattr(exc, "stderr", b"") or b""
        raise UploadRefused(_("The image could not be saved in the history (git: %(detail)s); nothing was "
                              "stored. Try again or tell an administrator.",
                              detail=(detail.decode(errors="replace") if isinstance(detail, bytes) else str(detail)).strip()[:200]
                              or str(exc)), 500) from None
    return stored


@bp.route("/replace/<path:rel>", methods=["POST"])
@roles_required("editor", "translator")
def replace(rel: str):
    """POST multipart ``file``: replace the image ``images/<rel>`` (same path, so every page
    showing it shows the new picture).  An image shown by a published page needs the reviewer
    role too (403 otherwise).  Audited as ``image_replace``."""
    target = _image_path(rel)
    cfg = current_app.config
    content = Path(cfg["CONTENT_DIR"])
    user = g.user
    item = next((i for i in library(content) if i.rel == target.relative_to((content / IMAGES_DIR).resolve()).as_posix()),
                None)
    if item is not None and item.published and not user.can("reviewer"):
        return _render_image(target, _("A published page shows this image: only a reviewer may replace it (the change "
                                       "would go live without review). Upload a new image and use it in your page "
                                       "instead."), 403)
    file = request.files.get("file")
    filename = file.filename if file else ""
    try:
        data = file.read(int(cfg["UPLOAD_MAX_BYTES"]) + 1) if file else b""
        stored = replace_image(content, target, data, int(cfg["UPLOAD_MAX_BYTES"]), int(cfg["UPLOAD_MAX_PIXELS"]),
                               (user.name, user.email))
    except UploadRefused as exc:
        audit("upload_refused", f"{IMAGES_DIR}/{rel}"[:200], exc.message[:300])
        return _render_image(target, exc.message, exc.status)
    if stored.commit:
        audit("image_replace", stored.path, f"from {filename!r}, {stored.width}x{stored.height}")
        flash(_("The image was replaced. Every page that shows it shows the new picture (on the public site after "
                "the next publish)."), "success")
    else:
        flash(_("The new file is the same picture; nothing was changed."), "info")
    return redirect(url_for("media.image", rel=rel), code=303)
