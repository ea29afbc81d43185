"""The CMS's UI catalogues (issue 7 item 2): every string of cms/ (Python and templates, found
with Babel's extractors) is translated into Chinese and Korean with the same placeholders;
FOUNDATION's catalogue holds exactly FOUNDATION's strings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

CMS = Path(__file__).resolve().parents[1] / "cms"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "lazy_gettext": None}
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}
FOUNDATION_PY = ("__init__.py", "db.py", "auth.py", "admin.py", "media.py", "publish.py", "i18n.py", "scheduler.py", "cli.py")


def foundation_template(name: str) -> bool:
    return name.split(".")[0] in ("base", "login", "account", "403", "404", "error") or \
        name.startswith(("admin_", "publish", "media"))


def extract(files) -> dict[str, list[str]]:
    """``{msgid: [where]}`` (plural messages by their singular)."""
    out: dict[str, list[str]] = {}
    for path in files:
        method = "jinja2" if path.suffix == ".html" else "python"
        options = JINJA_OPTIONS if method == "jinja2" else {}
        for lineno, message, _c, _ctx in extract_from_file(method, str(path), keywords=KEYWORDS, options=options):
            key = message if isinstance(message, str) else message[0]
            out.setdefault(key, []).append(f"{path.relative_to(CMS.parent)}:{lineno}")
    return out


def all_messages() -> dict[str, list[str]]:
    return extract(sorted(CMS.glob("*.py")) + sorted((CMS / "templates").glob("*.html")))


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\((\w+)\)s", text))


def test_extraction_finds_strings():
    found = all_messages()
    assert "Sign in" in found and "Wrong user name or password." in found  # templates and Python
    assert "Translator (Korean editor)" in found  # N_() marker


def foundation_messages() -> dict[str, list[str]]:
    return extract([CMS / n for n in FOUNDATION_PY if (CMS / n).exists()]
                   + [p for p in sorted((CMS / "templates").glob("*.html")) if foundation_template(p.name)])


@pytest.mark.parametrize("lang", ["zh", "ko"])
def test_every_foundation_string_translated(lang):
    from cms.i18n import load_catalogs

    catalog = load_catalogs()[lang]
    missing = {m: where for m, where in foundation_messages().items() if catalog.gettext(m) == m}
    assert missing == {}, f"untranslated in cms/translations/{lang}/foundation.po: {missing}"


@pytest.mark.parametrize("lang", ["zh", "ko"])
def test_every_cms_string_translated(lang):
    """Every string of cms/, whoever wrote it (the content side's catalogue is content.po)."""
    from cms.i18n import load_catalogs

    if not (CMS / "translations" / lang / "content.po").is_file():
        pytest.skip(f"cms/translations/{lang}/content.po (the content side's catalogue) does not exist yet")
    catalog = load_catalogs()[lang]
    missing = {m: where for m, where in all_messages().items() if catalog.gettext(m) == m}
    assert missing == {}, f"untranslated in cms/translations/{lang}/*.po: {missing}"


@pytest.mark.parametrize("lang", ["zh", "ko"])
def test_placeholders_kept(lang):
    for po in sorted((CMS / "translations" / lang).glob("*.po")):
        with po.open("rb") as fp:
            for message in read_po(fp, locale=lang):
                if not message.id:
                    continue
                source = message.id if isinstance(message.id, str) else message.id[0]
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                for text in strings:
                    assert placeholders(text) == placeholders(source), (po.name, source, text)


def test_foundation_catalogue_in_sync():
    """foundation.po lists exactly the strings of FOUNDATION's files (no stale entries)."""
    mine = foundation_messages()
    for lang in ("zh", "ko"):
        with (CMS / "translations" / lang / "foundation.po").open("rb") as fp:
            ids = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fp, locale=lang) if m.id}
        assert ids == set(mine), (lang, set(mine) ^ ids)


def test_catalogues_merged_per_language(tmp_path):
    """All .po files of a language are merged (each CMS part keeps its own file)."""
    from cms.i18n import load_catalogs

    for lang, text in (("zh", "你好"), ("ko", "안녕")):
        (tmp_path / lang).mkdir()
        (tmp_path / lang / "a.po").write_text(f'msgid "Hello"\nmsgstr "{text}"\n', encoding="utf-8")
        (tmp_path / lang / "b.po").write_text(f'msgid "Bye"\nmsgstr "{text}!"\n#, fuzzy\nmsgid "Maybe"\nmsgstr "x"\n',
                                              encoding="utf-8")
    catalogs = load_catalogs(tmp_path)
    assert catalogs["zh"].gettext("Hello") == "你好" and catalogs["ko"].gettext("Bye") == "안녕!"
    assert catalogs["ko"].gettext("Maybe") == "Maybe"  # fuzzy entries are not used


def test_accept_language_negotiation():
    from cms.i18n import negotiate

    assert negotiate("ko-KR,ko;q=0.9") == "ko"
    assert negotiate("zh-CN,zh;q=0.9,ko;q=0.8") == "zh"
    assert negotiate("en-US,ko;q=0.3,zh;q=0.2") == "ko"
    assert negotiate("ko;q=0, zh-TW;q=0.5") == "zh"
    assert negotiate("") == "zh" and negotiate("fr, de") == "zh"


def test_dates_in_beijing_time():
    from cms import create_app  # noqa: F401 - the app gives the request context
    from cms.i18n import format_datetime, format_size

    from flask import Flask, g

    app = Flask(__name__)
    with app.test_request_context():
        g.ui_lang = "zh"
        assert format_datetime("2026-11-29T22:10:08+00:00") == "2026年11月30日 06:10:08"
        g.ui_lang = "ko"
        assert format_datetime(0.0) == "1970. 1. 1. 오전 8:00:00"
    assert format_size(20 * 1024 * 1024) == "20 MB" and format_size(50_000) == "48.8 KB"
