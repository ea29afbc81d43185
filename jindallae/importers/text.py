"""Pasted plain text, CJK spacing and the numbering conventions of Chinese documents.

**One line, one paragraph.**  Text copied from Word, WPS, a PDF report or a WeChat article
carries one paragraph per line, so every non-empty line of plain text becomes a paragraph
(:func:`text_blocks`).  This is only for text that is *imported* or *cleaned up*; a file
written as Markdown keeps Markdown's rule (a line break inside a paragraph is not a new
paragraph, and between Han characters it vanishes: :mod:`jindallae.markup`).

**Spacing** (:func:`tidy_runs`, W3C clreq §3.1: no spaces between Han characters): zero-width
characters are removed; full-width spaces used as indentation (``　　``), spaces and tabs at
the start and end of a paragraph are removed; whitespace between two Han characters or
full-width punctuation marks (``，。、：；！？（）“”《》…—``) is removed; any other run of
whitespace (between Korean words, Latin words, digits) becomes one space.

**Numbering** (:func:`apply_numbering`), following the levels of GB/T 9704-2012 (党政机关公文格式)
for paragraphs that start with a number:

==========  ======================  ==========================================================
level       written                 becomes
==========  ======================  ==========================================================
1           ``一、`` … ``十二、``    a heading ``##`` (the number kept: ``## 一、主要工作``)
2           ``（一）`` / ``(一)``    a heading ``###``
3           ``1.`` ``1．`` ``1、``   an item of an ordered list (``1. …``, the first number kept)
4           ``（1）`` / ``(1)``      an item of an ordered list, nested in the level-3 item above
==========  ======================  ==========================================================

A level-1 or level-2 paragraph becomes a heading only when it reads like one: at most
:data:`HEADING_MAX` characters after the number, no sentence-ending punctuation (``。！？；``)
except one at the end (dropped), and no ``：`` followed by more text (``一、时间：6月12日`` is a
labelled item, not a heading).  Otherwise it stays a paragraph, its number as written.
``一、二年级`` (a number followed by another numeral) and ``1.5万`` / ``3.8`` (a decimal) are
not numbering.  Paragraphs starting with a bullet (``•`` ``●`` ``■`` ``◆`` ``▪`` ``○`` ``·``, the
Symbol-font bullets Word pastes, or ``-`` before a space) become items of an unordered list.
"""

from __future__ import annotations

import re
import unicodedata

from .blocks import Block, Run, plain

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
# Characters set solid in CJK text: Han, CJK punctuation (not U+3000, a space), full-width forms,
# curly quotes, ellipsis, dashes, the middle dot.
TIGHT = HAN + "\u3001-\u303f\uff01-\uff60\uffe0-\uffee\u2018-\u201f\u2026\u2014\u2015\u00b7\u30fb"
_TIGHT_RE = re.compile(f"[{TIGHT}]")
SPACES = " \t\r\n\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_SPACE_RE = re.compile(f"[{SPACES}]")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")

HEADING_MAX = 40  # characters after the number, for a numbered paragraph to be a heading
# A line that starts a Markdown block other than a paragraph (kept as written by clean_paste).
_MARKDOWN_LINE = re.compile(r"^(?: {4}|\t)|^ {0,3}(?:[>|<]|[-+*][ \t]|\d{1,9}[.)][ \t]|!\[|\[\^?[^\]]*\]:?)")

_CN = "一二三四五六七八九十百零〇两"
_L1 = re.compile(rf"^\s*([{_CN}]{{1,4}})、(?![{_CN}])")
_L2 = re.compile(rf"^\s*[（(]([{_CN}]{{1,4}})[）)]")
_L3 = re.compile(r"^\s*(\d{1,3})[.．、](?![\d.．、])")
_L4 = re.compile(r"^\s*[（(](\d{1,3})[）)]")
_BULLET = re.compile("^\\s*(?:[•●■◆▪○□◇►➢✓·\uf0b7\uf0a7\uf076\uf0d8\uf0fc]\\s*|[\\-–§]\\s+)")
_SENTENCE_END = re.compile("[。！？；!?;]")
_LABEL = re.compile("[：:]\\s*\\S")

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def chinese_number(text: str) -> int | None:
    """The value of a Chinese numeral up to 9999 (``十二`` -> 12, ``二十`` -> 20, ``一百零五`` ->
    105); ``None`` when ``text`` is not one."""
    total, digit = 0, None
    units = {"十": 10, "百": 100, "千": 1000}
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in units:
            total += (digit if digit is not None else 1) * units[ch]
            digit = None
        else:
            return None
    return total + (digit or 0) if text else None


def normalise_text(text: str) -> str:
    """Line ends as ``\\n``, NFC, zero-width characters and soft hyphens removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    return _ZERO_WIDTH.sub("", unicodedata.normalize("NFC", text))


# ---------------------------------------------------------------------------------------------
# Spacing


def _is_tight(ch: str | None) -> bool:
    return ch is not None and (ch == "\0note" or bool(_TIGHT_RE.match(ch)))


def tidy_runs(runs: list[Run]) -> list[Run]:
    """``runs`` with the spacing rule of the module docstring applied across run boundaries
    (``**粗体** 正文`` loses the space too).  Footnote references count as Han characters
    (``正文 [^1]`` -> ``正文[^1]``); images and code are left alone; line breaks (``br``) are
    paragraph edges.  Runs that end up empty are dropped."""
    tokens: list[tuple[str, int]] = []  # (char or sentinel, run index)
    markup: set[int] = set()  # emphasis marks of Markdown text: looked through when judging a space
    for index, r in enumerate(runs):
        if r.kind in ("text", "md") and "code" not in r.marks:
            for ch in _ZERO_WIDTH.sub("", r.text):
                if r.kind == "md" and ch in "*_~":
                    markup.add(len(tokens))
                tokens.append((ch, index))
        else:
            sentinel = {"note": "\0note", "br": "\0br"}.get(r.kind, "\0other")
            tokens.append((sentinel, index))
    keep: list[str | None] = []
    n = len(tokens)

    def is_space(k: int) -> bool:
        return len(tokens[k][0]) == 1 and bool(_SPACE_RE.match(tokens[k][0]))

    for k, (ch, _index) in enumerate(tokens):
        if not is_space(k):
            keep.append(ch)
            continue
        p = k - 1
        while p >= 0 and (is_space(p) or p in markup):
            p -= 1
        q = k + 1
        while q < n and (is_space(q) or q in markup):
            q += 1
        left = tokens[p][0] if p >= 0 else None
        right = tokens[q][0] if q < n else None
        if left is None or right is None or left == "\0br" or right == "\0br":
            keep.append(None)
        elif _is_tight(left) and _is_tight(right):
            keep.append(None)
        elif k > 0 and is_space(k - 1):
            keep.append(None)  # not the first space of its run
        else:
            keep.append(" ")
    texts: dict[int, list[str]] = {}
    for (ch, index), kept in zip(tokens, keep):
        if kept is not None and len(kept) == 1:
            texts.setdefault(index, []).append(kept)
    out = []
    for index, r in enumerate(runs):
        if r.kind in ("text", "md") and "code" not in r.marks:
            text = "".join(texts.get(index, []))
            if text:
                out.append(Run(text, r.marks, r.href, r.kind, r.src, r.alt, r.note))
        else:
            out.append(r)
    # a break at either end of a paragraph is meaningless
    while out and out[0].kind == "br":
        out.pop(0)
    while out and out[-1].kind == "br":
        out.pop()
    return out


def tidy_text(text: str) -> str:
    """:func:`tidy_runs` for a single string."""
    return plain(tidy_runs([Run(text)]))


def tidy_blocks(blocks: list[Block]) -> list[Block]:
    """:func:`tidy_runs` on every paragraph, heading, list item, cell and quote of ``blocks``
    (in place; returns ``blocks`` without the paragraphs and headings left empty)."""
    out = []
    for b in blocks:
        if b.kind in ("para", "heading"):
            b.runs = tidy_runs(b.runs)
            if not b.runs:
                continue
        elif b.kind == "list":
            b.items = [tidy_blocks(item) for item in b.items]
            b.items = [item for item in b.items if item]
            if not b.items:
                continue
        elif b.kind == "table":
            for row in b.rows:
                for cell in row:
                    cell.blocks = tidy_blocks(cell.blocks)
        elif b.kind == "quote":
            b.children = tidy_blocks(b.children)
        out.append(b)
    return out


# ---------------------------------------------------------------------------------------------
# Plain text


def text_blocks(text: str, markdown: bool = False) -> list[Block]:
    """Paragraphs of plain ``text``: one per non-empty line, spacing tidied.

    With ``markdown`` the text is an editor's body that may already hold Markdown: fenced code
    is kept verbatim, lines that start a Markdown block (``#``, ``>``, ``-``, ``1. ``, ``|``,
    ``![``, ``[^``, ``<``, four spaces) are kept as they are (headings with their spacing
    tidied), and the other lines are tidied without escaping what they contain (run kind
    ``md``)."""
    blocks: list[Block] = []
    lines = normalise_text(text).split("\n")
    i = 0
    raw: list[str] = []

    def flush_raw() -> None:
        if raw:
            blocks.append(Block("code" if raw[0].lstrip().startswith(("```", "~~~")) else "raw", text="\n".join(raw)))
            raw.clear()

    while i < len(lines):
        line = lines[i]
        if markdown:
            fence = re.match(r"^ {0,3}(`{3,}|~{3,})", line)
            if fence:
                flush_raw()
                j = i + 1
                while j < len(lines) and not lines[j].lstrip(" ").startswith(fence.group(1)):
                    j += 1
                blocks.append(Block("raw", text="\n".join(lines[i:j + 1])))
                i = j + 1
                continue
            heading = re.match(r"^ {0,3}(#{1,6})[ \t\u3000]+(.*?)[ \t\u3000#]*$", line)
            if heading:
                flush_raw()
                blocks.append(Block("heading", runs=tidy_runs([Run(heading.group(2), kind="md")]),
                                    level=len(heading.group(1))))
                i += 1
                continue
            if line.strip() and _MARKDOWN_LINE.match(line):
                raw.append(line.rstrip())
                i += 1
                continue
            flush_raw()
        if line.strip(SPACES):
            runs = tidy_runs([Run(line, kind="md" if markdown else "text")])
            if runs:
                blocks.append(Block("para", runs=runs))
        i += 1
    flush_raw()
    return blocks


# ---------------------------------------------------------------------------------------------
# Numbering


def _drop_prefix(runs: list[Run], count: int) -> list[Run]:
    """``runs`` without their first ``count`` visible characters (and the spaces after)."""
    out = []
    left = count
    for r in runs:
        if left > 0 and r.kind in ("text", "md"):
            take = min(left, len(r.text))
            left -= take
            rest = r.text[take:]
            if left == 0:
                rest = rest.lstrip(SPACES)
            if rest:
                out.append(Run(rest, r.marks, r.href, r.kind))
            continue
        out.append(r)
    return out


def _drop_final_stop(runs: list[Run]) -> list[Run]:
    runs = list(runs)
    for k in range(len(runs) - 1, -1, -1):
        r = runs[k]
        if r.kind in ("text", "md") and r.text.strip():
            text = r.text.rstrip()
            if text and text[-1] in "。.":
                runs[k] = Run(text[:-1], r.marks, r.href, r.kind)
            break
        if r.kind not in ("text", "md"):
            break
    return runs


def classify(text: str) -> tuple[str, int, int, int] | None:
    """``(kind, level, number, width)`` of a paragraph's leading number by the rule of the
    module docstring: ``kind`` is ``heading``, ``item`` (levels 3-4) or ``para`` (a level 1-2
    number on a paragraph that does not read like a heading), ``level`` 1-4, ``number`` its
    value, ``width`` the characters of the marker; ``None`` when it has none.

    >>> classify("一、主要工作")
    ('heading', 1, 1, 2)
    """
    for level, rx in ((1, _L1), (2, _L2), (3, _L3), (4, _L4)):
        m = rx.match(text)
        if not m:
            continue
        value = chinese_number(m.group(1)) if level <= 2 else int(m.group(1))
        if value is None:
            return None
        rest = text[m.end():].strip(SPACES)
        if level <= 2:
            if not rest or len(rest) > HEADING_MAX or _LABEL.search(rest):
                return ("para", level, value, m.end())
            stops = list(_SENTENCE_END.finditer(rest))
            if stops and not (len(stops) == 1 and stops[0].end() == len(rest)):
                return ("para", level, value, m.end())
            return ("heading", level, value, m.end())
        return ("item", level, value, m.end())
    return None


def apply_numbering(blocks: list[Block]) -> list[Block]:
    """The numbering rule of the module docstring on the top-level paragraphs of ``blocks``:
    returns new blocks with headings and (nested) ordered and bullet lists."""
    out: list[Block] = []
    made: dict[int, tuple[str, int]] = {}  # id(list block) -> (kind, last number) for lists made here
    for b in blocks:
        if b.kind != "para":
            out.append(b)
            continue
        text = plain(b.runs)
        found = classify(text)
        bullet = _BULLET.match(text) if found is None else None
        if found and found[0] == "heading":
            runs = _drop_final_stop(b.runs)
            out.append(Block("heading", runs=runs, level=found[1] + 1))
            continue
        if bullet:
            item = [Block("para", runs=_drop_prefix(b.runs, bullet.end()))]
            last = out[-1] if out else None
            if last is not None and made.get(id(last), ("",))[0] == "bullet":
                last.items.append(item)
            else:
                new = Block("list", ordered=False, items=[item])
                made[id(new)] = ("bullet", 0)
                out.append(new)
            continue
        if not found or found[0] != "item":
            out.append(b)
            continue
        _kind, level, number, width = found
        item = [Block("para", runs=_drop_prefix(b.runs, width))]
        last = out[-1] if out else None
        last_kind, last_number = made.get(id(last), ("", 0)) if last is not None else ("", 0)
        if level == 3:
            if last_kind == "l3" and number == last_number + 1:
                last.items.append(item)
                made[id(last)] = ("l3", number)
            else:
                new = Block("list", ordered=True, start=number, items=[item])
                made[id(new)] = ("l3", number)
                out.append(new)
            continue
        # level 4: nested in the last level-3 item when there is one right above
        if last_kind == "l3":
            host = last.items[-1]
            inner = host[-1] if host and host[-1].kind == "list" else None
            if inner is not None and number == made.get(id(inner), ("", 0))[1] + 1:
                inner.items.append(item)
                made[id(inner)] = ("l4", number)
            else:
                inner = Block("list", ordered=True, start=number, items=[item])
                made[id(inner)] = ("l4", number)
                host.append(inner)
            continue
        if last_kind == "l4" and number == last_number + 1:
            last.items.append(item)
            made[id(last)] = ("l4", number)
            continue
        new = Block("list", ordered=True, start=number, items=[item])
        made[id(new)] = ("l4", number)
        out.append(new)
    return out


def take_title(blocks: list[Block]) -> tuple[str, list[Block]]:
    """The title a document shows first, and the blocks without it: the first block when it is
    a heading, or a short paragraph (at most 60 characters, no sentence-ending punctuation, not
    numbered) at the very start.  ``("", blocks)`` when there is none."""
    if not blocks:
        return "", blocks
    first = blocks[0]
    text = " ".join(plain(first.runs).split())
    if first.kind == "heading" and text:
        return text, blocks[1:]
    if first.kind == "para" and text and len(text) <= 60 and not _SENTENCE_END.search(text) \
            and not text.endswith(("。", ".", "：", ":")) and classify(text) is None and not _BULLET.match(text) \
            and all(r.kind in ("text", "md") for r in first.runs):
        return text, blocks[1:]
    return "", blocks


def shift_headings(blocks: list[Block]) -> list[Block]:
    """Headings one level down when any is level 1 (the page title is the only ``h1``)."""
    if any(b.kind == "heading" and b.level == 1 for b in blocks):
        for b in blocks:
            if b.kind == "heading":
                b.level = min(b.level + 1, 6)
    return blocks
