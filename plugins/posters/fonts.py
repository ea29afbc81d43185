"""Font faces for posters: Noto CJK from the system, chosen per language, with a coverage check.

Pillow has no font fallback: a character the font cannot draw would print as an empty box
("tofu"). So every text is checked against the face's character map (``cmap``, read with
fontTools from the right face of the TrueType collection) *before* it is drawn, and a missing
character is an error that names the character, its code point and the field
(:class:`MissingGlyphs`).

Faces are found through fontconfig (the ``fc-match`` command, Debian package ``fontconfig``), so
fonts installed anywhere fontconfig looks are found. fc-match never fails: for a family that is
not installed it silently returns another font (DejaVu Sans). The answer is therefore checked to
really be the Noto CJK face asked for, and anything else is :class:`FontNotFound`.

The Noto CJK collections (Debian ``fonts-noto-cjk``: ``NotoSansCJK-{Regular,Bold}.ttc``,
``NotoSerifCJK-{Regular,Bold}.ttc``; ``fonts-noto-cjk-extra`` adds the other weights) hold one
face per region at different collection indexes: SC (Simplified Chinese), TC, HK, JP and KR.
The faces share one glyph set but differ in their default glyph forms, so Chinese text uses the
SC face and Korean text the KR face, and the language is also passed to raqm (HarfBuzz) so that
the OpenType ``locl`` feature picks the right forms.

Everything is computed on first use and cached per process with :func:`functools.lru_cache`.
"""

from __future__ import annotations

import functools
import subprocess
import unicodedata
from dataclasses import dataclass

from PIL import ImageFont

INSTALL_HINT = "apt-get install fonts-noto-cjk fontconfig"

# Language → Noto CJK region suffix. "zh" is Simplified Chinese (the site's Chinese is
# Simplified); Traditional and Japanese are accepted for completeness.
_REGIONS = {"zh": "SC", "ko": "KR", "zh-hant": "TC", "ja": "JP"}

# Weight names → fontconfig weights (fontconfig.h: FC_WEIGHT_*). fontconfig itself picks the
# nearest installed weight (fonts-noto-cjk has only Regular and Bold; -extra adds the rest).
_WEIGHTS = {
    "thin": 0, "extralight": 40, "ultralight": 40, "light": 50, "demilight": 55,
    "semilight": 55, "book": 75, "regular": 80, "normal": 80, "medium": 100,
    "demibold": 180, "semibold": 180, "bold": 200, "extrabold": 205, "ultrabold": 205,
    "black": 210, "heavy": 210,
}
_FAMILIES = {"sans": "Noto Sans CJK", "serif": "Noto Serif CJK"}


class FontNotFound(Exception):
    """No installed font matches the face asked for. ``str()`` is the English detail with the
    install command; :meth:`message` says it in the editor's language (``zh``, ``ko``, ``en``).
    ``font``: the family that was asked for (``None`` when fontconfig itself is missing)."""

    _TEXTS = {
        "zh": "服务器上没有安装海报所需的字体{font}，请管理员安装：{hint}（{detail}）",
        "ko": "서버에 포스터에 필요한 글꼴{font}이 설치되어 있지 않습니다. 관리자가 설치해야 합니다: "
              "{hint} ({detail})",
    }

    def __init__(self, detail: str, font: str | None = None):
        self.detail, self.font = detail, font
        super().__init__(detail)

    def message(self, lang: str = "en") -> str:
        """The message in ``lang`` (``zh``, ``ko``; anything else → English)."""
        code = (lang or "").lower()[:2]
        if code not in self._TEXTS:
            return self.detail
        font = f" {self.font}" if self.font else ""
        if code == "zh" and self.font:
            font = f"“{self.font}”"
        return self._TEXTS[code].format(font=font, hint=INSTALL_HINT, detail=self.detail)


@dataclass(frozen=True)
class FontFace:
    """One face of a font file.

    ``path``: the font file; ``index``: the face's index in a TrueType collection (``.ttc``);
    ``family``/``style``: the names fontconfig gives (e.g. ``Noto Sans CJK SC``, ``Bold``);
    ``lang``: the normalised language the face was chosen for (``zh`` or ``ko``).
    """

    path: str
    index: int
    family: str
    style: str
    lang: str


def normalize_lang(lang: str) -> str:
    """Map a language tag to the short code used here: ``zh``/``zh-Hans``/``zh-CN`` → ``zh``,
    ``ko``/``ko-KR`` → ``ko`` (also ``zh-Hant``/``zh-TW``/``zh-HK`` → ``zh-hant``, ``ja``).

    Tags follow BCP 47 (RFC 5646); case and ``_`` instead of ``-`` are accepted.
    Raises ``ValueError`` for a language without a Noto CJK face.
    """
    tag = (lang or "").strip().replace("_", "-").lower()
    parts = tag.split("-")
    if parts[0] == "zh":
        if any(p in ("hant", "tw", "hk", "mo") for p in parts[1:]):
            return "zh-hant"
        return "zh"
    if parts[0] in ("ko", "ja"):
        return parts[0]
    raise ValueError(f"no CJK font face for language {lang!r} (expected zh or ko)")


def _fc_match(pattern: str) -> tuple[str, int, list[str]]:
    """Ask fontconfig for the best match of ``pattern``: (file, collection index, families)."""
    try:
        out = subprocess.run(
            ["fc-match", "--format", "%{file}\n%{index}\n%{family}\n", pattern],
            capture_output=True, text=True, check=True, timeout=30,
        ).stdout
    except FileNotFoundError as exc:
        raise FontNotFound(
            f"fontconfig's fc-match is not installed; install it with: {INSTALL_HINT}"
        ) from exc
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        raise FontNotFound(f"fc-match failed for {pattern!r}: {exc}") from exc
    lines = out.split("\n")
    if len(lines) < 3 or not lines[0]:
        raise FontNotFound(f"fc-match found no font for {pattern!r}; install it with: "
                           f"{INSTALL_HINT}")
    # %{family} lists every family name of the face (localised ones too), comma-separated.
    return lines[0], int(lines[1] or 0), [name.strip() for name in lines[2].split(",")]


@functools.lru_cache(maxsize=64)
def face_names(path: str, index: int) -> tuple[str, str]:
    """(family, style) of face ``index`` of a font file, from its own OpenType ``name`` table:
    the typographic family/subfamily (name IDs 16, 17) when present, else IDs 1, 2 — e.g.
    ``("Noto Sans CJK KR", "Bold")``. Raises ``OSError`` for an unreadable file."""
    from fontTools.ttLib import TTFont  # imported on first use: loading fontTools takes time

    try:
        font = TTFont(path, fontNumber=index, lazy=True)
    except Exception as exc:  # fontTools raises TTLibError, struct.error ... on a broken file
        raise OSError(f"cannot read font {path} (face {index}): {exc}") from exc
    try:
        name = font["name"]
        family = name.getDebugName(16) or name.getDebugName(1) or ""
        style = name.getDebugName(17) or name.getDebugName(2) or ""
    finally:
        font.close()
    return family, style


@functools.lru_cache(maxsize=64)
def find_face(lang: str, family: str = "sans", weight: str = "bold") -> FontFace:
    """The Noto CJK face for ``lang`` (``zh`` → SC face, ``ko`` → KR face; ``zh-Hans``,
    ``ko-KR`` ... accepted), ``family`` ``sans`` or ``serif`` and ``weight`` (``regular``,
    ``medium``, ``bold``, ``black`` ...: fontconfig picks the nearest installed weight).

    Found through fontconfig, then checked twice to really be that Noto CJK face: fontconfig
    must name it (fc-match silently substitutes another font when it is missing) and so must the
    face's own ``name`` table at that collection index (a stale fontconfig cache could point at
    another face). Raises :class:`FontNotFound` (with the install command) when it is not
    installed, ``ValueError`` for an unknown language, family or weight.
    """
    code = normalize_lang(lang)
    if family not in _FAMILIES:
        raise ValueError(f"unknown font family {family!r} (expected one of {sorted(_FAMILIES)})")
    key = weight.strip().lower().replace("-", "").replace(" ", "")
    if key not in _WEIGHTS:
        raise ValueError(f"unknown font weight {weight!r} (expected one of {sorted(_WEIGHTS)})")
    wanted = f"{_FAMILIES[family]} {_REGIONS[code]}"
    try:
        path, index, families = _fc_match(f"{wanted}:weight={_WEIGHTS[key]}")
    except FontNotFound as exc:
        raise FontNotFound(exc.detail, wanted) from exc
    if wanted not in families:
        raise FontNotFound(
            f"font {wanted!r} is not installed (fontconfig offers {families[0]!r} instead, "
            f"{path}); install it with: {INSTALL_HINT}", wanted)
    try:
        real_family, style = face_names(path, index)
    except OSError as exc:
        raise FontNotFound(f"{exc}; reinstall it with: {INSTALL_HINT}", wanted) from exc
    if real_family != wanted:
        raise FontNotFound(
            f"fontconfig says face {index} of {path} is {wanted!r}, but the font says "
            f"{real_family!r}; refresh fontconfig's cache with: fc-cache -f", wanted)
    return FontFace(path=path, index=index, family=real_family, style=style, lang=code)


@functools.lru_cache(maxsize=16)
def _cmap(path: str, index: int) -> frozenset[int]:
    """Code points that face ``index`` of the font file ``path`` maps to a glyph (its cmap),
    as HarfBuzz reads it (the engine that shapes the text; fontTools took 0.8 s a face)."""
    return frozenset(hb_face(path, index).unicodes)


@functools.lru_cache(maxsize=8)
def _blob(path: str):
    """The font file's bytes as a HarfBuzz blob, once per process and file (the faces of a
    collection share it)."""
    import uharfbuzz as hb

    return hb.Blob.from_file_path(path)


@functools.lru_cache(maxsize=32)
def hb_face(path: str, index: int):
    """The HarfBuzz face ``index`` of ``path``."""
    import uharfbuzz as hb

    return hb.Face(_blob(path), index)


@functools.lru_cache(maxsize=16)
def em_box(face: FontFace) -> tuple[float, float]:
    """The face's ideographic em box as fractions of the em: (top above the baseline, bottom
    below it), from the OS/2 typographic ascender/descender (0.88, 0.12 for Noto CJK).

    Lines are laid out by centring this box in the line height, as CSS does with the
    half-leading.
    """
    from fontTools.ttLib import TTFont

    font = TTFont(face.path, fontNumber=face.index, lazy=True)
    try:
        upm = font["head"].unitsPerEm
        os2 = font["OS/2"]
        top, bottom = os2.sTypoAscender / upm, -os2.sTypoDescender / upm
    finally:
        font.close()
    if top <= 0 or bottom < 0:  # broken metrics: the usual ideographic em box
        return 0.88, 0.12
    return top, bottom


@functools.lru_cache(maxsize=16)
def character_face(face: FontFace) -> float:
    """The height of the face's ideographic character face as a fraction of the em: the ink
    height of a Han character or Hangul syllable, the CJK counterpart of a Latin cap height,
    from the OpenType ``BASE`` table's ``icft`` and ``icfb`` baselines (0.93 for Noto CJK);
    0.88 when the font has none.  The legibility rules (:mod:`.layout`) measure letters by it."""
    from fontTools.ttLib import TTFont

    font = TTFont(face.path, fontNumber=face.index, lazy=True)
    try:
        upm = font["head"].unitsPerEm
        axis = font["BASE"].table.HorizAxis if "BASE" in font else None
        if axis is None or axis.BaseTagList is None:
            return 0.88
        tags = list(axis.BaseTagList.BaselineTag)
        if "icft" not in tags or "icfb" not in tags:
            return 0.88
        for record in axis.BaseScriptList.BaseScriptRecord:
            if record.BaseScriptTag in ("hani", "hang", "DFLT") and record.BaseScript.BaseValues:
                coords = [c.Coordinate for c in record.BaseScript.BaseValues.BaseCoord]
                return (coords[tags.index("icft")] - coords[tags.index("icfb")]) / upm
        return 0.88
    finally:
        font.close()


def _ignorable(ch: str) -> bool:
    """Characters that draw no glyph of their own: whitespace, controls, format characters
    (ZWJ, ZWSP, soft hyphen ...), variation selectors. HarfBuzz hides these, so they are
    not checked against the cmap."""
    if ch.isspace():
        return True
    cat = unicodedata.category(ch)
    if cat in ("Cc", "Cf"):
        return True
    cp = ord(ch)
    return 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF or cp == 0x180B


def missing_characters(text: str, face: FontFace) -> list[str]:
    """The distinct characters of ``text`` that ``face`` has no glyph for, in order of first
    appearance (whitespace, control and format characters and variation selectors excluded).

    Judged by the face's cmap (fontTools), which is what HarfBuzz uses: emoji and rare Han
    characters outside the font (e.g. U+20000 𠀀, U+2A6A5 𪚥) are reported.
    """
    cmap = _cmap(face.path, face.index)
    seen: list[str] = []
    for ch in text:
        if ch not in seen and not _ignorable(ch) and ord(ch) not in cmap:
            seen.append(ch)
    return seen


def describe_char(ch: str) -> str:
    """``'𪚥' (U+2A6A5)``-style text for a character, for error messages."""
    return f"“{ch}” (U+{ord(ch):04X})"


class MissingGlyphs(ValueError):
    """A text holds characters the font cannot draw.

    ``chars``: the characters (list of str); ``field``: the field the text came from;
    ``family``: the font family. ``str()`` is the English message; :meth:`message` gives it in
    the editor's language (``zh``, ``ko`` or ``en``).
    """

    _TEXTS = {
        "zh": "{field}：字体“{family}”中没有以下字符：{chars}，印刷时会成为空白方框。"
              "请改用其他字、删去这些字符或换用其他字体。",
        "ko": "{field}: 글꼴 ‘{family}’에 다음 문자가 없습니다: {chars}. 인쇄하면 빈 네모로 "
              "나옵니다. 다른 글자로 바꾸거나 지우거나 다른 글꼴을 고르십시오.",
        "en": "{field}: the font '{family}' has no glyph for {chars}; it would print as an empty "
              "box. Replace or remove these characters, or choose another font.",
    }
    _SEPARATORS = {"zh": "、", "ko": ", ", "en": ", "}

    def __init__(self, chars: list[str], field: str, family: str = ""):
        self.chars = list(chars)
        self.field = field
        self.family = family
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        """The message in ``lang`` (``zh``, ``ko``, ``en``; other values → English)."""
        try:
            code = normalize_lang(lang)
        except ValueError:
            code = "en"
        code = "zh" if code == "zh-hant" else code if code in self._TEXTS else "en"
        chars = self._SEPARATORS[code].join(describe_char(c) for c in self.chars)
        return self._TEXTS[code].format(field=self.field, family=self.family, chars=chars)


def check_coverage(text: str, face: FontFace, field: str) -> None:
    """Raise :class:`MissingGlyphs` (naming the characters and ``field``) when ``face`` cannot
    draw every character of ``text``; return ``None`` when it can."""
    missing = missing_characters(text, face)
    if missing:
        raise MissingGlyphs(missing, field, face.family)


@functools.lru_cache(maxsize=8)  # each is a FreeType face of its own, about 3.6 MB for Noto CJK
def load_font(face: FontFace, size_px: float) -> ImageFont.FreeTypeFont:
    """Pillow font for ``face`` at ``size_px`` pixels per em (a fraction for the preview, which
    scales the layout's sizes), with raqm (HarfBuzz) layout so
    that shaping, kerning and the language's ``locl`` forms apply (pass ``language=`` when
    drawing or measuring). Raises ``ValueError`` for a size below 1 px, ``RuntimeError`` when
    Pillow was built without raqm.
    """
    if size_px < 1:
        raise ValueError(f"font size must be at least 1 px, got {size_px}")
    from PIL import features

    if not features.check("raqm"):
        raise RuntimeError("Pillow was built without raqm (libraqm); CJK text cannot be laid out")
    return ImageFont.truetype(
        face.path, size=size_px if isinstance(size_px, float) else int(size_px), index=face.index,
        layout_engine=ImageFont.Layout.RAQM
    )
