"""Posters (plugins/posters): print geometry, CMYK separation, QR codes, no-text zones, bad input,
vector PDFs (text, fonts, preview = PDF) and the legibility rules.

Cases from shared/cases/posters.md: P2 (K-only black), P4 (PDF page boxes and resolution),
P5 (QR decodes with zxing-cpp, an independent decoder, to the exact URL; 4-module quiet zone),
P6 (roll-up banner's cassette and rail strips), and P3 surfaced as ``path: poster.headline:``
in the build and in ``jindallae posters`` (the text rules themselves: tests/test_posters_text.py).
The PDFs are vector since the PDFs became vector: they are read back with pypdf and pikepdf
(structure), rendered by two independent readers, poppler (``pdftoppm``, RGB) and MuPDF
(``mutool draw -c cmyk``: the CMYK inks as printed), and their text is extracted with
``pdftotext`` and their fonts listed with ``pdffonts``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from jindallae.build import BuildError, build
from site_helpers import md, write_files

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT / "plugins"))

MM = 72 / 25.4  # PDF points per mm
SLUG = "chaoxianzu-laonianjie-2027"
URL_ZH = f"http://localhost:8000/events/{SLUG}/"
URL_KO = f"http://localhost:8000/ko/events/{SLUG}/"


def settings():
    from jindallae.settings import load_settings

    return load_settings(PROJECT)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """The starter page's posters: A2 in zh, ko and bilingual, roll-up in zh, with CMYK."""
    from jindallae.model import model_from_settings
    from posters.jobs import Config, make, plan

    s = settings()
    model = model_from_settings(s)
    config = Config.from_settings(s, cmyk=True)
    items, errors = model.load(PROJECT / "content")
    assert errors == []
    jobs, problems = plan(model, PROJECT / "content", items, config, {SLUG}, {"A2"})
    roll, more = plan(model, PROJECT / "content", items, config, {SLUG}, {"rollup"}, {"zh"})
    cache = tmp_path_factory.mktemp("posters")
    assert problems == [] and more == []
    assert make(jobs + roll, config, cache) == 4
    return {"jobs": {(j.variant, j.fmt.key): j for j in jobs + roll}, "cache": cache, "config": config}


def poppler(path: Path, dpi: float, crop: tuple[int, int, int, int] | None = None, gray: bool = False,
            aa: bool = False):
    """Page 1 of ``path`` rendered by poppler (pdftoppm) at ``dpi``, without anti-aliasing
    (whole pixels for QR modules and crop marks) unless ``aa``, optionally only ``crop``
    (x, y, w, h px)."""
    from PIL import Image

    aa_flag = "yes" if aa else "no"
    args = ["pdftoppm", "-r", f"{dpi:g}", "-aa", aa_flag, "-aaVector", aa_flag, "-singlefile"]
    if crop:
        args += ["-x", str(crop[0]), "-y", str(crop[1]), "-W", str(crop[2]), "-H", str(crop[3])]
    import tempfile

    with tempfile.TemporaryDirectory() as folder:  # pdftoppm 22 writes no single file to stdout
        subprocess.run(args + ["-gray" if gray else "-png", str(path), f"{folder}/page"], check=True, timeout=120)
        im = Image.open(next(Path(folder).iterdir()))
        im.load()
    return im.convert("L" if gray else "RGB")


def mupdf_cmyk(path: Path, dpi: float):
    """Page 1 of ``path`` rendered by MuPDF (mutool draw) into CMYK: the inks, as a CMYK PIL
    image (PAM output, read here: Pillow does not read CMYK PAM)."""
    from PIL import Image

    out = subprocess.run(["mutool", "draw", "-q", "-r", f"{dpi:g}", "-c", "cmyk", "-F", "pam", "-o", "-", str(path)],
                         capture_output=True, check=True, timeout=120).stdout
    end = out.index(b"ENDHDR\n") + 7
    head = dict(line.split(" ", 1) for line in out[:end].decode().splitlines()[1:-1])
    w, h = int(head["WIDTH"]), int(head["HEIGHT"])
    assert head["TUPLTYPE"] == "CMYK"
    return Image.frombytes("CMYK", (w, h), out[end:end + 4 * w * h])


def pdftotext(path: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, str(path), "-"], capture_output=True, text=True, check=True).stdout


def scaled(box, k):
    return tuple(round(v * k) for v in box)


def cached(made, variant, fmt, suffix):
    job = made["jobs"][(variant, fmt)]
    return made["cache"] / f"{job.digest}.{suffix}"


# ---------------------------------------------------------------------------------------------
# P4: geometry


def pictures(path: Path) -> list[tuple[int, int, float, float]]:
    """The images a PDF page draws: ``(width px, height px, width pt, height pt)`` each, from the
    page's content stream (the ``cm`` before each ``Do``, times the page's own ``cm``)."""
    import pikepdf

    out = []
    with pikepdf.open(path) as pdf:
        page = pdf.pages[0]
        scale, last = None, None
        for operands, op in pikepdf.parse_content_stream(page):
            if op == pikepdf.Operator("cm"):
                if scale is None:
                    scale = float(operands[0])  # the page's layout-pixel -> point transform
                else:
                    last = [float(v) for v in operands]
            elif op == pikepdf.Operator("Do"):
                image = page.Resources.XObject[str(operands[0])]
                out.append((int(image.Width), int(image.Height), abs(last[0]) * scale, abs(last[3]) * scale))
    return out


def test_P4_a2_pdf_page_boxes_and_resolution(made):
    """The page boxes as before; the picture is embedded once at no more than the format's
    300 dpi (changed with the vector PDFs: the page is no longer one 300 dpi raster, so the
    image-covers-the-page assertions became "each picture at most the format's dpi")."""
    from pypdf import PdfReader

    for name in (cached(made, "zh", "A2", "pdf"), cached(made, "zh", "A2", "cmyk.pdf")):
        page = PdfReader(name).pages[0]
        media, trim, bleed = page.mediabox, page.trimbox, page.bleedbox
        assert float(media.width) >= (420 + 6) * MM and float(media.height) >= (594 + 6) * MM
        assert float(media.width) >= (420 + 6 + 2 * 7) * MM  # room for the crop marks outside the bleed
        assert float(trim.width) == pytest.approx(420 * MM, abs=0.01)
        assert float(trim.height) == pytest.approx(594 * MM, abs=0.01)
        for a, b, sign in ((bleed.left, trim.left, -1), (bleed.bottom, trim.bottom, -1),
                           (bleed.right, trim.right, 1), (bleed.top, trim.top, 1)):
            assert float(a) == pytest.approx(float(b) + sign * 3 * MM, abs=0.01)
        assert float(bleed.left) > 0 and float(bleed.top) < float(media.top)
        images = pictures(name)
        assert len(images) == 2  # the poster's picture and the emblem, each drawn once
        picture = max(images, key=lambda i: i[2])
        assert picture[2] >= 420 * MM  # the picture spans the poster, into the bleed
        for w, h, wpt, hpt in images:
            assert w / (wpt / 72) <= 300 * 1.1 and h / (hpt / 72) <= 300 * 1.1
        xobjects = [x.get_object() for x in page["/Resources"]["/XObject"].values()]
        assert len(xobjects) == len(images)  # embedded once each


def test_P4_rollup_is_150_dpi_with_its_own_boxes(made):
    """The roll-up's boxes; large-format inkjet: no bleed (BleedBox = TrimBox, changed with the
    print conventions of this issue) and the picture at most 150 dpi."""
    from pypdf import PdfReader

    page = PdfReader(cached(made, "zh", "rollup", "pdf")).pages[0]
    assert float(page.trimbox.width) == pytest.approx(800 * MM, abs=0.01)
    assert float(page.trimbox.height) == pytest.approx(2000 * MM, abs=0.01)
    assert [float(v) for v in page.bleedbox] == pytest.approx([float(v) for v in page.trimbox], abs=0.01)
    w, h, wpt, hpt = max(pictures(cached(made, "zh", "rollup", "pdf")), key=lambda i: i[2])
    assert 100 <= w / (wpt / 72) <= 150 * 1.1


def test_crop_marks_lie_outside_the_bleed(made):
    from posters.render import crop_marks

    fmt = made["jobs"][("zh", "A2")].fmt
    k = 150 / fmt.dpi  # rendered by poppler at 150 dpi, without anti-aliasing
    im = poppler(cached(made, "zh", "A2", "pdf"), 150)
    tl, tt, tr, tb = fmt.trim_px()
    b = fmt.px(fmt.bleed)
    marks = crop_marks(fmt)
    assert len(marks) == 8
    for x0, y0, x1, y1 in marks:
        inside_bleed = x1 > tl - b and x0 < tr + b and y1 > tt - b and y0 < tb + b
        assert not inside_bleed, (x0, y0, x1, y1)
        cx, cy = round((x0 + x1) / 2 * k), round((y0 + y1) / 2 * k)
        assert max(im.getpixel((cx, cy))) < 90  # drawn (dark) in the white slug
    # the vertical marks sit on the trim lines
    assert sorted({(m[0] + m[2]) // 2 for m in marks if m[3] - m[1] > m[2] - m[0]}) == pytest.approx([tl, tr], abs=2)


# ---------------------------------------------------------------------------------------------
# P2: CMYK


def test_P2_black_text_is_k_only_and_colours_go_through_the_profile(made):
    """Read back as inks by MuPDF (``mutool draw -c cmyk``): black text and QR modules are
    C = M = Y = 0, K = 100 %; colours are the ICC profile's conversion.  (Rendered from the
    vector CMYK PDF at 100 dpi since the PDFs became vector: the text boxes of the metadata
    are in layout pixels and are scaled; the thresholds scale with the pixel count.)"""
    from PIL import Image, ImageCms

    job = made["jobs"][("zh", "A2")]
    fmt = job.fmt
    k = 100 / fmt.dpi
    meta = json.loads(cached(made, "zh", "A2", "json").read_text())
    cmyk = mupdf_cmyk(cached(made, "zh", "A2", "cmyk.pdf"), 100)
    assert cmyk.mode == "CMYK"
    # the subline is black text: every fully inked pixel of its lines is C=M=Y=0, K=100 %
    boxes = [scaled(b, k) for name, b in meta["text_boxes"] if name == "subline"]
    assert boxes
    solid = 0
    for box in boxes:
        for px in cmyk.crop(box).get_flattened_data():
            if px[3] == 255:
                solid += 1
                assert px[:3] == (0, 0, 0), px
    assert solid > 300
    # ... and the QR modules too
    qr = scaled(meta["qr"]["box"], k)
    dark = [px for px in cmyk.crop(qr).get_flattened_data() if px[3] > 0]
    assert dark and all(px == (0, 0, 0, 255) for px in dark if px[3] == 255)
    # A plain Pillow conversion would print the same black as 300 % C+M+Y with no black plate:
    naive = poppler(cached(made, "zh", "A2", "pdf"), 100).crop(boxes[0]).convert("CMYK")
    assert max(naive.getchannel("K").get_flattened_data()) == 0
    assert max(naive.getchannel("C").get_flattened_data()) > 200
    # Colour elements go through the ICC profile: the red headline is the profile's conversion
    # of the template colour (not 255 - R ...), and the picture has a black generation (K > 0).
    transform = ImageCms.buildTransform(ImageCms.createProfile("sRGB"), ImageCms.getOpenProfile(made["config"].profile),
                                        "RGB", "CMYK", renderingIntent=1)
    red = ImageCms.applyTransform(Image.new("RGB", (1, 1), (0xb0, 0x12, 0x2b)), transform).getpixel((0, 0))
    head = scaled([b for name, b in meta["text_boxes"] if name == "headline"][0], k)
    pixels = list(cmyk.crop(head).get_flattened_data())
    assert sum(1 for px in pixels if max(abs(a - b) for a, b in zip(px, red)) <= 1) > 300
    assert red != (255 - 0xb0, 255 - 0x12, 255 - 0x2b, 0)
    tl, tt, tr, _tb = scaled(fmt.trim_px(), k)
    picture = cmyk.crop((tl, tt, tr, tt + round(fmt.px(150) * k)))
    assert max(picture.getchannel("K").get_flattened_data()) > 0


def test_P2_cmyk_pdf_names_its_output_intent(made):
    """PDF/X-1a style: PDF 1.3, an OutputIntent naming the profile, GTS_PDFXVersion, DeviceCMYK
    only (no ICCBased colour space: changed from the raster CMYK PDF's ICC-based image, as
    PDF/X-1a allows only device CMYK and gray), no transparency, every font embedded."""
    import pikepdf

    path = cached(made, "zh", "A2", "cmyk.pdf")
    with pikepdf.open(path) as pdf:
        assert pdf.pdf_version == "1.3"
        intent = pdf.Root.OutputIntents[0]
        assert intent.S == pikepdf.Name.GTS_PDFX
        assert str(intent.OutputConditionIdentifier) == "Artifex CMYK SWOP Profile"
        assert int(intent.DestOutputProfile.N) == 4
        assert str(pdf.docinfo.GTS_PDFXVersion) == "PDF/X-1:2001" and pdf.docinfo.Trapped == pikepdf.Name("/False")
        resources = pdf.pages[0].Resources
        assert "/ExtGState" not in resources and "/ColorSpace" not in resources  # no transparency, no ICC spaces
        for xobj in resources.XObject.values():
            assert xobj.ColorSpace == pikepdf.Name.DeviceCMYK and "/SMask" not in xobj
        content = pdf.pages[0].Contents.read_bytes().decode("latin-1")
        assert " rg" not in content and " sc" not in content  # no RGB colour anywhere
        assert "0 0 0 1 k" in content  # black text and QR modules: pure K
        assert "1 1 1 1 k" in content  # crop marks: registration
    rows = [line.split() for line in subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                                                   check=True).stdout.splitlines()[2:]]
    assert rows and all(row[-5:-2] == ["yes", "yes", "yes"] for row in rows)


def test_rich_black_for_large_black_areas_only(tmp_path, made):
    """With POSTERS_RICH_BLACK (default C50 M50 Y50 K100), a black colour area and black text
    from POSTERS_RICH_BLACK_MIN_MM up print in rich black; smaller black text stays pure K;
    without it, everything black is pure K."""
    import pikepdf

    from posters.layout import load_template
    from posters.pdf import write_pdf
    from posters.render import render

    job = made["jobs"][("zh", "A2")]
    template = tmp_path / "black.yaml"
    template.write_text("base: [420, 594]\nformats: [A2]\nelements:\n"
                        "  - {kind: rect, box: [0, 0, 420, 100], color: \"#000000\"}\n"
                        "  - {kind: text, field: headline, box: [30, 120, 360, 120], size: [30, 40], max_lines: 2}\n"
                        "  - {kind: text, field: subline, box: [30, 260, 360, 40], size: [10, 12]}\n", encoding="utf-8")
    t = load_template(template, {"A2": job.fmt})
    scene = render(job.fmt, t, job.texts, job.url, None)
    config = made["config"]
    ops = {}
    for rich in ((0.5, 0.5, 0.5, 1.0), None):
        out = tmp_path / f"{bool(rich)}.pdf"
        write_pdf(out, scene, "t", cmyk={"profile": config.profile, "intent": "relative", "name": "x",
                                         "rich_black": rich, "rich_min_px": job.fmt.px(20)})
        with pikepdf.open(out) as pdf:
            ops[bool(rich)] = pdf.pages[0].Contents.read_bytes().decode("latin-1")
    def inks(content: str) -> list[str]:
        """The fill colour in effect at each area (re f) and each text (BT), in order."""
        current, out = None, []
        for line in content.splitlines():
            if line.endswith(" k"):
                current = line[:-2]
            elif line.endswith(" re f") or line.startswith("BT"):
                out.append(("area" if line.endswith(" re f") else "text", current))
        return out

    rich, plain = inks(ops[True]), inks(ops[False])
    # the black rect (an area) and the 30-40 mm headline in rich black, the 10-12 mm subline in K
    assert rich[1] == ("area", "0.5 0.5 0.5 1")
    texts = [ink for kind, ink in rich if kind == "text"]
    assert texts[0] == "0.5 0.5 0.5 1" and texts[-1] == "0 0 0 1"
    assert all(ink != "0.5 0.5 0.5 1" for _kind, ink in plain)


# ---------------------------------------------------------------------------------------------
# P5: QR codes


def decode(im):
    import zxingcpp

    return [(r.text, r.format) for r in zxingcpp.read_barcodes(im)]


def test_P5_qr_decodes_to_the_page_url_with_a_quiet_zone(made):
    import zxingcpp

    expected = {"zh": URL_ZH, "ko": URL_KO, "bilingual": URL_KO}  # bilingual: Korean first (POSTERS_BILINGUAL_ORDER)
    for (variant, fmt), job in made["jobs"].items():
        meta = json.loads((made["cache"] / f"{job.digest}.json").read_text())
        # the vector PDF rendered by poppler at 150 dpi (it used to be the embedded raster)
        k = 150 / job.fmt.dpi
        q = meta["qr"]
        left, top, right, bottom = scaled(q["box"], k)
        im = poppler(made["cache"] / f"{job.digest}.pdf", 150, (left - 40, top - 40, right - left + 80, bottom - top + 80))
        found = decode(im)
        assert found == [(expected[variant], zxingcpp.BarcodeFormat.QRCode)], (variant, fmt)
        assert q["module_px"] >= 4 and q["modules"] >= 21
        # quiet zone: the 4-module ring around the modules is white in the print image
        ring = round(4 * q["module_px"] * k)
        assert q["box"][2] - q["box"][0] == (q["modules"] + 8) * q["module_px"]
        rgb = im.crop((40, 40, 40 + right - left, 40 + bottom - top))
        inner = (ring, ring, rgb.width - ring, rgb.height - ring)
        for x in range(0, rgb.width, 3):
            for y in list(range(0, ring - 2, 3)) + list(range(rgb.height - ring + 2, rgb.height, 3)):
                assert min(rgb.getpixel((x, y))) > 235, (variant, fmt, x, y)
        assert inner[2] > inner[0]
        # the code is big enough for the scan distance of the format (side >= distance / 10)
        side_mm = q["modules"] * q["module_px"] * 25.4 / job.fmt.dpi
        assert side_mm >= job.fmt.scan_distance * 100 - 0.5
    # the CMYK file carries the same code
    assert decode(poppler(cached(made, "zh", "A2", "cmyk.pdf"), 75))[0][0] == URL_ZH


def test_P5_every_poster_of_the_site_decodes(site):
    """Every poster PDF of the starter site: its QR code holds exactly its page's public URL."""
    pdfs = sorted(site.rglob("poster-*.pdf"))
    assert len(pdfs) >= 7 * 3 * 2  # every starter event: zh, ko and bilingual, A2 and roll-up
    for path in pdfs:
        rel = path.parent.relative_to(site).as_posix()
        if "bilingual" in path.name:
            rel = "ko/" + rel  # Korean first on bilingual posters: the code leads to the Korean page
        found = decode(poppler(path, 50, gray=True))
        assert [t for t, _ in found] == [f"http://localhost:8000/{rel}/"], path


# ---------------------------------------------------------------------------------------------
# P6: no-text zones


def test_P6_rollup_keeps_cassette_and_rail_free(made):
    from posters.render import PosterText, render

    job = made["jobs"][("zh", "rollup")]
    fmt = job.fmt
    assert (fmt.width, fmt.height, fmt.no_text) == (800, 2000, {"top": 25, "bottom": 150})
    scene = render(fmt, job.template, job.texts, job.url, job.image, job.focus)
    tl, tt, tr, tb = fmt.trim_px()
    rail, cassette = tt + fmt.px(25), tb - fmt.px(150)
    assert scene.text_boxes and scene.qr_box
    for name, (x0, y0, x1, y1) in scene.text_boxes + [("qr", scene.qr_box)]:
        assert y0 >= rail and y1 <= cassette, (name, y0, y1, rail, cassette)
    # in the PDF (there is no black raster layer any more: the text is text): every word that
    # pdftotext finds lies between the rail and the cassette
    import re

    k = 72 / fmt.dpi
    words = re.findall(r'<word xMin="[^"]+" yMin="([^"]+)" xMax="[^"]+" yMax="([^"]+)">',
                       pdftotext(cached(made, "zh", "rollup", "pdf"), "-bbox"))
    assert len(words) > 5
    for y0, y1 in words:
        assert rail * k - 1 <= float(y0) and float(y1) <= cassette * k + 1, (y0, y1)
    del PosterText


def test_P6_template_box_in_the_cassette_is_rejected(tmp_path):
    from posters.formats import DataError, load_formats
    from posters.layout import load_template

    formats = load_formats(PROJECT / "themes/jindallae/posters/formats.yaml")
    bad = tmp_path / "low.yaml"
    bad.write_text("base: [800, 2000]\nformats: [rollup]\nelements:\n"
                   "  - {kind: text, field: headline, box: [50, 1900, 700, 60]}\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_template(bad, formats)
    assert str(info.value).startswith(f"{bad}: elements[0].box: on format rollup")
    assert "no-text strip" in str(info.value)
    top = tmp_path / "top.yaml"
    top.write_text("base: [800, 2000]\nformats: [rollup]\nelements:\n  - {kind: qr, box: [300, 10, 200, 200]}\n",
                   encoding="utf-8")
    with pytest.raises(DataError, match=r"elements\[0\]\.box: .*top"):
        load_template(top, formats)


def test_every_theme_template_fits_its_formats():
    from posters.formats import load_formats
    from posters.layout import load_templates

    formats = load_formats(PROJECT / "themes/jindallae/posters/formats.yaml")
    templates = load_templates(PROJECT / "themes/jindallae/posters", formats)
    assert {"portrait", "rollup", "banner"} <= set(templates)
    assert {f.orientation for f in formats.values()} == {"portrait", "tall", "wide"}


def test_fonts_found_for_both_languages():
    from posters.fonts import find_face

    for lang, region in (("zh", "SC"), ("ko", "KR")):
        face = find_face(lang, "sans", "bold")
        assert Path(face.path).is_file() and face.family.endswith(region)


# ---------------------------------------------------------------------------------------------
# Site integration


def test_site_lists_posters_and_pages_link_them(site):
    from bs4 import BeautifulSoup

    zh = BeautifulSoup((site / "posters/index.html").read_text(encoding="utf-8"), "html.parser")
    ko = BeautifulSoup((site / "ko/posters/index.html").read_text(encoding="utf-8"), "html.parser")
    zh_links = {a["href"] for a in zh.select(".poster-files a")}
    ko_links = {a["href"] for a in ko.select(".poster-files a")}
    bilingual = f"/events/{SLUG}/poster-bilingual-A2.pdf"
    assert bilingual in zh_links and bilingual in ko_links
    assert f"/events/{SLUG}/poster-zh-rollup.pdf" in zh_links and f"/events/{SLUG}/poster-zh-rollup.pdf" not in ko_links
    assert f"/ko/events/{SLUG}/poster-ko-A2.pdf" in ko_links
    page = BeautifulSoup((site / f"events/{SLUG}/index.html").read_text(encoding="utf-8"), "html.parser")
    section = page.select_one("section.posters")
    assert section is not None
    img = section.select_one("img")
    assert "预览" in img["alt"] and (site / img["src"].lstrip("/")).is_file()
    for a in section.select("a[href]"):
        assert (site / a["href"].lstrip("/")).is_file(), a["href"]
    # format names in the page's language only (formats.yaml: name: {zh: 易拉宝, ko: 롤업 배너})
    import re

    zh_names = [a.get_text() for a in zh.select(".poster-files a[type='application/pdf']")]
    ko_names = [a.get_text() for a in ko.select(".poster-files a[type='application/pdf']")]
    assert "易拉宝 印刷用 PDF" in zh_names and not any(re.search("[\uac00-\ud7a3]", n) for n in zh_names)
    assert any(n.startswith("롤업 배너") for n in ko_names) and not any("易拉宝" in n for n in ko_names)
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "http://localhost:8000/posters/" in sitemap and "http://localhost:8000/ko/posters/" in sitemap


def test_cache_makes_nothing_twice(made, tmp_path):
    from posters.jobs import make

    jobs = list(made["jobs"].values())
    before = {p.name: p.stat().st_mtime_ns for p in made["cache"].iterdir()}
    assert make(jobs, made["config"], made["cache"]) == 0
    assert {p.name: p.stat().st_mtime_ns for p in made["cache"].iterdir()} == before


# ---------------------------------------------------------------------------------------------
# Bad input: path: field: message


EVENT = """title: {title}
date: 2026-11-01
summary: 测试活动。
event:
  id: 3f0b6f1e-0000-4000-8000-00000000000{n}
  start: 2027-05-01
  location: 延吉市
poster:
{poster}"""


def page(n: int, poster: str, title: str = "测试活动") -> str:
    return md(EVENT.format(title=title, n=n, poster=poster))


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(PROJECT / ".venv/bin/jindallae"), "--project", str(PROJECT), "posters", "--no-progress",
                           *args], capture_output=True, text=True, timeout=300)


def test_P3_missing_glyph_is_an_error_in_build_and_cli(tmp_path):
    content = write_files(tmp_path / "content", {
        "events/glyph.zh.md": page(1, "  headline: 欢度佳节🎉\n  formats: [A4]"),
    })
    with pytest.raises(BuildError) as info:
        build(PROJECT, content, tmp_path / "out", progress=False, cache=False)
    lines = [e for e in info.value.errors if "poster.headline" in e]
    assert lines and lines[0].startswith(f"{content.as_posix()}/events/glyph.zh.md: poster.headline: ")
    assert "🎉" in lines[0] and "U+1F389" in lines[0]
    assert not (tmp_path / "out").exists()
    result = run_cli("--content", str(content), "--output", str(tmp_path / "posters"))
    assert result.returncode == 1
    assert f"{content.as_posix()}/events/glyph.zh.md: poster.headline: " in result.stderr
    assert "U+1F389" in result.stderr


def test_bad_poster_input_is_reported_by_field(tmp_path):
    from PIL import Image

    images = tmp_path / "content/images"
    images.mkdir(parents=True)
    (images / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    Image.new("RGB", (300, 200), (200, 80, 80)).save(images / "small.jpg")
    Image.new("1", (20000, 20000)).save(images / "bomb.png")  # 400 MP: over Pillow's bomb limit
    long = "创建幸福家庭共建美好未来" * 30
    content = write_files(tmp_path / "content", {
        "events/broken.zh.md": page(1, "  image: images/broken.jpg\n  formats: [A4]"),
        "events/small.zh.md": page(2, "  image: images/small.jpg\n  formats: [A4]"),
        "events/bomb.zh.md": page(3, "  image: images/bomb.png\n  formats: [A4]"),
        "events/long.zh.md": page(4, "  formats: [A4]", title=long),
        "events/format.zh.md": page(5, "  formats: [A9]"),
        "events/template.zh.md": page(6, "  formats: [A4]\n  template: fancy"),
        "events/points.zh.md": page(7, "  points: [一, 二, 三, 四, 五]"),
    })
    result = run_cli("--content", str(content), "--output", str(tmp_path / "posters"))
    err = result.stderr
    root = content.as_posix()
    assert result.returncode == 1
    # a field-level front-matter error stops before rendering, with its line
    assert f"{root}/events/points.zh.md:" in err and "poster.points" in err
    (content / "events/points.zh.md").unlink()
    result = run_cli("--content", str(content), "--output", str(tmp_path / "posters"))
    err = result.stderr
    assert result.returncode == 1
    assert f"{root}/events/broken.zh.md: poster.image: 无法读取图片" in err
    assert f"{root}/events/bomb.zh.md: poster.image: " in err and "decompression bomb" in err
    assert f"warning: {root}/events/small.zh.md: poster.image: " in err
    assert "300×200" in err and "at least" in err  # names the pixel size needed
    assert f"{root}/events/long.zh.md: poster.headline: " in err and "shorten it" in err
    assert f"{root}/events/format.zh.md: poster.formats: 没有名为“A9”的版式" in err
    assert f"{root}/events/template.zh.md: poster.template: 没有名为“fancy”的模板" in err
    # the good one (small picture: only a warning) was written
    assert (tmp_path / "posters/events/small/poster-zh-A4.pdf").is_file()
    assert not (tmp_path / "posters/events/broken").exists()


def test_poster_dates_use_one_weekday_style():
    """Date lines on posters use CLDR's yMMMEd skeleton and interval formats (Babel) throughout:
    no "星期三 – 5月3日周一" mix of long and short weekdays; a time keeps its 上午/오후."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from plugins.posters.jobs import when_text

    bj = ZoneInfo("Asia/Shanghai")
    tz = "Asia/Shanghai"
    span = {"start": dt.date(2027, 4, 28), "end": dt.date(2027, 5, 3)}
    assert when_text(span, "zh", tz) == "2027年4月28日周三至5月3日周一"
    assert when_text(span, "ko", tz) == "2027년 4월 28일 (수)~5월 3일 (월)"
    assert when_text({"start": dt.date(2027, 8, 15)}, "zh", tz) == "2027年8月15日周日"
    timed = {"start": dt.datetime(2027, 6, 17, 9, 30, tzinfo=bj), "end": dt.datetime(2027, 6, 17, 16, 30, tzinfo=bj)}
    assert when_text(timed, "ko", tz) == "2027년 6월 17일 (목) 오전\u00a09:30–오후\u00a04:30"
    two_days = dict(timed, end=dt.datetime(2027, 6, 18, 17, 0, tzinfo=bj))
    assert when_text(two_days, "zh", tz) == "2027年6月17日周四 09:30 – 6月18日周五 17:00"


def test_posters_command_explains_a_format_the_page_does_not_list(tmp_path):
    """`jindallae posters --only X --format Y` where X's poster: block does not list Y renders
    nothing, says which formats the block lists, and exits 2 (not a silent "0 posters")."""
    from jindallae.cli import find_project

    project = find_project(Path(__file__).resolve().parent)
    run = subprocess.run([sys.executable, "-m", "jindallae.cli", "posters", "--only", "longjing-lihuajie-2027",
                          "--format", "xbanner", "--output", str(tmp_path / "out"), "--no-progress"],
                         cwd=project, capture_output=True, text=True)
    assert run.returncode == 2, run.stderr
    assert "longjing-lihuajie-2027.zh.md: poster.formats is A2, rollup" in run.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.pdf"))


# ---------------------------------------------------------------------------------------------
# Found by trying bad input as a new user (issue #4 review)


def _plan_and_make(content: Path, cache: Path, **narrow):
    """plan + make on a content folder with the project's settings -> (jobs, problems)."""
    from jindallae.model import model_from_settings
    from posters.jobs import Config, make, plan, problems_of

    s = settings()
    model = model_from_settings(s)
    config = Config.from_settings(s)
    items, errors = model.load(content)
    assert errors == []
    jobs, problems = plan(model, content, items, config, narrow.get("only"), narrow.get("formats"), narrow.get("langs"))
    make(jobs, config, cache, workers=1)
    return jobs, problems + problems_of(jobs)


def test_bare_poster_key_asks_for_a_poster_with_every_default(tmp_path):
    """``poster:`` with no value (YAML null) is a poster made from the page's defaults, like
    ``poster: {}``; it used to be dropped silently.  A wrong type says what is expected in the
    editor's language (no English left in the Chinese part)."""
    from jindallae.model import model_from_settings
    from posters.jobs import Config, plan

    s = settings()
    model = model_from_settings(s)
    content = write_files(tmp_path / "content", {
        "events/bare.zh.md": md(EVENT.format(title="裸海报", n=1, poster="").rstrip()),
        "events/text.zh.md": md(EVENT.format(title="错海报", n=2, poster="").rstrip().replace("poster:", "poster: yes")),
    })
    items, errors = model.load(content)
    bare = next(i for i in items if i.slug == "bare")
    assert bare.fields["poster"] == {}
    jobs, problems = plan(model, content, [bare], Config.from_settings(s))
    assert problems == [] and sorted(j.fmt.key for j in jobs) == ["A2", "rollup"]
    assert {t.headline for j in jobs for t in j.texts} == {"裸海报"}
    assert len(errors) == 1
    text = str(errors[0])
    assert text.startswith("events/text.zh.md:")
    local = text.split(" (field")[0]
    assert "字段“poster”必须是海报字段的映射" in local and "mapping" not in local


def test_image_messages_name_the_path_as_written_even_from_the_cache(tmp_path):
    """The low-resolution warning names the picture as the front matter writes it
    (``images/a.jpg``), never an absolute path, and a cached warning never names another
    page's or folder's picture with the same bytes (the path is part of the cache key)."""
    from PIL import Image

    small = tmp_path / "small.jpg"
    Image.new("RGB", (120, 90), (30, 120, 60)).save(small)
    cache = tmp_path / "cache"
    lines = {}
    for name in ("first", "second"):
        content = write_files(tmp_path / name / "content", {
            f"events/{name}.zh.md": page(1, f"  image: images/{name}.jpg\n  formats: [A4]", title="小图"),
            f"images/{name}.jpg": small.read_bytes(),
        })
        jobs, problems = _plan_and_make(content, cache)
        assert len(jobs) == 1 and [p.error for p in problems] == [False]
        lines[name] = problems[0].line(content.as_posix())
    assert lines["first"].startswith(f"{(tmp_path / 'first/content').as_posix()}/events/first.zh.md: poster.image: "
                                     "图片“images/first.jpg”（120×90 像素）")
    assert lines["second"].startswith(f"{(tmp_path / 'second/content').as_posix()}/events/second.zh.md: poster.image: "
                                      "图片“images/second.jpg”（120×90 像素）")
    assert "first" not in lines["second"].split(": poster.image: ")[1]
    assert str(tmp_path) not in lines["second"].split(": poster.image: ")[1]


def test_bilingual_poster_text_error_names_the_file_of_that_language(tmp_path):
    """A Korean headline that cannot fit on the bilingual poster asked for by the Chinese page
    is the Korean file's error, in Korean with English, not the Chinese file's.  (A 60-syllable
    word used to be the example; since Korean breaks between syllables when a word is wider
    than the line (KLREQ) it fits, so the headline now holds what no rule may break and that is
    wider than the line even at the smallest size: an e-mail address.)"""
    long_ko = "가나다라마바사아자차" * 2 + " " + "jindallae.population.culture.yanbian.2027@example.org"
    content = write_files(tmp_path / "content", {
        "events/pair.zh.md": page(1, "  language: [bilingual]\n  formats: [A4]", title="双语活动"),
        "events/pair.ko.md": page(1, f"  headline: {long_ko}\n  formats: [A4]", title="이중 언어 행사"),
    })
    jobs, problems = _plan_and_make(content, tmp_path / "cache", langs={"bilingual"})
    assert [j.variant for j in jobs] == ["bilingual"]
    errors = [p for p in problems if p.error]
    assert len(errors) == 1
    assert errors[0].source == "events/pair.ko.md" and errors[0].field == "poster.headline"
    assert errors[0].message.startswith("글이 A4의 ") and "(the text does not fit" in errors[0].message
    assert long_ko.split(" ")[-1] in errors[0].message  # the part that cannot be broken


def test_template_text_box_too_small_for_one_line_is_rejected(tmp_path):
    """A text box that cannot hold one line at its smallest type size is the template's error
    (``path: elements[i].box: ...``) when loaded, not a traceback while rendering."""
    from posters.formats import DataError, load_formats
    from posters.layout import load_template

    formats = load_formats(PROJECT / "themes/jindallae/posters/formats.yaml")
    flat = tmp_path / "flat.yaml"
    flat.write_text("base: [800, 2000]\nformats: [rollup]\nelements:\n"
                    "  - {kind: text, field: subline, box: [50, 925, 700, 0.01], size: [15, 36]}\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_template(flat, formats)
    assert str(info.value).startswith(f"{flat}: elements[0].box: on format rollup the text box is 700.0 x 0.0 mm")
    assert "smallest type size (15.0 mm" in str(info.value)


def test_poster_image_outside_content_and_empty_points_are_refused(tmp_path):
    """``poster.image`` must lie inside content/ (an absolute or ../ path would put any picture
    of the server on a public poster): ``path:line: poster.image ...`` in the page's language.
    An empty point (``null`` or a bare ``-``) is left out, never printed as "None", and a point
    is printed as typed (YAML 1.1 reads ``9:30`` as 570)."""
    from PIL import Image

    from jindallae.model import model_from_settings

    outside = tmp_path / "secret.png"
    Image.new("RGB", (50, 50)).save(outside)
    model = model_from_settings(settings())
    content = write_files(tmp_path / "content", {
        "events/abs.zh.md": page(1, f"  image: {outside.as_posix()}"),
        "events/up.ko.md": page(2, "  image: ../secret.png"),
        "events/points.zh.md": page(3, "  points: [上午祝寿, null, ~, '', 9:30, yes, 0123]"),
    })
    items, errors = model.load(content)
    text = sorted(str(e) for e in errors)
    assert len(text) == 2
    assert text[0].startswith("events/abs.zh.md:10: 字段“poster.image”：“") and "不在 content/ 之内" in text[0]
    assert "is outside content/" in text[0]
    assert text[1].startswith("events/up.ko.md:10: 항목 'poster.image': '../secret.png'은(는) content/ 밖에")
    points = next(i for i in items if i.slug == "points")
    assert points.fields["poster"]["points"] == ["上午祝寿", "9:30", "yes", "0123"]  # as typed, not 570, True, 83


def test_posters_command_refuses_bad_arguments_without_a_traceback(tmp_path):
    """An unknown --lang, a missing --content folder and an --output that cannot be written
    are one line each (``posters: --option: ...``), exit 2/2/1, never a traceback."""
    result = run_cli("--lang", "en")
    assert result.returncode == 2
    assert result.stderr.strip() == "posters: --lang: no language version named 'en'; use zh, ko, bilingual"
    result = run_cli("--content", str(tmp_path / "nowhere"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"posters: --content: no folder {tmp_path / 'nowhere'};")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = run_cli("--only", "longjing-lihuajie-2027", "--format", "A2", "--lang", "ko", "--output", str(blocker / "out"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"posters: --output: cannot write the posters into {blocker / 'out'}" in result.stderr


def test_picture_over_the_bomb_limit_is_refused_before_decoding(tmp_path):
    """A picture above Pillow's MAX_IMAGE_PIXELS (89.5 MP) but below twice that, where Pillow
    only warns and would decode it (a 90 MP bilevel PNG becomes 270 MB of RGB), is refused as
    a decompression bomb naming the path as written; a normal picture still opens."""
    from PIL import Image

    from posters.render import PosterError, open_image

    Image.new("1", (10000, 9000)).save(tmp_path / "wide.png")  # 90 000 000 px
    with pytest.raises(PosterError) as info:
        open_image(str(tmp_path / "wide.png"), label="images/wide.png")
    assert info.value.field == "poster.image"
    assert info.value.messages["en"].startswith("image 'images/wide.png' has too many pixels, a decompression bomb")
    assert "90000000" in info.value.messages["zh"]
    Image.new("RGB", (400, 300), (10, 20, 30)).save(tmp_path / "ok.jpg")
    assert open_image(str(tmp_path / "ok.jpg")).size == (400, 300)


def test_unexpected_render_failure_is_the_pages_error_not_a_traceback(tmp_path, monkeypatch):
    """Whatever goes wrong while drawing one poster (here: the renderer raises ValueError)
    becomes ``path: poster: ...`` for that page, in its language with English; the other
    posters are still made."""
    import posters.render as render_mod

    real = render_mod.render

    def flaky(fmt, *args, **kw):
        if fmt.key == "A3":
            raise ValueError("empty text box 4134×0 px")
        return real(fmt, *args, **kw)

    monkeypatch.setattr(render_mod, "render", flaky)
    content = write_files(tmp_path / "content", {"events/fail.ko.md": page(1, "  formats: [A3, A4]", title="행사")})
    jobs, problems = _plan_and_make(content, tmp_path / "cache")
    assert sorted(j.fmt.key for j in jobs if "error" not in j.result) == ["A4"]
    assert [p.line() for p in problems if p.error] == [
        "events/fail.ko.md: poster: A3 포스터를 그릴 수 없습니다(서식 portrait, ValueError: empty text box 4134×0 px). "
        "서식이나 프로그램의 문제이니 이 페지와 함께 알려 주세요 (the A3 poster could not be drawn (template portrait; "
        "ValueError: empty text box 4134×0 px); a template or renderer bug: please report it with this page)"]


def test_posters_command_summary_counts_failed_posters_apart(tmp_path):
    """The summary line counts what was made: a poster that failed is neither "rendered" nor
    "unchanged" (it used to say "2 rendered" for one poster made and one failed)."""
    content = write_files(tmp_path / "content", {
        "events/good.zh.md": page(1, "  formats: [A4]", title="好海报"),
        "events/bad.zh.md": page(2, "  headline: 欢度佳节🎉\n  formats: [A4]"),
    })
    out = tmp_path / "posters"
    first = run_cli("--content", str(content), "--output", str(out), "--force")
    assert first.returncode == 1
    assert first.stderr.splitlines()[-1] == f"1 poster(s) in {out} (1 rendered, 0 unchanged, 1 failed)"
    again = run_cli("--content", str(content), "--output", str(out))
    assert again.stderr.splitlines()[-1] == f"1 poster(s) in {out} (0 rendered, 1 unchanged, 1 failed)"


def test_bilingual_poster_waits_for_a_translation_in_review(tmp_path):
    """A published Korean page asking for a bilingual poster while its Chinese version is still
    in review gets a warning and no bilingual poster, and the site builds (it used to be an
    error that stopped every build until the translation was published); with no Chinese
    version at all it stays an error."""
    review = page(1, "  formats: [A4]", title="审核中的活动").replace("poster:", "status: review\nposter:")
    content = write_files(tmp_path / "content", {
        "events/wait.ko.md": page(1, "  language: [ko, bilingual]\n  formats: [A4]", title="기다리는 행사"),
        "events/wait.zh.md": review,
    })
    result = build(PROJECT, content, tmp_path / "out", progress=False, cache=False)
    assert (tmp_path / "out/ko/events/wait/poster-ko-A4.pdf").is_file()
    assert not list((tmp_path / "out").rglob("poster-bilingual-*"))
    expected = ("이중 언어 포스터는 이 페지의 中文 판이 발행된 뒤에 만들어집니다(지금은 review) (the bilingual poster "
                "will be made once the page's 中文 version is published (it is review now))")
    assert any(w.endswith(f"events/wait.ko.md: poster.language: {expected}") for w in result.warnings), result.warnings
    jobs, problems = _plan_and_make(content, tmp_path / "cache")
    assert [(p.source, p.field, p.message, p.error) for p in problems] == [
        ("events/wait.ko.md", "poster.language", expected, False)]
    (content / "events/wait.zh.md").unlink()
    jobs, problems = _plan_and_make(content, tmp_path / "cache2")
    assert [(p.field, p.error) for p in problems] == [("poster.language", True)]


def test_posters_command_removes_posters_no_page_asks_for(tmp_path):
    """After a format is taken out of a poster: block, a whole `jindallae posters` run removes
    its old PDF from the output (no stale file for the print shop); a narrowed run (--format)
    and a failing poster keep what is there."""
    content = write_files(tmp_path / "content", {"events/fmt.zh.md": page(1, "  formats: [A4, A3]", title="换版式")})
    out = tmp_path / "posters"
    assert run_cli("--content", str(content), "--output", str(out)).returncode == 0
    assert sorted(p.name for p in (out / "events/fmt").glob("*.pdf")) == ["poster-zh-A3.pdf", "poster-zh-A4.pdf"]
    (out / "events/fmt/poster-notes.pdf").write_bytes(b"%PDF- the user's own file")
    write_files(content, {"events/fmt.zh.md": page(1, "  formats: [A4]", title="换版式")})
    assert run_cli("--content", str(content), "--output", str(out), "--format", "A4").returncode == 0
    assert (out / "events/fmt/poster-zh-A3.pdf").is_file()  # narrowed: left alone
    assert run_cli("--content", str(content), "--output", str(out)).returncode == 0
    assert sorted(p.name for p in (out / "events/fmt").iterdir()) == [
        "poster-notes.pdf", "poster-zh-A4.pdf", "poster-zh-A4.png", "poster-zh-A4.thumb.jpg"]
    write_files(content, {"events/fmt.zh.md": page(1, "  headline: 换版式🎉\n  formats: [A4]", title="换版式")})
    assert run_cli("--content", str(content), "--output", str(out)).returncode == 1
    assert (out / "events/fmt/poster-zh-A4.pdf").is_file()  # the last good file stays


def test_empty_subline_means_none_and_empty_headline_means_the_title(tmp_path):
    """``subline: ""`` leaves the subline out (it used to be dropped by the model, so the
    summary's first sentence came back); ``headline: ""`` falls back to the title, as a
    poster needs a headline."""
    from jindallae.model import model_from_settings
    from posters.jobs import poster_text

    model = model_from_settings(settings())
    content = write_files(tmp_path / "content", {
        "events/quiet.zh.md": page(1, '  headline: ""\n  subline: ""', title="安静的活动"),
        "events/default.zh.md": page(2, "  formats: [A4]", title="默认的活动"),
    })
    items, errors = model.load(content)
    assert errors == []
    texts = {i.slug: poster_text(i, "zh", "吉林人口文化", "zh", "Asia/Shanghai") for i in items}
    assert (texts["quiet"].headline, texts["quiet"].subline) == ("安静的活动", "")
    assert (texts["default"].headline, texts["default"].subline) == ("默认的活动", "测试活动")


def test_bilingual_poster_comes_in_every_format_either_version_asks_for(tmp_path):
    """When the Chinese page asks for a bilingual A4 and the Korean page for a bilingual A3,
    the page's one bilingual poster comes in A4 and A3 (the Korean request used to be dropped
    silently because the bilingual poster was planned once, from the Chinese block)."""
    content = write_files(tmp_path / "content", {
        "events/both.zh.md": page(1, "  language: [bilingual]\n  formats: [A4]", title="双语活动"),
        "events/both.ko.md": page(1, "  language: [ko, bilingual]\n  formats: [A3]", title="이중 언어 행사"),
    })
    from jindallae.model import model_from_settings
    from posters.jobs import Config, plan

    s = settings()
    model = model_from_settings(s)
    items, errors = model.load(content)
    assert errors == []
    jobs, problems = plan(model, content, items, Config.from_settings(s))
    assert problems == []
    assert sorted((j.variant, j.fmt.key) for j in jobs) == [("bilingual", "A3"), ("bilingual", "A4"), ("ko", "A3")]
    assert {j.out_dir for j in jobs if j.variant == "bilingual"} == {"events/both/"}


# ---------------------------------------------------------------------------------------------
# Vector PDFs: text is text, fonts are embedded, the preview shows the PDF's lines


def _flat(text: str) -> str:
    import re

    return re.sub(r"\s+", "", text)


def test_pdf_text_is_the_posters_text_in_reading_order(made):
    """pdftotext (poppler) and mutool (MuPDF) extract the headline, subline and points of the
    vector PDF, in reading order; the bilingual poster has the Korean headline before the
    Chinese one (POSTERS_BILINGUAL_ORDER)."""
    for variant in ("zh", "ko", "bilingual"):
        job = made["jobs"][(variant, "A2")]
        path = cached(made, variant, "A2", "pdf")
        poppler_text = _flat(pdftotext(path))
        mupdf_text = _flat(subprocess.run(["mutool", "draw", "-q", "-F", "txt", "-o", "-", str(path)],
                                          capture_output=True, text=True, check=True).stdout)
        for text in (poppler_text, mupdf_text):
            at = 0
            for t in job.texts:
                for piece in [t.headline, t.subline, *t.points]:
                    found = text.find(_flat(piece), at if piece is t.headline else 0)
                    assert found >= 0, (variant, piece, text)
                    if piece is t.headline:
                        at = found + 1
            if variant == "bilingual":
                ko, zh = job.texts
                assert text.index(_flat(ko.headline)) < text.index(_flat(zh.headline))
            points = [text.index(_flat(p)) for p in job.texts[0].points]
            assert points == sorted(points)
            assert text.index(_flat(job.texts[0].headline)) < text.index(_flat(job.texts[0].subline)) < points[0]


def test_every_font_is_embedded_as_a_cjk_subset(made):
    """pdffonts: every font of every poster PDF (RGB and CMYK) is an embedded CID CFF subset
    (``CID Type 0C``, emb/sub/uni yes) of the Noto CJK face of its language."""
    for job in made["jobs"].values():
        for suffix in ("pdf",) + (("cmyk.pdf",) if job.fmt.key == "A2" and job.variant == "zh" else ()):
            out = subprocess.run(["pdffonts", str(made["cache"] / f"{job.digest}.{suffix}")], capture_output=True,
                                 text=True, check=True).stdout.splitlines()[2:]
            assert out, job.stem
            regions = set()
            for line in out:
                name, rest = line.split(" ", 1)
                assert "CID Type 0C" in rest and rest.split()[-5:-2] == ["yes", "yes", "yes"], line
                assert name[6] == "+" and name[:6].isupper()
                regions.add(name.split("NotoSansCJK")[1][:2])
            assert regions == {{"zh": "sc", "ko": "kr"}[lang] for lang in job.langs}, (job.stem, out)


def test_preview_png_shows_the_pdfs_lines(made):
    """The PNG preview and the PDF rendered by poppler at the same scale are the same picture:
    close overall and line by line (every text line's box has the same ink): one layout, the
    same line breaks."""
    from PIL import Image, ImageChops, ImageStat

    for variant in ("zh", "bilingual"):
        job = made["jobs"][(variant, "A2")]
        fmt = job.fmt
        png = Image.open(cached(made, variant, "A2", "png")).convert("L")
        meta = json.loads(cached(made, variant, "A2", "json").read_text())
        tl, tt, tr, tb = fmt.trim_px()
        k = png.height / (tb - tt)
        page = poppler(cached(made, variant, "A2", "pdf"), fmt.dpi * k, gray=True, aa=True)
        x0, y0 = round(tl * k), round(tt * k)
        pdf = page.crop((x0, y0, x0 + png.width, y0 + png.height))
        diff = ImageChops.difference(png, pdf)
        assert ImageStat.Stat(diff).mean[0] < 8, variant
        lines = [b for name, b in meta["text_boxes"]]
        assert len(lines) > 10
        for box in lines:
            b = (box[0] - tl) * k, (box[1] - tt) * k, (box[2] - tl) * k, (box[3] - tt) * k
            b = (round(b[0]) - 1, round(b[1]) - 1, round(b[2]) + 1, round(b[3]) + 1)
            a, c = png.crop(b), pdf.crop(b)
            ink_png = 255 - ImageStat.Stat(a).mean[0]
            ink_pdf = 255 - ImageStat.Stat(c).mean[0]
            assert abs(ink_png - ink_pdf) < 0.25 * max(ink_png, ink_pdf) + 4, (variant, box, ink_png, ink_pdf)
            if b[3] - b[1] < 20:
                continue  # small type: hinting (the preview's FreeType) differs more than the shapes
            # the same glyphs at the same places, give or take a pixel of rounding
            best = min(ImageStat.Stat(ImageChops.difference(a, pdf.crop((b[0] + dx, b[1] + dy, b[2] + dx, b[3] + dy))))
                       .mean[0] for dx in (-1, 0, 1) for dy in (-1, 0, 1))
            assert best < 30, (variant, box, best)


# ---------------------------------------------------------------------------------------------
# Outdoor legibility


def test_template_below_the_legibility_minimum_is_rejected(tmp_path):
    """A text whose smallest size gives letters below 2.5 mm per metre of its role's reading
    distance is the template's error naming the element; so is a date that is not the
    second-largest text, and a format without a viewing distance."""
    from posters.formats import DataError, load_formats
    from posters.layout import load_template

    formats = load_formats(PROJECT / "themes/jindallae/posters/formats.yaml")
    small = tmp_path / "small.yaml"
    small.write_text("base: [420, 594]\nformats: [A2]\nelements:\n"
                     "  - {kind: text, field: headline, box: [28, 100, 364, 100], size: [19, 40]}\n"
                     "  - {kind: text, field: points, box: [28, 300, 364, 100], size: [5, 9.5]}\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_template(small, formats)
    message = str(info.value)
    assert message.startswith(f"{small}: elements[1].size: the points text is read from 2.5 m")
    assert "at least 6.2 mm high" in message and "raise the smallest size to at least" in message
    date = tmp_path / "date.yaml"
    date.write_text("base: [420, 594]\nformats: [A2]\nelements:\n"
                    "  - {kind: text, field: when, box: [28, 100, 364, 60], size: [12, 14]}\n"
                    "  - {kind: text, field: where, box: [28, 200, 364, 60], size: [12, 16]}\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"elements\[1\]\.size: the date \(elements\[0\].*second-largest"):
        load_template(date, formats)
    nodistance = tmp_path / "formats.yaml"
    nodistance.write_text("A2: {size: [420, 594], orientation: portrait}\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"A2\.viewing_distance: missing"):
        load_formats(nodistance)
    # the theme's own templates pass, for every format they list, bilingual second language included
    from posters.layout import load_templates

    assert load_templates(PROJECT / "themes/jindallae/posters", formats)


def test_posters_meet_the_legibility_rules_and_the_date_is_second_largest(made):
    """On every poster made, every language's text meets its role's minimum letter height and
    the date is set at least as large as every text but the headline (per language position)."""
    from posters.fonts import character_face, find_face
    from posters.layout import ROLES

    for job in made["jobs"].values():
        meta = json.loads((made["cache"] / f"{job.digest}.json").read_text())
        sizes = meta["sizes_mm"]
        elements = {e.field: e for e in job.template.elements if e.kind == "text"}
        for field, values in sizes.items():
            factor, scan = ROLES[field]
            e = elements[field]
            ratio = min(character_face(find_face(lang, e.family, e.weight)) for lang in ("zh", "ko"))
            for size in values:
                assert size * ratio >= job.fmt.min_letter_mm(factor, scan) - 0.1, (job.stem, field, size)
        for field, values in sizes.items():
            if field not in ("headline", "when"):
                for i, size in enumerate(values):
                    assert size <= sizes["when"][i] + 0.01, (job.stem, field, values, sizes["when"])


def test_every_template_has_an_emblem_and_organizer_lines(made, tmp_path):
    """Every theme template has a logo box and the 主办/承办 lines; a poster shows the page's
    host (event.organizer, else the author) and the site's other roles (POSTERS_ORGANIZERS),
    in its language, and the emblem is a picture on it."""
    from posters.formats import load_formats
    from posters.jobs import organizer_lines
    from posters.layout import load_templates

    formats = load_formats(PROJECT / "themes/jindallae/posters/formats.yaml")
    for name, template in load_templates(PROJECT / "themes/jindallae/posters", formats).items():
        kinds = {(e.kind, e.field) for e in template.elements}
        assert ("logo", "") in kinds and ("text", "organizers") in kinds, name
    assert organizer_lines("zh", "延边州人口计生委", {"organizer": "延吉市人口文化促进会"}) == [
        "主办：延边州人口计生委", "承办：延吉市人口文化促进会"]
    assert organizer_lines("ko", "", {"host": "연변주", "support": "연길시"}) == ["주최: 연변주", "후원: 연길시"]
    text = _flat(pdftotext(cached(made, "zh", "A2", "pdf")))
    assert "主办：延边州人口计生委" in text
    assert any(w < 2000 for w, _h, _wpt, _hpt in pictures(cached(made, "zh", "A2", "pdf")))  # the emblem


def test_display_boards_and_korean_headline_without_spaces(tmp_path):
    """The 展板 display boards (60x90 and 80x120 cm) are formats of the portrait template, made
    without bleed (large-format inkjet), and a Korean headline of 30 syllables without a space
    breaks between syllables instead of failing or shrinking onto one line."""
    from pypdf import PdfReader

    headline = "연변조선족자치주인구문화촉진회창립삼십주년기념행사와가족건강축제"
    content = write_files(tmp_path / "content", {
        "events/board.ko.md": page(1, f"  headline: {headline}\n  formats: [board60x90, board80x120]", title="행사"),
    })
    jobs, problems = _plan_and_make(content, tmp_path / "cache")
    assert [p for p in problems if p.error] == []
    assert sorted(j.fmt.key for j in jobs) == ["board60x90", "board80x120"]
    for job in jobs:
        path = tmp_path / "cache" / f"{job.digest}.pdf"
        pdf = PdfReader(path).pages[0]
        assert float(pdf.trimbox.width) == pytest.approx(job.fmt.width * MM, abs=0.01)
        assert [float(v) for v in pdf.bleedbox] == pytest.approx([float(v) for v in pdf.trimbox], abs=0.01)
        lines = [line for line in pdftotext(path).splitlines() if line.strip() and line.strip() in headline]
        assert len(lines) >= 2 and "".join(lines) == headline, lines
        assert all(len(line) >= 2 for line in lines)


def test_same_poster_same_bytes(made, tmp_path):
    """No clock time in the PDFs (the sRGB profile's creation date is fixed, the /ID derived from
    the content): the same scene written twice, RGB and CMYK, gives the same bytes."""
    from posters.pdf import write_pdf
    from posters.render import render

    job = made["jobs"][("bilingual", "A2")]
    config = made["config"]
    cmyk = {"profile": config.profile, "intent": config.intent, "name": "x", "rich_black": None, "rich_min_px": 1e9}
    for options in ({}, {"cmyk": cmyk}):
        outs = []
        for n in range(2):
            scene = render(job.fmt, job.template, job.texts, job.url, job.image, job.focus, config.second_scale, 150,
                           job.image_rel, config.logo)
            out = tmp_path / f"{n}-{bool(options)}.pdf"
            write_pdf(out, scene, "t", date="D:20261126000000Z", **options)
            outs.append(out.read_bytes())
        assert outs[0] == outs[1]
