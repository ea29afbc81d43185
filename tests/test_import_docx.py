"""``jindallae import FILE.docx`` (jindallae.importers) on real Word documents: one built with
python-docx (Word's styles, a merged-cell table, a footnote, an inline picture with EXIF), one
made by LibreOffice from an OpenDocument file, and bad inputs (not a .docx, an old .doc, a
password-protected .docx, a damaged zip, zip bombs, an XML entity bomb, a 200 MB file).

Every written page is read back with the content model (``Model.parse_text``) and rendered with
the site's renderer (``jindallae.markup.render``); pictures are checked on disk and the TODO
alt text is found by ``jindallae.checks.run_checks``.  Case T6 of ../shared/cases/documents.md.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from PIL import ExifTags, Image

from jindallae.checks import run_checks
from jindallae.cli import main
from jindallae.importers import ImportFailed, import_bytes, make_draft, slug_for, write_draft
from jindallae.importers.docx import read_styles
from jindallae.markup import render
from jindallae.model import model_from_settings
from jindallae.settings import load_settings
from site_helpers import make_project

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "docx"
TITLE = "延边州人口文化工作情况报告"
SLUG = "yan-bian-zhou-ren-kou-wen-hua-gong-zuo-qing-kuang-bao-gao"
YEAR = dt.date.today().year
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


# ---------------------------------------------------------------------------------------------
# Building real documents


def photo_with_exif(size=(60, 40)) -> bytes:
    """A JPEG whose EXIF says 'rotate 90° clockwise' (orientation 6) and carries a GPS position."""
    image = Image.new("RGB", size, (200, 60, 90))
    for x in range(10):
        image.putpixel((x, 0), (0, 0, 0))  # a dark top-left edge, to see the rotation
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (42.0, 54.0, 30.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (129.0, 30.0, 0.0)
    buf = io.BytesIO()
    image.save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def png_bytes(size=(90, 60), colour=(30, 120, 200)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "PNG")
    return buf.getvalue()


def _rewrite(path: Path, change) -> None:
    """Apply ``change(files)`` to the parts of the zip at ``path`` (``{name: bytes}``) and write it back."""
    with zipfile.ZipFile(path) as z:
        files = {n: z.read(n) for n in z.namelist()}
    change(files)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)


def add_footnote(path: Path, marker: str, text: str) -> None:
    """Put a real Word footnote (word/footnotes.xml, its relationship and content type, a
    w:footnoteReference run) where ``marker`` stands in the document text."""

    def change(files):
        doc = files["word/document.xml"].decode()
        assert marker in doc
        files["word/document.xml"] = doc.replace(
            marker, '</w:t></w:r><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
                    '<w:footnoteReference w:id="1"/></w:r><w:r><w:t xml:space="preserve">').encode()
        files["word/footnotes.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:footnotes xmlns:w="{W_NS}">'
            '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
            '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p>'
            '</w:footnote><w:footnote w:id="1"><w:p><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
            f'<w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> {text}</w:t></w:r></w:p></w:footnote>'
            '</w:footnotes>').encode()
        files["[Content_Types].xml"] = files["[Content_Types].xml"].replace(
            b"</Types>", b'<Override PartName="/word/footnotes.xml" ContentType="application/'
                         b'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>')
        files["word/_rels/document.xml.rels"] = files["word/_rels/document.xml.rels"].replace(
            b"</Relationships>", b'<Relationship Id="rIdFootnotes1" Type="http://schemas.openxmlformats.org/'
                                 b'officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/></Relationships>')

    _rewrite(path, change)


def build_word(path: Path, title: str = TITLE) -> Path:
    """The T6 document, as county offices write them (see the module docstring)."""
    from docx import Document
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    doc = Document()
    doc.core_properties.title = title
    based = doc.styles.add_style("公文二级标题", WD_STYLE_TYPE.PARAGRAPH)
    based.base_style = doc.styles["Heading 2"]  # a style based on a heading style
    outline = doc.styles.add_style("WPS三级标题", WD_STYLE_TYPE.PARAGRAPH)  # only an outline level, as WPS writes
    level = OxmlElement("w:outlineLvl")
    level.set(qn("w:val"), "2")
    outline.element.get_or_add_pPr().append(level)
    strong = doc.styles.add_style("着重号", WD_STYLE_TYPE.CHARACTER)
    strong.font.bold = True  # bold through a character style, not direct formatting

    doc.add_heading(title, level=1)
    p = doc.add_paragraph("为推进人口文化建设，")
    p.add_run("州人口文化办公室", style="着重号")
    p.add_run("组织开展了")
    p.add_run("系列活动").italic = True
    p.add_run("。FOOTNOTE_HERE")
    doc.add_heading("一、主要工作", level=2)
    doc.add_paragraph("（一）加强宣传教育")  # numbering typed as text in a plain paragraph
    doc.add_paragraph("全年举办讲座12场。")
    doc.add_paragraph("二、文艺活动", style="公文二级标题")
    doc.add_paragraph("活动统计", style="WPS三级标题")
    table = doc.add_table(rows=5, cols=3)
    table.style = "Table Grid"
    for r, row in enumerate((("地区", "场次", "人数"), ("延吉市", "5", "300"), ("珲春市", "3", "120"),
                             ("", "2", "80"), ("合计", "", "500"))):
        for c, value in enumerate(row):
            if value:
                table.cell(r, c).text = value
    table.cell(2, 0).merge(table.cell(3, 0))  # vertical merge: 珲春市 over two rows
    merged = table.cell(4, 0).merge(table.cell(4, 1))  # horizontal merge
    merged.text = "合计"
    doc.add_paragraph("1.组织长鼓舞比赛")
    doc.add_paragraph("2.举办图片展览")
    doc.add_paragraph("走访家庭", style="List Bullet")
    doc.add_paragraph("建立档案", style="List Bullet")
    pic = doc.add_paragraph("现场照片：")
    pic.add_run().add_picture(io.BytesIO(photo_with_exif()), width=Cm(3))
    doc.add_paragraph("報告結束。")  # Traditional characters in a Simplified page
    doc.save(path)
    add_footnote(path, "FOOTNOTE_HERE", "数据来源：州统计局。")
    return path


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        pytest.skip("LibreOffice is not installed (Debian: apt-get install libreoffice-writer-nogui)")
    return found


def libreoffice_convert(source: Path, target_format: str, out: Path) -> Path:
    """``soffice --headless --convert-to`` with a throwaway profile; returns the converted file."""
    profile = out / "lo-profile"
    proc = subprocess.run([soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                           "--convert-to", target_format, "--outdir", str(out), str(source)],
                          capture_output=True, text=True, timeout=240)
    result = out / (source.stem + "." + target_format.split(":")[0])
    assert proc.returncode == 0 and result.is_file(), proc.stdout + proc.stderr
    return result


def libreoffice_docx(tmp: Path) -> Path:
    """The fixture report.fodt (with a PNG picture) converted to .docx by LibreOffice."""
    fodt = tmp / "hunchun.fodt"
    fodt.write_text((FIXTURES / "report.fodt").read_text(encoding="utf-8")
                    .replace("@PICTURE@", base64.b64encode(png_bytes()).decode()), encoding="utf-8")
    return libreoffice_convert(fodt, "docx", tmp)


# ---------------------------------------------------------------------------------------------
# Helpers


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project folder, also the current folder (as staff run the command)."""
    folder = make_project(tmp_path / "site")
    monkeypatch.chdir(folder)
    return folder


def run_import(project: Path, *args: str) -> int:
    return main(["--project", str(project), "import", *args])


def files_under(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def model_of(project: Path):
    return model_from_settings(load_settings(project))


def read_page(project: Path, rel: str):
    """The page as the reader sees it: (item, errors, rendered soup)."""
    root = project / "content"
    item, errors = model_of(project).parse_text(root, rel)
    assert item is not None, errors
    return item, errors, BeautifulSoup(render(item.body).html, "html.parser")


def texts(soup, selector: str) -> list[str]:
    """Texts of the elements matching ``selector``, outside the footnotes unless asked for."""
    return [" ".join(el.get_text().split()) for el in soup.select(selector)
            if "footnote" in selector or not el.find_parent("div", class_="footnote")]


# ---------------------------------------------------------------------------------------------
# T6: the Word document case


def test_T6_word_document_becomes_a_draft_with_headings_table_footnote_picture(project, tmp_path, capsys):
    docx = build_word(tmp_path / "报告.docx")
    assert run_import(project, str(docx), "--section", "news") == 0
    out = capsys.readouterr().out
    rel = f"news/{SLUG}.zh.md"
    root = project / "content"
    images = [p for p in files_under(root) if p.startswith("images/")]
    assert len(images) == 1 and re.fullmatch(rf"images/{YEAR}/{SLUG[:40].rsplit('-', 1)[0]}-[0-9a-f]{{10}}\.jpg",
                                              images[0]), images
    assert f"created content/{images[0]}" in out and f"created content/{rel}" in out
    assert files_under(root) == sorted([images[0], rel])

    item, errors, soup = read_page(project, rel)
    assert errors == []
    assert item.fields["title"] == TITLE and item.status == "draft" and item.fields["date"] == dt.date.today()
    # headings: Word styles (Heading 2, a style based on it, an outline level) and 一、（一） typed as text
    assert texts(soup, "h2") == ["一、主要工作", "二、文艺活动"]
    assert texts(soup, "h3") == ["（一）加强宣传教育", "活动统计"]
    assert soup.find("h1") is None  # the title heading is the page title, not repeated in the body
    assert texts(soup, "strong") == ["州人口文化办公室"] and texts(soup, "em") == ["系列活动"]
    first = soup.find("p")
    assert first.get_text() == "为推进人口文化建设，州人口文化办公室组织开展了系列活动。1"
    # the merged-cell table stays a table, as HTML
    table = soup.find("table")
    cells = [[(td.get_text(), td.get("colspan"), td.get("rowspan")) for td in tr.find_all(["td", "th"])]
             for tr in table.find_all("tr")]
    assert cells == [[("地区", None, None), ("场次", None, None), ("人数", None, None)],
                     [("延吉市", None, None), ("5", None, None), ("300", None, None)],
                     [("珲春市", None, "2"), ("3", None, None), ("120", None, None)],
                     [("2", None, None), ("80", None, None)],
                     [("合计", "2", None), ("500", None, None)]]
    # numbered paragraphs and Word's bullet list
    assert texts(soup, "ol > li") == ["组织长鼓舞比赛", "举办图片展览"]
    assert texts(soup, "ul > li") == ["走访家庭", "建立档案"]
    # the footnote, referenced where it stood
    ref = first.find("sup")
    assert ref is not None and ref.find("a")["href"] == "#fn:1"
    assert texts(soup, "div.footnote li") == ["数据来源：州统计局。 ↩"]
    # the picture: on disk, upright (EXIF orientation applied), without EXIF/GPS
    img = soup.find("img")
    assert img["src"] == f"../{images[0]}" and img["alt"].startswith("TODO")
    with Image.open(root / images[0]) as picture:
        assert picture.format == "JPEG" and picture.size == (40, 60)
        assert dict(picture.getexif()) == {} and "exif" not in picture.info
    # Traditional characters: reported (by the `traditional` check), not converted
    text = (root / rel).read_text(encoding="utf-8")
    assert "報告結束。" in text
    assert "[traditional]" in out and "報" in out and "nothing was converted" in out
    # jindallae check: the picture's TODO alt text is an error until described
    report = run_checks(project)
    mine = [(f.id, f.line, f.col, f.excerpt[:4]) for f in report.findings if f.path == rel and f.severity == "error"]
    lines = text.split("\n")
    image_line = next(n for n, line in enumerate(lines, 1) if "![TODO" in line)
    assert lines[image_line - 1].startswith("现场照片：![TODO：请描述图片内容](../images/")  # inline, as in Word
    assert ("alt-missing", image_line, len("现场照片：") + 1, "TODO") in mine
    assert any(f[0] == "traditional" for f in mine) and not report.ok
    assert "[alt-missing]" in out


def test_T6_libreoffice_document(project, tmp_path, capsys):
    """A .docx written by LibreOffice (not python-docx): heading styles, bold/italic, a merged
    cell, a footnote, a list, a picture; the title from its properties."""
    docx = libreoffice_docx(tmp_path)
    assert run_import(project, str(docx), "--section", "events") == 0
    capsys.readouterr()
    rel = f"events/{slug_for('珲春市举办幸福家庭讲座')}.zh.md"  # the slug `jindallae new` makes of the title
    item, errors, soup = read_page(project, rel)
    assert errors == [] and item.fields["title"] == "珲春市举办幸福家庭讲座"
    assert item.fields["event"]["id"]  # the section's required fields, as `jindallae new` writes them
    assert texts(soup, "h2") == ["活动安排", "一、报名方式"]
    assert texts(soup, "strong") == ["市人口文化中心"] and texts(soup, "em") == ["面向全市"]
    assert [(td.get_text(), td.get("colspan")) for td in soup.select("table tr")[1].find_all("td")] == \
        [("上午：开幕式", "2"), ("市民礼堂", None)]
    assert texts(soup, "ul > li") == ["电话报名", "现场报名"]
    assert texts(soup, "div.footnote li") == ["据市人口文化中心统计。 ↩"]
    img = soup.find("img")
    path = project / "content" / img["src"].removeprefix("../")
    assert path.is_file() and path.suffix == ".png"
    with Image.open(path) as picture:
        assert picture.size == (90, 60)
    findings = [f for f in run_checks(project).findings if f.path == rel]
    assert [f.id for f in findings if f.severity == "error"] == ["alt-missing"]


# ---------------------------------------------------------------------------------------------
# Conversion details


def test_styles_read_from_styles_xml(tmp_path):
    from docx import Document

    build_word(tmp_path / "a.docx")
    with zipfile.ZipFile(tmp_path / "a.docx") as z:
        parts = {n: z.read(n) for n in z.namelist()}
    info = read_styles(parts)
    ids = {s.name: s.style_id for s in Document(str(tmp_path / "a.docx")).styles}
    assert info.levels[ids["公文二级标题"]] == 2 and info.levels[ids["WPS三级标题"]] == 3
    assert info.levels[ids["Heading 1"]] == 1 and info.levels[ids["Title"]] == 1
    assert info.marks[ids["着重号"]] == {"b"}
    assert ids["Normal"] not in info.levels


def test_title_core_property_first_heading_or_file_name(project, tmp_path):
    """The title: core properties, else the first heading, else the file name; a generic core
    title (``Microsoft Word - x.docx``) does not count."""
    from docx import Document

    model, root = model_of(project), project / "content"
    doc = Document()
    doc.core_properties.title = "Microsoft Word - 文档1.docx"
    doc.add_heading("图们市老年节活动", level=1)
    doc.add_paragraph("正文。")
    doc.save(tmp_path / "generic.docx")
    imported = import_bytes((tmp_path / "generic.docx").read_bytes(), "generic.docx", "zh")
    assert imported.title == "图们市老年节活动" and imported.body == "正文。\n"
    doc = Document()
    doc.add_paragraph("第一段正文比较长，不像标题。它有句号。")
    doc.save(tmp_path / "敦化活动.docx")
    imported = import_bytes((tmp_path / "敦化活动.docx").read_bytes(), "敦化活动.docx", "zh")
    draft = make_draft(model, root, imported, "news", "zh")
    assert draft.item.fields["title"] == "敦化活动" and draft.rel == "news/dun-hua-huo-dong.zh.md"


def test_pictures_cleaned_resized_or_left_out(tmp_path):
    """A huge picture is scaled down; an EMF (Word clip art) cannot be shown on the web and is
    left out with a visible TODO and a note; a damaged one too."""
    from docx import Document

    big = io.BytesIO()
    Image.new("RGB", (3000, 1000), (10, 200, 10)).save(big, "PNG")
    doc = Document()
    doc.add_paragraph("大图：")
    doc.add_picture(io.BytesIO(big.getvalue()))
    doc.add_paragraph("剪贴画：")
    doc.add_picture(io.BytesIO(png_bytes((30, 30), (1, 2, 3))))
    doc.save(tmp_path / "pictures.docx")

    def change(files):  # make the second picture an EMF file, as Word's clip art is
        media = sorted(n for n in files if n.startswith("word/media/"))
        files[media[1]] = b"\x01\x00\x00\x00" + b"\x00" * 36 + b" EMF" + b"\x00" * 60

    _rewrite(tmp_path / "pictures.docx", change)
    imported = import_bytes((tmp_path / "pictures.docx").read_bytes(), "pictures.docx", "zh")
    assert [(i.ext, i.width, i.height) for i in imported.images.images] == [("png", 2400, 800)]
    notes = [n.text("en") for n in imported.images.notes]
    assert any("scaled down to 2400 pixels wide" in n for n in notes)
    assert any("was left out" in n and "cannot be shown on a web page" in n for n in notes)
    assert "【TODO：此处原有图片" in imported.body


def test_korean_translation_of_an_existing_page(project, tmp_path):
    """--lang ko beside an existing Chinese page: the Korean page records translated_from; the
    TODO alt text is Korean; messages come in Korean."""
    from docx import Document

    root = project / "content"
    (root / "news").mkdir(parents=True, exist_ok=True)
    (root / "news" / "laoren-jie.zh.md").write_text("---\ntitle: 老人节\ndate: 2026-08-15\n---\n\n正文。\n",
                                                     encoding="utf-8")
    doc = Document()
    doc.core_properties.title = "로인절 행사"
    doc.add_paragraph("연길시에서 로인절 행사를 열었습니다.")
    doc.add_picture(io.BytesIO(png_bytes()))
    doc.save(tmp_path / "ko.docx")
    imported = import_bytes((tmp_path / "ko.docx").read_bytes(), "ko.docx", "ko")
    draft = make_draft(model_of(project), root, imported, "news", "ko", slug="laoren-jie")
    assert draft.item.fields["translated_from"] == {"lang": "zh"}
    assert "![TODO: 그림 내용을 설명하세요](../images/" in draft.text
    assert "연길시에서 로인절 행사를 열었습니다." in draft.text  # spaces between Korean words kept
    assert "그림 1장" in draft.notes[-1].text("ko")
    with pytest.raises(ImportFailed) as exc:
        make_draft(model_of(project), root, imported, "parks", "ko", slug="laoren-jie")
    assert exc.value.code == "slug_taken" and "news/laoren-jie.zh.md" in exc.value.text("ko")


# ---------------------------------------------------------------------------------------------
# Bad input: a clear message naming the file, nothing written


def _docx_bytes(tmp_path: Path) -> bytes:
    return build_word(tmp_path / "good.docx").read_bytes()


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def make_bad(kind: str, tmp_path: Path) -> Path:
    """A bad input of ``kind`` written to a file; returns its path."""
    name = {"old-doc": "旧文档.doc"}.get(kind, f"{kind}.docx")
    path = tmp_path / name
    if kind == "picture":
        path.write_bytes(png_bytes())
    elif kind == "text":
        path.write_text("这是一份文本，不是 Word 文档。\n", encoding="utf-8")
    elif kind == "zip-without-word":
        path.write_bytes(_zip({"readme.txt": b"hello"}))
    elif kind == "truncated":
        data = _docx_bytes(tmp_path)
        path.write_bytes(data[: len(data) // 2])
    elif kind == "bad-crc":
        data = bytearray(_docx_bytes(tmp_path))
        at = data.find(b"word/document.xml") + len("word/document.xml") + 40
        data[at:at + 8] = b"\x00" * 8  # damage the compressed document text
        path.write_bytes(bytes(data))
    elif kind == "zip-bomb":
        data = _docx_bytes(tmp_path)
        path.write_bytes(data)
        with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z, z.open("word/media/bomb.bin", "w",
                                                                               force_zip64=True) as fp:
            chunk = b"\0" * (1 << 20)
            for _ in range(210):  # 210 MB of zeros, about 200 kB compressed
                fp.write(chunk)
        assert path.stat().st_size < 2_000_000
    elif kind == "entity-bomb":
        data = _docx_bytes(tmp_path)
        lol = ('<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">'
               + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
               + f']><w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&j;</w:t></w:r></w:p></w:body></w:document>')
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            files = {n: z.read(n) for n in z.namelist()}
        files["word/document.xml"] = lol.encode()
        path.write_bytes(_zip(files))
    elif kind == "encrypted":
        msoffcrypto = pytest.importorskip("msoffcrypto", reason="pip install msoffcrypto-tool (encrypts a .docx)")
        from msoffcrypto.format.ooxml import OOXMLFile

        plain = io.BytesIO(_docx_bytes(tmp_path))
        with path.open("wb") as out:
            OOXMLFile(plain).encrypt("secret-密码", out)
        assert msoffcrypto.olefile.isOleFile(str(path))
    elif kind == "old-doc":
        fodt = tmp_path / "old.fodt"
        fodt.write_text((FIXTURES / "report.fodt").read_text(encoding="utf-8")
                        .replace("@PICTURE@", base64.b64encode(png_bytes()).decode()), encoding="utf-8")
        made = libreoffice_convert(fodt, "doc", tmp_path)
        made.rename(path)
    elif kind == "huge":
        with path.open("wb") as fp:  # 200 MB (sparse): refused before it is read
            fp.truncate(200 * 1024 * 1024)
    else:
        raise AssertionError(kind)
    return path


BAD_INPUTS = [
    ("picture", "这不是 Word 文档（.docx）"),
    ("text", "这不是 Word 文档（.docx）"),
    ("zip-without-word", "这不是 Word 文档（.docx）"),
    ("truncated", "文件已损坏或不完整"),
    ("bad-crc", "文件已损坏或不完整"),
    ("zip-bomb", "文档解压后超过 200.0 MB"),
    ("entity-bomb", "DOCTYPE/ENTITY"),
    ("encrypted", "文档设置了打开密码"),
    ("old-doc", "旧版 Word 97-2003 文档（.doc）"),
    ("huge", "文件大小为 200.0 MB，超过上限 50.0 MB"),
]


@pytest.mark.parametrize("kind,message", BAD_INPUTS, ids=[k for k, _m in BAD_INPUTS])
def test_bad_input_refused_nothing_written(kind, message, project, tmp_path, capsys):
    source = tmp_path / "in"
    source.mkdir()
    bad = make_bad(kind, source)
    root = project / "content"
    before = files_under(root)
    assert run_import(project, str(bad), "--section", "news") == 1
    err = capsys.readouterr().err
    first = err.splitlines()[0]
    assert first.startswith(f"import: {bad}：") and message in first, err  # the file, what is wrong, in Chinese
    assert re.search(r"\n  \(.*(save|remove|compress|refused|open it|Word)", err), err  # and in English
    assert files_under(root) == before  # nothing written: no page, no pictures, no temporary files
    assert not (root / "images").exists()


def test_bad_input_message_in_korean(project, tmp_path, capsys):
    bad = make_bad("truncated", tmp_path)
    assert run_import(project, str(bad), "--section", "news", "--lang", "ko") == 1
    err = capsys.readouterr().err
    assert f"{bad}: 파일이 손상되었거나 불완전합니다" in err and "(" + str(bad) + ": the file is damaged" in err


def test_write_failure_leaves_no_pictures_behind(project, tmp_path, monkeypatch):
    """The page cannot be written after the pictures were: the pictures are removed again."""
    from jindallae.importers import page

    root = project / "content"
    imported = import_bytes(_docx_bytes(tmp_path), "good.docx", "zh")
    draft = make_draft(model_of(project), root, imported, "news", "zh")
    real = page._create

    def failing(target: Path, data: bytes) -> None:
        if target.suffix == ".md":
            raise OSError(28, "No space left on device", str(target))
        real(target, data)

    monkeypatch.setattr(page, "_create", failing)
    with pytest.raises(ImportFailed) as exc:
        write_draft(root, draft)
    assert exc.value.code == "write_failed" and "No space left on device" in str(exc.value)
    assert files_under(root) == []  # the picture written before the page is gone again


def test_existing_page_is_never_overwritten(project, tmp_path, capsys):
    docx = build_word(tmp_path / "报告.docx")
    assert run_import(project, str(docx), "--section", "news") == 0
    page = project / "content" / "news" / f"{SLUG}.zh.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n编辑改过的文字。\n", encoding="utf-8")
    kept = page.read_bytes()
    capsys.readouterr()
    assert run_import(project, str(docx), "--section", "news") == 1
    assert "已经存在" in capsys.readouterr().err and page.read_bytes() == kept
    assert run_import(project, str(docx), "--section", "news", "--slug", "baogao-2") == 0
    assert (project / "content" / "news" / "baogao-2.zh.md").is_file()
    pictures = [p for p in files_under(project / "content") if p.startswith("images/")]
    assert len(pictures) == 2 and pictures[0].endswith(pictures[1][-15:])  # one per page, same cleaned bytes
    assert run_import(project, str(docx), "--section", "news", "--slug", "Bad Slug") == 1
    assert "只能包含小写字母、数字和连字符" in capsys.readouterr().err


def test_import_help_lists_the_command(capsys):
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    out = capsys.readouterr().out
    assert "--section" in out and "--slug" in out and "standard input" in out
