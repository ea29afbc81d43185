"""End-to-end tests of the CMS in a real browser (Playwright driving Debian's /usr/bin/chromium;
the session ``browser`` fixture of conftest.py): the app runs in a thread (werkzeug
``make_server``) on a free port against a fresh project copy (tests/cms_helpers.make_cms).

* issue #7 item 12: log in, create a Chinese article, translate it into Korean side by side,
  send both to review, approve as reviewer (publishes), find both pages in the built site;
* W2: autosave in the browser survives closing the tab, is offered back, kept until saved;
* W3: text typed through an IME composition (CDP Input.imeSetComposition / Input.insertText,
  as Chromium's IME does) is inserted exactly once — textarea, preview, draft and saved file.
"""

from __future__ import annotations

import json
import threading
import time
from contextlib import contextmanager

import pytest
from bs4 import BeautifulSoup

from cms_helpers import DEFAULT_PASSWORD, PROJECT, make_cms

pytestmark = pytest.mark.skipif(not __import__("pathlib").Path("/usr/bin/chromium").exists(),
                                reason="Chromium is not installed at /usr/bin/chromium")

DRAFT = "---\ntitle: 安图县人口文化宣传周\ndate: 2026-10-01\nstatus: draft\n---\n\n宣传周开幕。\n"
USERS = {"ed": {"roles": ["editor"], "display_name": "张编辑"}, "tr": {"roles": ["translator"], "ui_lang": "ko"},
         "rev": ["reviewer"]}


@contextmanager
def running(app):
    """Serve ``app`` on 127.0.0.1 at a free port in a thread; yields the base URL."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log_request(self, *args, **kwargs):  # no access log in the test output
            pass

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


@pytest.fixture
def live(tmp_path):
    files = {"news/antu.zh.md": DRAFT,
             "images/jindallae-azalea.jpg": (PROJECT / "content/images/jindallae-azalea.jpg").read_bytes()}
    app, _client = make_cms(tmp_path, users=USERS, content_files=files)
    with running(app) as url:
        yield app, url


def sign_in(context, url, user):
    page = context.new_page()
    page.goto(f"{url}/login")
    page.fill("#username", user)
    page.fill("#password", DEFAULT_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{url}/")
    return page


def test_e2e_create_translate_review_publish(browser, live):
    """Item 12: the whole bilingual workflow through the browser, checked on the built site."""
    app, url = live
    out = app.config["OUTPUT_DIR"]
    editor = browser.new_context()
    page = sign_in(editor, url, "ed")
    page.goto(f"{url}/new?section=news&lang=zh")
    page.fill("#f-title", "图们市举办人口文化讲座")
    page.fill("#f-date", "2026-11-20")
    page.fill("#f-summary", "讲座介绍新的人口政策。")
    page.fill("#body", "图们市人口文化讲座在市文化馆举行。\n\n## 讲座内容\n\n介绍新的生育支持政策。\n")
    page.click("#new-form button[type=submit]")
    page.wait_for_url(f"{url}/edit/**")
    rel = page.url.split("/edit/", 1)[1].split("?")[0]
    section, name = rel.split("/")
    slug = name.split(".")[0]
    assert section == "news" and rel.endswith(".zh.md")
    assert page.locator(".status").first.inner_text() == "草稿"

    translator = browser.new_context()
    tpage = sign_in(translator, url, "tr")
    tpage.goto(f"{url}/translate/news/{slug}.ko.md")
    assert "图们市人口文化讲座在市文化馆举行。" in tpage.locator(".source-rendered").inner_text()
    tpage.click("form[action$='/create'] button")
    tpage.wait_for_selector("#page-form")
    assert "图们市人口文化讲座" in tpage.locator("#source-raw").input_value()  # source left, read-only
    assert tpage.locator("#source-raw").get_attribute("readonly") is not None
    tpage.fill("#f-title", "투먼시 인구문화 강좌")
    tpage.fill("#f-summary", "강좌에서 새 인구 정책을 소개했습니다.")
    tpage.fill("#body", "투먼시 인구문화 강좌가 시 문화관에서 열렸습니다.\n\n## 강좌 내용\n\n새 출산 지원 정책을 소개했습니다.\n")
    tpage.click("#page-form button[name=save]")
    tpage.wait_for_url(f"{url}/translate/news/{slug}.ko.md?saved=*")
    tpage.click("form[action*='/workflow/review/'] button")
    tpage.wait_for_load_state()
    page.goto(f"{url}/edit/{rel}")
    page.click("form[action*='/workflow/review/'] button")
    page.wait_for_load_state()
    assert page.locator(".status").first.inner_text() == "待审核"

    reviewer = browser.new_context()
    rpage = sign_in(reviewer, url, "rev")
    rpage.goto(f"{url}/workflow/")
    assert rpage.locator(".review-queue li").count() == 2
    for path in (rel, f"news/{slug}.ko.md"):
        rpage.goto(f"{url}/edit/{path}")
        rpage.click("form[action*='/workflow/approve/'] button")
        rpage.wait_for_url(f"{url}/publish/log/*")  # the publish runs in the background; its log page
        # said as started, not as published: only the log says when the site has changed
        assert "次发布已开始：发布完成后网站才会更新" in rpage.locator(".flash-info").first.inner_text()
    for thread in list(app.extensions.get("cms_publish_threads", {}).values()):
        thread.join(120)
    for context in (editor, translator, reviewer):
        context.close()

    zh_file = out / "news" / slug / "index.html"
    ko_file = out / "ko" / "news" / slug / "index.html"
    assert zh_file.is_file() and ko_file.is_file()
    zh = BeautifulSoup(zh_file.read_text(encoding="utf-8"), "html.parser")
    ko = BeautifulSoup(ko_file.read_text(encoding="utf-8"), "html.parser")
    assert zh.html["lang"] == "zh-Hans" and ko.html["lang"] == "ko"
    assert zh.find("h1").get_text(strip=True) == "图们市举办人口文化讲座"
    assert ko.find("h1").get_text(strip=True) == "투먼시 인구문화 강좌"
    zh_alt = {l["hreflang"]: l["href"] for l in zh.find_all("link", rel="alternate", hreflang=True)}
    ko_alt = {l["hreflang"]: l["href"] for l in ko.find_all("link", rel="alternate", hreflang=True)}
    assert zh_alt["ko"].endswith(f"/ko/news/{slug}/") and ko_alt["zh-Hans"].endswith(f"/news/{slug}/")
    assert "新的生育支持政策" in zh.find(class_="article-body").get_text()


def draft_keys(page):
    return page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('jindallae-draft:'))")


def test_W2_autosave_offered_back_after_closing_and_kept_until_saved(browser, live):
    """W2: type, close the tab, open again: "restore unsaved text" is offered; restoring puts
    the text back and keeps it stored (a reload offers it again); a confirmed save clears it."""
    app, url = live
    path = app.config["CONTENT_DIR"] / "news/antu.zh.md"
    context = browser.new_context()
    page = sign_in(context, url, "ed")
    page.goto(f"{url}/edit/news/antu.zh.md")
    assert page.locator("#draft-offer").is_hidden()
    page.click("#body")
    page.keyboard.press("End")
    page.keyboard.press("Control+End")
    page.keyboard.insert_text("自动保存的新段落。")
    page.wait_for_function("() => Object.keys(localStorage).some(k => k.startsWith('jindallae-draft:news/antu.zh.md:'))",
                           timeout=5000)
    page.close()  # the tab is closed without saving; the browser (context) stays

    page = context.new_page()
    page.goto(f"{url}/edit/news/antu.zh.md")
    assert page.locator("#draft-offer").is_visible()
    assert "自动保存的新段落。" not in page.locator("#body").input_value()
    page.click("#draft-restore")
    assert page.locator("#body").input_value().count("自动保存的新段落。") == 1
    assert page.locator("#draft-offer").is_hidden()
    page.reload()
    assert page.locator("#draft-offer").is_visible()  # still stored: not saved, not discarded
    assert len(draft_keys(page)) == 1
    page.click("#draft-restore")
    page.click("#page-form button[name=save]")
    page.wait_for_url(f"{url}/edit/news/antu.zh.md?saved=*")
    assert draft_keys(page) == []  # cleared only now that the server confirmed the save
    assert path.read_text(encoding="utf-8").count("自动保存的新段落。") == 1
    page.reload()
    assert page.locator("#draft-offer").is_hidden()

    # discard: the draft is dropped and not offered again
    page.click("#body")
    page.keyboard.press("Control+End")
    page.keyboard.insert_text("不要的文字")
    page.wait_for_function("() => Object.keys(localStorage).some(k => k.startsWith('jindallae-draft:'))", timeout=5000)
    page.reload()
    page.click("#draft-discard")
    assert draft_keys(page) == []
    page.reload()
    assert page.locator("#draft-offer").is_hidden()
    assert "不要的文字" not in path.read_text(encoding="utf-8")
    context.close()


def compose(cdp, steps, final):
    """Type through an IME: composition updates (Input.imeSetComposition), then the commit
    (Input.insertText), as Chromium's input method path does."""
    for text in steps:
        cdp.send("Input.imeSetComposition", {"text": text, "selectionStart": len(text), "selectionEnd": len(text)})
    return lambda: cdp.send("Input.insertText", {"text": final})


def test_W3_ime_composition_inserted_exactly_once(browser, live):
    """W3: 人口文化 and 인구문화 typed through IME compositions appear exactly once in the
    textarea, the live preview, the autosaved draft and the saved file; neither the preview
    nor the autosave runs while a composition is in progress."""
    app, url = live
    path = app.config["CONTENT_DIR"] / "news/antu.zh.md"
    context = browser.new_context()
    page = sign_in(context, url, "ed")
    page.goto(f"{url}/edit/news/antu.zh.md")
    page.wait_for_function("() => document.getElementById('preview').shadowRoot && "
                           "document.getElementById('preview').shadowRoot.getElementById('preview-body')")
    page.evaluate("""() => { window.__events = [];
        for (const t of ['compositionstart', 'compositionupdate', 'compositionend', 'input'])
          document.getElementById('body').addEventListener(t, e => window.__events.push(t + (e.isComposing ? '*' : ''))); }""")
    previews = []
    page.on("request", lambda req: previews.append(time.monotonic()) if req.url.endswith("/preview") else None)
    page.click("#body")
    page.keyboard.press("Control+End")
    cdp = context.new_cdp_session(page)

    for steps, final in ((["人", "人口", "人口文", "人口文化"], "人口文化"), (["인", "인구", "인구무", "인구문", "인구문화"], "인구문화")):
        before = len(previews)
        commit = compose(cdp, steps, final)
        time.sleep(1.6)  # longer than the autosave debounce (1 s) and the preview debounce
        events = page.evaluate("() => window.__events")
        assert "compositionstart" in events and "compositionupdate" in events and "input*" in events
        assert len(previews) == before, "preview fired mid-composition"
        assert draft_keys(page) == [] or final not in page.evaluate(
            "() => JSON.stringify(Object.values(localStorage))"), "autosave mid-composition"
        commit()
        page.wait_for_function("t => window.__events.includes('compositionend')", arg=final)
        page.evaluate("() => { window.__events = []; }")
        assert page.locator("#body").input_value().count(final) == 1
        page.wait_for_function("t => { const b = document.getElementById('preview').shadowRoot.getElementById('preview-body');"
                               " return b && b.textContent.includes(t); }", arg=final, timeout=5000)
        page.wait_for_function("t => Object.values(localStorage).some(v => v.includes(t))", arg=final, timeout=5000)

    value = page.locator("#body").input_value()
    assert value.count("人口文化") == 1 and value.count("인구문화") == 1
    preview_text = page.locator("#preview-body").inner_text()  # Playwright pierces the open shadow root
    assert preview_text.count("人口文化") == 1 and preview_text.count("인구문화") == 1
    drafts = [json.loads(v) for v in page.evaluate("() => Object.values(localStorage)")]
    assert len(drafts) == 1
    assert drafts[0]["fields"]["body"].count("人口文化") == 1 and drafts[0]["fields"]["body"].count("인구문화") == 1
    page.click("#page-form button[name=save]")
    page.wait_for_url(f"{url}/edit/news/antu.zh.md?saved=*")
    body = path.read_text(encoding="utf-8").split("---\n", 2)[2]  # (the title has 人口文化 too)
    assert body.count("人口文化") == 1 and body.count("인구문화") == 1
    assert body == "\n宣传周开幕。\n人口文化인구문화"
    context.close()


def test_image_insert_requires_alt_text_and_no_csp_violations(browser, live):
    """Item 5 / W5 (editor side): the image is not uploaded or inserted before alt text is
    given; then FOUNDATION's /media/upload stores it and the returned Markdown is inserted at
    the cursor and shown in the preview.  No Content-Security-Policy violation on the page."""
    from site_helpers import jpeg_bytes

    app, url = live
    context = browser.new_context()
    page = sign_in(context, url, "ed")
    console = []
    page.on("console", lambda msg: console.append(msg.text))
    uploads = []
    page.on("request", lambda req: uploads.append(req.url) if req.url.endswith("/media/upload") else None)
    page.goto(f"{url}/edit/news/antu.zh.md")
    page.set_input_files("#image-file", files=[{"name": "photo.jpg", "mimeType": "image/jpeg",
                                                "buffer": jpeg_bytes(size=(320, 200))}])
    page.click("#image-insert")
    assert page.locator("#image-status").inner_text() == "请先描述图片内容（替代文字为必填）。"
    assert uploads == [] and "![" not in page.locator("#body").input_value()
    page.fill("#image-alt", "安图县宣传周现场")
    page.click("#image-insert")
    page.wait_for_function("() => document.getElementById('body').value.includes('![安图县宣传周现场](')", timeout=10000)
    value = page.locator("#body").input_value()
    assert value.count("![安图县宣传周现场](") == 1 and len(uploads) == 1
    page.wait_for_function("() => { const b = document.getElementById('preview').shadowRoot.getElementById('preview-body');"
                           " return b && b.querySelector('img[alt=\"安图县宣传周现场\"]'); }", timeout=5000)
    src = page.locator("#preview-body img").get_attribute("src")
    assert src.startswith("/content-file/images/")
    assert page.evaluate("s => fetch(s).then(r => r.status)", src) == 200
    assert not [m for m in console if "Content Security Policy" in m], console
    context.close()


def test_W1_stale_save_in_the_browser_merge_and_save(browser, live):
    """W1 in the browser: A and B open the page, A saves, B's save is refused with both
    versions; B's text is still in the editor; B takes the combined text into the form and
    saves with the new base revision: both changes are in the file."""
    app, url = live
    path = app.config["CONTENT_DIR"] / "news/antu.zh.md"
    ctx_a, ctx_b = browser.new_context(), browser.new_context()
    a, b = sign_in(ctx_a, url, "ed"), sign_in(ctx_b, url, "rev")
    console = []
    b.on("console", lambda msg: console.append(msg.text))
    for page in (a, b):
        page.goto(f"{url}/edit/news/antu.zh.md")
    a.fill("#f-summary", "甲写的摘要")
    a.click("#page-form button[name=save]")
    a.wait_for_url(f"{url}/edit/news/antu.zh.md?saved=*")
    b.click("#body")
    b.keyboard.press("Control+End")
    b.keyboard.insert_text("乙补充的段落。")
    b.click("#page-form button[name=save]")
    b.wait_for_selector("#merge-theirs")
    assert "甲写的摘要" in b.locator("#merge-theirs").input_value()
    assert "乙补充的段落。" in b.locator("#body").input_value()  # nothing lost
    assert "甲写的摘要" in path.read_text(encoding="utf-8") and "乙补充的段落。" not in path.read_text(encoding="utf-8")
    b.click("#merge-use")
    assert b.locator("#f-summary").input_value() == "甲写的摘要"
    assert b.locator("#body").input_value().count("乙补充的段落。") == 1
    b.click("#page-form button[name=save]")
    b.wait_for_url(f"{url}/edit/news/antu.zh.md?saved=*")
    text = path.read_text(encoding="utf-8")
    assert "summary: 甲写的摘要" in text and text.count("乙补充的段落。") == 1
    assert not [m for m in console if "Content Security Policy" in m], console
    ctx_a.close()
    ctx_b.close()


def test_content_pages_have_no_axe_violations(browser, live):
    """Item 2 (keyboard and screen-reader use): axe-core finds no violations on the content
    list, new page, edit (with a refused save), translate (with a source diff), history, diff
    and schedule pages."""
    from test_a11y import AXE

    if not AXE.exists():
        pytest.skip("axe-core is not installed: run `make test`")
    app, url = live
    context = browser.new_context(bypass_csp=True)  # (only so that axe itself can be injected)
    page = sign_in(context, url, "rev")
    editor = sign_in(browser.new_context(), url, "ed")
    editor.goto(f"{url}/edit/news/antu.zh.md")
    editor.fill("#f-summary", "一个摘要")
    editor.click("#page-form button[name=save]")
    editor.wait_for_url(f"{url}/edit/news/antu.zh.md?saved=*")
    from cms.content_store import ContentStore

    store = ContentStore.for_project(app.config["PROJECT_DIR"], app.config["CONTENT_DIR"])
    commits = [r.commit for r in store.history("news/antu.zh.md")]

    def violations():
        page.evaluate(AXE.read_text(encoding="utf-8"))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        return [f"{v['id']}: {v['help']} — " + "; ".join(" ".join(map(str, n["target"])) for n in v["nodes"][:3])
                for v in result["violations"]]

    found = {}
    for path in ("/", "/new?section=events&lang=zh", "/edit/news/antu.zh.md", "/translate/news/antu.ko.md",
                 "/history/news/antu.zh.md", f"/history/news/antu.zh.md/diff?a={commits[1]}&b={commits[0]}",
                 "/workflow/", "/workflow/schedule"):
        page.goto(url + path)
        found[path] = violations()
    page.goto(f"{url}/edit/news/antu.zh.md")
    page.fill("#f-title", "")
    page.click("#page-form button[name=save]")
    page.wait_for_selector("#f-title-err")
    found["edit, refused"] = violations()
    assert {k: v for k, v in found.items() if v} == {}
    context.close()


def test_W2_text_typed_just_before_a_failed_save_is_kept(browser, live):
    """W2/W6: text typed right before pressing Save is stored at once; when the save does not
    succeed (here: the session has ended and the form is refused) the text is offered back
    when the page is opened again after signing in."""
    app, url = live
    path = app.config["CONTENT_DIR"] / "news/antu.zh.md"
    before = path.read_bytes()
    context = browser.new_context()
    page = sign_in(context, url, "ed")
    page.goto(f"{url}/edit/news/antu.zh.md")
    page.click("#body")
    page.keyboard.press("Control+End")
    page.keyboard.insert_text("最后一刻写的句子。")
    context.clear_cookies()  # the session is gone (timeout, signed out elsewhere)
    with page.expect_navigation() as nav:
        page.click("#page-form button[name=save]")  # immediately: before the 1 s autosave
    assert nav.value.status == 400  # refused (no session, no valid token): nothing saved
    assert path.read_bytes() == before
    page = sign_in(context, url, "ed")
    page.goto(f"{url}/edit/news/antu.zh.md")
    assert page.locator("#draft-offer").is_visible()
    page.click("#draft-restore")
    assert page.locator("#body").input_value().count("最后一刻写的句子。") == 1
    context.close()
