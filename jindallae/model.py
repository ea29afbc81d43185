"""The content model of Jindallae, defined once.

Sections, fields and their types, per-section required fields, languages and URLs live here.
The Pelican plugins (``plugins/``), ``jindallae check`` and the CMS all import this module, so
adding a field or a section is a change in one place; adding a language is a settings change
(``JINDALLAE_LANGUAGES``, see :mod:`jindallae.settings`).

A content file is ``<content>/<section>/<slug>.<lang>.md``: YAML front matter between ``---``
lines, then the Markdown body.  The file name gives the slug and the language.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

TIMEZONE = "Asia/Shanghai"

# ---------------------------------------------------------------------------------------------
# Languages


@dataclass(frozen=True)
class Language:
    """One site language, built from a ``JINDALLAE_LANGUAGES`` entry.

    ``code`` is the file-name code (``zh``), ``hreflang`` the BCP 47 tag written to ``lang`` and
    ``hreflang`` attributes (``zh-Hans``), ``locale`` the CLDR locale Babel formats dates with
    (``zh_Hans_CN``), ``prefix`` the URL folder ('' for the default language, ``ko`` otherwise).
    """

    code: str
    hreflang: str
    locale: str
    name: str
    sitename: str
    prefix: str

    def url(self, path: str = "") -> str:
        """Site-relative URL of ``path`` in this language: ``('ko', 'parks/')`` -> ``ko/parks/``."""
        return f"{self.prefix}/{path}" if self.prefix else path


# ---------------------------------------------------------------------------------------------
# Sections


@dataclass(frozen=True)
class Section:
    """A content section (a folder of ``content/``) with its name in each language."""

    key: str
    names: dict[str, str]
    required: tuple[str, ...] = ()

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.key


# Fields every page must have; sections add their own in ``Section.required``.
COMMON_REQUIRED = ("title", "date")

SECTIONS: dict[str, Section] = {
    s.key: s
    for s in (
        Section("parks", {"zh": "文化园区", "ko": "문화공원"}, ("summary", "cover", "cover_alt")),
        Section("forums", {"zh": "人口文化论坛", "ko": "인구문화포럼"}, ("summary",)),
        Section("folk-arts", {"zh": "民俗文艺", "ko": "민속문예"}),
        Section("policy", {"zh": "政策解读", "ko": "정책해설"}, ("summary",)),
        Section("events", {"zh": "活动", "ko": "행사"}, ("event",)),
        Section("news", {"zh": "工作动态", "ko": "사업동태"}),
    )
}

STATUSES = ("draft", "review", "published")

# ---------------------------------------------------------------------------------------------
# Errors, in the editor's language (the language of the file) and in English for developers.

MESSAGES: dict[str, dict[str, str]] = {
    "no_front_matter": {
        "en": "no front matter; start the file with a line '---', the fields, and another '---'",
        "zh": "缺少文件头（front matter）；请以一行“---”开头，写好字段后再用一行“---”结束",
        "ko": "머리말(front matter)이 없습니다. 파일을 '---' 줄로 시작하고 항목을 쓴 뒤 '---' 줄로 닫으세요",
    },
    "unclosed_front_matter": {
        "en": "front matter is not closed; add a line '---' after the last field",
        "zh": "文件头没有结束；请在最后一个字段后加一行“---”",
        "ko": "머리말이 닫히지 않았습니다. 마지막 항목 뒤에 '---' 줄을 넣으세요",
    },
    "bad_yaml": {
        "en": "front matter is not valid YAML ({detail}); check quotes, colons and indentation",
        "zh": "文件头不是有效的 YAML（{detail}）；请检查引号、冒号和缩进",
        "ko": "머리말이 올바른 YAML이 아닙니다({detail}). 따옴표, 콜론, 들여쓰기를 확인하세요",
    },
    "not_mapping": {
        "en": "front matter must be 'field: value' lines",
        "zh": "文件头必须是“字段: 值”的形式",
        "ko": "머리말은 '항목: 값' 형식이어야 합니다",
    },
    "bad_filename": {
        "en": "file name must be <slug>.<lang>.md with lang one of {langs} and a slug of "
        "lowercase letters, digits and hyphens; rename the file",
        "zh": "文件名必须是 <slug>.<语言>.md，语言为 {langs} 之一，slug 只含小写字母、数字和连字符；请重命名文件",
        "ko": "파일 이름은 <slug>.<언어>.md 형식이어야 합니다(언어: {langs}, slug는 영문 소문자·숫자·하이픈). 파일 이름을 바꾸세요",
    },
    "unknown_section": {
        "en": "unknown section '{section}'; move the file into one of: {sections}",
        "zh": "未知栏目“{section}”；请把文件移到以下栏目之一：{sections}",
        "ko": "알 수 없는 분류 '{section}'입니다. 다음 중 하나로 옮기세요: {sections}",
    },
    "missing_field": {
        "en": "missing required field '{field}'; add it to the front matter",
        "zh": "缺少必填字段“{field}”；请在文件头补上",
        "ko": "필수 항목 '{field}'이(가) 없습니다. 머리말에 추가하세요",
    },
    "unknown_field": {
        "en": "unknown field '{field}'{hint}; remove it or fix the spelling",
        "zh": "未知字段“{field}”{hint}；请删除或改正拼写",
        "ko": "알 수 없는 항목 '{field}'{hint}. 지우거나 철자를 고치세요",
    },
    "bad_type": {
        "en": "field '{field}' must be {expected}",
        "zh": "字段“{field}”必须是{expected}",
        "ko": "항목 '{field}'은(는) {expected}이어야 합니다",
    },
    "bad_date": {
        "en": "field '{field}': '{value}' is not a real date; write YYYY-MM-DD or YYYY-MM-DD HH:MM",
        "zh": "字段“{field}”：“{value}”不是有效日期；请写成 YYYY-MM-DD 或 YYYY-MM-DD HH:MM",
        "ko": "항목 '{field}': '{value}'은(는) 올바른 날짜가 아닙니다. YYYY-MM-DD 또는 YYYY-MM-DD HH:MM 형식으로 쓰세요",
    },
    "bad_timezone": {
        "en": "field '{field}': unknown time zone '{value}'; use an IANA name such as Asia/Shanghai",
        "zh": "字段“{field}”：未知时区“{value}”；请使用 IANA 名称，如 Asia/Shanghai",
        "ko": "항목 '{field}': 알 수 없는 시간대 '{value}'. Asia/Shanghai 같은 IANA 이름을 쓰세요",
    },
    "bad_status": {
        "en": "status '{value}' is not one of {choices}",
        "zh": "状态“{value}”无效，只能是 {choices}",
        "ko": "상태 '{value}'은(는) {choices} 중 하나여야 합니다",
    },
    "lang_mismatch": {
        "en": "lang '{value}' contradicts the file name (.{file_lang}.md); remove the field or rename the file",
        "zh": "lang 字段“{value}”与文件名（.{file_lang}.md）不一致；请删除该字段或重命名文件",
        "ko": "lang 항목 '{value}'이(가) 파일 이름(.{file_lang}.md)과 다릅니다. 항목을 지우거나 파일 이름을 바꾸세요",
    },
    "slug_mismatch": {
        "en": "slug '{value}' contradicts the file name ('{slug}'); remove the field or rename the file",
        "zh": "slug 字段“{value}”与文件名（“{slug}”）不一致；请删除该字段或重命名文件",
        "ko": "slug 항목 '{value}'이(가) 파일 이름('{slug}')과 다릅니다. 항목을 지우거나 파일 이름을 바꾸세요",
    },
    "cover_alt": {
        "en": "cover is set but cover_alt is missing; describe the picture in cover_alt",
        "zh": "设置了封面图（cover）但没有替代文字（cover_alt）；请在 cover_alt 中描述图片内容",
        "ko": "표지(cover)는 있는데 대체 텍스트(cover_alt)가 없습니다. cover_alt에 그림을 설명하세요",
    },
    "missing_file": {
        "en": "field '{field}': file '{value}' does not exist; check the path (relative to content/)",
        "zh": "字段“{field}”：文件“{value}”不存在；请检查路径（相对于 content/）",
        "ko": "항목 '{field}': 파일 '{value}'이(가) 없습니다. 경로(content/ 기준)를 확인하세요",
    },
    "end_before_start": {
        "en": "end {end} is before start {start}; fix the dates",
        "zh": "结束时间 {end} 早于开始时间 {start}；请改正",
        "ko": "종료 {end}이(가) 시작 {start}보다 이릅니다. 날짜를 고치세요",
    },
    "duplicate_url": {
        "en": "this page claims the URL {url}, as does {other}; give one of them another slug",
        "zh": "本页的网址 {url} 与 {other} 相同；请给其中一篇换一个 slug",
        "ko": "이 페이지의 주소 {url}이(가) {other}과(와) 같습니다. 둘 중 하나의 slug를 바꾸세요",
    },
    "unreadable": {
        "en": "cannot read the file as UTF-8 text ({detail}); save it as UTF-8",
        "zh": "无法按 UTF-8 读取文件（{detail}）；请以 UTF-8 编码保存",
        "ko": "파일을 UTF-8로 읽을 수 없습니다({detail}). UTF-8로 저장하세요",
    },
}


@dataclass(frozen=True, order=True)
class ContentError:
    """A problem an editor can fix: ``path:line: message`` (line is 1-based, 0 when unknown).

    ``message`` is in the editor's language (the file's language), ``english`` for developers.
    """

    path: str
    line: int
    message: str
    english: str = ""
    code: str = ""

    def __str__(self) -> str:
        loc = f"{self.path}:{self.line}" if self.line else self.path
        tail = f" ({self.english})" if self.english and self.english != self.message else ""
        return f"{loc}: {self.message}{tail}"


def make_error(path: str, line: int, code: str, lang: str | None, **kw: Any) -> ContentError:
    """Build a :class:`ContentError` from the ``MESSAGES`` catalogue.

    ``lang`` picks the editor's language (falls back to Chinese, the default site language).
    """
    texts = MESSAGES[code]
    english = texts["en"].format(**kw)
    local = texts.get(lang or "zh", texts["zh"]).format(**kw)
    return ContentError(path, line, local, english, code)


class ContentErrors(Exception):
    """Raised with every :class:`ContentError` found, sorted by path and line."""

    def __init__(self, errors: Iterable[ContentError]):
        self.errors = sorted(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


# ---------------------------------------------------------------------------------------------
# Field types


def parse_when(value: Any, tz: str = TIMEZONE) -> dt.date | dt.datetime:
    """Parse a front-matter date: ``YYYY-MM-DD`` (a ``date``, all-day) or ``YYYY-MM-DD HH:MM[:SS]``
    / ISO 8601 with ``T`` and optional offset (an aware ``datetime``; zone ``tz`` when none given).

    Raises ValueError for text that is not a real calendar date (``2026-02-30``).
    """
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(tz))
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise ValueError(value)
    text = value.strip()
    if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text):
        y, m, d = (int(p) for p in text.split("-"))
        return dt.date(y, m, d)
    m = re.fullmatch(r"(\d{4}-\d{1,2}-\d{1,2})[ T](\d{1,2}:\d{2}(?::\d{2})?)(Z|[+-]\d{2}:?\d{2})?", text)
    if not m:
        raise ValueError(text)
    y, mo, d = (int(p) for p in m.group(1).split("-"))
    hms = [int(p) for p in m.group(2).split(":")] + [0]
    when = dt.datetime(y, mo, d, hms[0], hms[1], hms[2])
    if m.group(3):
        off = m.group(3)
        if off == "Z":
            return when.replace(tzinfo=dt.timezone.utc)
        sign = 1 if off[0] == "+" else -1
        off = off[1:].replace(":", "")
        return when.replace(tzinfo=dt.timezone(sign * dt.timedelta(hours=int(off[:2]), minutes=int(off[2:]))))
    return when.replace(tzinfo=ZoneInfo(tz))


def show_when(value: dt.date | dt.datetime) -> str:
    """A date or date-time as an editor writes it in front matter (``2026-08-15 09:30``)."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def as_datetime(value: dt.date | dt.datetime, tz: str = TIMEZONE) -> dt.datetime:
    """A ``date`` as midnight in ``tz``; an aware ``datetime`` unchanged."""
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime(value.year, value.month, value.day, tzinfo=ZoneInfo(tz))


@dataclass(frozen=True)
class FieldSpec:
    """A front-matter field: its type (``str``, ``date``, ``tags``, ``bool``, ``path``, ``status``,
    ``event``, ``translation``), the English and Chinese description of the type for messages,
    and the sections it is allowed in (``None``: all)."""

    kind: str
    expected: str
    sections: tuple[str, ...] | None = None
    doc: str = ""


FIELDS: dict[str, FieldSpec] = {
    "title": FieldSpec("str", "text", doc="Headline, in the page's language"),
    "date": FieldSpec("date", "a date", doc="Publication date, YYYY-MM-DD"),
    "updated": FieldSpec("date", "a date", doc="Last significant update, YYYY-MM-DD"),
    "summary": FieldSpec("str", "text", doc="One or two sentences shown in lists and feeds"),
    "tags": FieldSpec("tags", "a list of text", doc="Keywords in the page's language: [a, b]"),
    "cover": FieldSpec("path", "a file path", doc="Cover image, relative to content/"),
    "cover_alt": FieldSpec("str", "text", doc="What the cover shows, in the page's language"),
    "author": FieldSpec("str", "text", doc="Author or issuing office"),
    "status": FieldSpec("status", "draft, review or published", doc="Workflow state"),
    "featured": FieldSpec("bool", "true or false", doc="Show on the home page"),
    "slug": FieldSpec("str", "text", doc="Must equal the file name's slug (optional)"),
    "lang": FieldSpec("str", "text", doc="Must equal the file name's language (optional)"),
    "translated_from": FieldSpec(
        "translation", "a mapping with lang and revision",
        doc="For a translation: the source language and the source revision it was made from",
    ),
    "event": FieldSpec("event", "a mapping with start, end, location", doc="Event details"),
}

# The ``event:`` block; the calendar plugin extends it.
EVENT_FIELDS: dict[str, FieldSpec] = {
    "id": FieldSpec("str", "text", doc="Permanent event id (assigned once, never changed)"),
    "start": FieldSpec("when", "a date or date and time", doc="YYYY-MM-DD or YYYY-MM-DD HH:MM"),
    "end": FieldSpec("when", "a date or date and time", doc="Same forms as start; not before it"),
    "timezone": FieldSpec("tz", "an IANA time zone", doc="Default Asia/Shanghai"),
    "location": FieldSpec("str", "text", doc="Place, in the page's language"),
    "address": FieldSpec("str", "text", doc="Postal address, in the page's language"),
}
EVENT_REQUIRED = ("start", "location")

TRANSLATION_FIELDS = ("lang", "revision")


# ---------------------------------------------------------------------------------------------
# Items


@dataclass
class Item:
    """One content file: a page in one language.

    ``path`` is relative to the content folder (POSIX separators); ``lines`` maps each top-level
    field to its 1-based line in the file; ``body_line`` is the line where the Markdown starts.
    ``fields`` holds validated values (dates as ``date``/aware ``datetime``, tags as ``list``).
    ``digest`` is the file's revision (:func:`revision_of`, the git blob hash).
    """

    section: str
    slug: str
    lang: str
    path: str
    fields: dict[str, Any]
    body: str
    body_line: int
    lines: dict[str, int] = field(default_factory=dict)
    digest: str = ""

    @property
    def key(self) -> tuple[str, str]:
        """Translation key: all language versions of one article share it."""
        return (self.section, self.slug)

    @property
    def status(self) -> str:
        return self.fields.get("status", "published")

    @property
    def published(self) -> bool:
        return self.status == "published"

    def line_of(self, name: str) -> int:
        return self.lines.get(name, 1)


def revision_of(data: bytes) -> str:
    """The revision id of a file's bytes: its git blob hash (``git hash-object``), so a
    translation's ``translated_from.revision`` can be diffed against with plain git."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class _FrontMatterLoader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):
    """Safe YAML loader that keeps dates as text, so the model parses them with line numbers
    instead of PyYAML raising on an impossible date mid-document."""


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

FILENAME_RE = re.compile(r"^(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.(?P<lang>[a-z]{2,3}(?:-[a-z0-9]+)?)\.md$")


def split_front_matter(text: str) -> tuple[str, int, str, int] | str:
    """Split ``text`` into ``(yaml_text, yaml_first_line, body, body_first_line)`` (1-based lines).

    Returns an error code (``no_front_matter`` / ``unclosed_front_matter``) instead when the
    ``---`` fences are missing.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return "no_front_matter"
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            body = "\n".join(lines[i + 1:])
            return "\n".join(lines[1:i]), 2, body, i + 2
    return "unclosed_front_matter"


def parse_front_matter(yaml_text: str) -> tuple[dict[str, Any], dict[str, int]]:
    """Parse the YAML and return ``(data, lines)``; ``lines`` gives each top-level key's 0-based
    line within ``yaml_text`` (nested mapping keys as ``"event.end"``).  Raises ``yaml.YAMLError`` or ``TypeError`` (not a mapping)."""
    loader = _FrontMatterLoader(yaml_text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}
        if not isinstance(node, yaml.MappingNode):
            raise TypeError("not a mapping")
        lines = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                lines.setdefault(key_node.value, key_node.start_mark.line)
                # Lines of nested keys too ("event.end"), so an error inside the event block
                # points at the line to fix rather than at "event:".
                if isinstance(value_node, yaml.MappingNode):
                    for sub_node, _ in value_node.value:
                        if isinstance(sub_node, yaml.ScalarNode):
                            lines.setdefault(f"{key_node.value}.{sub_node.value}", sub_node.start_mark.line)
        data = loader.construct_document(node)
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise TypeError("not a mapping")
    return data, lines


class Model:
    """The content model bound to one site's settings (languages and section names).

    ``languages`` is ordered, default language first.  Build it with :func:`model_from_settings`.
    """

    def __init__(self, languages: list[Language], sections: dict[str, Section] | None = None):
        self.languages = languages
        self.by_code = {lang.code: lang for lang in languages}
        self.default = languages[0]
        self.sections = sections or SECTIONS

    # URLs ------------------------------------------------------------------------------------
    def article_url(self, section: str, slug: str, lang: str) -> str:
        """Site-relative URL of an article: ``parks/slug/`` or ``ko/parks/slug/``."""
        return self.by_code[lang].url(f"{section}/{slug}/")

    def section_url(self, section: str, lang: str) -> str:
        return self.by_code[lang].url(f"{section}/")

    # Reading ---------------------------------------------------------------------------------
    def parse_file(self, root: Path, path: Path, text: str | None = None) -> tuple[Item | None, list[ContentError]]:
        """Read and validate one content file.

        ``root`` is the content folder, ``path`` the file inside it.  Returns ``(item, errors)``;
        ``item`` is ``None`` when the file cannot be read as a page at all.  Never raises for bad
        content: every problem becomes a :class:`ContentError`.
        """
        rel = path.relative_to(root).as_posix()
        return self.parse_text(root, rel, text, path)

    def page_key(self, rel: str) -> tuple[str, str, str] | None:
        """``(section, slug, lang)`` from a content-relative path, or ``None`` when the path is not
        ``<section>/<slug>.<lang>.md`` with a known section and language."""
        parts = rel.split("/")
        m = FILENAME_RE.match(parts[-1])
        if len(parts) != 2 or parts[0] not in self.sections or not m or m.group("lang") not in self.by_code:
            return None
        return parts[0], m.group("slug"), m.group("lang")

    def parse_text(self, root: Path, rel: str, text: str | None = None, path: Path | None = None
                   ) -> tuple[Item | None, list[ContentError]]:
        """:meth:`parse_file` for the content-relative path ``rel`` (``text`` read from disk when
        ``None``)."""
        path = path or root / rel
        parts = rel.split("/")
        m = FILENAME_RE.match(parts[-1])
        lang = m.group("lang") if m and m.group("lang") in self.by_code else None
        errors: list[ContentError] = []
        if not m or lang is None:
            errors.append(make_error(rel, 0, "bad_filename", lang, langs=", ".join(self.by_code)))
        if len(parts) != 2 or parts[0] not in self.sections:
            errors.append(make_error(rel, 0, "unknown_section", lang, section="/".join(parts[:-1]) or "(content/)",
                                     sections=", ".join(self.sections)))
        if errors:
            return None, errors
        section, slug = parts[0], m.group("slug")
        if text is None:
            try:
                raw = path.read_bytes()
                text = raw.decode("utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                return None, [make_error(rel, 0, "unreadable", lang, detail=exc)]
        text = text.replace("\r\n", "\n")
        split = split_front_matter(text)
        if isinstance(split, str):
            return None, [make_error(rel, 1, split, lang)]
        yaml_text, yaml_line, body, body_line = split
        try:
            data, key_lines = parse_front_matter(yaml_text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = yaml_line + mark.line if mark else yaml_line
            detail = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            return None, [make_error(rel, line, "bad_yaml", lang, detail=detail)]
        except TypeError:
            return None, [make_error(rel, yaml_line, "not_mapping", lang)]
        lines = {k: yaml_line + v for k, v in key_lines.items()}
        item = Item(section, slug, lang, rel, {}, body, body_line, lines, revision_of(text.encode("utf-8")))
        item.fields, errs = self.validate_fields(item, data, root)
        return item, errs

    def validate_fields(self, item: Item, data: dict[str, Any], root: Path | None) -> tuple[dict[str, Any], list[ContentError]]:
        """Check ``data`` (raw front matter) against the model; return cleaned fields and errors."""
        errors: list[ContentError] = []
        out: dict[str, Any] = {}
        bad: set[str] = set()

        def err(name: str, code: str, at: str | None = None, **kw: Any) -> None:
            # ``at``: a nested key ("event.end") whose line is more precise than ``name``'s.
            bad.add(name)
            line = item.lines.get(at) if at else None
            errors.append(make_error(item.path, line or item.line_of(name), code, item.lang, **kw))

        section = self.sections[item.section]
        for name, value in data.items():
            name = str(name)
            spec = FIELDS.get(name)
            if spec is None:
                close = difflib.get_close_matches(name, FIELDS, n=1)
                err(name, "unknown_field", field=name, hint=f" (did you mean '{close[0]}'?)" if close else "")
                continue
            if value is None:
                continue
            clean = self._clean(item, name, spec, value, err, root)
            if clean is not None:
                out[name] = clean
        # Drafts may be incomplete; a page must be complete to be published (or reviewed).
        required = COMMON_REQUIRED + section.required if out.get("status", "published") != "draft" else ("title",)
        for name in required:
            if name not in out and name not in bad:
                errors.append(make_error(item.path, item.line_of(name) if name in item.lines else 1,
                                         "missing_field", item.lang, field=name))
        if "cover" in out and not out.get("cover_alt") and "cover_alt" not in section.required:
            err("cover", "cover_alt")
        return out, errors

    def _clean(self, item: Item, name: str, spec: FieldSpec, value: Any, err: Callable[..., None],
               root: Path | None) -> Any:
        kind = spec.kind
        if kind == "str":
            if isinstance(value, (dict, list)):
                err(name, "bad_type", field=name, expected=spec.expected)
                return None
            text = str(value).strip()
            if name == "lang" and text != item.lang:
                # ``file_lang``, not ``lang``: that name is make_error's own parameter (the
                # message language), and passing it twice raised TypeError instead of an error.
                err(name, "lang_mismatch", value=text, file_lang=item.lang)
                return None
            if name == "slug" and text != item.slug:
                err(name, "slug_mismatch", value=text, slug=item.slug)
                return None
            return text or None
        if kind == "date":
            try:
                return parse_when(value)
            except ValueError:
                err(name, "bad_date", field=name, value=value)
                return None
        if kind == "tags":
            if isinstance(value, str):
                value = [v for v in re.split(r"[,，、]", value)]
            if not isinstance(value, list) or any(isinstance(v, (dict, list)) for v in value):
                err(name, "bad_type", field=name, expected=spec.expected)
                return None
            tags: list[str] = []
            for v in value:
                t = str(v).strip()
                if t and t not in tags:
                    tags.append(t)
            return tags
        if kind == "bool":
            if not isinstance(value, bool):
                err(name, "bad_type", field=name, expected=spec.expected)
                return None
            return value
        if kind == "status":
            if value not in STATUSES:
                err(name, "bad_status", value=value, choices=", ".join(STATUSES))
                return None
            return value
        if kind == "path":
            text = str(value).strip()
            if root is not None and not (root / text).is_file():
                err(name, "missing_file", field=name, value=text)
                return None
            return text
        if kind == "translation":
            if not isinstance(value, dict) or set(value) - set(TRANSLATION_FIELDS) or "lang" not in value:
                err(name, "bad_type", field=name, expected=spec.expected)
                return None
            return {k: str(v) for k, v in value.items()}
        if kind == "event":
            return self._clean_event(item, value, err)
        raise AssertionError(kind)

    def _clean_event(self, item: Item, value: Any, err: Callable[..., None]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            err("event", "bad_type", field="event", expected=FIELDS["event"].expected)
            return None
        out: dict[str, Any] = {}
        tz = TIMEZONE
        if value.get("timezone"):
            tz = str(value["timezone"])
            try:
                ZoneInfo(tz)
            except (ZoneInfoNotFoundError, ValueError):
                err("event", "bad_timezone", at="event.timezone", field="event.timezone", value=tz)
                return None
            out["timezone"] = tz
        ok = True
        for key, sub in value.items():
            key = str(key)
            spec = EVENT_FIELDS.get(key)
            if spec is None:
                close = difflib.get_close_matches(key, EVENT_FIELDS, n=1)
                err("event", "unknown_field", at=f"event.{key}", field=f"event.{key}", hint=f" (did you mean 'event.{close[0]}'?)" if close else "")
                ok = False
                continue
            if sub is None or key == "timezone":
                continue
            if spec.kind == "when":
                try:
                    out[key] = parse_when(sub, tz)
                except ValueError:
                    err("event", "bad_date", at=f"event.{key}", field=f"event.{key}", value=sub)
                    ok = False
            else:
                out[key] = str(sub).strip()
        for key in EVENT_REQUIRED:
            if key not in out and key not in value:
                err("event", "missing_field", field=f"event.{key}")
                ok = False
        if ok and "start" in out:
            out.setdefault("end", out["start"])
            if as_datetime(out["end"], tz) < as_datetime(out["start"], tz):
                err("event", "end_before_start", at="event.end", start=show_when(out["start"]), end=show_when(out["end"]))
                return None
        return out if ok else None

    def load(self, root: Path) -> tuple[list[Item], list[ContentError]]:
        """Read every ``*.md`` file under ``root`` and check the whole site.

        Returns ``(items, errors)`` where errors include cross-file ones: two files that claim
        the same URL or slug (I1).  Items are sorted by path.
        """
        items: list[Item] = []
        errors: list[ContentError] = []
        for path in sorted(iter_content_files(root)):
            item, errs = self.parse_file(root, path)
            errors += errs
            if item is not None:
                items.append(item)
        errors += self.cross_check(items)
        return items, sorted(errors)

    def cross_check(self, items: list[Item]) -> list[ContentError]:
        """Errors that need the whole site: one slug used by two different articles (in two
        sections), which would make their URLs or translations ambiguous (I1)."""
        errors = []
        owner: dict[str, Item] = {}
        for item in sorted(items, key=lambda i: i.path):
            first = owner.setdefault(item.slug, item)
            if first.section != item.section:
                url = "/" + self.article_url(item.section, item.slug, item.lang)
                errors.append(make_error(item.path, 0, "duplicate_url", item.lang,
                                         url=f"{url} (slug '{item.slug}')", other=first.path))
        return errors


def iter_content_files(root: Path) -> Iterable[Path]:
    """Every Markdown file under ``root`` (hidden folders skipped)."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if name.endswith(".md") and not name.startswith("."):
                yield Path(dirpath) / name


def model_from_settings(settings: dict[str, Any]) -> Model:
    """Build the :class:`Model` for validated settings (see :mod:`jindallae.settings`)."""
    langs = []
    default = settings.get("DEFAULT_LANG", "zh")
    conf = settings["JINDALLAE_LANGUAGES"]
    for code in sorted(conf, key=lambda c: c != default):
        entry = conf[code]
        langs.append(Language(code=code, hreflang=entry.get("hreflang", code), locale=entry.get("locale", code),
                              name=entry.get("name", code), sitename=entry.get("sitename", settings.get("SITENAME", "")),
                              prefix="" if code == default else code))
    extra = settings.get("JINDALLAE_SECTION_NAMES") or {}
    sections = {k: Section(s.key, {**s.names, **{lang: names[k] for lang, names in extra.items() if k in names}},
                           s.required) for k, s in SECTIONS.items()}
    return Model(langs, sections)
