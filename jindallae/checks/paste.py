"""``paste-structure``: one paragraph that holds what look like several headed sections.

Text pasted from a Chinese report keeps one paragraph per line; pasted as a Markdown body those
lines run together into one paragraph (Markdown needs an empty line between paragraphs), so the
headings ``一、…`` and ``（一）…`` end up inline and the page shows one block of text.  This
check finds a paragraph in which a section number of the first two levels of GB/T 9704
(``一、`` … ``十二、``, ``（一）`` / ``(一)``) starts a line or follows the end of a sentence
(``。！？`` or a space) anywhere but at the paragraph's very start, and reports it there (a
warning: the page still publishes).  A number inside a sentence (``包括：（一）人口；（二）文化``,
``一、二年级``) is not reported.  The fix is an empty line before the heading, or the CMS's
"clean up pasted text" / ``jindallae import``, which apply the numbering rule of
:mod:`jindallae.importers.text`.
"""

from __future__ import annotations

import re

from .report import Finding, make_finding
from .scan import Scan

_CN = "一二三四五六七八九十"
_MARKER = re.compile(rf"(?:(?<=^)|(?<=[\n。！？!?\s\u3000]))(?:[{_CN}]{{1,3}}、(?![{_CN}])|[（(][{_CN}]{{1,3}}[）)])")
_NOT_PARAGRAPH = re.compile(r"^ {0,3}(?:#|>|\||<|[-+*][ \t]|\d{1,9}[.)][ \t]|\[\^?[^\]]*\]:|={3,}\s*$|-{3,}\s*$)")


def _paragraphs(scan: Scan) -> list[tuple[int, list[str]]]:
    """``(first body line, lines)`` of every Markdown paragraph of the body (code, headings,
    lists, tables, quotes, raw HTML and footnote definitions left out)."""
    out: list[tuple[int, list[str]]] = []
    start, lines = -1, []
    for i, line in enumerate(scan.lines + [""]):
        if i < len(scan.lines) and not scan.code[i] and line.strip() and (lines or not _NOT_PARAGRAPH.match(line)):
            if not lines:
                start = i
            lines.append(line)
            continue
        if lines:
            out.append((start, lines))
            lines = []
    return out


def check_paste_structure(path: str, lang: str, body_line: int, scan: Scan) -> list[Finding]:
    """One ``paste-structure`` finding per paragraph holding a section number away from its
    start (see the module docstring), at that number: file line ``body_line`` + the body line,
    column of the number (1-based)."""
    out = []
    for first, lines in _paragraphs(scan):
        text = "\n".join(lines)
        lead = len(text) - len(text.lstrip(" \t\u3000"))
        for m in _MARKER.finditer(text):
            if m.start() <= lead:
                continue
            offset = m.start()
            line_no = text.count("\n", 0, offset)
            col = offset - (text.rfind("\n", 0, offset) + 1) + 1
            opening = _MARKER.match(text, lead)
            excerpt = text[offset:offset + 12].split("\n")[0]
            out.append(make_finding("paste-structure", path, body_line + first + line_no, col, lang,
                                    excerpt=excerpt, marker=m.group(0),
                                    first=opening.group(0) if opening else text[lead:lead + 6].strip()))
            break
    return out
