"""The CMS's own UI language: Chinese or Korean, chosen per user.

Catalogues are ``cms/translations/<lang>/*.po`` (source strings in English); every ``.po`` file
of a language is merged and compiled in memory when the app is created, so each part of the
CMS keeps its own file (``foundation.po``, ``content.po``) and no ``msgfmt`` step is needed.

The language of a request is, in order: the signed-in user's ``ui_lang``, the ``cms_lang``
cookie set by the language switch (before login), the browser's Accept-Language (negotiated
with Babel), else Chinese.  Jinja gets ``_()`` / ``gettext()`` / ``ngettext()`` (new-style:
``_('%(n)s files', n=3)``); Python code uses :func:`gettext` / :func:`_` and :func:`lazy_gettext`
for strings defined before a request exists.  Dates are shown in Beijing time (Asia/Shanghai).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, negotiate_locale
from babel.dates import format_datetime as _babel_format_datetime
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import LazyProxy, NullTranslations, Translations
from flask import current_app, g, has_app_context, has_request_context, request

LANGUAGES = ("zh", "ko")
DEFAULT_LANG = "zh"
# ``<html lang>`` (BCP 47) and the Babel locale of each UI language.
HTML_LANG = {"zh": "zh-Hans", "ko": "ko"}
LOCALES = {"zh": "zh_Hans_CN", "ko": "ko_KR"}
LANGUAGE_NAMES = {"zh": "中文", "ko": "한국어"}
COOKIE = "cms_lang"
BEIJING = ZoneInfo("Asia/Shanghai")
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"


def load_catalogs(folder: Path = TRANSLATIONS_DIR) -> dict[str, NullTranslations]:
    """``{lang: Translations}`` with every ``<folder>/<lang>/*.po`` merged (fuzzy entries left
    out, as msgfmt does).  A language without files gets :class:`NullTranslations` (English)."""
    out: dict[str, NullTranslations] = {}
    for lang in LANGUAGES:
        merged = Catalog(locale=lang)
        for path in sorted((folder / lang).glob("*.po")):
            with path.open("rb") as fp:
                catalog = read_po(fp, locale=lang)
            for message in catalog:
                if message.id and message.string and not message.fuzzy:
                    merged[message.id] = message
        buf = io.BytesIO()
        write_mo(buf, merged)
        buf.seek(0)
        out[lang] = Translations(buf)
    return out


def init_i18n(app) -> None:
    """Compile the catalogues into ``app.extensions['cms_i18n']`` and install the gettext
    callables and the ``datetime`` filter in the app's Jinja environment."""
    app.extensions["cms_i18n"] = load_catalogs()
    app.jinja_env.add_extension("jinja2.ext.i18n")
    # Jinja's new-style gettext does the %-formatting itself: give it the raw look-ups.
    app.jinja_env.install_gettext_callables(lambda message: _translations().gettext(message),
                                            lambda s, p, n: _translations().ngettext(s, p, n), newstyle=True)
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["filesize"] = format_size
    app.jinja_env.globals.update(ui_lang=get_lang, html_lang=lambda: HTML_LANG[get_lang()], punct=punct,
                                 LANGUAGE_NAMES=LANGUAGE_NAMES, UI_LANGUAGES=LANGUAGES)
    from .records import action_name, commit_text  # records in the reader's language

    app.jinja_env.globals.update(commit_text=commit_text, audit_action_name=action_name)


def negotiate(accept_language: str | None) -> str:
    """The UI language for an ``Accept-Language`` header value (RFC 9110 §12.5.4), by Babel's
    :func:`negotiate_locale` with q-values respected; ``zh`` when nothing matches."""
    if not accept_language:
        return DEFAULT_LANG
    wanted = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for p in params.split(";"):
            name, _, value = p.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if tag and q > 0:
            wanted.append((-q, index, tag.strip().replace("-", "_")))
    preferred = [tag for _, _, tag in sorted(wanted)]
    return negotiate_locale(preferred, list(LANGUAGES), sep="_") or DEFAULT_LANG


def get_lang() -> str:
    """The UI language of the current request (see the module docstring); ``zh`` outside one."""
    if not has_request_context():
        # The CLI may choose a language for the app context (``en``: the English sources).
        return g.get("ui_lang", DEFAULT_LANG) if has_app_context() else DEFAULT_LANG
    if "ui_lang" in g:
        return g.ui_lang
    user = g.get("user")
    if user is not None and user.ui_lang in LANGUAGES:
        lang = user.ui_lang
    elif request.cookies.get(COOKIE) in LANGUAGES:
        lang = request.cookies[COOKIE]
    else:
        lang = negotiate(request.headers.get("Accept-Language"))
    g.ui_lang = lang
    return lang


def _translations(lang: str | None = None) -> NullTranslations:
    catalogs = current_app.extensions.get("cms_i18n") if has_app_context() else None
    if not catalogs:
        return NullTranslations()
    return catalogs.get(lang or get_lang(), NullTranslations())


def gettext(message: str, lang: str | None = None, **variables) -> str:
    """``message`` (English source) in the UI language (or ``lang``), ``%(name)s`` filled from
    ``variables``."""
    text = _translations(lang).gettext(message)
    return text % variables if variables else text


_ = gettext


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now (translated where shown)."""
    return message


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """Plural-aware :func:`gettext`; ``num`` is also available as ``%(num)s``."""
    variables.setdefault("num", num)
    return _translations().ngettext(singular, plural, num) % variables


def lazy_gettext(message: str, **variables) -> LazyProxy:
    """A string translated when it is used (for messages defined outside a request)."""
    return LazyProxy(gettext, message, enable_cache=False, **variables)


# Punctuation that code and templates put between translated pieces, per UI language: Chinese
# text takes the full-width marks (W3C clreq, GB/T 15834), Korean the half-width ones followed
# by a space.  Keys are the marks' plain forms; "、" is the mark between the items of a list.
PUNCTUATION: dict[str, dict[str, str]] = {
    "zh": {":": "：", ";": "；", ",": "，", "、": "、", "(": "（", ")": "）"},
    "ko": {":": ": ", ";": "; ", ",": ", ", "、": ", ", "(": " (", ")": ")"},
}


def punct(mark: str, lang: str | None = None) -> str:
    """The punctuation ``mark`` (``":"``, ``";"``, ``","``, ``"、"``, ``"("``, ``")"``) as the UI
    language (or ``lang``) writes it between pieces of text: ``：`` in Chinese, ``": "`` in Korean."""
    marks = PUNCTUATION.get(lang or get_lang(), PUNCTUATION["ko"])
    return marks.get(mark.strip(), mark)


def list_separator(mark: str = "、", lang: str | None = None) -> str:
    """The separator between the items of a list in the UI language (:func:`punct`)."""
    return punct(mark, lang)


def format_size(size: int) -> str:
    """A byte count for people: ``20 MB``, ``48.8 KB`` (binary multiples, as file managers show)."""
    if size >= 1024 * 1024:
        value, unit = size / (1024 * 1024), "MB"
    else:
        value, unit = size / 1024, "KB"
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{text} {unit}"


def format_datetime(value: dt.datetime | str | float | None, format: str = "medium") -> str:
    """A UTC time (datetime, ISO 8601 text or Unix seconds) in Beijing time, formatted for the UI
    language by Babel (CLDR); '' for ``None``."""
    if value in (None, ""):
        return ""
    if isinstance(value, (int, float)):
        when = dt.datetime.fromtimestamp(value, dt.timezone.utc)
    elif isinstance(value, str):
        when = dt.datetime.fromisoformat(value)
    else:
        when = value
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return _babel_format_datetime(when, format, tzinfo=BEIJING, locale=Locale.parse(LOCALES[get_lang()]))
