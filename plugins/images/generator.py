"""ImagesGenerator: resized WebP/JPEG/PNG copies of the site's images and ``<picture>`` markup."""

from __future__ import annotations

import hashlib
import html
import os
import re
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from markupsafe import Markup
from pelican.generators import Generator

from jindallae.build import CACHE_KEY, PROGRESS_KEY, SITE_KEY
from jindallae.progress import phase

FORMATS = {".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png"}  # resized; other images are left alone
EXT = {"jpeg": "jpg", "png": "png", "webp": "webp"}
VERSION = "1"  # bump when the encoder settings change: the cache key changes with it
BODY_SIZES = "(min-width: 42rem) 40rem, 100vw"  # .article > * { max-width: 40rem }
_IMG = re.compile(r"<img\b[^>]*>")
_ATTR = re.compile(r'([a-zA-Z-]+)="([^"]*)"')


@dataclass
class ImageInfo:
    """One source image: its URL, pixel size (EXIF orientation applied) and resized copies
    ``(width, format, site-relative path)``."""

    rel: str  # content-relative path (images/x.jpg)
    src: str  # URL of the original
    width: int
    height: int
    fallback: str  # "jpeg" or "png"
    digest: str = ""  # sha1 of the bytes and the encoder settings: the cache key
    variants: list[tuple[int, str, str]] = field(default_factory=list)

    def height_at(self, width: int) -> int:
        return max(1, round(width * self.height / self.width))

    def srcset_of(self, fmt: str, siteurl: str) -> str:
        parts = [f"{siteurl}/{rel} {w}w" for w, f, rel in self.variants if f == fmt]
        if fmt == self.fallback:
            parts.append(f"{self.src} {self.width}w")
        return ", ".join(parts)


def encode(source: str, digest: str, jobs: list[tuple[int, str]], cache: str, quality: int) -> int:
    """Write the copies ``jobs`` ``(width, format)`` of ``source`` into ``cache`` (no metadata).
    Returns the number of files encoded."""
    from PIL import Image, ImageOps

    with Image.open(source) as im:
        im.load()
        im = ImageOps.exif_transpose(im)
    for width, fmt in jobs:
        out = im
        if width != im.width:
            out = im.resize((width, max(1, round(width * im.height / im.width))), Image.LANCZOS, reducing_gap=3.0)
        if fmt == "jpeg" and out.mode not in ("RGB", "L"):
            out = out.convert("RGB")
        elif fmt == "webp" and out.mode not in ("RGB", "RGBA"):
            out = out.convert("RGBA" if "A" in out.mode or "transparency" in out.info else "RGB")
        else:
            out = out.copy()
        out.info = {}  # no EXIF, XMP, ICC, comments
        target = Path(cache) / f"{digest}-{width}.{EXT[fmt]}"
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        if fmt == "jpeg":
            out.save(tmp, "JPEG", quality=quality, optimize=True, progressive=True)
        elif fmt == "webp":
            out.save(tmp, "WEBP", quality=quality, method=4)
        else:
            out.save(tmp, "PNG", optimize=True)
        os.replace(tmp, target)
    return len(jobs)


def _encode_job(args: tuple) -> int:
    return encode(*args)


class ImagesGenerator(Generator):
    """Resizes the images pages use and rewrites their markup (see the module docstring)."""

    def generate_context(self) -> None:
        site = self.settings[SITE_KEY]
        self.siteurl = self.settings.get("SITEURL", "")
        self.widths = sorted(set(self.settings.get("IMAGES_WIDTHS", [480, 800, 1200])))
        self.quality = self.settings.get("IMAGES_QUALITY", 80)
        cache_root = self.settings.get(CACHE_KEY)
        if cache_root:
            self.cache = Path(cache_root) / "images"
            self.temporary = False
        else:  # build(cache=False): leave .cache alone, work in a folder removed after the build
            self.cache = Path(tempfile.mkdtemp(prefix="jindallae-images-"))
            self.temporary = True
        self.cache.mkdir(parents=True, exist_ok=True)
        self.root = Path(site.root)
        self.images: dict[str, ImageInfo | None] = {}
        self.encoded = 0
        articles = [a for a in self.context["generated_content"].values() if getattr(a, "item", None) is not None]
        with phase(self.settings.get(PROGRESS_KEY), "images", unit="image") as shown:
            for a in articles:
                cover = getattr(a, "cover", None)
                info = self.image(cover) if cover else None
                if info is not None:
                    a.cover_image = info
                if getattr(a, "_content", None) and "<img" in a._content:
                    a._content = _IMG.sub(self.rewrite, a._content)
            self.make_copies()
            shown.update(sum(1 for info in self.images.values() if info is not None))
            total = sum(len(info.variants) for info in self.images.values() if info is not None)
            shown.note = f"{self.encoded} copies encoded" + (", the rest from .cache/images" if self.encoded < total
                                                             or not total else "")
        self.context["images"] = self

    # ------------------------------------------------------------------------------------------
    def image(self, rel: str) -> ImageInfo | None:
        """The :class:`ImageInfo` of content path ``rel``, or ``None`` when it is not resized."""
        rel = os.path.normpath(rel.lstrip("/")).replace(os.sep, "/")
        if rel.startswith("../") or rel == "..":
            return None  # outside the content folder: never write beside it
        if rel in self.images:
            return self.images[rel]
        path = self.root / rel
        fallback = FORMATS.get(path.suffix.lower())
        info = None
        if fallback and path.is_file():
            info = self._probe(rel, path, fallback)
        self.images[rel] = info
        return info

    def _probe(self, rel: str, path: Path, fallback: str) -> ImageInfo | None:
        from PIL import Image, UnidentifiedImageError

        data = path.read_bytes()
        digest = hashlib.sha1(data + f"\0v{VERSION}\0q{self.quality}".encode()).hexdigest()
        try:
            with Image.open(path) as im:
                width, height = im.size
                if im.getexif().get(0x0112) in (5, 6, 7, 8):  # rotated a quarter turn
                    width, height = height, width
        except (UnidentifiedImageError, OSError):
            return None
        info = ImageInfo(rel, f"{self.siteurl}/{rel}", width, height, fallback, digest)
        stem, _ext = os.path.splitext(rel)
        for w in [w for w in self.widths if w < width] + [width]:
            for fmt in ("webp", fallback):
                if fmt == fallback and w == width:
                    continue  # the original is the largest fallback
                info.variants.append((w, fmt, f"{stem}.{digest[:10]}.{w}.{EXT[fmt]}"))
        return info

    def rewrite(self, m: re.Match[str]) -> str:
        """One ``<img>`` of a rendered body -> ``<picture>`` (images under images/ only)."""
        tag = m.group(0)
        attrs = {k: html.unescape(v) for k, v in _ATTR.findall(tag)}
        src = attrs.get("src", "")
        prefix = f"{self.siteurl}/"
        if not src.startswith(prefix + "images/"):
            return tag
        info = self.image(src[len(prefix):])
        if info is None:
            return tag
        return picture(info, attrs.get("alt", ""), BODY_SIZES, self.siteurl, lazy=True,
                       title=attrs.get("title"))

    def picture(self, info: ImageInfo, alt: str, sizes: str, lazy: bool = True, width: int | None = None,
                css_class: str | None = None) -> Markup:
        """:func:`picture` for templates."""
        return Markup(picture(info, alt, sizes, self.siteurl, lazy=lazy, width=width, css_class=css_class))

    def make_copies(self) -> None:
        """Encode the copies missing from the cache, on all cores when there are several."""
        work, seen = [], set()
        for info in self.images.values():
            if info is None or info.digest in seen:  # two files with the same bytes: once
                continue
            seen.add(info.digest)
            missing = [(w, fmt) for w, fmt, _rel in info.variants
                       if not (self.cache / f"{info.digest}-{w}.{EXT[fmt]}").is_file()]
            if missing:
                work.append((str(self.root / info.rel), info.digest, missing, str(self.cache), self.quality))
        self.encoded = sum(len(job[2]) for job in work)
        workers = min(os.cpu_count() or 1, 8, len(work))
        if workers > 1:
            with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork")) as pool:
                list(pool.map(_encode_job, work))
        else:
            for job in work:
                encode(*job)

    def generate_output(self, writer) -> None:
        """Hard-link (or copy) the cached copies into the output."""
        try:
            made: set[str] = set()
            for info in self.images.values():
                if info is None:
                    continue
                for w, fmt, rel in info.variants:
                    target = Path(self.output_path) / rel
                    if target.parent.as_posix() not in made:
                        target.parent.mkdir(parents=True, exist_ok=True)
                        made.add(target.parent.as_posix())
                    cached = self.cache / f"{info.digest}-{w}.{EXT[fmt]}"
                    if target.exists():
                        target.unlink()
                    try:
                        os.link(cached, target)
                    except OSError:  # another file system
                        shutil.copyfile(cached, target)
        finally:
            if self.temporary:
                shutil.rmtree(self.cache, ignore_errors=True)


def picture(info: ImageInfo, alt: str, sizes: str, siteurl: str = "", lazy: bool = True, width: int | None = None,
            css_class: str | None = None, title: str | None = None) -> str:
    """``<picture>`` markup for ``info``: a WebP ``<source>`` and the JPEG/PNG ``<img>`` with
    ``srcset``, ``sizes``, ``width``/``height`` (``width`` given: scaled to it) and either
    ``loading="lazy"`` or, above the fold, ``fetchpriority="high"``."""
    q = lambda v: html.escape(v, quote=True)  # noqa: E731
    w = width or info.width
    h = info.height_at(w) if width else info.height
    attrs = [f'src="{q(info.src)}"', f'srcset="{q(info.srcset_of(info.fallback, siteurl))}"', f'sizes="{q(sizes)}"',
             f'alt="{q(alt)}"', f'width="{w}"', f'height="{h}"']
    if css_class:
        attrs.insert(0, f'class="{q(css_class)}"')
    if title:
        attrs.append(f'title="{q(title)}"')
    attrs.append('loading="lazy" decoding="async"' if lazy else 'fetchpriority="high"')
    source = ""
    webp = info.srcset_of("webp", siteurl)
    if webp:
        source = f'<source type="image/webp" srcset="{q(webp)}" sizes="{q(sizes)}">'
    return f"<picture>{source}<img {' '.join(attrs)}></picture>"
