"""Print PDF of a poster raster: one page, the raster at its physical size, page boxes set.

The page is the whole raster (trim + bleed + slug with crop marks): MediaBox = the raster at
its dpi, BleedBox = trim + bleed, TrimBox = the finished size (ISO 32000-1, 14.11.2 "Page
boundaries").  Written with pikepdf (qpdf): the image goes in as the encoder made it (JPEG,
``/DCTDecode``, for RGB; zlib, ``/FlateDecode``, lossless for CMYK, so black text stays K only
to the edge), in an ICC-based colour space (sRGB, or the CMYK output profile), and a CMYK file
gets an ``/OutputIntents`` entry naming that profile (as PDF/X does).  No dates and a
deterministic ``/ID``: the same input gives the same bytes.
"""

from __future__ import annotations

import io
import zlib
from pathlib import Path

from .formats import PT_PER_MM, Format


def _boxes(fmt: Format) -> dict[str, list[float]]:
    """MediaBox, BleedBox and TrimBox in PDF points (origin bottom-left; the raster is
    symmetric, so top and bottom margins are equal)."""
    mw, mh = fmt.media_mm
    # the raster is whole pixels: its physical size is px / dpi, which may differ from mw by
    # under a pixel; the page is the raster's size and the boxes sit at whole-pixel positions
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


def write_pdf(path: Path, image, fmt: Format, title: str, quality: int = 92, icc_path: str | None = None,
              icc_name: str = "") -> None:
    """Write ``image`` (PIL, RGB or CMYK, ``fmt.media_px`` pixels) as a one-page print PDF.

    RGB: JPEG at ``quality`` (4:4:4, no chroma subsampling: sharp coloured type), sRGB ICC
    colour space.  CMYK: Flate-compressed, ICC colour space from ``icc_path`` and an output
    intent named ``icc_name``.  ``title`` goes into the document info."""
    import pikepdf
    from PIL import ImageCms
    from pikepdf import Array, Dictionary, Name

    pdf = pikepdf.new()
    boxes = _boxes(fmt)
    W, H = image.size
    if image.mode == "RGB":
        buf = io.BytesIO()
        image.save(buf, "JPEG", quality=quality, subsampling=0, optimize=False)
        data, filt, n = buf.getvalue(), Name.DCTDecode, 3
        icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    elif image.mode == "CMYK":
        data, filt, n = zlib.compress(image.tobytes(), 3), Name.FlateDecode, 4
        icc = Path(icc_path).read_bytes() if icc_path else None
    else:
        raise ValueError(f"image mode {image.mode} is neither RGB nor CMYK")
    colour_space = Name.DeviceRGB if n == 3 else Name.DeviceCMYK
    icc_stream = None
    if icc:
        icc_stream = pikepdf.Stream(pdf, zlib.compress(icc))
        icc_stream.Filter = Name.FlateDecode
        icc_stream.N = n
        icc_stream.Alternate = colour_space
        colour_space = Array([Name.ICCBased, icc_stream])
    xobject = pikepdf.Stream(pdf, data)
    xobject.Type, xobject.Subtype = Name.XObject, Name.Image
    xobject.Width, xobject.Height, xobject.BitsPerComponent = W, H, 8
    xobject.ColorSpace = colour_space
    xobject.Filter = filt
    page_w, page_h = boxes["MediaBox"][2], boxes["MediaBox"][3]
    content = pikepdf.Stream(pdf, f"q {page_w} 0 0 {page_h} 0 0 cm /Im0 Do Q".encode())
    page = pikepdf.Page(Dictionary(
        Type=Name.Page,
        MediaBox=Array(boxes["MediaBox"]), BleedBox=Array(boxes["BleedBox"]), TrimBox=Array(boxes["TrimBox"]),
        Resources=Dictionary(XObject=Dictionary(Im0=xobject)),
        Contents=content,
    ))
    pdf.pages.append(page)
    if n == 4 and icc_stream is not None:
        pdf.Root.OutputIntents = Array([Dictionary(
            Type=Name.OutputIntent, S=Name.GTS_PDFX, OutputConditionIdentifier=pikepdf.String(icc_name or "CMYK"),
            Info=pikepdf.String(icc_name or "CMYK"), DestOutputProfile=icc_stream)])
    pdf.docinfo[Name.Title] = pikepdf.String(title)
    pdf.docinfo[Name.Creator] = pikepdf.String("Jindallae posters")
    tmp = path.with_name(f".{path.name}.tmp")
    pdf.save(tmp, deterministic_id=True, compress_streams=True,
             stream_decode_level=pikepdf.StreamDecodeLevel.none)
    tmp.replace(path)
