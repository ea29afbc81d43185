"""Pictures found in an imported document: checked, cleaned and named, kept in memory until
the page is written.

Each picture (Word's ``word/media/*``, an HTML ``data:`` image) is opened with Pillow by its
content, never by its name:

* JPEG, PNG, WebP, GIF, BMP and TIFF are accepted; other formats (EMF/WMF clip art, SVG) cannot
  be shown on a web page and are left out, with a visible TODO in the text and a note;
* more than :data:`MAX_PIXELS` pixels (read from the header, before decoding) is left out the
  same way: a decompression bomb is never decoded;
* the EXIF orientation is applied and the picture re-encoded from its pixels alone — no EXIF
  (so no GPS position), ICC profile, XMP or comments survive; wider than :data:`MAX_WIDTH`
  pixels it is scaled down (the site serves at most 1200 px, ``IMAGES_WIDTHS``; 2400 keeps a
  sharp 2x copy and keeps photos under ``CHECKS_IMAGE_MAX_BYTES``);
* JPEG stays JPEG, WebP stays WebP, the rest becomes PNG (GIF: its first frame).

Pictures are named ``images/<year>/<slug>-<hash>.<ext>`` (the slug cut to 40 characters; the
hash of the cleaned bytes, so the same picture used twice is stored once) once the page's slug
is known (:meth:`ImageSink.resolve`); until then the Markdown holds a placeholder URL.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass, field

from .blocks import Run
from .messages import ALT_TODO, IMAGE_LEFT_OUT, Note, reason

MAX_PIXELS = 40_000_000  # width x height of one picture (the CMS upload limit)
MAX_WIDTH = 2400  # pixels; wider pictures are scaled down
MAX_IMAGES = 500  # pictures in one document
PLACEHOLDER = "jindallae-image:"  # URL scheme of a picture not yet named
_KEEP = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
_CONVERT = {"GIF", "BMP", "TIFF", "MPO", "DIB", "ICO", "PPM", "TGA", "PCX"}


@dataclass
class ExtractedImage:
    """A cleaned picture: ``data`` (bytes), extension, pixel size, the name it had in the
    document (``source``) and, once resolved, its content-relative ``path``."""

    data: bytes
    ext: str
    width: int
    height: int
    source: str
    path: str = ""

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()[:10]


class UnusableImage(Exception):
    """The picture cannot be used; ``reason`` is a :class:`~jindallae.importers.messages.Reason`."""

    def __init__(self, why):
        super().__init__(why.code)
        self.reason = why


def clean_image(data: bytes, max_pixels: int = MAX_PIXELS,
                max_width: int = MAX_WIDTH) -> tuple[bytes, str, int, int, bool]:
    """``(clean bytes, extension, width, height, resized)`` for the picture ``data`` (see the
    module docstring).  Raises :class:`UnusableImage` for an unknown or damaged format or too
    many pixels."""
    from PIL import Image, ImageOps

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            fmt, (width, height) = probe.format, probe.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UnusableImage(reason("pixels", width="?", height="?", limit=max_pixels // 1_000_000)) from None
    except Exception:  # UnidentifiedImageError, OSError, ...; a malformed WMF/EMF header even ZeroDivisionError
        raise UnusableImage(reason("format", fmt=_sniff(data))) from None
    if fmt not in _KEEP and fmt not in _CONVERT:
        raise UnusableImage(reason("format", fmt=fmt or _sniff(data)))
    if width * height > max_pixels:
        raise UnusableImage(reason("pixels", width=width, height=height, limit=max_pixels // 1_000_000))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image.seek(0)
            image.load()
    except Exception:  # Pillow raises many kinds for damaged files
        raise UnusableImage(reason("damaged")) from None
    upright = ImageOps.exif_transpose(image) or image
    resized = False
    if upright.width > max_width:
        upright = upright.resize((max_width, max(1, round(upright.height * max_width / upright.width))),
                                 Image.Resampling.LANCZOS)
        resized = True
    out = io.BytesIO()
    if fmt == "JPEG":
        pixels = upright if upright.mode in ("RGB", "L") else upright.convert("RGB")
        clean = Image.new(pixels.mode, pixels.size)
        clean.paste(pixels)
        clean.save(out, "JPEG", quality=88, optimize=True)
        ext = "jpg"
    elif fmt == "WEBP":
        pixels = upright if upright.mode in ("RGB", "RGBA") else upright.convert("RGBA")
        clean = Image.new(pixels.mode, pixels.size)
        clean.paste(pixels)
        clean.save(out, "WEBP", quality=88)
        ext = "webp"
    else:
        pixels = upright
        if pixels.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            pixels = pixels.convert("RGBA")
        clean = Image.new(pixels.mode, pixels.size)
        if pixels.mode == "P":
            clean.putpalette(pixels.getpalette())
            if "transparency" in pixels.info:
                clean.info["transparency"] = pixels.info["transparency"]
        clean.paste(pixels)
        extra = {"transparency": clean.info["transparency"]} if "transparency" in clean.info else {}
        clean.save(out, "PNG", optimize=True, **extra)
        ext = "png"
    return out.getvalue(), ext, clean.width, clean.height, resized


def _sniff(data: bytes) -> str:
    """A format name for a picture Pillow cannot read (for the message)."""
    head = data[:64]
    if head.startswith(b"\xd7\xcd\xc6\x9a") or head[:4] == b"\x01\x00\x09\x00":
        return "WMF"
    if head[:4] == b"\x01\x00\x00\x00" and b" EMF" in data[:128]:
        return "EMF"
    if b"<svg" in data[:512]:
        return "SVG"
    return "?"


@dataclass
class ImageSink:
    """Collects the pictures of one document being imported.

    ``lang`` is the page's language (for the TODO alt text), ``path`` the document's name (for
    notes).  :meth:`add` returns the :class:`Run` to place in the text; :meth:`resolve` names
    the pictures once the slug is known and returns the Markdown with the placeholders
    replaced."""

    lang: str
    path: str
    max_pixels: int = MAX_PIXELS
    max_width: int = MAX_WIDTH
    images: list[ExtractedImage] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    _by_digest: dict[str, int] = field(default_factory=dict)

    def add(self, data: bytes, source: str, alt: str = "") -> Run:
        """Accept the picture ``data`` named ``source`` in the document.  Returns an image run
        (alt text: the TODO of :data:`~jindallae.importers.messages.ALT_TODO`, followed by the
        document's own description when it has one) or, for a picture that cannot be used, a
        text run with a visible TODO (and a note)."""
        name = source.rsplit("/", 1)[-1] or "image"
        if len(self.images) >= MAX_IMAGES:
            return self.left_out(name, reason("too_many", limit=MAX_IMAGES))
        try:
            clean, ext, width, height, resized = clean_image(data, self.max_pixels, self.max_width)
        except UnusableImage as exc:
            return self.left_out(name, exc.reason)
        if resized:
            from PIL import Image

            with Image.open(io.BytesIO(data)) as im:
                w, h = im.size
            self.notes.append(Note("image_resized", {"path": self.path, "name": name, "width": w, "height": h,
                                                     "new_width": width}))
        image = ExtractedImage(clean, ext, width, height, source)
        index = self._by_digest.setdefault(image.digest, len(self.images))
        if index == len(self.images):
            self.images.append(image)
        todo = ALT_TODO.get(self.lang, ALT_TODO["zh"])
        alt = " ".join(alt.split())
        if alt:
            todo = f"{todo}{'（' if self.lang == 'zh' else ' ('}{alt}{'）' if self.lang == 'zh' else ')'}"
        return Run(kind="image", src=f"{PLACEHOLDER}{index}", alt=todo)

    def left_out(self, name: str, why) -> Run:
        """The placeholder text for a picture that cannot be imported, and its note."""
        self.notes.append(Note("image_unusable", {"path": self.path, "name": name, "reason": why}))
        return Run(IMAGE_LEFT_OUT.get(self.lang, IMAGE_LEFT_OUT["zh"]).format(name=name))

    def resolve(self, markdown: str, slug: str, year: int) -> str:
        """Name every picture ``images/<year>/<slug>-<hash>.<ext>`` and put the names into
        ``markdown`` (as ``../images/…``, relative to a page in a section folder)."""
        stem = slug if len(slug) <= 40 else slug[:41].rsplit("-", 1)[0]
        for index, image in enumerate(self.images):
            image.path = f"images/{year}/{stem}-{image.digest}.{image.ext}"
            markdown = markdown.replace(f"]({PLACEHOLDER}{index})", f"](../{image.path})")
        return markdown
