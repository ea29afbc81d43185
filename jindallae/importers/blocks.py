"""The document structure every importer produces, and its Markdown.

Importers (Word, HTML, plain text) turn their input into a list of :class:`Block` (headings,
paragraphs, lists, tables, quotes, code) whose inline content is a list of :class:`Run`
(text with marks, links, images, footnote references, line breaks).  The shared steps run on
that structure — CJK spacing (:func:`jindallae.importers.text.tidy_runs`), the Chinese
numbering conventions (:func:`jindallae.importers.text.apply_numbering`) — and
:func:`to_markdown` writes it as the Markdown the site's renderer reads
(:mod:`jindallae.markup`: Python-Markdown with tables, footnotes and ``sane_lists``).

Markdown written here:

* paragraphs and headings (``##``) separated by one empty line; text escaped so it shows as
  typed (``*``, ``_`` outside words, ``[``, ``]``, `````, ``\\``, ``<`` as ``&lt;``, a block
  marker at the start of a line);
* bold ``**…**``, italic ``*…*``, superscript/subscript as ``<sup>``/``<sub>`` (allowed by the
  site's sanitiser), links ``[text](url)`` for http(s)/mailto/tel only;
* lists ``-`` / ``1.`` (the first number kept: ``sane_lists`` renders ``start``), nested lists
  indented four spaces;
* tables as pipe tables (first row the header), or as sanitised HTML (``<table>`` with
  ``colspan``/``rowspan``) when a cell is merged or holds more than one paragraph — a pipe
  table cannot express either;
* footnotes ``[^1]`` with their definitions ``[^1]: …`` at the end, numbered in order of first
  reference.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

MARKS_ORDER = ("b", "i", "sup", "sub", "code")  # outermost first


@dataclass
class Run:
    """A piece of inline content.

    ``kind`` is ``text`` (``text`` with ``marks`` ⊆ {b, i, sup, sub, code} and an optional
    ``href``), ``image`` (``src``, ``alt``), ``note`` (a footnote reference to ``note``, the
    importer's key of the footnote) or ``br`` (a line break, kept only in table cells).
    """

    text: str = ""
    marks: frozenset[str] = frozenset()
    href: str | None = None
    kind: str = "text"
    src: str = ""
    alt: str = ""
    note: str = ""


@dataclass
class Cell:
    """A table cell: its blocks, spans (cells) and whether it is a header cell."""

    blocks: list["Block"]
    colspan: int = 1
    rowspan: int = 1
    header: bool = False


@dataclass
class Block:
    """A block of the document.

    ``kind``: ``para`` (``runs``), ``heading`` (``runs``, ``level`` 1-6), ``list`` (``ordered``,
    ``start``, ``items``: one list of blocks per item), ``table`` (``rows`` of :class:`Cell`),
    ``quote`` (``children``), ``code`` (``text``), ``hr``, ``raw`` (Markdown ``text`` kept as
    it is).
    """

    kind: str
    runs: list[Run] = field(default_factory=list)
    level: int = 0
    ordered: bool = False
    start: int = 1
    items: list[list["Block"]] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)
    children: list["Block"] = field(default_factory=list)
    text: str = ""


def plain(runs: list[Run]) -> str:
    """The visible text of ``runs`` (images and notes left out, breaks as newlines)."""
    return "".join(r.text if r.kind in ("text", "md") else "\n" if r.kind == "br" else "" for r in runs)


# ---------------------------------------------------------------------------------------------
# Escaping

_ESCAPE = re.compile(r"([\\`*\[\]])")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_LINE_START = re.compile(r"^(\s*)(#{1,6}(?=\s|$)|>|[-+*](?=\s)|=+\s*$|-+\s*$|(\d{1,9})([.)])(?=\s|$)|\|)")


def escape(text: str) -> str:
    """``text`` as Markdown inline content that renders as the same characters: ``\\ ` * [ ]``
    and ``_`` at a word boundary are backslash-escaped, ``<`` becomes ``&lt;``, ``&`` before an
    entity name ``&amp;``.  Line-start markers are handled by :func:`escape_line_start`."""
    text = _ESCAPE.sub(r"\\\1", text)
    text = _UNDERSCORE.sub(r"\\_", text)
    text = _ENTITY.sub("&amp;", text)
    return text.replace("<", "&lt;")


def escape_line_start(line: str) -> str:
    """Escape a Markdown block marker at the start of ``line`` (``#``, ``>``, ``-``, ``1.``,
    ``|``, a setext underline) so a paragraph stays a paragraph."""
    m = _LINE_START.match(line)
    if not m:
        return line
    lead, marker = m.group(1), m.group(2)
    rest = line[m.end(2):]
    if m.group(3):
        return f"{lead}{m.group(3)}\\{m.group(4)}{rest}"
    return f"{lead}\\{marker}{rest}"


# ---------------------------------------------------------------------------------------------
# Inline content


def _safe_href(href: str | None) -> str | None:
    if not href:
        return None
    low = href.strip().lower()
    if low.startswith(("http://", "https://", "mailto:", "tel:")):
        return href.strip().replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    return None


def _merge(runs: list[Run]) -> list[Run]:
    """Adjacent text runs with the same marks and link joined (Word splits runs freely)."""
    out: list[Run] = []
    for r in runs:
        if r.kind in ("text", "md") and not r.text:
            continue
        if out and r.kind in ("text", "md") and out[-1].kind == r.kind and out[-1].marks == r.marks \
                and out[-1].href == r.href:
            out[-1] = Run(out[-1].text + r.text, r.marks, r.href, r.kind)
        else:
            out.append(r)
    return out


def _wrap(text: str, marks: frozenset[str]) -> str:
    """``text`` (already escaped) wrapped in ``marks``; spaces at the edges stay outside."""
    if not marks or not text.strip():
        return text
    core = text.strip(" ")
    lead = text[: len(text) - len(text.lstrip(" "))]
    trail = text[len(text.rstrip(" ")):]
    for mark in reversed(MARKS_ORDER):
        if mark not in marks:
            continue
        if mark == "b":
            core = f"**{core}**"
        elif mark == "i":
            core = f"*{core}*"
        elif mark == "code":
            core = f"`{core}`"
        else:
            core = f"<{mark}>{core}</{mark}>"
    return lead + core + trail


def inline_markdown(runs: list[Run], notes: dict[str, int], table: bool = False) -> str:
    """Markdown of ``runs``.  ``notes`` maps footnote keys to their numbers (a key seen first
    gets the next number); ``table``: inside a pipe-table cell (``|`` escaped, breaks as
    ``<br>``)."""
    out: list[str] = []
    runs = _merge(runs)
    i = 0
    while i < len(runs):
        r = runs[i]
        if r.kind == "image":
            alt = " ".join(r.alt.split())
            alt = re.sub(r"([\\\[\]])", r"\\\1", alt)
            out.append(f"![{alt}]({r.src})")
            i += 1
            continue
        if r.kind == "note":
            number = notes.setdefault(r.note, len(notes) + 1)
            out.append(f"[^{number}]")
            i += 1
            continue
        if r.kind == "br":
            out.append("<br>" if table else "\n")
            i += 1
            continue
        if r.kind == "md":
            out.append(r.text)
            i += 1
            continue
        href = _safe_href(r.href)
        if href:
            j = i
            parts = []
            while j < len(runs) and runs[j].kind == "text" and _safe_href(runs[j].href) == href:
                parts.append(_wrap(_code_or_escape(runs[j]), runs[j].marks))
                j += 1
            label = "".join(parts).strip() or escape(href)
            out.append(f"[{label}]({href})")
            i = j
            continue
        out.append(_wrap(_code_or_escape(r), r.marks))
        i += 1
    text = "".join(out)
    if table:
        text = text.replace("|", "\\|").replace("\n", "<br>")
    return text


def _code_or_escape(r: Run) -> str:
    if "code" in r.marks:
        return r.text.replace("`", "'")
    return escape(r.text)


def inline_html(runs: list[Run], notes: dict[str, int]) -> str:
    """Sanitised HTML of ``runs`` for a cell of an HTML table (raw HTML is not Markdown:
    marks become tags, text is HTML-escaped, images are left to the caller)."""
    out = []
    for r in _merge(runs):
        if r.kind == "br":
            out.append("<br>")
        elif r.kind == "note":
            number = notes.setdefault(r.note, len(notes) + 1)
            out.append(f"<sup>{number}</sup>")
        elif r.kind == "text":
            text = html.escape(r.text, quote=False)
            for mark in reversed(MARKS_ORDER):
                if mark in r.marks:
                    tag = {"b": "strong", "i": "em"}.get(mark, mark)
                    text = f"<{tag}>{text}</{tag}>"
            href = _safe_href(r.href)
            if href:
                text = f'<a href="{html.escape(href)}">{text}</a>'
            out.append(text)
    return "".join(out).strip()


# ---------------------------------------------------------------------------------------------
# Blocks


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else line for line in text.split("\n"))


def _table_needs_html(block: Block) -> bool:
    for row in block.rows:
        for cell in row:
            if cell.colspan > 1 or cell.rowspan > 1:
                return True
            if len(cell.blocks) > 1 or any(b.kind not in ("para",) for b in cell.blocks):
                return True
    return False


def _cell_runs(cell: Cell) -> list[Run]:
    runs: list[Run] = []
    for n, b in enumerate(cell.blocks):
        if n:
            runs.append(Run(kind="br"))
        runs += b.runs
    return runs


def _table_markdown(block: Block, notes: dict[str, int], after: list[str]) -> str:
    rows = [row for row in block.rows if row]
    if not rows:
        return ""
    if _table_needs_html(block):
        lines = ["<table>"]
        for row in rows:
            cells = []
            for cell in row:
                tag = "th" if cell.header else "td"
                attrs = (f' colspan="{cell.colspan}"' if cell.colspan > 1 else "") + \
                        (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "")
                parts = []
                for b in cell.blocks:
                    after.extend(inline_markdown([r], notes) for r in _images_of(b))
                    if b.kind == "list":
                        items = "".join(f"<li>{inline_html(_flat_runs(item), notes)}</li>" for item in b.items)
                        parts.append(f"<{'ol' if b.ordered else 'ul'}>{items}</{'ol' if b.ordered else 'ul'}>")
                    else:
                        parts.append(inline_html(_flat_runs([b]), notes))
                cells.append(f"<{tag}{attrs}>{'<br>'.join(p for p in parts if p)}</{tag}>")
            lines.append("<tr>" + "".join(cells) + "</tr>")
        lines.append("</table>")
        return "\n".join(lines)
    width = max(len(row) for row in rows)
    out = []
    for n, row in enumerate(rows):
        cells = []
        for cell in row:
            runs = _cell_runs(cell)
            after.extend(inline_markdown([r], notes) for r in runs if r.kind == "image")
            cells.append(inline_markdown([r for r in runs if r.kind != "image"], notes, table=True).strip())
        cells += [""] * (width - len(cells))
        out.append("| " + " | ".join(cells) + " |")
        if n == 0:
            out.append("| " + " | ".join(["---"] * width) + " |")
    return "\n".join(out)


def _images_of(block: Block) -> list[Run]:
    return [r for r in _flat_runs([block]) if r.kind == "image"]


def _flat_runs(blocks: list[Block]) -> list[Run]:
    runs: list[Run] = []
    for b in blocks:
        if runs and b.runs:
            runs.append(Run(kind="br"))
        runs += b.runs
        for item in b.items:
            runs += _flat_runs(item)
        runs += _flat_runs(b.children)
    return runs


def block_markdown(block: Block, notes: dict[str, int]) -> str:
    """Markdown of one block (no trailing newline; ``""`` for an empty one)."""
    if block.kind == "para":
        text = inline_markdown(block.runs, notes).strip()
        return "\n".join(escape_line_start(line) for line in text.split("\n")) if text else ""
    if block.kind == "heading":
        runs = [Run(r.text, r.marks - {"b", "i"}, r.href, r.kind, r.src, r.alt, r.note) for r in block.runs
                if r.kind in ("text", "md", "note")]
        text = " ".join(inline_markdown(runs, notes).split())
        if not text:
            return ""
        images = [inline_markdown([r], notes) for r in block.runs if r.kind == "image"]
        head = f"{'#' * max(1, min(block.level, 6))} {text}"
        return "\n\n".join([head, *images])
    if block.kind == "list":
        lines = []
        number = block.start
        for item in block.items:
            marker = f"{number}." if block.ordered else "-"
            number += 1
            tight = len([b for b in item if b.kind != "list"]) <= 1
            parts = [p for p in (block_markdown(b, notes) for b in item) if p]
            body = ("\n" if tight else "\n\n").join(parts)
            first, _, rest = body.partition("\n")
            pad = " " * 4
            text = f"{marker} {first}" if first else marker
            if rest:
                text += "\n" + _indent(rest, pad)
            lines.append(text)
        loose = any(len([b for b in item if b.kind != "list"]) > 1 for item in block.items)
        return ("\n\n" if loose else "\n").join(lines)
    if block.kind == "table":
        after: list[str] = []
        table = _table_markdown(block, notes, after)
        return "\n\n".join([t for t in [table, *after] if t])
    if block.kind == "quote":
        inner = blocks_markdown(block.children, notes)
        return _indent(inner, "> ").replace("\n\n", "\n>\n") if inner else ""
    if block.kind == "code":
        fence = "```"
        while fence in block.text:
            fence += "`"
        return f"{fence}\n{block.text.rstrip()}\n{fence}"
    if block.kind == "hr":
        return "* * *"
    if block.kind == "raw":
        return block.text.rstrip()
    return ""


def blocks_markdown(blocks: list[Block], notes: dict[str, int]) -> str:
    """Markdown of ``blocks`` separated by empty lines."""
    parts = [block_markdown(b, notes) for b in blocks]
    return "\n\n".join(p for p in parts if p)


def to_markdown(blocks: list[Block], footnotes: dict[str, list[Run]] | None = None) -> str:
    """The Markdown body for ``blocks`` with the definitions of the footnotes they reference
    (``footnotes`` maps a key to its text runs) at the end; ends with one newline."""
    notes: dict[str, int] = {}
    body = blocks_markdown(blocks, notes)
    defs = []
    done: set[str] = set()
    footnotes = footnotes or {}
    while len(done) < len(notes):  # a footnote may reference another
        for key, number in sorted(notes.items(), key=lambda kv: kv[1]):
            if key in done:
                continue
            done.add(key)
            text = inline_markdown(footnotes.get(key, []), notes).strip()
            text = " ".join(text.split("\n"))
            defs.append((number, f"[^{number}]: {text or '…'}"))
    if defs:
        body += "\n\n" + "\n".join(d for _n, d in sorted(defs))
    return body.strip("\n") + "\n" if body.strip() else ""
