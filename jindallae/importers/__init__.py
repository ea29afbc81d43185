"""Documents from outside — Word files, pasted text and HTML — as draft pages.

Publicity staff receive Word documents from county offices and paste text from reports and
WeChat articles; none of it is Markdown.  This package turns such input into the same content
the reader produces (a ``content/<section>/<slug>.<lang>.md`` file and its
:class:`~jindallae.model.Item`), and knows nothing of the CMS (which calls it, as does the
``jindallae import`` command)::

    imported = import_bytes(data, "报告.docx", "zh")          # or import_text / import_html
    draft = make_draft(model, content, imported, "news", "zh")  # validated, nothing written
    created = write_draft(content, draft)                      # pictures + page, all or nothing
    cleaned = clean_paste(body, "zh", html=None)                # the CMS's "clean up pasted text"

The steps, each in its module:

* :mod:`.docx` — a .docx checked (size, zip bomb, password, damage) and converted to HTML with
  mammoth (why mammoth rather than pandoc: its docstring);
* :mod:`.html` — HTML sanitised with nh3 (Word/WPS/WeChat styles and spans dropped) and
  converted to blocks;
* :mod:`.text` — plain text (one line, one paragraph), CJK spacing, the numbering conventions of
  Chinese documents (``一、`` ``（一）`` ``1.`` ``（1）`` → headings and ordered lists);
* :mod:`.images` — pictures checked, stripped of metadata, named ``images/<year>/…`` with a
  visible ``TODO`` alt text that ``jindallae check`` reports until the editor describes them;
* :mod:`.blocks` — the shared structure and its Markdown;
* :mod:`.page` — front matter, slug, the :class:`~jindallae.model.Item`, writing;
* :mod:`.messages` — every refusal and note in Chinese, Korean and English.

Traditional characters are never converted here: the ``traditional`` check reports them
(:func:`~.page.draft_findings`).  Errors a user can cause raise :class:`ImportFailed`
(``path: what is wrong, and how to fix it``).  Importing this package loads nothing heavy;
mammoth, nh3 and Pillow are imported when used.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from .blocks import Block, Run
from .messages import ALT_TODO, IMAGE_LEFT_OUT, ImportFailed, Note
from .page import Draft, Imported, draft_findings, make_draft, slug_for, write_draft

__all__ = ["Cleaned", "Draft", "Imported", "ImportFailed", "Note", "clean_paste", "detect_kind", "draft_findings",
           "import_bytes", "import_docx", "import_html", "import_text", "make_draft", "slug_for", "write_draft"]

TEXT_MAX_BYTES = 10 * 1024 * 1024  # a text or HTML file
DOCX_EXTENSIONS = (".docx", ".docm", ".dotx", ".doc", ".dot", ".wps")
HTML_EXTENSIONS = (".html", ".htm", ".xhtml", ".mht")
TEXT_EXTENSIONS = (".txt", ".text")


def _finish(blocks: list[Block], footnotes: dict[str, list[Run]], title: str, take_title: bool = True,
            shift: bool = True) -> tuple[str, str]:
    """The shared last steps: spacing, title, heading levels, numbering, Markdown."""
    from .blocks import plain, to_markdown
    from .text import apply_numbering, shift_headings, take_title as first_title, tidy_blocks, tidy_runs

    blocks = tidy_blocks(blocks)
    if take_title:
        found, rest = first_title(blocks)
        if not title:
            title, blocks = found, rest
        elif found and " ".join(found.split()) == " ".join(title.split()):
            blocks = rest  # the document's first heading repeats its title
    if shift:
        blocks = shift_headings(blocks)
    blocks = apply_numbering(blocks)
    notes = {key: tidy_runs(runs) for key, runs in footnotes.items()}
    title = " ".join(plain([Run(title)]).split())
    return title, to_markdown(blocks, notes)


def import_docx(data: bytes, source: str, lang: str, max_bytes: int | None = None,
                max_unpacked: int | None = None) -> Imported:
    """Convert a Word document (``data``, the .docx bytes; ``source`` names it in messages) for
    a page in ``lang``.  Pictures are kept in memory (``Imported.images``).  Raises
    :class:`ImportFailed` for input that is not a usable .docx (see :mod:`.docx`)."""
    from . import docx
    from .html import html_document
    from .images import ImageSink

    sink = ImageSink(lang, source)
    runs: dict[str, Run] = {}

    def picture(content: bytes, content_type: str, alt: str) -> str:
        run = sink.add(content, f"{content_type.split('/')[-1] or 'image'}-{len(runs) + 1}", alt)
        token = f"jindallae-picture/{len(runs)}"  # a relative URL: nh3 keeps it
        runs[token] = run
        return token

    result = docx.docx_to_html(data, source, picture, max_bytes or docx.MAX_BYTES, max_unpacked or docx.MAX_UNPACKED)
    doc = html_document(result.html, image=lambda src, alt: runs.get(src))
    title, body = _finish(doc.blocks, doc.footnotes, result.title)
    if not body.strip() and not title and not sink.images:
        raise ImportFailed("empty", path=source)
    return Imported(source, title, body, sink, result.notes)


def import_html(html: str, source: str, lang: str) -> Imported:
    """Convert HTML (a page saved from a browser or WeChat, or pasted) for a page in ``lang``.
    The title is the first heading or short first line, else ``<title>``.  Embedded ``data:``
    pictures are extracted like a Word document's; pictures on other sites keep their address
    with a TODO alt text (to be downloaded and uploaded); others are left out with a visible
    TODO.  Raises :class:`ImportFailed` (``empty``)."""
    from .html import html_document
    from .images import ImageSink

    sink = ImageSink(lang, source)
    doc = html_document(html, image=_html_picture(sink, lang))
    # the title the page shows first (a heading, or Word's bold first line) beats <title>, which
    # is often a file name or generic; without one, <title> is the title
    title, body = _finish(doc.blocks, doc.footnotes, "")
    title = title or doc.title
    if not body.strip() and not title and not sink.images:
        raise ImportFailed("empty", path=source)
    return Imported(source, title, body, sink, [])


def _html_picture(sink, lang: str):
    """The image hook for HTML: ``data:`` pictures into ``sink``, remote ones kept (TODO alt),
    the rest left out (no sink: ``data:`` pictures are left out too)."""
    import base64
    import binascii

    def hook(src: str, alt: str) -> Run | None:
        src = src.strip()
        todo = ALT_TODO.get(lang, ALT_TODO["zh"])
        name = os.path.basename(src.split("?", 1)[0])[:60] if not src.startswith("data:") else "data"
        if src.startswith("data:image/") and ";base64," in src[:100] and sink is not None:
            try:
                data = base64.b64decode(src.split(",", 1)[1], validate=False)
            except (binascii.Error, ValueError):
                data = b""
            return sink.add(data, "pasted-image", alt)
        if src.lower().startswith(("http://", "https://")):
            alt = " ".join(alt.split())
            return Run(kind="image", src=src.replace(" ", "%20").replace(")", "%29"),
                       alt=f"{todo}（{alt}）" if alt and lang == "zh" else f"{todo} ({alt})" if alt else todo)
        if not src:
            return None
        if sink is not None:
            return sink.left_out(name or "image", _reason_missing())
        return Run(IMAGE_LEFT_OUT.get(lang, IMAGE_LEFT_OUT["zh"]).format(name=name or "image"))

    return hook


def _reason_missing():
    from .messages import reason

    return reason("not_found")


def import_text(text: str, source: str, lang: str) -> Imported:
    """Convert plain text (one paragraph per line; see :mod:`.text`) for a page in ``lang``.
    The first line is the title when it reads like one (short, no full stop, not numbered).
    Raises :class:`ImportFailed` (``empty``)."""
    from .text import text_blocks

    title, body = _finish(text_blocks(text), {}, "")
    if not body.strip() and not title:
        raise ImportFailed("empty", path=source)
    return Imported(source, title, body, None, [])


def decode_text(data: bytes, source: str, lang: str) -> tuple[str, list[Note]]:
    """Text from ``data``: UTF-8 (or UTF-16/UTF-8 by byte order mark), else GB18030 (Chinese
    Windows, also GBK/GB2312), else for Korean pages CP949 (EUC-KR) first.  Returns ``(text,
    notes)``; raises :class:`ImportFailed` (``encoding``) when none fits."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    for encoding in (("cp949", "gb18030") if lang == "ko" else ("gb18030",)):
        try:
            return data.decode(encoding), [Note("encoding_used", {"path": source, "encoding": encoding.upper()})]
        except UnicodeDecodeError:
            continue
    from .messages import reason

    raise ImportFailed("encoding", path=source, korean=reason("korean") if lang == "ko" else "")


def detect_kind(data: bytes, name: str) -> str:
    """``docx``, ``html`` or ``text`` for the input ``data`` called ``name`` (``-`` for standard
    input): by content first (a zip or OLE2 file is a Word document), then by extension.
    Raises :class:`ImportFailed` (``unknown_type``) for other files (PDF, pictures, …)."""
    from .html import looks_like_html

    ext = os.path.splitext(name.lower())[1]
    if data.startswith(b"PK\x03\x04") or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or ext in DOCX_EXTENSIONS:
        return "docx"
    if ext in HTML_EXTENSIONS:
        return "html"
    if ext in TEXT_EXTENSIONS or name == "-" or ext == "":
        head = data[:8192]
        if b"\0" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise ImportFailed("unknown_type", path=name)
        try:
            sample = data[:20000].decode("utf-8", "ignore")
        except Exception:  # pragma: no cover - decode with "ignore" does not raise
            sample = ""
        return "html" if looks_like_html(sample) else "text"
    raise ImportFailed("unknown_type", path=name)


def import_bytes(data: bytes, source: str, lang: str, kind: str = "auto", max_bytes: int | None = None) -> Imported:
    """Import ``data`` (read from the file ``source``, or ``-``) as ``kind`` (``docx``, ``html``,
    ``text`` or ``auto``: :func:`detect_kind`).  Raises :class:`ImportFailed`."""
    kind = detect_kind(data, source) if kind == "auto" else kind
    if kind == "docx":
        return import_docx(data, source, lang, max_bytes)
    limit = max_bytes or TEXT_MAX_BYTES
    if len(data) > limit:
        from .docx import human_size

        raise ImportFailed("too_large", path=source, size=human_size(len(data)), limit=human_size(limit))
    text, notes = decode_text(data, source, lang)
    imported = import_html(text, source, lang) if kind == "html" else import_text(text, source, lang)
    imported.notes = notes + imported.notes
    return imported


@dataclass
class Cleaned:
    """The CMS's "clean up pasted text": the cleaned Markdown, whether it differs from the
    input, and notes (pictures that stay on another site or were left out)."""

    markdown: str
    changed: bool
    notes: list[str] = field(default_factory=list)


def clean_paste(text: str, lang: str, html: str | None = None, notes_lang: str | None = None,
                source: str = "HTML") -> Cleaned:
    """Clean a pasted body for the editor to accept.

    With ``html`` (the clipboard's HTML, from Word, WPS or WeChat) the HTML is converted: styles
    and spans dropped, structure kept, pictures on other sites kept with a TODO alt text.
    Otherwise ``text`` is the body as it stands, which may already hold Markdown: Markdown
    lines (headings, lists, tables, code, images) are kept, every other line becomes a
    paragraph with its spacing tidied and the numbering rule applied (:mod:`.text`).  The title
    is never taken out (it is a field of its own).  ``lang`` is the page's language (the TODO alt
    text of pictures); ``notes`` are in ``notes_lang`` (default ``lang``) and name ``source``."""
    from .text import text_blocks

    notes: list[str] = []
    if html and html.strip():
        from .html import html_document

        doc = html_document(html, image=_html_picture(None, lang))
        _title, markdown = _finish(doc.blocks, doc.footnotes, "", take_title=False)
        remote = re.findall(r"!\[TODO[^\]]*\]\((https?://[^)\s]+)\)", markdown)
        if remote:
            from .messages import text as message

            notes.append(message("image_remote", notes_lang or lang, path=source, count=len(remote),
                                 example=remote[0][:80]))
    else:
        _title, markdown = _finish(text_blocks(text, markdown=True), {}, "", take_title=False, shift=False)
    original = text.replace("\r\n", "\n").strip()
    return Cleaned(markdown, markdown.strip() != original, notes)
