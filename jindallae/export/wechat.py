"""A page as a WeChat official-account (公众号) article.

Staff republish the site's articles on the office's WeChat account, where most of the public —
the elderly especially — read.  The WeChat editor (mp.weixin.qq.com) keeps pasted HTML only in
part: it drops ``class`` and ``id`` attributes, ``<style>`` blocks and scripts, and every link
that does not lead to another WeChat article; images must be uploaded to WeChat.  So the export
(:func:`export_page`) is:

* the body rendered by the site's own renderer (:func:`jindallae.markup.render`: CJK line
  breaks, sanitising), then rewritten with **inline styles only** (no class, no id, no
  ``<style>``, no script): a type scale for phones — body text 17 px with line height 1.8,
  headings 18–21 px, nothing but superscript numbers below 16 px (WeChat's own default body
  size is 17 px; older readers need no smaller);
* links to other sites (and to this site: WeChat drops them too) turned into **numbered
  references**: the text keeps a superscript ``[n]``, the list at the end shows each URL as
  text (one number per URL; a link whose text is its URL stays as text without a number; links
  to ``mp.weixin.qq.com`` articles are kept, WeChat allows them; links inside the page and
  footnote back-links are removed, footnotes are kept as notes);
* every image replaced by a numbered placeholder ``【图1】`` with its alt text as caption, and
  listed in :attr:`WeChatExport.uploads` in order (cover first, then the body's images, the QR
  code last): the files to upload in WeChat's editor;
* the event details of an event page at the top;
* at the end the page's public address (``JINDALLAE_PUBLIC_URL`` + the page's URL) as text and
  its QR code (segno, error correction Q, 4-module quiet zone) as an inline ``data:`` PNG,
  also listed as a file to upload in case WeChat does not take the inline picture (the command
  line lists it only with ``--images``, which writes it as a file: :meth:`WeChatExport.notes`);
* a notice per picture whose alt text is empty or still a ``TODO`` placeholder (as ``jindallae
  import`` leaves them), naming the line of the page's file to correct (:func:`alt_notices`;
  the command line prints ``path:line: warning: ...``): in WeChat the alt text is the caption
  under the placeholder, and what readers who cannot see the picture get.

The title, summary (WeChat's 摘要, at most 120 characters), author and cover are separate fields
in WeChat's editor: they are given in :class:`WeChatExport`, not repeated in the body.

Shapes: :func:`find_page` ``(model, content root, slug, lang, section) -> Item``;
:func:`export_page` ``(model, content root, item, public URL) -> WeChatExport``;
:meth:`WeChatExport.document` a complete HTML file; :meth:`WeChatExport.to_dict` JSON for the CMS.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import re
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping
from urllib.parse import unquote, urlsplit

from jindallae.markup import LinkContext, render
from jindallae.model import Item, Model, parse_when
from jindallae.site import build_url_map

GENERATOR = "jindallae wechat"  # <meta name="generator">: marks files this export may overwrite
WECHAT_HOSTS = ("mp.weixin.qq.com",)  # links WeChat keeps in an article
TITLE_LIMIT = 64  # characters WeChat's editor takes for a title
DIGEST_LIMIT = 120  # ... for the summary (摘要)
TEXT_LIMIT = 20000  # ... for the article's text

# The type scale and colours (the site's palette, themes/jindallae/static/css/site.css).
TEXT, HEAD, ACCENT, MUTED, LINE, TINT = "#1c2b45", "#14305a", "#b3125f", "#4a5a70", "#e3d5cb", "#fdeef4"
BODY_PX, LINE_HEIGHT = 17, 1.8
HEADING_PX = {"h1": 21, "h2": 21, "h3": 19, "h4": 18, "h5": 17, "h6": 17}


def _style(**props: Any) -> str:
    """``font_size='17px'`` -> ``font-size:17px``; properties joined by ``;``."""
    return ";".join(f"{k.replace('_', '-')}:{v}" for k, v in props.items())


def _text_style(size: int = BODY_PX, **more: Any) -> str:
    """A text element's style: ``size`` px, line height :data:`LINE_HEIGHT`, ``more`` on top."""
    return _style(**{"font_size": f"{size}px", "line_height": LINE_HEIGHT, "color": TEXT, **more})


@lru_cache(maxsize=1)
def styles() -> Mapping[str, str]:
    """Inline style per element (the rewritten article keeps no other presentation)."""
    return MappingProxyType(_styles())


def _styles() -> dict[str, str]:
    return {
        "p": _text_style(margin="0 0 20px 0"),
        "li": _text_style(margin="0 0 8px 0"),
        "ul": _style(margin="0 0 20px 0", padding_left="1.6em"),
        "ol": _style(margin="0 0 20px 0", padding_left="1.6em"),
        "blockquote": _text_style(margin="0 0 20px 0", padding="12px 16px", border_left=f"4px solid {ACCENT}",
                                  background_color=TINT, color=MUTED),
        "pre": _style(font_size="16px", line_height=LINE_HEIGHT, margin="0 0 20px 0", padding="12px",
                      background_color="#f6f2ee", white_space="pre-wrap", word_wrap="break-word", color=TEXT),
        "code": _style(font_size="16px", font_family="monospace", background_color="#f6f2ee"),
        "table": _style(width="100%", border_collapse="collapse", margin="0 0 20px 0"),
        "th": _text_style(16, border=f"1px solid {LINE}", padding="6px 8px", background_color=TINT, font_weight="bold"),
        "td": _text_style(16, border=f"1px solid {LINE}", padding="6px 8px"),
        "hr": _style(border="none", border_top=f"1px solid {LINE}", margin="28px 0"),
        "dt": _text_style(font_weight="bold", margin="0"),
        "dd": _text_style(margin="0 0 12px 1.6em"),
        "figure": _style(margin="0 0 20px 0"),
        "figcaption": _text_style(16, color=MUTED, text_align="center"),
        "summary": _text_style(font_weight="bold", margin="0 0 8px 0"),
        "small": _text_style(16, color=MUTED),
        "sup": _style(font_size="12px", line_height="0", vertical_align="super"),
        "sub": _style(font_size="12px", line_height="0", vertical_align="sub"),
        "mark": _style(background_color="#ffe9a8"),
        "a": _style(color="#576b95"),  # WeChat's link blue (kept only for mp.weixin.qq.com links)
        **{h: _style(font_size=f"{px}px", line_height=1.75, color=HEAD, font_weight="bold", margin="28px 0 14px 0",
                     **({"padding_left": "10px", "border_left": f"4px solid {ACCENT}"} if h in ("h1", "h2") else {}))
           for h, px in HEADING_PX.items()},
    }
# Elements WeChat does not know, written as one it does (the text stays).
RENAME = {"div": "section", "details": "section", "summary": "p", "figure": "section", "figcaption": "p",
          "dl": "section", "dt": "p", "dd": "p", "small": "span", "abbr": "span", "kbd": "code", "q": "span"}
VOID = {"br", "hr", "img", "wbr"}
# Attributes kept (besides the style this module writes); everything else goes (class, id, lang ...).
KEEP_ATTRS = {"td": ("colspan", "rowspan"), "th": ("colspan", "rowspan"), "ol": ("start",)}

LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "image": "【图{n}】请在此处插入图片 {file}",
        "references": "参考链接",
        "notes": "注释",
        "address": "本文网址：",
        "qr_hint": "长按识别二维码，在网站上阅读本文",
        "qr_alt": "本文网址的二维码",
        "colon": "：", "when": "时间", "location": "地点", "address_field": "地址", "organizer": "主办", "registration": "报名",
        "contact": "咨询", "status_postponed": "本活动已延期", "status_cancelled": "本活动已取消",
        "cover": "封面", "body_image": "图{n}", "qr": "二维码（文末）",
    },
    "ko": {
        "image": "【그림 {n}】여기에 그림을 넣으십시오: {file}",
        "references": "참고 링크",
        "notes": "주해",
        "address": "이 글의 인터넷 주소: ",
        "qr_hint": "2차원코드를 길게 누르면 웹사이트에서 이 글을 볼 수 있습니다",
        "qr_alt": "이 글의 인터넷 주소 2차원코드",
        "colon": ": ", "when": "일시", "location": "장소", "address_field": "주소", "organizer": "주최",
        "registration": "신청 방법",
        "contact": "문의", "status_postponed": "이 행사는 연기되었습니다", "status_cancelled": "이 행사는 취소되었습니다",
        "cover": "표지", "body_image": "그림 {n}", "qr": "2차원코드(글 끝)",
    },
}


class ExportError(Exception):
    """The page cannot be exported (not found, ambiguous, invalid); ``str()`` says what to do."""


@dataclass
class Upload:
    """A file to upload in WeChat's editor: ``number`` (1-based order of uploading), ``role``
    (``cover`` — WeChat's cover field; ``body`` — the placeholder 【图n】; ``qr`` — the QR code at
    the end), ``path`` (content-relative, or the URL of a picture on another site; ``qr.png``
    for the QR code), ``alt`` (the alt text), ``label`` (how the article names it: 封面, 图1 …),
    ``file`` (the file on disk, ``None`` when it is missing or elsewhere)."""

    number: int
    role: str
    path: str
    alt: str
    label: str
    file: Path | None = None


@dataclass
class Reference:
    """A link turned into a numbered reference: ``[number] text: url``."""

    number: int
    url: str
    text: str


# What staff should know before publishing on WeChat: code -> English text ({name} filled from
# the notice's args).  The command line prints the English; the CMS translates each code.
NOTICES: dict[str, str] = {
    "not-published": "the page is not published (status: {status}): its address and QR code lead nowhere until it is",
    "public-url": "JINDALLAE_PUBLIC_URL {problem}: the address and QR code in the article are not the public ones "
                  "(set it in publishconf.py)",
    "link-nowhere": "{kind} {target!r} leads nowhere (see jindallae check)",
    "image-missing": "image {path} does not exist",
    "title-long": "the title has {length} characters; WeChat takes at most {limit}",
    "summary-long": "the summary has {length} characters; WeChat's 摘要 takes at most {limit}",
    "text-long": "the article has {length} characters; WeChat takes at most {limit}: split it",
    "alt-missing": "{label} {src} has no alt text: write what the picture shows in {where} (readers who cannot "
                   "see the picture get this text)",
    "alt-todo": "{label} {src}: the alt text is still the placeholder {alt!r}: replace it in {where} with what "
                "the picture shows",
}
# Notices about one line of the page's file: ``path:line:`` before the text.
LINE_NOTICES = ("alt-missing", "alt-todo")


@dataclass(frozen=True)
class Notice:
    """One thing staff should know first: ``code`` (a key of :data:`NOTICES`) and the values of
    its text (``args``); ``str()`` is the English text."""

    code: str
    args: dict[str, Any] = field(default_factory=dict, hash=False)

    def __str__(self) -> str:
        return self.text(self.args.get("path", ""))

    def text(self, path: str, kind: str = "") -> str:
        """The English text; a notice about one line of the file (:data:`LINE_NOTICES`) starts
        with ``path:line:`` (``path`` as the reader should open it), then ``kind`` (e.g.
        ``warning: ``)."""
        text = NOTICES[self.code].format(**self.args).lstrip()  # (no label: an image the scan could not number)
        return f"{path}:{self.args['line']}: {kind}{text}" if self.code in LINE_NOTICES else f"{kind}{text}"


@dataclass
class WeChatExport:
    """One page as a WeChat article.  ``html`` is the article to paste (inline styles only);
    ``title``/``summary``/``author`` go into WeChat's own fields; ``uploads`` the files to upload
    in order; ``references`` the numbered links; ``public_url`` the page's address, ``qr_png``
    its QR code; ``notices`` what staff should know first (page not published, address not
    public, a text longer than WeChat takes: :class:`Notice`, translatable), ``warnings`` the
    same in English."""

    item: Item
    lang: str
    hreflang: str
    title: str
    summary: str
    author: str
    html: str
    public_url: str
    qr_png: bytes
    uploads: list[Upload] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        """The :attr:`notices` in English (the command line's report)."""
        return [str(n) for n in self.notices]

    @property
    def text(self) -> str:
        """The article as plain text (the clipboard's text/plain flavour)."""
        return html_to_text(self.html)

    def document(self) -> str:
        """A complete HTML file holding the article (open it in a browser, select all, copy)."""
        return (f'<!doctype html>\n<html lang="{html.escape(self.hreflang)}">\n<head>\n<meta charset="utf-8">\n'
                f'<meta name="generator" content="{GENERATOR}">\n'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
                f"<title>{html.escape(self.title)}</title>\n</head>\n<body>\n{self.html}\n</body>\n</html>\n")

    def notes(self, qr_file: bool = True, shown_path: str | None = None) -> str:
        """What to do in WeChat's editor, in English (the command line's report).

        ``qr_file``: the QR code was written as a file too (``--images``), so it is listed
        with the files to upload; without it only the page's pictures are listed (files of the
        content folder) and a line says how to get the QR code as a file.  Warnings about one
        line of the page (an image without real alt text) are ``path:line: warning: ...`` with
        ``shown_path`` (the page's file as the reader should open it; default its path in the
        content folder)."""
        lines = [f"title: {self.title}"]
        if self.summary:
            lines.append(f"summary (摘要): {self.summary}")
        if self.author:
            lines.append(f"author: {self.author}")
        lines.append(f"original link (原文链接): {self.public_url}")
        uploads = [up for up in self.uploads if qr_file or up.role != "qr"]
        lines.append("upload, in this order:" if uploads else "no images to upload")
        for up in uploads:
            where = {"cover": "WeChat's cover field", "body": f"at the placeholder {up.label}",
                     "qr": "the QR code at the end, if the inline one is missing"}[up.role]
            lines.append(f"  {up.number}. {up.path} ({where}){': ' + up.alt if up.alt else ''}")
        if not qr_file:
            lines.append("the QR code is inside the article; to get it as a file too (if WeChat drops it), "
                         "run again with --images FOLDER")
        path = shown_path or self.item.path
        for notice in self.notices:
            # path:line: warning: text (as compilers and `jindallae check` say it), else warning: text
            lines.append(notice.text(path, "warning: "))
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the article (``html``, ``text``), its fields, uploads, references, the
        public address, the QR code as a data URI and the warnings."""
        return {
            "path": self.item.path, "lang": self.lang, "title": self.title, "summary": self.summary,
            "author": self.author, "html": self.html, "text": self.text, "public_url": self.public_url,
            "qr": "data:image/png;base64," + base64.b64encode(self.qr_png).decode("ascii"),
            "uploads": [{"number": u.number, "role": u.role, "path": u.path, "alt": u.alt, "label": u.label,
                         "exists": u.file is not None} for u in self.uploads],
            "references": [{"number": r.number, "url": r.url, "text": r.text} for r in self.references],
            "warnings": list(self.warnings),
            "notices": [{"code": n.code, "args": dict(n.args)} for n in self.notices],
        }


# ---------------------------------------------------------------------------------------------
# Finding the page


def find_page(model: Model, root: Path, slug: str, lang: str | None = None, section: str | None = None) -> Item:
    """The page ``slug`` (or a content path ``events/x.zh.md``) in ``lang`` (default: the site's
    default language when that version exists, else the only version) and ``section`` (default:
    wherever the slug is).  Raises :class:`ExportError` naming what exists."""
    if slug.endswith(".md"):
        key = model.page_key(Path(slug).as_posix().split("content/", 1)[-1])
        if key is None:
            raise ExportError(f"{slug}: not a page path <section>/<slug>.<lang>.md")
        section, slug, lang = key
    if section is not None and section not in model.sections:
        raise ExportError(f"unknown section {section!r}; one of: {', '.join(model.sections)}")
    if lang is not None and lang not in model.by_code:
        raise ExportError(f"unknown language {lang!r}; one of: {', '.join(model.by_code)}")
    found = [(s, lg.code) for s in ([section] if section else list(model.sections)) for lg in model.languages
             if (root / s / f"{slug}.{lg.code}.md").is_file()]
    if not found:
        raise ExportError(f"no page with the slug {slug!r}" + (f" in {section}/" if section else "")
                          + f" (looked for {section or '<section>'}/{slug}.<lang>.md in {root})")
    sections = sorted({s for s, _ in found})
    if len(sections) > 1:
        raise ExportError(f"the slug {slug!r} is in several sections ({', '.join(sections)}); give --section")
    langs = [code for _, code in found]
    if lang is None:
        lang = model.default.code if model.default.code in langs else langs[0] if len(langs) == 1 else None
        if lang is None:
            raise ExportError(f"{slug!r} exists in {', '.join(langs)}; give --lang")
    elif lang not in langs:
        raise ExportError(f"{sections[0]}/{slug} has no {lang} version (there is: {', '.join(langs)})")
    rel = f"{sections[0]}/{slug}.{lang}.md"
    item, errors = model.parse_text(root, rel)
    if item is None or errors:
        raise ExportError(f"{rel} has errors the build would stop at; fix them first:\n"
                          + "\n".join(str(e) for e in errors))
    return item


# ---------------------------------------------------------------------------------------------
# Settings


def export_settings(project: Path, settings_file: Path | None = None) -> tuple[dict[str, Any], str | None]:
    """``(settings, problem)``: the settings the public address comes from — ``settings_file``,
    else ``publishconf.py`` (the production settings, as ``jindallae deploy`` reads them) when
    the project has one, else ``pelicanconf.py`` — and why their ``JINDALLAE_PUBLIC_URL`` is not
    a public address (``None`` when it is).  Raises ``SettingsError``/``FileNotFoundError``."""
    from jindallae.deploy.config import public_url_problem
    from jindallae.settings import load_settings

    project = Path(project)
    conf = settings_file or (project / "publishconf.py" if (project / "publishconf.py").is_file() else None)
    settings = load_settings(project, conf)
    return settings, public_url_problem(settings.get("JINDALLAE_PUBLIC_URL"))


def export_slug(project: Path, slug: str, lang: str | None = None, section: str | None = None,
                settings_file: Path | None = None, content: Path | None = None) -> WeChatExport:
    """Find and export a page of ``project`` (what ``jindallae wechat`` does): settings by
    :func:`export_settings`, the page by :func:`find_page` in ``content`` (default
    ``project/content``).  Raises :class:`ExportError`, ``SettingsError``, ``FileNotFoundError``."""
    from jindallae.model import model_from_settings

    settings, problem = export_settings(project, settings_file)
    model = model_from_settings(settings)
    root = Path(content or Path(project) / "content").resolve()
    item = find_page(model, root, slug, lang, section)
    return export_page(model, root, item, settings["JINDALLAE_PUBLIC_URL"], public_problem=problem)


# ---------------------------------------------------------------------------------------------
# The export


def public_page_url(model: Model, item: Item, public_url: str) -> str:
    """``https://host/sub/ko/events/x/``: the page's address under ``JINDALLAE_PUBLIC_URL``."""
    return f"{public_url.rstrip('/')}/{model.article_url(item.section, item.slug, item.lang)}"


def qr_png(url: str) -> bytes:
    """A QR code of ``url`` as PNG bytes: error correction Q (as the posters' codes), a 4-module
    quiet zone, 8 pixels per module (segno)."""
    import segno

    out = io.BytesIO()
    segno.make(url, error="q", boost_error=False).save(out, kind="png", scale=8, border=4)
    return out.getvalue()


def export_page(model: Model, root: Path, item: Item, public_url: str, items: list[Item] | None = None,
                public_problem: str | None = None) -> WeChatExport:
    """Export ``item`` (see the module docstring).  ``public_url`` is ``JINDALLAE_PUBLIC_URL``;
    ``items`` every page of the site (read from ``root`` when ``None``), to resolve links to
    other pages as the build does (published pages only); ``public_problem`` why the public URL
    is not a public address (from :func:`jindallae.deploy.config.public_url_problem`), shown as
    a warning."""
    root = Path(root)
    public_url = public_url.rstrip("/")
    if items is None:
        items, _errors = model.load(root)
    pages = [(i.path, i.section, i.slug, i.lang) for i in items if i.published]
    url_map = build_url_map(model, root, pages, public_url)
    by_url = {url: rel for rel, url in url_map.items()}
    rendered = render(item.body, LinkContext(item.path, url_map.get))
    lang = item.lang if item.lang in LABELS else "zh"
    labels = LABELS[lang]
    language = model.by_code[item.lang]
    page_url = public_page_url(model, item, public_url)

    uploads: list[Upload] = []
    cover = item.fields.get("cover")
    if cover:
        file = root / cover
        uploads.append(Upload(1, "cover", cover, str(item.fields.get("cover_alt") or ""), labels["cover"],
                              file if file.is_file() else None))

    def add_image(src: str, alt: str) -> str:
        rel = by_url.get(src)
        if rel is None and src.startswith(public_url + "/"):
            rel = unquote(src[len(public_url) + 1:])
        file = root / rel if rel and (root / rel).is_file() else None
        n = sum(u.role == "body" for u in uploads) + 1
        uploads.append(Upload(len(uploads) + 1, "body", rel or src, alt, labels["body_image"].format(n=n), file))
        return labels["image"].format(n=n, file=(rel or src).rsplit("/", 1)[-1])

    rewriter = _Rewriter(public_url, add_image, labels)
    rewriter.feed(rendered.html)
    rewriter.close()
    body = "".join(rewriter.out)
    png = qr_png(page_url)
    uploads.append(Upload(len(uploads) + 1, "qr", "qr.png", labels["qr_alt"], labels["qr"]))

    wrapper = _style(max_width="677px", margin="0 auto", padding="0 4px", font_size=f"{BODY_PX}px",
                     line_height=LINE_HEIGHT, color=TEXT, letter_spacing="0.5px", word_wrap="break-word",
                     text_align="justify" if lang == "zh" else "left")
    parts = [f'<section style="{wrapper}">', _event_box(item, language.locale, labels), body]
    if rewriter.references:
        parts.append(_references(rewriter.references, labels))
    parts.append(_footer(page_url, png, labels))
    parts.append("</section>")
    article = "\n".join(p for p in parts if p)

    notices = []
    if not item.published:
        notices.append(Notice("not-published", {"status": item.status}))
    if public_problem:
        notices.append(Notice("public-url", {"problem": public_problem}))
    for target, kind in rendered.missing:
        notices.append(Notice("link-nowhere", {"kind": kind, "target": target}))
    unresolved = {target for target, _kind in rendered.missing}
    for up in uploads:
        if up.role != "qr" and up.file is None and not up.path.startswith(("http://", "https://")) \
                and up.path not in unresolved:
            notices.append(Notice("image-missing", {"path": up.path}))
    notices += alt_notices(item, uploads)
    title = str(item.fields.get("title") or "")
    summary = str(item.fields.get("summary") or "")
    if len(title) > TITLE_LIMIT:
        notices.append(Notice("title-long", {"length": len(title), "limit": TITLE_LIMIT}))
    if len(summary) > DIGEST_LIMIT:
        notices.append(Notice("summary-long", {"length": len(summary), "limit": DIGEST_LIMIT}))
    length = len(html_to_text(article))
    if length > TEXT_LIMIT:
        notices.append(Notice("text-long", {"length": length, "limit": TEXT_LIMIT}))
    return WeChatExport(item, item.lang, language.hreflang, title, summary, str(item.fields.get("author") or ""),
                        article, page_url, png, uploads, rewriter.references, notices)


def alt_problem(alt: str, has_alt: bool = True) -> str | None:
    """``alt-missing`` for an empty alt text, ``alt-todo`` for a placeholder (text starting
    with ``TODO``, as ``jindallae import`` writes for every picture it takes out of a document:
    :data:`jindallae.importers.messages.ALT_TODO`), else ``None`` — the rule of ``jindallae
    check``'s alt-missing."""
    alt = re.sub(r"[*_`~]+", "", alt or "").strip()
    if not has_alt or not alt:
        return "alt-missing"
    if alt[:4].upper() == "TODO":
        return "alt-todo"
    return None


def alt_notices(item: Item, uploads: list[Upload]) -> list[Notice]:
    """A notice per picture of the page whose alt text is empty or still a TODO placeholder,
    with the line of the page's file to correct: the cover's ``cover_alt`` line, and each body
    image's ``![…]`` (or ``<img alt>``) line, found with the checks' body scanner
    (:func:`jindallae.checks.scan.scan_body`, code blocks left out).  Body images are named as
    the article names them (图1 …) when the scan finds the same images as the export."""
    from jindallae.checks.scan import scan_body

    notices = []
    cover = next((u for u in uploads if u.role == "cover"), None)
    if cover is not None:
        code = alt_problem(str(item.fields.get("cover_alt") or ""))
        if code:
            notices.append(Notice(code, {"path": item.path, "line": item.lines.get("cover_alt", item.line_of("cover")),
                                         "src": cover.path, "label": cover.label, "alt": cover.alt,
                                         "where": "cover_alt"}))
    images = [link for link in scan_body(item.body).links if link.kind == "image" and link.form in ("inline", "html")]
    body = [u for u in uploads if u.role == "body"]
    for n, link in enumerate(images):
        code = alt_problem(link.text, link.has_alt)
        if code is None:
            continue
        same = len(body) == len(images)  # the export's images are the scan's, in the same order
        where = '<img alt="…">' if link.form == "html" else "![…]"
        notices.append(Notice(code, {"path": item.path, "line": item.body_line + link.text_line,
                                     "src": body[n].path if same else link.url, "label": body[n].label if same else "",
                                     "alt": link.text.strip(), "where": where}))
    return notices


def _event_box(item: Item, locale: str, labels: dict[str, str]) -> str:
    """The event's date, place and contacts as a box at the top ('' for a page without event)."""
    event = item.fields.get("event")
    if not event:
        return ""
    from jindallae.dates import format_date, format_time

    tz = event.get("timezone") or "Asia/Shanghai"

    def when(value: Any) -> str:
        value = parse_when(value, tz) if isinstance(value, str) else value
        text = format_date(value, locale, "long", tz)
        if isinstance(value, dt.datetime):
            text += " " + format_time(value, locale, "short", tz)
        return text

    rows = []
    start, end = event.get("start"), event.get("end")
    if start is not None:
        span = when(start)
        if end is not None and when(end) != span:
            later = when(end)
            same_day = isinstance(start, dt.datetime) and later.startswith(format_date(start, locale, "long", tz))
            span += " – " + (later.split(" ", 1)[1] if same_day and " " in later else later)
        rows.append((labels["when"], span))
    for key, label in (("location", "location"), ("address", "address_field"), ("organizer", "organizer"),
                       ("registration", "registration"), ("contact", "contact")):
        if event.get(key):
            rows.append((labels[label], str(event[key])))
    status = event.get("status")
    head = ""
    if status in ("postponed", "cancelled"):
        head = (f'<p style="{_text_style(font_weight="bold", color=ACCENT, margin="0 0 8px 0")}">'
                f'{html.escape(labels["status_" + status])}</p>')
    box = _style(margin="0 0 24px 0", padding="12px 16px", border=f"1px solid {LINE}",
                 border_left=f"4px solid {ACCENT}", background_color=TINT)
    lines = "".join(f'<p style="{_text_style(margin="0")}"><strong>{html.escape(k)}</strong>'
                    f'{html.escape(labels["colon"])}{html.escape(v)}</p>' for k, v in rows)
    return f'<section style="{box}">{head}{lines}</section>'


def _references(refs: list[Reference], labels: dict[str, str]) -> str:
    head = _text_style(font_weight="bold", color=HEAD, margin="32px 0 8px 0", padding_top="16px",
                       border_top=f"1px solid {LINE}")
    item = _text_style(16, color=MUTED, margin="0 0 8px 0", word_break="break-all")
    rows = "".join(f'<p style="{item}">[{r.number}] {html.escape(r.text)}{html.escape(labels["colon"])}'
                   f'{html.escape(r.url)}</p>' if r.text else
                   f'<p style="{item}">[{r.number}] {html.escape(r.url)}</p>' for r in refs)
    return f'<section><p style="{head}">{html.escape(labels["references"])}</p>{rows}</section>'


def _footer(page_url: str, png: bytes, labels: dict[str, str]) -> str:
    uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    box = _style(margin="32px 0 0 0", padding_top="16px", border_top=f"1px solid {LINE}", text_align="center")
    address = _text_style(16, color=MUTED, margin="0 0 12px 0", word_break="break-all", text_align="center")
    image = _style(display="block", width="160px", height="160px", margin="0 auto 8px auto")
    hint = _text_style(16, color=MUTED, margin="0", text_align="center")
    return (f'<section style="{box}"><p style="{address}">{html.escape(labels["address"])}{html.escape(page_url)}</p>'
            f'<img src="{uri}" alt="{html.escape(labels["qr_alt"])}" width="160" height="160" style="{image}">'
            f'<p style="{hint}">{html.escape(labels["qr_hint"])}</p></section>')


class _Rewriter(HTMLParser):
    """Rewrites the renderer's sanitised HTML for WeChat (see the module docstring): styles
    every element inline, drops every other attribute, turns links into references and images
    into placeholders.  ``out`` collects the HTML; ``references`` the links."""

    def __init__(self, public_url: str, add_image, labels: dict[str, str]):
        super().__init__(convert_charrefs=True)
        self.public_url = public_url
        self.labels = labels
        self.add_image = add_image
        self.out: list[str] = []
        self.references: list[Reference] = []
        self.links: list[tuple[str, int, list[str]]] = []  # open <a>: (href, start in out, text parts)
        self.skip = 0  # inside a footnote back-link: its "↩" is dropped
        self.in_pre = 0

    # -- helpers --------------------------------------------------------------------------
    def absolute(self, href: str) -> str:
        """A site path (``/policy/x/``) under the public address; other URLs as they are."""
        if href.startswith("/") and not href.startswith("//"):
            prefix = urlsplit(self.public_url).path.rstrip("/")
            if prefix and href.startswith(prefix + "/"):
                href = href[len(prefix):]
            return self.public_url + href
        if href.startswith("//"):
            return "https:" + href
        return href

    def reference(self, url: str, text: str) -> int:
        for ref in self.references:
            if ref.url == url:
                return ref.number
        self.references.append(Reference(len(self.references) + 1, url, text))
        return len(self.references)

    def text(self, data: str) -> None:
        if self.skip:
            return
        self.out.append(html.escape(data, quote=False))
        for _href, _at, parts in self.links:
            parts.append(data)

    # -- parser callbacks -----------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if self.skip:
            if tag not in VOID:
                self.skip += 1
            return
        if tag == "a":
            href = a.get("href", "")
            if href.startswith("#fnref"):  # a footnote's back-link: not needed on paper or phone
                self.skip = 1
                return
            self.links.append((href, len(self.out), []))
            return
        if tag == "img":
            # Spans shown as blocks: valid inside the paragraph that holds the image.
            placeholder = self.add_image(a.get("src", ""), a.get("alt", ""))
            box = _style(display="block", margin="0 0 8px 0", padding="16px", border=f"2px dashed {ACCENT}",
                         color=ACCENT, font_size="16px", line_height=LINE_HEIGHT, text_align="center")
            self.out.append(f'<span style="{box}">{html.escape(placeholder)}</span>')
            if a.get("alt"):
                caption = _text_style(16, display="block", color=MUTED, margin="0 0 8px 0", text_align="center")
                self.out.append(f'<span style="{caption}">{html.escape(a["alt"])}</span>')
            return
        if tag == "pre":
            self.in_pre += 1
        name = RENAME.get(tag, tag)
        style = styles().get(tag) or styles().get(name, "")
        if tag == "code" and self.in_pre:
            style = _style(font_family="monospace")
        align = a.get("align")
        if align in ("left", "right", "center") and tag in ("td", "th"):
            style += f";text-align:{align}"
        kept = "".join(f' {k}="{html.escape(a[k])}"' for k in KEEP_ATTRS.get(tag, ()) if a.get(k))
        if tag == "div" and "footnote" in a.get("class", "").split():  # Markdown footnotes: notes at the end
            head = _text_style(font_weight="bold", color=HEAD, margin="0 0 8px 0")
            self.out.append(f'<section style="{_style(margin="32px 0 0 0")}">'
                            f'<p style="{head}">{html.escape(self.labels["notes"])}</p>')
            return
        self.out.append(f"<{name}{kept}" + (f' style="{style}"' if style else "") + ">")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            self.skip -= 1
            return
        if tag in VOID:
            return
        if tag == "a":
            if not self.links:
                return
            href, at, parts = self.links.pop()
            self.link_end(href, "".join(parts).strip(), at)
            return
        if tag == "pre":
            self.in_pre = max(0, self.in_pre - 1)
        self.out.append(f"</{RENAME.get(tag, tag)}>")

    def link_end(self, href: str, text: str, at: int) -> None:
        """A link closes: ``text`` is what it showed, ``at`` where its content starts in ``out``."""
        if not href or href.startswith("#"):
            return  # a link inside the page (a heading, a footnote): the text stays, the link goes
        url = self.absolute(href)
        scheme = urlsplit(url).scheme.lower()
        host = (urlsplit(url).hostname or "").lower()
        if scheme in ("http", "https") and host in WECHAT_HOSTS:
            # WeChat keeps links to its own articles: wrap what was written since the <a>
            self.out.insert(at, f'<a href="{html.escape(url)}" style="{styles()["a"]}">')
            self.out.append("</a>")
            return
        shown = url
        if scheme == "mailto":
            shown = url[len("mailto:"):]
        elif scheme == "tel":
            shown = url[len("tel:"):]
        plain = re.sub(r"^(https?:)?//", "", text).rstrip("/")
        if text and (text in (url, shown) or plain == re.sub(r"^(https?:)?//", "", shown).rstrip("/")):
            return  # the text is the address: readers see it already
        number = self.reference(shown if scheme in ("mailto", "tel") else url, text)
        self.out.append(f'<sup style="{styles()["sup"]}">[{number}]</sup>')

    def handle_data(self, data: str) -> None:
        self.text(data)

    def handle_comment(self, data: str) -> None:
        return  # comments never reach WeChat


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment: block elements end a line, ``<br>`` breaks one."""
    blocks = {"p", "section", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "tr", "table",
              "ul", "ol", "hr", "figure", "dt", "dd"}

    class _Text(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []

        def handle_starttag(self, tag, attrs):
            if tag == "br":
                self.parts.append("\n")
            elif tag in ("td", "th"):
                self.parts.append("\t")

        def handle_endtag(self, tag):
            if tag in blocks:
                self.parts.append("\n")

        def handle_data(self, data):
            self.parts.append(data)

    parser = _Text()
    parser.feed(fragment)
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r"[ \t]*\n[ \t]*", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


UPLOADS_MARKER = ".jindallae-wechat"  # marks a folder write_uploads made (it may empty it again)


def write_uploads(export: WeChatExport, folder: Path) -> list[Path]:
    """Copy the files to upload into ``folder``, named in upload order: ``01-cover-x.jpg``,
    ``02-image1-y.jpg`` …, ``NN-qr.png`` (the QR code).  ``folder`` must be new, empty or one
    this function wrote before (its files are then replaced); pictures on other sites and missing
    files are skipped (:meth:`WeChatExport.notes` lists them).  Raises :class:`ExportError`."""
    import shutil

    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or (any(folder.iterdir()) and not (folder / UPLOADS_MARKER).is_file())):
        raise ExportError(f"{folder} exists and is not an empty folder or an earlier export's image folder; "
                          f"choose another --images folder")
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        if old.is_file() and re.match(r"\d{2}-", old.name):
            old.unlink()
    (folder / UPLOADS_MARKER).write_text(f"{GENERATOR}: files to upload for {export.item.path}\n", encoding="utf-8")
    written = []
    images = 0
    for up in export.uploads:
        if up.role == "qr":
            target = folder / f"{up.number:02d}-qr.png"
            target.write_bytes(export.qr_png)
        elif up.file is not None:
            if up.role == "body":
                images += 1
            role = "cover" if up.role == "cover" else f"image{images}"
            target = folder / f"{up.number:02d}-{role}-{up.file.name}"
            shutil.copyfile(up.file, target)
        else:
            continue
        written.append(target)
    return written
