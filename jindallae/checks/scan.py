"""Markdown-aware scanning of a page body, with positions.

The checks must look at the prose an editor wrote and nothing else: not code blocks or code
spans, not URLs, not HTML tag markup.  Python-Markdown (the renderer) keeps no source positions,
so the body is scanned here:

* block structure (fenced and indented code blocks, and raw ``<pre>``, ``<script>``,
  ``<style>``, ``<textarea>`` blocks, CommonMark §4.6 type 1) comes from the renderer's own
  CommonMark block parser (:func:`jindallae.markup.commonmark_block_parser`, markdown-it-py),
  which records the line range of every block (``Token.map``); it runs only when a body could
  hold such a block at all, which most pages do not;
* inline structure (code spans, links and images, reference definitions, footnote markers,
  autolinks, bare URLs, raw HTML tags and comments, shortcodes of other site generators) is
  matched per paragraph with regular expressions that follow the CommonMark rules for code
  spans (a backtick run closes at the next run of the same length); the text of raw
  ``<pre>``/``<code>``/``<kbd>``/``<samp>`` elements is code too (``&#x3C;span>`` in it is an
  escaped example, not paste debris).

Footnotes (Python-Markdown's extension, as GitHub writes them) are not links: ``[^1]`` and the
``[^1]:`` of a definition are markers; the definition's text is prose.

The result gives, for every body line, the character ranges that are prose (:attr:`Scan.text`),
every link, image and HTML tag with its line and column, and every shortcode.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


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
class Shortcode:
    """Markup of another site generator in the body (0-based line and column of its ``{``):
    ``kind`` is ``hugo`` (``{{< figure >}}``, ``{{% notice %}}``) or ``macro`` (MDN's
    ``{{HTMLSidebar}}``, ``{{cssxref("color")}}``, Liquid/Jinja ``{% raw %}``)."""

    line: int
    col: int
    raw: str
    kind: str


@dataclass
class Scan:
    lines: list[str]
    code: list[bool]  # line is inside a fenced or indented code block, or a raw <pre>/<script> block
    text: list[list[tuple[int, int]]]  # per line: [start, end) character ranges of prose
    links: list[Link] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)
    shortcodes: list[Shortcode] = field(default_factory=list)

    def text_of(self, i: int) -> list[tuple[int, str]]:
        """``[(col, text)]`` of the prose pieces of body line ``i``."""
        line = self.lines[i]
        return [(a, line[a:b]) for a, b in self.text[i]]


_MAY_HAVE_CODE = re.compile(r"```|~~~|^(?: {4}|\t)|<(?:pre|script|style|textarea)\b", re.M | re.I)
_RAW_CODE_BLOCK = re.compile(r"\s*<(?:pre|script|style|textarea)(?:\s|/?>|$)", re.I)  # CommonMark §4.6 type 1


def code_lines(body: str, n: int) -> list[bool]:
    """Which of the ``n`` body lines are inside fenced or indented code blocks, or raw HTML
    blocks of ``<pre>``, ``<script>``, ``<style>`` or ``<textarea>`` (shown as written)."""
    flags = [False] * n
    if not _MAY_HAVE_CODE.search(body):
        return flags
    from jindallae.markup import commonmark_block_parser

    for token in commonmark_block_parser().parse(body):
        if not token.map:
            continue
        if token.type in ("fence", "code_block") or (
                token.type == "html_block" and _RAW_CODE_BLOCK.match(token.content)):
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
# Hugo shortcodes ({{< x >}}, {{% x %}}); template macros: MDN's KumaScript ({{Compat}},
# {{cssxref("color")}}), Liquid/Jinja ({{ page.title }}, {% raw %}).
_SHORTCODE = (r"\{\{[<%].*?[>%]\}\}"
              r"|\{\{\s*[A-Za-z_][\w.:-]*\s*(?:\((?:[^()\n]|\([^()\n]*\))*\))?\s*\}\}"
              r"|\{%-?\s*[A-Za-z_][^%\n]*?-?%\}")
_INLINE = re.compile(
    rf"(?P<shortcode>{_SHORTCODE})"
    r"|(?P<comment><!--.*?-->)"
    r"|(?P<autolink><(?P<auto_url>[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)>)"
    rf"|(?P<tag>{_TAG})"
    r"|(?P<footnote>\[\^[^\]\s]+\]:?)"  # [^1] and the "[^1]:" of a definition: not links
    rf"|(?P<link>(?P<bang>!?)\[(?P<label>{_LABEL})\]\([ \t]*(?P<dest>{_DEST})(?:[ \t]+(?P<title>{_TITLE}))?[ \t]*\))"
    r"|(?P<refdef>^[ ]{0,3}\[(?!\^)(?:[^\]\\]|\\.)+\]:[ \t]*(?P<ref_url><[^>\n]*>|\S+)[^\n]*$)"
    rf"|(?P<bare>(?:https?|ftp)://[^{_URL_STOP}]+)",
    re.S | re.M,
)
# Raw HTML elements whose text is code, not prose: an entity-escaped tag in them (&#x3C;span>) is
# an example; tags in them are still markup (<code><a href="...">).  In the raw text elements
# (HTML "raw text" and "escapable raw text") nothing is markup.
_CODE_TEXT = {"pre", "code", "kbd", "samp"}
_RAW_TEXT = {"script", "style", "textarea"}
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
        if "<" not in chunk and "[" not in chunk and "://" not in chunk and "{" not in chunk:
            return  # plain prose: nothing the inline patterns could match
        at = a
        while True:
            m = _INLINE.search(self.work, at, b)
            if m is None:
                break
            at = m.end()
            kind = m.lastgroup
            if kind == "link":
                self.link(m)
            elif kind == "tag":
                self.masked.append(m.span())
                self.tag(m)
                name = self.out.tags[-1].name
                if name in _CODE_TEXT | _RAW_TEXT and not self.out.tags[-1].closing and not m.group().endswith("/>"):
                    close = re.compile(rf"</{name}\s*>", re.I).search(self.work, m.end(), b)
                    if close:  # its text is code, not prose; the closing tag is still a tag
                        self.masked.append((m.end(), close.start()))
                        if name in _RAW_TEXT:  # nothing inside is markup either
                            at = close.start()
            elif kind == "shortcode":
                self.masked.append(m.span())
                line, col = self.pos(m.start())
                raw = m.group()
                self.out.shortcodes.append(Shortcode(line, col, raw, "hugo" if raw[:3] in ("{{<", "{{%") else "macro"))
            elif kind == "footnote":
                self.masked.append(m.span())
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
