"""The CMS side of the importers (cms/importer.py): "Import a Word document" on New page (the
draft opens in the editor, pictures and page in one commit) and "clean up pasted text" on the
editor body (server side, nothing saved).  Messages in the editor's interface language."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from cms_helpers import csrf, db_rows, git, login, make_cms
from site_helpers import md
from test_import_docx import SLUG, build_word, make_bad

REPORT = (Path(__file__).resolve().parent / "fixtures" / "docx" / "province-report.txt").read_text(encoding="utf-8")
STARTER = {"news/existing.zh.md": md("title: 已有页面\ndate: 2026-03-01")}


def upload(client, data: bytes, name: str, section: str = "news", lang: str = "zh", slug: str = ""):
    return client.post(f"/import/docx?section={section}&lang={lang}",
                       data={"csrf_token": csrf(client), "section": section, "lang": lang, "slug": slug,
                             "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def content_files(app) -> list[str]:
    root = Path(app.config["CONTENT_DIR"])
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def commits(app) -> int:
    return int(git(Path(app.config["PROJECT_DIR"]), "rev-list", "--count", "HEAD").strip())


def test_T6_cms_imports_a_word_document_as_a_draft(tmp_path):
    app, client = make_cms(tmp_path, users={"ed": ["editor"]}, content_files=STARTER)
    login(client, "ed")
    docx = build_word(tmp_path / "报告.docx").read_bytes()
    before = commits(app)
    response = upload(client, docx, "../../上级/报告.docx")  # a path in the name: only the last part is used
    rel = f"news/{SLUG}.zh.md"
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/edit/{rel}?saved=new")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "报告.docx 已导入为草稿" in page and "上级" not in page
    assert "每张图片都需要替代文字" in page  # the pictures' TODO, in the editor's language
    assert "行含繁体字，系统没有自动转换" in page  # Traditional characters reported, not converted
    body = re.search(r'<textarea id="body"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert "## 一、主要工作" in body and "&lt;td colspan=&#34;2&#34;&gt;合计" in body and "報告結束。" in body
    assert 'id="paste-clean"' in page  # the clean-up button is on the editor too
    # one commit with the page and its picture, the editor as author
    assert commits(app) == before + 1
    project = Path(app.config["PROJECT_DIR"])
    log = git(project, "log", "-1", "--name-only", "--format=%an|%s").strip().split("\n")
    assert log[0] == f"Ed|Import {rel}: 延边州人口文化工作情况报告 (from 报告.docx)"
    names = sorted(line for line in log[1:] if line)
    assert len(names) == 2 and names[1] == f"content/{rel}" and re.fullmatch(r"content/images/\d{4}/.*\.jpg", names[0])
    assert git(project, "status", "--porcelain", "--", "content").strip() == ""
    assert (Path(app.config["CONTENT_DIR"]) / rel).read_text(encoding="utf-8").count("status: draft") == 1
    rows = db_rows(app, "SELECT action, target, detail FROM audit_log WHERE action = 'import'")
    assert rows == [{"action": "import", "target": rel, "detail": "from '报告.docx', 1 picture(s)"}]


@pytest.mark.parametrize("kind,ui_lang,message", [
    ("truncated", "zh", "报告.docx：文件已损坏或不完整"),
    ("encrypted", "ko", "报告.docx: 암호가 걸린 문서라서 읽을 수 없습니다"),
    ("zip-bomb", "zh", "报告.docx：文档解压后超过 200.0 MB"),
    ("picture", "ko", "报告.docx: Word 문서(.docx)가 아닙니다"),
])
def test_cms_refuses_bad_documents_nothing_written(kind, ui_lang, message, tmp_path):
    app, client = make_cms(tmp_path, users={"ed": {"roles": ["editor"], "ui_lang": ui_lang}}, content_files=STARTER)
    login(client, "ed")
    source = tmp_path / "in"
    source.mkdir()
    data = make_bad(kind, source).read_bytes()
    before, count = content_files(app), commits(app)
    response = upload(client, data, "报告.docx", section="events")
    assert response.status_code == 302 and response.headers["Location"].endswith("/new?section=events&lang=zh")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert message in page
    assert content_files(app) == before and commits(app) == count
    assert db_rows(app, "SELECT action, target FROM audit_log WHERE action = 'import_refused'") == \
        [{"action": "import_refused", "target": "报告.docx"}]


def test_cms_import_git_failure_leaves_nothing(tmp_path):
    """git refuses the commit (a failing hook): the page and its picture are removed again and
    the index is clean; the editor is told, in the interface language."""
    app, client = make_cms(tmp_path, users={"ed": {"roles": ["editor"], "ui_lang": "ko"}}, content_files=STARTER)
    hook = Path(app.config["PROJECT_DIR"]) / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'hook says no' >&2\nexit 1\n")
    hook.chmod(0o755)
    login(client, "ed")
    before, count = content_files(app), commits(app)
    response = upload(client, build_word(tmp_path / "报告.docx").read_bytes(), "报告.docx")
    assert response.status_code == 302 and "/new?section=news" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "가져오지 못했습니다: 새 " in page and "(git: hook says no)" in page
    assert content_files(app) == before and commits(app) == count
    assert git(Path(app.config["PROJECT_DIR"]), "status", "--porcelain", "--", "content").strip() == ""


def test_cms_import_size_limits(tmp_path):
    """Over UPLOAD_MAX_BYTES: refused with the limit named; over the request limit (413) too,
    back on New page, not on a generic error page."""
    app, client = make_cms(tmp_path, users={"ed": ["editor"]}, content_files=STARTER,
                           config={"UPLOAD_MAX_BYTES": 20_000})
    login(client, "ed")
    docx = build_word(tmp_path / "报告.docx").read_bytes()
    assert len(docx) > 20_000
    response = upload(client, docx, "报告.docx")
    assert f"报告.docx：文件大小为 {len(docx) / 1024:.1f} KB，超过上限 19.5 KB" in \
        client.get(response.headers["Location"]).get_data(as_text=True)
    response = upload(client, b"PK" + b"\0" * 1_200_000, "大文件.docx")
    assert response.status_code == 302 and "/new?section=news" in response.headers["Location"]
    assert "Word 文档大于 19.5 KB，未导入" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert content_files(app) == ["news/existing.zh.md"]


def test_cms_import_permissions(tmp_path):
    app, client = make_cms(tmp_path, users={"tr": ["translator"]}, content_files=STARTER)
    docx = build_word(tmp_path / "报告.docx").read_bytes()
    response = upload(client, docx, "报告.docx")
    assert response.status_code in (302, 400) and content_files(app) == ["news/existing.zh.md"]  # not signed in
    login(client, "tr")
    assert upload(client, docx, "报告.docx").status_code == 403
    token = csrf(client)
    cleaned = client.post("/import/clean", json={"text": "一、总体\n正文", "lang": "zh"}, headers={"X-CSRF-Token": token})
    assert cleaned.status_code == 200  # translators clean up pasted text in their editor too


def test_new_page_offers_the_import_and_the_clean_up(tmp_path):
    app, client = make_cms(tmp_path, users={"ed": {"roles": ["editor"], "ui_lang": "ko"}}, content_files=STARTER)
    login(client, "ed")
    page = client.get("/new?section=events&lang=zh").get_data(as_text=True)
    assert 'action="/import/docx?section=events&amp;lang=zh"' in page and 'enctype="multipart/form-data"' in page
    assert "Word 문서 가져오기" in page and "초안으로 가져오기" in page
    assert 'id="paste-clean"' in page and "붙여 넣은 글 정리" in page and "paste-cleanup.js" in page
    script = client.get("/static/paste-cleanup.js")
    assert script.status_code == 200 and b"/import/clean" not in script.data  # the address comes from the page
    script.close()


def test_clean_up_pasted_text(tmp_path):
    app, client = make_cms(tmp_path, users={"ed": {"roles": ["editor"], "ui_lang": "ko"}}, content_files=STARTER)
    login(client, "ed")
    token = csrf(client)
    body = REPORT.split("\n", 1)[1]
    response = client.post("/import/clean", json={"text": body, "lang": "zh"}, headers={"X-CSRF-Token": token})
    data = response.get_json()
    assert response.status_code == 200 and data["changed"] is True and data["notes"] == []
    assert data["markdown"].startswith("2026年，全省人口文化工作堅持以人民為中心，各項工作取得新進展。")
    assert "\n\n## 一、總體情況\n\n全省共舉辦" in data["markdown"] and "\n\n### （一）加強宣傳教育\n\n" in data["markdown"]
    assert "\u3000" not in data["markdown"] and "報告" in data["markdown"]  # nothing converted
    # the clipboard's HTML (WeChat) gives the structure; notes in the interface language
    html = ('<section style="x"><p><span style="color:red"><strong>延吉市</strong></span> 开展活动。</p>'
            '<p><img data-src="https://mmbiz.qpic.cn/a.jpg"></p></section>')
    data = client.post("/import/clean", json={"text": "延吉市 开展活动。", "html": html, "lang": "zh"},
                       headers={"X-CSRF-Token": token}).get_json()
    assert data["markdown"] == "**延吉市**开展活动。\n\n![TODO：请描述图片内容](https://mmbiz.qpic.cn/a.jpg)\n"
    assert data["notes"] == ["붙여 넣은 글: 그림 1장이 다른 사이트를 가리킵니다(https://mmbiz.qpic.cn/a.jpg). "
                             "내려받아 '그림 넣기'로 올리고 설명을 쓰세요"]
    same = client.post("/import/clean", json={"text": "已经整齐的一段。\n", "lang": "zh"},
                       headers={"X-CSRF-Token": token}).get_json()
    assert same["changed"] is False
    # no CSRF token: refused; not JSON: 400; too long: 413
    assert client.post("/import/clean", json={"text": "x"}).status_code == 400
    assert client.post("/import/clean", data="x", headers={"X-CSRF-Token": token,
                                                            "Content-Type": "text/plain"}).status_code == 400
    big = client.post("/import/clean", json={"text": "字" * 2_000_001}, headers={"X-CSRF-Token": token})
    assert big.status_code == 413 and "2,000,000" in big.get_json()["error"]


# ---------------------------------------------------------------------------------------------
# In a real browser (the editor's button and its script)


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Chromium is not installed at /usr/bin/chromium")
def test_clean_up_button_in_the_browser(browser, tmp_path):
    """The editor pastes the report (plain text) and then a WeChat snippet (the clipboard also
    holds HTML): "clean up pasted text" shows the result, "use" puts it into the body and the
    preview follows; no CSP violation."""
    from test_cms_e2e import running, sign_in

    draft = "---\ntitle: 报告\ndate: 2026-03-01\nstatus: draft\n---\n\n"
    app, _client = make_cms(tmp_path, users={"ed": ["editor"]}, content_files={"news/baogao.zh.md": draft})
    with running(app) as url:
        context = browser.new_context()
        page = sign_in(context, url, "ed")
        console = []
        page.on("console", lambda msg: console.append(msg.text))
        page.goto(f"{url}/edit/news/baogao.zh.md")
        body = REPORT.split("\n", 1)[1]
        page.fill("#body", body)
        page.click("#paste-clean")
        page.wait_for_selector("#paste-clean-result:not([hidden])")
        cleaned = page.locator("#paste-clean-text").input_value()
        assert "\n\n## 一、總體情況\n\n" in cleaned and "\u3000" not in cleaned
        page.click("#paste-clean-accept")
        assert page.locator("#body").input_value() == cleaned.rstrip("\n")
        assert page.locator("#paste-clean-result").is_hidden()
        page.wait_for_function("() => { const r = document.getElementById('preview').shadowRoot;"
                               " return r && [...r.querySelectorAll('h2')].some(h => h.textContent === '一、總體情況'); }",
                               timeout=10000)
        # a paste whose clipboard has HTML: its structure (bold) is used for that part only
        html = '<p><span style="color:red"><strong>延吉市</strong></span> 开展活动。</p>'
        page.evaluate("""([html, plain]) => {
            const body = document.getElementById('body');
            const data = new DataTransfer();
            data.setData('text/html', html);
            data.setData('text/plain', plain);
            body.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
            body.value = body.value + '\\n\\n' + plain;
        }""", [html, "延吉市 开展活动。"])
        page.click("#paste-clean")
        page.wait_for_function("() => document.getElementById('paste-clean-text').value.startsWith('**延吉市**')")
        page.click("#paste-clean-accept")
        value = page.locator("#body").input_value()
        assert value.endswith("\n\n**延吉市**开展活动。") and value.startswith(cleaned.rstrip("\n"))
        assert not [m for m in console if "Content Security Policy" in m], console
        context.close()
