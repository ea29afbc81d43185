"""Markdown to safe HTML, correct for Chinese and Korean text.

Python-Markdown does the parsing; this module adds what CJK text needs and what a public site
needs:

* soft line breaks: a newline typed between two CJK characters is dropped (browsers would show
  it as a gap, W3C clreq §3.1 "no spaces between Han characters"); any other soft line break
  becomes one space (Korean words, and Han next to Latin: "使用" ⏎ "Pelican" -> "使用 Pelican");
* heading anchors from :func:`jindallae.slugs.slugify` (pinyin / Revised Romanization), unique
  within the page, so "## 创建幸福家庭" gets ``id="chuang-jian-xing-fu-jia-ting"``;
* links to other content files (``../policy/x.zh.md``) become the target's URL and image paths
  resolve against the file, then the content folder, to ``{SITEURL}/<path>`` -- in Markdown and
  in raw HTML (``<a href>``, ``<img src>``) alike, by :func:`resolve_reference`, the rule
  ``jindallae check`` and the build's link report use too (:mod:`jindallae.checks.links`);
* the HTML is sanitised with nh3 (an allow-list; OWASP XSS prevention): no script, no event
  handler attributes, no ``javascript:`` URLs;
* CommonMark 0.31.2 where Python-Markdown differs on text that real documents contain (Markdown
  from GitHub, Hugo, Decap, MDN): fenced code blocks (§4.5) found by a CommonMark block parser,
  with the info string's first word as the language; backslash escapes of every ASCII
  punctuation character (§2.4) and a backslash before a line ending as a hard break (§6.7);
  entity and numeric character references (§2.5) decoded only when valid; autolinks of any
  scheme and e-mail autolinks (§6.5); raw inline HTML only as §6.6 defines it; link
  destinations percent-encoded as CommonMark writes them; heading ids from the heading's text
  as displayed (``## \\<i> vs. \\<em>`` -> ``i-vs-em``).
"""

from __future__ import annotations

import html as htmllib
import posixpath
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from functools import lru_cache
from html.entities import html5 as _HTML5_ENTITIES
from typing import Any, Callable

import markdown
import nh3
from markdown import util as mdutil
from markdown.extensions import Extension
from markdown.extensions.tables import TableExtension
from markdown.extensions.footnotes import FootnoteExtension
from markdown.extensions.toc import TocExtension
from markdown.inlinepatterns import HtmlInlineProcessor, InlineProcessor, SubstituteTagInlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from .slugs import slugify

RENDERER_VERSION = "6"  # bump when the output of render() changes for the same input

# Characters that sit without spaces between them: Han, kana, CJK and full-width punctuation.
_CJK = ("\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u31a0-\u31ff\u3400-\u4dbf"
        "\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef")
_CJK_RE = re.compile(f"[{_CJK}]")
_FULLWIDTH_PUNCT = re.compile("[\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\ufe30-\ufe4f\u2018-\u201f\u2026]")
_SOFT_BREAK = re.compile(r"[ \t]*\n[ \t]*")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "div", "dl",
    "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "small", "span",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"id", "title", "lang"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "code": {"class"},
    "div": {"class"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


# Nesting deeper than this is refused before parsing. Renderers differ in how they fail on
# absurd nesting (Python-Markdown < 3.11 raised RecursionError on a 500-deep list; 3.11 renders
# it but takes minutes at 5,000 and still recurses on 2,000 nested emphasis markers), so the
# limit is ours and holds for every renderer version: no real document nests 50 deep.
MAX_NESTING = 50

_LIST_MARKER = re.compile(r"(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)")
_FENCE_OPEN = re.compile(r" {0,3}(`{3,}|~{3,})")
_RULE_LINE = re.compile(r"[ \t]*([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_INLINE_RUN = re.compile(r"\*{2,}|_{2,}|~{2,}|\[{2,}")


class NestingTooDeep(ValueError):
    """Markdown nested deeper than :data:`MAX_NESTING` levels.

    ``line`` is the 1-based line of the body where the limit is first passed; ``depth`` the
    nesting found there; ``kind`` one of ``"block"`` (lists and block quotes) or ``"inline"``
    (emphasis markers or brackets).
    """

    def __init__(self, line: int, depth: int, kind: str) -> None:
        self.line, self.depth, self.kind = line, depth, kind
        super().__init__(f"line {line}: {kind} nesting {depth} deep (at most {MAX_NESTING})")


def check_nesting(text: str, limit: int = MAX_NESTING) -> None:
    """Raise :class:`NestingTooDeep` when ``text`` nests lists, block quotes, emphasis or
    brackets more than ``limit`` levels; a linear scan, O(len(text)).

    Block depth is the number of ``>`` markers plus the open list items at increasing
    indentation (CommonMark §5.2, §5.3); inline depth is half the longest run of ``*``/``_``/``~``
    (each level takes one or two markers) or the longest run of ``[``. Fenced code is skipped.
    The count errs low (lazy continuation lines are ignored), never high for ordinary text.
    """
    open_items: list[int] = []  # indentation of each open list item
    fence = ""
    for number, line in enumerate(text.split("\n"), 1):
        if fence:
            if line.lstrip(" ").startswith(fence):
                fence = ""
            continue
        opening = _FENCE_OPEN.match(line)
        if opening:
            fence = opening.group(1)
            continue
        expanded = line.expandtabs(4)
        rest = expanded.lstrip(" ")
        indent = len(expanded) - len(rest)
        # The containers a line opens: block quote markers and list markers, possibly several
        # ("> - > x", "- - - x"); the first list marker of an unquoted line continues the
        # open lists by its indentation, every further container nests one level more.
        quotes, extra, first_item = 0, 0, True
        while True:
            if rest.startswith(">"):
                quotes += 1
                rest = rest[1:].lstrip(" ")
                continue
            marker = _LIST_MARKER.match(rest)
            if not marker or _RULE_LINE.match(rest):
                break
            if first_item and not quotes:
                while open_items and open_items[-1] >= indent:
                    open_items.pop()
                open_items.append(indent)
            else:
                extra += 1
            first_item = False
            rest = rest[marker.end():].lstrip(" ")
        if first_item and rest and indent == 0 and not quotes:
            open_items.clear()  # a paragraph at the margin closes every list
        depth = quotes + extra + len(open_items)
        if depth > limit:
            raise NestingTooDeep(number, depth, "block")
        if _RULE_LINE.match(rest):
            continue
        for run in _INLINE_RUN.finditer(rest):
            length = run.end() - run.start()
            depth = length if run.group(0)[0] == "[" else length // 2
            if depth > limit:
                raise NestingTooDeep(number, depth, "inline")


def _joins_tight(left: str, right: str) -> bool:
    """True when a soft line break between ``left`` and ``right`` should vanish."""
    if not left or not right:
        return False
    if _FULLWIDTH_PUNCT.match(left) or _FULLWIDTH_PUNCT.match(right):
        return True
    return bool(_CJK_RE.match(left) and _CJK_RE.match(right))


def join_soft_breaks(text: str) -> str:
    """Apply the soft-line-break rule to one run of text (see the module docstring)."""
    if "\n" not in text:
        return text

    def repl(m: re.Match[str]) -> str:
        left = text[m.start() - 1] if m.start() else ""
        right = text[m.end()] if m.end() < len(text) else ""
        if not left or not right:
            return m.group(0)  # decided across element boundaries by the tree processor
        return "" if _joins_tight(left, right) else " "

    return _SOFT_BREAK.sub(repl, text)


class _SoftBreakProcessor(Treeprocessor):
    """Applies :func:`join_soft_breaks` to all text outside ``pre``/``code``, including breaks
    that fall at an element boundary ("**粗体**" ⏎ "正文")."""

    SKIP = {"pre", "code", "script", "style"}

    def run(self, root: etree.Element) -> None:
        slots: list[tuple[etree.Element, str]] = []

        def walk(el: etree.Element) -> None:
            if el.tag in self.SKIP:
                return
            if el.text:
                slots.append((el, "text"))
            for child in el:
                walk(child)
                if child.tail:
                    slots.append((child, "tail"))

        walk(root)
        values = [getattr(el, attr) for el, attr in slots]
        for i, (el, attr) in enumerate(slots):
            if "\n" not in values[i]:
                continue
            v = join_soft_breaks(values[i])
            prev_char = values[i - 1][-1:] if i else ""
            next_char = values[i + 1][:1] if i + 1 < len(values) else ""
            m = re.match(r"[ \t]*\n[ \t]*", v)
            if m and m.end() < len(v) and prev_char:
                v = ("" if _joins_tight(prev_char, v[m.end()]) else " ") + v[m.end():]
            m = re.search(r"[ \t]*\n[ \t]*$", v)
            if m and m.start() > 0 and next_char:
                v = v[: m.start()] + ("" if _joins_tight(v[m.start() - 1], next_char) else " ")
            setattr(el, attr, v)


# ---------------------------------------------------------------------------------------------
# CommonMark fidelity (spec 0.31.2, https://spec.commonmark.org/0.31.2/)

# §2.1 ASCII punctuation: every one of them can be backslash-escaped (§2.4).
ASCII_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
# §2.5: "&name;" (a name HTML5 knows), "&#" 1-7 digits ";", "&#x" 1-6 hex digits ";".
_ENTITY = r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});"
_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])|" + _ENTITY)
_STASHED_CHAR = re.compile(f"{mdutil.STX}([0-9]+){mdutil.ETX}")
_HEADING = {"h1", "h2", "h3", "h4", "h5", "h6"}


def decode_entity(ref: str) -> str | None:
    """The character(s) of one entity or numeric character reference (``"&ouml;"`` -> ``"ö"``,
    ``"&#35;"`` -> ``"#"``, ``"&#X22;"`` -> ``'"'``), or ``None`` when ``ref`` is not a valid
    one (CommonMark §2.5: an unknown name stays text).  Code point 0, surrogates and code points
    past U+10FFFF become U+FFFD."""
    if ref.startswith("&#"):
        n = int(ref[3:-1], 16) if ref[2] in "xX" else int(ref[2:-1])
        return "\ufffd" if n == 0 or 0xD800 <= n <= 0xDFFF or n > 0x10FFFF else chr(n)
    return _HTML5_ENTITIES.get(ref[1:])  # the table's names include the ";"


def decode_entities(text: str) -> str:
    """``text`` with its valid entity and numeric character references decoded (§2.5)."""
    return unescape_string(text, escapes=False)


def unescape_string(text: str, entities: bool = True, escapes: bool = True) -> str:
    """``text`` with backslash escapes (§2.4) and, when ``entities``, valid entity and numeric
    references (§2.5) replaced by their characters: what CommonMark does to link destinations,
    link titles and code fence info strings (``foo\\+bar`` -> ``foo+bar``)."""
    def repl(m: re.Match[str]) -> str:
        if m.group(1) is not None:
            return m.group(1) if escapes else m.group(0)
        if not entities:
            return m.group(0)
        return decode_entity(m.group(0)) or m.group(0)

    return _UNESCAPE.sub(repl, text) if ("\\" in text or "&" in text) else text


def normalize_link(url: str) -> str:
    """``url`` percent-encoded as CommonMark renderers write an ``href``/``src`` (RFC 3986
    characters and existing ``%XX`` kept, everything else UTF-8 percent-encoded:
    ``/f\\u00f6`` -> ``/f%C3%B6``, a backslash -> ``%5C``).  mdurl is the library markdown-it
    uses for this."""
    import mdurl  # installed with markdown-it-py

    return mdurl.encode(url)


@lru_cache(maxsize=1)
def commonmark_block_parser() -> Any:
    """A CommonMark block parser (markdown-it-py, raw HTML and GFM tables on, inline rules off)
    whose tokens carry source line ranges (``Token.map``).  The renderer finds fenced code with
    it and ``jindallae check`` its code lines, so both agree on what is code."""
    from markdown_it import MarkdownIt  # CommonMark 0.31.2 block parser with line maps

    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    md.disable(["inline", "text_join"])  # only the block structure is needed
    return md


_MAY_HAVE_FENCE = re.compile(r"```|~~~")


class _BlockPreprocessor(Preprocessor):
    """Python-Markdown's ``normalize_whitespace`` (line endings, tabs, blank lines) preceded by
    CommonMark fenced code blocks (§4.5).

    A CommonMark parser finds each fence, in block quotes and list items too: any number (3+) of
    backticks or tildes indented up to 3 spaces, closed by a fence of the same kind at least as
    long, or by the end of its container; the info string's first word (backslash escapes and
    entities decoded) is the language, ``<code class="language-html">``.  The block is stashed as
    HTML exactly as written (tabs and blank lines kept) and a placeholder takes its lines, so
    nothing in it is ever read as Markdown or raw HTML.
    """

    def run(self, lines: list[str]) -> list[str]:
        source = "\n".join(lines).replace(mdutil.STX, "").replace(mdutil.ETX, "")
        source = source.replace("\r\n", "\n").replace("\r", "\n")
        if _MAY_HAVE_FENCE.search(source):
            source = self.stash_fences(source)
        source = (source + "\n\n").expandtabs(self.md.tab_length)
        source = re.sub(r"(?<=\n) +\n", "\n", source)
        return source.split("\n")

    def stash_fences(self, source: str) -> str:
        lines = source.split("\n")
        fences, items = [], []  # (fence token, its list nesting as Python-Markdown counts it)
        for token in commonmark_block_parser().parse(source):
            if token.type == "list_item_open":
                items.append(token)
            elif token.type == "list_item_close":
                items.pop()
            elif token.type == "fence" and token.map:
                depth = 0
                if items and items[-1].map:  # Python-Markdown nests lists by 4 spaces a level
                    marker_line = lines[items[-1].map[0]].expandtabs(self.md.tab_length)
                    depth = (len(marker_line) - len(marker_line.lstrip(" "))) // self.md.tab_length + 1
                fences.append((token, depth))
        for token, depth in reversed(fences):  # from the end, so earlier line numbers stay valid
            start, end = token.map
            info = unescape_string(token.info).strip()
            lang = info.split()[0] if info else ""
            attr = f' class="language-{htmllib.escape(lang)}"' if lang else ""
            code = f"<pre><code{attr}>{htmllib.escape(token.content, quote=False)}</code></pre>"
            placeholder = self.md.htmlStash.store(code)
            opening = lines[start]
            prefix = opening[:opening.find(token.markup[0])]  # container markers: "> ", "- ", "   "
            if not prefix.strip():
                if depth:  # a block of its own in a list item, indented as Python-Markdown nests
                    new = [" " * (self.md.tab_length * depth) + placeholder]
                    if start and lines[start - 1].strip():
                        new.insert(0, "")
                    if end < len(lines) and lines[end].strip():
                        new.append("")
                else:  # at the margin: a block of its own
                    new = ["", placeholder, ""]
            elif not prefix.replace(">", "").strip():  # in block quotes: a paragraph of its own there
                quote = prefix.rstrip()
                new = [prefix + placeholder]
                if start and _quoted_text(lines[start - 1]):
                    new.insert(0, quote)
                if end < len(lines) and _quoted_text(lines[end]):
                    new.append(quote)
            else:  # opens a list item ("- ```"): the item's first block
                new = [prefix + placeholder]
            lines[start:end] = new
        return "\n".join(lines)


def _quoted_text(line: str) -> bool:
    """True for a block-quote line with text in it (``"> a"``, not ``">"``)."""
    return line.lstrip().startswith(">") and bool(line.replace(">", "").strip())


class _AmpersandProcessor(Treeprocessor):
    """After Python-Markdown's ``unescape``: an ``&`` in text (from ``\\&``, ``&amp;`` or
    ``&#38;``) is written ``&amp;``.  Python-Markdown's serializer leaves an ``&`` alone when
    it looks like the start of an entity, so ``\\&ouml;`` would reach the browser as ``&ouml;``
    and show as ``ö`` (§2.4 example 14: it is the text ``&ouml;``).  Code text is escaped already."""

    def run(self, root: etree.Element) -> None:
        amp = mdutil.AMP_SUBSTITUTE + "amp;"
        for el in root.iter():
            if el.text and "&" in el.text and el.tag != "code":
                el.text = el.text.replace("&", amp)
            if el.tail and "&" in el.tail:
                el.tail = el.tail.replace("&", amp)


class _EscapedTextProcessor(Treeprocessor):
    """Puts backslash-escaped and entity characters back into the text of headings before the
    ``toc`` extension reads it, so an id is made from the heading as displayed (``## \\<i>``
    -> ``<i>`` -> ``i``), never from a tag the escaped text seemed to be."""

    def run(self, root: etree.Element) -> None:
        def restore(text: str) -> str:
            return _STASHED_CHAR.sub(lambda m: chr(int(m.group(1))), text)

        for el in root.iter():
            if el.tag not in _HEADING:
                continue
            for sub in el.iter():
                if sub.text and sub.tag != "code":
                    sub.text = restore(sub.text)
                if sub.tail and sub is not el:
                    sub.tail = restore(sub.tail)


class _ReferenceProcessor(Treeprocessor):
    """Backslash escapes in link reference definitions (§4.7: ``[foo]: /bar\\* "ti\\*tle"`` is
    ``/bar*`` titled ``ti*tle``); runs before the inline patterns use the definitions.  (Inline
    links get theirs from Python-Markdown's escape pattern.)"""

    def run(self, root: etree.Element) -> None:
        refs = self.md.references
        for key, (url, title) in list(refs.items()):
            refs[key] = (unescape_string(url, entities=False), unescape_string(title, False) if title else title)


class _EntityInline(InlineProcessor):
    """§2.5 and §6.9: a valid entity or numeric character reference is its character(s), stashed
    like a backslash escape so it is never read as Markdown (``&#42;`` is a ``*``, not emphasis);
    every other ``&`` is a literal ampersand (``&#87654321;`` and ``&MadeUp;`` are shown as typed,
    where a browser would have guessed)."""

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[str, int, int]:  # type: ignore[override]
        chars = decode_entity(m.group(0)) if len(m.group(0)) > 1 else None
        if chars is None:  # "&amp;" in the output, after the serializer (which keeps "&x;" as is)
            return mdutil.AMP_SUBSTITUTE + "amp;", m.start(0), m.start(0) + 1
        return "".join(f"{mdutil.STX}{ord(c)}{mdutil.ETX}" for c in chars), m.start(0), m.end(0)


class _AutolinkInline(InlineProcessor):
    """§6.5 autolinks: ``<scheme:anything-but-spaces-and-angle-brackets>`` (a scheme of 2-32
    characters) and ``<address@example.com>`` (the HTML5 e-mail rule).  The link text is the URL
    as written, backslashes included (§6.5: escapes do not work inside autolinks)."""

    PATTERN = (r"<(?:([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^<>\x00-\x20]*)|"
               r"([a-zA-Z0-9.!#$%&'*+/=?^_`{|}~\-]+@[a-zA-Z0-9](?:[a-zA-Z0-9\-]{0,61}[a-zA-Z0-9])?"
               r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9\-]{0,61}[a-zA-Z0-9])?)*))>")

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[etree.Element, int, int]:  # type: ignore[override]
        el = etree.Element("a")
        text = m.group(1) or m.group(2)
        el.set("href", m.group(1) or f"mailto:{m.group(2)}")
        el.text = mdutil.AtomicString(text)
        return el, m.start(0), m.end(0)


def _commonmark_inline(md: markdown.Markdown) -> None:
    """Swap Python-Markdown's inline patterns for the CommonMark ones above."""
    from markdown_it.common.html_re import HTML_TAG_RE  # §6.6 raw HTML, as markdown-it writes it

    for char in ASCII_PUNCTUATION:
        if char not in md.ESCAPED_CHARS:
            md.ESCAPED_CHARS.append(char)
    for name in ("autolink", "automail", "html", "entity"):
        md.inlinePatterns.deregister(name)
    # above "escape" (180): backslashes inside an autolink are part of its URL
    md.inlinePatterns.register(_AutolinkInline(_AutolinkInline.PATTERN, md), "cm_autolink", 185)
    # below "escape": a backslash pair followed by a line ending is an escaped backslash, not a break
    md.inlinePatterns.register(SubstituteTagInlineProcessor(r"\\\n", "br"), "cm_hard_break", 177)
    # raw inline HTML exactly as §6.6 defines a tag, comment, processing instruction,
    # declaration or CDATA section; any other "<" is text ("<foo.bar.baz>", "<m:abc>")
    md.inlinePatterns.register(HtmlInlineProcessor(f"({HTML_TAG_RE.pattern})", md), "html", 90)
    md.inlinePatterns.register(_EntityInline(f"{_ENTITY}|&", md), "entity", 80)


@dataclass
class LinkContext:
    """Where a page lives, for resolving its relative links.

    ``source`` is the page's path relative to the content folder (``parks/x.zh.md``);
    ``resolve`` maps a content-relative path to a site URL or ``None`` when nothing is there;
    ``missing`` collects ``(target, kind)`` for links that resolve to nothing.
    """

    source: str
    resolve: Callable[[str], str | None]
    missing: list[tuple[str, str]] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)  # content paths the page links to


_NOT_CONTENT_REF = re.compile(r"^[a-z][a-z0-9+.-]*:|^//|^#|^/", re.I)


def is_content_reference(url: str) -> bool:
    """True for a link or image path that names a content file (``../policy/x.zh.md``,
    ``images/a.jpg``); false for URLs with a scheme, ``//host``, ``#fragment`` and site URLs
    (``/policy/x/``), which the renderer leaves as they are."""
    return bool(url) and not _NOT_CONTENT_REF.match(url)


def resolve_reference(source: str, url: str, resolve: Callable[[str], str | None]) -> tuple[str, str] | None:
    """The renderer's rule for a content reference ``url`` found in the page ``source`` (a
    content-relative path): try the path relative to the page's folder, then relative to the
    content folder; ``resolve`` maps a content path to its site URL.  Returns ``(content path,
    URL with the fragment kept)`` or ``None`` when nothing is there.  ``jindallae check`` uses
    the same function, so a link it passes is a link the build resolves."""
    path, _, frag = url.partition("#")
    base = posixpath.dirname(source)
    for cand in (posixpath.normpath(posixpath.join(base, path)), posixpath.normpath(path)):
        target = resolve(cand) if not cand.startswith("..") else None
        if target is not None:
            return cand, target + (f"#{frag}" if frag else "")
    return None


class _LinkProcessor(Treeprocessor):
    """Resolves content references (``../policy/x.zh.md``, ``images/a.jpg``) to site URLs and
    writes every other ``href``/``src`` as CommonMark does: entity references decoded (§2.5),
    then percent-encoded (:func:`normalize_link`).  A resolved URL is the site's own, as the URL
    map gives it (the images plugin looks pictures up by it)."""

    def __init__(self, md: markdown.Markdown, ext: "CJKExtension"):
        super().__init__(md)
        self.ext = ext

    def run(self, root: etree.Element) -> None:
        ctx: LinkContext | None = self.ext.link_context
        for el in root.iter():
            attr = "href" if el.tag == "a" else "src" if el.tag == "img" else None
            if not attr or not el.get(attr):
                continue
            # backslash escapes of an inline link's URL are still stashed here (§6.3)
            url = decode_entities(_STASHED_CHAR.sub(lambda m: chr(int(m.group(1))), el.get(attr)))
            if ctx is None or not is_content_reference(url):
                # "#fn:注" stays as the id it names (footnotes, headings); browsers match either form
                el.set(attr, url if url.startswith("#") else normalize_link(url))
                continue
            found = resolve_reference(ctx.source, url, ctx.resolve)
            if found is not None:
                el.set(attr, found[1])
                ctx.resolved.append(found[0])
            else:
                el.set(attr, url)
                ctx.missing.append((url, "image" if el.tag == "img" else "link"))
            if el.tag == "img":
                el.set("loading", "lazy")


class CJKExtension(Extension):
    """Python-Markdown extension bundling the CommonMark rules above, the CJK soft-break rule and
    link resolution.  It replaces Python-Markdown's whitespace preprocessor (fenced code is
    found there, so the ``fenced_code`` extension is not used) and its autolink, raw HTML and
    entity patterns; it must be the last extension listed."""

    def __init__(self, **kwargs):
        self.link_context: LinkContext | None = None
        super().__init__(**kwargs)

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.deregister("normalize_whitespace")
        md.preprocessors.register(_BlockPreprocessor(md), "normalize_whitespace", 30)
        _commonmark_inline(md)
        md.treeprocessors.register(_ReferenceProcessor(md), "cm_references", 25)
        md.treeprocessors.register(_EscapedTextProcessor(md), "cm_heading_text", 6)
        md.treeprocessors.register(_SoftBreakProcessor(md), "cjk_soft_break", 5)
        md.treeprocessors.register(_LinkProcessor(md, self), "cjk_links", 4)
        md.treeprocessors.register(_AmpersandProcessor(md), "cm_ampersand", -1)  # after "unescape"


def _heading_slug(value: str, separator: str) -> str:
    return slugify(value, separator) or "section"


@dataclass
class Rendered:
    """The result of :meth:`Renderer.render`: sanitised ``html``, the table of contents as a list
    of ``(level, id, text)`` (``text`` plain, as displayed: ``"<i> vs. <em>"``), the Markdown
    links and images whose content reference resolves to nothing as ``(target, kind)``, and the
    content paths of the resolved ones, raw HTML's included (``links``)."""

    html: str
    toc: list[tuple[int, str, str]]
    missing: list[tuple[str, str]]
    links: list[str] = field(default_factory=list)


class Renderer:
    """A reusable Markdown renderer (not thread-safe: one per thread or process)."""

    def __init__(self) -> None:
        self.cjk = CJKExtension()
        self.md = markdown.Markdown(
            extensions=[
                # align="right", not style="text-align: right": the sanitiser drops style
                # attributes, which silently lost the column alignment of Markdown tables.
                TableExtension(use_align_attribute=True), "sane_lists", "attr_list",
                FootnoteExtension(BACKLINK_TITLE="↩ %d"),  # no English text on zh/ko pages
                TocExtension(slugify=_heading_slug, permalink=False, toc_depth="2-4"),
                self.cjk,
            ],
            output_format="html",
        )

    def render(self, text: str, link_context: LinkContext | None = None) -> Rendered:
        """Render Markdown ``text`` to sanitised HTML.

        Raises :class:`NestingTooDeep` (a ``ValueError``) before parsing when the text nests
        more than :data:`MAX_NESTING` levels.
        """
        check_nesting(text)
        self.md.reset()
        self.cjk.link_context = link_context
        try:
            html = self.md.convert(text)
        except BaseException:
            # A failed conversion (e.g. RecursionError) can leave Python-Markdown's parser state
            # half-changed; start afresh so the next page renders normally.
            self.__init__()
            raise
        finally:
            self.cjk.link_context = None
        # toc's names are HTML ("&lt;i&gt; vs. &lt;em&gt;"); the table of contents wants text
        toc = [(t["level"], t["id"], htmllib.unescape(t["name"])) for t in _flatten(self.md.toc_tokens)]
        if link_context is None:
            return Rendered(sanitize(html), toc, [])
        clean = sanitize(html, _raw_html_links(link_context))
        return Rendered(clean, toc, list(link_context.missing), list(link_context.resolved))


def _raw_html_links(ctx: LinkContext) -> Callable[[str, str, str], str | None]:
    """An nh3 attribute filter resolving content references in raw HTML (``<a
    href="../policy/x.zh.md">``, ``<img src="images/a.jpg">``) by the rule Markdown links follow,
    so a link ``jindallae check`` passes works on the site whichever way it was written."""
    def rewrite(tag: str, attr: str, value: str) -> str | None:
        if (tag, attr) in (("a", "href"), ("img", "src")) and is_content_reference(value):
            found = resolve_reference(ctx.source, value, ctx.resolve)
            if found is not None:
                ctx.resolved.append(found[0])
                return found[1]
        return value

    return rewrite


def _flatten(tokens: list[dict]) -> list[dict]:
    out = []
    for t in tokens:
        out.append(t)
        out += _flatten(t.get("children", []))
    return out


def sanitize(html: str, attribute_filter: Callable[[str, str, str], str | None] | None = None) -> str:
    """Clean HTML with nh3's allow-list (tags, attributes and URL schemes above).

    Scripts and styles are removed with their content; ``on*`` attributes and ``javascript:``
    URLs never survive (OWASP XSS Prevention Cheat Sheet, rule #1 and #5).  ``attribute_filter``
    ``(tag, attribute, value) -> value or None`` may rewrite the allowed attributes.
    """
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel=None, strip_comments=True, attribute_filter=attribute_filter)


@lru_cache(maxsize=1)
def default_renderer() -> Renderer:
    """The process's renderer (Python-Markdown instances are costly to build)."""
    return Renderer()


def render(text: str, link_context: LinkContext | None = None) -> Rendered:
    """Render ``text`` with the process's :func:`default_renderer`."""
    return default_renderer().render(text, link_context)
