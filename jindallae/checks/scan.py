"""Markdown-aware scanning of a page body, with positions.

The checks must look at the prose an editor wrote and nothing else: not code blocks or code
spans, not URLs, not HTML tag markup.  Python-Markdown (the renderer) keeps no source positions,
so the body is scanned here:

* block structure (fenced and indented code blocks) comes from markdown-it-py, a CommonMark
  parser that records the line range of every block (``Token.map``); it runs only when a body
  could hold a code block at all (a fence or an indented line), which most pages do not;
* inline structure (code spans, links and images, reference definitions, autolinks, bare URLs,
  raw HTML tags and comments) is matched per paragraph with regular expressions that follow the
  CommonMark rules for code spans (a backtick run closes at the next run of the same length).

The result gives, for every body line, the character ranges that are prose (:attr:`Scan.text`),
and every link, image and HTML tag with its line and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache


@dataclass
class Link:
    """A link or image in the body.  ``line``/``col`` are 0-based (body line, character) and
    point at the URL; ``form`` is ``inline``, ``reference`` (a ``[label]: url`` definition),
    ``autolink`` (``<https://...>``), ``bare`` (a URL typed as text) or ``html`` (a raw tag)."""

    line: int
    col: int
    url: str
    kind: str  # "link" | "image"
    text: str = ""  # link text or alt text, as written
    form: str = "inline"
    has_alt: bool = True  # False for a raw <img> without an alt attribute
    text_line: int = 0  # where the link text / alt text starts (0-based)
    text_col: int = 0


@dataclass
class Tag:
    """A raw HTML tag in the body (0-based line and column of its ``<``)."""

    line: int
    col: int
    raw: str
    name: str
    closing: bool
    self_closing: bool
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class Scan:
    lines: list[str]
    code: list[bool]  # line is inside a fenced or indented code block
    text: list[list[tuple[int, int]]]  # per line: [start, end) character ranges of prose
    links: list[Link] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)

    def text_of(self, i: int) -> list[tuple[int, str]]:
        """``[(col, text)]`` of the prose pieces of body line ``i``."""
        line = self.lines[i]
        return [(a, line[a:b]) for a, b in self.text[i]]


@lru_cache(maxsize=1)
def _block_parser():
    from markdown_it import MarkdownIt  # CommonMark block parser with source line maps

    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    md.disable(["inline", "text_join"])  # only the block structure is needed
    return md


_MAY_HAVE_CODE = re.compile(r"```|~~~|^(?: {4}|\t)", re.M)


def code_lines(body: str, n: int) -> list[bool]:
    """Which of the ``n`` body lines are inside fenced or indented code blocks."""
    flags = [False] * n
    if not _MAY_HAVE_CODE.search(body):
        return flags
    for token in _block_parser().parse(body):
        if token.type in ("fence", "code_block") and token.map:
            for i in range(token.map[0], min(token.map[1], n)):
                flags[i] = True
    return flags


_BACKTICKS = re.compile(r"`+")
_ESCAPED = re.compile(r"\\[!-/:-@\[-`{-~]")

_LABEL = r"(?:[^\[\]\\]|\\.|\[(?:[^\[\]\\]|\\.)*\])*"
_DEST = r"<[^<>\n]*>|(?:[^\s()\\]|\\.|\((?:[^\s()\\]|\\.)*\))*"
_TITLE = r"\"[^\"]*\"|'[^']*'|\([^()]*\)"
_TAG = (r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s+[^\s\"'=<>`/]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?)*\s*/?>")
_URL_STOP = "\\s<>\"'`\u3000-\u303f\uff00-\uffef\u3400-\u9fff\uac00-\ud7af\u1100-\u11ff\u3130-\u318f"
_INLINE = re.compile(
    r"(?P<comment><!--.*?-->)"
    r"|(?P<autolink><(?P<auto_url>[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)>)"
    rf"|(?P<tag>{_TAG})"
    rf"|(?P<link>(?P<bang>!?)\[(?P<label>{_LABEL})\]\([ \t]*(?P<dest>{_DEST})(?:[ \t]+(?P<title>{_TITLE}))?[ \t]*\))"
    r"|(?P<refdef>^[ ]{0,3}\[(?:[^\]\\]|\\.)+\]:[ \t]*(?P<ref_url><[^>\n]*>|\S+)[^\n]*$)"
    rf"|(?P<bare>(?:https?|ftp)://[^{_URL_STOP}]+)",
    re.S | re.M,
)
_ATTR = re.compile(r"([^\s\"'=<>`/]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'=<>`]+)))?")
_TAG_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9:-]*)")


def _code_spans(block: str) -> list[tuple[int, int]]:
    """``[start, end)`` of every code span (backticks included) in one paragraph."""
    spans = []
    escaped = {m.start() + 1 for m in _ESCAPED.finditer(block)}
    runs = [m for m in _BACKTICKS.finditer(block) if m.start() not in escaped]
    i = 0
    while i < len(runs):
        opener = runs[i]
        n = len(opener.group())
        for j in range(i + 1, len(runs)):
            if len(runs[j].group()) == n:
                spans.append((opener.start(), runs[j].end()))
                i = j + 1
                break
        else:
            i += 1
    return spans


class _BlockScanner:
    """Scans one paragraph (consecutive non-blank, non-code lines) of the body."""

    def __init__(self, block: str, first_line: int, out: Scan):
        self.block = block
        self.first = first_line
        self.out = out
        self.starts = [0]
        for m in re.finditer("\n", block):
            self.starts.append(m.end())
        self.masked: list[tuple[int, int]] = []

    def pos(self, offset: int) -> tuple[int, int]:
        """(body line, column) of a block offset."""
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return self.first + lo, offset - self.starts[lo]

    def run(self) -> None:
        work = self.block
        codes = _code_spans(work)
        if codes or "\\" in work:
            chars = list(work)
            for a, b in codes:
                chars[a:b] = "\x01" * (b - a)
                self.masked.append((a, b))
            for m in _ESCAPED.finditer(work):
                if chars[m.start()] != "\x01":
                    chars[m.start():m.end()] = "\x02\x02"
            work = "".join(chars)
        self.work = work
        self.scan(0, len(work))
        self.emit_text()

    def scan(self, a: int, b: int) -> None:
        chunk = self.work[a:b]
        if "<" not in chunk and "[" not in chunk and "://" not in chunk:
            return  # plain prose: nothing the inline patterns could match
        for m in _INLINE.finditer(self.work, a, b):
            kind = m.lastgroup
            if kind == "link":
                self.link(m)
            elif kind == "tag":
                self.masked.append(m.span())
                self.tag(m)
            elif kind == "autolink":
                self.masked.append(m.span())
                self.add_link(m.start("auto_url"), m.group("auto_url"), "link", "autolink")
            elif kind == "refdef":
                self.masked.append(m.span())
                url = m.group("ref_url")
                start = m.start("ref_url")
                if url.startswith("<") and url.endswith(">"):
                    url, start = url[1:-1], start + 1
                self.add_link(start, url, "link", "reference")
            elif kind == "bare":
                url = m.group("bare").rstrip(".,;:!?)")
                self.masked.append((m.start(), m.start() + len(url)))
                self.add_link(m.start(), url, "link", "bare")
            else:  # comment
                self.masked.append(m.span())

    def link(self, m: re.Match) -> None:
        image = m.group("bang") == "!"
        # "![" / "[" and everything from "](" to ")" is syntax; the label is prose.
        self.masked.append((m.start(), m.start("label")))
        self.masked.append((m.end("label"), m.end()))
        dest, start = m.group("dest"), m.start("dest")
        if dest.startswith("<") and dest.endswith(">"):
            dest, start = dest[1:-1], start + 1
        label = self.block[m.start("label"):m.end("label")]
        self.add_link(start, dest, "image" if image else "link", "inline", label, m.start("label"))
        self.scan(m.start("label"), m.end("label"))  # images inside link text

    def tag(self, m: re.Match) -> None:
        raw = m.group()
        name = _TAG_NAME.match(raw).group(1).lower()
        closing = raw.startswith("</")
        attrs = {}
        inner = raw[len(name) + (2 if closing else 1):-1].rstrip("/")
        for am in _ATTR.finditer(inner):
            attrs[am.group(1).lower()] = next((g for g in am.groups()[1:] if g is not None), "")
        line, col = self.pos(m.start())
        self.out.tags.append(Tag(line, col, raw, name, closing, raw.endswith("/>"), attrs))
        if not closing and name in ("a", "img"):
            attr = "href" if name == "a" else "src"
            if attr in attrs:
                value_at = m.start() + raw.find(attrs[attr]) if attrs[attr] else m.start()
                self.add_link(value_at, attrs[attr], "image" if name == "img" else "link", "html",
                              attrs.get("alt", ""), m.start(), has_alt="alt" in attrs)

    def add_link(self, offset: int, url: str, kind: str, form: str, text: str = "", text_offset: int | None = None,
                 has_alt: bool = True) -> None:
        line, col = self.pos(offset)
        tline, tcol = self.pos(text_offset if text_offset is not None else offset)
        self.out.links.append(Link(line, col, url.strip(), kind, text, form, has_alt, tline, tcol))

    def emit_text(self) -> None:
        masked = sorted(self.masked)
        pieces: list[tuple[int, int]] = []
        at = 0
        for a, b in masked:
            if a > at:
                pieces.append((at, a))
            at = max(at, b)
        if at < len(self.block):
            pieces.append((at, len(self.block)))
        for a, b in pieces:
            # split at newlines into per-line ranges
            while a < b:
                nl = self.block.find("\n", a, b)
                end = b if nl < 0 else nl
                if end > a:
                    line, col = self.pos(a)
                    self.out.text[line].append((col, col + end - a))
                a = end + 1 if nl >= 0 else b


def scan_body(body: str) -> Scan:
    """Scan a Markdown body (see the module docstring)."""
    lines = body.split("\n")
    code = code_lines(body, len(lines))
    out = Scan(lines, code, [[] for _ in lines])
    i, n = 0, len(lines)
    while i < n:
        if code[i] or not lines[i].strip():
            i += 1
            continue
        j = i
        while j < n and not code[j] and lines[j].strip():
            j += 1
        _BlockScanner("\n".join(lines[i:j]), i, out).run()
        i = j
    return out
