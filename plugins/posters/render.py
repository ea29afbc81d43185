"""The poster raster: background, picture (focal-point crop), text boxes, QR code, crop marks.

The raster covers the whole PDF page at the format's dpi: trim + bleed on every side + a white
slug (:attr:`Format.slug`) that holds the crop marks.  It is kept in two layers so the print
file can be separated properly:

* ``colour``: an RGB image with everything except pure-black ink (background, picture, colour
  bands, coloured text, the QR code's white quiet zone);
* ``black``: an "L" coverage mask of what prints in black ink only (black text, QR modules).

:func:`flatten_rgb` lays the black over the colour layer for the RGB PDF and the preview;
:mod:`.cmyk` converts the colour layer through an ICC profile and lays the black on as K only.
"""

from __future__ import annotations

import math
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

    def get(self, name: str) -> str:
        value = getattr(self, name, "")
        return "\n".join(value) if isinstance(value, list) else value


@dataclass
class Raster:
    """The rendered layers and what was drawn where (pixel boxes on the raster, for checks)."""

    colour: Any  # PIL.Image.Image, RGB
    black: Any  # PIL.Image.Image, L: coverage of black-only ink
    fmt: Format
    text_boxes: list[tuple[str, tuple[int, int, int, int]]] = field(default_factory=list)
    qr_box: tuple[int, int, int, int] | None = None  # the code with its quiet zone
    qr_modules: int = 0  # modules per side, without quiet zone
    qr_module_px: int = 0
    image_dpi: float | None = None  # effective resolution of the picture
    warnings: list[PosterError] = field(default_factory=list)


def hex_rgb(value: str) -> tuple[int, int, int]:
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def element_px(template: Template, element: Element, fmt: Format) -> tuple[int, int, int, int]:
    """Raster pixel box ``(left, top, right, bottom)`` of ``element`` on ``fmt``, with its
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


def paste_picture(raster: Raster, box: tuple[int, int, int, int], path: str, focus: tuple[float, float],
                  min_dpi: int, label: str | None = None) -> None:
    """Paste the picture at ``path`` into ``box`` (raster px), cropped around ``focus``; warn
    (in ``raster.warnings``) when its effective resolution is below ``min_dpi``.  Messages name
    the picture as ``label`` (as written in the front matter), default ``path``."""
    from PIL import Image

    im = open_image(path, label=label)
    shown = label or path
    bw, bh = box[2] - box[0], box[3] - box[1]
    crop, scale = focal_crop(im.size, (bw, bh), focus)
    fmt = raster.fmt
    raster.image_dpi = fmt.dpi / scale
    if raster.image_dpi < min_dpi - 0.5:
        need = math.ceil(im.width * min_dpi / raster.image_dpi), math.ceil(im.height * min_dpi / raster.image_dpi)
        width_mm, height_mm = bw * MM_PER_INCH / fmt.dpi, bh * MM_PER_INCH / fmt.dpi
        raster.warnings.append(PosterError("poster.image", {
            "zh": f"图片“{shown}”（{im.width}×{im.height} 像素）印在 {fmt.key} 上只有 {raster.image_dpi:.0f} dpi"
                  f"（图片区 {width_mm:.0f}×{height_mm:.0f} 毫米），低于 {min_dpi} dpi，印出来会发虚；"
                  f"请换一张至少 {need[0]}×{need[1]} 像素的图片",
            "ko": f"그림 '{shown}'({im.width}×{im.height}화소)은 {fmt.key}에 {raster.image_dpi:.0f} dpi로 인쇄됩니다"
                  f"(그림 칸 {width_mm:.0f}×{height_mm:.0f} mm). {min_dpi} dpi보다 낮아 흐리게 나오니 "
                  f"{need[0]}×{need[1]}화소 이상인 그림으로 바꾸세요",
            "en": f"image '{shown}' ({im.width}x{im.height} px) prints at {raster.image_dpi:.0f} dpi on {fmt.key} "
                  f"(picture area {width_mm:.0f}x{height_mm:.0f} mm), below {min_dpi} dpi; use a picture of at "
                  f"least {need[0]}x{need[1]} px"}))
    region = im.crop(crop)
    resample = Image.BICUBIC if scale >= 1 else Image.LANCZOS
    region = region.resize((bw, bh), resample, reducing_gap=2.0 if scale < 1 else None)
    raster.colour.paste(region, box[:2])


# ---------------------------------------------------------------------------------------------
# QR code


def qr_matrix(url: str):
    """The QR code of ``url`` (segno): error correction level Q (25 % of the code may be
    damaged; ISO/IEC 18004 levels L < M < Q < H), the smallest version that holds it.
    Returns the segno QRCode."""
    import segno

    return segno.make(url, error="q", boost_error=False, micro=False)


def draw_qr(raster: Raster, box: tuple[int, int, int, int], url: str) -> None:
    """Draw the QR code of ``url`` centred in ``box`` (raster px), as large as whole pixels per
    module allow, with a white quiet zone of :data:`QUIET_ZONE` modules in the colour layer and
    the dark modules in the black layer (pixel-exact squares, no resampling)."""
    from PIL import Image, ImageDraw

    qr = qr_matrix(url)
    n = qr.symbol_size(border=0)[0]
    side = min(box[2] - box[0], box[3] - box[1])
    module = side // (n + 2 * QUIET_ZONE)
    total = module * (n + 2 * QUIET_ZONE)
    left = box[0] + (box[2] - box[0] - total) // 2
    top = box[1] + (box[3] - box[1] - total) // 2
    ImageDraw.Draw(raster.colour).rectangle((left, top, left + total - 1, top + total - 1), fill=(255, 255, 255))
    small = Image.new("L", (n, n), 0)
    small.putdata([255 if dark else 0 for row in qr.matrix for dark in row])
    modules = small.resize((n * module, n * module), Image.NEAREST)
    offset = module * QUIET_ZONE
    raster.black.paste(modules, (left + offset, top + offset))
    raster.qr_box = (left, top, left + total, top + total)
    raster.qr_modules, raster.qr_module_px = n, module


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


def draw_text_element(raster: Raster, template: Template, element: Element, texts: list[PosterText],
                      second_scale: float, captions: dict[str, str]) -> None:
    """Fit and draw one text element in every language of ``texts`` (one: the whole box; two:
    stacked, the first language's part ``1 : second_scale`` larger).  Empty texts are skipped."""
    from PIL import Image, ImageDraw

    from .fonts import FontNotFound, find_face
    from .text import draw_text

    fmt = raster.fmt
    name = element.field
    words_file = template.path.parent / "words.txt"  # jieba user dictionary: keep these words whole
    dictionary = str(words_file) if words_file.is_file() else None
    parts = [(t, value) for t in texts if (value := element_text(element, t, captions))]
    if not parts:
        return
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
    for (t, value), sub, w in zip(parts, boxes, weights):
        try:
            face = find_face(t.lang, element.family, element.weight)
        except FontNotFound as exc:
            raise PosterError(f"poster.{name}", {"zh": str(exc), "ko": str(exc), "en": str(exc)}) from None
        sizes = (px(element.size[0] * min(w, 1.0)), px(element.size[1] * w))
        fitted.append(_fit(value, t.lang, face, sub, element, (min(sizes), max(sizes)), f"poster.{name}", fmt,
                           dictionary))
    if len(fitted) == 2 and fitted[0] and fitted[1]:
        # keep the set ratio between the languages: the second at most second_scale x the first
        from .text import fit_text

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
    black = element.black
    for (t, _value), sub, fit in zip(parts, boxes, fitted):
        w, h = sub[2] - sub[0], sub[3] - sub[1]
        mask = Image.new("L", (w, h), 0)
        valign = "top" if len(parts) == 2 and element.valign == "middle" else element.valign
        drawn = draw_text(ImageDraw.Draw(mask), (0, 0, w, h), fit, t.lang, 255, element.align, valign)
        if black:
            raster.black.paste(255, sub[:2] + (sub[0] + w, sub[1] + h), mask)
        else:
            raster.colour.paste(hex_rgb(element.color), sub[:2] + (sub[0] + w, sub[1] + h), mask)
        for x0, y0, x1, y1 in drawn:
            raster.text_boxes.append((name, (x0 + sub[0], y0 + sub[1], x1 + sub[0], y1 + sub[1])))


# ---------------------------------------------------------------------------------------------
# the whole poster


def render(fmt: Format, template: Template, texts: list[PosterText], url: str, image: str | None,
           focus: tuple[float, float] = (0.5, 0.5), second_scale: float = 0.75, min_dpi: int = 150,
           image_label: str | None = None) -> Raster:
    """Render one poster.

    ``texts``: one :class:`PosterText` per language, in the order they appear (bilingual: two);
    ``url``: what the QR code holds; ``image``: the picture's file path (``None``: the template's
    picture area keeps the background colour); ``focus``: its focal point (x, y in 0..1);
    ``second_scale``: type size of the second language relative to the first; ``min_dpi``: below
    this effective resolution the picture gets a warning; ``image_label``: the picture's path as
    the front matter gives it (relative to content/), used in messages.  Raises
    :class:`PosterError`.
    """
    from PIL import Image, ImageDraw

    size = fmt.media_px
    colour = Image.new("RGB", size, (255, 255, 255))
    black = Image.new("L", size, 0)
    raster = Raster(colour, black, fmt)
    b = fmt.px(fmt.slug)
    bleed_box = (b, b, size[0] - b, size[1] - b)
    ImageDraw.Draw(colour).rectangle((bleed_box[0], bleed_box[1], bleed_box[2] - 1, bleed_box[3] - 1),
                                     fill=hex_rgb(template.background))
    captions = template.texts.get("qr_caption", {})
    for element in template.elements:
        if element.kind == "rect":
            x0, y0, x1, y1 = element_px(template, element, fmt)
            ImageDraw.Draw(colour).rectangle((x0, y0, x1 - 1, y1 - 1), fill=hex_rgb(element.color))
        elif element.kind == "image":
            if image:
                paste_picture(raster, element_px(template, element, fmt), image, focus, min_dpi, image_label)
        elif element.kind == "qr":
            draw_qr(raster, element_px(template, element, fmt), url)
        else:
            draw_text_element(raster, template, element, texts, second_scale, captions)
    return raster


def crop_marks(fmt: Format) -> list[tuple[int, int, int, int]]:
    """Crop-mark lines as raster rectangles ``(left, top, right, bottom)``: at each corner two
    marks on the trim lines, in the slug only (they start 2 mm outside the bleed, so they never
    reach into the printed area)."""
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


def flatten_rgb(raster: Raster):
    """The RGB print image: colour layer, black ink over it, crop marks in the slug.  Works in
    place on ``raster.colour`` (an A2 raster is 150 MB: no copy); make the CMYK separation
    first when both are wanted."""
    from PIL import ImageDraw

    out = raster.colour
    out.paste((0, 0, 0), (0, 0) + out.size, raster.black)
    draw = ImageDraw.Draw(out)
    for x0, y0, x1, y1 in crop_marks(raster.fmt):
        draw.rectangle((x0, y0, x1 - 1, y1 - 1), fill=(0, 0, 0))
    return out


def preview(rgb, fmt: Format, height: int = 1200):
    """The trimmed poster (no bleed, no slug) scaled to ``height`` px for the web page."""
    from PIL import Image

    box = fmt.trim_px()
    factor = max(1, (box[3] - box[1]) // (height * 2))
    small = rgb.reduce(factor, box)  # reduce() crops too: no full-size copy
    width = max(1, round(small.width * height / small.height))
    return small.resize((width, height), Image.LANCZOS)
