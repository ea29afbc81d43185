"""Pasted text and HTML (jindallae.importers.text / .html), ``jindallae import FILE.txt|.html|-``
and the ``paste-structure`` check, on the inputs staff really paste: the province's report
(Traditional characters, one paragraph per line, ``一、`` / ``（一）`` headings, full-width
indentation, stray spaces), Word's clipboard HTML and a WeChat article (tests/fixtures/docx/).
Case T1 of ../shared/cases/documents.md."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from jindallae.checks import CHECKS, run_checks
from jindallae.cli import main
from jindallae.importers import clean_paste, import_bytes, slug_for
from jindallae.importers.text import classify, tidy_text
from jindallae.markup import render
from jindallae.model import model_from_settings
from jindallae.settings import load_settings
from site_helpers import make_project, md, write_files

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "docx"
REPORT = (FIXTURES / "province-report.txt").read_text(encoding="utf-8")
HAN_GAP = re.compile(r"[\u4e00-\u9fff，。、；：）（“”][ \t\u3000\u00a0]+[\u4e00-\u9fff，。、；：）（“”]")


@pytest.fixture
def project(tmp_path, monkeypatch):
    folder = make_project(tmp_path / "site")
    monkeypatch.chdir(folder)
    return folder


def import_stdin(project: Path, data: bytes, *args: str, monkeypatch) -> int:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    return main(["--project", str(project), "import", "-", *args])


def read_page(project: Path, rel: str):
    root = project / "content"
    item, errors = model_from_settings(load_settings(project)).parse_text(root, rel)
    assert item is not None and errors == [], errors
    return item, BeautifulSoup(render(item.body).html, "html.parser")


def texts(soup, selector: str) -> list[str]:
    return [el.get_text() for el in soup.select(selector)]


# ---------------------------------------------------------------------------------------------
# T1: the province's report, pasted


def test_T1_pasted_report_text_becomes_paragraphs_and_headings(project, capsys, monkeypatch):
    assert import_stdin(project, REPORT.encode("utf-8"), "--section", "policy", monkeypatch=monkeypatch) == 0
    out = capsys.readouterr().out
    title = "吉林省人口文化工作情況報告"
    rel = f"policy/{slug_for(title)}.zh.md"
    assert f"created content/{rel}" in out
    item, soup = read_page(project, rel)
    assert item.fields["title"] == title and item.status == "draft"
    assert texts(soup, "h2") == ["一、總體情況", "二、存在問題", "三、下一步工作打算"]
    assert texts(soup, "h3") == ["（一）加強宣傳教育", "（二）開展文藝活動"]
    assert texts(soup, "p") == [
        "2026年，全省人口文化工作堅持以人民為中心，各項工作取得新進展。現將有關情況報告如下。",
        "全省共舉辦人口文化活動 1,286 場，參與群眾 56 萬人次。",
        "各地利用微信公眾號、廣播電視等渠道開展宣傳。",
        "延邊州組織長鼓舞、農樂舞等民俗文藝展演 42 場。",
        "基層人口文化陣地建設仍不平衡。",
        "一是加強陣地建設；二是豐富活動內容。",
    ]
    assert texts(soup, "ol > li") == ["延吉市舉辦家庭文化節", "琿春市開展“幸福家庭”評選"]
    html = str(soup)
    assert not HAN_GAP.search(soup.get_text()) and "\u3000" not in html  # no stray or indenting spaces
    # Traditional characters: kept as pasted, reported by the traditional check
    text = (project / "content" / rel).read_text(encoding="utf-8")
    assert "報告" in text and "[traditional]" in out
    lines = [n for n, line in enumerate(text.split("\n"), 1) if re.search("[報總體問陣]", line)]
    reported = {f.line for f in run_checks(project).findings if f.path == rel and f.id == "traditional"}
    assert set(lines) <= reported
    assert not [f for f in run_checks(project).findings if f.path == rel and f.id == "paste-structure"]


def test_T1_report_pasted_raw_into_markdown_is_one_paragraph_and_warned(project):
    """The bug as staff met it: the report pasted as a Markdown body renders as one paragraph with
    the headings inline; paste-structure says where the sections run together."""
    body = REPORT.split("\n", 1)[1]
    write_files(project / "content", {"policy/baogao.zh.md": md("title: 报告\ndate: 2026-03-01\nsummary: 摘要", body)})
    item, soup = read_page(project, "policy/baogao.zh.md")
    assert len(soup.find_all("p")) == 1 and soup.find("h2") is None
    found = [(f.line, f.col, f.id, f.severity) for f in run_checks(project).findings
             if f.path == "policy/baogao.zh.md" and f.id == "paste-structure"]
    assert found == [(item.body_line + 2, 1, "paste-structure", "warning")]  # at "一、 總體情況"
    finding = next(f for f in run_checks(project).findings if f.id == "paste-structure")
    assert "一、" in finding.message and finding.excerpt.startswith("一、")
    # the CMS's clean-up (same rule) fixes it, and the warning goes
    cleaned = clean_paste(body, "zh")
    assert cleaned.changed and "\n## 一、總體情況\n" in cleaned.markdown and "\n### （一）加強宣傳教育\n" in cleaned.markdown
    write_files(project / "content", {"policy/baogao.zh.md": md("title: 报告\ndate: 2026-03-01\nsummary: 摘要",
                                                                 cleaned.markdown)})
    assert not [f for f in run_checks(project).findings if f.id == "paste-structure"]


# ---------------------------------------------------------------------------------------------
# The rules


@pytest.mark.parametrize("line,expected", [
    ("一、总体情况", ("heading", 1, 1)),
    ("十二、其他事项", ("heading", 1, 12)),
    ("二十、附则", ("heading", 1, 20)),
    ("（一）加强宣传教育", ("heading", 2, 1)),
    ("(三)开展活动。", ("heading", 2, 3)),  # one final full stop is allowed (and dropped)
    ("1.组织比赛", ("item", 3, 1)),
    ("2．举办展览", ("item", 3, 2)),
    ("3、评选家庭", ("item", 3, 3)),
    ("（1）延吉市", ("item", 4, 1)),
    ("一、时间：6月12日", ("para", 1, 1)),  # a labelled item, not a heading
    ("（二）加强领导。各级部门要高度重视，切实抓好落实。", ("para", 2, 2)),  # run-in heading: a paragraph
    ("一、" + "很长的标题" * 9, ("para", 1, 1)),
    ("一、二年级学生参加。", None),
    ("1.5万人参加了活动。", None),
    ("3.8妇女节", None),
    ("2026年工作要点", None),
])
def test_numbering_rule(line, expected):
    found = classify(line)
    assert (found[:3] if found else None) == expected


@pytest.mark.parametrize("raw,clean", [
    ("　　全省 人口 文化 工作。", "全省人口文化工作。"),
    ("共 120 场， 覆盖 群众", "共 120 场，覆盖群众"),
    ("使用 Pelican  生成", "使用 Pelican 生成"),
    ("연길시에서   로인절 행사를 열었습니다.", "연길시에서 로인절 행사를 열었습니다."),  # Korean words keep one space
    ("“幸福家庭” 评选 （第一批）", "“幸福家庭”评选（第一批）"),
    ("零\u200b宽\ufeff字符", "零宽字符"),
])
def test_spacing_rule(raw, clean):
    assert tidy_text(raw) == clean


def test_markdown_files_keep_the_line_joining_rule():
    """A file written as Markdown: a line break between Han characters vanishes, the lines stay
    one paragraph (the importer's one-line-one-paragraph rule is for pasted text only)."""
    html = render("人口文化工作\n取得新进展。\n使用\nPelican 生成。").html
    assert html == "<p>人口文化工作取得新进展。使用 Pelican 生成。</p>"


def test_clean_paste_keeps_markdown_the_editor_wrote():
    body = ("## 已有标题\n\n- 列表一\n- 列表二\n\n```\n代码  保留   空格\n一、不是标题\n```\n"
            "　　正文 第一 行\n一、总体情况\n| 表 | 格 |\n| --- | --- |\n| 1 | 2 |\n![说明](../images/a.jpg)\n"
            "**粗体** 文字\n")
    cleaned = clean_paste(body, "zh")
    assert cleaned.markdown == (
        "## 已有标题\n\n- 列表一\n- 列表二\n\n```\n代码  保留   空格\n一、不是标题\n```\n\n正文第一行\n\n## 一、总体情况\n\n"
        "| 表 | 格 |\n| --- | --- |\n| 1 | 2 |\n![说明](../images/a.jpg)\n\n**粗体**文字\n")
    assert clean_paste(cleaned.markdown, "zh").changed is False  # cleaning twice changes nothing


# ---------------------------------------------------------------------------------------------
# HTML from Word, WPS, WeChat


def test_word_clipboard_html(project, capsys):
    assert main(["--project", str(project), "import", str(FIXTURES / "word-paste.html"), "--section", "news"]) == 0
    capsys.readouterr()
    title = "关于举办延边州人口文化节的通知"  # Word's bold first line, not <title>
    rel = f"news/{slug_for(title)}.zh.md"
    text = (project / "content" / rel).read_text(encoding="utf-8")
    for debris in ("mso", "style", "span", "class", "font", "<o:p", "[if", "MsoNormal", "&nbsp;", "\u3000"):
        assert debris not in text, debris
    item, soup = read_page(project, rel)
    assert item.fields["title"] == title
    assert texts(soup, "h2") == ["一、活动时间"]
    assert texts(soup, "ul > li") == ["各县市代表队", "州直单位"]  # Word's Symbol-font bullets
    assert [[c.get_text() for c in tr.find_all(["th", "td"])] for tr in soup.select("table tr")] == \
        [["项目", "地点"], ["开幕式", "人民广场"]]
    assert soup.find("p").get_text() == "各县市人口文化办公室：为丰富群众文化生活1，现将有关事项通知如下。"
    assert [li.get_text(" ", strip=True) for li in soup.select("div.footnote li")] == ["依据《延边州人口文化工作规划》。 ↩"]
    assert not [f for f in run_checks(project).findings if f.path == rel and f.severity == "error"]


def test_wechat_article_html(project, capsys, monkeypatch):
    data = (FIXTURES / "wechat-article.html").read_bytes()
    assert import_stdin(project, data, "--section", "news", monkeypatch=monkeypatch) == 0  # HTML on stdin
    out = capsys.readouterr().out
    title = "延吉市开展幸福家庭评选活动"
    rel = f"news/{slug_for(title)}.zh.md"
    text = (project / "content" / rel).read_text(encoding="utf-8")
    for debris in ("style", "span", "section", "script", "javascript", "onclick", "data-src", "svg", "rgb("):
        assert debris not in text, debris
    item, soup = read_page(project, rel)
    assert texts(soup, "p")[0] == "近日，延吉市开展“幸福家庭”评选活动。"
    assert texts(soup, "strong") == ["延吉市"]
    assert texts(soup, "h2") == ["一、评选范围"] and texts(soup, "h3") == ["（一）推荐条件"]
    assert "家庭和睦，热心公益。" in texts(soup, "p") and "遵纪守法，邻里互助。" in texts(soup, "p")  # <br>: new paragraph
    assert [a["href"] for a in soup.find_all("a") if not a["href"].startswith("#")] == \
        ["https://www.yanji.gov.cn/news/1.html"]
    # the picture stays on WeChat's server: a TODO to download and upload it, reported by the check
    assert "![TODO：请描述图片内容](https://mmbiz.qpic.cn/mmbiz_jpg/abc/640?wx_fmt=jpeg)" in text
    assert "1 张图片仍指向其他网站" in out
    assert [f.id for f in run_checks(project).findings if f.path == rel and f.severity == "error"] == ["alt-missing"]


def test_clean_paste_with_clipboard_html():
    html = (FIXTURES / "wechat-article.html").read_text(encoding="utf-8")
    plain = "近日， 延吉市 开展 “幸福家庭” 评选活动。\n一、评选范围\n"
    cleaned = clean_paste(plain, "zh", html=html, notes_lang="ko", source="붙여 넣은 글")
    assert cleaned.changed and cleaned.markdown.startswith("近日，**延吉市**开展“幸福家庭”评选活动。\n\n![TODO")
    assert "\n## 一、评选范围\n" in cleaned.markdown
    assert cleaned.notes == ["붙여 넣은 글: 그림 1장이 다른 사이트를 가리킵니다(https://mmbiz.qpic.cn/mmbiz_jpg/abc/"
                             "640?wx_fmt=jpeg). 내려받아 '그림 넣기'로 올리고 설명을 쓰세요"]


def test_text_encodings_and_refusals(project, tmp_path, capsys):
    gbk = tmp_path / "通知.txt"
    gbk.write_bytes("关于开展人口文化活动的通知\n一、活动内容\n开展讲座。\n".encode("gb18030"))
    assert main(["--project", str(project), "import", str(gbk), "--section", "news"]) == 0
    out = capsys.readouterr().out
    assert "按 GB18030 编码读取" in out
    item, soup = read_page(project, f"news/{slug_for('关于开展人口文化活动的通知')}.zh.md")
    assert texts(soup, "h2") == ["一、活动内容"]
    binary = tmp_path / "x.txt"
    binary.write_bytes(b"\x00\x01\x02binary" * 10)
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    empty = tmp_path / "empty.txt"
    empty.write_text("\n　　\n", encoding="utf-8")
    for bad, message in ((binary, "无法识别的文件类型"), (pdf, "无法识别的文件类型"), (empty, "没有可导入的文字")):
        before = sorted(p.name for p in (project / "content").rglob("*"))
        assert main(["--project", str(project), "import", str(bad), "--section", "news"]) == 1
        assert f"{bad}：{message}" in capsys.readouterr().err
        assert sorted(p.name for p in (project / "content").rglob("*")) == before


def test_html_is_sanitised_not_trusted():
    imported = import_bytes('<h1>标题</h1>'.encode() + b'<p onclick="x()">A<script>alert(1)</script>'
                            b'<img src=x onerror=alert(1)>'
                            b'<a href="javascript:alert(2)">B</a><iframe src="https://evil"></iframe>'
                            b'<style>p{}</style>C &lt;q&gt; *D* [E]</p>', "x.html", "zh")
    assert imported.title == "标题"
    assert "script" not in imported.body and "alert" not in imported.body and "iframe" not in imported.body
    html = render(imported.body).html
    assert "&lt;q&gt;" in html and "*D*" in html and "[E]" in html  # text stays text


# ---------------------------------------------------------------------------------------------
# The paste-structure check


@pytest.mark.parametrize("body,expected", [
    ("一、总体情况\n（一）加强宣传\n全年举办讲座。\n", [(2, 1)]),  # lines of a paste: one paragraph
    ("今年工作取得进展。一、加强宣传。二、开展活动。\n", [(1, 10)]),  # sections after a full stop
    ("一、总体情况\n\n（一）加强宣传\n\n全年举办讲座。\n", []),  # separate paragraphs: fine
    ("## 一、总体情况\n\n### （一）加强宣传\n", []),
    ("主要包括：（一）人口；（二）文化。\n", []),  # an enumeration inside a sentence
    ("一、二年级学生和三、四年级学生参加。\n", []),
    ("```\n一、代码\n二、代码\n```\n", []),
    ("- 一、列表\n- 二、列表\n", []),
])
def test_paste_structure(project, body, expected):
    write_files(project / "content", {"news/x.zh.md": md("title: 测试\ndate: 2026-03-01", body)})
    item, _soup = read_page(project, "news/x.zh.md")
    # md() puts an empty line before the body: body line n of `body` is file line body_line + n
    found = [(f.line - item.body_line, f.col) for f in run_checks(project).findings if f.id == "paste-structure"]
    assert found == expected
    assert CHECKS["paste-structure"].severity == "warning"
