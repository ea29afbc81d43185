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
"""

from __future__ import annotations

import datetime as dt
import fcntl
import io
import os
import re
import secrets
import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from flask import Blueprint, current_app, g, jsonify, render_template, request
from PIL import Image, ImageOps, UnidentifiedImageError

from .auth import roles_required, wants_json
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
