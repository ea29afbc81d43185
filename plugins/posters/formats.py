"""Poster formats: physical sizes, resolution, bleed, safe margin and no-text zones.

The formats are data, ``themes/<theme>/posters/formats.yaml`` (see the comments there); this
module reads and validates them.  All lengths are millimetres; pixel values come from
:meth:`Format.px` at the format's dpi (1 inch = 25.4 mm, ISO 216 sizes for A4-A1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MM_PER_INCH = 25.4
PT_PER_MM = 72 / MM_PER_INCH  # PDF user space unit: 1/72 inch (ISO 32000-1, 8.3.2.3)
ORIENTATIONS = ("portrait", "tall", "wide")
PROCESSES = ("offset", "inkjet")
# Legibility: letter height per metre of reading distance.  Signage practice reads about 25 mm
# of letter height per 10 m (1 : 400; the comments of themes/<theme>/posters/formats.yaml give
# the rule and where it comes from).
LETTER_MM_PER_M = 2.5
EDGES = ("top", "bottom", "left", "right")


class DataError(Exception):
    """A formats or template file is wrong; ``str()`` is ``path: key: what to do``."""

    def __init__(self, path: Path | str, key: str, message: str):
        self.path, self.key, self.detail = str(path), key, message
        super().__init__(f"{path}: {key}: {message}")


@dataclass(frozen=True)
class Format:
    """One poster format.  ``width``/``height`` (mm) are the trimmed size; ``bleed`` (mm) is
    printed beyond the trim on every side; ``slug`` (mm) is the white margin outside the bleed
    that holds the crop marks; ``no_text`` maps edges to strips (mm) kept free of text and QR."""

    key: str
    name: str
    width: float
    height: float
    dpi: int
    safe: float
    scan_distance: float  # metres
    orientation: str
    no_text: dict[str, float] = field(default_factory=dict)
    bleed: float = 3.0
    slug: float = 10.0
    names: dict[str, str] = field(default_factory=dict)  # per language: {zh: 易拉宝, ko: 롤업 배너}
    viewing_distance: float = 2.0  # metres: from how far a passer-by must read it (legibility rules)
    white_margin: float = 0.0  # mm inside the trim left unprinted (a banner's hems and grommets)
    process: str = "offset"  # offset (sheet-fed, CMYK, 3 mm bleed) or inkjet (large format)

    def name_in(self, lang: str) -> str:
        """The format's name for pages in ``lang`` (``names[lang]``, else ``name``)."""
        return self.names.get(lang, self.name)

    # geometry ----------------------------------------------------------------------------------
    def px(self, mm: float) -> int:
        """``mm`` at this format's dpi, rounded to whole pixels."""
        return round(mm * self.dpi / MM_PER_INCH)

    @property
    def margin(self) -> float:
        """Distance from the media edge to the trim line, mm (slug + bleed)."""
        return self.slug + self.bleed

    @property
    def media_mm(self) -> tuple[float, float]:
        """Size of the whole PDF page: trim + 2 x (bleed + slug), mm."""
        return self.width + 2 * self.margin, self.height + 2 * self.margin

    @property
    def media_px(self) -> tuple[int, int]:
        """Pixel size of the page on the layout grid (the format's dpi); the trim box starts at
        ``px(margin)``."""
        return self.px(self.width) + 2 * self.px(self.margin), self.px(self.height) + 2 * self.px(self.margin)

    def trim_px(self) -> tuple[int, int, int, int]:
        """Trim box in layout pixels ``(left, top, right, bottom)``."""
        m = self.px(self.margin)
        return m, m, m + self.px(self.width), m + self.px(self.height)

    def readable_area(self) -> tuple[float, float, float, float]:
        """Where text and QR codes may go, in trim millimetres ``(x0, y0, x1, y1)``: the trim
        minus the safe margin and the no-text strips (whichever is larger on each edge)."""
        top = max(self.safe, self.no_text.get("top", 0))
        bottom = max(self.safe, self.no_text.get("bottom", 0))
        left = max(self.safe, self.no_text.get("left", 0))
        right = max(self.safe, self.no_text.get("right", 0))
        return left, top, self.width - right, self.height - bottom

    def min_letter_mm(self, factor: float = 1.0, scan: bool = False) -> float:
        """Smallest letter height (mm) legible from ``factor`` x the viewing distance (from the
        QR scan distance with ``scan``): :data:`LETTER_MM_PER_M` mm per metre, the signage rule
        of about 25 mm of letter height per 10 m of reading distance (see formats.yaml)."""
        distance = self.scan_distance if scan else self.viewing_distance
        return LETTER_MM_PER_M * distance * factor

    @property
    def min_qr_mm(self) -> float:
        """Smallest QR code side for this format, mm: a tenth of the scan distance (the
        usual 10:1 scanning-distance rule of thumb for phone cameras), at least 20 mm."""
        return max(20.0, self.scan_distance * 1000 / 10)


def _number(path: Path, key: str, value: Any, low: float = 0, high: float = 1e5) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise DataError(path, key, f"must be a number from {low:g} to {high:g}, not {value!r}")
    return float(value)


def load_formats(path: Path, dpi_overrides: dict[str, int] | None = None, bleed: float = 3.0,
                 slug: float = 10.0) -> dict[str, Format]:
    """Read ``formats.yaml`` -> ``{key: Format}``.

    ``dpi_overrides`` (POSTERS_DPI) replaces the file's dpi per format key; ``bleed`` (the
    default of formats without their own ``bleed``) and ``slug`` are mm.  Raises :class:`DataError` naming the file and key of the first problem,
    or ``FileNotFoundError``.
    """
    import yaml

    from jindallae.model import load_yaml

    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise DataError(where, "(file)", f"not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(data, dict) or not data:
        raise DataError(path, "(file)", "must map format keys (A2, rollup ...) to their data")
    out: dict[str, Format] = {}
    for key, entry in data.items():
        key = str(key)
        if not isinstance(entry, dict):
            raise DataError(path, key, "must be a mapping with size, dpi, safe, scan_distance, orientation")
        known = {"name", "size", "dpi", "safe", "no_text", "scan_distance", "viewing_distance", "orientation", "bleed",
                 "white_margin", "process"}
        unknown = set(entry) - known
        if unknown:
            raise DataError(path, f"{key}.{sorted(unknown)[0]}", f"unknown key; use {', '.join(sorted(known))}")
        if "viewing_distance" not in entry:
            raise DataError(path, f"{key}.viewing_distance", "missing: from how far (m) a passer-by must read the "
                                                             "poster; the minimum type sizes follow from it")
        size = entry.get("size")
        if not (isinstance(size, list) and len(size) == 2):
            raise DataError(path, f"{key}.size", "must be [width, height] in mm")
        width = _number(path, f"{key}.size", size[0], 50, 10000)
        height = _number(path, f"{key}.size", size[1], 50, 10000)
        dpi = (dpi_overrides or {}).get(key, entry.get("dpi", 150))
        if not isinstance(dpi, int) or isinstance(dpi, bool) or not 36 <= dpi <= 1200:
            raise DataError(path, f"{key}.dpi", f"must be a whole number from 36 to 1200, not {dpi!r}")
        orientation = entry.get("orientation")
        if orientation not in ORIENTATIONS:
            raise DataError(path, f"{key}.orientation", f"must be one of {', '.join(ORIENTATIONS)}")
        no_text = entry.get("no_text") or {}
        if not isinstance(no_text, dict) or set(no_text) - set(EDGES):
            raise DataError(path, f"{key}.no_text", "must be a mapping of top, bottom, left, right to mm")
        strips = {edge: _number(path, f"{key}.no_text.{edge}", v, 0, min(width, height) if edge in ("left", "right") else height / 2)
                  for edge, v in no_text.items()}
        raw_name = entry.get("name", key)
        if isinstance(raw_name, dict):
            if not raw_name or not all(isinstance(v, str) and v.strip() for v in raw_name.values()):
                raise DataError(path, f"{key}.name", "must be text or a mapping of languages to text: {zh: 易拉宝, ko: 롤업 배너}")
            names = {str(k): v.strip() for k, v in raw_name.items()}
        elif isinstance(raw_name, (str, int)):
            names = {}
        else:
            raise DataError(path, f"{key}.name", "must be text or a mapping of languages to text: {zh: 易拉宝, ko: 롤업 배너}")
        process = entry.get("process", "offset")
        if process not in PROCESSES:
            raise DataError(path, f"{key}.process", f"must be one of {', '.join(PROCESSES)}")
        safe = _number(path, f"{key}.safe", entry.get("safe", 10), 0, min(width, height) / 4)
        white = _number(path, f"{key}.white_margin", entry.get("white_margin", 0), 0, safe)
        fmt = Format(key=key, name=next(iter(names.values())) if names else str(raw_name), names=names,
                     width=width, height=height, dpi=dpi, safe=safe,
                     scan_distance=_number(path, f"{key}.scan_distance", entry.get("scan_distance", 1), 0.1, 50),
                     viewing_distance=_number(path, f"{key}.viewing_distance", entry.get("viewing_distance"), 0.3, 100),
                     orientation=orientation, no_text=strips,
                     bleed=_number(path, f"{key}.bleed", entry["bleed"], 0, 10) if "bleed" in entry else bleed,
                     slug=slug, white_margin=white, process=process)
        x0, y0, x1, y1 = fmt.readable_area()
        if x1 - x0 < 20 or y1 - y0 < 20:
            raise DataError(path, key, "the safe margin and no_text strips leave no room for text")
        out[key] = fmt
    for key in dpi_overrides or {}:
        if key not in out:
            raise DataError("POSTERS_DPI", key, f"no such format; formats: {', '.join(out)}")
    return out
