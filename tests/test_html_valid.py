"""Valid HTML and share previews of the starter site (the session's ``site`` build).

* Every built page passes the Nu HTML Checker (vnu.jar from the npm package ``vnu-jar``, pinned in
  tests/js/package.json, run with the machine's Java; ``make test`` installs both) with no
  errors.  One checker run over all the files: the JVM is slow to start.
* The home page and article pages carry Open Graph data for share previews: title, description,
  an image and the canonical URL as absolute URLs under JINDALLAE_PUBLIC_URL, og:locale zh_CN /
  ko_KR (with the other language as og:locale:alternate).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from site_helpers import PUBLIC_URL

VNU = Path(__file__).resolve().parent / "js" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
OG_LOCALE = {"zh": "zh_CN", "ko": "ko_KR"}


@pytest.mark.skipif(not VNU.exists() or not shutil.which("java"),
                    reason="vnu.jar or java missing: run `make test` (scripts/install-system-deps.sh test)")
def test_every_page_is_valid_html(site):
    files = sorted(str(p) for p in site.rglob("*.html"))
    assert len(files) > 50
    run = subprocess.run(["java", "-Xss8m", "-jar", str(VNU), "--errors-only", "--format", "json", *files],
                         capture_output=True, text=True, timeout=300)
    messages = json.loads(run.stderr or run.stdout or '{"messages": []}')["messages"]
    errors = [f"{Path(m.get('url', '')).as_posix().split('/build/', 1)[-1]}:{m.get('lastLine', '?')}: "
              f"{m.get('message')} [{m.get('extract', '').strip()[:80]}]"
              for m in messages if m.get("type") in ("error", "non-document-error")]
    assert errors == [], f"{len(errors)} errors"
    assert run.returncode == 0, run.stderr[-2000:]


def head_meta(file: Path) -> tuple[dict[str, list[str]], BeautifulSoup]:
    soup = BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")
    meta: dict[str, list[str]] = {}
    for tag in soup.head.find_all("meta", attrs={"property": True}):
        meta.setdefault(tag["property"], []).append(tag["content"])
    return meta, soup


def check_share_preview(site: Path, rel: str, lang: str) -> dict[str, list[str]]:
    meta, soup = head_meta(site / rel / "index.html")
    canonical = soup.head.find("link", rel="canonical")["href"]
    assert canonical == f"{PUBLIC_URL}/{rel}"
    assert meta["og:url"] == [canonical]
    assert meta["og:locale"] == [OG_LOCALE[lang]]
    # the other language as an alternate locale when the page has a version in it
    translated = soup.head.find("link", rel="alternate", hreflang={"zh": "ko", "ko": "zh-Hans"}[lang]) is not None
    assert meta.get("og:locale:alternate") == ([OG_LOCALE["ko" if lang == "zh" else "zh"]] if translated else None)
    for key in ("og:title", "og:description", "og:image", "og:site_name", "og:type"):
        assert len(meta.get(key, [])) == 1 and meta[key][0].strip(), f"{rel}: {key}"
    image = meta["og:image"][0]
    assert image.startswith(PUBLIC_URL + "/"), image
    assert (site / image[len(PUBLIC_URL) + 1:]).is_file(), f"{rel}: og:image {image} is not in the build"
    assert soup.html["lang"] == {"zh": "zh-Hans", "ko": "ko"}[lang]
    return meta


@pytest.mark.parametrize("lang", ["zh", "ko"])
def test_home_page_share_preview(site, lang):
    rel = "" if lang == "zh" else "ko/"
    meta = check_share_preview(site, rel, lang)
    assert meta["og:type"] == ["website"]
    assert meta["og:title"] == meta["og:site_name"]
    description = head_meta(site / rel / "index.html")[1].head.find("meta", attrs={"name": "description"})
    assert description and description["content"] == meta["og:description"][0]


@pytest.mark.parametrize("lang", ["zh", "ko"])
def test_article_share_previews(site, lang):
    prefix = "" if lang == "zh" else "ko/"
    articles = [p.parent for p in sorted(site.glob(f"{prefix}*/*/index.html"))
                if 'class="page-article"' in p.read_text(encoding="utf-8")]
    assert len(articles) > 10
    with_cover = 0
    for folder in articles:
        rel = folder.relative_to(site).as_posix() + "/"
        soup = head_meta(folder / "index.html")[1]
        meta = check_share_preview(site, rel, lang)
        assert meta["og:type"] == ["article"]
        assert meta["og:title"] == [soup.find("h1").get_text(strip=True)]
        if "og:image:alt" in meta:  # a cover: the picture itself, described
            with_cover += 1
            assert meta["og:image"][0].rsplit("/", 1)[-1].split(".")[0] in str(soup.select_one(".cover"))
    assert with_cover > 0
