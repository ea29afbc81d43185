"""Poster templates: layouts as data (``themes/<theme>/posters/<name>.yaml``).

A template is drawn at a ``base`` size (mm) and lists the formats it suits; on another format it
is stretched to that format's trim size (x by the width ratio, y by the height ratio, type
sizes by the smaller ratio).  Elements, painted in order::

    - {kind: rect,   box: [x, y, w, h], color: "#c8102e", bleed: [top, left, right]}
    - {kind: image,  box: [...], bleed: true}              # the poster image, focal-point crop
    - {kind: text,   field: headline, box: [...], color: "#000000", size: [min_mm, max_mm],
       font: {family: sans, weight: bold}, align: left, valign: top, max_lines: 3,
       line_spacing: 1.2, label: {zh: "时间", ko: "일시"}, balance: true}
    - {kind: qr,     box: [...]}                            # square code, centred, 4-module quiet zone
    - {kind: logo,   box: [...]}                            # the emblem/logo (POSTERS_LOGO), fitted

Text fields: ``headline``, ``subline``, ``points``, ``when``, ``where``, ``organizer``,
``organizers`` (the 主办/承办 lines), ``sitename``, ``qr_caption``.

Legibility rules (checked when a template is loaded, per format it lists): each text field is a
*role* read from a share of the format's viewing distance (:data:`ROLES`); its smallest type
size must give letters (the ideographic character face, :func:`.fonts.character_face`) of at
least 2.5 mm per metre of that distance (:meth:`.formats.Format.min_letter_mm`), in the second
language of a bilingual poster too (at ``POSTERS_BILINGUAL_SCALE``).  The date line is the
second-largest text: its smallest and largest sizes are at least those of every other text but
the headline (and :func:`.render.render` never sets another text larger than the date).
A violation is a :class:`DataError` naming the file and the element.  Boxes are mm from the trim's top-left corner; ``bleed`` stretches
the named edges (``true``: all) of a rect or image that touch the trim out to the bleed edge.
Black (``#000000``) text prints as pure K in CMYK output.  Every text and QR box must lie inside
each listed format's safe margin and outside its no-text strips: :func:`load_template` checks.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any

from .formats import EDGES, DataError, Format

KINDS = ("rect", "image", "text", "qr", "logo")
TEXT_FIELDS = ("headline", "subline", "points", "when", "where", "organizer", "organizers", "sitename", "qr_caption")
# Legibility roles: from which share of the viewing distance each text is read ("scan": from the
# QR code's scan distance, as one reads it when scanning).  See formats.yaml for the rule.
ROLES: dict[str, tuple[float, bool]] = {
    "headline": (2.0, False), "when": (1.25, False), "where": (1.0, False), "subline": (1.0, False),
    "points": (1.0, False), "organizer": (1.0, False), "organizers": (1.0, False),
    "sitename": (1.0, True), "qr_caption": (1.0, True),
}
DEFAULT_SECOND_SCALE = 0.75  # POSTERS_BILINGUAL_SCALE's default
FAMILIES = ("sans", "serif")
WEIGHTS = ("regular", "medium", "bold", "black")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
TOLERANCE_MM = 0.5


@dataclass(frozen=True)
class Element:
    """One element of a template (see the module docstring); ``box`` in base mm."""

    kind: str
    box: tuple[float, float, float, float]
    index: int
    field: str = ""
    color: str = "#000000"
    bleed: tuple[str, ...] = ()
    size: tuple[float, float] = (5.0, 20.0)
    family: str = "sans"
    weight: str = "regular"
    align: str = "left"
    valign: str = "top"
    max_lines: int | None = None
    line_spacing: float = 1.25
    label: dict[str, str] = dc_field(default_factory=dict)
    bullet: str = "●"
    balance: bool | None = None  # even out the lines (CSS text-wrap: balance); default: headlines

    @property
    def balanced(self) -> bool:
        """Whether the lines are evened out: ``balance`` if set, else true for the headline (no
        lone character on a headline's last line)."""
        return self.field == "headline" if self.balance is None else self.balance

    @property
    def black(self) -> bool:
        """Printed as pure black (K only) in CMYK output."""
        return self.color.lower() == "#000000"


@dataclass(frozen=True)
class Template:
    """A loaded template; ``texts`` are fixed captions per language (e.g. ``qr_caption``)."""

    name: str
    path: Path
    base: tuple[float, float]
    formats: tuple[str, ...]
    background: str
    elements: tuple[Element, ...]
    texts: dict[str, dict[str, str]]
    digest: str

    def scale(self, fmt: Format) -> tuple[float, float]:
        """``(sx, sy)``: base mm -> this format's mm."""
        return fmt.width / self.base[0], fmt.height / self.base[1]

    def box_mm(self, element: Element, fmt: Format) -> tuple[float, float, float, float]:
        """The element's box on ``fmt`` as ``(x0, y0, x1, y1)`` trim mm (bleed not applied)."""
        sx, sy = self.scale(fmt)
        x, y, w, h = element.box
        return x * sx, y * sy, (x + w) * sx, (y + h) * sy

    def type_scale(self, fmt: Format) -> float:
        return min(self.scale(fmt))


def _color(path: Path, key: str, value: Any) -> str:
    if not isinstance(value, str) or not _COLOR.match(value):
        raise DataError(path, key, f"must be a colour written #rrggbb, not {value!r}")
    return value.lower()


def _box(path: Path, key: str, value: Any, base: tuple[float, float]) -> tuple[float, float, float, float]:
    if not (isinstance(value, list) and len(value) == 4 and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                              for v in value)):
        raise DataError(path, key, "must be [x, y, width, height] in mm")
    x, y, w, h = (float(v) for v in value)
    if w <= 0 or h <= 0 or x < 0 or y < 0 or x + w > base[0] + TOLERANCE_MM or y + h > base[1] + TOLERANCE_MM:
        raise DataError(path, key, f"[{x:g}, {y:g}, {w:g}, {h:g}] must lie inside the base size "
                                   f"{base[0]:g} x {base[1]:g} mm with a positive width and height")
    return x, y, w, h


def _element(path: Path, index: int, raw: Any, base: tuple[float, float]) -> Element:
    key = f"elements[{index}]"
    if not isinstance(raw, dict):
        raise DataError(path, key, "must be a mapping with kind and box")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise DataError(path, f"{key}.kind", f"must be one of {', '.join(KINDS)}, not {kind!r}")
    allowed = {"kind", "box", "bleed", "color"} if kind in ("rect", "image") else \
        {"kind", "box"} if kind in ("qr", "logo") else \
        {"kind", "box", "field", "color", "size", "font", "align", "valign", "max_lines", "line_spacing", "label",
         "bullet", "balance"}
    unknown = set(raw) - allowed
    if unknown:
        raise DataError(path, f"{key}.{sorted(unknown)[0]}", f"not a key of a {kind} element; use {', '.join(sorted(allowed))}")
    kw: dict[str, Any] = {"kind": kind, "index": index, "box": _box(path, f"{key}.box", raw.get("box"), base)}
    if "color" in raw:
        kw["color"] = _color(path, f"{key}.color", raw["color"])
    elif kind == "rect":
        raise DataError(path, f"{key}.color", "a rect needs a colour (#rrggbb)")
    if "bleed" in raw:
        bleed = raw["bleed"]
        if bleed is True:
            bleed = list(EDGES)
        if not isinstance(bleed, list) or set(bleed) - set(EDGES):
            raise DataError(path, f"{key}.bleed", "must be true or a list of top, bottom, left, right")
        kw["bleed"] = tuple(bleed)
    if kind == "text":
        name = raw.get("field")
        if name not in TEXT_FIELDS:
            raise DataError(path, f"{key}.field", f"must be one of {', '.join(TEXT_FIELDS)}, not {name!r}")
        kw["field"] = name
        size = raw.get("size", [5, 20])
        if not (isinstance(size, list) and len(size) == 2 and all(isinstance(v, (int, float)) for v in size)
                and 1 <= size[0] <= size[1] <= 2000):
            raise DataError(path, f"{key}.size", "must be [smallest, largest] type size in mm (em), smallest >= 1")
        kw["size"] = (float(size[0]), float(size[1]))
        font = raw.get("font", {}) or {}
        if not isinstance(font, dict) or set(font) - {"family", "weight"}:
            raise DataError(path, f"{key}.font", "must be {family: sans|serif, weight: regular|medium|bold|black}")
        if font.get("family", "sans") not in FAMILIES:
            raise DataError(path, f"{key}.font.family", f"must be one of {', '.join(FAMILIES)}")
        if font.get("weight", "regular") not in WEIGHTS:
            raise DataError(path, f"{key}.font.weight", f"must be one of {', '.join(WEIGHTS)}")
        kw["family"], kw["weight"] = font.get("family", "sans"), font.get("weight", "regular")
        if raw.get("align", "left") not in ("left", "center", "right"):
            raise DataError(path, f"{key}.align", "must be left, center or right")
        if raw.get("valign", "top") not in ("top", "middle", "bottom"):
            raise DataError(path, f"{key}.valign", "must be top, middle or bottom")
        kw["align"], kw["valign"] = raw.get("align", "left"), raw.get("valign", "top")
        if "max_lines" in raw:
            if not isinstance(raw["max_lines"], int) or raw["max_lines"] < 1:
                raise DataError(path, f"{key}.max_lines", "must be a positive whole number")
            kw["max_lines"] = raw["max_lines"]
        if "balance" in raw:
            if not isinstance(raw["balance"], bool):
                raise DataError(path, f"{key}.balance", "must be true or false")
            kw["balance"] = raw["balance"]
        if "line_spacing" in raw:
            if not isinstance(raw["line_spacing"], (int, float)) or not 0.9 <= raw["line_spacing"] <= 3:
                raise DataError(path, f"{key}.line_spacing", "must be a number from 0.9 to 3 (line height in ems)")
            kw["line_spacing"] = float(raw["line_spacing"])
        if "label" in raw:
            if not isinstance(raw["label"], dict) or not all(isinstance(v, str) for v in raw["label"].values()):
                raise DataError(path, f"{key}.label", "must map languages to a label: {zh: 时间, ko: 일시}")
            kw["label"] = {str(k): v for k, v in raw["label"].items()}
        if "bullet" in raw:
            kw["bullet"] = str(raw["bullet"])
    return Element(**kw)


def letter_ratio(element: Element) -> float:
    """Letter height per em of ``element``'s face (the smaller of the SC and KR faces)."""
    from .fonts import FontNotFound, character_face, find_face

    try:
        return min(character_face(find_face(lang, element.family, element.weight)) for lang in ("zh", "ko"))
    except (FontNotFound, OSError, KeyError, AttributeError):
        return 0.88


def check_legibility(template: Template, fmt: Format, second_scale: float = DEFAULT_SECOND_SCALE) -> None:
    """Raise :class:`DataError` when a text element's smallest size on ``fmt`` gives letters
    below its role's minimum (:data:`ROLES`, :meth:`Format.min_letter_mm`; the second language
    of a bilingual poster at ``second_scale``), or when the date line is not the second-largest
    text.  Names the file and the element."""
    texts = [e for e in template.elements if e.kind == "text"]
    scale = template.type_scale(fmt)
    for e in texts:
        factor, scan = ROLES[e.field]
        need = fmt.min_letter_mm(factor, scan)
        ratio = letter_ratio(e)
        smallest = e.size[0] * scale * min(1.0, second_scale)
        if smallest * ratio < need - 0.05:
            distance = f"{fmt.scan_distance * factor:g} m (QR scan distance)" if scan else \
                f"{fmt.viewing_distance * factor:g} m ({factor:g} x the viewing distance of {fmt.viewing_distance:g} m)"
            base_min = need / ratio / scale / min(1.0, second_scale)
            raise DataError(template.path, f"elements[{e.index}].size",
                            f"the {e.field} text is read from {distance} on format {fmt.key}: its letters must be at "
                            f"least {need:.1f} mm high (2.5 mm per metre), but its smallest size gives "
                            f"{smallest * ratio:.1f} mm (type size {smallest:.1f} mm x letter height {ratio:.2f} em"
                            f"{f', second language at {second_scale:g}' if second_scale < 1 else ''}); "
                            f"raise the smallest size to at least {math.ceil(base_min * 10) / 10:g} mm")
    dates = [e for e in texts if e.field == "when"]
    for date in dates:
        for e in texts:
            if e.field in ("headline", "when"):
                continue
            if e.size[0] > date.size[0] + 1e-9 or e.size[1] >= date.size[1]:
                raise DataError(template.path, f"elements[{e.index}].size",
                                f"the date (elements[{date.index}], size [{date.size[0]:g}, {date.size[1]:g}] mm) must be "
                                f"the second-largest text after the headline, but the {e.field} text may be set at "
                                f"[{e.size[0]:g}, {e.size[1]:g}] mm; make its sizes smaller than the date's")


def check_against(template: Template, fmt: Format) -> None:
    """Raise :class:`DataError` when a text or QR box of ``template`` leaves ``fmt``'s readable
    area (safe margin, no-text strips) or its QR box is smaller than ``fmt.min_qr_mm``."""
    ax0, ay0, ax1, ay1 = fmt.readable_area()
    for e in template.elements:
        if e.kind not in ("text", "qr"):
            continue
        x0, y0, x1, y1 = template.box_mm(e, fmt)
        key = f"elements[{e.index}].box"
        t = TOLERANCE_MM
        problems = []
        if y0 < ay0 - t:
            problems.append(f"its top is {y0:.0f} mm from the top edge, inside the top {ay0:g} mm "
                            f"({'no-text strip' if fmt.no_text.get('top', 0) >= fmt.safe else 'safe margin'})")
        if y1 > ay1 + t:
            problems.append(f"its bottom is {fmt.height - y1:.0f} mm from the bottom edge, inside the bottom "
                            f"{fmt.height - ay1:g} mm ({'no-text strip' if fmt.no_text.get('bottom', 0) >= fmt.safe else 'safe margin'})")
        if x0 < ax0 - t:
            problems.append(f"its left side is {x0:.0f} mm from the left edge, inside the left {ax0:g} mm")
        if x1 > ax1 + t:
            problems.append(f"its right side is {fmt.width - x1:.0f} mm from the right edge, inside the right "
                            f"{fmt.width - ax1:g} mm")
        if problems:
            raise DataError(template.path, key, f"on format {fmt.key} ({fmt.width:g} x {fmt.height:g} mm) "
                                                f"{'; '.join(problems)}; move or shrink the box")
        if e.kind == "text":
            # one line at the smallest type size must fit, or no text could ever be set there
            em = e.size[0] * template.type_scale(fmt)
            if y1 - y0 < em * e.line_spacing - t or x1 - x0 < em - t:
                raise DataError(template.path, key, f"on format {fmt.key} the text box is {x1 - x0:.1f} x "
                                                    f"{y1 - y0:.1f} mm; it must hold one line at the smallest type "
                                                    f"size ({em:.1f} mm x line_spacing {e.line_spacing:g}); "
                                                    f"enlarge the box or lower size")
        if e.kind == "qr" and min(x1 - x0, y1 - y0) < fmt.min_qr_mm * 1.2:
            raise DataError(template.path, key, f"on format {fmt.key} the QR box is {min(x1 - x0, y1 - y0):.0f} mm; "
                                                f"it needs at least {fmt.min_qr_mm * 1.2:.0f} mm (a code of "
                                                f"{fmt.min_qr_mm:.0f} mm for a {fmt.scan_distance:g} m scan "
                                                f"distance, plus its quiet zone)")


def load_template(path: Path, formats: dict[str, Format], second_scale: float = DEFAULT_SECOND_SCALE) -> Template:
    """Read and validate the template file ``path`` against ``formats``.

    Raises :class:`DataError` (``path: key: message``) for a wrong key or value, an unknown
    format, a text/QR box that reaches into a format's safe margin or no-text strips, or a text
    below the legibility minimum of its role (:func:`check_legibility`; ``second_scale``: the
    bilingual second language's relative size, POSTERS_BILINGUAL_SCALE).
    """
    import hashlib

    import yaml

    from jindallae.model import load_yaml

    raw_bytes = path.read_bytes()
    try:
        data = load_yaml(raw_bytes.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise DataError(where, "(file)", f"not valid YAML ({getattr(exc, 'problem', None) or exc})") from None
    if not isinstance(data, dict):
        raise DataError(path, "(file)", "must be a mapping with base, formats and elements")
    unknown = set(data) - {"description", "base", "formats", "background", "elements", "texts"}
    if unknown:
        raise DataError(path, sorted(unknown)[0], "unknown key; use description, base, formats, background, elements, texts")
    base = data.get("base")
    if not (isinstance(base, list) and len(base) == 2 and all(isinstance(v, (int, float)) and v > 0 for v in base)):
        raise DataError(path, "base", "must be [width, height] in mm, the size the boxes are drawn at")
    base_t = (float(base[0]), float(base[1]))
    names = data.get("formats")
    if not isinstance(names, list) or not names:
        raise DataError(path, "formats", "must list the formats this template suits, e.g. [A4, A3, A2, A1]")
    for name in names:
        if str(name) not in formats:
            raise DataError(path, "formats", f"unknown format {name!r}; formats: {', '.join(formats)}")
    raw_elements = data.get("elements")
    if not isinstance(raw_elements, list) or not raw_elements:
        raise DataError(path, "elements", "must be a list of rect, image, text and qr elements")
    elements = tuple(_element(path, i, e, base_t) for i, e in enumerate(raw_elements))
    texts = data.get("texts") or {}
    if not isinstance(texts, dict) or not all(isinstance(v, dict) for v in texts.values()):
        raise DataError(path, "texts", "must map caption names to {zh: ..., ko: ...}")
    template = Template(
        name=path.stem, path=path, base=base_t, formats=tuple(str(n) for n in names),
        background=_color(path, "background", data.get("background", "#ffffff")), elements=elements,
        texts={str(k): {str(lang): str(t) for lang, t in v.items()} for k, v in texts.items()},
        digest=hashlib.sha1(raw_bytes).hexdigest(),
    )
    for name in template.formats:
        check_against(template, formats[name])
        check_legibility(template, formats[name], second_scale)
    return template


def load_templates(folder: Path, formats: dict[str, Format],
                   second_scale: float = DEFAULT_SECOND_SCALE) -> dict[str, Template]:
    """Every ``*.yaml`` in ``folder`` except ``formats.yaml`` -> ``{name: Template}``."""
    out = {}
    for path in sorted(folder.glob("*.yaml")):
        if path.name != "formats.yaml":
            out[path.stem] = load_template(path, formats, second_scale)
    return out
