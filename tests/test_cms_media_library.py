"""The image library (issue "Government editorial workflow", item 6): browse ``content/images``
with thumbnails, alt texts gathered from where the pages use each image, search by them, see
where an image is used, reuse it in the editor (insert into the text, set as cover), replace it
in place (same path, new bytes, audited), and the size limits shown before an upload."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from cms_helpers import DEFAULT_PASSWORD, csrf, db_rows, git, login, make_cms
from test_cms_media import phone_photo

CHEAP = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 8192, "ARGON2_PARALLELISM": 1}


def picture(size=(80, 60), color=(200, 30, 40), fmt="JPEG") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, fmt)
    return buf.getvalue()


def files() -> dict:
    return {
        "news/a.zh.md": "---\ntitle: 红花开了\ndate: 2026-01-01\nstatus: draft\ncover: images/2026/red.jpg\n"
                        "cover_alt: 红色的花\n---\n\n正文。\n",
        "news/a.ko.md": "---\ntitle: 붉은 꽃이 피었다\ndate: 2026-01-01\nstatus: draft\n---\n\n![붉은 꽃 \\[가까이\\]](../images/2026/red.jpg)\n",
        "parks/b.zh.md": "---\ntitle: 蓝天公园\ndate: 2026-02-01\nstatus: published\n---\n\n"
                         "<img src=\"../images/2026/blue.png\" alt=\"公园上空的蓝天\">\n\n![第二次用](/images/2026/red.jpg)\n",
        "images/2026/red.jpg": picture(),
        "images/2026/blue.png": picture((120, 90), (20, 40, 200), "PNG"),
        "images/photo.jpg": phone_photo(),
        "images/.hidden.jpg": picture(),
    }


@pytest.fixture
def cms(tmp_path):
    users = {"ed": {"roles": ["editor"], "display_name": "金编辑", "email": "jin@example.invalid"},
             "edrev": ["editor", "reviewer"], "rev": ["reviewer"], "tr": {"roles": ["translator"], "ui_lang": "ko"},
             "adm": ["admin"]}
    app, client = make_cms(tmp_path, users=users, content_files=files(), config=CHEAP)
    login(client, "ed")
    return app, client


def cards(page: str) -> dict[str, dict]:
    """The library page's images: ``{path: {alt, facts, thumb}}``."""
    soup = BeautifulSoup(page, "html.parser")
    out = {}
    for li in soup.select("ul.media-grid > li.media-card"):
        out[li.find("code", class_="details-line").get_text()] = {
            "alt": li.find(class_="media-alt").get_text(strip=True), "facts": " ".join(li.find(class_="media-facts").get_text().split()),
            "thumb": li.find("img")["src"], "link": li.find("a")["href"]}
    return out


def test_library_lists_images_with_alt_texts_and_uses(cms):
    app, client = cms
    r = client.get("/media/")
    assert r.status_code == 200
    found = cards(r.get_data(as_text=True))
    assert set(found) == {"images/2026/red.jpg", "images/2026/blue.png", "images/photo.jpg"}  # no hidden files
    assert found["images/2026/red.jpg"]["alt"] == "红色的花"  # the cover_alt of the first Chinese page
    assert found["images/2026/red.jpg"]["facts"] == "80 × 60 像素 · 1.2 KB · 用于 3 个页面".replace(
        "1.2 KB", found["images/2026/red.jpg"]["facts"].split(" · ")[1])
    assert found["images/2026/blue.png"]["alt"] == "公园上空的蓝天"  # from an HTML <img> of the text
    assert found["images/photo.jpg"]["alt"] == "还没有页面为这张图片写说明。"
    assert found["images/photo.jpg"]["facts"].endswith("未使用")
    assert found["images/2026/red.jpg"]["thumb"] == "/media/thumb/2026/red.jpg"
    assert found["images/2026/red.jpg"]["link"] == "/media/image/2026/red.jpg"


def test_search_by_alt_text_title_and_file_name(cms):
    _app, client = cms
    assert set(cards(client.get("/media/?q=红色").get_data(as_text=True))) == {"images/2026/red.jpg"}
    assert set(cards(client.get("/media/?q=붉은 꽃").get_data(as_text=True))) == {"images/2026/red.jpg"}
    assert set(cards(client.get("/media/?q=上空").get_data(as_text=True))) == {"images/2026/blue.png"}
    # A page title finds every image of the page (red.jpg is in the park's text too).
    assert set(cards(client.get("/media/?q=蓝天公园").get_data(as_text=True))) == {"images/2026/blue.png",
                                                                                 "images/2026/red.jpg"}
    assert set(cards(client.get("/media/?q=PHOTO").get_data(as_text=True))) == {"images/photo.jpg"}  # file name, any case
    page = client.get("/media/?q=没有这种图").get_data(as_text=True)
    assert cards(page) == {} and "没有符合的图片" in page


def test_library_json_for_the_picker(cms):
    """JSON for the editor's picker: the alt text of a page in the asked language, Markdown
    with it, and the pages using the image."""
    _app, client = cms
    data = client.get("/media/?format=json&lang=ko&q=red").get_json()
    assert data["total"] == 1
    (item,) = data["images"]
    assert item["path"] == "images/2026/red.jpg" and (item["width"], item["height"]) == (80, 60)
    assert item["alt"] == "붉은 꽃 [가까이]"
    assert item["markdown"] == "![붉은 꽃 \\[가까이\\]](../images/2026/red.jpg)"
    assert {p["title"] for p in item["pages"]} == {"红花开了", "붉은 꽃이 피었다", "蓝天公园"}
    assert item["thumb"] == "/media/thumb/2026/red.jpg"
    data = client.get("/media/?q=photo", headers={"Accept": "application/json"}).get_json()
    assert data["images"][0]["alt"] == "" and data["images"][0]["markdown"] == "![](../images/photo.jpg)"


def test_thumbnail_small_upright_cached(cms):
    app, client = cms
    r = client.get("/media/thumb/photo.jpg")
    assert r.status_code == 200 and r.mimetype == "image/webp"
    thumb = Image.open(io.BytesIO(r.data))
    assert thumb.format == "WEBP" and thumb.size == (40, 60)  # the 60x40 phone photo, turned upright
    assert thumb.convert("RGB").getpixel((thumb.width - 2, 2))[2] > 150  # the blue corner is top right now
    cached = list((Path(app.config["INSTANCE_DIR"]) / "thumbs").glob("*.webp"))
    assert len(cached) == 1
    assert client.get("/media/thumb/photo.jpg").data == r.data
    assert list((Path(app.config["INSTANCE_DIR"]) / "thumbs").glob("*.webp")) == cached
    for bad in ("../news/a.zh.md", "..%2Fnews%2Fa.zh.md", "2026/missing.jpg", "../../pelicanconf.py"):
        assert client.get(f"/media/thumb/{bad}").status_code == 404
        assert client.get(f"/media/image/{bad}").status_code == 404


def test_detail_page_shows_uses_with_titles_and_reuse(cms):
    _app, client = cms
    soup = BeautifulSoup(client.get("/media/image/2026/red.jpg").get_data(as_text=True), "html.parser")
    assert soup.h1.get_text() == "红色的花"
    rows = [[td.get_text(" ", strip=True) for td in tr.find_all("td")] for tr in soup.select("tbody tr[data-page]")]
    assert rows == [["붉은 꽃이 피었다 news/a.ko.md", "正文中", "붉은 꽃 [가까이]"],
                    ["红花开了 news/a.zh.md", "封面图", "红色的花"],
                    ["蓝天公园 parks/b.zh.md", "正文中", "第二次用"]]
    assert soup.select_one('tr[data-page="news/a.zh.md"] a')["href"] == "/edit/news/a.zh.md"
    assert soup.find(id="cover-path").get_text() == "images/2026/red.jpg"
    snippets = [c.get_text() for c in soup.select("code[id^=md-]")]
    assert snippets == ["![붉은 꽃 \\[가까이\\]](../images/2026/red.jpg)", "![红色的花](../images/2026/red.jpg)",
                        "![第二次用](../images/2026/red.jpg)"]


def test_replace_keeps_path_cleans_commits_and_audits(cms):
    """A PNG with EXIF put in place of the JPEG: same path, JPEG again, upright, no metadata;
    committed with the editor as author (one file); audited; the history says it in Chinese."""
    app, client = cms
    root = Path(app.config["PROJECT_DIR"])
    target = Path(app.config["CONTENT_DIR"]) / "images/photo.jpg"
    head = git(root, "rev-parse", "HEAD").strip()
    new = picture((30, 20), (10, 200, 10), "PNG")
    r = client.post("/media/replace/photo.jpg", data={"csrf_token": csrf(client), "file": (io.BytesIO(new), "green.png")})
    assert r.status_code == 303 and r.headers["Location"] == "/media/image/photo.jpg"
    image = Image.open(target)
    assert image.format == "JPEG" and image.size == (30, 20) and not image.getexif()
    assert image.convert("RGB").getpixel((15, 10))[1] > 150
    assert git(root, "log", "-1", "--format=%an|%s").strip() == "金编辑|Replace image images/photo.jpg"
    assert git(root, "diff", "--name-only", head, "HEAD").split() == ["content/images/photo.jpg"]
    assert db_rows(app, "SELECT action, target, detail FROM audit_log ORDER BY id DESC LIMIT 1") == \
        [{"action": "image_replace", "target": "images/photo.jpg", "detail": "from 'green.png', 30x20"}]
    page = client.get("/media/image/photo.jpg").get_data(as_text=True)
    assert "图片已替换" in page and "30 × 20 像素" in page
    # The same picture again: nothing to commit, said so.
    r = client.post("/media/replace/photo.jpg", data={"csrf_token": csrf(client), "file": (io.BytesIO(new), "green.png")},
                    follow_redirects=True)
    assert "新文件与原图片相同" in r.get_data(as_text=True)
    assert git(root, "rev-list", "--count", f"{head}..HEAD").strip() == "1"
    # The admin's audit page names it, with the file name as a detail.
    adm = app.test_client()
    login(adm, "adm")
    soup = BeautifulSoup(adm.get("/admin/audit").get_data(as_text=True), "html.parser")
    row = soup.find("tr", attrs={"data-action": "image_replace"})
    cells = [" ".join(td.get_text().split()) for td in row.find_all("td")]
    assert cells[2:5] == ["替换了图片", "images/photo.jpg", "原文件 green.png，30 × 20 像素"]
    assert row.find_all("td")[4].find("code").get_text() == "green.png"  # the file name as a detail


def test_replace_refusals_leave_the_image(cms):
    app, client = cms
    target = Path(app.config["CONTENT_DIR"]) / "images/photo.jpg"
    before = target.read_bytes()
    r = client.post("/media/replace/photo.jpg", data={"csrf_token": csrf(client),
                                                     "file": (io.BytesIO(b"not an image at all"), "x.jpg")})
    assert r.status_code == 400 and "不是图片" in BeautifulSoup(r.get_data(as_text=True), "html.parser").find(
        id="replace-error").get_text()
    r = client.post("/media/replace/photo.jpg", data={"csrf_token": csrf(client)})
    assert r.status_code == 400
    assert target.read_bytes() == before
    assert client.post("/media/replace/../news/a.zh.md", data={"csrf_token": csrf(client)}).status_code == 404


def test_image_of_a_published_page_needs_a_reviewer(cms):
    """blue.png is shown by a published page: an editor may not replace it (the change would
    go live without review); an editor who is also a reviewer may."""
    app, client = cms
    target = Path(app.config["CONTENT_DIR"]) / "images/2026/blue.png"
    before = target.read_bytes()
    page = client.get("/media/image/2026/blue.png").get_data(as_text=True)
    assert 'action="/media/replace/2026/blue.png"' not in page and "只有审核人可以替换" in page
    r = client.post("/media/replace/2026/blue.png", data={"csrf_token": csrf(client),
                                                         "file": (io.BytesIO(picture(fmt="PNG")), "new.png")})
    assert r.status_code == 403 and target.read_bytes() == before
    other = app.test_client()
    login(other, "edrev")
    assert 'action="/media/replace/2026/blue.png"' in other.get("/media/image/2026/blue.png").get_data(as_text=True)
    r = other.post("/media/replace/2026/blue.png", data={"csrf_token": csrf(other),
                                                        "file": (io.BytesIO(picture(fmt="PNG")), "new.png")})
    assert r.status_code == 303 and target.read_bytes() != before


def test_roles(cms):
    app, _client = cms
    rev, tr = app.test_client(), app.test_client()
    login(rev, "rev")
    login(tr, "tr")
    assert rev.get("/media/").status_code == 200  # a reviewer looks, but neither uploads nor replaces
    assert 'action="/media/replace/' not in rev.get("/media/image/photo.jpg").get_data(as_text=True)
    assert rev.post("/media/replace/photo.jpg", data={"csrf_token": csrf(rev)}).status_code == 403
    page = tr.get("/media/image/photo.jpg").get_data(as_text=True)
    assert 'action="/media/replace/photo.jpg"' in page and "그림 바꾸기" in page
    adm = app.test_client()
    login(adm, "adm")
    assert adm.get("/media/").status_code == 403


def test_limits_shown_before_upload(cms):
    """The upload page, the replace form and the editor (through the picker's template) show
    the limits — size and megapixels — and carry them for the check in the browser."""
    app, client = cms
    soup = BeautifulSoup(client.get("/media/upload").get_data(as_text=True), "html.parser")
    hint = soup.find(id="upload-file-hint").get_text()
    assert "最大 20 MB、40 百万像素（例如 7300 × 5400 像素）" in hint
    field = soup.find(id="upload-file")
    assert field["data-max-bytes"] == str(20 * 1024 * 1024) and field["data-max-pixels"] == "40000000"
    soup = BeautifulSoup(client.get("/edit/news/a.zh.md").get_data(as_text=True), "html.parser")
    template = soup.find("template", id="media-picker")
    assert template["data-library-url"] == "/media/" and template["data-max-pixels"] == "40000000"
    assert "40 百万像素" in template.find(attrs={"data-msg": "limits"}).decode_contents()
    assert soup.find("script", src="/static/media.js") is not None
    rev = app.test_client()
    login(rev, "rev")  # no upload right: no picker
    page = rev.get("/edit/parks/b.zh.md").get_data(as_text=True)
    assert 'id="media-picker"' not in page and "/static/media.js" not in page


def test_limits_follow_the_configuration(tmp_path):
    app, client = make_cms(tmp_path, users={"ed": ["editor"]}, content_files={"news/a.zh.md": files()["news/a.zh.md"]},
                           config={**CHEAP, "UPLOAD_MAX_BYTES": 5 * 1024 * 1024, "UPLOAD_MAX_PIXELS": 12_000_000})
    login(client, "ed")
    hint = BeautifulSoup(client.get("/media/upload").get_data(as_text=True), "html.parser").find(id="upload-file-hint")
    assert "最大 5 MB、12 百万像素（例如 4000 × 3000 像素）" in hint.get_text()


# ---------------------------------------------------------------------------------------------
# In a real browser: the picker in the editor and the check before an upload


def test_picker_and_limits_in_the_browser(cms, browser):
    """Chromium: "Choose from the library" under the text inserts the image with the page
    language's alt text at the cursor; next to the cover field it fills cover and cover_alt;
    on the upload page a picture over the pixel limit is named before anything is sent; no
    CSP violation or script error."""
    from playwright.sync_api import expect
    from test_cms_security import serve_app

    app, _client = cms
    big = picture((8000, 6000), (250, 250, 250))  # 48 megapixels, a small file
    with serve_app(app) as base:
        context = browser.new_context(viewport={"width": 1366, "height": 1000}, locale="zh-CN")
        page = context.new_page()
        problems = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(f"{base}/login?next=/edit/news/a.ko.md")
        page.fill("#username", "edrev")
        page.fill("#password", DEFAULT_PASSWORD)
        page.press("#password", "Enter")
        page.wait_for_url(f"{base}/edit/news/a.ko.md")
        page.evaluate("() => { const b = document.getElementById('body'); b.focus(); b.setSelectionRange(0, 0); }")
        page.click("button.media-open[data-picker=body]")
        dialog = page.locator("dialog.media-picker")
        dialog.wait_for(state="visible")
        page.fill("[data-picker-q]", "红色")
        one = """(word) => { const items = document.querySelectorAll('[data-picker-results] li');
                              return items.length === 1 && items[0].textContent.includes(word); }"""
        page.wait_for_function(one, arg="붉은")
        page.click("[data-picker-results] button.media-choice")
        assert page.input_value("[data-picker-alt]") == "붉은 꽃 [가까이]"  # the Korean page's alt text
        page.click("[data-picker-use]")
        dialog.wait_for(state="hidden")
        assert page.input_value("#body").startswith("\n![붉은 꽃 \\[가까이\\]](../images/2026/red.jpg)\n")
        # The cover: an image no page describes yet needs a description first.
        page.click("button.media-open[data-picker=cover]")
        dialog.wait_for(state="visible")
        page.fill("[data-picker-q]", "photo")
        page.wait_for_function(one, arg="photo.jpg")
        page.click("[data-picker-results] button.media-choice")
        page.click("[data-picker-use]")
        assert "替代文字为必填" in page.text_content("[data-picker-status]")
        assert dialog.is_visible()
        page.fill("[data-picker-alt]", "연길의 사진")
        page.click("[data-picker-use]")
        dialog.wait_for(state="hidden")
        assert page.input_value("#f-cover") == "images/photo.jpg"
        assert page.input_value("#f-cover_alt") == "연길의 사진"
        # Saving keeps both (the picker only fills the form).
        page.click("#page-form button[name=save]")
        page.wait_for_load_state()
        text = (Path(app.config["CONTENT_DIR"]) / "news/a.ko.md").read_text(encoding="utf-8")
        assert "cover: images/photo.jpg" in text and "cover_alt: 연길의 사진" in text
        assert "\n![붉은 꽃 \\[가까이\\]](../images/2026/red.jpg)\n" in text
        # The upload page: the limits are checked before sending.
        page.goto(f"{base}/media/upload")
        page.set_input_files("#upload-file", files=[{"name": "big.jpg", "mimeType": "image/jpeg", "buffer": big}])
        expect(page.locator("#upload-check")).not_to_be_empty()
        message = page.text_content("#upload-check")
        assert "8000 × 6000" in message and "48.0" in message and "40" in message
        assert page.get_attribute("form[data-media-check] button[type=submit]", "disabled") is not None
        page.set_input_files("#upload-file", files=[{"name": "ok.jpg", "mimeType": "image/jpeg", "buffer": picture()}])
        expect(page.locator("#upload-check")).to_contain_text("80 × 60")
        assert page.get_attribute("form[data-media-check] button[type=submit]", "disabled") is None
        context.close()
    assert problems == []
