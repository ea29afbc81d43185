"""CJK Markdown rendering (cases M1-M4 of /work/shared/cases/markdown.md), on the renderer.

The same cases are checked on a full build in test_site_output.py.
"""

from __future__ import annotations

import html as htmllib
import re

import pytest
from bs4 import BeautifulSoup

from jindallae.markup import Renderer, render


def soup(text: str) -> BeautifulSoup:
    return BeautifulSoup(render(text).html, "lxml")


def para(text: str) -> str:
    """The text of the single paragraph ``text`` renders to."""
    paragraphs = soup(text).find_all("p")
    assert len(paragraphs) == 1, render(text).html
    return paragraphs[0].get_text()


# ---------------------------------------------------------------------------------------------
# M1: soft line breaks.  Documented decision (jindallae/markup.py): a soft break vanishes between
# two CJK characters or next to full-width punctuation, and becomes one space otherwise
# (Korean words, Han next to Latin).


def test_M1_soft_break_between_cjk_removed():
    assert para("第一行，\n第二行。") == "第一行，第二行。"
    html = render("第一行，\n第二行。").html
    assert html == "<p>第一行，第二行。</p>"


def test_M1_soft_break_between_han_characters_without_punctuation():
    assert para("第一行\n第二行") == "第一行第二行"


def test_M1_soft_break_between_korean_words_is_one_space():
    assert para("첫째 줄\n둘째 줄") == "첫째 줄 둘째 줄"


def test_M1_soft_break_between_han_and_latin_is_one_space():
    assert para("使用\nPelican") == "使用 Pelican"
    assert para("Pelican\n生成") == "Pelican 生成"


def test_M1_soft_break_latin_words_is_one_space():
    assert para("Hello\nworld") == "Hello world"


def test_M1_soft_break_after_fullwidth_punctuation_vanishes_even_before_latin():
    assert para("版本：\nPelican 4") == "版本：Pelican 4"
    assert para("他说：\n“好。”") == "他说：“好。”"


def test_M1_indentation_and_trailing_space_of_soft_break_do_not_leak():
    assert para("第一行 \n   第二行") == "第一行第二行"
    assert para("첫째 줄 \n   둘째 줄") == "첫째 줄 둘째 줄"


def test_M1_hard_break_is_kept():
    p = soup("第一行  \n第二行").p
    assert p.find("br") is not None
    assert p.get_text() == "第一行第二行"


@pytest.mark.parametrize("text, strong, whole", [
    ("第一行**粗体**\n第二行", "粗体", "第一行粗体第二行"),
    ("**粗体**\n第二行", "粗体", "粗体第二行"),
    ("第一行\n**粗体**", "粗体", "第一行粗体"),
    ("使用**Pelican**\n构建", "Pelican", "使用Pelican 构建"),
    ("강조 **굵게**\n다음 줄", "굵게", "강조 굵게 다음 줄"),
])
def test_M1_soft_break_next_to_inline_markup(text, strong, whole):
    s = soup(text)
    assert s.strong.get_text() == strong
    assert s.p.get_text() == whole


def test_M1_soft_break_next_to_link():
    s = soup("见[链接](https://example.com/)\n第二行")
    assert s.p.get_text() == "见链接第二行"
    assert s.a["href"] == "https://example.com/"


def test_M1_fenced_code_keeps_newlines():
    s = soup("```\n第一行\n第二行\nPelican\n```\n")
    assert s.pre.code.get_text() == "第一行\n第二行\nPelican\n"


def test_M1_indented_code_keeps_newlines():
    s = soup("正文。\n\n    第一行\n    第二行\n")
    assert s.pre.code.get_text() == "第一行\n第二行\n"


def test_M1_inline_code_keeps_newline():
    s = soup("用`甲\n乙`代码")
    assert s.code.get_text() == "甲\n乙"


def test_M1_breaks_in_list_items_and_blockquotes():
    s = soup("- 第一项，\n  继续。\n- 두 번째\n  항목\n\n> 引用第一行\n> 引用第二行\n")
    items = [li.get_text() for li in s.find_all("li")]
    assert items == ["第一项，继续。", "두 번째 항목"]
    assert s.blockquote.p.get_text() == "引用第一行引用第二行"


# ---------------------------------------------------------------------------------------------
# M2: strong emphasis next to full-width punctuation


@pytest.mark.parametrize("text, strong, whole", [
    ("**真，**她说", "真，", "真，她说"),
    ("**「刻舟求剑」**的故事", "「刻舟求剑」", "「刻舟求剑」的故事"),
    ("她说**“好”**。", "“好”", "她说“好”。"),
    ("这是**重要的**事情", "重要的", "这是重要的事情"),
    ("**행복가정**을 만들자", "행복가정", "행복가정을 만들자"),
])
def test_M2_strong_next_to_fullwidth_punctuation(text, strong, whole):
    s = soup(text)
    strongs = s.find_all("strong")
    assert len(strongs) == 1, render(text).html
    assert strongs[0].decode_contents() == strong
    assert s.p.get_text() == whole
    assert "**" not in render(text).html


def test_M2_exact_html():
    assert render("**真，**她说").html == "<p><strong>真，</strong>她说</p>"
    assert render("**「刻舟求剑」**的故事").html == "<p><strong>「刻舟求剑」</strong>的故事</p>"


def test_M2_emphasis_with_fullwidth_punctuation_inside_em():
    s = soup("*注意：*请排队")
    assert s.em.decode_contents() == "注意："
    assert s.p.get_text() == "注意：请排队"


# ---------------------------------------------------------------------------------------------
# M3: heading anchors


def heading_ids(text: str) -> list[str]:
    return [h.get("id") for h in soup(text).find_all(re.compile(r"^h[1-6]$"))]


def test_M3_chinese_heading_gets_pinyin_id():
    assert heading_ids("## 创建幸福家庭") == ["chuang-jian-xing-fu-jia-ting"]


def test_M3_korean_heading_gets_romanized_id():
    assert heading_ids("## 민속 예술") == ["minsok-yesul"]


def test_M3_heading_ids_are_never_bare_counters():
    ids = heading_ids("## 创建幸福家庭\n\n## 민속 예술\n\n## 银行\n\n### 😀\n\n## 「」")
    assert all(ids), ids
    assert not any(re.fullmatch(r"_?\d+", i) for i in ids), ids
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9_-]*", i) for i in ids), ids
    assert ids[:3] == ["chuang-jian-xing-fu-jia-ting", "minsok-yesul", "yin-hang"]


def test_M3_heading_ids_unique_within_page():
    text = "## 创建幸福家庭\n\n正文\n\n## 创建幸福家庭\n\n## 创建幸福家庭\n\n## 민속 예술\n\n## 민속 예술\n"
    ids = heading_ids(text)
    assert len(ids) == 5
    assert len(set(ids)) == 5, ids
    assert ids[0] == "chuang-jian-xing-fu-jia-ting"
    assert ids[3] == "minsok-yesul"
    for i in ids[1:3]:
        assert i.startswith("chuang-jian-xing-fu-jia-ting")


def test_M3_heading_id_does_not_collide_with_attr_list_or_footnote_ids():
    ids_html = render("## 注释 {#zhu-shi}\n\n## 注释\n\n正文[^1]\n\n[^1]: 注\n").html
    s = BeautifulSoup(ids_html, "lxml")
    all_ids = [el["id"] for el in s.find_all(id=True)]
    assert len(all_ids) == len(set(all_ids)), all_ids


def test_M3_heading_ids_stable_across_renders():
    text = "## 创建幸福家庭\n\n## 민속 예술\n\n## 创建幸福家庭\n\n### 使用 Pelican\n"
    first = render(text)
    second = render(text)
    fresh = Renderer().render(text)
    assert first.html == second.html == fresh.html
    assert first.toc == second.toc == fresh.toc
    # An earlier render with other headings must not shift the ids of the next one.
    render("## 创建幸福家庭\n\n## 创建幸福家庭\n")
    assert render(text).html == first.html


def test_M3_toc_lists_the_heading_ids():
    text = "## 创建幸福家庭\n\n### 민속 예술\n\n## 银行\n\n##### too deep\n"
    r = render(text)
    ids = heading_ids(text)
    assert [t[1] for t in r.toc] == ["chuang-jian-xing-fu-jia-ting", "minsok-yesul", "yin-hang"]
    assert [t[0] for t in r.toc] == [2, 3, 2]
    assert [t[2] for t in r.toc] == ["创建幸福家庭", "민속 예술", "银行"]
    assert set(t[1] for t in r.toc) <= set(ids)


# ---------------------------------------------------------------------------------------------
# M4: raw HTML typed by an editor

DANGEROUS = [
    "<script>alert(1)</script>",
    "段落<script>alert(1)</script>内联",
    "[x](javascript:alert(1))",
    "[x](  JaVaScRiPt:alert(1) )",
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "<img src=x onerror=alert(1)>",
    '<img src="javascript:alert(1)">',
    "<svg onload=alert(1)></svg>",
    '<iframe src="https://example.com/"></iframe>',
    '<div onclick="alert(1)">d</div>',
    '<p style="background:url(javascript:alert(1))" onmouseover="alert(1)">s</p>',
    "<style>body{display:none}</style>\n\n正文",
    '<object data="x"></object><embed src="x">',
    '<form action="https://example.com/"><button formaction="javascript:alert(1)">b</button></form>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<table><tr><td onclick="alert(1)">1</td></tr></table>',
    "<!-- <script>alert(1)</script> -->",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="https://example.com/">',
    '<link rel="stylesheet" href="https://example.com/x.css">',
]

FORBIDDEN_TAGS = {"script", "iframe", "style", "object", "embed", "form", "button", "svg", "math",
                  "meta", "base", "link", "input"}


def assert_inert(html: str) -> None:
    s = BeautifulSoup(html, "lxml")
    body = s.body or s
    for el in body.find_all(True):
        assert el.name not in FORBIDDEN_TAGS, html
        for name, value in el.attrs.items():
            assert not name.lower().startswith("on"), html
            assert name.lower() != "style", html
            if name.lower() in ("href", "src", "action", "formaction", "xlink:href"):
                v = htmllib.unescape(value if isinstance(value, str) else " ".join(value))
                v = re.sub(r"\s", "", v).lower()
                assert not v.startswith(("javascript:", "vbscript:", "data:")), html


@pytest.mark.parametrize("text", DANGEROUS)
def test_M4_dangerous_html_never_survives(text):
    html = render(text).html
    assert_inert(html)
    assert "<script" not in html.lower()
    assert "javascript:" not in html.lower()
    assert "onerror" not in html.lower()


def test_M4_script_content_removed_with_tag():
    html = render("前<script>alert(1)</script>后").html
    assert "alert" not in html
    assert BeautifulSoup(html, "lxml").p.get_text() == "前后"


def test_M4_javascript_link_keeps_its_text_but_no_href():
    s = soup("[点这里](javascript:alert(1))")
    assert s.a.get_text() == "点这里"
    assert s.a.get("href") is None


def test_M4_onerror_image_keeps_src_only():
    s = soup("<img src=x onerror=alert(1)>")
    assert s.img is not None
    assert dict(s.img.attrs) == {"src": "x"}


def test_M4_tables_survive():
    s = soup("| 年份 | 人数 |\n|---|---:|\n| 2024 | 12 |\n| 2025 | 15 |\n")
    assert [th.get_text() for th in s.find_all("th")] == ["年份", "人数"]
    assert [td.get_text() for td in s.find_all("td")] == ["2024", "12", "2025", "15"]
    # Column alignment survives sanitising (as align=, since style attributes are dropped).
    assert [td.get("align") for td in s.find_all("td")] == [None, "right", None, "right"]


def test_M4_raw_html_table_sup_br_survive():
    text = ("<table><thead><tr><th>项目</th></tr></thead><tbody><tr><td>m<sup>2</sup></td></tr></tbody></table>\n\n"
            "第一行<br>第二行 H<sub>2</sub>O\n")
    s = soup(text)
    assert s.table is not None
    assert s.th.get_text() == "项目"
    assert s.sup.get_text() == "2"
    assert s.td.decode_contents() == "m<sup>2</sup>"
    assert s.find("br") is not None
    assert s.sub.get_text() == "2"


def test_M4_safe_links_and_images_survive():
    s = soup("[官网](https://example.com/a?b=1) [邮件](mailto:a@example.com) [电话](tel:+864331234567) "
             "![图](https://example.com/p.jpg)")
    assert [a["href"] for a in s.find_all("a")] == [
        "https://example.com/a?b=1", "mailto:a@example.com", "tel:+864331234567"]
    assert s.img["src"] == "https://example.com/p.jpg"
    assert s.img["alt"] == "图"


def test_M4_footnotes_survive():
    s = soup("正文[^1]\n\n[^1]: 注释内容\n")
    ref = s.find("sup")
    assert ref is not None
    target = ref.a["href"].lstrip("#")
    assert s.find(id=target) is not None
    assert "注释内容" in s.find(id=target).get_text()


# Deep nesting: whatever the Python-Markdown release in the allowed range does with it (3.10
# raised RecursionError on a 500-deep list, 3.11 renders it but needs minutes at 5,000 and still
# recurses on 2,000 nested emphasis markers), our renderer refuses it before parsing, at the line
# where the limit is passed, and renders ordinary nesting.
DEEP_BODIES = {
    "list-indented": lambda n: "".join("  " * i + "- 列表\n" for i in range(n)),
    "list-ordered": lambda n: "".join("   " * i + "1. 列表\n" for i in range(n)),
    "list-one-line": lambda n: "- " * n + "x\n",
    "blockquote": lambda n: ">" * n + " 引用\n",
    "blockquote-spaced": lambda n: "> " * n + "引用\n",
    "quote-in-list": lambda n: "- > " * (n // 2) + "x\n",
    "emphasis": lambda n: "*" * n + "强调" + "*" * n + "\n",
    "strong": lambda n: "**" * n + "强调" + "**" * n + "\n",
    "underscore": lambda n: "_" * n + "强调" + "_" * n + "\n",
    "brackets": lambda n: "[" * n + "x" + "](y)" * n + "\n",
}


@pytest.mark.parametrize("depth", [500, 2000, 5000])
@pytest.mark.parametrize("kind", sorted(DEEP_BODIES))
def test_deep_nesting_is_refused_at_its_line(kind, depth):
    from jindallae.markup import MAX_NESTING, NestingTooDeep, render
    body = "第一段。\n\n" + DEEP_BODIES[kind](depth)
    with pytest.raises(NestingTooDeep) as exc:
        render(body)
    assert exc.value.depth > MAX_NESTING
    lines = body.split("\n")
    assert exc.value.line >= 3 and lines[exc.value.line - 1].strip(), (exc.value.line, lines[exc.value.line - 1][:40])
    assert render("第二段。\n").html == "<p>第二段。</p>"  # the renderer is still usable


@pytest.mark.parametrize("kind", sorted(DEEP_BODIES))
def test_ordinary_nesting_renders(kind):
    from jindallae.markup import render
    html = render(DEEP_BODIES[kind](12)).html
    assert html and "<" in html


def test_nesting_limit_ignores_code_rules_and_long_lines():
    from jindallae.markup import check_nesting
    code = "```\n" + "".join("  " * i + "- x\n" for i in range(200)) + ">" * 300 + "\n```\n"
    check_nesting(code)  # fenced code is text, however it looks
    check_nesting("* * *\n\n" + "-" * 400 + "\n\n" + "*" * 300 + "\n")  # thematic breaks
    check_nesting("".join(f"- 第{i}项\n" for i in range(3000)))  # long, flat list
    check_nesting("1. a\n   - b\n     > c\n\n正文回到页边。\n" * 100)
