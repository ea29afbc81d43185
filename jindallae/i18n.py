"""UI strings from gettext catalogues (``themes/<theme>/translations/<lang>/LC_MESSAGES/messages.po``).

Babel reads the .po files and compiles them in memory, so the build needs no OS locale and no
``msgfmt``.  Templates are rendered once per page in that page's language, in a single Pelican
pass: the gettext callables installed in Jinja read the page language from the template
context (:func:`context_lang`).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup


def catalog_path(theme: Path, lang: str) -> Path:
    return theme / "translations" / lang / "LC_MESSAGES" / "messages.po"


def load_translations(theme: Path, langs: list[str], default: str) -> dict[str, NullTranslations]:
    """Return ``{lang: Translations}``; the default language may have no catalogue only if the
    templates' msgids are already in it (ours are English, so zh and ko both need one)."""
    out: dict[str, NullTranslations] = {}
    for lang in langs:
        path = catalog_path(theme, lang)
        if not path.is_file():
            out[lang] = NullTranslations()
            continue
        with path.open("rb") as fp:
            catalog = read_po(fp, locale=None)
        buf = io.BytesIO()
        write_mo(buf, catalog)
        buf.seek(0)
        out[lang] = Translations(buf)
    return out


def context_lang(ctx: Context | dict[str, Any], default: str) -> str:
    """The language of the page being rendered: ``lang`` in the context, else the language of
    the ``article`` or ``page`` being written, else ``default``."""
    lang = ctx.get("lang")
    if isinstance(lang, str) and lang:
        return lang
    for key in ("article", "page"):
        obj = ctx.get(key)
        if obj is not None and getattr(obj, "lang", None):
            return obj.lang
    return default


def install(env: Environment, translations: dict[str, NullTranslations], default: str) -> None:
    """Install per-page-language ``_``/``gettext``/``ngettext`` in ``env`` (jinja2.ext.i18n)."""

    @pass_context
    def gettext(ctx: Context, message: str) -> str:
        return translations[context_lang(ctx, default)].gettext(message)

    @pass_context
    def ngettext(ctx: Context, singular: str, plural: str, n: int) -> str:
        return translations[context_lang(ctx, default)].ngettext(singular, plural, n)

    env.install_gettext_callables(gettext, ngettext, newstyle=True)

    @pass_context
    def underscore(ctx: Context, message: str, **variables: Any) -> str:
        # ``_()``: what jinja2.ext.i18n's alias and new-style gettext do (a Markup when the
        # template autoescapes, then always ``%`` formatting), in one call instead of three:
        # it runs about 30 times per page
        text = translations[context_lang(ctx, default)].gettext(message)
        if ctx.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables

    env.globals["_"] = underscore
