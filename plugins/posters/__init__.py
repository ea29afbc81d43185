"""posters: print-ready posters of events and campaign articles.

A page with a ``poster:`` block in its front matter (see ``jindallae.model.POSTER_FIELDS``) gets
posters in Chinese, Korean or both (bilingual), in the formats it asks for (A4-A1, roll-up
banner, X-banner, horizontal banner: ``themes/<theme>/posters/formats.yaml``), laid out by the
theme's templates (``themes/<theme>/posters/<name>.yaml``, layouts as data).  Per poster and
format: a print PDF (TrimBox/BleedBox, 3 mm bleed, crop marks, the raster at its physical
size), a PNG preview and a page thumbnail; with ``POSTERS_CMYK`` also a CMYK PDF separated
through an ICC profile with black text as pure K.  A QR code leads to the page's public URL.

Modules: :mod:`.formats` and :mod:`.layout` (the data), :mod:`.fonts` and :mod:`.text` (faces,
line breaking, fitting), :mod:`.render` (the raster), :mod:`.cmyk`, :mod:`.pdf`, :mod:`.jobs`
(what to make, cache, process pool), :mod:`.generator` (the site pages).

``register()`` only connects ``get_generators``: :class:`generator.PostersGenerator` runs after
the multilingual generator (list this plugin after ``multilingual`` in PLUGINS).  Settings
prefix: ``POSTERS_``.  ``jindallae posters`` makes them without building the site.
"""

from __future__ import annotations

from pelican import signals


def _check_formats(v) -> str | None:
    if isinstance(v, list) and v and all(isinstance(n, str) for n in v):
        return None
    return "must be a non-empty list of format keys from themes/<theme>/posters/formats.yaml, e.g. [\"A2\", \"rollup\"]"


def _check_dpi(v) -> str | None:
    if isinstance(v, dict) and all(isinstance(k, str) and isinstance(d, int) and not isinstance(d, bool) and 36 <= d <= 1200
                                   for k, d in v.items()):
        return None
    return "must map format keys to a resolution from 36 to 1200, e.g. {\"A1\": 200}"


def _check_mm(low: float, high: float):
    def check(v) -> str | None:
        if isinstance(v, (int, float)) and not isinstance(v, bool) and low <= v <= high:
            return None
        return f"must be a number of millimetres from {low:g} to {high:g}"
    return check


def _check_order(v) -> str | None:
    if isinstance(v, list) and len(v) == 2 and all(isinstance(c, str) for c in v) and v[0] != v[1]:
        return None
    return "must list two language codes, the first on top, e.g. [\"ko\", \"zh\"]"


def _check_scale(v) -> str | None:
    if isinstance(v, (int, float)) and not isinstance(v, bool) and 0.3 <= v <= 1.0:
        return None
    return "must be a number from 0.3 to 1.0 (type size of the second language relative to the first)"


def _check_templates(v) -> str | None:
    if isinstance(v, dict) and set(v) <= {"portrait", "tall", "wide"} and all(isinstance(n, str) for n in v.values()):
        return None
    return "must map portrait, tall and wide to template names, e.g. {\"portrait\": \"portrait\"}"


def _check_choice(*choices: str):
    def check(v) -> str | None:
        return None if v in choices else f"must be one of {', '.join(choices)}"
    return check


def settings_schema():
    """``(prefix, {KEY: Option})``: this plugin's settings with defaults and checks."""
    from jindallae.settings import Option, is_type

    from .cmyk import DEFAULT_PROFILE

    return "POSTERS_", {
        "POSTERS_DEFAULT_FORMATS": Option(["A2", "rollup"], _check_formats,
                                          "Formats of a poster whose front matter names none"),
        "POSTERS_TEMPLATES": Option({"portrait": "portrait", "tall": "rollup", "wide": "banner"}, _check_templates,
                                    "Template used per format orientation when the front matter names none"),
        "POSTERS_DPI": Option({}, _check_dpi, "Resolution per format key, overriding formats.yaml (300 dpi up to A2 "
                                             "and 150 dpi for larger formats there)"),
        "POSTERS_BLEED_MM": Option(3, _check_mm(0, 10), "Bleed around the trimmed size, mm"),
        "POSTERS_SLUG_MM": Option(10, _check_mm(6, 30), "White margin outside the bleed for the crop marks, mm"),
        "POSTERS_BILINGUAL_ORDER": Option(["ko", "zh"], _check_order,
                                          "Languages of a bilingual poster, first (top, larger) to second"),
        "POSTERS_BILINGUAL_SCALE": Option(0.75, _check_scale,
                                          "Type size of the second language of a bilingual poster, relative to the first"),
        "POSTERS_MIN_IMAGE_DPI": Option(150, _check_mm(36, 1200),
                                        "A picture printing below this effective resolution gets a warning"),
        "POSTERS_CMYK": Option(False, is_type(bool), "Also write a CMYK print PDF (ICC profile, black text K only)"),
        "POSTERS_CMYK_PROFILE": Option(DEFAULT_PROFILE, is_type(str), "CMYK output ICC profile (the print shop's; "
                                                                     "default Ghostscript's SWOP profile)"),
        "POSTERS_CMYK_INTENT": Option("relative", _check_choice("relative", "perceptual"),
                                      "Rendering intent of the CMYK conversion: relative (colorimetric) or perceptual"),
        "POSTERS_JPEG_QUALITY": Option(92, _check_mm(50, 100), "JPEG quality of the image inside the RGB PDF"),
        "POSTERS_PREVIEW_HEIGHT": Option(1200, _check_mm(200, 4000), "Height of the PNG preview, px"),
    }


def get_generators(pelican):
    from .generator import PostersGenerator

    return PostersGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
