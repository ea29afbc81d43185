"""Word documents (.docx) to Markdown, with mammoth.

**Why mammoth** (compared on the tests' documents — heading styles, a merged-cell table, a
footnote, an inline picture, numbering — made with python-docx and with LibreOffice):

==========================  ===============================  ==================================
                            mammoth 1.x (PyPI, pure Python)   pandoc 2.17 (Debian 12)
==========================  ===============================  ==================================
Word heading styles         yes (``Heading 1``-``6``)         yes, also styles based on them
styles *based on* headings  through our style map (below)     yes
outline-level styles (WPS)  through our style map (below)     no
merged cells                ``colspan``/``rowspan`` in HTML   lost in Markdown output (kept only
                                                              in its HTML output)
footnotes, endnotes         yes (HTML list with ids)          yes
pictures                    a callback per picture: we check, written to a folder by pandoc
                            clean and name them in memory
bold/italic via char style  through our style map (below)     yes
install                     ~100 kB wheel in the pip lock     a ~150 MB Debian package, a
                                                              separate process per document
==========================  ===============================  ==================================

Both leave the numbering conventions of Chinese documents (``一、`` typed as text) to us, and
neither keeps Word's automatic heading numbers.  mammoth was chosen: it keeps merged cells
(the document case of the issue), its picture callback lets nothing reach the disk before the
whole document converted, it installs with the project's locked Python packages (the CMS server
needs no extra system package), and its two gaps are closed here by reading ``styles.xml``
ourselves: a paragraph style whose name is ``heading N``/``Title``, that is based on one, or that
has an outline level (WPS, Chinese templates: ``公文一级标题``) becomes heading N; a character
style that is bold or italic makes its runs bold or italic.  mammoth's HTML then goes through
the same converter as pasted HTML (:mod:`jindallae.importers.html`).

**Refused before conversion** (:func:`read_package`, an :class:`ImportFailed` naming the file;
nothing is written): more than ``max_bytes``; an OLE2 file (a password-protected .docx is an
encrypted OLE2 container, an old .doc is OLE2 too: told apart by the ``EncryptedPackage``
stream); not a zip or a damaged one (bad CRC, truncated); a zip bomb (more than
``max_unpacked`` bytes unpacked, counted while reading, or more than :data:`MAX_PARTS` parts);
XML parts with a DOCTYPE or ENTITY declaration (Word never writes one; it is how XML entity
bombs start); a zip without ``word/document.xml``.  The parts are then re-packed uncompressed in
memory for mammoth, so it never reads the original archive.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from xml.etree import ElementTree

from .messages import ImportFailed, Note

MAX_BYTES = 50 * 1024 * 1024  # a .docx file
MAX_UNPACKED = 200 * 1024 * 1024  # all its parts, unpacked
MAX_PARTS = 5000
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
_GENERIC_TITLE = re.compile(r"^(?:microsoft word\s*-|文档\s*\d*$|新建\s*(?:microsoft|doc)|document\s*\d*$|"
                            r"untitled|无标题|문서\s*\d*$|제목 없음)|\.docx?$", re.I)
_HEADING_NAME = re.compile(r"^heading\s*([1-6])$", re.I)
_HEADINGISH = re.compile(r"标题|標題|题|heading|title|제목", re.I)


def human_size(n: int) -> str:
    """A byte count for people: ``200.0 MB``, ``19.5 KB``."""
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.1f} KB"


def read_package(data: bytes, path: str, max_bytes: int = MAX_BYTES,
                 max_unpacked: int = MAX_UNPACKED) -> dict[str, bytes]:
    """The parts of the .docx ``data`` (``{name: bytes}``), checked as the module docstring
    says.  ``path`` names the file in messages.  Raises :class:`ImportFailed`."""
    if len(data) > max_bytes:
        raise ImportFailed("too_large", path=path, size=human_size(len(data)), limit=human_size(max_bytes))
    if data[:8] == _OLE_MAGIC:
        raise ImportFailed("encrypted" if _ENCRYPTED in data else "old_doc", path=path)
    if not data.startswith(b"PK"):
        raise ImportFailed("not_docx", path=path)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ImportFailed("corrupt", path=path, detail=str(exc) or type(exc).__name__) from None
    limit = {"path": path, "limit": human_size(max_unpacked), "parts": MAX_PARTS}
    if len(infos) > MAX_PARTS or sum(i.file_size for i in infos) > max_unpacked:
        raise ImportFailed("bomb", **limit)
    names = {i.filename for i in infos}
    if "word/document.xml" not in names:
        raise ImportFailed("not_docx", path=path)
    parts: dict[str, bytes] = {}
    total = 0
    try:
        for info in infos:
            if info.flag_bits & 0x1:
                raise ImportFailed("encrypted", path=path)
            chunks = []
            with archive.open(info) as fp:
                while True:
                    chunk = fp.read(1 << 20)
                    if not chunk:
                        break
                    total += len(chunk)
                    if total > max_unpacked:
                        raise ImportFailed("bomb", **limit)
                    chunks.append(chunk)
            content = b"".join(chunks)
            if info.filename.endswith((".xml", ".rels")) and (b"<!DOCTYPE" in content or b"<!ENTITY" in content):
                raise ImportFailed("unsafe", path=path)
            parts[info.filename] = content
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError, ValueError) as exc:
        raise ImportFailed("corrupt", path=path, detail=str(exc) or type(exc).__name__) from None
    return parts


def _repack(parts: dict[str, bytes]) -> io.BytesIO:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name, content in parts.items():
            z.writestr(name, content)
    buf.seek(0)
    return buf


def core_title(parts: dict[str, bytes]) -> str:
    """The document's title from ``docProps/core.xml`` (``dc:title``), or ``""`` when it has
    none or a generic one (``Microsoft Word - x.docx``, ``文档1``, a file name)."""
    xml = parts.get("docProps/core.xml")
    if not xml:
        return ""
    try:
        node = ElementTree.fromstring(xml).find(_DC_TITLE)
    except ElementTree.ParseError:
        return ""
    title = " ".join((node.text or "").split()) if node is not None else ""
    return "" if not title or _GENERIC_TITLE.search(title) else title


@dataclass
class StyleInfo:
    """What ``styles.xml`` says about the styles mammoth does not map by itself: heading level
    of paragraph styles (by style id) and bold/italic of character styles."""

    levels: dict[str, int] = field(default_factory=dict)
    marks: dict[str, set[str]] = field(default_factory=dict)


def read_styles(parts: dict[str, bytes]) -> StyleInfo:
    """:class:`StyleInfo` from ``word/styles.xml`` (empty when missing or unreadable)."""
    info = StyleInfo()
    xml = parts.get("word/styles.xml")
    if not xml:
        return info
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        return info
    styles: dict[str, dict] = {}
    for st in root.iter(f"{_W}style"):
        sid = st.get(f"{_W}styleId") or ""
        name_el = st.find(f"{_W}name")
        based = st.find(f"{_W}basedOn")
        outline = st.find(f"{_W}pPr/{_W}outlineLvl")
        rpr = st.find(f"{_W}rPr")
        marks = set()
        if rpr is not None:
            for tag, mark in (("b", "b"), ("i", "i")):
                el = rpr.find(f"{_W}{tag}")
                if el is not None and el.get(f"{_W}val", "true").lower() not in ("0", "false", "off"):
                    marks.add(mark)
        styles[sid] = {"type": st.get(f"{_W}type"), "name": name_el.get(f"{_W}val", "") if name_el is not None else "",
                       "based": based.get(f"{_W}val") if based is not None else None,
                       "outline": outline.get(f"{_W}val") if outline is not None else None, "marks": marks}

    def level(sid: str, depth: int = 0) -> int | None:
        st = styles.get(sid)
        if st is None or depth > 20:
            return None
        name = st["name"].strip()
        m = _HEADING_NAME.match(name)
        if m:
            return int(m.group(1))
        if name.lower() == "title":
            return 1
        if st["outline"] is not None and st["outline"].isdigit() and int(st["outline"]) < 6:
            return int(st["outline"]) + 1
        return level(st["based"], depth + 1) if st["based"] else None

    def marks_of(sid: str, depth: int = 0) -> set[str]:
        st = styles.get(sid)
        if st is None or depth > 20:
            return set()
        return st["marks"] | (marks_of(st["based"], depth + 1) if st["based"] else set())

    for sid, st in styles.items():
        if st["type"] == "paragraph":
            found = level(sid)
            if found is not None:
                info.levels[sid] = found
        elif st["type"] == "character":
            got = marks_of(sid)
            if got:
                info.marks[sid] = got
    return info


def _transform(styles: StyleInfo):
    """A mammoth ``transform_document`` applying :class:`StyleInfo`."""
    import mammoth.transforms

    def paragraph(p):
        level = styles.levels.get(p.style_id or "")
        if level is not None and not _HEADING_NAME.match(p.style_name or ""):
            return p.copy(style_id=f"Heading{level}", style_name=f"Heading {level}")
        return p

    def run(r):
        marks = styles.marks.get(r.style_id or "")
        if marks:
            return r.copy(is_bold=r.is_bold or "b" in marks, is_italic=r.is_italic or "i" in marks)
        return r

    by_paragraph = mammoth.transforms.paragraph(paragraph)
    by_run = mammoth.transforms.run(run)
    return lambda document: by_run(by_paragraph(document))


@dataclass
class DocxHtml:
    """mammoth's result for a document: the HTML (pictures as placeholder URLs), the core
    title, and notes."""

    html: str
    title: str
    notes: list[Note]


def docx_to_html(data: bytes, path: str, image_hook, max_bytes: int = MAX_BYTES,
                 max_unpacked: int = MAX_UNPACKED) -> DocxHtml:
    """Check and convert the .docx ``data`` to HTML with mammoth.  ``image_hook(bytes,
    content_type, alt)`` receives every picture and returns the ``src`` to write for it.
    Raises :class:`ImportFailed`."""
    import mammoth
    import mammoth.images

    parts = read_package(data, path, max_bytes, max_unpacked)
    styles = read_styles(parts)

    def convert_image(image):
        with image.open() as fp:
            content = fp.read()
        return {"src": image_hook(content, image.content_type or "", image.alt_text or "")}

    try:
        result = mammoth.convert_to_html(_repack(parts), convert_image=mammoth.images.img_element(convert_image),
                                         transform_document=_transform(styles),
                                         style_map="p[style-name='Title'] => h1:fresh")
    except ImportFailed:
        raise
    except Exception as exc:  # mammoth raises assorted errors on malformed XML or relationships
        raise ImportFailed("corrupt", path=path, detail=f"{type(exc).__name__}: {exc}"[:200]) from None
    unknown = []
    for message in result.messages:
        m = re.match(r"Unrecognised paragraph style: (.*?) \(Style ID: ", message.message)
        if m and _HEADINGISH.search(m.group(1)) and m.group(1) not in unknown:
            unknown.append(m.group(1))
    notes = [Note("styles_unknown", {"path": path, "styles": ", ".join(unknown[:8])})] if unknown else []
    return DocxHtml(result.value, core_title(parts), notes)
