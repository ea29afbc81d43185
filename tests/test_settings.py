"""Settings validation (pelicanconf.py) and languages as a settings change."""

from __future__ import annotations

import pytest

from jindallae.build import build
from jindallae.settings import ENGINE_SETTINGS, SettingsError, load_settings
from site_helpers import PROJECT, hreflang_alternates, md, soup_of, write_files

BASE = (PROJECT / "pelicanconf.py").read_text(encoding="utf-8")


def conf(tmp_path, extra: str, base: str = BASE):
    path = tmp_path / "conf.py"
    path.write_text(base + "\n" + extra + "\n", encoding="utf-8")
    return path


def test_project_settings_load():
    s = load_settings(PROJECT)
    assert s["DEFAULT_LANG"] == "zh"
    assert s["MULTILINGUAL_PAGE_SIZE"] == 20
    assert s["JINDALLAE_PUBLIC_URL"] == "http://localhost:8000"
    assert s["THEME"] == str(PROJECT / "themes/jindallae")
    for key, value in ENGINE_SETTINGS.items():
        if key not in ("PLUGIN_PATHS", "THEME"):
            assert s[key] == value, key
    assert s["PLUGIN_PATHS"] == [str(PROJECT / "plugins")]


def test_publish_settings_override_public_url():
    s = load_settings(PROJECT, PROJECT / "publishconf.py")
    assert s["JINDALLAE_PUBLIC_URL"] == "https://www.jindallae.example"
    assert s["SITENAME"] == "吉林人口文化"


def test_unknown_plugin_key_suggests_the_right_one(tmp_path):
    path = conf(tmp_path, "MULTILINGUAL_PAGE_SIZ = 10")
    with pytest.raises(SettingsError) as info:
        load_settings(PROJECT, path)
    msg = str(info.value)
    assert msg.startswith(f"{path}: MULTILINGUAL_PAGE_SIZ: ")
    assert "not a setting of multilingual" in msg
    assert msg.endswith("did you mean MULTILINGUAL_PAGE_SIZE?")


def test_unknown_key_without_prefix(tmp_path):
    with pytest.raises(SettingsError, match=r"SITENAM: not a known setting; did you mean SITENAME\?"):
        load_settings(PROJECT, conf(tmp_path, "SITENAM = 'x'"))


@pytest.mark.parametrize("line, key, why", [
    ("MULTILINGUAL_PAGE_SIZE = 0", "MULTILINGUAL_PAGE_SIZE", "positive integer"),
    ("MULTILINGUAL_PAGE_SIZE = '20'", "MULTILINGUAL_PAGE_SIZE", "positive integer"),
    ("MULTILINGUAL_PAGE_SIZE = True", "MULTILINGUAL_PAGE_SIZE", "positive integer"),
    ("JINDALLAE_PUBLIC_URL = 'https://example.com/'", "JINDALLAE_PUBLIC_URL", "without a trailing slash"),
    ("JINDALLAE_PUBLIC_URL = 'example.com'", "JINDALLAE_PUBLIC_URL", "absolute http(s) URL"),
    ("JINDALLAE_LANGUAGES = {}", "JINDALLAE_LANGUAGES", "non-empty dict"),
    ("JINDALLAE_LANGUAGES = {'zh': {'locale': 'xx_YY'}}", "JINDALLAE_LANGUAGES", "not a CLDR locale"),
    ("JINDALLAE_LANGUAGES = {'zh': {'hreflang': 'zh-Hans', 'colour': 'red'}}", "JINDALLAE_LANGUAGES", "unknown keys"),
    ("DEFAULT_LANG = 'en'", "DEFAULT_LANG", "not one of JINDALLAE_LANGUAGES"),
    ("SITENAME = 3", "SITENAME", "must be str"),
    ("PLUGINS = ['cjk_markdown', 'nope']", "PLUGINS", "no plugin named 'nope'"),
])
def test_wrong_value_names_the_key(tmp_path, line, key, why):
    path = conf(tmp_path, line)
    with pytest.raises(SettingsError) as info:
        load_settings(PROJECT, path)
    msg = str(info.value)
    assert msg.startswith(f"{path}: {key}: "), msg
    assert why in msg


@pytest.mark.parametrize("key", ["ARTICLE_URL", "ARTICLE_SAVE_AS", "READERS", "DIRECT_TEMPLATES", "FEED_ALL_ATOM"])
def test_engine_keys_cannot_be_set(tmp_path, key):
    path = conf(tmp_path, f"{key} = {ENGINE_SETTINGS[key]!r}")
    with pytest.raises(SettingsError) as info:
        load_settings(PROJECT, path)
    assert str(info.value).startswith(f"{path}: {key}: set by Jindallae itself")


def test_missing_settings_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="settings file not found"):
        load_settings(PROJECT, tmp_path / "nope.py")


def test_new_language_needs_section_names(tmp_path):
    path = conf(tmp_path, "JINDALLAE_LANGUAGES['en'] = {'hreflang': 'en', 'locale': 'en_GB', 'name': 'English', "
                          "'sitename': 'Jilin Population Culture'}")
    with pytest.raises(SettingsError, match=r"JINDALLAE_SECTION_NAMES: language 'en' needs a name for section 'parks'"):
        load_settings(PROJECT, path)


# ---------------------------------------------------------------------------------------------
# A third language is a settings change

EN = """
JINDALLAE_LANGUAGES["en"] = {"hreflang": "en", "locale": "en_GB", "name": "English",
                             "sitename": "Jilin Population Culture"}
JINDALLAE_SECTION_NAMES = {"en": {"parks": "Culture parks", "forums": "Forums", "folk-arts": "Folk arts",
                                  "policy": "Policy explained", "events": "Events", "news": "News"}}
"""


@pytest.fixture(scope="module")
def en_site(tmp_path_factory):
    base = tmp_path_factory.mktemp("en")
    path = base / "conf.py"
    path.write_text(BASE + EN, encoding="utf-8")
    content = write_files(base / "content", {
        "news/jiang-zuo.zh.md": md("title: 讲座\ndate: 2024-01-05\ntags: [测试]"),
        "news/jiang-zuo.ko.md": md("title: 강좌\ndate: 2024-01-05"),
        "news/jiang-zuo.en.md": md("title: A lecture\ndate: 2024-01-05\ntags: [test]"),
        "news/only-english.en.md": md("title: English only\ndate: 2024-02-01"),
    })
    out = base / "build"
    build(PROJECT, content, out, settings_file=path, progress=False, cache=False)
    return out


def test_third_language_settings_validate(tmp_path):
    s = load_settings(PROJECT, conf(tmp_path, EN))
    assert set(s["JINDALLAE_LANGUAGES"]) == {"zh", "ko", "en"}


def test_third_language_pages_are_built(en_site):
    for rel in ["en/index.html", "en/news/index.html", "en/parks/index.html", "en/news/jiang-zuo/index.html",
                "en/news/only-english/index.html", "en/tags/index.html", "en/tags/test/index.html",
                "en/archives/index.html", "en/atom.xml"]:
        assert (en_site / rel).is_file(), rel
    s = soup_of(en_site / "en/news/jiang-zuo/index.html")
    assert s.html["lang"] == "en"
    assert s.h1.get_text(strip=True) == "A lecture"
    assert "Jilin Population Culture" in s.title.get_text()
    nav_texts = [a.get_text(strip=True) for a in s.find_all("a", href="/en/news/")]
    assert "News" in nav_texts


def test_third_language_hreflang_and_sitemap(en_site):
    expected = {"zh-Hans": "http://localhost:8000/news/jiang-zuo/", "ko": "http://localhost:8000/ko/news/jiang-zuo/",
                "en": "http://localhost:8000/en/news/jiang-zuo/", "x-default": "http://localhost:8000/news/jiang-zuo/"}
    for rel in ["news/jiang-zuo/index.html", "ko/news/jiang-zuo/index.html", "en/news/jiang-zuo/index.html"]:
        assert hreflang_alternates(soup_of(en_site / rel)) == expected, rel
    sitemap = (en_site / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>http://localhost:8000/en/news/jiang-zuo/</loc>" in sitemap
    assert 'hreflang="en" href="http://localhost:8000/en/news/jiang-zuo/"' in sitemap


def test_third_language_only_page_switches_to_section_notice(en_site):
    s = soup_of(en_site / "en/news/only-english/index.html")
    hrefs = {a["href"] for a in s.find_all("a", hreflang=True)}
    assert "/news/#no-translation" in hrefs
    assert "/ko/news/#no-translation" in hrefs
    assert hreflang_alternates(s) == {}


def test_third_language_feed_holds_its_own_pages(en_site):
    import feedparser

    feed = feedparser.parse((en_site / "en/atom.xml").read_bytes())
    assert feed.bozo == 0
    assert sorted(e.link for e in feed.entries) == [
        "http://localhost:8000/en/news/jiang-zuo/", "http://localhost:8000/en/news/only-english/"]
    zh = feedparser.parse((en_site / "atom.xml").read_bytes())
    assert [e.link for e in zh.entries] == ["http://localhost:8000/news/jiang-zuo/"]
