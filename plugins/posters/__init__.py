"""posters: print-ready posters of events and campaign articles.

A page with a ``poster:`` block in its front matter (see ``jindallae.model.POSTER_FIELDS``) gets
posters in Chinese, Korean or both (bilingual), in the formats it asks for (A4-A1, roll-up
banner, X-banner, horizontal banner: ``themes/<theme>/posters/formats.yaml``), laid out by the
theme's templates (``themes/<theme>/posters/<name>.yaml``, layouts as data).  Per poster and
format: a vector print PDF (TrimBox/BleedBox, bleed and crop marks, text as real text with
the Noto CJK fonts embedded as CFF subsets, the QR code as vector modules, the picture embedded
once at the format's resolution), a PNG preview drawn from the same layout and a page
thumbnail; with ``POSTERS_CMYK`` also a PDF/X-1a style CMYK PDF (colours and pictures through an
ICC profile, black text and QR modules as pure K, rich black for large black areas, an
OutputIntent).  A QR code leads to the page's public URL.  Every format declares a viewing
distance, and the templates' smallest type sizes must be legible from it (:mod:`.layout`).

Modules: :mod:`.formats` and :mod:`.layout` (the data, legibility rules), :mod:`.fonts` and
:mod:`.text` (faces, line breaking, fitting), :mod:`.render` (the layout as a scene, and the
PNG preview drawn from it), :mod:`.pdf` (the vector PDF) with :mod:`.cff` (CFF subsetting),
:mod:`.cmyk`, :mod:`.jobs` (what to make, cache, process pool), :mod:`.generator` (the site
pages).

How the PDF is made, and why so: pycairo drawing HarfBuzz-shaped glyphs, fpdf2, ReportLab and
pikepdf with our own CFF subsetter were compared on the same poster (CJK CFF subsetting, poppler
and MuPDF reading, speed, size; table in README.md, Posters).  ReportLab cannot embed CFF
(PostScript-outline) fonts, so Noto CJK could not be embedded at all; fpdf2 embeds correct CID
subsets but re-reads the 16 MB CFF with fontTools for every document (about 5 s for a bilingual
poster's four faces); cairo is fast and correct but has no CMYK, no OutputIntent and no
TrimBox/BleedBox, so a PDF/X-1a file would need a second writer.  pikepdf (qpdf, already a
dependency) writing the page itself, with :mod:`.cff` reading each face once per process and
subsetting in milliseconds and uharfbuzz shaping, writes both the RGB and the CMYK file from one
scene in about 0.1 s with the smallest files; the line breaking, kinsoku, fitting and balance
stay in :mod:`.text` and are shared by the PDF and the preview.

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


def _check_rich_black(v) -> str | None:
    if v is None or v is False:
        return None
    if isinstance(v, list) and len(v) == 4 and all(isinstance(n, (int, float)) and not isinstance(n, bool) and 0 <= n <= 100
                                                   for n in v) and sum(v) <= 300:
        return None
    return "must be [C, M, Y, K] ink percentages (at most 300 % in all, e.g. [50, 50, 50, 100]) or None for pure K"


def _check_logo(v) -> str | None:
    if v is None or isinstance(v, str):
        return None
    return "must be a PNG or JPEG path (in content/ or the theme's posters/ folder), \"\" for none, or None for the theme's logo.png"


def _check_organizers(v) -> str | None:
    roles = {"host", "organizer", "support"}
    if isinstance(v, dict) and all(isinstance(lang, str) and isinstance(names, dict) and set(names) <= roles
                                   and all(isinstance(n, str) for n in names.values()) for lang, names in v.items()):
        return None
    return ("must map languages to {host: 主办, organizer: 承办, support: 协办} names, e.g. "
            "{\"zh\": {\"organizer\": \"延吉市人口文化促进会\"}}")


def settings_schema():
    """``(prefix, {KEY: Option})``: this plugin's settings with defaults and checks."""
    from jindallae.settings import Option, is_type

    from .cmyk import DEFAULT_PROFILE

    return "POSTERS_", {
        "POSTERS_DEFAULT_FORMATS": Option(["A2", "rollup"], _check_formats,
                                          "Formats of a poster whose front matter names none"),
        "POSTERS_TEMPLATES": Option({"portrait": "portrait", "tall": "rollup", "wide": "banner"}, _check_templates,
                                    "Template used per format orientation when the front matter names none"),
        "POSTERS_DPI": Option({}, _check_dpi, "Resolution of pictures (at most) and of the layout grid per format key, "
                                             "overriding formats.yaml (300 dpi for offset A4-A2, 72-150 for inkjet)"),
        "POSTERS_BLEED_MM": Option(3, _check_mm(0, 10), "Bleed around the trimmed size, mm, of the formats "
                                                        "without their own bleed in formats.yaml"),
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
        "POSTERS_RICH_BLACK": Option([50, 50, 50, 100], _check_rich_black,
                                     "CMYK PDF: ink of large black areas (black colour areas, black text from "
                                     "POSTERS_RICH_BLACK_MIN_MM); None keeps them pure K"),
        "POSTERS_RICH_BLACK_MIN_MM": Option(20, _check_mm(1, 1000), "Type size (mm) from which black text is a large "
                                                                    "black area (rich black); smaller black text is K only"),
        "POSTERS_LOGO": Option(None, _check_logo, "Emblem or logo in the templates' logo box (PNG/JPEG in content/ or "
                                                  "themes/<theme>/posters/); None: the theme's posters/logo.png"),
        "POSTERS_ORGANIZERS": Option({}, _check_organizers, "Per language, the 主办 (host), 承办 (organizer) and 协办 "
                                                            "(support) lines of every poster; a page's event.organizer "
                                                            "is its host"),
        "POSTERS_JPEG_QUALITY": Option(92, _check_mm(50, 100), "JPEG quality of a picture the PDF resamples"),
        "POSTERS_PREVIEW_HEIGHT": Option(1200, _check_mm(200, 4000), "Height of the PNG preview, px"),
    }


def get_generators(pelican):
    from .generator import PostersGenerator

    return PostersGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
