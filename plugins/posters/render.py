"""The poster as a scene: what goes where, laid out once, drawn by the PDF and by the preview.

:func:`render` lays a poster out on its format (the template's boxes, the picture's focal-point
crop, every text fitted and broken into lines by :mod:`.text`, the QR code's modules, the crop
marks) and returns a :class:`Scene`: a list of drawing items in *layout pixels*, the format's
dpi on the whole PDF page (trim + bleed + the white slug with the crop marks, origin top-left).
Nothing is rasterised here.  :mod:`.pdf` writes the scene as a vector print PDF (text as
embedded CFF subsets, QR modules as rectangles, the picture embedded once) and :func:`preview`
draws the same scene with Pillow at the size of the web preview, so the PNG shows exactly the
lines, sizes and places of the PDF.

Items, painted in order: :class:`Fill` (background, colour bands, the QR code's quiet zone, the
banners' white grommet margin), :class:`Picture` (the poster picture or the logo, clipped to its
box), :class:`TextLine` (one line of text, one face, one colour), :class:`QRModules` and
:class:`Fill` items for the crop marks (``role="mark"``).
"""

from __future__ import annotations

import functools
import math
import os
import re
from dataclasses import dataclass, field
from typing import Any

from .formats import MM_PER_INCH, Format
from .layout import Element, Template

QUIET_ZONE = 4  # modules around a QR code (ISO/IEC 18004:2015, 6.3.8: at least 4)
CROP_MARK_MM = (7.0, 0.25)  # length and line width of a crop mark, mm
BILINGUAL_GAP = 0.06  # gap between the two languages of a bilingual text box, share of its height


class PosterError(Exception):
    """A problem with one field of a poster's input: ``field`` (``poster.headline``), the
    ``messages`` per language (``zh``, ``ko``, ``en``); ``lang``: the language version whose
    text caused it (a bilingual poster's Korean headline is the Korean page's problem), or
    ``None`` when it is the page's own (picture, template)."""

    def __init__(self, field_name: str, messages: dict[str, str], lang: str | None = None):
        self.field = field_name
        self.messages = messages
        self.lang = lang
        super().__init__(f"{field_name}: {messages.get('en', '')}")

    def message(self, lang: str) -> str:
        """``local (english)`` in the editor's language ``lang``."""
        local, english = self.messages.get(lang, self.messages["en"]), self.messages["en"]
        return local if local == english else f"{local} ({english})"


@dataclass
class PosterText:
    """The texts of a poster in one language.  ``points``: up to 4 short lines."""

    lang: str
    headline: str
    subline: str = ""
    points: list[str] = field(default_factory=list)
    when: str = ""
    where: str = ""
    organizer: str = ""
    sitename: str = ""
    organizers: list[str] = field(default_factory=list)  # 主办/承办 lines: "主办：延边州人口计生委"

    def get(self, name: str) -> str:
        value = getattr(self, name, "")
        return "\n".join(value) if isinstance(value, list) else value


def hex_rgb(value: str) -> tuple[int, int, int]:
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def element_px(template: Template, element: Element, fmt: Format) -> tuple[int, int, int, int]:
    """Layout pixel box ``(left, top, right, bottom)`` of ``element`` on ``fmt``, with its
    ``bleed`` edges pushed out to the bleed line."""
    x0, y0, x1, y1 = template.box_mm(element, fmt)
    m = fmt.margin
    b = fmt.bleed
    if "left" in element.bleed and x0 <= 0.5:
        x0 = -b
    if "top" in element.bleed and y0 <= 0.5:
        y0 = -b
    if "right" in element.bleed and x1 >= fmt.width - 0.5:
        x1 = fmt.width + b
    if "bottom" in element.bleed and y1 >= fmt.height - 0.5:
        y1 = fmt.height + b
    return fmt.px(x0 + m), fmt.px(y0 + m), fmt.px(x1 + m), fmt.px(y1 + m)


# ---------------------------------------------------------------------------------------------
# picture


def open_image(path: str, field_name: str = "poster.image", label: str | None = None, reduced: bool = False):
    """Open and fully decode the picture at ``path`` (EXIF orientation applied, RGB).
    Messages name it as ``label`` (the path as written in the front matter, relative to
    content/), default ``path``.

    Raises :class:`PosterError` for a missing, unreadable or corrupt file and for a
    decompression bomb (more pixels than Pillow's ``Image.MAX_IMAGE_PIXELS``, about 89
    megapixels: Pillow itself only warns up to twice that and would decode it; the largest
    format needs about 56 megapixels).  ``reduced``: a JPEG is decoded at 1/8 scale (every
    byte is still read, so a truncated file still fails) — for checking, not printing."""
    import warnings

    from PIL import Image, ImageOps, UnidentifiedImageError

    shown, path = label or path, path
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)  # refuse, do not decode
            with Image.open(path) as im:
                im.draft("RGB", (max(1, im.width // 8), max(1, im.height // 8)) if reduced else im.size)
                im.load()
                im = ImageOps.exif_transpose(im)
    except FileNotFoundError:
        raise PosterError(field_name, {
            "zh": f"图片“{shown}”不存在；请检查路径（相对于 content/）",
            "ko": f"그림 '{shown}'이(가) 없습니다. 경로(content/ 기준)를 확인하세요",
            "en": f"image '{shown}' does not exist; check the path (relative to content/)"}) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PosterError(field_name, {
            "zh": f"图片“{shown}”像素过多，疑似解压炸弹（{exc}）；请换一张正常大小的图片",
            "ko": f"그림 '{shown}'의 화소 수가 너무 많아 압축 폭탄으로 보입니다({exc}). 보통 크기의 그림으로 바꾸세요",
            "en": f"image '{shown}' has too many pixels, a decompression bomb ({exc}); use a normal-sized picture"}) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise PosterError(field_name, {
            "zh": f"无法读取图片“{shown}”（{type(exc).__name__}）：文件已损坏或不是 JPEG/PNG；请重新导出图片",
            "ko": f"그림 '{shown}'을(를) 읽을 수 없습니다({type(exc).__name__}). 파일이 손상되었거나 JPEG/PNG가 아닙니다. 다시 내보내세요",
            "en": f"cannot read image '{shown}' ({type(exc).__name__}): the file is corrupt or not a JPEG/PNG; "
                  f"export it again"}) from None
    if im.mode != "RGB":
        im = im.convert("RGBA").convert("RGB") if "A" in im.mode or "transparency" in im.info else im.convert("RGB")
    return im


def focal_crop(size: tuple[int, int], box: tuple[int, int], focus: tuple[float, float]) -> tuple[tuple[int, int, int, int], float]:
    """The source rectangle of an image of ``size`` px that fills a box of ``box`` px
    (``object-fit: cover``) keeping the focal point ``focus`` (x, y in 0..1 of the image) as
    near the box's centre as the image allows.  Returns ``((left, top, right, bottom), scale)``
    with ``scale`` = box px per source px."""
    w, h = size
    bw, bh = box
    scale = max(bw / w, bh / h)
    cw, ch = bw / scale, bh / scale
    left = min(max(focus[0] * w - cw / 2, 0), w - cw)
    top = min(max(focus[1] * h - ch / 2, 0), h - ch)
    return (round(left), round(top), round(left + cw), round(top + ch)), scale


def _image_errors(shown: str, field_name: str):
    """A context manager turning Pillow's errors about the picture ``shown`` into
    :class:`PosterError` (the messages of :func:`open_image`)."""
    import contextlib
    import warnings

    from PIL import Image, UnidentifiedImageError

    @contextlib.contextmanager
    def guard():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)  # refuse, do not decode
                yield
        except FileNotFoundError:
            raise PosterError(field_name, {
                "zh": f"图片“{shown}”不存在；请检查路径（相对于 content/）",
                "ko": f"그림 '{shown}'이(가) 없습니다. 경로(content/ 기준)를 확인하세요",
                "en": f"image '{shown}' does not exist; check the path (relative to content/)"}) from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise PosterError(field_name, {
                "zh": f"图片“{shown}”像素过多，疑似解压炸弹（{exc}）；请换一张正常大小的图片",
                "ko": f"그림 '{shown}'의 화소 수가 너무 많아 압축 폭탄으로 보입니다({exc}). 보통 크기의 그림으로 바꾸세요",
                "en": f"image '{shown}' has too many pixels, a decompression bomb ({exc}); use a normal-sized picture"}) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise PosterError(field_name, {
                "zh": f"无法读取图片“{shown}”（{type(exc).__name__}）：文件已损坏或不是 JPEG/PNG；请重新导出图片",
                "ko": f"그림 '{shown}'을(를) 읽을 수 없습니다({type(exc).__name__}). 파일이 손상되었거나 JPEG/PNG가 아닙니다. 다시 내보내세요",
                "en": f"cannot read image '{shown}' ({type(exc).__name__}): the file is corrupt or not a JPEG/PNG; "
                      f"export it again"}) from None

    return guard()


def picture_source(path: str, label: str | None = None, field_name: str = "poster.image") -> dict[str, Any]:
    """Describe the picture at ``path`` from its header (nothing decoded): ``{"size": (w, h)``
    after EXIF orientation, ``"format"`` (``JPEG``, ``PNG`` ...), ``"mode"``, ``"transposed"``
    (an EXIF orientation other than 1), ``"label"``}.  Raises :class:`PosterError` for a missing
    file, one that is no picture, and a decompression bomb (more than ``MAX_IMAGE_PIXELS``).
    Damaged picture data is found when it is decoded (:func:`picture_pixels`: every poster
    decodes its picture for the preview) and raises the same :class:`PosterError`."""
    from PIL import Image

    with _image_errors(label or path, field_name), Image.open(path) as raw:
        orientation = raw.getexif().get(0x0112, 1)
        size = raw.size if orientation in (1, 2, 3, 4) else raw.size[::-1]
        return {"size": size, "format": raw.format, "mode": raw.mode, "transposed": orientation != 1,
                "label": label or path, "field": field_name}


def picture_pixels(path: str, crop: tuple[int, int, int, int], size: tuple[int, int], background: str | None = None,
                   label: str | None = None, field_name: str = "poster.image"):
    """The ``crop`` rectangle of the picture at ``path`` (source pixels, after EXIF orientation)
    resampled to ``size`` px, RGB.  A JPEG is decoded only at the scale needed (``draft``:
    1/2, 1/4 or 1/8).  Transparency is flattened onto ``background`` (#rrggbb, default white): a
    print PDF has no transparency (PDF/X-1a).  Raises :class:`PosterError` (naming ``label``)
    when the picture cannot be decoded (a truncated or damaged file)."""
    from PIL import Image

    with _image_errors(label or path, field_name):
        with Image.open(path) as raw:
            full = raw.size if raw.getexif().get(0x0112, 1) in (1, 2, 3, 4) else raw.size[::-1]
            factor = max(1.0, min((crop[2] - crop[0]) / size[0], (crop[3] - crop[1]) / size[1]))
            want = (math.ceil(raw.width / factor), math.ceil(raw.height / factor))
            scale_down = raw.width // want[0] if raw.format == "JPEG" else 1
        stat = os.stat(path)
        im = _decoded(path, stat.st_mtime_ns, stat.st_size, 8 if scale_down >= 8 else 4 if scale_down >= 4 else
                      2 if scale_down >= 2 else 1, (background or "#ffffff").lower())
        sx, sy = im.width / full[0], im.height / full[1]
        box = (crop[0] * sx, crop[1] * sy, crop[2] * sx, crop[3] * sy)
        scale = size[0] / (box[2] - box[0])
        return im.resize(size, Image.BICUBIC if scale >= 1 else Image.LANCZOS, box=box,
                         reducing_gap=2.0 if scale < 1 else None)


@functools.lru_cache(maxsize=2)
def _decoded(path: str, _mtime: int, _size: int, reduce: int, background: str):
    """The picture at ``path`` decoded at 1/``reduce`` of its size (a JPEG's DCT scaling), EXIF
    orientation applied, RGB (transparency flattened onto ``background``).  Cached for the
    next poster of the same picture in this process (the file's mtime and size are part of the
    key); a decoding error propagates."""
    from PIL import Image, ImageOps

    with Image.open(path) as im:
        if reduce > 1:
            im.draft("RGB", (math.ceil(im.width / reduce), math.ceil(im.height / reduce)))
        im.load()
        im = ImageOps.exif_transpose(im)
    if "A" in im.mode or "transparency" in im.info:
        rgba = im.convert("RGBA")
        im = Image.new("RGB", rgba.size, hex_rgb(background))
        im.paste(rgba, (0, 0), rgba)
    elif im.mode != "RGB":
        im = im.convert("RGB")
    return im


# ---------------------------------------------------------------------------------------------
# the scene


@dataclass
class Fill:
    """A filled rectangle ``box`` (layout px, left, top, right, bottom) in ``color`` (#rrggbb).
    ``role``: ``background``, ``rect`` (a template's colour area), ``quiet`` (a QR code's
    quiet zone), ``margin`` (a banner's white grommet margin) or ``mark`` (a crop mark:
    registration colour in CMYK)."""

    box: tuple[float, float, float, float]
    color: str
    role: str = "rect"


@dataclass
class Picture:
    """A picture clipped to ``box`` (layout px): ``crop`` (source px, after EXIF orientation)
    of the file ``path`` fills it.  ``kind``: ``image`` (the poster's picture) or ``logo``;
    ``source``: :func:`picture_source`; ``background``: the colour under it (a logo's
    transparency is flattened onto it)."""

    box: tuple[int, int, int, int]
    path: str
    crop: tuple[int, int, int, int]
    source: dict[str, Any]
    kind: str = "image"
    background: str = "#ffffff"

    @property
    def effective_dpi(self) -> float:
        """Source pixels per inch of print, given the layout dpi (set by :func:`render`)."""
        return (self.crop[2] - self.crop[0]) / (self.box[2] - self.box[0]) * self.layout_dpi

    layout_dpi: float = 300.0


@dataclass
class TextLine:
    """One line of text: ``text`` in ``face`` at ``size`` px per em, its pen at ``(x, baseline)``
    (layout px), ``color`` #rrggbb; ``ink``: the ink's bounding box; ``field``: which text
    (``headline`` ...); ``lang``: its language (HarfBuzz/raqm ``locl`` forms)."""

    field: str
    lang: str
    face: Any  # fonts.FontFace
    size: int
    x: float
    baseline: float
    text: str
    color: str
    ink: tuple[int, int, int, int]


@dataclass
class QRModules:
    """The dark modules of a QR code: ``matrix`` rows of booleans, each module ``module`` px,
    the first at ``(left, top)`` (layout px; the quiet zone is a :class:`Fill` before it)."""

    left: int
    top: int
    module: int
    matrix: tuple[tuple[bool, ...], ...]


@dataclass
class Scene:
    """A laid-out poster (see the module docstring) and what was placed where, for checks:
    ``text_boxes`` (field, ink box px), ``qr_box`` (the code with its quiet zone),
    ``qr_modules`` (per side, without quiet zone), ``qr_module_px``, ``image_dpi`` (the
    picture's effective resolution), ``warnings`` (:class:`PosterError`), ``sizes`` (field ->
    type size in mm of each language's lines, for the legibility rules)."""

    fmt: Format
    items: list[Any] = field(default_factory=list)
    text_boxes: list[tuple[str, tuple[int, int, int, int]]] = field(default_factory=list)
    qr_box: tuple[int, int, int, int] | None = None
    qr_modules: int = 0
    qr_module_px: int = 0
    image_dpi: float | None = None
    warnings: list[PosterError] = field(default_factory=list)
    sizes: dict[str, list[float]] = field(default_factory=dict)

    def mm(self, px: float) -> float:
        return px * MM_PER_INCH / self.fmt.dpi


def place_picture(scene: Scene, box: tuple[int, int, int, int], path: str, focus: tuple[float, float],
                  min_dpi: int | None, label: str | None = None, kind: str = "image", background: str = "#ffffff",
                  field_name: str = "poster.image") -> Picture:
    """Add the picture at ``path`` to ``scene``, filling ``box`` (layout px), cropped around
    ``focus`` (``object-fit: cover``); warn (``scene.warnings``) when its effective resolution
    is below ``min_dpi``.  Messages name it as ``label`` (as written in the front matter)."""
    source = picture_source(path, label, field_name)
    shown = label or path
    bw, bh = box[2] - box[0], box[3] - box[1]
    crop, scale = focal_crop(source["size"], (bw, bh), focus)
    fmt = scene.fmt
    picture = Picture(box, path, crop, source, kind, background, layout_dpi=fmt.dpi)
    if kind == "image":
        scene.image_dpi = fmt.dpi / scale
    width, height = source["size"]
    if min_dpi and fmt.dpi / scale < min_dpi - 0.5:
        dpi = fmt.dpi / scale
        need = math.ceil(width * min_dpi / dpi), math.ceil(height * min_dpi / dpi)
        width_mm, height_mm = bw * MM_PER_INCH / fmt.dpi, bh * MM_PER_INCH / fmt.dpi
        scene.warnings.append(PosterError(field_name, {
            "zh": f"图片“{shown}”（{width}×{height} 像素）印在 {fmt.key} 上只有 {dpi:.0f} dpi"
                  f"（图片区 {width_mm:.0f}×{height_mm:.0f} 毫米），低于 {min_dpi} dpi，印出来会发虚；"
                  f"请换一张至少 {need[0]}×{need[1]} 像素的图片",
            "ko": f"그림 '{shown}'({width}×{height}화소)은 {fmt.key}에 {dpi:.0f} dpi로 인쇄됩니다"
                  f"(그림 칸 {width_mm:.0f}×{height_mm:.0f} mm). {min_dpi} dpi보다 낮아 흐리게 나오니 "
                  f"{need[0]}×{need[1]}화소 이상인 그림으로 바꾸세요",
            "en": f"image '{shown}' ({width}x{height} px) prints at {dpi:.0f} dpi on {fmt.key} "
                  f"(picture area {width_mm:.0f}x{height_mm:.0f} mm), below {min_dpi} dpi; use a picture of at "
                  f"least {need[0]}x{need[1]} px"}))
    scene.items.append(picture)
    return picture


def contain(size: tuple[int, int], box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """The largest box of ``size``'s aspect ratio centred in ``box`` (``object-fit: contain``)."""
    bw, bh = box[2] - box[0], box[3] - box[1]
    scale = min(bw / size[0], bh / size[1])
    w, h = max(1, round(size[0] * scale)), max(1, round(size[1] * scale))
    left, top = box[0] + (bw - w) // 2, box[1] + (bh - h) // 2
    return left, top, left + w, top + h


# ---------------------------------------------------------------------------------------------
# QR code


@functools.lru_cache(maxsize=64)
def qr_matrix(url: str):
    """The QR code of ``url`` (segno): error correction level Q (25 % of the code may be
    damaged; ISO/IEC 18004 levels L < M < Q < H), the smallest version that holds it.
    Returns the segno QRCode."""
    import segno

    return segno.make(url, error="q", boost_error=False, micro=False)


def place_qr(scene: Scene, box: tuple[int, int, int, int], url: str) -> None:
    """The QR code of ``url`` centred in ``box`` (layout px), as large as whole layout pixels
    per module allow, with a white quiet zone of :data:`QUIET_ZONE` modules; the modules are
    vector squares in the PDF (pure K in CMYK)."""
    qr = qr_matrix(url)
    n = qr.symbol_size(border=0)[0]
    side = min(box[2] - box[0], box[3] - box[1])
    module = side // (n + 2 * QUIET_ZONE)
    total = module * (n + 2 * QUIET_ZONE)
    left = box[0] + (box[2] - box[0] - total) // 2
    top = box[1] + (box[3] - box[1] - total) // 2
    scene.items.append(Fill((left, top, left + total, top + total), "#ffffff", "quiet"))
    offset = module * QUIET_ZONE
    matrix = tuple(tuple(bool(dark) for dark in row) for row in qr.matrix)
    scene.items.append(QRModules(left + offset, top + offset, module, matrix))
    scene.qr_box = (left, top, left + total, top + total)
    scene.qr_modules, scene.qr_module_px = n, module


# ---------------------------------------------------------------------------------------------
# text


def _fit(text: str, lang: str, face, box: tuple[int, int, int, int], element: Element, sizes: tuple[int, int],
         field_name: str, fmt: Format, dictionary: str | None = None):
    """fit_text for one language in ``box``; its errors become :class:`PosterError`."""
    from .fonts import MissingGlyphs
    from .text import TextDoesNotFit, fit_text

    try:
        return fit_text(text, lang, face, box[2] - box[0], box[3] - box[1], sizes[0], max(sizes), element.line_spacing,
                        element.max_lines, field=field_name, balance=element.balanced,
                        words=element.balanced, dictionary=dictionary)
    except MissingGlyphs as exc:
        def strip(text: str) -> str:  # the field is named in front of the line already
            return re.sub(rf"^{re.escape(field_name)}\s*[:：]\s*", "", text)

        raise PosterError(field_name, {code: strip(exc.message(code)) for code in ("zh", "ko", "en")},
                          lang) from None
    except TextDoesNotFit as exc:
        mm = lambda px: px * MM_PER_INCH / fmt.dpi  # noqa: E731
        w, h = mm(box[2] - box[0]), mm(box[3] - box[1])
        smallest = mm(sizes[0])
        raise PosterError(field_name, {
            "zh": f"文字在 {fmt.key} 的 {w:.0f}×{h:.0f} 毫米文字框中，用最小字号（{smallest:.1f} 毫米）也放不下；请缩短文字",
            "ko": f"글이 {fmt.key}의 {w:.0f}×{h:.0f} mm 글상자에 가장 작은 글자 크기({smallest:.1f} mm)로도 들어가지 않습니다. 글을 줄이세요",
            "en": f"the text does not fit the {w:.0f}x{h:.0f} mm box on {fmt.key} even at the smallest size "
                  f"({smallest:.1f} mm); shorten it ({exc})"}, lang) from None


def element_text(element: Element, text: PosterText, captions: dict[str, str]) -> str:
    """What a text ``element`` shows in ``text``'s language: the field's value (points one per
    line after the bullet; ``qr_caption`` from the template's ``captions``) after the label, or
    ``""`` when the field is empty."""
    name = element.field
    value = captions.get(text.lang, "") if name == "qr_caption" else text.get(name)
    if name == "points" and text.points:
        value = "\n".join(element.bullet + p for p in text.points)
    if not value:
        return ""
    return element.label.get(text.lang, "") + value


def fit_element(template: Template, element: Element, fmt: Format, texts: list[PosterText], second_scale: float,
                captions: dict[str, str], cap_px: list[int] | None = None) -> list[tuple[PosterText, tuple[int, int, int, int], Any]]:
    """Fit one text element in every language of ``texts`` (one: the whole box; two: stacked,
    the first language's part ``1 : second_scale`` larger): ``[(text, box px, FittedText)]``,
    empty texts left out.  ``cap_px``: the largest size per language position (the date line's
    sizes: no other text but the headline may be larger than the date).  Raises
    :class:`PosterError`."""
    from .fonts import FontNotFound, find_face
    from .text import fit_text

    name = element.field
    words_file = template.path.parent / "words.txt"  # jieba user dictionary: keep these words whole
    dictionary = str(words_file) if words_file.is_file() else None
    parts = [(t, value) for t in texts if (value := element_text(element, t, captions))]
    if not parts:
        return []
    box = element_px(template, element, fmt)
    scale = template.type_scale(fmt)
    px = lambda mm: max(1, round(mm * scale * fmt.dpi / MM_PER_INCH))  # noqa: E731
    weights = [1.0] + [second_scale] * (len(parts) - 1)
    height = box[3] - box[1]
    gap = round(height * BILINGUAL_GAP) if len(parts) > 1 else 0
    usable = height - gap * (len(parts) - 1)
    boxes, y = [], box[1]
    for w in weights:
        h = round(usable * w / sum(weights))
        boxes.append((box[0], y, box[2], y + h))
        y += h + gap
    fitted = []
    for i, ((t, value), sub, w) in enumerate(zip(parts, boxes, weights)):
        try:
            face = find_face(t.lang, element.family, element.weight)
        except FontNotFound as exc:
            raise PosterError(f"poster.{name}", {"zh": str(exc), "ko": str(exc), "en": str(exc)}) from None
        low, high = px(element.size[0] * min(w, 1.0)), px(element.size[1] * w)
        if cap_px and i < len(cap_px):
            high = max(low, min(high, cap_px[i]))
        fitted.append(_fit(value, t.lang, face, sub, element, (min(low, high), max(low, high)), f"poster.{name}", fmt,
                           dictionary))
    if len(fitted) == 2 and fitted[0] and fitted[1]:
        # keep the set ratio between the languages: the second at most second_scale x the first
        first, second = fitted
        want_second = max(1, math.floor(first.size_px * second_scale))
        if second.size_px > want_second:
            (t, value), sub = parts[1], boxes[1]
            fitted[1] = fit_text(value, t.lang, second.face, sub[2] - sub[0], sub[3] - sub[1],
                                 min(want_second, second.size_px), want_second, element.line_spacing,
                                 element.max_lines, field=f"poster.{name}", balance=element.balanced,
                                 words=element.balanced, dictionary=dictionary)
        elif second_scale > 0 and second.size_px < want_second:
            want_first = max(1, math.floor(second.size_px / second_scale))
            if want_first < first.size_px:
                (t, value), sub = parts[0], boxes[0]
                fitted[0] = fit_text(value, t.lang, first.face, sub[2] - sub[0], sub[3] - sub[1],
                                     want_first, want_first, element.line_spacing, element.max_lines,
                                     field=f"poster.{name}", balance=element.balanced,
                                     words=element.balanced, dictionary=dictionary)
    if len(parts) == 2 and element.valign == "middle":
        # centre the pair as one block instead of each in its half
        total = fitted[0].height_px + gap + fitted[1].height_px
        top = box[1] + (height - total) // 2
        boxes = [(box[0], top, box[2], top + fitted[0].height_px),
                 (box[0], top + fitted[0].height_px + gap, box[2], top + total)]
    return [(t, sub, fit) for (t, _value), sub, fit in zip(parts, boxes, fitted)]


def place_text_element(scene: Scene, element: Element, fitted: list[tuple[PosterText, tuple[int, int, int, int], Any]]) -> None:
    """Add the lines of a fitted text element to ``scene``."""
    from .text import place_text

    two = len(fitted) == 2
    valign = "top" if two and element.valign == "middle" else element.valign
    sizes = scene.sizes.setdefault(element.field, [])
    for t, sub, fit in fitted:
        sizes.append(round(scene.mm(fit.size_px), 2))
        for x, baseline, line, ink in place_text(sub, fit, t.lang, element.align, valign):
            if not line.strip():
                continue
            scene.items.append(TextLine(element.field, t.lang, fit.face, fit.size_px, x, baseline, line,
                                        element.color, ink))
            scene.text_boxes.append((element.field, ink))


# ---------------------------------------------------------------------------------------------
# the whole poster


def render(fmt: Format, template: Template, texts: list[PosterText], url: str, image: str | None,
           focus: tuple[float, float] = (0.5, 0.5), second_scale: float = 0.75, min_dpi: int = 150,
           image_label: str | None = None, logo: str | None = None, logo_label: str | None = None) -> Scene:
    """Lay one poster out (see the module docstring).

    ``texts``: one :class:`PosterText` per language, in the order they appear (bilingual: two);
    ``url``: what the QR code holds; ``image``: the picture's file path (``None``: the template's
    picture area keeps the background colour); ``focus``: its focal point (x, y in 0..1);
    ``second_scale``: type size of the second language relative to the first; ``min_dpi``: below
    this effective resolution the picture gets a warning; ``image_label``: the picture's path as
    the front matter gives it (relative to content/), used in messages; ``logo``: the emblem or
    logo file shown in the template's ``logo`` box (``None``: the box stays empty).  Raises
    :class:`PosterError`.
    """
    scene = Scene(fmt)
    W, H = fmt.media_px
    b = fmt.px(fmt.slug)
    scene.items.append(Fill((b, b, W - b, H - b), template.background, "background"))
    captions = template.texts.get("qr_caption", {})
    # fit the date line first: no text but the headline may be larger than the date
    fitted: dict[int, list] = {}
    cap: list[int] | None = None
    for element in template.elements:
        if element.kind == "text" and element.field == "when":
            fitted[element.index] = fit_element(template, element, fmt, texts, second_scale, captions)
            cap = cap or [fit.size_px for _t, _box, fit in fitted[element.index]] or None
    for element in template.elements:
        if element.kind == "text" and element.index not in fitted:
            limit = cap if element.field not in ("headline", "when") else None
            fitted[element.index] = fit_element(template, element, fmt, texts, second_scale, captions, limit)
    for element in template.elements:
        if element.kind == "rect":
            scene.items.append(Fill(element_px(template, element, fmt), element.color, "rect"))
        elif element.kind == "image":
            if image:
                place_picture(scene, element_px(template, element, fmt), image, focus, min_dpi, image_label)
        elif element.kind == "logo":
            if logo:
                box = element_px(template, element, fmt)
                source = picture_source(logo, logo_label, "POSTERS_LOGO")
                inner = contain(source["size"], box)
                place_picture(scene, inner, logo, (0.5, 0.5), None, logo_label, "logo",
                              _colour_under(scene, inner), "POSTERS_LOGO")
        elif element.kind == "qr":
            place_qr(scene, element_px(template, element, fmt), url)
        else:
            place_text_element(scene, element, fitted[element.index])
    if fmt.white_margin:
        tl, tt, tr, tb = fmt.trim_px()
        m = fmt.px(fmt.white_margin)
        for box in ((tl, tt, tr, tt + m), (tl, tb - m, tr, tb), (tl, tt + m, tl + m, tb - m), (tr - m, tt + m, tr, tb - m)):
            scene.items.append(Fill(box, "#ffffff", "margin"))
    for mark in crop_marks(fmt):
        scene.items.append(Fill(mark, "#000000", "mark"))
    return scene


def _colour_under(scene: Scene, box: tuple[int, int, int, int]) -> str:
    """The colour of the last fill that covers ``box`` (what a logo's transparency shows)."""
    for item in reversed(scene.items):
        if isinstance(item, Fill) and item.box[0] <= box[0] and item.box[1] <= box[1] and \
                item.box[2] >= box[2] and item.box[3] >= box[3]:
            return item.color
    return "#ffffff"


def crop_marks(fmt: Format) -> list[tuple[int, int, int, int]]:
    """Crop-mark lines as layout-pixel rectangles ``(left, top, right, bottom)``: at each corner
    two marks on the trim lines, in the slug only (they start 2 mm outside the bleed, so they
    never reach into the printed area)."""
    length, width = fmt.px(CROP_MARK_MM[0]), max(1, fmt.px(CROP_MARK_MM[1]))
    W, H = fmt.media_px
    tl, tt, tr, tb = fmt.trim_px()
    gap = fmt.px(fmt.bleed + 2)
    out = []
    for x in (tl, tr):
        for y_edge, direction in ((tt, -1), (tb, 1)):
            # vertical mark above/below the corner, on the trim line x
            y0 = y_edge + direction * gap
            y1 = y0 + direction * length
            out.append((x - width // 2, min(y0, y1), x - width // 2 + width, max(y0, y1)))
    for y in (tt, tb):
        for x_edge, direction in ((tl, -1), (tr, 1)):
            x0 = x_edge + direction * gap
            x1 = x0 + direction * length
            out.append((min(x0, x1), y - width // 2, max(x0, x1), y - width // 2 + width))
    return [(max(0, a), max(0, b_), min(W, c), min(H, d)) for a, b_, c, d in out]


# ---------------------------------------------------------------------------------------------
# the PNG preview


def preview(scene: Scene, height: int = 1200):
    """The trimmed poster (no bleed, no slug) drawn from ``scene`` with Pillow, ``height`` px
    high, for the web page: the same items, lines and places as the PDF (text through raqm
    with the same faces, sizes scaled)."""
    from PIL import Image, ImageDraw

    from .fonts import load_font
    from .text import lang_tag

    fmt = scene.fmt
    tl, tt, tr, tb = fmt.trim_px()
    k = height / (tb - tt)
    width = max(1, round((tr - tl) * k))
    out = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(out)

    def box(b) -> tuple[float, float, float, float]:
        return (b[0] - tl) * k, (b[1] - tt) * k, (b[2] - tl) * k, (b[3] - tt) * k

    for item in scene.items:
        if isinstance(item, Fill):
            if item.role == "mark":
                continue
            x0, y0, x1, y1 = box(item.box)
            if x1 <= 0 or y1 <= 0 or x0 >= width or y0 >= height:
                continue
            draw.rectangle((round(x0), round(y0), round(x1) - 1, round(y1) - 1), fill=hex_rgb(item.color))
        elif isinstance(item, Picture):
            x0, y0, x1, y1 = box(item.box)
            # the picture's pixels for the part of its box inside the trim
            cx0, cy0, cx1, cy1 = max(0.0, x0), max(0.0, y0), min(float(width), x1), min(float(height), y1)
            if cx1 - cx0 < 1 or cy1 - cy0 < 1:
                continue
            sx = (item.crop[2] - item.crop[0]) / (x1 - x0)
            sy = (item.crop[3] - item.crop[1]) / (y1 - y0)
            crop = (round(item.crop[0] + (cx0 - x0) * sx), round(item.crop[1] + (cy0 - y0) * sy),
                    round(item.crop[0] + (cx1 - x0) * sx), round(item.crop[1] + (cy1 - y0) * sy))
            size = (max(1, round(cx1) - round(cx0)), max(1, round(cy1) - round(cy0)))
            out.paste(picture_pixels(item.path, crop, size, item.background, item.source["label"],
                                     item.source["field"]), (round(cx0), round(cy0)))
        elif isinstance(item, TextLine):
            font = load_font(item.face, item.size * k)
            draw.text(((item.x - tl) * k, (item.baseline - tt) * k), item.text, font=font, fill=hex_rgb(item.color),
                      anchor="ls", language=lang_tag(item.lang))
        elif isinstance(item, QRModules):
            m = item.module * k
            for r, row in enumerate(item.matrix):
                for c, dark in enumerate(row):
                    if dark:
                        x0, y0 = (item.left - tl) * k + c * m, (item.top - tt) * k + r * m
                        draw.rectangle((round(x0), round(y0), round(x0 + m) - 1, round(y0 + m) - 1), fill=(0, 0, 0))
    return out
