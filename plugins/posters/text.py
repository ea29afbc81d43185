"""Poster text: line breaking with kinsoku rules, headline fitting, drawing.

Line breaking starts from the Unicode Line Breaking Algorithm (UAX #14, Unicode 16.0, computed
by the ``uniseg`` library) and tailors it, by removing break opportunities only, for Chinese and
Korean typography. References:

* W3C *Requirements for Chinese Text Layout* (clreq, https://www.w3.org/TR/clreq/):
  §6.1.1 "Prohibition rules for line start and line end" (行首行尾禁则,
  https://www.w3.org/TR/clreq/#prohibition_rules_for_line_start_end), §6.1.2 "Prohibition rules
  for unbreakable marks" (符号分离禁则), §6.1.3 "Hanging punctuation at line end";
* W3C *Requirements for Japanese Text Layout* (jlreq, JIS X 4051) §3.1.7 "Characters not
  starting a line", §3.1.8 "Characters not ending a line", §3.1.10 "Unbreakable character
  sequences", for the full- and half-width forms of the same marks;
* UAX #14 "Unicode Line Breaking Algorithm" (https://www.unicode.org/reports/tr14/).

The rules:

* **Line start** (:data:`LINE_START_PROHIBITED`): no line starts with a pause or stop mark
  (、，。：；？！), a closing quotation mark or bracket, a connector mark (～ – /), an
  interpunct (· ・), an ellipsis, the prolonged sound or an iteration mark.
* **Line end** (:data:`LINE_END_PROHIBITED`): no line ends with an opening quotation mark or
  bracket. Spaces between the mark and the break do not matter.
* **Unbreakable marks**: the two halves of a dash "——" or an ellipsis "……" are never split.
* **Kept whole**: Latin words and numbers (UAX #14: AL × AL, NU × NU, decimals "3.5", "50%",
  "12,000", "9:30"; "2026" in "2026年" — the break *before* 年 stays allowed), and URLs,
  e-mail addresses, phone numbers and dates such as ``0433-2512345`` (no break inside at all).
* **Korean** (``lang="ko"``) breaks only after a space, between eojeol (어절): like CSS
  ``word-break: keep-all`` it never breaks between Hangul syllables, and, stricter than
  keep-all, not after punctuation inside an eojeol either. A Korean word inside Chinese text is
  not broken between its syllables either.
* Ambiguous characters (UAX #14 class AI, e.g. ① ×) are resolved to ID, as UAX #14 LB1
  recommends for East Asian text.

When a mark that may not start a line would start one, the character before it moves down with
it ("push out", 推出 / 追い出し, one of the clreq methods): the greedy filler never breaks at a
forbidden position. Hanging punctuation (clreq §6.1.3) is not used, so every line fits its box.
Punctuation width adjustment (clreq §6.3.2, e.g. "。」" in one and a half ems) is not done:
each full-width mark takes a full em.

Widths are measured on the whole candidate line (``fits(line)``), never summed per character,
so kerning and shaping by HarfBuzz (with the language tag for the ``locl`` feature) are taken
into account.  :func:`fit_text` measures with HarfBuzz's unhinted advances (:func:`line_width`,
cached per line: they scale linearly with the size), which is what the vector PDF sets and what
raqm gives the PNG preview to 1/64 px; :func:`place_text` places the lines once for both.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from PIL import ImageDraw, ImageFont
from uniseg.linebreak import LineBreak, line_break, line_break_breakables

from .fonts import FontFace, check_coverage, em_box, load_font, normalize_lang

# Characters that must not begin a line: clreq §6.1.1 (pause/stop marks, closing quotation
# marks, brackets and book-title marks, connector marks, interpuncts, separation mark) and the
# full-/half-width forms of jlreq §3.1.7 (cl-02 closing brackets, cl-03 hyphens, cl-04 question
# and exclamation marks, cl-05 middle dots, cl-06 full stops, cl-07 commas, cl-08 inseparable
# ellipses, cl-09 iteration marks, cl-10 prolonged sound mark).
LINE_START_PROHIBITED = frozenset(
    "）］｝〕〉》」』】〙〗〟’”｠⦆»›)]}｣"  # closing brackets and quotation marks
    "、。，．：；？！‼⁇⁈⁉､｡,.:;?!"  # pause and stop marks
    "～〜–‐゠－/／"  # connector marks (连接号), separation mark (分隔号)
    "・·‧"  # interpuncts (间隔号)
    "ー々〻ゝゞヽヾ"  # prolonged sound mark, iteration marks
    "…‥"  # ellipsis halves (an ellipsis never starts a line)
    "%％‰"  # percent signs belong to the number before them
)

# Characters that must not end a line: clreq §6.1.1 (opening quotation marks, brackets and
# book-title marks); jlreq §3.1.8 (cl-01 opening brackets), full- and half-width; and list
# bullets, which belong to the text after them (a bullet alone at a line end reads as debris).
LINE_END_PROHIBITED = frozenset("（［｛〔〈《「『【〘〖〝‘“｟⦅«‹([{｢" "•◦‣⁃▪■□●○◆◇▶▷★☆※")

# Marks written doubled whose halves are never split (clreq §6.1.2; UAX #14 B2 × B2, × IN):
# the dash —— (U+2014, also typed as U+2015 or U+2500) and the ellipsis …… (U+2026, U+2025).
_INSEPARABLE_GROUPS = ("—―─⸺⸻", "…‥")

# Runs that are never broken: URLs (RFC 3986 characters), e-mail addresses, and numbers joined
# by hyphens, slashes or dots (phone numbers like 0433-2512345 or (0433)2512345, dates).
_ATOMIC = re.compile(
    r"""(?:https?://|ftp://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+
      | [A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+
      | \+?(?:\(\d+\))?\d+(?:[-‐‑–./]\d+)+
      | \(\d+\)\d+""",
    re.VERBOSE,
)

# Mandatory breaks (UAX #14 classes BK, CR, LF, NL): an explicit line break in the text.
_HARD_BREAK = re.compile(r"\r\n|[\n\r\v\f\x85\u2028\u2029]")


class Unbreakable(ValueError):
    """One unit of text that may not be broken (a word, a number, a URL, a character with its
    kinsoku neighbours) is wider than the line even alone. ``unit`` is that text."""

    def __init__(self, unit: str):
        self.unit = unit
        super().__init__(f"“{unit}” cannot be broken and is wider than the line")


class TextDoesNotFit(ValueError):
    """The text does not fit its box even at the smallest allowed size.

    Raw facts as attributes, for the caller to phrase (in mm and pt, with the field's path):
    ``box_w``, ``box_h`` (px), ``min_px`` (the smallest size tried), ``size_needed_hint`` (the
    largest size below ``min_px`` at which it would fit, or ``None`` when it fits at no size),
    ``reason`` (``"width"``: an unbreakable ``unit`` is wider than the box; ``"height"``: too many
    lines for the box; ``"lines"``: more than ``max_lines`` lines), ``unit`` and ``lines``
    (the line count at ``min_px``, ``None`` for ``"width"``).
    """

    def __init__(self, *, box_w: int, box_h: int, min_px: int, size_needed_hint: int | None,
                 reason: str, unit: str | None = None, lines: int | None = None,
                 max_lines: int | None = None):
        self.box_w, self.box_h, self.min_px = box_w, box_h, min_px
        self.size_needed_hint, self.reason, self.unit, self.lines = (
            size_needed_hint, reason, unit, lines)
        self.max_lines = max_lines
        why = {
            "width": f"“{unit}” cannot be broken and is wider than the box",
            "height": f"{lines} lines are taller than the box",
            "lines": f"{lines} lines are more than the {max_lines} allowed",
        }[reason]
        hint = (f"; it would fit at {size_needed_hint} px" if size_needed_hint
                else "")
        super().__init__(
            f"text does not fit in {box_w}×{box_h} px even at {min_px} px ({why}){hint}; "
            "shorten it or choose a larger format"
        )


@functools.lru_cache(maxsize=16)
def _hb_font(path: str, index: int):
    """A HarfBuzz font of face ``index`` of ``path`` at its design units (one per process)."""
    import uharfbuzz as hb

    from .fonts import hb_face

    return hb.Font(hb_face(path, index))


@functools.lru_cache(maxsize=1 << 16)
def advance_units(face: FontFace, tag: str, text: str) -> int:
    """The advance width of ``text`` shaped by HarfBuzz in ``face`` for the language ``tag``
    (kerning and ``locl`` applied), in font units.  Cached: fitting measures the same lines at
    many sizes, and unhinted advances scale linearly with the size."""
    import uharfbuzz as hb

    if not text:
        return 0
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    buf.language = tag
    hb.shape(_hb_font(face.path, face.index), buf, {})
    return sum(pos.x_advance for pos in buf.glyph_positions)


@functools.lru_cache(maxsize=1 << 14)
def ink_units(face: FontFace, tag: str, text: str) -> tuple[int, int]:
    """How far the ink of ``text`` (shaped as :func:`advance_units` shapes it) reaches above
    and below the baseline, in font units (both positive outwards; 0 for no ink)."""
    import uharfbuzz as hb

    if not text:
        return 0, 0
    font = _hb_font(face.path, face.index)
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    buf.language = tag
    hb.shape(font, buf, {})
    top = bottom = 0
    for info, pos in zip(buf.glyph_infos, buf.glyph_positions):
        extents = font.get_glyph_extents(info.codepoint)
        if extents is None or extents.height == 0:
            continue
        top = max(top, pos.y_offset + extents.y_bearing)
        bottom = max(bottom, -(pos.y_offset + extents.y_bearing + extents.height))
    return top, bottom


def line_width(face: FontFace, lang: str, text: str, size_px: float) -> float:
    """The width of ``text`` at ``size_px`` px per em, as the PDF sets it (HarfBuzz advances,
    unhinted, the same engine raqm uses for the preview)."""
    font = _hb_font(face.path, face.index)
    return advance_units(face, lang_tag(lang), text) * size_px / font.face.upem


def lang_tag(lang: str) -> str:
    """The BCP 47 tag passed to raqm/HarfBuzz for ``lang``: ``zh`` → ``zh-Hans``, ``ko`` →
    ``ko`` (``zh-Hans``, ``ko-KR`` ... accepted). HarfBuzz maps it to the OpenType language
    system (ZHS, KOR) whose ``locl`` forms are used. Raises ``ValueError`` for other languages.
    """
    return {"zh": "zh-Hans", "ko": "ko", "zh-hant": "zh-Hant", "ja": "ja"}[normalize_lang(lang)]


def _east_asian_property(ch: str) -> LineBreak:
    """UAX #14 line break class, with AI (ambiguous) resolved to ID as in East Asian text."""
    lb = line_break(ch)
    return LineBreak.ID if lb == LineBreak.AI else lb


_HANGUL = frozenset((LineBreak.H2, LineBreak.H3, LineBreak.JL, LineBreak.JV, LineBreak.JT))


def _is_hangul(ch: str) -> bool:
    """Hangul syllable or jamo (UAX #14 classes H2, H3, JL, JV, JT)."""
    return line_break(ch) in _HANGUL


def _same_group(a: str, b: str) -> bool:
    return any(a in group and b in group for group in _INSEPARABLE_GROUPS)


@functools.lru_cache(maxsize=4)
def _tokenizer(dictionary: str | None):
    """A jieba tokenizer (dictionary-based Chinese word segmentation, the library most Chinese
    projects use) with ``dictionary`` (a jieba user dictionary: one word per line, optionally
    ``word frequency``) added: the theme's ``posters/words.txt`` teaches it local names such as
    二人转 or 老年节. One per process and dictionary (lru_cache, built on first use)."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    if dictionary:  # jieba's own load_userdict would take "# comment" lines for words
        with open(dictionary, encoding="utf-8") as lines:
            for line in lines:
                parts = line.split("#", 1)[0].split()
                if parts:
                    freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
                    tokenizer.add_word(parts[0], freq)
    return tokenizer


@functools.lru_cache(maxsize=1024)
def word_boundaries(text: str, dictionary: str | None = None) -> frozenset[int]:
    """Indexes ``i`` where a Chinese word ends in ``text`` (jieba, dictionary only, no HMM
    guessing of unknown words), e.g. 长白山|人口|文化节 → {3, 5, 8}. ``dictionary``: a jieba user
    dictionary file (see :func:`_tokenizer`)."""
    ends, i = set(), 0
    for word in _tokenizer(dictionary).cut(text, HMM=False):
        i += len(word)
        ends.add(i)
    return frozenset(ends)


def _is_han(ch: str) -> bool:
    return unicodedata.category(ch) == "Lo" and "CJK" in unicodedata.name(ch, "")


@functools.lru_cache(maxsize=1024)
def _paragraph_breaks(text: str, lang: str, words: bool = False, dictionary: str | None = None) -> tuple[int, ...]:
    """Break opportunities inside one paragraph (no hard breaks): indexes 0 < i < len.

    ``words`` (Chinese only): no break inside a word between two Han characters (word ends from
    :func:`word_boundaries`), so a headline breaks 长白山|人口文化节, not 长白|山.
    Cached: fit_text wraps the same text at many sizes, and UAX #14 is computed in Python."""
    if len(text) < 2:
        return ()
    ends = word_boundaries(text, dictionary) if words and lang == "zh" else None
    allowed = list(line_break_breakables(text, property=_east_asian_property))
    inside_atomic = [False] * (len(text) + 1)
    for m in _ATOMIC.finditer(text):
        for i in range(m.start() + 1, m.end()):
            inside_atomic[i] = True
    korean = lang == "ko"
    result = []
    for i in range(1, len(text)):
        if not allowed[i] or inside_atomic[i]:
            continue
        cur, prev = text[i], text[i - 1]
        if korean and not (prev.isspace() or prev == "\u200b"):
            continue  # Korean: only between eojeol (after a space), never between syllables
        if _is_hangul(prev) and _is_hangul(cur):
            continue  # a Korean word inside Chinese text stays whole too (keep-all)
        if cur in LINE_START_PROHIBITED or _same_group(prev, cur):
            continue
        if ends is not None and i not in ends and (_is_han(prev) or prev.isdigit()) and _is_han(cur):
            continue  # inside a Chinese word (2026年 counts as one)
        j = i - 1
        while j > 0 and text[j].isspace():
            j -= 1
        if text[j] in LINE_END_PROHIBITED:
            continue
        result.append(i)
    return tuple(result)


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of the paragraphs between hard line breaks."""
    spans, start = [], 0
    for m in _HARD_BREAK.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return spans


def break_opportunities(text: str, lang: str) -> list[int]:
    """Indexes ``i`` (0 < i < len(text)) where a line may break, i.e. between ``text[i-1]`` and
    ``text[i]``, sorted. A hard line break (``\\n`` ...) gives the index after it.

    ``lang`` is ``zh`` or ``ko`` (``zh-Hans``, ``ko-KR`` ... accepted). Rules: UAX #14
    tailored by clreq §6.1.1 kinsoku, inseparable ——/……, atomic URLs/phone numbers and Korean
    keep-all (see the module docstring). Breaking *after* spaces: spaces stay at the end of the
    line before, where :func:`wrap` drops them.
    """
    code = normalize_lang(lang)
    result: list[int] = []
    paragraphs = _paragraphs(text)
    for n, (start, end) in enumerate(paragraphs):
        result.extend(start + i for i in _paragraph_breaks(text[start:end], code))
        if n + 1 < len(paragraphs):
            nxt = paragraphs[n + 1][0]
            if 0 < nxt < len(text):
                result.append(nxt)
    return result


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


MIN_SYLLABLES = 2  # a Korean word broken between syllables keeps at least this many on each line


def syllable_breaks(unit: str) -> list[int]:
    """Where a Korean word (a unit with no break opportunity inside, :func:`break_opportunities`)
    may be broken between syllables when it is wider than a whole line: indexes ``i`` with a
    Hangul syllable on both sides (KLREQ, W3C *Requirements for Hangul Text Layout and
    Typography*, §3.3 "Line breaking": Korean may break between any two Hangul syllables), keeping
    at least :data:`MIN_SYLLABLES` syllables of the run on each side (no orphan syllable, the
    Korean counterpart of the rule against a lone character on a line).  Never next to a digit,
    a Latin letter or punctuation, so numbers (``2027년``), words and kinsoku marks stay as they
    are."""
    out = []
    for i in range(1, len(unit)):
        if not (_is_hangul(unit[i - 1]) and _is_hangul(unit[i])):
            continue
        before = after = 0
        j = i - 1
        while j >= 0 and _is_hangul(unit[j]):
            before, j = before + 1, j - 1
        j = i
        while j < len(unit) and _is_hangul(unit[j]):
            after, j = after + 1, j + 1
        if before >= MIN_SYLLABLES and after >= MIN_SYLLABLES:
            out.append(i)
    return out


def _split_unit(para: str, s: int, e: int, fits: Callable[[str], bool]) -> list[tuple[int, int]]:
    """Break the Korean word ``para[s:e]``, wider than a line, between syllables
    (:func:`syllable_breaks`): each piece as long as ``fits`` allows (greedy), none shorter than
    :data:`MIN_SYLLABLES` characters, choosing only breaks after which the rest can still be
    set (so no lone syllable is left at the end).  Returns the pieces' spans; raises
    :class:`Unbreakable` with the rest of the word when it cannot be set so (a line narrower
    than two syllables, or an odd run on a two-syllable line)."""
    breaks = [s + i for i in syllable_breaks(para[s:e])]

    @functools.lru_cache(maxsize=None)
    def settable(start: int) -> bool:
        return fits(para[start:e]) or any(b - start >= MIN_SYLLABLES and fits(para[start:b]) and settable(b)
                                          for b in breaks if b > start)

    pieces, start = [], s
    while not fits(para[start:e]):
        fitting = [b for b in breaks if b - start >= MIN_SYLLABLES and fits(para[start:b]) and settable(b)]
        if not fitting:
            raise Unbreakable(para[start:e])
        pieces.append((start, fitting[-1]))
        start = fitting[-1]
    pieces.append((start, e))
    return pieces


def wrap_spans(text: str, lang: str, fits: Callable[[str], bool], words: bool = False,
               dictionary: str | None = None, syllables: bool = True) -> list[tuple[int, int]]:
    """Like :func:`wrap`, but the lines as ``(start, end)`` indexes into ``text`` (spaces at
    line ends excluded), so a caller can map lines back to the source text."""
    code = normalize_lang(lang)
    lo, hi = _strip_span(text, 0, len(text))
    if lo == hi:
        return []
    korean = syllables and code == "ko"
    lines: list[tuple[int, int]] = []
    for p_start, p_end in _paragraphs(text[lo:hi]):
        p_start, p_end = p_start + lo, p_end + lo
        para = text[p_start:p_end]
        bounds = [0, *_paragraph_breaks(para, code, words, dictionary), len(para)]
        line_start = line_end = 0
        for u_start, u_end in zip(bounds, bounds[1:]):
            cs, ce = _strip_span(para, line_start, line_end)
            if ce > cs:  # the line has text: add this unit if the longer line still fits
                s, e = _strip_span(para, line_start, u_end)
                if fits(para[s:e]):
                    line_end = u_end
                    continue
                lines.append((p_start + cs, p_start + ce))  # full: emit it, start a new one
                line_start = u_start
            s, e = _strip_span(para, u_start, u_end)
            if e > s and not fits(para[s:e]):
                if not korean:
                    raise Unbreakable(para[s:e])
                # KLREQ: a Korean word wider than a whole line breaks between syllables; its
                # last piece starts the next line
                pieces = _split_unit(para, s, e, fits)
                lines += [(p_start + a, p_start + b) for a, b in pieces[:-1]]
                line_start = pieces[-1][0]
            line_end = u_end
        s, e = _strip_span(para, line_start, line_end)
        lines.append((p_start + s, p_start + e))
    return lines


def wrap(text: str, lang: str, fits: Callable[[str], bool], words: bool = False,
         dictionary: str | None = None, syllables: bool = True) -> list[str]:
    """Break ``text`` into lines by greedy filling: each line takes as many units (the text
    between two :func:`break_opportunities`) as ``fits(line)`` accepts.

    ``fits`` receives a candidate line without its end spaces and says whether it fits the width
    (measure it whole: kerning and shaping make widths non-additive). Spaces at line ends are
    dropped; hard line breaks are kept (an empty paragraph gives an empty line). Chinese breaks
    between any two Han characters except where kinsoku forbids (clreq §6.1.1, push-out, no
    hanging punctuation), Korean only at spaces; Latin words, numbers, URLs and phone numbers stay
    whole. With ``words`` Chinese breaks only between words (:func:`word_boundaries`;
    ``dictionary`` adds words), as Korean does between eojeol.  A Korean word wider than a whole
    line is broken between syllables (``syllables``, default on; :func:`syllable_breaks`: KLREQ,
    at least two syllables on each side, never inside a number); it starts a new line.
    Raises :class:`Unbreakable` when one unit does not fit even alone (for a Korean word: when
    even its smallest piece does not).
    """
    return [text[s:e] for s, e in wrap_spans(text, lang, fits, words, dictionary, syllables)]


@dataclass
class FittedText:
    """A text wrapped and sized for its box (all lengths in px).

    ``size_px``: font size (px per em); ``lines``: the lines; ``line_height_px``: distance
    between baselines; ``width_px``: the widest line's advance width (rounded up);
    ``height_px``: ``len(lines) × line_height_px``, plus the ink of the first and last line that
    reaches out of its line (``ink_top_px`` above the first line: tall brackets, accents; below
    the last: descenders), so that everything drawn stays inside; ``font``: the Pillow font at
    that size; ``face``: its face.
    """

    size_px: int
    lines: list[str]
    line_height_px: int
    width_px: int
    height_px: int
    _font: ImageFont.FreeTypeFont | None = dataclass_field(compare=False, repr=False)
    face: FontFace | None = dataclass_field(default=None, compare=False, repr=False)
    ink_top_px: int = 0
    syllable_break: bool = dataclass_field(default=False, compare=False)  # a Korean word broken (KLREQ)

    @property
    def font(self) -> ImageFont.FreeTypeFont:
        """The Pillow font at this size (loaded on first use: fitting tries many sizes)."""
        if self._font is None:
            self._font = load_font(self.face, self.size_px)
        return self._font


def _broke_syllables(text: str, spans: list[tuple[int, int]]) -> bool:
    """Whether a line break of ``spans`` (from :func:`wrap_spans`) falls between two Hangul
    syllables with no space between them (inside a Korean word)."""
    return any(a_end == b_start and _is_hangul(text[a_end - 1]) and _is_hangul(text[b_start])
               for (_a, a_end), (b_start, _b) in zip(spans, spans[1:]))


def _baseline_in_slot(face: FontFace | None, size_px: int, line_height_px: int) -> int:
    """Distance in px from the top of a line's slot to its baseline: the face's ideographic em
    box centred in the line height (CSS half-leading)."""
    em_top, em_bottom = em_box(face) if face else (0.88, 0.12)
    return round((line_height_px - size_px * (em_top + em_bottom)) / 2 + size_px * em_top)


def line_height(size_px: int, line_spacing: float) -> int:
    """Distance between baselines in px: ``size_px × line_spacing`` rounded, at least 1."""
    return max(1, round(size_px * line_spacing))


def fit_text(text: str, lang: str, face: FontFace, box_w: int, box_h: int, min_px: int,
             max_px: int, line_spacing: float = 1.25, max_lines: int | None = None,
             field: str = "text", balance: bool = False, words: bool = False,
             dictionary: str | None = None, word_size_ratio: float = 0.85) -> FittedText:
    """The largest font size in ``[min_px, max_px]`` (px per em) at which ``text``, wrapped by
    :func:`wrap` with real measured widths (:func:`line_width`: the line shaped by HarfBuzz with
    the language's ``locl`` forms, as the PDF sets it; raqm, the preview's layout, uses the same
    engine), fits a box of ``box_w`` × ``box_h`` px: every line at most ``box_w`` wide,
    ``lines × line height`` at most ``box_h``, and at most ``max_lines`` lines when given.

    Binary search over integer sizes. ``line_spacing`` is the line height in ems (1.25 keeps
    Latin descenders inside the line). The text's coverage by ``face`` is checked first
    (``field`` names the text in the error). With ``balance`` the lines are then evened out, as
    CSS ``text-wrap: balance`` does for headlines: the narrowest width that keeps the same number
    of lines is used, so the last line is not left with a character or two.
    With ``words`` (Chinese) lines break between words only (:func:`word_boundaries`,
    ``dictionary`` adds words) when that still fits at ``word_size_ratio`` × the size that
    breaking between any characters reaches; otherwise between characters (kinsoku always holds).

    Raises :class:`~plugins.posters.fonts.MissingGlyphs` (naming ``field``) when the face cannot
    draw a character, :class:`TextDoesNotFit` when the text does not fit even at ``min_px``,
    ``ValueError`` for an empty box or ``min_px > max_px``.
    """
    if box_w < 1 or box_h < 1:
        raise ValueError(f"empty text box {box_w}×{box_h} px")
    if not 1 <= min_px <= max_px:
        raise ValueError(f"font sizes must satisfy 1 <= min_px <= max_px, got {min_px}, {max_px}")
    if line_spacing <= 0:
        raise ValueError(f"line_spacing must be positive, got {line_spacing}")
    if max_lines is not None and max_lines < 1:
        raise ValueError(f"max_lines must be at least 1, got {max_lines}")
    check_coverage(text, face, field)
    tag = lang_tag(lang)

    by_word = False  # the wrap mode attempt() uses; switched on below when words fit
    by_syllable = True  # Korean: a word wider than the line may break between syllables

    def attempt(size: int, width_px: int = box_w) -> FittedText | tuple[str, str | None, int | None]:
        def fits(line: str) -> bool:
            # HarfBuzz's unhinted advances: what the PDF sets (raqm, the preview's layout,
            # rounds each advance to 1/64 px: the same to a twentieth of a pixel)
            return line_width(face, lang, line, size) <= width_px + 1e-6

        try:
            spans = wrap_spans(text, lang, fits, by_word, dictionary, by_syllable)
        except Unbreakable as exc:
            return ("width", exc.unit, None)
        lines = [text[a:b] for a, b in spans]
        lh = line_height(size, line_spacing)
        if max_lines is not None and len(lines) > max_lines:
            return ("lines", None, len(lines))
        if len(lines) * lh > box_h:
            return ("height", None, len(lines))
        width = max((line_width(face, lang, line, size) for line in lines), default=0.0)
        over_top = over_bottom = 0
        if lines:  # ink reaching out of the first/last line's slot (brackets, descenders)
            baseline = _baseline_in_slot(face, size, lh)
            k = size / _hb_font(face.path, face.index).face.upem
            over_top = max(0, math.ceil(ink_units(face, tag, lines[0])[0] * k) - baseline)
            over_bottom = max(0, baseline + math.ceil(ink_units(face, tag, lines[-1])[1] * k) - lh)
        height = len(lines) * lh + over_top + over_bottom
        if height > box_h:
            return ("height", None, len(lines))
        return FittedText(size, lines, lh, math.ceil(width), height, None, face, over_top,
                          by_syllable and _broke_syllables(text, spans))

    best = attempt(min_px)
    if not isinstance(best, FittedText):
        reason, unit, n_lines = best
        lo, hi, hint = 1, min_px - 1, None  # largest smaller size that fits, for the message
        while lo <= hi:
            mid = (lo + hi) // 2
            if isinstance(attempt(mid), FittedText):
                hint, lo = mid, mid + 1
            else:
                hi = mid - 1
        raise TextDoesNotFit(box_w=box_w, box_h=box_h, min_px=min_px, size_needed_hint=hint,
                             reason=reason, unit=unit, lines=n_lines, max_lines=max_lines)
    lo, hi = min_px, max_px
    while lo < hi:
        mid = (lo + hi + 1) // 2
        result = attempt(mid)
        if isinstance(result, FittedText):
            best, lo = result, mid
        else:
            hi = mid - 1
    if words and normalize_lang(lang) == "zh":
        by_word = True
        lo, hi, found = max(min_px, math.ceil(best.size_px * word_size_ratio)), best.size_px, None
        while lo <= hi:  # the largest size at which whole words still fit
            mid = (lo + hi + 1) // 2
            result = attempt(mid)
            if isinstance(result, FittedText):
                found, lo = result, mid + 1
            else:
                hi = mid - 1
        if found is None:
            by_word = False
        else:
            best = found
    if normalize_lang(lang) == "ko" and best.syllable_break:
        # Korean breaks between words (keep-all) wherever that still fits at word_size_ratio x
        # the size that breaking between syllables reaches (as Chinese headlines keep words)
        by_syllable = False
        lo, hi, found = max(min_px, math.ceil(best.size_px * word_size_ratio)), best.size_px, None
        while lo <= hi:
            mid = (lo + hi + 1) // 2
            result = attempt(mid)
            if isinstance(result, FittedText):
                found, lo = result, mid + 1
            else:
                hi = mid - 1
        if found is None:
            by_syllable = True
        else:
            best = found

    def balanced() -> FittedText | None:
        # greedy filling needs no more lines at a larger width, so the narrowest width that
        # keeps the line count is found by binary search
        count, lo, hi = len(best.lines), 1, best.width_px
        while lo < hi:
            mid = (lo + hi) // 2
            result = attempt(best.size_px, mid)
            if isinstance(result, FittedText) and len(result.lines) <= count:
                hi = mid
            else:
                lo = mid + 1
        result = attempt(best.size_px, lo)
        return result if isinstance(result, FittedText) else None

    if len(best.lines) > 1 and (balance or _lone_character(best.lines[-1])):
        # balance asked for; or W3C clreq / jlreq: a paragraph does not end in a line of one
        # character (a date line "…5月3日周" / "一"), so its lines are balanced the same way
        result = balanced()
        if result is not None and (balance or not _lone_character(result.lines[-1])):
            best = result
    return best


def _lone_character(line: str) -> bool:
    """True when ``line`` holds one character besides punctuation and spaces."""
    return sum(1 for ch in line if not ch.isspace() and not unicodedata.category(ch).startswith("P")) == 1


def place_text(box: tuple[int, int, int, int], fitted: FittedText, lang: str, align: str = "left",
               valign: str = "top") -> list[tuple[int, int, str, tuple[int, int, int, int]]]:
    """Where the lines of ``fitted`` go in ``box`` = (left, top, right, bottom) px: one
    ``(x, baseline, line, ink box)`` per line, the pen position of the line's start on its
    baseline and the bounding box of its ink (px, as :meth:`ImageDraw.textbbox` gives it).

    ``align``: ``left``/``center``/``right``; ``valign``: ``top``/``middle``/``bottom`` place the
    block of ``len(lines) × line height`` in the box. Each line's ideographic em box (from the
    font's typographic ascender/descender) is centred in its line height (CSS half-leading).
    This is the one placement that the PNG preview (:func:`draw_text`) and the vector PDF both
    draw, so both show the same lines at the same places. Raises ``ValueError`` when ``fitted``
    is larger than ``box`` or for an unknown alignment.
    """
    left, top, right, bottom = box
    box_w, box_h = right - left, bottom - top
    if fitted.width_px > box_w or fitted.height_px > box_h:
        raise ValueError(f"text of {fitted.width_px}×{fitted.height_px} px does not fit the box "
                         f"{box_w}×{box_h} px; fit it to this box with fit_text()")
    if align not in ("left", "center", "right") or valign not in ("top", "middle", "bottom"):
        raise ValueError(f"unknown alignment {align!r}/{valign!r}")
    tag = lang_tag(lang)
    font, size, lh = fitted.font, fitted.size_px, fitted.line_height_px
    y0 = top + fitted.ink_top_px + {"top": 0, "middle": (box_h - fitted.height_px) // 2,
                                    "bottom": box_h - fitted.height_px}[valign]
    in_slot = _baseline_in_slot(fitted.face, size, lh)
    placed = []
    for i, line in enumerate(fitted.lines):
        width = line_width(fitted.face, lang, line, size) if fitted.face else font.getlength(line, language=tag)
        x = left + {"left": 0, "center": math.floor((box_w - width) / 2),
                    "right": math.floor(box_w - width)}[align]
        ink_left, ink_top, ink_right, ink_bottom = font.getbbox(line, anchor="ls", language=tag)
        if x + ink_right > right:  # a glyph whose ink overhangs its advance: keep it inside
            x = right - math.ceil(ink_right)
        if x + ink_left < left:
            x = left - math.floor(ink_left)
        baseline = y0 + i * lh + in_slot
        placed.append((x, baseline, line, (int(x + ink_left), int(baseline + ink_top), int(x + ink_right),
                                           int(baseline + ink_bottom))))
    return placed


def draw_text(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], fitted: FittedText,
              lang: str, fill, align: str = "left", valign: str = "top"
              ) -> list[tuple[int, int, int, int]]:
    """Draw ``fitted`` into ``box`` = (left, top, right, bottom) px as :func:`place_text` places
    it and return each drawn line's bounding box (px, as :meth:`ImageDraw.textbbox` gives it).
    The language goes to raqm. Raises ``ValueError`` when ``fitted`` is larger than ``box`` or
    for an unknown alignment.
    """
    tag = lang_tag(lang)
    boxes = []
    for x, baseline, line, _ink in place_text(box, fitted, lang, align, valign):
        draw.text((x, baseline), line, font=fitted.font, fill=fill, anchor="ls", language=tag)
        x0, y0_, x1, y1 = draw.textbbox((x, baseline), line, font=fitted.font, anchor="ls",
                                        language=tag)
        boxes.append((int(x0), int(y0_), int(x1), int(y1)))
    return boxes
