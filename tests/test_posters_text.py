"""Poster text (plugins/posters/fonts.py, text.py): cases P1 (line breaking) and P3 (missing
glyphs) of /work/shared/cases/posters.md, font lookup, headline fitting and drawing.

Everything runs on the real Noto CJK fonts found through fontconfig, with widths measured by
Pillow's raqm layout, and on real rendered images.
"""

from __future__ import annotations

import math
import random
import re
import sys
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins"))

from posters import fonts as fonts_mod  # noqa: E402
from posters.fonts import (  # noqa: E402
    FontFace, FontNotFound, MissingGlyphs, check_coverage, find_face, load_font,
    missing_characters,
)
from posters.text import (  # noqa: E402
    LINE_END_PROHIBITED, LINE_START_PROHIBITED, FittedText, TextDoesNotFit, Unbreakable,
    break_opportunities, draw_text, fit_text, lang_tag, line_width, word_boundaries, wrap, wrap_spans,
)

P1_ZH = "创建幸福家庭，共建美好未来。让每个家庭都享有健康、文明、幸福的生活！"
P1_KO = "행복한 가정을 함께 만들어 갑시다"
P1_YEAR = "2026年长白山人口文化节"
# Dashes, ellipses, quotation marks and brackets of every kind in one text.
PUNCT_ZH = "我们常说：“家和万事兴”——这是（传统）美德……《人口文化》「幸福」『家庭』【通知】！"

# The sets from the case text, written out here independently of the module's constants.
CASE_START = set("，。、；：？！）》」』”’")
CASE_END = set("（《「『“‘")
# The brief's full clreq / JIS X 4051 sets.
FULL_START = set("）］｝〕〉》」』】〙〗〟’”｠»、。，．：；？！‼⁇⁈⁉・ー…‥") | set(",.:;?!)]}")
FULL_END = set("（［｛〔〈《「『【〘〖〝‘“｟«") | set("([{")


def chars(limit):
    """A fits() that counts characters."""
    return lambda line: len(line) <= limit


def pixels(font, tag, limit):
    """A fits() on real measured widths (raqm)."""
    return lambda line: font.getlength(line, language=tag) <= limit


def check_lines(text, lang, fits, spans, *, start_set=FULL_START, end_set=FULL_END):
    """The invariants of a correct wrap: lines are consecutive pieces of the text (only spaces
    dropped), each fits, no kinsoku violation, ——/…… whole, every break at an allowed
    opportunity, and the filling is greedy (the next unit would not have fitted)."""
    opportunities = set(break_opportunities(text, lang))
    lines = [text[s:e] for s, e in spans]
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for n, (s, e) in enumerate(spans):
        line = text[s:e]
        assert line and line == line.strip()
        assert fits(line), line
        if n:
            assert line[0] not in start_set, (lines, n)
            # the break is at an opportunity; only spaces are dropped around it
            gap = range(spans[n - 1][1], s + 1)
            assert not text[gap.start:s].strip(), (lines, n)
            assert any(o in opportunities for o in gap), (lines, n)
        if n + 1 < len(spans):
            assert line[-1] not in end_set, (lines, n)
            # greedy: the line plus the next unit would not fit
            nxt = min(o for o in opportunities | {len(text)} if o > spans[n + 1][0])
            assert not fits(text[s:nxt].strip()), (lines, n)
        for pair in ("——", "……"):
            assert not (line.endswith(pair[0]) and n + 1 < len(spans)
                        and lines[n + 1].startswith(pair[1])), (lines, n)
    return lines


# --------------------------------------------------------------------------------------------
# P1: line breaking


def test_P1_chinese_every_character_width():
    """P1: at every width from 1 to the full length (in characters), no line begins with
    ，。、；：？！）》」』”’, none ends with （《「『“‘; a width narrower than a kinsoku unit
    (庭， is two characters that must stay together) is reported, not overflowed."""
    for width in range(1, len(P1_ZH) + 1):
        fits = chars(width)
        if width == 1:
            with pytest.raises(Unbreakable) as err:
                wrap(P1_ZH, "zh", fits)
            assert err.value.unit == "庭，"
            continue
        spans = wrap_spans(P1_ZH, "zh", fits)
        lines = check_lines(P1_ZH, "zh", fits, spans, start_set=CASE_START, end_set=CASE_END)
        assert lines == wrap(P1_ZH, "zh-Hans", fits)
        if width == len(P1_ZH):
            assert lines == [P1_ZH]
    # a known answer: 7 characters a line pushes 享 ... as clreq's push-out does
    assert wrap(P1_ZH, "zh", chars(5)) == [
        "创建幸福家", "庭，共建美", "好未来。让", "每个家庭都", "享有健康、", "文明、幸福", "的生活！"]
    assert wrap(P1_ZH, "zh", chars(6)) == [
        "创建幸福家", "庭，共建美好", "未来。让每个", "家庭都享有健", "康、文明、幸", "福的生活！"]


def test_P1_dashes_ellipses_quotes_every_width():
    """P1: "——" and "……" are never split; quotes and brackets follow the kinsoku rules at every
    width."""
    for width in range(1, len(PUNCT_ZH) + 1):
        fits = chars(width)
        try:
            spans = wrap_spans(PUNCT_ZH, "zh", fits)
        except Unbreakable as exc:
            assert len(exc.unit) > width
            assert not any(0 < i < len(exc.unit) for i in break_opportunities(exc.unit, "zh"))
            continue
        lines = check_lines(PUNCT_ZH, "zh", fits, spans)
        for line in lines:
            assert line.count("—") % 2 == 0 and line.count("…") % 2 == 0, lines
    assert all(i not in break_opportunities(PUNCT_ZH, "zh")
               for i in (PUNCT_ZH.index("——") + 1, PUNCT_ZH.index("……") + 1))


def test_P1_korean_breaks_only_at_spaces_every_width():
    """P1: Korean "행복한 가정을 함께 만들어 갑시다" breaks only at spaces, at every width;
    narrower than a word (3 syllables) is reported."""
    words = P1_KO.split(" ")
    assert break_opportunities(P1_KO, "ko") == [i + 1 for i, c in enumerate(P1_KO) if c == " "]
    for width in range(1, len(P1_KO) + 1):
        fits = chars(width)
        if width < 3:
            with pytest.raises(Unbreakable) as err:
                wrap(P1_KO, "ko", fits)
            assert err.value.unit == "행복한"
            continue
        lines = check_lines(P1_KO, "ko", fits, wrap_spans(P1_KO, "ko-KR", fits))
        assert " ".join(lines) == P1_KO
        assert [w for line in lines for w in line.split(" ")] == words
    assert wrap(P1_KO, "ko", chars(7)) == ["행복한 가정을", "함께 만들어", "갑시다"]


def test_P1_year_never_split_every_width():
    """P1: "2026年长白山人口文化节" never splits "2026" (the break before 年 is allowed)."""
    for width in range(1, len(P1_YEAR) + 1):
        fits = chars(width)
        if width < 4:
            with pytest.raises(Unbreakable) as err:
                wrap(P1_YEAR, "zh", fits)
            assert err.value.unit == "2026"
            continue
        lines = check_lines(P1_YEAR, "zh", fits, wrap_spans(P1_YEAR, "zh", fits))
        assert sum("2026" in line for line in lines) == 1
    assert wrap(P1_YEAR, "zh", chars(4)) == ["2026", "年长白山", "人口文化", "节"]


@pytest.mark.parametrize("text,lang", [(P1_ZH, "zh"), (PUNCT_ZH, "zh"), (P1_KO, "ko"),
                                       (P1_YEAR, "zh")])
def test_P1_every_pixel_width_real_font(text, lang):
    """P1 with the real font: at every pixel width from 1 to the text's measured width, the
    lines fit when measured by raqm, and the kinsoku / Korean / number rules hold."""
    face = find_face(lang, "sans", "bold")
    tag = lang_tag(lang)
    font = load_font(face, 20)
    full = int(font.getlength(text, language=tag)) + 1
    smallest = None
    for width in range(1, full + 1):
        fits = pixels(font, tag, width)
        try:
            spans = wrap_spans(text, lang, fits)
        except Unbreakable as exc:
            assert font.getlength(exc.unit, language=tag) > width
            continue
        smallest = smallest or width
        lines = check_lines(text, lang, fits, spans)
        assert all(font.getlength(line, language=tag) <= width for line in lines)
        if lang == "ko":
            assert " ".join(lines) == text
        if "2026" in text:
            assert sum("2026" in line for line in lines) == 1
    assert wrap(text, lang, pixels(font, tag, full)) == [text]
    # wrapping works from exactly the width of the widest unbreakable unit on
    bounds = [0, *break_opportunities(text, lang), len(text)]
    widest = max(font.getlength(text[a:b].strip(), language=tag) for a, b in zip(bounds, bounds[1:]))
    assert smallest == math.ceil(widest)


@pytest.mark.parametrize("mark", sorted(FULL_START | LINE_START_PROHIBITED))
def test_P1_no_line_starts_with_any_closing_or_stop_mark(mark):
    """P1 for the whole clreq / JIS X 4051 line-start-prohibited set, full- and half-width."""
    text = f"人口文化{mark}幸福家庭{mark}{mark}共建"
    for width in range(2, len(text) + 1):
        try:
            lines = wrap(text, "zh", chars(width))
        except Unbreakable as exc:
            assert len(exc.unit) > width and mark in exc.unit
            continue
        assert all(not line.startswith(mark) for line in lines), lines


@pytest.mark.parametrize("mark", sorted(FULL_END | LINE_END_PROHIBITED))
def test_P1_no_line_ends_with_any_opening_mark(mark):
    """P1 for the whole line-end-prohibited set, full- and half-width."""
    text = f"人口文化{mark}幸福家庭{mark}共建"
    for width in range(2, len(text) + 1):
        lines = wrap(text, "zh", chars(width))
        assert all(not line.endswith(mark) for line in lines[:-1]), lines


@pytest.mark.parametrize("token", [
    "0433-2512345", "(0433)2512345", "2026-08-15", "3.5%", "98.6％", "12,000", "9:30",
    "https://www.jl.gov.cn/rkwh/index.html?id=12&lang=zh", "www.yanbian.gov.cn",
    "rkwh@yanbian.gov.cn", "Jindallae", "COVID-19",
])
def test_P1_numbers_urls_phones_and_words_kept_whole(token):
    """P1: numbers (decimals, percent, dates), URLs, e-mail addresses, phone numbers and Latin
    words are never broken inside, in Chinese and in Korean text."""
    for lang, text in (("zh", f"咨询电话{token}，欢迎参加"), ("ko", f"문의 {token} 환영합니다")):
        start = text.index(token)
        inside = set(range(start + 1, start + len(token)))
        assert not inside & set(break_opportunities(text, lang)), (token, lang)
        for width in range(len(token) + 1, len(text) + 1):  # the unit is token + "，"
            lines = wrap(text, lang, chars(width))
            assert sum(token in line for line in lines) == 1, lines
        with pytest.raises(Unbreakable) as err:
            wrap(text, lang, chars(len(token) - 1))
        assert token in err.value.unit


def test_P1_spaces_dropped_at_line_ends_and_hard_breaks_kept():
    assert wrap("长白山  人口文化节", "zh", chars(4)) == ["长白山", "人口文化", "节"]
    assert wrap("延边人口\n文化节", "zh", chars(10)) == ["延边人口", "文化节"]
    assert wrap("  행복한   가정  ", "ko", chars(4)) == ["행복한", "가정"]
    assert wrap("", "zh", chars(3)) == [] and wrap("   ", "ko", chars(3)) == []
    assert break_opportunities("人口\n文化", "zh") == [1, 3, 4]


def test_P1_interpunct_connector_and_separation_marks_never_start_a_line():
    """P1 (clreq §6.1.1): the interpunct in a transcribed name, the connector ～ in a date range
    and the separation mark / never begin a line, at every width."""
    for text, mark in (("克里斯蒂娜·罗塞蒂来到延吉市", "·"), ("8月15日～8月17日举办", "～"),
                       ("人口／家庭／健康", "／"), ("延边–长白山", "–")):
        for width in range(2, len(text) + 1):
            try:
                lines = wrap(text, "zh", chars(width))
            except Unbreakable as exc:
                assert len(exc.unit) > width
                continue
            assert not any(line.startswith(mark) for line in lines), lines
            assert "".join(lines) == text


def test_P1_korean_word_inside_chinese_text_stays_whole():
    text = "欢迎参加진달래文化节"
    assert break_opportunities(text, "zh") == [1, 2, 3, 4, 7, 8, 9]
    assert wrap(text, "zh", chars(4)) == ["欢迎参加", "진달래文", "化节"]


def test_P1_hard_line_breaks_start_new_lines():
    """An explicit line break (a list of points) always starts a new line; each paragraph is
    wrapped on its own."""
    text = "• 免费孕前检查\n• 长白山人口文化节，欢迎参加！\r\n\n• 0433-2512345"
    # the bullet stays with the text after it, the phone number stays whole
    assert wrap(text, "zh", chars(14)) == [
        "• 免费孕前检查", "• 长白山人口文化节，欢迎参", "加！", "", "• 0433-2512345"]
    with pytest.raises(Unbreakable) as err:
        wrap(text, "zh", chars(13))
    assert err.value.unit == "• 0433-2512345"
    face = find_face("zh")
    fitted = fit_text(text, "zh", face, 400, 600, 10, 100)
    assert fitted.lines[0] == "• 免费孕前检查" and fitted.lines[-1].endswith("0433-2512345")
    assert "" in fitted.lines


def test_face_and_language_select_local_glyph_forms():
    """The SC face draws Chinese forms and the KR face Korean forms, and draw_text passes the
    language to raqm: 骨 differs between the faces and, in the KR face, between zh and ko."""
    def render(face, lang):
        fitted = fit_text("骨直", lang, face, 200, 100, 48, 48)
        image = Image.new("L", (200, 100), 255)
        draw_text(ImageDraw.Draw(image), (0, 0, 200, 100), fitted, lang, 0)
        return image.tobytes()

    sc, kr = find_face("zh"), find_face("ko")
    assert render(sc, "zh") != render(kr, "ko")
    assert render(kr, "ko") != render(kr, "zh")
    assert render(sc, "zh") == render(sc, "zh-Hans")


_HAN = "人口文化节长白山延边吉林幸福家庭健康文明和谐美好未来共建创造"
_HANGUL_WORDS = ["행복한", "가정을", "함께", "만들어", "갑시다", "인구문화", "연길시", "노인절에"]
_KEEP = ["——", "……", "2026", "3.5%", "0433-2512345", "https://jl.gov.cn/a", "Pelican",
         "12,000"]


def _random_zh(rng: random.Random) -> tuple[str, list[tuple[int, int]]]:
    """A random Chinese text mixing Han, every kinsoku mark, dashes, numbers, URLs, words and
    spaces; returns the text and the spans of the runs that must stay whole."""
    parts, keep, pos = [], [], 0

    def add(s, whole=False):
        nonlocal pos
        if whole:
            keep.append((pos, pos + len(s)))
        parts.append(s)
        pos += len(s)

    add(rng.choice(_HAN))
    for _ in range(rng.randint(3, 25)):
        kind = rng.random()
        if kind < 0.45:
            add("".join(rng.choice(_HAN) for _ in range(rng.randint(1, 4))))
        elif kind < 0.6:
            add(rng.choice(sorted(FULL_START - set("…‥"))))
            if rng.random() < 0.3:
                add(rng.choice(sorted(FULL_START - set("…‥"))))
        elif kind < 0.72:
            add(rng.choice(sorted(FULL_END)))
            add(rng.choice(_HAN))
        elif kind < 0.95:
            token = rng.choice(_KEEP)
            if not token[0] in "—…" and parts and parts[-1][-1].isascii():
                add(" ")
            add(token, whole=True)
            if not token[-1] in "—…":
                add(" " if rng.random() < 0.5 else rng.choice(_HAN))
        else:
            add(" ")
    add(rng.choice(_HAN))
    return "".join(parts), keep


def test_P1_random_mixed_chinese_texts():
    """P1 property test (seeded): for random mixed texts at random widths, every line fits,
    no kinsoku violation, runs that must stay whole are never split, the filling is greedy,
    and an Unbreakable unit really has no break opportunity inside and is too wide."""
    rng = random.Random(20261129)
    checked = 0
    for _ in range(300):
        text, keep = _random_zh(rng)
        opportunities = set(break_opportunities(text, "zh"))
        for s, e in keep:
            assert not opportunities & set(range(s + 1, e)), (text, text[s:e])
        for width in rng.sample(range(1, len(text) + 1), min(6, len(text))):
            fits = chars(width)
            try:
                spans = wrap_spans(text, "zh", fits)
            except Unbreakable as exc:
                assert len(exc.unit.strip()) > width
                start = text.index(exc.unit)
                assert not opportunities & set(range(start + 1, start + len(exc.unit)))
                continue
            check_lines(text, "zh", fits, spans)
            for s, e in keep:
                assert sum(ls <= s and e <= le for ls, le in spans) == 1, (text, text[s:e])
            checked += 1
    assert checked > 500


def test_P1_random_mixed_texts_real_pixel_widths():
    """P1 property test (seeded) on measured widths: random mixed texts wrapped with the real
    regular and bold faces at random pixel widths obey the same invariants."""
    rng = random.Random(4051)
    faces = [find_face("zh", "sans", "regular"), find_face("zh", "serif", "bold")]
    wrapped = 0
    for n in range(60):
        text, keep = _random_zh(rng)
        font = load_font(faces[n % 2], rng.choice((12, 17, 24, 31)))
        full = int(font.getlength(text, language="zh-Hans")) + 1
        for width in rng.sample(range(1, full + 1), 5):
            fits = pixels(font, "zh-Hans", width)
            try:
                spans = wrap_spans(text, "zh", fits)
            except Unbreakable as exc:
                assert font.getlength(exc.unit.strip(), language="zh-Hans") > width
                continue
            check_lines(text, "zh", fits, spans)
            for s, e in keep:
                assert sum(ls <= s and e <= le for ls, le in spans) == 1, (text, text[s:e])
            wrapped += 1
    assert wrapped > 100


def test_P1_random_korean_texts_break_only_at_spaces():
    """P1 property test (seeded) for Korean: lines are whole eojeol joined by single spaces."""
    rng = random.Random(7)
    for _ in range(200):
        words = [rng.choice(_HANGUL_WORDS + ["2026년", "0433-2512345", "“행복”", "(가정)"])
                 for _ in range(rng.randint(1, 12))]
        text = " ".join(words)
        for width in range(max(len(w) for w in words), len(text) + 1, 3):
            lines = wrap(text, "ko", chars(width))
            assert [w for line in lines for w in line.split(" ")] == words
            assert all(len(line) <= width for line in lines)
            # greedy: the next word would not have fitted
            assert all(len(a) + 1 + len(b.split(" ")[0]) > width for a, b in zip(lines, lines[1:]))


# --------------------------------------------------------------------------------------------
# Fonts


def _names(face: FontFace) -> tuple[str, str]:
    """The face's family and subfamily from its own name table (not from fontconfig)."""
    font = TTFont(face.path, fontNumber=face.index, lazy=True)
    try:
        return (font["name"].getDebugName(1), font["name"].getDebugName(2))
    finally:
        font.close()


@pytest.mark.parametrize("lang,region", [("zh", "SC"), ("zh-Hans", "SC"), ("ko", "KR"),
                                         ("ko-KR", "KR")])
@pytest.mark.parametrize("family", ["sans", "serif"])
@pytest.mark.parametrize("weight", ["regular", "bold"])
def test_fonts_found(lang, region, family, weight):
    """Noto Sans and Serif CJK, regular and bold: the SC face for Chinese, the KR face for
    Korean, checked in the font file's own name table at the collection index."""
    face = find_face(lang, family, weight)
    assert Path(face.path).is_file() and face.path.endswith(".ttc")
    expected = f"Noto {family.title()} CJK {region}"
    assert face.family == expected
    assert _names(face) == (expected, weight.title()) and face.style == weight.title()
    assert face.lang == ("zh" if lang.startswith("zh") else "ko")
    assert find_face(lang, family, weight) is face  # cached


def test_fonts_nearest_weight():
    """A weight that fonts-noto-cjk does not have falls back to the nearest installed one."""
    assert _names(find_face("zh", "sans", "black"))[1] in ("Black", "Bold")
    assert _names(find_face("ko", "sans", "medium"))[1] in ("Medium", "Regular")
    with pytest.raises(ValueError):
        find_face("zh", "sans", "fat")
    with pytest.raises(ValueError):
        find_face("zh", "mono")
    with pytest.raises(ValueError):
        find_face("de")


def test_font_not_found_when_fontconfig_substitutes(tmp_path, monkeypatch):
    """fc-match silently offers DejaVu when Noto CJK is missing: that is FontNotFound telling
    how to install the fonts (a fontconfig configuration that sees only DejaVu)."""
    dejavu = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not dejavu.exists():
        pytest.skip("DejaVu Sans is not installed")
    fonts_dir = tmp_path / "fonts"
    fonts_dir.mkdir()
    (fonts_dir / dejavu.name).write_bytes(dejavu.read_bytes())
    conf = tmp_path / "fonts.conf"
    conf.write_text(f"<?xml version='1.0'?><fontconfig><dir>{fonts_dir}</dir>"
                    f"<cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>")
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))
    find_face.cache_clear()
    try:
        with pytest.raises(FontNotFound) as err:
            find_face("zh", "sans", "bold")
        assert "apt-get install fonts-noto-cjk" in str(err.value)
        assert "Noto Sans CJK SC" in str(err.value) and err.value.font == "Noto Sans CJK SC"
        assert "字体" in err.value.message("zh") and "글꼴" in err.value.message("ko")
        for lang in ("zh", "ko", "en"):
            assert "apt-get install fonts-noto-cjk" in err.value.message(lang)
    finally:
        find_face.cache_clear()


def test_font_not_found_when_fontconfig_points_at_another_face(monkeypatch):
    """A stale fontconfig cache naming the wrong collection index is caught by reading the
    face's own name table (index 0 of the collection is the JP face, not SC)."""
    real = fonts_mod._fc_match(f"Noto Sans CJK SC:weight=200")
    monkeypatch.setattr(fonts_mod, "_fc_match", lambda pattern: (real[0], 0, real[2]))
    find_face.cache_clear()
    try:
        with pytest.raises(FontNotFound) as err:
            find_face("zh", "sans", "bold")
        assert "fc-cache" in str(err.value) and "Noto Sans CJK JP" in str(err.value)
    finally:
        find_face.cache_clear()


# --------------------------------------------------------------------------------------------
# P3: missing glyphs


@pytest.mark.parametrize("char", ["𪚥", "𠀀", "😀", "🎉"])
def test_P3_missing_character_is_an_error_naming_it_and_the_field(char):
    """P3: a headline with a character the font lacks (rare Han outside the font, emoji) is an
    error naming the character (and U+XXXX) and the field, in zh, ko and en."""
    face = find_face("zh", "sans", "bold")
    headline = f"长白山{char}人口文化节"
    with pytest.raises(MissingGlyphs) as err:
        check_coverage(headline, face, "title")
    exc = err.value
    assert exc.chars == [char] and exc.field == "title"
    code = f"U+{ord(char):04X}"
    for lang in ("zh", "ko", "en"):
        message = exc.message(lang)
        assert char in message and code in message and "title" in message
    assert "字体" in exc.message("zh") and "글꼴" in exc.message("ko") and "font" in str(exc)
    # fit_text checks coverage before laying out: no tofu box can reach a poster
    with pytest.raises(MissingGlyphs) as err:
        fit_text(headline, "zh", face, 800, 200, 10, 100, field="headline")
    assert err.value.field == "headline" and err.value.chars == [char]


def test_P3_several_missing_characters_listed_once_in_order():
    face = find_face("ko")
    assert missing_characters("😀가𪚥나😀 \t\n", face) == ["😀", "𪚥"]
    with pytest.raises(MissingGlyphs) as err:
        check_coverage("😀가𪚥나😀", face, "subtitle")
    assert err.value.chars == ["😀", "𪚥"]
    assert "U+1F600" in err.value.message("ko") and "U+2A6A5" in err.value.message("ko")


def test_P3_normal_headlines_pass():
    """P3: ordinary Chinese and Korean headlines (with punctuation, digits, Latin, full-width
    forms, and rare-but-covered Han such as 𠮷) draw with their faces."""
    assert check_coverage(P1_ZH + P1_YEAR + PUNCT_ZH + "ＡＢＣ１２３ Jilin ①×°𠮷龘",
                          find_face("zh"), "title") is None
    assert check_coverage(P1_KO + " 2026년 “노인절” (연길시) – 0433-2512345",
                          find_face("ko"), "title") is None
    # zero-width joiners, variation selectors and spaces are not glyphs to check
    assert missing_characters("人\u200d口\ufe0f文\u3000化\u00a0", find_face("zh")) == []


def test_P3_missing_glyph_would_really_print_as_tofu():
    """What the check prevents: Pillow draws the font's .notdef box for a missing character (the
    same pixels for two different missing characters), while two covered characters differ."""
    font = load_font(find_face("zh"), 48)

    def ink(ch):
        image = Image.new("L", (64, 64), 255)
        ImageDraw.Draw(image).text((8, 8), ch, font=font, fill=0, language="zh-Hans")
        return image.tobytes()

    assert ink("𪚥") == ink("𠀀") != ink("人")
    assert ink("人") != ink("口")


# --------------------------------------------------------------------------------------------
# fit_text / draw_text


def test_fit_text_shorter_text_gets_larger_size():
    face = find_face("zh")
    long = fit_text(P1_ZH, "zh", face, 1200, 400, 10, 300)
    short = fit_text("幸福家庭", "zh", face, 1200, 400, 10, 300)
    assert short.size_px > long.size_px
    for fitted in (long, short):
        tag = "zh-Hans"
        assert fitted.height_px == len(fitted.lines) * fitted.line_height_px <= 400
        assert all(fitted.font.getlength(line, language=tag) <= 1200 for line in fitted.lines)
        assert fitted.width_px <= 1200
        assert "".join(fitted.lines) == (P1_ZH if fitted is long else "幸福家庭")
    # the size is the largest that fits: one pixel more does not
    with pytest.raises(TextDoesNotFit):
        fit_text(P1_ZH, "zh", face, 1200, 400, long.size_px + 1, 300)
    assert fit_text(P1_ZH, "zh", face, 1200, 400, long.size_px, long.size_px) == long


def test_fit_text_balance_evens_out_lines():
    """balance=True keeps the size and the number of lines but narrows the lines, so the last
    line is not a lone character or two; the kinsoku rules still hold."""
    face = find_face("zh")
    greedy = fit_text(P1_ZH, "zh", face, 600, 400, 40, 40)  # 15 characters a line: 15, 15, 4
    balanced = fit_text(P1_ZH, "zh", face, 600, 400, 40, 40, balance=True)
    assert [len(line) for line in greedy.lines] == [15, 15, 4]
    assert balanced.size_px == greedy.size_px and len(balanced.lines) == len(greedy.lines) > 1
    assert balanced.width_px <= greedy.width_px
    lengths = [len(line) for line in balanced.lines]
    assert max(lengths) - min(lengths) <= 2, balanced.lines
    assert min(lengths) > min(len(line) for line in greedy.lines)
    assert "".join(balanced.lines) == P1_ZH
    assert not any(line[0] in CASE_START for line in balanced.lines[1:])
    # one line stays one line
    assert fit_text("幸福家庭", "zh", face, 1000, 300, 10, 200, balance=True).lines == ["幸福家庭"]


def test_fit_text_respects_min_and_max():
    face = find_face("ko")
    fitted = fit_text("가정", "ko", face, 2000, 2000, 20, 120)
    assert fitted.size_px == 120 and fitted.lines == ["가정"]
    assert fitted.line_height_px == 150 and fitted.height_px == 150
    fitted = fit_text(P1_KO, "ko", face, 500, 400, 40, 400, line_spacing=1.5)
    assert 40 <= fitted.size_px <= 400 and fitted.line_height_px == round(fitted.size_px * 1.5)
    assert all(" " not in (line[0], line[-1]) for line in fitted.lines)
    one = fit_text(P1_KO, "ko", face, 500, 400, 10, 400, max_lines=1)
    assert len(one.lines) == 1 and one.size_px < fitted.size_px
    with pytest.raises(ValueError):
        fit_text("가정", "ko", face, 100, 100, 50, 40)
    with pytest.raises(ValueError):
        fit_text("가정", "ko", face, 100, 100, 10, 40, max_lines=0)
    with pytest.raises(ValueError):
        fit_text("가정", "ko", face, 0, 100, 10, 40)


def test_fit_text_raises_when_text_does_not_fit():
    face = find_face("zh")
    with pytest.raises(TextDoesNotFit) as err:
        fit_text(P1_ZH, "zh", face, 300, 60, 30, 80)
    exc = err.value
    assert (exc.box_w, exc.box_h, exc.min_px) == (300, 60, 30)
    assert exc.reason == "height" and exc.lines > 1
    assert "300×60 px" in str(exc) and "30 px" in str(exc)
    hint = exc.size_needed_hint
    assert hint is not None and hint < 30
    assert fit_text(P1_ZH, "zh", face, 300, 60, hint, hint).size_px == hint  # the hint is true
    # an unbreakable unit wider than the box: reported with the unit
    url = "https://www.jl.gov.cn/rkwh/2026/changbaishan.html"
    with pytest.raises(TextDoesNotFit) as err:
        fit_text(f"详见{url}", "zh", face, 200, 400, 20, 60)
    assert err.value.reason == "width" and err.value.unit == url
    with pytest.raises(TextDoesNotFit) as err:
        fit_text(P1_ZH, "zh", face, 600, 2000, 30, 80, max_lines=1)
    assert err.value.reason == "lines" and err.value.max_lines == 1


def _ink_bbox(image: Image.Image):
    return Image.eval(image.convert("L"), lambda v: 255 - v).point(
        lambda v: 255 if v > 0 else 0).getbbox()


@pytest.mark.parametrize("text,lang", [(P1_ZH, "zh"), (P1_KO + " Jilian 2026 (g/y)", "ko"),
                                       (PUNCT_ZH, "zh")])
@pytest.mark.parametrize("align,valign", [("left", "top"), ("center", "middle"),
                                          ("right", "bottom")])
def test_draw_text_stays_inside_box(text, lang, align, valign):
    """Rendered onto a real image, every non-white pixel lies inside the box, the returned line
    boxes too, and alignment puts the ink where asked."""
    face = find_face(lang)
    box = (40, 30, 640, 330)
    fitted = fit_text(text, lang, face, 600, 300, 10, 200)
    image = Image.new("RGB", (700, 380), "white")
    boxes = draw_text(ImageDraw.Draw(image), box, fitted, lang, "black", align, valign)
    assert len(boxes) == len(fitted.lines)
    x0, y0, x1, y1 = _ink_bbox(image)
    assert box[0] <= x0 and box[1] <= y0 and x1 <= box[2] and y1 <= box[3], (x0, y0, x1, y1)
    for bx0, by0, bx1, by1 in boxes:
        assert box[0] <= bx0 <= bx1 <= box[2] and box[1] <= by0 <= by1 <= box[3]
    assert all(a[3] <= b[1] for a, b in zip(boxes, boxes[1:]))  # lines do not overlap
    slack = fitted.size_px  # ink sits within one em of the aligned edge
    if align == "left":
        assert x0 - box[0] < slack / 4
    if align == "right":
        assert box[2] - x1 < slack / 4
    if valign == "top":
        assert y0 - box[1] < slack
    if valign == "bottom":
        assert box[3] - y1 < slack
    if valign == "middle":
        assert abs((y0 + y1) / 2 - (box[1] + box[3]) / 2) < slack / 2


def test_draw_text_refuses_a_box_too_small():
    face = find_face("zh")
    fitted = fit_text(P1_YEAR, "zh", face, 600, 300, 10, 200)
    assert isinstance(fitted, FittedText)
    image = Image.new("RGB", (700, 380), "white")
    with pytest.raises(ValueError):
        draw_text(ImageDraw.Draw(image), (0, 0, 300, 300), fitted, "zh", "black")
    assert _ink_bbox(image) is None  # nothing drawn


def test_lang_tag():
    assert lang_tag("zh") == lang_tag("zh-Hans") == lang_tag("zh_CN") == "zh-Hans"
    assert lang_tag("ko") == lang_tag("ko-KR") == "ko"
    with pytest.raises(ValueError):
        lang_tag("fr")
    assert fonts_mod.normalize_lang("ZH-hans") == "zh"


WORDS_FILE = str(Path(__file__).resolve().parents[1] / "themes" / "jindallae" / "posters" / "words.txt")
HEADLINES = ["2027年延边朝鲜族老年节敬老活动", "幸福家庭二人转送戏下乡巡演（德惠站）",
             "第二届长白山人口文化暨幸福家庭文化论坛", "2027龙井梨花节", P1_ZH, P1_YEAR]


@pytest.mark.parametrize("text", HEADLINES)
def test_P1_word_breaks_keep_words_whole_and_kinsoku(text):
    """Headlines (words=True) break only at word ends (jieba with the theme's words.txt), at
    every width where the longest word fits; the P1 kinsoku rules still hold at every width."""
    ends = word_boundaries(text, WORDS_FILE)
    longest = max(b - a for a, b in zip([0, *sorted(ends)], sorted(ends)))
    for width in range(1, len(text) + 1):
        try:
            lines = wrap(text, "zh", lambda line: len(line) <= width, True, WORDS_FILE)
        except Unbreakable:
            assert width < longest + 2  # a word (with a mark pushed onto it) wider than the line
            continue
        assert "".join(lines) == text
        for line in lines:
            assert line[0] not in CASE_START and line[-1] not in CASE_END, lines
        pos = 0
        for line in lines[:-1]:
            pos += len(line)
            prev, cur = text[pos - 1], text[pos]
            if "\u4e00" <= cur <= "\u9fff" and ("\u4e00" <= prev <= "\u9fff" or prev.isdigit()):
                assert pos in ends, (width, lines)


def test_word_boundaries_use_the_theme_dictionary():
    assert "|".join(_cut("2027年延边朝鲜族老年节敬老活动", WORDS_FILE)) == "2027|年|延边|朝鲜族|老年节|敬老活动"
    # without the theme's words jieba cuts 老|年节 (the holiday's name is not in its dictionary)
    assert "老|年节" in "|".join(_cut("2027年延边朝鲜族老年节敬老活动", None))


def _cut(text, dictionary):
    ends = sorted(word_boundaries(text, dictionary))
    return [text[a:b] for a, b in zip([0, *ends], ends)]


def test_fit_text_words_balanced_headline():
    """A two-line headline keeps 龙井 together (not 2027龙|井梨花节) and still balances."""
    face = find_face("zh", "sans", "bold")
    font = load_font(face, 100)
    width = math.ceil(font.getlength("2027龙井梨花", language="zh-Hans"))
    fitted = fit_text("2027龙井梨花节", "zh", face, width, 400, 40, 100, balance=True, words=True,
                      dictionary=WORDS_FILE)
    assert fitted.lines == ["2027龙井", "梨花节"]
    plain = fit_text("2027龙井梨花节", "zh", face, width, 400, 40, 100, balance=True)
    assert plain.lines == ["2027龙", "井梨花节"]


def test_fit_text_words_fall_back_to_characters_when_a_word_is_too_wide():
    """A word wider than the box: word breaking would need a much smaller size, so the
    headline breaks between characters (kinsoku still applies) at the larger size — and not
    into a lone last character (敬老活 / 动 becomes 敬老 / 活动)."""
    face = find_face("zh", "sans", "bold")
    font = load_font(face, 100)
    width = math.ceil(font.getlength("敬老活", language="zh-Hans"))
    words = fit_text("敬老活动", "zh", face, width, 1000, 20, 100, words=True, dictionary=WORDS_FILE)
    chars = fit_text("敬老活动", "zh", face, width, 1000, 20, 100)
    assert words.size_px == chars.size_px == 100
    assert words.lines == chars.lines == ["敬老", "活动"]


# --------------------------------------------------------------------------------------------
# P1 Korean: a word wider than the line breaks between syllables (KLREQ)

KO_RUN = "연변조선족자치주인구문화촉진회창립삼십주년기념행사"  # 25 syllables, no space
_HANGUL_RUN = "".join(chr(c) for c in range(0xAC00, 0xAC00 + 11172, 97))


def _hangul(ch):
    return "\uac00" <= ch <= "\ud7a3"


def check_korean(text, fits, spans):
    """The invariants of Korean wrapping with the syllable fallback: lines are consecutive
    pieces of the text (only spaces dropped), each fits, no kinsoku violation; a line break
    with no space at it falls inside a word that does not fit a whole line, between two Hangul
    syllables, with at least two syllables of the Hangul run on each side; numbers and Latin
    words are never broken; a word that fits a line is never broken."""
    lines = [text[s:e] for s, e in spans]
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    opportunities = set(break_opportunities(text, "ko"))
    for n, (s, e) in enumerate(spans):
        line = text[s:e]
        assert line and line == line.strip() and fits(line), (lines, n)
        if n:
            assert line[0] not in FULL_START, (lines, n)
            prev_end = spans[n - 1][1]
            if prev_end == s:  # no space between: a break inside a word
                a, b = text[s - 1], text[s]
                assert _hangul(a) and _hangul(b), (lines, n)
                run_start = s
                while run_start > 0 and _hangul(text[run_start - 1]):
                    run_start -= 1
                run_end = s
                while run_end < len(text) and _hangul(text[run_end]):
                    run_end += 1
                assert s - run_start >= 2 and run_end - s >= 2, (lines, n)
                w_start = text.rfind(" ", 0, s) + 1
                w_end = text.find(" ", s)
                word = text[w_start:w_end if w_end >= 0 else len(text)]
                assert not fits(word), (lines, n, word)  # only a word wider than a whole line
            else:
                assert any(o in opportunities for o in range(prev_end, s + 1)), (lines, n)
        if n + 1 < len(spans):
            assert line[-1] not in FULL_END, (lines, n)
    for m in re.finditer(r"\d[\d.,:%-]*\d|\d", text):
        assert sum(s <= m.start() and m.end() <= e for s, e in spans) == 1, (lines, m.group())
    for m in re.finditer(r"[A-Za-z]+", text):
        assert sum(s <= m.start() and m.end() <= e for s, e in spans) == 1, (lines, m.group())
    return lines


def test_P1_korean_word_wider_than_the_line_breaks_between_syllables_every_width():
    """A 25-syllable run without a space: at every width from 2 to its length it breaks
    between syllables (it used to be shrunk onto one line, and a 50-syllable run failed with
    "cannot be broken"); every piece keeps two syllables or more; the filling is greedy."""
    for width in range(1, len(KO_RUN) + 1):
        fits = chars(width)
        if width == 1 or width == 2 and len(KO_RUN) % 2:  # no piece of one syllable
            with pytest.raises(Unbreakable):
                wrap(KO_RUN, "ko", fits)
            continue
        spans = wrap_spans(KO_RUN, "ko", fits)
        lines = check_korean(KO_RUN, fits, spans)
        assert all(len(line) >= 2 for line in lines)
        for line, rest in zip(lines, lines[1:]):
            # greedy: one syllable more would not fit, or would leave a lone syllable after
            assert len(line) == width or len(KO_RUN) - KO_RUN.index(line) - len(line) - 1 < 2 or \
                len(line) + 1 > width, (width, lines)
        if width == len(KO_RUN):
            assert lines == [KO_RUN]
    assert wrap(KO_RUN, "ko", chars(10)) == ["연변조선족자치주인구", "문화촉진회창립삼십주", "년기념행사"]
    # two syllables at least on each side: 10 syllables would leave 카 alone
    assert wrap("가나다라마바사아자차카", "ko", chars(10)) == ["가나다라마바사아자", "차카"]
    assert wrap(KO_RUN * 2, "ko", chars(24))[0] == KO_RUN[:24]
    # without the fallback (keep-all only) the old behaviour stays available
    with pytest.raises(Unbreakable):
        wrap(KO_RUN, "ko", chars(10), syllables=False)


@pytest.mark.parametrize("insert", [" ", "，", ",", ".", "?", "!", "·", ")", "(", "“", "”", "2027", "3.5%",
                                    "0433-2512345", "Jilin", "——", "……"])
def test_P1_korean_syllable_breaks_at_every_character_position(insert):
    """A space, a kinsoku mark, a number or a Latin word inserted at every character position
    of a long Korean word: at every width the lines obey the KLREQ fallback rules (breaks only
    between syllables of a word wider than the line, two syllables at least on each side),
    kinsoku, and numbers and words stay whole."""
    for i in range(len(KO_RUN) + 1):
        text = (KO_RUN[:i] + insert + KO_RUN[i:]).strip()
        for width in range(2, len(text) + 1, 2):
            fits = chars(width)
            try:
                spans = wrap_spans(text, "ko", fits)
            except Unbreakable as exc:
                assert len(exc.unit) > width, (text, width, exc.unit)
                continue
            check_korean(text, fits, spans)


def test_P1_random_korean_texts_with_long_words():
    """Property test (seeded): random Korean texts mixing short words, long runs without spaces
    (up to 40 syllables), numbers, Latin words and punctuation, wrapped at random widths, by
    characters and by real pixel widths: every KLREQ invariant holds, and a text whose every
    word fits the line breaks only at spaces, as before."""
    rng = random.Random(20270815)
    face = find_face("ko", "sans", "bold")
    font = load_font(face, 20)
    checked = 0
    for n in range(250):
        words = []
        for _ in range(rng.randint(1, 8)):
            kind = rng.random()
            if kind < 0.35:
                words.append("".join(rng.choice(_HANGUL_RUN) for _ in range(rng.randint(8, 40))))
            elif kind < 0.75:
                words.append(rng.choice(_HANGUL_WORDS))
            elif kind < 0.85:
                words.append(rng.choice(["2027년", "3.5%", "0433-2512345", "12,000", "Jindallae"]))
            else:
                words.append(rng.choice(_HANGUL_WORDS) + rng.choice(["，", ".", "!", "?", "·"]))
        text = " ".join(words)
        if n % 5 == 0:
            full = int(font.getlength(text, language="ko")) + 1
            fits_list = [pixels(font, "ko", rng.randint(20, full)) for _ in range(3)]
        else:
            fits_list = [chars(rng.randint(2, len(text))) for _ in range(3)]
        for fits in fits_list:
            try:
                spans = wrap_spans(text, "ko", fits)
            except Unbreakable as exc:
                assert not fits(exc.unit.strip())
                continue
            check_korean(text, fits, spans)
            if all(fits(w) for w in words):
                assert [w for line in [text[s:e] for s, e in spans] for w in line.split(" ")] == words
            checked += 1
    assert checked > 500


def test_fit_text_korean_headline_without_spaces_breaks():
    """fit_text: a 25- and a 50-syllable Korean headline without spaces is set on several lines
    at a larger size than one line would allow (the 50-syllable one used to fail); a spaced
    headline still breaks at its spaces (keep-all preferred while it fits at 85 % of the size)."""
    face = find_face("ko", "sans", "bold")
    for run in (KO_RUN, KO_RUN + KO_RUN[:25]):
        fitted = fit_text(run, "ko", face, 1000, 600, 20, 200, max_lines=4, balance=True)
        one_line = fit_text(run, "ko", face, 1000, 600, 5, 200, max_lines=1)
        assert len(fitted.lines) > 1 and "".join(fitted.lines) == run
        assert fitted.size_px > 1.5 * one_line.size_px
        assert fitted.syllable_break and all(len(line) >= 2 for line in fitted.lines)
    spaced = fit_text(P1_KO, "ko", face, 600, 600, 20, 200, balance=True)
    assert not spaced.syllable_break and " ".join(spaced.lines) == P1_KO
    with pytest.raises(TextDoesNotFit):
        fit_text(KO_RUN * 8, "ko", face, 1000, 600, 40, 200, max_lines=3)


def test_fit_text_never_ends_in_a_lone_character():
    """A date line "2027年4月28日周三至5月3日周一" at every box width from 2 to 30 characters
    of 40 px: whenever it takes several lines, the last holds at least two characters (W3C
    clreq / jlreq: no paragraph ends in a line of one character), the size is the one greedy
    filling reaches and the text is complete; kinsoku holds."""
    face = find_face("zh")
    text = "2027年4月28日周三至5月3日周一"
    seen_lone_greedy = 0
    for chars in range(2, 31):
        width = chars * 40
        try:
            fitted = fit_text(text, "zh", face, width, 2000, 40, 40)
        except TextDoesNotFit:
            continue
        greedy = wrap(text, "zh", lambda line: line_width(face, "zh", line, 40) <= width + 1e-6)
        seen_lone_greedy += len(greedy) > 1 and len(greedy[-1].strip()) == 1
        assert "".join(fitted.lines) == text
        assert len(fitted.lines) == len(greedy)
        if len(fitted.lines) > 1:
            assert len(fitted.lines[-1].strip()) >= 2, (chars, fitted.lines)
        assert not any(line[0] in CASE_START for line in fitted.lines[1:])
    assert seen_lone_greedy  # the rule was needed at some width
