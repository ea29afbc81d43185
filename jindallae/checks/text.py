"""Checks of the prose itself: Traditional characters in Simplified pages, paste debris, mixed
punctuation and terms to avoid.

Every function takes "prose lines": ``(file line, text)`` where everything that is not prose
(code, URLs, tag markup, link syntax) has been replaced by :data:`HOLE`, so columns stay those of
the file and nothing in code or URLs is ever reported or changed.
"""

from __future__ import annotations

import bisect
import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from jindallae.markup import ALLOWED_TAGS

from .report import Finding, make_finding

HOLE = "\ue000"  # a private-use character: not CJK, not punctuation, passed through by OpenCC

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HANGUL = "\uac00-\ud7af\u1100-\u11ff\u3130-\u318f"
_HAN_RE = re.compile(f"[{_HAN}]")
_HANGUL_RE = re.compile(f"[{_HANGUL}]")
_CJK = _HAN + _HANGUL

# A type for the lines the checks read: (1-based file line, text with holes).
ProseLine = tuple[int, str]


def holed(line: str, spans: list[tuple[int, int]]) -> str:
    """``line`` with everything outside ``spans`` replaced by :data:`HOLE`."""
    if len(spans) == 1 and spans[0] == (0, len(line)):
        return line
    out = [HOLE] * len(line)
    for a, b in spans:
        out[a:b] = line[a:b]
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# Traditional characters (OpenCC)


@lru_cache(maxsize=1)
def _t2s():
    # OpenCC (official binding, bundled dictionaries): the "t2s" configuration converts
    # Traditional to Simplified phrase by phrase, so a character that is Simplified in one
    # word and Traditional in another (著名 / 看著, 乾坤 / 乾淨) is only changed where it is
    # Traditional.  Characters it leaves alone are, by its dictionaries, valid Simplified.
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _t2s().convert(text)


# Simplified-Chinese words that OpenCC's t2s still rewrites (乾 in names is not the Traditional
# form of 干): Jilin's 乾安县 and other place names, and fixed words.
SIMPLIFIED_WORDS = ("乾安", "乾县", "乾陵", "乾隆", "乾坤", "乾元")


def traditional_runs(text: str, allow: str = "") -> list[tuple[int, str, str]]:
    """``[(offset, Traditional run, Simplified run)]`` for the characters OpenCC changes in
    ``text`` (adjacent changed characters form one run); characters in ``allow`` are kept, and
    so are the words of ``SIMPLIFIED_WORDS``."""
    conv = to_simplified(text)
    if conv == text:
        return []
    for word in SIMPLIFIED_WORDS:  # put protected words back as written (same length)
        start = text.find(word)
        while start != -1:
            conv = conv[:start] + word + conv[start + len(word):] if len(conv) == len(text) else conv
            start = text.find(word, start + 1)
    if conv == text:
        return []
    runs: list[tuple[int, str, str]] = []
    if len(conv) == len(text):
        i, n = 0, len(text)
        while i < n:
            if text[i] != conv[i] and text[i] not in allow:
                j = i
                while j < n and text[j] != conv[j] and text[j] not in allow:
                    j += 1
                runs.append((i, text[i:j], conv[i:j]))
                i = j
            else:
                i += 1
        return runs
    # A phrase mapped to one of another length: align the two texts.
    matcher = difflib.SequenceMatcher(None, text, conv, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal" and i2 > i1 and not all(c in allow for c in text[i1:i2]):
            runs.append((i1, text[i1:i2], conv[j1:j2]))
    return runs


def _window(text: str, at: int, width: int = 48) -> str:
    text = text.replace(HOLE, " ")
    if len(text) <= width:
        return text.strip()
    start = max(0, min(at - width // 4, len(text) - width))
    return ("…" if start else "") + text[start:start + width].strip() + ("…" if start + width < len(text) else "")


def check_traditional(path: str, lang: str, lines: Iterable[ProseLine], allow: str = "",
                      field_of: dict[int, str] | None = None, fixable_lines: set[int] | None = None) -> list[Finding]:
    """One ``traditional`` finding per line holding Traditional characters, at the first one,
    listing them and the Simplified form; ``detail.changes`` is what ``--fix`` applies.
    ``field_of`` names the front-matter field of a line (body lines are not in it);
    ``fixable_lines`` are the front-matter lines ``--fix`` may change (the title)."""
    out = []
    field_of = field_of or {}
    for lineno, text in lines:
        runs = traditional_runs(text, allow)
        if not runs:
            continue
        simplified = text
        for at, old, new in reversed(runs):
            simplified = simplified[:at] + new + simplified[at + len(old):]
        found = "".join(dict.fromkeys(c for _, old, _ in runs for c in old))
        field = field_of.get(lineno)
        fixable = field is None or lineno in (fixable_lines or ())
        key = "traditional" if fixable else "traditional/field"
        f = make_finding("traditional", path, lineno, runs[0][0] + 1, lang, key, excerpt="".join(old for _, old, _ in runs),
                         detail={"found": list(found), "simplified": _window(simplified, runs[0][0]),
                                 "changes": [[at + 1, old, new] for at, old, new in runs]},
                         found="、".join(found), simplified=_window(simplified, runs[0][0]), field=field or "")
        f.fixable = fixable
        out.append(f)
    return out


# ---------------------------------------------------------------------------------------------
# Paste debris

_QUESTION_RUN = re.compile(rf"(?<=[{_CJK}])\?[?!]*\?|\?[?!]*\?(?=[{_CJK}])")
_NBSP_RUN = re.compile(r"(?:&nbsp;|&#160;|&#[xX][aA]0;|\u00a0)(?:[ \t]*(?:&nbsp;|&#160;|&#[xX][aA]0;|\u00a0))+")
_ELEMENT = (r"(?:[a-z0-9]+:)?(?:span|font|div|p|b|i|u|s|em|strong|a|br|li|ul|ol|table|tbody|thead|tr|td|th|"
            r"h[1-6]|sup|sub|small|big|center|blockquote|pre|code|section|article|strike|del|ins|img|o:p)")
# "/span>" left of a broken tag -- but not after an entity-escaped "<" (&lt; &#60; &#x3C;): that
# is a tag written out on purpose, shown as text (CommonMark §2.5), as in MDN's examples.
_TAG_FRAGMENT = re.compile(rf"(?<![<\w])(?<!&lt;)(?<!&#60;)(?<!&#x3c;)/{_ELEMENT}>|&lt;/?{_ELEMENT}\b[^&]*?&gt;"
                           rf"|<{_ELEMENT}\b[^<>]*$", re.I)
VOID = {"br", "hr", "img", "wbr"}
STYLE_ATTRS = ("style", "face", "color", "size")


def check_debris(path: str, lang: str, lines: Iterable[ProseLine]) -> list[Finding]:
    """Runs of "?" next to CJK text, broken tag fragments and ``&nbsp;`` runs in prose."""
    out = []
    for lineno, text in lines:
        if "?" in text:
            for m in _QUESTION_RUN.finditer(text):
                out.append(make_finding("debris-question", path, lineno, m.start() + 1, lang, excerpt=m.group(),
                                        text=m.group()))
        if ">" in text or "&lt;" in text or "<" in text:
            for m in _TAG_FRAGMENT.finditer(text):
                frag = m.group().replace(HOLE, "").strip()
                out.append(make_finding("debris-tag", path, lineno, m.start() + 1, lang, "debris-tag/fragment",
                                        excerpt=frag, tag=frag))
        if "nbsp" in text or "\u00a0" in text or "&#" in text:
            for m in _NBSP_RUN.finditer(text):
                count = len(re.findall(r"&nbsp;|&#160;|&#[xX][aA]0;|\u00a0", m.group()))
                out.append(make_finding("debris-nbsp", path, lineno, m.start() + 1, lang, excerpt=m.group(), count=count))
    return out


def check_replacement_chars(path: str, lang: str, file_lines: list[str]) -> list[Finding]:
    """U+FFFD anywhere in the file (front matter and code included: it is always damage)."""
    out = []
    for n, line in enumerate(file_lines, 1):
        at = line.find("\ufffd")
        while at >= 0:
            end = at
            while end < len(line) and line[end] == "\ufffd":
                end += 1
            out.append(make_finding("debris-replacement", path, n, at + 1, lang, excerpt=line[max(0, at - 4):end + 4]))
            at = line.find("\ufffd", end)
    return out


@dataclass
class TagAt:
    line: int  # 1-based file line
    col: int  # 1-based
    raw: str
    name: str
    closing: bool
    self_closing: bool
    attrs: dict


def check_tags(path: str, lang: str, tags: list[TagAt]) -> list[Finding]:
    """Raw HTML tags that are paste debris: not allowed by the sanitiser (dropped), carrying
    word-processor formatting, closing a tag never opened, or opened and never closed."""
    out = []
    open_tags: list[TagAt] = []
    dropped: set[str] = set()
    for tag in tags:
        if tag.name not in ALLOWED_TAGS:
            if not tag.closing or tag.name not in dropped:
                out.append(make_finding("debris-tag", path, tag.line, tag.col, lang, "debris-tag/dropped",
                                        excerpt=tag.raw, tag=tag.raw))
            dropped.add(tag.name)
            continue
        if tag.closing:
            for k in range(len(open_tags) - 1, -1, -1):
                if open_tags[k].name == tag.name:
                    del open_tags[k]
                    break
            else:
                out.append(make_finding("debris-tag", path, tag.line, tag.col, lang, "debris-tag/close",
                                        excerpt=tag.raw, tag=tag.raw))
            continue
        pasted = [a for a in STYLE_ATTRS if a in tag.attrs]
        if tag.attrs.get("class", "").lower().startswith("mso"):
            pasted.append(f"class={tag.attrs['class']}")
        if pasted:
            out.append(make_finding("debris-tag", path, tag.line, tag.col, lang, "debris-tag/style",
                                    excerpt=tag.raw, tag=tag.raw if len(tag.raw) <= 40 else tag.raw[:37] + "…",
                                    attr=", ".join(pasted)))
        if not tag.self_closing and tag.name not in VOID:
            open_tags.append(tag)
    for tag in open_tags:
        out.append(make_finding("debris-tag", path, tag.line, tag.col, lang, "debris-tag/unclosed",
                                excerpt=tag.raw, tag=tag.raw, name=tag.name))
    return out


# ---------------------------------------------------------------------------------------------
# Full-width and half-width punctuation in one sentence

_FULL = "，、；：。！？"
_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？", ".": "。"}
_FULL_TO_HALF = {"，": ",", "、": ",", "；": ";", "：": ":", "。": ".", "！": "!", "？": "?"}
_SENTENCE_END = re.compile(r"[。！？]|[!?]|\.(?=\s|$)")


_FULL_RE = re.compile(f"[{_FULL}]")
_HALF_AFTER = {
    "zh": re.compile(rf"(?<=[{_HAN}])[,;:!?.](?!\d)"),  # typed after a Chinese character, not in 1,000 / 10:30
    "ko": re.compile(r"(?<=[^\W\d_])[,;:!?.](?!\d)"),  # after a letter
}


def check_punctuation(path: str, lang: str, lines: Iterable[ProseLine], skip: set[tuple[int, int]] = frozenset()
                      ) -> list[Finding]:
    """A sentence using both full-width and half-width marks: in Chinese the half-width ones
    typed after a Chinese character are reported (they should be full-width); in Korean the
    full-width ones (pasted from Chinese).  ``skip`` holds (line, col) already reported as debris."""
    out = []
    half_re = _HALF_AFTER.get(lang)
    if half_re is None:
        return out
    for lineno, text in lines:
        full = [m.start() for m in _FULL_RE.finditer(text)]
        if not full:
            continue
        half = [m.start() for m in half_re.finditer(text)]
        if not half:
            continue
        ends = [m.end() for m in _SENTENCE_END.finditer(text)]
        sentence_of = lambda i: bisect.bisect_right(ends, i)  # noqa: E731 - index of the sentence holding i
        by_sentence: dict[int, tuple[list[int], list[int]]] = {}
        for i in full:
            by_sentence.setdefault(sentence_of(i), ([], []))[0].append(i)
        for i in half:
            by_sentence.setdefault(sentence_of(i), ([], []))[1].append(i)
        for k in sorted(by_sentence):
            f_marks, h_marks = by_sentence[k]
            if not (f_marks and h_marks):
                continue
            bad = [i for i in (h_marks if lang == "zh" else f_marks) if (lineno, i + 1) not in skip]
            if bad:
                start = ends[k - 1] if k else 0
                end = ends[k] if k < len(ends) else len(text)
                mark = text[bad[0]]
                should = _HALF_TO_FULL[mark] if lang == "zh" else _FULL_TO_HALF[mark]
                out.append(make_finding("punctuation-mix", path, lineno, bad[0] + 1, lang,
                                        excerpt=_window(text[start:end], bad[0] - start, 30), mark=mark, should=should))
    return out


# ---------------------------------------------------------------------------------------------
# Terms to avoid


@dataclass(frozen=True)
class Term:
    avoid: str
    prefer: str
    note: str = ""


class TermList:
    """The terms of one language, matched in one pass by one regular expression."""

    def __init__(self, terms: list[Term]):
        self.terms = {t.avoid: t for t in terms}
        alternatives = sorted(self.terms, key=len, reverse=True)
        self.regex = re.compile("|".join(map(re.escape, alternatives))) if alternatives else None

    def check(self, path: str, lang: str, lines: Iterable[ProseLine]) -> list[Finding]:
        out = []
        if self.regex is None:
            return out
        for lineno, text in lines:
            for m in self.regex.finditer(text):
                term = self.terms[m.group()]
                if self._inside_preferred(text, m.start(), term):
                    continue
                out.append(make_finding("term", path, lineno, m.start() + 1, lang, excerpt=term.avoid,
                                        detail={"prefer": term.prefer, "note": term.note},
                                        avoid=term.avoid, prefer=term.prefer, note=term.note))
        return out

    @staticmethod
    def _inside_preferred(text: str, at: int, term: Term) -> bool:
        """True when the match is part of the preferred wording itself (avoid "计生委", prefer
        "人口计生委": "人口计生委" must pass)."""
        k = term.prefer.find(term.avoid)
        while k >= 0:
            if text[at - k:at - k + len(term.prefer)] == term.prefer:
                return True
            k = term.prefer.find(term.avoid, k + 1)
        return False


# ---------------------------------------------------------------------------------------------
# Alt text language


def alt_language_ok(alt: str, lang: str) -> bool:
    """False when ``alt`` is written in the other site language only: Chinese alt text on a
    Korean page (no Hangul, some Han) or Korean alt text on a Chinese page."""
    if lang == "ko":
        return not (_HAN_RE.search(alt) and not _HANGUL_RE.search(alt))
    if lang == "zh":
        return not (_HANGUL_RE.search(alt) and not _HAN_RE.search(alt))
    return True
