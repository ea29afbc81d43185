"""HTML (pasted from Word, WPS or a WeChat article, saved from a browser, or made by mammoth
from a .docx) to the importer's :class:`~jindallae.importers.blocks.Block` structure.

1. **Sanitise** with nh3 (the site's own sanitiser library, an allow-list): only structure is
   kept — paragraphs, headings, lists, tables (``colspan``/``rowspan``), quotes, code, links,
   images, bold/italic, superscript/subscript, footnote anchors.  Everything else goes: inline
   ``style`` and ``class`` (Word's ``mso-*``, WeChat's ``rich_media``), ``<span>``/``<font>``
   (their text kept), ``<o:p>``, ``<style>``/``<script>`` with their content, comments and
   Word's conditional comments, event handlers, ``javascript:`` and ``file:`` URLs.
2. **Parse** the clean HTML (well formed, from nh3's html5ever serialiser) with the standard
   library's :class:`html.parser.HTMLParser` into a small tree.
3. **Convert** the tree: block elements (``p``, ``div``, ``section``, ``h1``-``h6``, lists,
   tables, ``blockquote``, ``pre``, ``hr``) become blocks, ``<br>`` outside table cells starts a
   new paragraph (one line, one paragraph: WeChat separates paragraphs so), inline elements
   become runs.  A table of one cell (a layout box) is unwrapped.  Footnotes in the forms Word
   (``#_ftn1`` / ``id="ftn1"``), mammoth (``#footnote-1``) and pandoc (``#fn1``) write are
   recognised: references become footnote runs, the definitions are collected and their
   back-links dropped.  Images go to the caller's ``image`` hook (``src``, ``alt``): WeChat's
   lazy ``data-src`` counts as the source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Callable

from .blocks import Block, Cell, Run

KEEP_TAGS = {
    "a", "b", "strong", "i", "em", "u", "s", "del", "strike", "sup", "sub", "code", "pre", "p", "div", "section",
    "article", "header", "footer", "main", "aside", "center", "address", "br", "hr", "h1", "h2", "h3", "h4", "h5",
    "h6", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption",
    "blockquote", "img", "figure", "figcaption", "body",
}
KEEP_ATTRIBUTES = {
    "*": {"id"},
    "a": {"href", "name"},
    "img": {"src", "alt", "data-src", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "ol": {"start"},
}
DROP_WITH_CONTENT = {"script", "style", "title", "template", "noscript", "iframe", "object", "embed", "svg", "math",
                     "select", "textarea", "button", "xml"}
URL_SCHEMES = {"http", "https", "mailto", "tel", "data"}

BLOCK_TAGS = {"p", "div", "section", "article", "header", "footer", "main", "aside", "center", "address", "figure",
              "figcaption", "dl", "dt", "dd", "caption", "body", "li"}
VOID_TAGS = {"br", "hr", "img"}

_NOTE_REF = re.compile(r"^#_?((?:ftn|edn)\d+|(?:footnote|endnote)-\d+|fn\d+)$")
_NOTE_BACK = re.compile(r"^#_?(?:(?:ftn|edn)ref\d+|(?:footnote|endnote)-ref-\d+|fnref\d+)$")
_NOTE_DEF = re.compile(r"^_?((?:ftn|edn)\d+|(?:footnote|endnote)-\d+|fn\d+)$")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)

ImageHook = Callable[[str, str], "Run | None"]


@dataclass
class HtmlDocument:
    """The result of :func:`html_document`: the ``<title>`` (``""`` when none), the blocks, and
    the footnote definitions by key (the key a footnote run's ``note`` names)."""

    title: str
    blocks: list[Block]
    footnotes: dict[str, list[Run]] = field(default_factory=dict)


def sanitise(html: str) -> str:
    """``html`` cleaned to the structure this module converts (see the module docstring)."""
    import nh3

    return nh3.clean(html, tags=KEEP_TAGS, attributes=KEEP_ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel=None,
                     strip_comments=True, clean_content_tags=DROP_WITH_CONTENT)


class _Node:
    __slots__ = ("tag", "attrs", "children")

    def __init__(self, tag: str, attrs: dict[str, str]):
        self.tag = tag
        self.attrs = attrs
        self.children: list[_Node | str] = []

    def elements(self, *tags: str) -> list["_Node"]:
        return [c for c in self.children if isinstance(c, _Node) and (not tags or c.tag in tags)]

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("body", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = _Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID_TAGS:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(_Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for k in range(len(self.stack) - 1, 0, -1):
            if self.stack[k].tag == tag:
                del self.stack[k:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(clean_html: str) -> _Node:
    """The tree of sanitised HTML (a ``body`` node)."""
    builder = _TreeBuilder()
    builder.feed(clean_html)
    builder.close()
    return builder.root


_BOUNDARY = object()


class _Converter:
    def __init__(self, image: ImageHook | None):
        self.image = image
        self.footnotes: dict[str, list[Run]] = {}

    # blocks ----------------------------------------------------------------------------------
    def blocks(self, node: _Node, in_cell: bool = False) -> list[Block]:
        events: list[object] = []
        self.walk(node, frozenset(), None, events)
        return self.assemble(events, in_cell)

    @staticmethod
    def assemble(events: list[object], in_cell: bool = False) -> list[Block]:
        out: list[Block] = []
        runs: list[Run] = []

        def flush() -> None:
            if any((r.kind == "text" and r.text.strip()) or r.kind in ("image", "note") for r in runs):
                out.append(Block("para", runs=list(runs)))
            runs.clear()

        for ev in events:
            if ev is _BOUNDARY:
                flush()
            elif isinstance(ev, Block):
                flush()
                out.append(ev)
            elif isinstance(ev, Run):
                if ev.kind == "br" and not in_cell:
                    flush()
                else:
                    runs.append(ev)
        flush()
        return out

    def walk(self, node: _Node, marks: frozenset[str], href: str | None, out: list[object]) -> None:
        for child in node.children:
            if isinstance(child, str):
                out.append(Run(child, marks, href))
                continue
            tag = child.tag
            if tag in ("strong", "b"):
                self.walk(child, marks | {"b"}, href, out)
            elif tag in ("em", "i"):
                self.walk(child, marks | {"i"}, href, out)
            elif tag in ("sup", "sub"):
                inner: list[object] = []
                self.walk(child, marks | {tag}, href, inner)
                if any(isinstance(e, Run) and e.kind == "note" for e in inner):
                    inner = [e for e in inner if not (isinstance(e, Run) and e.kind == "text" and not e.text.strip())]
                    out += [Run(kind="note", note=e.note) if isinstance(e, Run) and e.kind == "note" else e
                            for e in inner]
                else:
                    out += inner
            elif tag == "code":
                out.append(Run(child.text(), marks | {"code"}, href))
            elif tag == "a":
                self.link(child, marks, href, out)
            elif tag == "img":
                src = child.attrs.get("src") or child.attrs.get("data-src") or ""
                if child.attrs.get("data-src") and (not src or src.startswith("data:image/svg")):
                    src = child.attrs["data-src"]  # WeChat: a placeholder in src, the picture in data-src
                run = self.image(src, child.attrs.get("alt", "")) if self.image else None
                if run is not None:
                    out.append(run)
            elif tag == "br":
                out.append(Run(kind="br"))
            elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                inner = []
                self.walk(child, marks, href, inner)
                runs = [e for e in inner if isinstance(e, Run) and e.kind != "br"]
                out.append(Block("heading", runs=runs, level=int(tag[1])))
            elif tag in ("ul", "ol"):
                out.append(self.list(child) or _BOUNDARY)
            elif tag == "table":
                out.append(self.table(child) or _BOUNDARY)
            elif tag == "blockquote":
                out.append(Block("quote", children=self.blocks(child)))
            elif tag == "pre":
                out.append(Block("code", text=child.text().strip("\n")))
            elif tag == "hr":
                out.append(Block("hr"))
            elif _NOTE_DEF.match(child.attrs.get("id", "")) and tag in BLOCK_TAGS:
                self.definition(_NOTE_DEF.match(child.attrs["id"]).group(1), child)
            elif tag in BLOCK_TAGS:
                out.append(_BOUNDARY)
                self.walk(child, marks, href, out)
                out.append(_BOUNDARY)
            else:  # u, s, del, and anything else inline: the text
                self.walk(child, marks, href, out)

    def link(self, node: _Node, marks: frozenset[str], href: str | None, out: list[object]) -> None:
        target = node.attrs.get("href", "")
        ref = _NOTE_REF.match(target)
        if ref:
            out.append(Run(kind="note", note=ref.group(1)))
            return
        if _NOTE_BACK.match(target):
            return  # a footnote's link back to its reference
        self.walk(node, marks, target if target and not target.startswith("#") else href, out)

    def definition(self, key: str, node: _Node) -> None:
        blocks = self.blocks(node)
        runs: list[Run] = []
        for b in blocks:
            if runs:
                runs.append(Run(" "))
            runs += b.runs
        # Word writes the number again at the start ("[1]" or "1"): drop it
        while runs and runs[0].kind == "text" and re.fullmatch(r"\s*\[?\d*\]?\s*", runs[0].text):
            runs.pop(0)
        if runs and runs[0].kind == "text":
            runs[0] = Run(re.sub(r"^\s*\[\d+\]\s*", "", runs[0].text), runs[0].marks, runs[0].href)
        self.footnotes[key] = runs

    def list(self, node: _Node) -> Block | None:
        items = node.elements("li")
        if items and all(_NOTE_DEF.match(li.attrs.get("id", "")) for li in items):
            for li in items:
                self.definition(_NOTE_DEF.match(li.attrs["id"]).group(1), li)
            return None
        try:
            start = int(node.attrs.get("start", "1"))
        except ValueError:
            start = 1
        block = Block("list", ordered=node.tag == "ol", start=start)
        for li in items:
            block.items.append(self.blocks(li))
        for child in node.elements("ul", "ol"):  # a list nested without its <li> (invalid, but seen)
            nested = self.list(child)
            if nested is not None and block.items:
                block.items[-1].append(nested)
        return block if block.items else None

    def table(self, node: _Node) -> Block | None:
        rows: list[list[Cell]] = []

        def collect(parent: _Node, header: bool) -> None:
            for child in parent.elements():
                if child.tag in ("thead", "tbody", "tfoot"):
                    collect(child, header or child.tag == "thead")
                elif child.tag == "tr":
                    row = []
                    for cell in child.elements("td", "th"):
                        row.append(Cell(self.blocks(cell, in_cell=True), _span(cell.attrs.get("colspan")),
                                        _span(cell.attrs.get("rowspan")), header or cell.tag == "th"))
                    if row:
                        rows.append(row)

        collect(node, False)
        if not rows:
            return None
        if len(rows) == 1 and len(rows[0]) == 1:  # a layout box, not a table
            return _Unwrapped(rows[0][0].blocks)
        return Block("table", rows=rows)


class _Unwrapped(Block):
    """The blocks of a one-cell table, spliced into the document by :func:`html_document`."""

    def __init__(self, blocks: list[Block]):
        super().__init__("unwrapped", children=blocks)


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 1000))
    except ValueError:
        return 1


def _splice(blocks: list[Block]) -> list[Block]:
    out = []
    for b in blocks:
        if b.kind == "unwrapped":
            out += _splice(b.children)
        else:
            for item in b.items:
                item[:] = _splice(item)
            for row in b.rows:
                for cell in row:
                    cell.blocks = _splice(cell.blocks)
            if b.kind == "quote":
                b.children = _splice(b.children)
            out.append(b)
    return out


def html_document(html: str, image: ImageHook | None = None) -> HtmlDocument:
    """Convert ``html`` (a whole page or a fragment; text, not bytes) to blocks.

    ``image(src, alt)`` is called for every image and returns the :class:`Run` to put there
    (``None`` drops it); without a hook images are dropped.  Trailing rules (``<hr>`` before
    Word's footnotes) are dropped.  Never raises for malformed HTML: the sanitiser and parser
    repair it as browsers do."""
    m = _TITLE.search(html)
    title = " ".join(_strip_tags(m.group(1)).split()) if m else ""
    body = re.sub(r"(?is)<head\b.*?</head>", "", html)
    clean = sanitise(body)
    converter = _Converter(image)
    blocks = _splice(converter.blocks(parse(clean)))
    while blocks and blocks[-1].kind == "hr":
        blocks.pop()
    return HtmlDocument(title, blocks, converter.footnotes)


def _strip_tags(text: str) -> str:
    import html as _html

    return _html.unescape(re.sub(r"<[^>]*>", "", text))


def looks_like_html(text: str) -> bool:
    """True when pasted or piped ``text`` is HTML rather than plain text (it starts with a tag
    or a doctype, or holds paragraph/line-break/div tags)."""
    head = text.lstrip()[:200].lower()
    if head.startswith(("<!doctype html", "<html", "<meta", "<body", "<p", "<div", "<section", "<span", "<table",
                        "<h1", "<h2", "<ul", "<ol", "<!--startfragment", "<style")):
        return True
    return bool(re.search(r"<(p|div|br|section|span|table|li)\b[^>]*>", text[:20000], re.I))
