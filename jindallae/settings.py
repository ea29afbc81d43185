"""Site settings: read pelicanconf.py / publishconf.py, validate, and add the engine settings.

Declarative and validated, in the manner of MkDocs' ``config_options``: every key a site may set
is declared with a type and a check.  Pelican's own settings are allowed except those the engine
fixes (URL layout, readers, output switches).  Plugin settings carry the plugin's prefix
(``MULTILINGUAL_*``, ``CJK_MARKDOWN_*``) and are declared by the plugin's ``settings_schema()``;
the editorial checks declare ``CHECKS_*`` the same way (:data:`TOOL_SCHEMAS`).
A wrong key or value raises :class:`SettingsError` naming the key.
"""

from __future__ import annotations

import difflib
import importlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from pelican.settings import DEFAULT_CONFIG, read_settings

from .model import SECTIONS


class SettingsError(Exception):
    """A setting is unknown or has a wrong value.  ``str()`` is ``path: KEY: what to do``."""


@dataclass(frozen=True)
class Option:
    """One declared setting: ``check(value)`` returns an error text or ``None``."""

    default: Any
    check: Callable[[Any], str | None]
    doc: str = ""


def is_type(*types: type) -> Callable[[Any], str | None]:
    names = " or ".join(t.__name__ for t in types)
    return lambda v: None if isinstance(v, types) else f"must be {names}, not {type(v).__name__}"


def positive_int(v: Any) -> str | None:
    return None if isinstance(v, int) and not isinstance(v, bool) and v > 0 else "must be a positive integer"


def _check_languages(v: Any) -> str | None:
    if not isinstance(v, dict) or not v:
        return "must be a non-empty dict {code: {hreflang, locale, name, sitename}}"
    from babel import Locale, UnknownLocaleError

    for code, entry in v.items():
        if not isinstance(entry, dict):
            return f"[{code!r}] must be a dict"
        unknown = set(entry) - {"hreflang", "locale", "name", "sitename"}
        if unknown:
            return f"[{code!r}] has unknown keys {sorted(unknown)}"
        try:
            Locale.parse(entry.get("locale", code))
        except (UnknownLocaleError, ValueError):
            return f"[{code!r}]['locale'] {entry.get('locale', code)!r} is not a CLDR locale known to Babel"
    return None


def _check_url(v: Any) -> str | None:
    if not isinstance(v, str) or not (v.startswith("http://") or v.startswith("https://")) or v.endswith("/"):
        return "must be an absolute http(s) URL without a trailing slash"
    return None


# Settings of Jindallae itself (the content model and every plugin use them).
CORE_SCHEMA: dict[str, Option] = {
    "JINDALLAE_LANGUAGES": Option(
        {
            "zh": {"hreflang": "zh-Hans", "locale": "zh_Hans_CN", "name": "中文", "sitename": "吉林人口文化"},
            "ko": {"hreflang": "ko", "locale": "ko_KR", "name": "한국어", "sitename": "길림 인구문화"},
        },
        _check_languages,
        "Site languages: {code: {hreflang, locale, name, sitename}}; DEFAULT_LANG is served at /",
    ),
    "JINDALLAE_SECTION_NAMES": Option({}, is_type(dict), "Section names for languages beyond zh and ko: {lang: {section: name}}"),
    "JINDALLAE_PUBLIC_URL": Option("http://localhost:8000", _check_url,
                                   "Absolute base URL used where URLs must be absolute (feeds, sitemap, QR codes)"),
}

# The site's identity, shown by the theme in the header and footer (themes/jindallae/README.md):
# each item appears only when set.  Text is one string, or {lang: text} where it differs per language.
_IMAGE_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg", ".webp", ".gif")


def _text(v: Any) -> str | None:
    if isinstance(v, str) or (isinstance(v, dict) and v and all(isinstance(k, str) and isinstance(t, str) for k, t in v.items())):
        return None
    return "must be text, or {language code: text} when it differs per language"


def _mapping(keys: dict[str, Callable[[Any], str | None]], required: tuple[str, ...] = ()) -> Callable[[Any], str | None]:
    def check(v: Any) -> str | None:
        if v == {}:
            return None  # not set
        if not isinstance(v, dict):
            return f"must be a dict with the keys {sorted(keys)}"
        if set(v) - set(keys):
            return f"has unknown keys {sorted(set(v) - set(keys))}; allowed: {sorted(keys)}"
        for key in required:
            if not v.get(key):
                return f"needs {key!r}"
        for key, value in v.items():
            problem = keys[key](value)
            if problem:
                return f"[{key!r}] {problem}"
        return None
    return check


def _pattern(regex: str, example: str) -> Callable[[Any], str | None]:
    import re

    return lambda v: None if isinstance(v, str) and re.fullmatch(regex, v) else f"must look like {example!r}"


def _image(v: Any) -> str | None:
    if not isinstance(v, str) or v.startswith("/") or ".." in v.split("/") or not v.lower().endswith(_IMAGE_SUFFIXES):
        return ("must be an image path (svg, png, jpg, webp, gif) under content/ (images/x.png) or in the theme's "
                "static/ folder (theme/img/x.svg)")
    return None


def _https(v: Any) -> str | None:
    return None if isinstance(v, str) and v.startswith("https://") and " " not in v else "must be an https:// address"


SITE_SCHEMA: dict[str, Option] = {
    "SITE_OFFICE": Option("", _text, "The office that runs the site, shown beside the emblem in the header"),
    "SITE_EMBLEM": Option({}, _mapping({"image": _image, "alt": _text}, ("image",)),
                          "Header emblem: {image, alt} (alt '' when the office name stands beside it)"),
    "SITE_BANNER": Option("", lambda v: None if v == "" else _image(v),
                          "Decorative header banner image, wide screens only"),
    "SITE_ORGANIZER": Option("", _text, "Footer: 主办单位, the organising body"),
    "SITE_OPERATOR": Option("", _text, "Footer: 承办单位, the operating body"),
    "SITE_CONTACT": Option({}, _mapping({"phone": _text, "email": _text, "address": _text}),
                           "Footer: {phone, email, address}; any of them"),
    "SITE_ICP": Option("", lambda v: None if v == "" else _pattern(r"\w{1,2}ICP备\d{6,12}号(-\d{1,3})?", "吉ICP备12345678号-1")(v),
                       "Footer: the ICP record number, linked to https://beian.miit.gov.cn/"),
    "SITE_PSB": Option({}, _mapping({"number": _pattern(r"\w{1,2}公网安备 ?\d{14}号", "吉公网安备22010202000123号"),
                                     "url": _https, "icon": _image}, ("number", "url")),
                       "Footer: the public-security record {number, url, icon (default the theme's)}"),
    "SITE_GOV_CODE": Option("", lambda v: None if v == "" else _pattern(r"[0-9A-Za-z]{10}", "2200000001")(v),
                            "Footer: 网站标识码, the government site code (10 characters)"),
    "SITE_GOV_BADGE": Option({}, _mapping({"image": _image, "url": _https, "alt": _text}, ("image", "url")),
                             "Footer: the Party and government site badge {image, url (its conac.cn check page), alt}"),
}

def placeholder_settings(settings: dict[str, Any]) -> list[str]:
    """The SITE_* values that are still the starter's fictitious placeholders, as
    ``"SITE_ICP: ... ; set ..."`` lines (empty when none): zero record numbers (ICP, public
    security, site code), texts marked 示例/예시 or SAMPLE, ``*.example`` e-mail addresses and
    the sample badge image.  A production build reports them (the footer items are what the
    MIIT and public-security record rules require a government site to show truthfully)."""
    found: list[str] = []

    def texts(value: Any) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, dict):
            return [t for v in value.values() for t in texts(v)]
        return []

    checks = {
        "SITE_ICP": (lambda v: bool(re.search(r"备0{6,}号", v or "")), "the site's ICP record number (ICP备案号)"),
        "SITE_PSB": (lambda v: bool(re.search(r"安备 ?\d*0{10,}\d*号", " ".join(texts(v)))),
                     "the public-security record number and its check address (公安备案)"),
        "SITE_GOV_CODE": (lambda v: bool(v) and set(str(v)) == {"0"}, "the government site code (网站标识码)"),
        "SITE_GOV_BADGE": (lambda v: "sample" in " ".join(texts(v)).lower() or "0" * 16 in " ".join(texts(v)),
                           "the Party and government site badge and its conac.cn address (党政机关网站标识)"),
    }
    for key, (is_placeholder, what) in checks.items():
        if settings.get(key) and is_placeholder(settings.get(key)):
            found.append(f"{key}: still the starter's example value; set {what} before the site is public")
    for key in ("SITE_OFFICE", "SITE_ORGANIZER", "SITE_OPERATOR", "SITE_CONTACT"):
        values = texts(settings.get(key))
        if any(re.search(r"示例|예시|SAMPLE|\.example\b|0000 ?0000", t) for t in values):
            found.append(f"{key}: still holds the starter's example text (示例/예시, example.org-style addresses or "
                         f"zero numbers); write the office's real details")
    return found


# Modules of Jindallae's own tools with a ``settings_schema()`` (prefix and options), read like
# the plugins' schemas: ``jindallae check`` (``CHECKS_*``), deploys (``DEPLOY_*``), the CMS's
# review chain (``REVIEW_*``).
TOOL_SCHEMAS = ("jindallae.checks.config", "jindallae.deploy.config", "jindallae.review_config")

# Pelican settings the engine sets itself; a site that sets them gets an error.
ENGINE_SETTINGS: dict[str, Any] = {
    "ARTICLE_URL": "{category}/{slug}/",
    "ARTICLE_SAVE_AS": "{category}/{slug}/index.html",
    "ARTICLE_LANG_URL": "{lang}/{category}/{slug}/",
    "ARTICLE_LANG_SAVE_AS": "{lang}/{category}/{slug}/index.html",
    # Translations are grouped by (section, slug) in plugins/multilingual; Pelican's own grouping
    # by slug is off (it compared every article with every original: minutes on a large site)
    "ARTICLE_TRANSLATION_ID": None,
    "ARTICLE_PATHS": list(SECTIONS),
    "PAGE_PATHS": [],
    "PAGE_SAVE_AS": "",
    "PAGE_LANG_SAVE_AS": "",
    "DRAFT_SAVE_AS": "",
    "DRAFT_LANG_SAVE_AS": "",
    "DRAFT_PAGE_SAVE_AS": "",
    "DRAFT_PAGE_LANG_SAVE_AS": "",
    "INDEX_SAVE_AS": "",
    "CATEGORY_SAVE_AS": "",
    "CATEGORIES_SAVE_AS": "",
    "TAG_SAVE_AS": "",
    "TAGS_SAVE_AS": "",
    "AUTHOR_SAVE_AS": "",
    "AUTHORS_SAVE_AS": "",
    "ARCHIVES_SAVE_AS": "",
    "YEAR_ARCHIVE_SAVE_AS": "",
    "MONTH_ARCHIVE_SAVE_AS": "",
    "DAY_ARCHIVE_SAVE_AS": "",
    "DIRECT_TEMPLATES": [],
    "FEED_ATOM": None,
    "FEED_RSS": None,
    "FEED_ALL_ATOM": None,
    "FEED_ALL_RSS": None,
    "CATEGORY_FEED_ATOM": None,
    "TRANSLATION_FEED_ATOM": None,
    "AUTHOR_FEED_ATOM": None,
    "AUTHOR_FEED_RSS": None,
    "TAG_FEED_ATOM": None,
    "FILENAME_METADATA": r"(?P<slug>[^.]+)\.(?P<lang>[^.]+)",
    "PATH_METADATA": "",
    "USE_FOLDER_AS_CATEGORY": False,
    # Only .md is read (by plugins/cjk_markdown); Pelican's own readers are switched off.
    "READERS": {"html": None, "htm": None, "rst": None, "markdown": None, "mkd": None, "mdown": None},
    "STATIC_PATHS": ["images", "files"],
    "STATIC_EXCLUDE_SOURCES": True,
    "THEME_STATIC_DIR": "theme",
    "THEME_STATIC_PATHS": ["static"],
    "RELATIVE_URLS": False,
    "DELETE_OUTPUT_DIRECTORY": False,
    "LOAD_CONTENT_CACHE": False,
    "CACHE_CONTENT": False,
    "SLUGIFY_SOURCE": "basename",
    "PLUGIN_PATHS": [],
    "JINJA_ENVIRONMENT": {"extensions": ["jinja2.ext.i18n"], "trim_blocks": True, "lstrip_blocks": True,
                          "autoescape": True},
    "OUTPUT_SOURCES": False,
    "TYPOGRIFY": False,
    "SUMMARY_MAX_LENGTH": None,
    "WITH_FUTURE_DATES": True,
}

# Pelican settings a site may set (checked against Pelican's defaults for their type).
SITE_PELICAN_KEYS = {
    "SITENAME", "SITEURL", "TIMEZONE", "DEFAULT_LANG", "THEME", "PLUGINS", "DEFAULT_PAGINATION",
    "FEED_MAX_ITEMS", "FEED_DOMAIN", "PATH", "OUTPUT_PATH", "LOG_FILTER", "EXTRA_PATH_METADATA",
    "IGNORE_FILES", "DEFAULT_DATE_FORMAT", "PAGINATION_PATTERNS", "STATIC_CHECK_IF_MODIFIED",
}


def plugin_schema(name: str) -> tuple[str, dict[str, Option]]:
    """Import plugin ``name`` and return ``(prefix, schema)`` from its ``settings_schema()``."""
    module = importlib.import_module(name)
    getter = getattr(module, "settings_schema", None)
    if getter is None:
        return "", {}
    return getter()


def load_settings(project: Path, conf: Path | None = None, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Read ``conf`` (default ``project/pelicanconf.py``), validate it and return Pelican settings
    with the engine settings and every declared default filled in.

    ``overrides`` (e.g. ``PATH`` and ``OUTPUT_PATH`` from the command line) are applied before
    validation.  Raises :class:`SettingsError` naming the first wrong key, or FileNotFoundError.
    """
    conf = conf or project / "pelicanconf.py"
    if not conf.is_file():
        raise FileNotFoundError(f"{conf}: settings file not found; run from the project folder or pass --settings")
    plugin_dir = str(project / "plugins")
    if plugin_dir not in sys.path:
        sys.path.insert(0, plugin_dir)
    if str(project) not in sys.path:
        sys.path.insert(0, str(project))
    user = _read_module(conf)
    user.update(overrides or {})
    schema = dict(CORE_SCHEMA, **SITE_SCHEMA)
    prefixes = {"JINDALLAE_": "jindallae", "SITE_": "the site identity (SITE_SCHEMA)"}
    for module_name in TOOL_SCHEMAS:  # Jindallae's own tools declare their settings like plugins do
        prefix, tool_options = plugin_schema(module_name)
        prefixes[prefix] = module_name
        schema.update(tool_options)
    for name in user.get("PLUGINS", []):
        if not isinstance(name, str):
            raise SettingsError(f"{conf}: PLUGINS: plugin names must be strings, got {name!r}")
        if not (project / "plugins" / name / "__init__.py").is_file():
            raise SettingsError(f"{conf}: PLUGINS: no plugin named {name!r} in {project / 'plugins'}; "
                                f"available: {sorted(p.name for p in (project / 'plugins').iterdir() if p.is_dir() and not p.name.startswith('_'))}")
        prefix, plugin_options = plugin_schema(name)
        if prefix:
            prefixes[prefix] = name
        schema.update(plugin_options)
    for key, value in user.items():
        if key in ENGINE_SETTINGS:
            raise SettingsError(f"{conf}: {key}: set by Jindallae itself (the URL layout and readers are fixed); remove it")
        if key in schema:
            problem = schema[key].check(value)
            if problem:
                raise SettingsError(f"{conf}: {key}: {problem}")
            continue
        if key in SITE_PELICAN_KEYS:
            default = DEFAULT_CONFIG.get(key)
            if default is not None and value is not None and not isinstance(value, type(default)) \
                    and not (isinstance(default, (int, float)) and isinstance(value, (int, float))):
                raise SettingsError(f"{conf}: {key}: must be {type(default).__name__}, not {type(value).__name__}")
            continue
        close = difflib.get_close_matches(key, list(schema) + list(SITE_PELICAN_KEYS), n=1)
        owner = next((p for p in prefixes if key.startswith(p)), None)
        why = f"not a setting of {prefixes[owner]}" if owner else "not a known setting"
        hint = f"; did you mean {close[0]}?" if close else ""
        raise SettingsError(f"{conf}: {key}: {why}{hint}")
    lang_conf = user.get("JINDALLAE_LANGUAGES", CORE_SCHEMA["JINDALLAE_LANGUAGES"].default)
    default_lang = user.get("DEFAULT_LANG", "zh")
    if default_lang not in lang_conf:
        raise SettingsError(f"{conf}: DEFAULT_LANG: {default_lang!r} is not one of JINDALLAE_LANGUAGES {sorted(lang_conf)}")
    names = user.get("JINDALLAE_SECTION_NAMES", {})
    for code in lang_conf:
        for section in SECTIONS.values():
            if code not in section.names and section.key not in names.get(code, {}):
                raise SettingsError(f"{conf}: JINDALLAE_SECTION_NAMES: language {code!r} needs a name for section "
                                    f"{section.key!r}: add JINDALLAE_SECTION_NAMES = {{{code!r}: {{{section.key!r}: '...'}}}}")
    merged = {key: option.default for key, option in schema.items()}
    merged.update(user)
    merged.update(ENGINE_SETTINGS)
    merged["PLUGIN_PATHS"] = [plugin_dir]
    theme = Path(merged.get("THEME") or "themes/jindallae")
    merged["THEME"] = str(theme if theme.is_absolute() else project / theme)
    if not (Path(merged["THEME"]) / "templates").is_dir():
        raise SettingsError(f"{conf}: THEME: no theme at {merged['THEME']} (a folder with templates/); "
                            f"use e.g. THEME = \"themes/jindallae\"")
    merged.setdefault("TIMEZONE", "Asia/Shanghai")
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(merged["TIMEZONE"])
    except Exception:
        raise SettingsError(f"{conf}: TIMEZONE: {merged['TIMEZONE']!r} is not an IANA time zone; "
                            f"use e.g. \"Asia/Shanghai\"") from None
    merged.setdefault("DEFAULT_LANG", default_lang)
    # A site served under a sub-path (https://www.example.gov.cn/zt/rkwh) needs that path in every
    # root-relative link, asset, feed and search result: SITEURL "" takes it from the public URL.
    if not merged.get("SITEURL"):
        from urllib.parse import urlsplit

        merged["SITEURL"] = urlsplit(merged.get("JINDALLAE_PUBLIC_URL") or "").path.rstrip("/")
    return read_settings(override=merged)


def _read_module(path: Path) -> dict[str, Any]:
    """Execute a settings file and return its UPPERCASE names (Pelican's convention).

    A ``from pelicanconf import *`` in publishconf.py works because the project folder is on
    ``sys.path``.
    """
    # publishconf.py imports pelicanconf: make sure it is this project's, not one imported earlier.
    sys.modules.pop("pelicanconf", None)
    namespace: dict[str, Any] = {"__file__": str(path), "__name__": "jindallae_settings"}
    try:
        code = compile(path.read_text(encoding="utf-8"), str(path), "exec")
        exec(code, namespace)  # noqa: S102 - the site's own settings file, as Pelican does
    except SyntaxError as exc:
        raise SettingsError(f"{path}:{exc.lineno}: Python syntax error ({exc.msg}); fix the settings file") from None
    except Exception as exc:  # NameError, ImportError, ... raised while running the file
        import traceback

        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == str(path)]
        line = frames[-1].lineno if frames else 0
        raise SettingsError(f"{path}:{line}: {type(exc).__name__}: {exc}; fix the settings file") from None
    return {k: v for k, v in namespace.items() if k.isupper()}
