"""The poster panel of the CMS edit form (cms/posters.py, cms/forms.py, _poster_panel.html,
static/poster.js): the ``poster:`` block edited with real controls and written back through the
round trip (unknown keys and comments kept, an unchanged form leaves the file byte for byte),
model errors next to the poster fields in the editor's language, and the live preview — a PNG
of the unsaved form drawn by the posters plugin, with its QR code leading to the page's public
address — whose problems (a headline that does not fit at the smallest legible size) come back
as text in the editor's language; in Chromium the preview follows the typing without a save."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from PIL import Image, ImageChops

from cms_helpers import DEFAULT_PASSWORD, PUBLIC_URL, browser_form, git, login, make_cms

CHEAP = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 8192, "ARGON2_PARALLELISM": 1}
EVENT = "events/jing-lao.zh.md"
EVENT_KO = "events/jing-lao.ko.md"
NEWS = "news/jiang-zuo.zh.md"
BARE = "news/quan-mo-ren.zh.md"
# A2 is 420 x 594 mm and the roll-up 800 x 2000 mm: previews 900 px on the longer side.
A2_SIZE = (636, 900)
ROLLUP_SIZE = (360, 900)


def photo(size=(1600, 1200), tint=(200, 80, 40)) -> bytes:
    """A JPEG with a gradient and a bright spot (so crops and focal points show)."""
    im = Image.new("RGB", size, tint)
    px = im.load()
    for x in range(0, size[0], 4):
        for y in range(0, size[1], 4):
            px[x, y] = (x * 255 // size[0], y * 255 // size[1], tint[2])
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=85)
    return buf.getvalue()


EVENT_TEXT = """---
title: 延吉市人民公园敬老节
date: 2026-11-01
summary: 带着家中老人一起来人民公园过节。现场有健康义诊。
cover: images/old.jpg
cover_alt: 老人在公园里跳舞
author: 延边州人口计生委
status: draft
event:
  id: 6c1f0a52-0d7e-4b43-9d3f-2b8f8e0c5a77
  start: 2027-08-15
  location: 延吉市人民公园
poster:
  # 印刷厂要求竖版模板
  subline: 带着家中老人，一起来过节  # 副标题
  points: [上午：祝寿仪式, 全天：健康义诊]
  template: portrait
  formats: [A2]
---

正文。
"""

FILES = {
    EVENT: EVENT_TEXT,
    EVENT_KO: "---\ntitle: 연길시 인민공원 경로절\ndate: 2026-11-01\nsummary: 어르신과 함께 오세요.\nstatus: draft\n"
              "translated_from: {lang: zh, revision: 0000000000000000000000000000000000000000}\n"
              "event:\n  id: 6c1f0a52-0d7e-4b43-9d3f-2b8f8e0c5a77\n  start: 2027-08-15\n  location: 연길시 인민공원\n"
              "poster:\n  headline: 경로절 잔치\n---\n\n본문.\n",
    NEWS: "---\ntitle: 幸福家庭讲座\ndate: 2026-10-01\nsummary: 讲座在延吉举行。\nstatus: draft\n---\n\n正文。\n",
    BARE: "---\ntitle: 全部默认的海报\ndate: 2026-10-02\nsummary: 海报的每一项都用默认值。\nstatus: draft\ncover: images/old.jpg\n"
          "cover_alt: 老人\nposter:\n---\n\n正文。\n",
    "images/old.jpg": photo(),
    "images/other.jpg": photo(tint=(20, 120, 200)),
}


@pytest.fixture
def cms(tmp_path):
    users = {"ed": {"roles": ["editor", "reviewer"], "ui_lang": "zh"}, "ko": {"roles": ["editor", "reviewer"], "ui_lang": "ko"}}
    app, client = make_cms(tmp_path, users=users, content_files=FILES, config=CHEAP)
    login(client, "ed")
    return app, client


def content(app) -> Path:
    return Path(app.config["CONTENT_DIR"])


def edit_form(client, rel: str) -> dict[str, str]:
    r = client.get(f"/edit/{rel}")
    assert r.status_code == 200
    return browser_form(r.get_data(as_text=True))


def front(app, rel: str) -> dict:
    text = (content(app) / rel).read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1])


# ---------------------------------------------------------------------------------------------
# The panel and saving


def test_panel_shows_the_block_as_controls(cms):
    _app, client = cms
    soup = BeautifulSoup(client.get(f"/edit/{EVENT}").get_data(as_text=True), "html.parser")
    panel = soup.find(id="poster-panel")
    assert panel is not None and panel.has_attr("open")
    assert panel.find("input", id="f-poster").has_attr("checked")
    assert panel.find(id="f-poster-subline")["value"] == "带着家中老人，一起来过节"
    assert [i["value"] for i in panel.select(".poster-points input")] == ["上午：祝寿仪式", "全天：健康义诊", "", ""]
    ticked = {i["name"] for i in panel.select("#f-poster-formats input[checked]")}
    assert ticked == {"poster.formats.A2"}
    names = [i["name"] for i in panel.select("#f-poster-formats input")]
    assert {"poster.formats.A2", "poster.formats.rollup", "poster.formats.banner"} <= set(names)  # formats.yaml
    assert [i["name"] for i in panel.select("#f-poster-language input[checked]")] == ["poster.language.zh"]  # default
    assert "易拉宝" in panel.find(id="f-poster-formats").get_text()
    assert panel.find("input", id="f-poster-image").has_attr("data-media-pick")
    assert soup.find(id="f-poster-image")["value"] == "" and "留空：使用封面图片" in panel.get_text()
    # No YAML and no "changed in the file" summary any more.
    assert "在文件中修改" not in soup.get_text() and "poster:" not in panel.get_text()


@pytest.mark.parametrize("rel", [EVENT, EVENT_KO, NEWS, BARE])
def test_unchanged_form_leaves_the_file_byte_identical(cms, rel):
    app, client = cms
    before = (content(app) / rel).read_bytes()
    commits = git(Path(app.config["PROJECT_DIR"]), "rev-list", "--count", "HEAD")
    r = client.post(f"/edit/{rel}", data=edit_form(client, rel))
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    assert (content(app) / rel).read_bytes() == before
    assert git(Path(app.config["PROJECT_DIR"]), "rev-list", "--count", "HEAD") == commits


def test_saving_the_panel_writes_the_block_and_keeps_comments_and_other_keys(cms):
    app, client = cms
    data = edit_form(client, EVENT)
    data.update({"poster.headline": "敬老节 大家来", "poster.points.2": "下午：文艺展演", "poster.image": "images/other.jpg",
                 "poster.focus.x": "0.3", "poster.focus.y": "0.7", "poster.formats.rollup": "true",
                 "poster.language.bilingual": "true"})
    r = client.post(f"/edit/{EVENT}", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    text = (content(app) / EVENT).read_text(encoding="utf-8")
    assert front(app, EVENT)["poster"] == {
        "headline": "敬老节 大家来", "subline": "带着家中老人，一起来过节",
        "points": ["上午：祝寿仪式", "全天：健康义诊", "下午：文艺展演"], "template": "portrait",
        "formats": ["A2", "rollup"], "image": "images/other.jpg", "focus": [0.3, 0.7], "language": ["zh", "bilingual"]}
    assert "  # 印刷厂要求竖版模板\n" in text and "带着家中老人，一起来过节  # 副标题\n" in text  # comments kept
    assert "  points: [上午：祝寿仪式, 全天：健康义诊, 下午：文艺展演]\n" in text  # the list keeps its flow style
    # everything outside the block as it was
    assert text.split("poster:")[0] == EVENT_TEXT.split("poster:")[0]
    assert text.endswith("---\n\n正文。\n")
    # Taking points and languages away again: the defaults are not written out.
    data = edit_form(client, EVENT)
    data.update({"poster.points.0": "", "poster.points.1": "", "poster.points.2": "", "poster.focus.x": "",
                 "poster.focus.y": ""})
    del data["poster.language.bilingual"]
    assert client.post(f"/edit/{EVENT}", data=data).status_code == 302
    block = front(app, EVENT)["poster"]
    assert set(block) == {"headline", "subline", "template", "formats", "image"}


def test_turning_posters_on_and_off(cms):
    app, client = cms
    data = edit_form(client, NEWS)
    assert "poster" not in data  # the box is not ticked
    data.update({"poster": "true", "poster.headline": "讲座海报", "poster.formats.A3": "true"})
    assert client.post(f"/edit/{NEWS}", data=data).status_code == 302
    text = (content(app) / NEWS).read_text(encoding="utf-8")
    assert "status: draft\nposter:\n  headline: 讲座海报\n  formats: [A3]\n---\n" in text
    data = edit_form(client, NEWS)
    del data["poster"]
    assert client.post(f"/edit/{NEWS}", data=data).status_code == 302
    assert "poster" not in (content(app) / NEWS).read_text(encoding="utf-8")
    # A bare ``poster:`` (every default) gets its first field written under it.
    data = edit_form(client, BARE)
    assert data["poster"] == "true"
    data["poster.subline"] = "都用默认值"
    assert client.post(f"/edit/{BARE}", data=data).status_code == 302
    assert "poster:\n  subline: 都用默认值\n---" in (content(app) / BARE).read_text(encoding="utf-8")


@pytest.mark.parametrize("lang, half, points", [
    ("zh", "请填写焦点的两个数", "必须是最多 4 条短句的列表"),
    ("ko", "초점의 두 수", "짧은 글 4개 이하의 목록"),
])
def test_problems_next_to_the_poster_fields_in_the_editors_language(cms, lang, half, points):
    app, client = cms
    if lang == "ko":
        client = app.test_client()
        login(client, "ko")
    before = (content(app) / EVENT).read_bytes()
    data = edit_form(client, EVENT)
    data.update({"poster.focus.x": "0.4", "poster.focus.y": ""})
    r = client.post(f"/edit/{EVENT}", data=data)
    assert r.status_code == 422
    soup = BeautifulSoup(r.get_data(as_text=True), "html.parser")
    assert half in soup.find(id="f-poster-focus-err").get_text()
    assert soup.find(id="f-poster-focus")["aria-invalid"] == "true"
    assert soup.find(id="poster-panel").has_attr("open")
    # A fifth point (a crafted form: the panel has four) is the content model's error, shown there.
    data = edit_form(client, EVENT)
    data.update({f"poster.points.{i}": f"第{i}条" for i in range(5)})
    r = client.post(f"/edit/{EVENT}", data=data)
    assert r.status_code == 422
    soup = BeautifulSoup(r.get_data(as_text=True), "html.parser")
    assert points in soup.find(id="f-poster-points-err").get_text()
    assert [i["value"] for i in soup.select(".poster-points input")] == [f"第{i}条" for i in range(5)]  # kept
    assert (content(app) / EVENT).read_bytes() == before


# ---------------------------------------------------------------------------------------------
# The preview


def preview(client, data: dict, fmt: str = "A2", variant: str = "", rel: str = EVENT):
    return client.post(f"/poster-preview/{rel}", data={**data, "preview_format": fmt, "preview_variant": variant})


def png(r) -> Image.Image:
    assert r.status_code == 200 and r.mimetype == "image/png", r.get_data(as_text=True)[:500]
    return Image.open(io.BytesIO(r.data)).convert("RGB")


def test_preview_is_a_png_of_the_unsaved_form_with_the_pages_qr_code(cms):
    import zxingcpp

    app, client = cms
    before = (content(app) / EVENT).read_bytes()
    data = edit_form(client, EVENT)
    first = png(preview(client, data))
    assert first.size == A2_SIZE
    found = [(r.text, r.format) for r in zxingcpp.read_barcodes(first)]
    assert found == [(f"{PUBLIC_URL}/events/jing-lao/", zxingcpp.BarcodeFormat.QRCode)]
    changed = png(preview(client, {**data, "poster.headline": "敬老节"}))
    diff = ImageChops.difference(first, changed)
    box = diff.getbbox()
    assert box is not None
    changed_pixels = sum(1 for px in diff.convert("L").get_flattened_data() if px > 40)
    assert changed_pixels > 2000  # the headline, not a stray pixel
    assert (content(app) / EVENT).read_bytes() == before  # nothing saved
    # Other formats and the bilingual poster (Korean first: its QR code leads to the Korean page).
    assert png(preview(client, edit_form(client, BARE), "rollup", rel=BARE)).size == ROLLUP_SIZE
    # (this page's file asks for the portrait template, which has no roll-up layout: said, not drawn)
    refused = preview(client, data, "rollup")
    assert refused.status_code == 422 and "不能制作易拉宝海报" in refused.get_json()["problems"][0]
    both = png(preview(client, data, "A2", "bilingual"))
    assert [r.text for r in zxingcpp.read_barcodes(both)] == [f"{PUBLIC_URL}/ko/events/jing-lao/"]
    assert ImageChops.difference(first, both).getbbox() is not None


@pytest.mark.parametrize("user, field, words", [
    ("ed", "大标题：", ["文字在 A2 的", "放不下", "请缩短文字"]),
    ("ko", "큰 제목: ", ["A2의", "들어가지 않습니다", "글을 줄이세요"]),
])
def test_a_headline_too_long_to_read_is_explained_in_the_editors_language(cms, user, field, words):
    app, client = cms
    client = app.test_client()
    login(client, user)
    data = edit_form(client, EVENT)
    r = preview(client, {**data, "poster.headline": "延吉市人民公园二〇二七年朝鲜族老年节敬老活动" * 6})
    assert r.status_code == 422 and r.is_json
    (message,) = r.get_json()["problems"]
    assert message.startswith(field), message
    assert all(w in message for w in words), message
    assert "the text does not fit" not in message  # no English beside it


def test_preview_problems_instead_of_a_server_error(cms):
    app, client = cms
    data = edit_form(client, EVENT)
    r = preview(client, {**data, "poster.image": "images/missing.jpg"})
    assert r.status_code == 422 and "images/missing.jpg" in r.get_json()["problems"][0]
    r = preview(client, {**data, "poster.focus.x": "2", "poster.focus.y": "0.5"})
    assert r.status_code == 422 and "0 到 1" in r.get_json()["problems"][0]
    news = edit_form(client, NEWS)
    r = preview(client, news, "A2", "bilingual", rel=NEWS)
    assert r.status_code == 422 and "双语海报需要本页的한국어版本" in r.get_json()["problems"][0]


def test_preview_needs_sign_in_and_the_security_token(cms):
    app, client = cms
    data = edit_form(client, EVENT)
    without = {k: v for k, v in data.items() if k != "csrf_token"}
    r = client.post(f"/poster-preview/{EVENT}", data=without)
    assert r.status_code == 400 and r.mimetype != "image/png"
    anonymous = app.test_client()
    r = anonymous.post(f"/poster-preview/{EVENT}", data=data, headers={"X-Requested-With": "fetch"})
    assert r.status_code in (400, 401, 403)
    assert client.post("/poster-preview/events/none.zh.md", data=data).status_code == 404


# ---------------------------------------------------------------------------------------------
# In Chromium


def test_typing_a_headline_updates_the_preview_without_saving(cms, browser):
    """Chromium: the panel's preview appears, follows a headline typed into the panel (no save),
    the focal point follows a click on the picture, the library fills in the poster's picture;
    no CSP violation or script error; the file is unchanged."""
    from playwright.sync_api import expect
    from test_cms_security import serve_app

    app, _client = cms
    before = (content(app) / EVENT).read_bytes()
    with serve_app(app) as base:
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        page = context.new_page()
        problems: list[str] = []
        # (a refused poster is an answer with status 422, which Chromium logs as a failed load)
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" and "status of 422" not in m.text
                else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(f"{base}/login?next=/edit/{EVENT}")
        page.fill("#username", "ed")
        page.fill("#password", DEFAULT_PASSWORD)
        page.press("#password", "Enter")
        page.wait_for_url(f"{base}/edit/{EVENT}")
        img = page.locator("#poster-preview-img")
        expect(img).to_have_attribute("src", re.compile("^blob:"), timeout=30000)
        page.wait_for_function("() => { const i = document.getElementById('poster-preview-img'); "
                               "return i.complete && i.naturalWidth > 0; }")
        first_src = img.get_attribute("src")
        assert page.evaluate("() => document.getElementById('poster-preview-img').naturalHeight") == A2_SIZE[1]
        shot = Image.open(io.BytesIO(img.screenshot())).convert("RGB")
        page.fill("#f-poster-headline", "敬老节")
        expect(img).not_to_have_attribute("src", first_src, timeout=30000)
        page.wait_for_function("() => { const i = document.getElementById('poster-preview-img'); "
                               "return i.complete && i.naturalWidth > 0; }")
        again = Image.open(io.BytesIO(img.screenshot())).convert("RGB")
        assert again.size == shot.size and ImageChops.difference(shot, again).getbbox() is not None
        assert page.text_content("#poster-preview-problems").strip() == ""
        # A headline that cannot be read from the street: the reason beside the preview.
        page.fill("#f-poster-headline", "延吉市人民公园二〇二七年朝鲜族老年节敬老活动" * 6)
        expect(page.locator("#poster-preview-problems")).to_contain_text("放不下", timeout=30000)
        # The focal point: a click on the picture sets both numbers.
        thumb = page.locator("#poster-focus-img")
        expect(thumb).to_be_visible()
        thumb.click(position={"x": 5, "y": 5})
        assert float(page.input_value("#f-poster-focus")) < 0.2 and float(page.input_value("#f-poster-focus-y")) < 0.2
        # The poster's picture from the library: the path only, no description needed.
        page.click("button.media-open[data-picker=path]")
        dialog = page.locator("dialog.media-picker")
        dialog.wait_for(state="visible")
        page.fill("[data-picker-q]", "other")
        page.wait_for_function("() => document.querySelectorAll('[data-picker-results] li').length === 1")
        page.click("[data-picker-results] button.media-choice")
        expect(page.locator("[data-picker-alt]")).to_be_hidden()
        page.click("[data-picker-use]")
        dialog.wait_for(state="hidden")
        assert page.input_value("#f-poster-image") == "images/other.jpg"
        context.close()
    assert problems == []
    assert (content(app) / EVENT).read_bytes() == before


# ---------------------------------------------------------------------------------------------
# Saving a published page whose posters the build could not make


def publish_event(app):
    """The event page as published (committed), as the workflow leaves it."""
    path = content(app) / EVENT
    path.write_text(EVENT_TEXT.replace("status: draft", "status: published"), encoding="utf-8")
    git(content(app).parent, "add", "content")
    git(content(app).parent, "commit", "-q", "-m", "Publish")


def head(app) -> str:
    return git(content(app).parent, "rev-parse", "HEAD").strip()


@pytest.mark.parametrize("user, headline, words", [
    ("ed", "🎉🌸梨花节", ["大标题", "🎉"]),
    ("ko", "🎉🌸梨花节", ["큰 제목", "🎉"]),
    ("ed", "延吉市人民公园二〇二七年朝鲜族老年节敬老活动" * 6, ["大标题：", "放不下", "请缩短文字"]),
    ("ko", "延吉市人民公园二〇二七年朝鲜族老年节敬老活动" * 6, ["큰 제목: ", "들어가지 않습니다"]),
])
def test_published_page_with_a_poster_the_build_cannot_make_is_not_saved(cms, user, headline, words):
    app, client = cms
    publish_event(app)
    client = app.test_client()
    login(client, user)
    before, commit = (content(app) / EVENT).read_bytes(), head(app)
    data = edit_form(client, EVENT)
    data["poster.headline"] = headline
    r = client.post(f"/edit/{EVENT}", data=data)
    assert r.status_code == 422
    soup = BeautifulSoup(r.get_data(as_text=True), "html.parser")
    err = soup.find(id="f-poster-headline-err").get_text(" ", strip=True)
    assert all(w in err for w in words), err
    assert "does not" not in err and "cannot" not in err  # no English
    assert soup.find(id="f-poster-headline")["value"] == headline  # the typed text is kept
    assert (content(app) / EVENT).read_bytes() == before and head(app) == commit
    # The same headline on a draft is saved (the build makes posters of published pages only).
    (content(app) / EVENT).write_text(EVENT_TEXT, encoding="utf-8")
    git(content(app).parent, "commit", "-q", "-am", "Back to draft")
    data = edit_form(client, EVENT)
    data["poster.headline"] = headline
    assert client.post(f"/edit/{EVENT}", data=data).status_code == 302
    assert front(app, EVENT)["poster"]["headline"] == headline


def test_published_page_with_a_good_poster_is_saved(cms):
    app, client = cms
    publish_event(app)
    data = edit_form(client, EVENT)
    data["poster.headline"] = "梨花节"
    assert client.post(f"/edit/{EVENT}", data=data).status_code == 302
    assert front(app, EVENT)["poster"]["headline"] == "梨花节"


@pytest.mark.parametrize("published", [False, True])
def test_a_crafted_poster_format_is_refused_for_any_status(cms, published):
    app, client = cms
    if published:
        publish_event(app)
    before, commit = (content(app) / EVENT).read_bytes(), head(app)
    data = edit_form(client, EVENT)
    data.update({"poster.formats.XYZ": "true", "poster.subline": "新副标题"})
    r = client.post(f"/edit/{EVENT}", data=data)
    assert r.status_code == 422
    soup = BeautifulSoup(r.get_data(as_text=True), "html.parser")
    assert "没有名为 XYZ 的海报版式" in soup.find(id="f-poster-formats-err").get_text()
    assert soup.find(id="f-poster-subline")["value"] == "新副标题"
    assert (content(app) / EVENT).read_bytes() == before and head(app) == commit
    assert "XYZ" not in (content(app) / EVENT).read_text(encoding="utf-8")


def test_raw_editor_refuses_a_published_poster_the_build_cannot_make(cms):
    app, client = cms
    publish_event(app)
    before, commit = (content(app) / EVENT).read_bytes(), head(app)
    form = edit_form(client, EVENT)
    text = before.decode().replace("poster:\n", "poster:\n  headline: 🎉🌸梨花节\n")
    data = {"csrf_token": form["csrf_token"], "base_revision": form["base_revision"], "raw_text": text}
    r = client.post(f"/edit/{EVENT}", data=data)
    assert r.status_code == 422
    page = BeautifulSoup(r.get_data(as_text=True), "html.parser")
    assert "海报无法生成" in page.get_text() and "🎉" in page.get_text()
    assert page.find("textarea", attrs={"name": "raw_text"}).get_text().lstrip("\n") == text
    assert (content(app) / EVENT).read_bytes() == before and head(app) == commit
