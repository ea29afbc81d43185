"""Issue 12 item 4: a page in review has a "preview on the site" link for signed-in staff — the
page, its translation and the lists it will appear in, rendered by the real build with the real
theme, served by the CMS behind sign-in, never deployed."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from cms_helpers import login, make_cms
from site_helpers import md

FILES = {
    "news/jiangzuo.zh.md": md("title: 延吉市举办幸福家庭讲座\ndate: 2026-06-12\nstatus: review\ntags: [延边]",
                              "讲座在人民公园举行。\n"),
    "news/jiangzuo.ko.md": md("title: 연길시 행복가정 강좌\ndate: 2026-06-12\nstatus: review", "강좌가 열렸습니다.\n"),
    "news/kaifang.zh.md": md("title: 长白山文化园区开放\ndate: 2026-05-01\nstatus: published", "园区开放。\n"),
    "news/caogao.zh.md": md("title: 另一篇草稿\ndate: 2026-05-02\nstatus: draft", "草稿。\n"),
}


@pytest.fixture
def cms(tmp_path):
    app, _ = make_cms(tmp_path, users={"ed": ["editor"], "rev": ["reviewer"]}, content_files=FILES)
    return app


def signed_in(app, user="ed"):
    client = app.test_client()
    assert login(client, user).status_code == 302
    return client


def test_preview_shows_the_page_its_translation_and_lists(cms):
    client = signed_in(cms)
    edit = BeautifulSoup(client.get("/edit/news/jiangzuo.zh.md").get_data(as_text=True), "html.parser")
    link = edit.find("a", href="/preview/site/page/news/jiangzuo.zh.md")
    assert link is not None and link.get_text(strip=True) == "在网站上预览"
    r = client.get("/preview/site/page/news/jiangzuo.zh.md")
    assert r.status_code == 303
    m = re.fullmatch(r"/preview/site/([0-9a-f]{16})/news/jiangzuo/", r.headers["Location"])
    assert m, r.headers["Location"]
    base = f"/preview/site/{m.group(1)}"
    page = client.get(r.headers["Location"])
    assert page.status_code == 200 and "noindex" in page.headers["X-Robots-Tag"]
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    assert soup.find("h1").get_text(strip=True) == "延吉市举办幸福家庭讲座"
    # the real theme: its stylesheet, served from the preview
    css = soup.find("link", rel="stylesheet")["href"]
    assert css.startswith(base + "/theme/") and client.get(css).status_code == 200
    # the translation in the switcher, and the section list that will show the page
    ko = client.get(f"{base}/ko/news/jiangzuo/")
    assert ko.status_code == 200 and "연길시 행복가정 강좌" in ko.get_data(as_text=True)
    section = client.get(f"{base}/news/").get_data(as_text=True)
    assert "延吉市举办幸福家庭讲座" in section and "长白山文化园区开放" in section
    assert "另一篇草稿" not in section  # other drafts stay out
    # every root-relative link stays inside the preview
    hrefs = [a["href"] for a in soup.find_all("a", href=True) if a["href"].startswith("/")]
    assert hrefs and all(h.startswith(base + "/") for h in hrefs), hrefs


def test_preview_needs_sign_in_and_is_never_published(cms):
    client = signed_in(cms)
    location = client.get("/preview/site/page/news/jiangzuo.zh.md").headers["Location"]
    anonymous = cms.test_client()
    r = anonymous.get(location)
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")
    assert anonymous.get("/preview/site/page/news/jiangzuo.zh.md").status_code == 302
    # the site folder the CMS publishes to does not get the page, nor does the content file change
    output = cms.config["OUTPUT_DIR"]
    assert not (output / "news/jiangzuo/index.html").exists()
    text = (cms.config["CONTENT_DIR"] / "news/jiangzuo.zh.md").read_text(encoding="utf-8")
    assert "status: review" in text
    # unknown pages and keys
    assert client.get("/preview/site/page/news/nothing.zh.md").status_code == 404
    assert client.get("/preview/site/page/../secret.zh.md").status_code == 404
    assert client.get("/preview/site/0123456789abcdef/").status_code == 404


def test_unchanged_content_reuses_the_preview(cms):
    client = signed_in(cms, "rev")
    first = client.get("/preview/site/page/news/jiangzuo.zh.md").headers["Location"]
    again = client.get("/preview/site/page/news/jiangzuo.zh.md").headers["Location"]
    assert first == again
    path = cms.config["CONTENT_DIR"] / "news/jiangzuo.zh.md"
    path.write_text(path.read_text(encoding="utf-8").replace("人民公园", "人民广场"), encoding="utf-8")
    changed = client.get("/preview/site/page/news/jiangzuo.zh.md").headers["Location"]
    assert changed != first and "人民广场" in client.get(changed).get_data(as_text=True)
