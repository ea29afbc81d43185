"""Vector print PDF of a poster scene: real text with embedded CJK subsets, vector QR code.

One page: MediaBox = trim + bleed + the slug with crop marks, BleedBox = trim + bleed, TrimBox =
the finished size (ISO 32000-1, 14.11.2 "Page boundaries").  The page's content stream draws
:class:`~.render.Scene` items in layout pixels (one ``cm`` maps them to points, origin top-left):

* text as text: each line shaped with HarfBuzz (``uharfbuzz``, the same shaping engine as the
  preview's raqm, with the language for the ``locl`` forms of the SC/KR faces) and written as
  glyph codes of a ``Type0`` font, ``/Identity-H`` over a ``CIDFontType0`` whose
  ``/FontFile3 /CIDFontType0C`` is a subset of the Noto CJK CFF holding only the glyphs used
  (:mod:`.cff`); widths (``/W``) and a ``/ToUnicode`` CMap, so the text can be searched,
  copied and extracted (``pdftotext``) and a print shop can correct it;
* the QR code's dark modules as rectangles (one per run of modules), colour areas as
  rectangles, crop marks as thin rectangles;
* the picture embedded once, clipped to its box, at the format's resolution (``dpi`` in
  formats.yaml) or below: a JPEG at or under it goes in as it is (``/DCTDecode``, no
  re-encoding), a larger one is resampled to the format's resolution first.

RGB (default) is DeviceRGB with an sRGB output intent (``GTS_PDFA1``, as PDF/A declares its
RGB: an ICC-based colour space on the picture would make poppler push every pixel through
LittleCMS, seconds per page on screen).  CMYK
(``POSTERS_CMYK``) is PDF/X-1a style: PDF 1.3, DeviceCMYK only (colours and pictures through the
output profile, black text and QR modules as pure K, large black areas optionally rich black,
crop marks in registration colour C = M = Y = K = 100 %), fonts embedded, no transparency, an
``/OutputIntents`` entry with the profile (``GTS_PDFX``), ``GTS_PDFXVersion``, ``Trapped``.
No clock time in the file and a deterministic ``/ID``: the same input gives the same bytes.

Why this writer (compared with pycairo + HarfBuzz, fpdf2 and ReportLab on the same poster; the
table is in README.md, Posters): ReportLab cannot embed CFF-outline fonts at all ("postscript
outlines are not supported"), so Noto CJK would have to stay un-embedded; fpdf2 embeds correct
CID CFF subsets but re-parses and re-subsets the 16 MB Noto CFF with fontTools for every
document (about 1.2 s per face and poster: 5 s for a bilingual poster's four faces) and gives
every subset the same tag (``MPDFAA+``); cairo is fast and correct but RGB only (no
DeviceCMYK, no OutputIntent) and sets no TrimBox/BleedBox, so the CMYK print file would need a
second writer anyway.  pikepdf (qpdf, already used) with our own CFF subsetter writes both
variants from one scene in about 0.1 s, in PDF 1.3 for PDF/X-1a, with the smallest files.
"""

from __future__ import annotations

import functools
import hashlib
import io
import zlib
from pathlib import Path
from typing import Any

from .formats import PT_PER_MM, Format

PASSTHROUGH_AREA = 0.6  # embed a JPEG as it is when the crop keeps at least this share of it
PASSTHROUGH_DPI = 1.1  # ... and its resolution is at most this times the format's


def _boxes(fmt: Format) -> dict[str, list[float]]:
    """MediaBox, BleedBox and TrimBox in PDF points (origin bottom-left; the page is
    symmetric, so top and bottom margins are equal).  The page is the layout grid's whole pixels
    (``fmt.media_px`` at ``fmt.dpi``), so boxes and content agree to the pixel."""
    W, H = fmt.media_px
    page_w, page_h = W * 72 / fmt.dpi, H * 72 / fmt.dpi
    trim_l = fmt.px(fmt.margin) * 72 / fmt.dpi
    trim_w, trim_h = fmt.width * PT_PER_MM, fmt.height * PT_PER_MM
    bleed = fmt.bleed * PT_PER_MM
    r = lambda v: round(v, 4)  # noqa: E731
    trim = [r(trim_l), r(page_h - trim_l - trim_h), r(trim_l + trim_w), r(page_h - trim_l)]
    return {
        "MediaBox": [0, 0, r(page_w), r(page_h)],
        "TrimBox": trim,
        "BleedBox": [r(trim[0] - bleed), r(trim[1] - bleed), r(trim[2] + bleed), r(trim[3] + bleed)],
    }


# ---------------------------------------------------------------------------------------------
# fonts


@functools.lru_cache(maxsize=16)
def _postscript_name(path: str, index: int) -> str:
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=index, lazy=True)
    try:
        return (font["name"].getDebugName(6) or "NotoCJK").replace(" ", "")
    finally:
        font.close()


def shape(face, text: str, lang: str) -> list[tuple[int, int, int, int]]:
    """``text`` shaped by HarfBuzz in ``face`` for ``lang``: ``[(glyph id, cluster, x advance,
    x offset)]`` in font units; ``cluster`` is the index of the glyph's first character."""
    import uharfbuzz as hb

    from .text import _hb_font, lang_tag

    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    buf.language = lang_tag(lang)
    hb.shape(_hb_font(face.path, face.index), buf, {})
    return [(info.codepoint, info.cluster, pos.x_advance, pos.x_offset)
            for info, pos in zip(buf.glyph_infos, buf.glyph_positions)]


class _FontUse:
    """One face's glyphs on a page: CIDs, widths, Unicode text per CID."""

    def __init__(self, face, resource: str):
        from .cff import load
        from .text import _hb_font

        self.face, self.resource = face, resource
        self.cff = load(face.path, face.index)
        self.hb = _hb_font(face.path, face.index)
        self.upem = self.hb.face.upem
        self.gids: set[int] = set()
        self.unicode: dict[int, str] = {}
        self.widths: dict[int, int] = {}

    def codes(self, text: str, lang: str) -> str:
        """The TJ array (inside ``[ ]``) that draws ``text``: CIDs, with position adjustments
        wherever HarfBuzz's advance differs from the glyph's width (kerning, GPOS)."""
        glyphs = shape(self.face, text, lang) if text else []
        clusters = sorted({c for _g, c, _a, _o in glyphs}) + [len(text)]  # code point indexes
        tokens: list[str | float] = []
        for gid, cluster, advance, offset in glyphs:
            cid = self.cff.cid(gid)
            self.gids.add(gid)
            if cid not in self.widths:
                self.widths[cid] = round(self.hb.get_glyph_h_advance(gid) * 1000 / self.upem)
            if cid not in self.unicode:
                chars = text[cluster:clusters[clusters.index(cluster) + 1]]
                if chars:
                    self.unicode[cid] = chars
            shift = offset * 1000 / self.upem
            if abs(shift) > 0.01:  # a TJ number moves the next glyph left by number/1000 em
                tokens.append(-shift)
            tokens.append(f"{cid:04X}")
            adjust = self.widths[cid] - advance * 1000 / self.upem + shift
            if abs(adjust) > 0.01:
                tokens.append(adjust)
        out: list[str] = []
        for token in tokens:
            if isinstance(token, str) and out and out[-1].startswith("<"):
                out[-1] = out[-1][:-1] + token + ">"
            else:
                out.append(f"<{token}>" if isinstance(token, str) else _num(token))
        return " ".join(out)

    def objects(self, pdf) -> Any:
        """The Type0 font dictionary (with its CIDFont, descriptor, CFF subset, ToUnicode)."""
        import pikepdf
        from pikepdf import Array, Dictionary, Name

        ps = _postscript_name(self.face.path, self.face.index)
        digest = hashlib.sha1(f"{ps}:{sorted(self.gids)}".encode()).digest()
        tag = "".join(chr(65 + b % 26) for b in digest[:6])
        name = f"{tag}+{ps}"
        cff = self.cff.subset(sorted(self.gids), name)
        fontfile = pikepdf.Stream(pdf, zlib.compress(cff, 6))
        fontfile.Filter = Name.FlateDecode
        fontfile.Subtype = Name.CIDFontType0C
        descriptor = Dictionary(
            Type=Name.FontDescriptor, FontName=Name("/" + name), Flags=4,
            FontBBox=Array(self.cff.bbox), ItalicAngle=0, Ascent=880, Descent=-120, CapHeight=733,
            StemV=80 if "Bold" not in ps and "Black" not in ps else 140, FontFile3=fontfile)
        widths: list[Any] = []
        for cid in sorted(self.widths):
            widths += [cid, Array([self.widths[cid]])]
        registry, ordering, supplement = self.cff.ros
        cidfont = Dictionary(
            Type=Name.Font, Subtype=Name.CIDFontType0, BaseFont=Name("/" + name),
            CIDSystemInfo=Dictionary(Registry=pikepdf.String(registry), Ordering=pikepdf.String(ordering),
                                     Supplement=supplement),
            FontDescriptor=descriptor, DW=1000, W=Array(widths))
        tounicode = pikepdf.Stream(pdf, zlib.compress(_tounicode(self.unicode), 6))
        tounicode.Filter = Name.FlateDecode
        return Dictionary(Type=Name.Font, Subtype=Name.Type0, BaseFont=Name("/" + name), Encoding=Name("/Identity-H"),
                          DescendantFonts=Array([pdf.make_indirect(cidfont)]), ToUnicode=tounicode)


def _tounicode(mapping: dict[int, str]) -> bytes:
    """A ToUnicode CMap (Adobe TN 5411) mapping 2-byte CIDs to UTF-16BE text."""
    lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
             "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
             "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange"]
    items = sorted(mapping.items())
    for start in range(0, len(items), 100):
        chunk = items[start:start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines += [f"<{cid:04X}> <{text.encode('utf-16-be').hex().upper()}>" for cid, text in chunk]
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode("ascii")


# ---------------------------------------------------------------------------------------------
# pictures


def _picture_xobject(pdf, item, fmt: Format, cmyk: dict[str, Any] | None, quality: int, srgb):
    """``(image XObject, placement (x, y, w, h) in layout px)`` for a :class:`~.render.Picture`:
    its crop at the format's resolution or below, or the JPEG file itself (see the module
    docstring)."""
    import pikepdf
    from pikepdf import Array, Name

    from .render import picture_pixels

    box, crop, source = item.box, item.crop, item.source
    bw, bh = box[2] - box[0], box[3] - box[1]
    cw, ch = crop[2] - crop[0], crop[3] - crop[1]
    sw, sh = source["size"]
    dpi = cw / bw * fmt.dpi
    image = pikepdf.Stream(pdf, b"")
    if (cmyk is None and item.kind == "image" and source["format"] == "JPEG" and source["mode"] in ("RGB", "L")
            and not source["transposed"] and cw * ch >= PASSTHROUGH_AREA * sw * sh and dpi <= PASSTHROUGH_DPI * fmt.dpi):
        data = Path(item.path).read_bytes()
        image.write(data, filter=Name.DCTDecode)
        image.Width, image.Height = sw, sh
        image.ColorSpace = Name.DeviceGray if source["mode"] == "L" else srgb
        s = bw / cw
        placement = (box[0] - crop[0] * s, box[1] - crop[1] * s, sw * s, sh * s)
    else:
        size = (bw, bh) if cw > bw else (cw, ch)  # never more pixels than the format's dpi, never upsampled
        pixels = picture_pixels(item.path, crop, size, item.background, source["label"], source["field"])
        if cmyk is not None:
            from .cmyk import picture

            pixels = picture(pixels, cmyk["profile"], cmyk["intent"])
        if item.kind == "logo":  # flat graphics: lossless
            image.write(zlib.compress(pixels.tobytes(), 6), filter=Name.FlateDecode)
        else:
            buf = io.BytesIO()
            pixels.save(buf, "JPEG", quality=quality, optimize=True)
            image.write(buf.getvalue(), filter=Name.DCTDecode)
            if pixels.mode == "CMYK":  # Pillow writes Adobe-style (inverted) CMYK JPEGs
                image.Decode = Array([1, 0, 1, 0, 1, 0, 1, 0])
        image.Width, image.Height = pixels.size
        image.ColorSpace = Name.DeviceCMYK if pixels.mode == "CMYK" else srgb
        placement = (box[0], box[1], bw, bh)
    image.Type, image.Subtype, image.BitsPerComponent = Name.XObject, Name.Image, 8
    return image, placement


# ---------------------------------------------------------------------------------------------
# the page


@functools.lru_cache(maxsize=1)
def _srgb_profile() -> bytes:
    """LittleCMS's sRGB profile with a fixed creation date and no profile ID (ICC.1:2010, 7.2:
    bytes 24-35 and 84-99), so the same poster gives the same bytes."""
    from PIL import ImageCms

    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    data[24:36] = bytes.fromhex("07d0" "0001" "0001" "0000" "0000" "0000")  # 2000-01-01 00:00:00
    data[84:100] = bytes(16)
    return bytes(data)


def _num(v: float) -> str:
    text = f"{v:.3f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


def write_pdf(path: Path, scene, title: str, quality: int = 92, cmyk: dict[str, Any] | None = None,
              date: str | None = None) -> None:
    """Write ``scene`` (:class:`~.render.Scene`) as a one-page print PDF at ``path`` (atomic).

    ``quality``: JPEG quality of a resampled picture.  ``cmyk``: ``None`` for the RGB file, or
    ``{"profile": ICC path, "intent", "name": profile description, "rich_black": (c, m, y, k)
    fractions or None, "rich_min_px": type size from which black text counts as a large area}``
    for the PDF/X-1a style CMYK file.  ``date``: ``D:YYYYMMDD...`` for CreationDate/ModDate
    (the page's date: the file stays the same for the same input).  ``title`` goes into the
    document info."""
    import pikepdf
    from pikepdf import Array, Dictionary, Name

    from .render import Fill, Picture, QRModules, TextLine, hex_rgb

    fmt = scene.fmt
    pdf = pikepdf.new()
    boxes = _boxes(fmt)
    page_h = boxes["MediaBox"][3]
    k = 72 / fmt.dpi
    srgb = Name.DeviceRGB
    if cmyk is None:
        # sRGB is declared once, as an output intent (as PDF/A does), not as an ICC-based colour
        # space on the picture: poppler then converts every picture pixel through LittleCMS at
        # full resolution, 4 s for a roll-up's picture on screen
        icc = pikepdf.Stream(pdf, zlib.compress(_srgb_profile()))
        icc.Filter, icc.N = Name.FlateDecode, 3
        pdf.Root.OutputIntents = Array([Dictionary(
            Type=Name.OutputIntent, S=Name.GTS_PDFA1, OutputConditionIdentifier=pikepdf.String("sRGB IEC61966-2.1"),
            Info=pikepdf.String("sRGB IEC61966-2.1"), DestOutputProfile=icc)])
    fonts: dict[tuple[str, int], _FontUse] = {}
    xobjects = Dictionary()
    ops: list[str] = [f"{_num(k)} 0 0 {_num(-k)} 0 {_num(page_h)} cm"]
    current = [None]

    def fill_colour(value: str, rich: bool = False, registration: bool = False) -> None:
        if cmyk is None:
            r, g, b = (c / 255 for c in hex_rgb(value))
            code = f"{_num(r)} {_num(g)} {_num(b)} rg"
        else:
            from .cmyk import colour

            if registration:
                inks = (1.0, 1.0, 1.0, 1.0)
            elif rich and value.lower() == "#000000" and cmyk.get("rich_black"):
                inks = tuple(cmyk["rich_black"])
            else:
                inks = colour(value, cmyk["profile"], cmyk["intent"])
            code = " ".join(_num(v) for v in inks) + " k"
        if code != current[0]:
            ops.append(code)
            current[0] = code

    for item in scene.items:
        if isinstance(item, Fill):
            x0, y0, x1, y1 = item.box
            fill_colour("#000000" if item.role == "mark" else item.color, rich=item.role == "rect",
                        registration=item.role == "mark")
            ops.append(f"{_num(x0)} {_num(y0)} {_num(x1 - x0)} {_num(y1 - y0)} re f")
        elif isinstance(item, Picture):
            name = f"Im{len(xobjects)}"
            image, (x, y, w, h) = _picture_xobject(pdf, item, fmt, cmyk, quality, srgb)
            xobjects["/" + name] = pdf.make_indirect(image)
            x0, y0, x1, y1 = item.box
            ops.append(f"q {x0} {y0} {x1 - x0} {y1 - y0} re W n "
                       f"{_num(w)} 0 0 {_num(-h)} {_num(x)} {_num(y + h)} cm /{name} Do Q")
        elif isinstance(item, TextLine):
            key = (item.face.path, item.face.index)
            if key not in fonts:
                fonts[key] = _FontUse(item.face, f"F{len(fonts)}")
            use = fonts[key]
            rich = cmyk is not None and item.size >= cmyk.get("rich_min_px", 1e9)
            fill_colour(item.color, rich=rich)
            ops.append(f"BT /{use.resource} {item.size} Tf 1 0 0 -1 {_num(item.x)} {_num(item.baseline)} Tm "
                       f"[{use.codes(item.text, item.lang)}] TJ ET")
        elif isinstance(item, QRModules):
            fill_colour("#000000")
            m = item.module
            rects = []
            for r, row in enumerate(item.matrix):
                c = 0
                while c < len(row):
                    if row[c]:
                        start = c
                        while c < len(row) and row[c]:
                            c += 1
                        rects.append(f"{item.left + start * m} {item.top + r * m} {(c - start) * m} {m} re")
                    else:
                        c += 1
            ops.append("\n".join(rects) + "\nf")
    content = pikepdf.Stream(pdf, zlib.compress("\n".join(ops).encode("ascii"), 6))
    content.Filter = Name.FlateDecode
    resources = Dictionary()
    if xobjects:
        resources.XObject = xobjects
    if fonts:
        resources.Font = Dictionary({"/" + use.resource: pdf.make_indirect(use.objects(pdf)) for use in fonts.values()})
    page = pikepdf.Page(Dictionary(
        Type=Name.Page,
        MediaBox=Array(boxes["MediaBox"]), BleedBox=Array(boxes["BleedBox"]), TrimBox=Array(boxes["TrimBox"]),
        Resources=resources, Contents=pdf.make_indirect(content),
    ))
    pdf.pages.append(page)
    pdf.docinfo[Name.Title] = pikepdf.String(title)
    pdf.docinfo[Name.Creator] = pikepdf.String("Jindallae posters")
    if date:
        pdf.docinfo[Name.CreationDate] = pikepdf.String(date)
        pdf.docinfo[Name.ModDate] = pikepdf.String(date)
    options: dict[str, Any] = {}
    if cmyk is not None:
        profile = Path(cmyk["profile"]).read_bytes()
        dest = pikepdf.Stream(pdf, zlib.compress(profile))
        dest.Filter, dest.N = Name.FlateDecode, 4
        pdf.Root.OutputIntents = Array([Dictionary(
            Type=Name.OutputIntent, S=Name.GTS_PDFX, OutputConditionIdentifier=pikepdf.String(cmyk.get("name") or "CMYK"),
            Info=pikepdf.String(cmyk.get("name") or "CMYK"), RegistryName=pikepdf.String("http://www.color.org"),
            DestOutputProfile=dest)])
        pdf.docinfo[Name.GTS_PDFXVersion] = pikepdf.String("PDF/X-1:2001")
        pdf.docinfo[Name.GTS_PDFXConformance] = pikepdf.String("PDF/X-1a:2001")
        pdf.docinfo[Name.Trapped] = Name("/False")
        options = {"force_version": "1.3", "object_stream_mode": pikepdf.ObjectStreamMode.disable}
    tmp = path.with_name(f".{path.name}.tmp")
    pdf.save(tmp, deterministic_id=True, compress_streams=True, stream_decode_level=pikepdf.StreamDecodeLevel.none,
             **options)
    tmp.replace(path)
