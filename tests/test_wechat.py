"""The WeChat export (jindallae.export.wechat, `jindallae wechat`, the CMS's "copy for WeChat").

Every rule is checked on the output with a real HTML parser (BeautifulSoup over lxml), not with
string matching: inline styles only (no class, no id, no <style>, no <script>), the type scale
for phones, links as numbered references at the end, images as numbered placeholders listed for
upload in order with their alt text, and the page's public address and QR code at the end (the
QR code is decoded with zxing-cpp, an independent reader).
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from site_helpers import jpeg_bytes, make_project, md, write_files

PUBLIC = "https://www.yanbian.gov.cn/zt/rkwh"  # a column (专题) of a larger site: a sub-path

ARTICLE = md(
    "title: 延吉市举办幸福家庭讲座\ndate: 2026-06-12\nsummary: 讲座介绍免费孕前优生健康检查。\n"
    "cover: images/cover.jpg\ncover_alt: 讲座现场的听众\nauthor: 延边州人口文化办公室",
    "讲座介绍了[国家卫生健康委员会](https://www.nhc.gov.cn/wjw/index.shtml)的新政策，"
    "详见[政策解读](../policy/jiancha.zh.md)和[站内页面](/policy/jiancha/)。\n"
    "再次提到[国家卫健委](https://www.nhc.gov.cn/wjw/index.shtml)。\n\n"
    "## 讲座内容\n\n"
    "现场照片：\n\n![讲座现场，一位医生在讲台上讲解](../images/hall.jpg)\n\n"
    "### 咨询方式\n\n"
    "- 网址直接写出：<https://www.jl.gov.cn/>\n"
    "- 公众号文章：[往期回顾](https://mp.weixin.qq.com/s/abc123)\n"
    "- 电话：[0433-2512345](tel:0433-2512345)\n"
    "- 本页[目录](#jiang-zuo-nei-rong)\n\n"
    "![宣传栏上的海报](../images/board.jpg)\n\n"
    "#### 说明\n\n"
    "贷款贴息[^1]由省里统一安排。\n\n"
    "| 项目 | 金额 |\n|---|--:|\n| 贴息 | 400万元 |\n\n"
    "> 幸福家庭，人人参与。\n\n"
    "[^1]: 指小额贴息贷款。\n",
)
POLICY = md("title: 免费孕前检查\ndate: 2026-05-01\nsummary: 免费检查。", "正文。\n")
KOREAN = md(
    "title: 연길시 행복가정 강좌\ndate: 2026-06-12\nstatus: draft\nevent:\n  id: k-1\n  start: 2026-08-15 09:30\n"
    "  end: 2026-08-15 11:00\n  location: 연길시 인민공원\n  contact: 0433-2512345",
    "자세한 내용은 [위생건강위원회](https://www.nhc.gov.cn/)에서 볼 수 있다.\n\n![강좌 현장](../images/hall.jpg)\n",
)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("wechat") / "p")
    (root / "publishconf.py").write_text(f"from pelicanconf import *  # noqa\nJINDALLAE_PUBLIC_URL = {PUBLIC!r}\n",
                                         encoding="utf-8")
    write_files(root / "content", {
        "news/jiangzuo.zh.md": ARTICLE,
        "events/jiangzuo-ko.ko.md": KOREAN,
        "policy/jiancha.zh.md": POLICY,
        "images/cover.jpg": jpeg_bytes((20, 120, 90)),
        "images/hall.jpg": jpeg_bytes((200, 60, 90)),
        "images/board.jpg": jpeg_bytes((60, 60, 200)),
    })
    return root


@pytest.fixture(scope="module")
def export(project):
    from jindallae.export.wechat import export_slug

    return export_slug(project, "jiangzuo")


def soup(fragment: str) -> BeautifulSoup:
    return BeautifulSoup(fragment, "lxml")


def styles_of(tag) -> dict[str, str]:
    """The inline style of ``tag`` as {property: value}."""
    out = {}
    for part in (tag.get("style") or "").split(";"):
        if ":" in part:
            key, value = part.split(":", 1)
            out[key.strip().lower()] = value.strip()
    return out


def px(value: str) -> float:
    m = re.fullmatch(r"([\d.]+)px", value)
    assert m, value
    return float(m.group(1))


def effective(tag, prop: str) -> str | None:
    """``prop`` of the nearest element (``tag`` or an ancestor) that sets it inline."""
    for el in [tag, *tag.parents]:
        if getattr(el, "get", None) and prop in styles_of(el):
            return styles_of(el)[prop]
    return None


# ---------------------------------------------------------------------------------------------
# T7 and the rules of the article's HTML


def test_T7_external_link_becomes_numbered_reference_and_html_has_inline_styles_only(export):
    """T7: the link to another site becomes text + a superscript number, and the list at the
    end shows the URL as text; nowhere a class, an id, a <style> block or a script."""
    doc = soup(export.html)
    # no outbound link survives (only the one WeChat keeps: its own articles)
    hrefs = [a["href"] for a in doc.find_all("a")]
    assert hrefs == ["https://mp.weixin.qq.com/s/abc123"]
    first = doc.find("p")
    assert first.get_text().startswith("讲座介绍了国家卫生健康委员会[1]的新政策，详见政策解读[2]和站内页面[2]。")
    sups = [s.get_text() for s in first.find_all("sup")]
    assert sups == ["[1]", "[2]", "[2]", "[1]"]  # one number per address, reused when repeated
    refs = doc.find(string="参考链接").find_parent("section")
    lines = [p.get_text() for p in refs.find_all("p")][1:]
    # the page linked by its file and by its site path are one address under the public URL
    assert lines == ["[1] 国家卫生健康委员会：https://www.nhc.gov.cn/wjw/index.shtml",
                     f"[2] 政策解读：{PUBLIC}/policy/jiancha/"]
    assert refs.find("a") is None  # URLs as text
    # the references come after the body, before the address and QR code at the very end
    body_text = doc.get_text()
    assert body_text.index("幸福家庭，人人参与。") < body_text.index("参考链接") < body_text.index("本文网址")
    # inline styles only
    for tag in doc.find_all(True):
        assert "class" not in tag.attrs and "id" not in tag.attrs, tag.name
    assert doc.find("style") is None and doc.find("script") is None and doc.find("link") is None
    for tag in doc.find_all(True):
        assert not any(a.startswith("on") for a in tag.attrs), tag
    styled = doc.find_all(style=True)
    assert len(styled) > 20
    assert all(tag.name in ("html", "body", "br", "thead", "tbody", "tr", "section", "strong", "sup", "em")
               or tag.get("style") for tag in doc.find_all(True) if tag.name not in ("html", "body")), \
        [t.name for t in doc.find_all(True) if not t.get("style")]


def test_text_that_is_its_address_tel_and_in_page_links_and_footnotes(export):
    doc = soup(export.html)
    items = [li.get_text(strip=True) for li in doc.find_all("li")]
    # a link whose text is its address (a URL, a phone number) stays text, without a number
    assert items[:4] == ["网址直接写出：https://www.jl.gov.cn/", "公众号文章：往期回顾", "电话：0433-2512345",
                         "本页目录"]  # a link inside the page: the text stays, the link goes
    assert all(r.url != "https://www.jl.gov.cn/" for r in export.references)
    kept = doc.find("a")
    assert kept.get_text() == "往期回顾" and styles_of(kept)["color"]
    # the footnote: its number stays (no link), its note is kept at the end without the back-link
    note = doc.find(string=re.compile("指小额贴息贷款"))
    assert note is not None and "↩" not in doc.get_text()
    assert doc.find(string="注释") is not None


def test_type_scale_for_phones(export):
    """Body text at least 16 px (17 px) with line height at least 1.75; headings larger than the
    body, larger the higher their level; nothing smaller than 16 px but superscript numbers."""
    doc = soup(export.html)
    text_tags = [t for t in doc.find_all(["p", "li", "td", "th", "blockquote", "pre", "h2", "h3", "h4", "span"])
                 if t.get_text(strip=True)]
    assert len(text_tags) > 15
    for tag in text_tags:
        size = effective(tag, "font-size")
        assert size is not None and px(size) >= 16, (tag.name, tag.get_text()[:20], size)
        height = effective(tag, "line-height")
        assert height is not None and float(height) >= 1.75, (tag.name, height)
    for tag in doc.find_all(style=True):
        size = styles_of(tag).get("font-size")
        if size and tag.name not in ("sup", "sub"):
            assert px(size) >= 16, tag
    body = px(effective(doc.find("p"), "font-size"))
    h2, h3, h4 = (px(styles_of(doc.find(h))["font-size"]) for h in ("h2", "h3", "h4"))
    assert body >= 16 and h2 > h3 > h4 > body
    assert doc.find("h2").get_text() == "讲座内容"


def test_images_listed_for_upload_in_order_with_alt_text(export, project):
    """The cover (WeChat's cover field), then the body's pictures in the order of their
    placeholders 【图1】【图2】, then the QR code; each with its alt text and its file."""
    roles = [(u.number, u.role, u.path, u.alt, u.label) for u in export.uploads]
    assert roles == [(1, "cover", "images/cover.jpg", "讲座现场的听众", "封面"),
                     (2, "body", "images/hall.jpg", "讲座现场，一位医生在讲台上讲解", "图1"),
                     (3, "body", "images/board.jpg", "宣传栏上的海报", "图2"),
                     (4, "qr", "qr.png", "本文网址的二维码", "二维码（文末）")]
    assert [u.file for u in export.uploads[:3]] == [project / "content" / p for p in
                                                     ("images/cover.jpg", "images/hall.jpg", "images/board.jpg")]
    doc = soup(export.html)
    text = doc.get_text()
    first, second = text.index("【图1】请在此处插入图片 hall.jpg"), text.index("【图2】请在此处插入图片 board.jpg")
    assert first < second
    assert text.index("讲座现场，一位医生在讲台上讲解") > first  # the alt text as caption below it
    # no picture of the site is linked (WeChat needs uploads); the only <img> is the QR code
    images = doc.find_all("img")
    assert len(images) == 1 and images[0]["src"].startswith("data:image/png;base64,")
    notes = export.notes()
    assert notes.index("1. images/cover.jpg") < notes.index("2. images/hall.jpg") < notes.index("3. images/board.jpg")
    assert "讲座现场，一位医生在讲台上讲解" in notes


def test_public_address_and_qr_code_at_the_end(export):
    import zxingcpp
    from PIL import Image

    url = f"{PUBLIC}/news/jiangzuo/"
    assert export.public_url == url
    doc = soup(export.html)
    footer = doc.find("img").find_parent("section")
    assert footer.find("p").get_text() == f"本文网址：{url}"
    assert footer is doc.find("section").find_all("section", recursive=False)[-1]  # the last block
    img = footer.find("img")
    png = base64.b64decode(img["src"].split(",", 1)[1])
    assert png == export.qr_png
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert [r.text for r in decoded] == [url]
    assert img["alt"] == "本文网址的二维码" and px(styles_of(img)["width"]) >= 150


def test_wechat_fields_and_document(export):
    assert (export.title, export.summary, export.author) == ("延吉市举办幸福家庭讲座", "讲座介绍免费孕前优生健康检查。",
                                                              "延边州人口文化办公室")
    doc = soup(export.document())
    assert doc.html["lang"] == "zh-Hans" and doc.title.get_text() == "延吉市举办幸福家庭讲座"
    assert doc.find("meta", attrs={"name": "generator"})["content"] == "jindallae wechat"
    assert doc.find("style") is None and doc.find("script") is None
    assert export.warnings == []  # published, public address, short enough
    assert "[1]" in export.text and "https://www.nhc.gov.cn/wjw/index.shtml" in export.text
    data = export.to_dict()
    assert data["html"] == export.html and data["qr"].startswith("data:image/png;base64,")
    assert [u["path"] for u in data["uploads"]] == ["images/cover.jpg", "images/hall.jpg", "images/board.jpg", "qr.png"]


def test_korean_page_event_box_and_warnings(project):
    from jindallae.export.wechat import export_slug

    export = export_slug(project, "jiangzuo-ko")  # only a Korean version: that one
    doc = soup(export.html)
    assert doc.find("section").find("section").get_text(" ", strip=True).startswith("일시 : 2026년 8월 15일")
    assert "장소 : 연길시 인민공원" in doc.get_text(" ", strip=True).replace("장소: ", "장소 : ")
    assert doc.find(string="참고 링크") is not None
    assert "【그림 1】여기에 그림을 넣으십시오: hall.jpg" in doc.get_text()
    assert f"이 글의 인터넷 주소: {PUBLIC}/ko/events/jiangzuo-ko/" in doc.get_text()
    assert styles_of(doc.find("section"))["text-align"] == "left"
    assert any("not published" in w for w in export.warnings)


def test_example_public_address_is_a_warning(tmp_path):
    from jindallae.export.wechat import export_slug

    root = make_project(tmp_path / "p")  # publishconf.py of the project: www.jindallae.example
    write_files(root / "content", {"policy/jiancha.zh.md": POLICY})
    export = export_slug(root, "jiancha")
    assert any("JINDALLAE_PUBLIC_URL" in w and "example" in w for w in export.warnings)


def test_find_page_errors(project):
    from jindallae.export.wechat import ExportError, export_slug

    with pytest.raises(ExportError, match="no page with the slug 'nope'"):
        export_slug(project, "nope")
    with pytest.raises(ExportError, match="has no ko version"):
        export_slug(project, "jiangzuo", lang="ko")
    with pytest.raises(ExportError, match="unknown section"):
        export_slug(project, "jiangzuo", section="weather")
    assert export_slug(project, "news/jiangzuo.zh.md").item.path == "news/jiangzuo.zh.md"


# ---------------------------------------------------------------------------------------------
# The command


def test_cli_writes_the_file_and_the_numbered_uploads(project, tmp_path, capsys):
    from jindallae.cli import main

    out, images = tmp_path / "out" / "jiangzuo.html", tmp_path / "upload"
    status = main(["--project", str(project), "wechat", "jiangzuo", "--section", "news", "--lang", "zh",
                   "--output", str(out), "--images", str(images)])
    printed = capsys.readouterr().out
    assert status == 0
    doc = soup(out.read_text(encoding="utf-8"))
    assert doc.find(string="参考链接") is not None and doc.find("style") is None
    assert sorted(p.name for p in images.iterdir() if not p.name.startswith(".")) == [
        "01-cover-cover.jpg", "02-image1-hall.jpg", "03-image2-board.jpg", "04-qr.png"]
    assert (images / "02-image1-hall.jpg").read_bytes() == (project / "content/images/hall.jpg").read_bytes()
    assert "upload, in this order:" in printed and "2. images/hall.jpg" in printed
    # again: an earlier export is replaced; a file of someone else's is not
    assert main(["--project", str(project), "wechat", "jiangzuo", "--output", str(out), "--images", str(images)]) == 0
    mine = tmp_path / "mine.html"
    mine.write_text("<p>my notes</p>", encoding="utf-8")
    assert main(["--project", str(project), "wechat", "jiangzuo", "--output", str(mine)]) == 1
    assert mine.read_text(encoding="utf-8") == "<p>my notes</p>"
    assert "not an earlier WeChat export" in capsys.readouterr().err


def test_cli_to_stdout_and_errors(project, capsys):
    from jindallae.cli import main

    assert main(["--project", str(project), "wechat", "jiangzuo-ko"]) == 0
    captured = capsys.readouterr()
    assert soup(captured.out).html["lang"] == "ko" and "upload, in this order:" in captured.err
    assert "warning: the page is not published" in captured.err
    assert main(["--project", str(project), "wechat", "nope"]) == 1
    assert "no page with the slug" in capsys.readouterr().err


# An imported page: the cover's and one picture's alt text still the importer's TODO placeholder
# (jindallae.importers.messages.ALT_TODO), one picture with no alt text at all, one described,
# and an image in a code block (an example, not a picture).
IMPORTED = md(
    "title: 导入的讲座报道\ndate: 2026-06-12\ncover: images/cover.jpg\ncover_alt: TODO：请描述图片内容",
    "第一段。\n\n![TODO：请描述图片内容（讲座现场）](../images/hall.jpg)\n\n第二段。\n\n"
    "<img src=\"../images/board.jpg\" alt=\"\">\n\n![宣传栏上的海报](../images/board.jpg)\n\n"
    "```\n![](../images/example.jpg)\n```\n",
)


def test_cli_without_images_lists_and_writes_no_image_files(project, tmp_path, capsys):
    """Without --images nothing is written but the article: qr.png (a file only --images
    writes) is not among the files to upload, and no picture is copied; the page's own
    pictures are named by their place in content/, and a line says how to get the QR code as a
    file.  With --images the QR code is listed and written."""
    from jindallae.cli import main

    out = tmp_path / "out" / "jiangzuo.html"
    assert main(["--project", str(project), "wechat", "jiangzuo", "--output", str(out)]) == 0
    printed = capsys.readouterr().out
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["jiangzuo.html"]
    upload_lines = [line.strip() for line in printed.splitlines() if re.match(r"\s+\d+\. ", line)]
    assert upload_lines == ["1. images/cover.jpg (WeChat's cover field): 讲座现场的听众",
                            "2. images/hall.jpg (at the placeholder 图1): 讲座现场，一位医生在讲台上讲解",
                            "3. images/board.jpg (at the placeholder 图2): 宣传栏上的海报"]
    assert "qr.png" not in printed
    assert "run again with --images FOLDER" in printed
    # the QR code stays in the article
    assert soup(out.read_text(encoding="utf-8")).find_all("img")[-1]["src"].startswith("data:image/png;base64,")
    images = tmp_path / "upload"
    assert main(["--project", str(project), "wechat", "jiangzuo", "--output", str(out), "--images", str(images)]) == 0
    printed = capsys.readouterr().out
    assert "  4. qr.png (the QR code at the end, if the inline one is missing): 本文网址的二维码" in printed.splitlines()
    assert (images / "04-qr.png").is_file() and "--images FOLDER" not in printed


def test_cli_warns_per_image_whose_alt_text_is_empty_or_a_todo_placeholder(tmp_path, capsys, monkeypatch):
    """One ``path:line: warning: ...`` line per picture whose alt text is empty or still the
    importer's TODO placeholder, at the line to correct (cover_alt for the cover, the image's
    own line in the text), telling the editor to describe the picture; none for a described
    picture or an example in a code block.  The same notices reach the CMS's export page."""
    from jindallae.cli import main
    from jindallae.export.wechat import export_slug
    from jindallae.importers.messages import ALT_TODO

    root = make_project(tmp_path / "p")
    (root / "publishconf.py").write_text(f"from pelicanconf import *  # noqa\nJINDALLAE_PUBLIC_URL = {PUBLIC!r}\n",
                                         encoding="utf-8")
    write_files(root / "content", {"news/daoru.zh.md": IMPORTED, "images/cover.jpg": jpeg_bytes(),
                                   "images/hall.jpg": jpeg_bytes(), "images/board.jpg": jpeg_bytes()})
    lines = (root / "content/news/daoru.zh.md").read_text(encoding="utf-8").split("\n")
    cover_line = lines.index(f"cover_alt: {ALT_TODO['zh']}") + 1
    hall_line = next(i for i, line in enumerate(lines, 1) if line.startswith("![TODO"))
    board_line = next(i for i, line in enumerate(lines, 1) if line.startswith("<img"))
    monkeypatch.chdir(root)
    assert main(["--project", str(root), "wechat", "daoru"]) == 0
    err = capsys.readouterr().err
    warnings = [line for line in err.splitlines() if line.startswith("content/news/daoru.zh.md:")]
    assert warnings == [
        f"content/news/daoru.zh.md:{cover_line}: warning: 封面 images/cover.jpg: the alt text is still the "
        f"placeholder '{ALT_TODO['zh']}': replace it in cover_alt with what the picture shows",
        f"content/news/daoru.zh.md:{hall_line}: warning: 图1 images/hall.jpg: the alt text is still the "
        f"placeholder '{ALT_TODO['zh']}（讲座现场）': replace it in ![…] with what the picture shows",
        f"content/news/daoru.zh.md:{board_line}: warning: 图2 images/board.jpg has no alt text: write what the "
        f"picture shows in <img alt=\"…\"> (readers who cannot see the picture get this text)",
    ]
    assert (cover_line, hall_line, board_line) == (5, 10, 14)
    export = export_slug(root, "daoru")
    assert [(n.code, n.args["line"]) for n in export.notices] == [("alt-todo", 5), ("alt-todo", 10), ("alt-missing", 14)]
    # a described picture, and no placeholder left: no warning
    (root / "content/news/daoru.zh.md").write_text(
        IMPORTED.replace(ALT_TODO["zh"] + "（讲座现场）", "讲座现场").replace(ALT_TODO["zh"], "讲座现场的听众")
        .replace('alt=""', 'alt="宣传栏"'), encoding="utf-8")
    assert main(["--project", str(root), "wechat", "daoru"]) == 0
    assert "daoru.zh.md:" not in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# The CMS


@pytest.fixture
def cms(tmp_path):
    from cms_helpers import make_cms, publishconf_text

    files = {"news/jiangzuo.zh.md": ARTICLE, "policy/jiancha.zh.md": POLICY, "events/jiangzuo-ko.ko.md": KOREAN,
             "images/cover.jpg": jpeg_bytes(), "images/hall.jpg": jpeg_bytes(), "images/board.jpg": jpeg_bytes()}
    app, client = make_cms(tmp_path, users={"ed": ["editor"], "tr": {"roles": ["translator"], "ui_lang": "ko"},
                                            "adm": ["admin"]},
                           content_files=files, publishconf=publishconf_text(PUBLIC))
    return app, client


def test_cms_button_page_json_and_qr(cms):
    from cms_helpers import login

    app, client = cms
    login(client, "ed")
    page = client.get("/edit/news/jiangzuo.zh.md")
    assert page.status_code == 200
    doc = soup(page.get_data(as_text=True))
    button = doc.find("button", attrs={"data-wechat-export": True})
    assert button.get_text(strip=True) == "复制到微信"
    assert button["data-wechat-export"] == "/wechat/export/news/jiangzuo.zh.md"
    status = doc.find(id=button["aria-describedby"])
    assert status is not None and status.get("role") == "status"
    scripts = doc.find_all("script")
    assert "/static/wechat.js" in [s.get("src") for s in scripts] and all(s.get("src") for s in scripts)
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]

    data = client.get("/wechat/export/news/jiangzuo.zh.md").get_json()
    assert soup(data["html"]).find(string="参考链接") is not None
    assert data["public_url"] == f"{PUBLIC}/news/jiangzuo/" and "[1]" in data["text"]
    assert [u["path"] for u in data["uploads"]] == ["images/cover.jpg", "images/hall.jpg", "images/board.jpg", "qr.png"]

    view = soup(client.get("/wechat/news/jiangzuo.zh.md").get_data(as_text=True))
    links = [a["href"] for a in view.select("ol.wechat-uploads a")]
    assert links == ["/content-file/images/cover.jpg", "/content-file/images/hall.jpg",
                     "/content-file/images/board.jpg", "/wechat/qr/news/jiangzuo.zh.md"]
    assert view.find(id="wechat-url").get_text() == f"{PUBLIC}/news/jiangzuo/"
    qr = client.get("/wechat/qr/news/jiangzuo.zh.md")
    assert qr.mimetype == "image/png" and qr.data == base64.b64decode(data["qr"].split(",", 1)[1])
    assert client.get("/wechat/export/news/nope.zh.md").status_code == 404
    assert client.get("/wechat/export/../pelicanconf.py").status_code == 404


def test_cms_export_page_names_images_without_alt_text(tmp_path):
    """The CMS's export page shows the same alt-text notices, in the UI language, with the
    line of the page's file."""
    from cms_helpers import login, make_cms, publishconf_text

    files = {"news/daoru.zh.md": IMPORTED, "images/cover.jpg": jpeg_bytes(), "images/hall.jpg": jpeg_bytes(),
             "images/board.jpg": jpeg_bytes()}
    app, client = make_cms(tmp_path, users={"ed": ["editor"], "tr": {"roles": ["translator"], "ui_lang": "ko"}},
                           content_files=files, publishconf=publishconf_text(PUBLIC))
    login(client, "ed")
    items = [li.get_text(" ", strip=True) for li in
             soup(client.get("/wechat/news/daoru.zh.md").get_data(as_text=True)).select("#wechat-notices li")]
    assert "图2 images/board.jpg （ news/daoru.zh.md 第 14 行）没有替代文字：请在 <img alt=\"…\"> 中写明图片内容。" \
        "看不到图片的读者读到的就是这段文字。" in items
    assert any(i.startswith("图1 images/hall.jpg （ news/daoru.zh.md 第 10 行）：替代文字还是占位文字") for i in items)
    assert any(i.startswith("封面 images/cover.jpg （ news/daoru.zh.md 第 5 行）") for i in items)


def test_cms_korean_ui_and_permissions(cms):
    from cms_helpers import login, logout

    app, client = cms
    assert client.get("/wechat/export/news/jiangzuo.zh.md").status_code in (302, 401)  # not signed in
    login(client, "adm")  # the admin role alone holds no content rights
    assert client.get("/wechat/export/news/jiangzuo.zh.md").status_code == 403
    logout(client)
    login(client, "tr")
    view = soup(client.get("/wechat/events/jiangzuo-ko.ko.md").get_data(as_text=True))
    assert view.find("button", attrs={"data-wechat-export": True}).get_text(strip=True) == "위챗용으로 복사"
    assert view.find("h1").get_text().startswith("위챗 내보내기")


def test_cms_copy_button_puts_html_on_the_clipboard(cms, browser):
    """In Chromium: the button puts the export on the clipboard as text/html (Clipboard API)."""
    from cms_helpers import DEFAULT_PASSWORD
    from test_cms_e2e import running

    app, _client = cms
    with running(app) as url:
        context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
        page = context.new_page()
        page.goto(f"{url}/login")
        page.fill("#username", "ed")
        page.fill("#password", DEFAULT_PASSWORD)
        page.click("button[type=submit].primary")
        page.wait_for_url(f"{url}/")
        page.goto(f"{url}/edit/news/jiangzuo.zh.md")
        page.click("button[data-wechat-export]")
        page.wait_for_selector("button[data-wechat-export][data-copied='1']", timeout=15000)
        html = page.evaluate("""async () => {
            const items = await navigator.clipboard.read();
            const blob = await items[0].getType('text/html');
            return await blob.text();
        }""")
        context.close()
    doc = soup(html)
    assert doc.find(string="参考链接") is not None
    assert doc.find("sup").get_text() == "[1]"
    assert doc.find(style=True) is not None


def test_cms_export_page_has_no_axe_violations(cms, browser):
    """The export page is usable with a screen reader and the keyboard (axe-core)."""
    from cms_helpers import DEFAULT_PASSWORD
    from test_a11y import AXE
    from test_cms_e2e import running

    if not AXE.exists():
        pytest.skip("axe-core is not installed: run `make test`")
    app, _client = cms
    with running(app) as url:
        context = browser.new_context(bypass_csp=True)  # (only so that axe itself can be injected)
        page = context.new_page()
        page.goto(f"{url}/login")
        page.fill("#username", "tr")
        page.fill("#password", DEFAULT_PASSWORD)
        page.click("button[type=submit].primary")
        page.wait_for_url(f"{url}/")
        found = {}
        for path in ("/wechat/news/jiangzuo.zh.md", "/wechat/events/jiangzuo-ko.ko.md"):
            page.goto(url + path)
            page.evaluate(AXE.read_text(encoding="utf-8"))
            result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            found[path] = [f"{v['id']}: " + "; ".join(" ".join(map(str, n["target"])) for n in v["nodes"][:3])
                           for v in result["violations"]]
        context.close()
    assert found == {path: [] for path in found}
