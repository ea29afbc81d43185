"""Markdown to safe HTML, correct for Chinese and Korean text.

Python-Markdown does the parsing; this module adds what CJK text needs and what a public site
needs:

* soft line breaks: a newline typed between two CJK characters is dropped (browsers would show
  it as a gap, W3C clreq §3.1 "no spaces between Han characters"); any other soft line break
  becomes one space (Korean words, and Han next to Latin: "使用" ⏎ "Pelican" -> "使用 Pelican");
* heading anchors from :func:`jindallae.slugs.slugify` (pinyin / Revised Romanization), unique
  within the page, so "## 创建幸福家庭" gets ``id="chuang-jian-xing-fu-jia-ting"``;
* links to other content files (``../policy/x.zh.md``) become the target's URL and image paths
  resolve against the file, then the content folder, to ``{SITEURL}/<path>``;
* the HTML is sanitised with nh3 (an allow-list; OWASP XSS prevention): no script, no event
  handler attributes, no ``javascript:`` URLs.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

import markdown
import nh3
from markdown.extensions import Extension
from markdown.extensions.tables import TableExtension
from markdown.extensions.footnotes import FootnoteExtension
from markdown.extensions.toc import TocExtension
from markdown.treeprocessors import Treeprocessor

from .slugs import slugify

RENDERER_VERSION = "5"  # bump when the output of render() changes for the same input

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
    def __init__(self, md: markdown.Markdown, ext: "CJKExtension"):
        super().__init__(md)
        self.ext = ext

    def run(self, root: etree.Element) -> None:
        ctx: LinkContext | None = self.ext.link_context
        if ctx is None:
            return
        for el in root.iter():
            attr = "href" if el.tag == "a" else "src" if el.tag == "img" else None
            if not attr or not el.get(attr):
                continue
            url = el.get(attr)
            if not is_content_reference(url):
                continue
            found = resolve_reference(ctx.source, url, ctx.resolve)
            if found is not None:
                el.set(attr, found[1])
                ctx.resolved.append(found[0])
            else:
                ctx.missing.append((url, "image" if el.tag == "img" else "link"))
            if el.tag == "img":
                el.set("loading", "lazy")


class CJKExtension(Extension):
    """Python-Markdown extension bundling the CJK soft-break rule and link resolution."""

    def __init__(self, **kwargs):
        self.link_context: LinkContext | None = None
        super().__init__(**kwargs)

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_SoftBreakProcessor(md), "cjk_soft_break", 5)
        md.treeprocessors.register(_LinkProcessor(md, self), "cjk_links", 4)


def _heading_slug(value: str, separator: str) -> str:
    return slugify(value, separator) or "section"


@dataclass
class Rendered:
    """The result of :meth:`Renderer.render`: sanitised ``html``, the table of contents as a list
    of ``(level, id, text)``, unresolved links as ``(target, kind)`` and the content paths of
    the resolved ones (``links``)."""

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
                TableExtension(use_align_attribute=True), "fenced_code", "sane_lists", "attr_list",
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
        toc = [(t["level"], t["id"], t["name"]) for t in _flatten(self.md.toc_tokens)]
        if link_context is None:
            return Rendered(sanitize(html), toc, [])
        return Rendered(sanitize(html), toc, list(link_context.missing), list(link_context.resolved))


def _flatten(tokens: list[dict]) -> list[dict]:
    out = []
    for t in tokens:
        out.append(t)
        out += _flatten(t.get("children", []))
    return out


def sanitize(html: str) -> str:
    """Clean HTML with nh3's allow-list (tags, attributes and URL schemes above).

    Scripts and styles are removed with their content; ``on*`` attributes and ``javascript:``
    URLs never survive (OWASP XSS Prevention Cheat Sheet, rule #1 and #5).
    """
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel=None, strip_comments=True)


@lru_cache(maxsize=1)
def default_renderer() -> Renderer:
    """The process's renderer (Python-Markdown instances are costly to build)."""
    return Renderer()


def render(text: str, link_context: LinkContext | None = None) -> Rendered:
    """Render ``text`` with the process's :func:`default_renderer`."""
    return default_renderer().render(text, link_context)
