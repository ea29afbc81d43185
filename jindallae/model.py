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

from . import recurrence

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
    "render_failed": {
        "en": "the Markdown body cannot be rendered ({detail}); simplify deeply nested lists or quotes",
        "zh": "正文的 Markdown 无法转换（{detail}）；请简化层层嵌套的列表或引用",
        "ko": "본문 Markdown을 변환할 수 없습니다({detail}). 너무 깊이 겹친 목록이나 인용을 줄이세요",
    },
    "too_deep_block": {
        "en": "lists or quotes nested {depth} levels deep (at most {limit}); use fewer levels",
        "zh": "列表或引用嵌套了 {depth} 层（最多 {limit} 层）；请减少嵌套层数",
        "ko": "목록이나 인용이 {depth}단계로 겹쳐 있습니다(최대 {limit}단계). 단계를 줄이세요",
    },
    "too_deep_inline": {
        "en": "emphasis marks (* _ ~) or brackets nested {depth} levels deep (at most {limit}); remove the extra marks",
        "zh": "强调符号（* _ ~）或方括号嵌套了 {depth} 层（最多 {limit} 层）；请删去多余的符号",
        "ko": "강조 기호(* _ ~)나 대괄호가 {depth}단계로 겹쳐 있습니다(최대 {limit}단계). 남는 기호를 지우세요",
    },
    "missing_link": {
        "en": "link target '{target}' does not exist; fix the path",
        "zh": "链接目标“{target}”不存在；请改正路径",
        "ko": "링크 대상 '{target}'이(가) 없습니다. 경로를 고치세요",
    },
    "missing_image": {
        "en": "image '{target}' does not exist; fix the path (images live in content/images/)",
        "zh": "图片“{target}”不存在；请改正路径（图片放在 content/images/）",
        "ko": "그림 '{target}'이(가) 없습니다. 경로를 고치세요(그림은 content/images/에 둡니다)",
    },
    "stray_file": {
        "en": "this file is not read: pages must be named <slug>.<lang>.md and images go in content/images/; "
              "rename or move it",
        "zh": "此文件不会被读取：页面文件名须为 <slug>.<语言>.md，图片须放在 content/images/；请重命名或移走",
        "ko": "이 파일은 읽히지 않습니다. 페지 이름은 <slug>.<언어>.md, 그림은 content/images/에 두어야 하니 이름을 바꾸거나 옮기세요",
    },
    "control_character": {
        "en": "this line has an invisible control character ({char}), usually brought in with pasted text; "
              "web pages and feeds cannot carry it: delete it or type the line again",
        "zh": "本行有一个看不见的控制字符（{char}），多半是粘贴时带进来的；网页和订阅源无法包含它，请删除它或重新输入本行",
        "ko": "이 행에 보이지 않는 특수 문자({char})가 있습니다. 흔히 붙여넣은 글에 섞여 옵니다. "
              "웹 페지와 구독 목록에 넣을 수 없으니 지우거나 이 행을 다시 입력하세요",
    },
    "unclosed_quote": {
        "en": "a quotation mark opened on this line is never closed; add the closing quote",
        "zh": "本行的引号没有闭合；请补上另一半引号",
        "ko": "이 행에서 연 따옴표가 닫히지 않았습니다. 닫는 따옴표를 넣으세요",
    },
    "duplicate_field": {
        "en": "field '{field}' is given twice (lines {first} and here); keep one",
        "zh": "字段“{field}”写了两次（第 {first} 行和本行）；请只保留一个",
        "ko": "항목 '{field}'이(가) 두 번 있습니다({first}행과 이 행). 하나만 남기세요",
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
        "en": "the slug '{slug}' is also used by {other}, a different article; a slug names one "
              "article across all sections: rename one of the files",
        "zh": "slug“{slug}”也被另一篇文章 {other} 使用；slug 在所有栏目中只能指一篇文章，请重命名其中一个文件",
        "ko": "slug '{slug}'을(를) 다른 글 {other}도 쓰고 있습니다. slug는 모든 분류를 통틀어 한 글만 가리켜야 하니 파일 하나의 이름을 바꾸세요",
    },
    "bad_event_id": {
        "en": "field 'event.id': '{value}' is not an event id; use letters, digits, '-', '.', '_' or '@' "
        "(`jindallae new events` writes a uuid), and never change it",
        "zh": "字段“event.id”：“{value}”不是有效的活动编号；只能用字母、数字和“-”“.”“_”“@”（`jindallae new events` 会生成 uuid），写好后不要再改",
        "ko": "항목 'event.id': '{value}'은(는) 올바른 행사 번호가 아닙니다. 영문자, 숫자, '-', '.', '_', '@'만 쓰세요"
        "(`jindallae new events`가 uuid를 만들어 줍니다). 한번 정한 번호는 바꾸지 마세요",
    },
    "duplicate_event_id": {
        "en": "event.id {value} is also used by {other}; every event needs its own id (shared only by its language versions)",
        "zh": "活动编号 event.id {value} 已被 {other} 使用；每个活动要有自己的编号（只有同一活动的各语言版本共用）",
        "ko": "행사 번호 event.id {value}을(를) {other}도 쓰고 있습니다. 행사마다 번호가 달라야 합니다(같은 행사의 언어별 판만 같은 번호를 씁니다)",
    },
    "event_schedule_mismatch": {
        "en": "'{field}' differs from {other}; the language versions of one event must have the same "
              "dates, time zone and repeat rule: copy it from there",
        "zh": "“{field}”与 {other} 不一致；同一活动的各语言版本时间、时区和重复规则必须相同，请照那边改",
        "ko": "'{field}'이(가) {other}과(와) 다릅니다. 한 행사의 언어별 판은 날짜, 시간대, 반복 규칙이 같아야 하니 그쪽에 맞추세요",
    },
    "event_id_mismatch": {
        "en": "event.id {value} differs from {other_id} in {other}; all language versions of an event share one id",
        "zh": "活动编号 event.id {value} 与 {other} 中的 {other_id} 不同；同一活动的各语言版本必须用同一个编号",
        "ko": "행사 번호 event.id {value}이(가) {other}의 {other_id}와(과) 다릅니다. 같은 행사의 언어별 판은 같은 번호를 써야 합니다",
    },
    "mixed_all_day": {
        "en": "event start {start} and end {end} must both be dates (all-day) or both dates with times",
        "zh": "活动的开始 {start} 和结束 {end} 必须都是日期（全天）或都是日期加时间",
        "ko": "행사 시작 {start}과(와) 종료 {end}은(는) 둘 다 날짜(종일)이거나 둘 다 날짜와 시각이어야 합니다",
    },
    "rrule_syntax": {
        "en": "field 'event.repeat': '{value}' is not a repeat rule; write for example FREQ=YEARLY, "
        "FREQ=MONTHLY;BYDAY=2SA or FREQ=WEEKLY;INTERVAL=2;COUNT=6",
        "zh": "字段“event.repeat”：“{value}”不是有效的重复规则；请写成 FREQ=YEARLY、FREQ=MONTHLY;BYDAY=2SA 或 FREQ=WEEKLY;INTERVAL=2;COUNT=6 这样的形式",
        "ko": "항목 'event.repeat': '{value}'은(는) 올바른 반복 규칙이 아닙니다. FREQ=YEARLY, FREQ=MONTHLY;BYDAY=2SA, "
        "FREQ=WEEKLY;INTERVAL=2;COUNT=6처럼 쓰세요",
    },
    "rrule_unsupported": {
        "en": "field 'event.repeat': {part} is not supported; use only {parts}, with FREQ=YEARLY, MONTHLY or WEEKLY",
        "zh": "字段“event.repeat”：不支持 {part}；只能用 {parts}，FREQ 为 YEARLY、MONTHLY 或 WEEKLY",
        "ko": "항목 'event.repeat': {part}은(는) 지원하지 않습니다. {parts}만 쓰고 FREQ는 YEARLY, MONTHLY, WEEKLY 중 하나로 하세요",
    },
    "rrule_count_until": {
        "en": "field 'event.repeat': give COUNT or UNTIL, not both",
        "zh": "字段“event.repeat”：COUNT 和 UNTIL 只能写一个",
        "ko": "항목 'event.repeat': COUNT와 UNTIL 중 하나만 쓰세요",
    },
    "rrule_no_dates": {
        "en": "field 'event.repeat': the rule gives no date from the start {start} on; check UNTIL",
        "zh": "字段“event.repeat”：从开始日期 {start} 起，这条规则不产生任何日期；请检查 UNTIL",
        "ko": "항목 'event.repeat': 시작일 {start}부터 이 규칙에 맞는 날짜가 없습니다. UNTIL을 확인하세요",
    },
    "start_not_occurrence": {
        "en": "event start {start} is not a date of the repeat rule (its first date would be {first}); make start the first date",
        "zh": "活动开始日期 {start} 不符合重复规则（规则的第一个日期是 {first}）；请把开始日期改成第一个日期",
        "ko": "행사 시작일 {start}이(가) 반복 규칙에 맞지 않습니다(규칙의 첫 날짜는 {first}). 시작일을 첫 날짜로 고치세요",
    },
    "repeat_and_lunar": {
        "en": "give either event.repeat or event.lunar, not both",
        "zh": "event.repeat 和 event.lunar 只能写一个",
        "ko": "event.repeat와 event.lunar 중 하나만 쓰세요",
    },
    "except_without_rule": {
        "en": "event.except lists dates a repeating event skips; add event.repeat or event.lunar, or remove it",
        "zh": "event.except 用来列出重复活动停办的日期；请加上 event.repeat 或 event.lunar，或删除它",
        "ko": "event.except는 반복 행사가 쉬는 날짜를 적는 곳입니다. event.repeat나 event.lunar를 쓰거나 이 항목을 지우세요",
    },
    "not_an_occurrence": {
        "en": "event.except: {value} is not a date of this event; list only dates the rule gives",
        "zh": "event.except：{value} 不是本活动的举办日期；只列规则给出的日期",
        "ko": "event.except: {value}은(는) 이 행사의 날짜가 아닙니다. 규칙에 따른 날짜만 적으세요",
    },
    "bad_lunar": {
        "en": "field 'event.lunar' must be a mapping like {{month: 8, day: 15}}: month 1-12, day 1-30, "
        "optional leap (true/false), count (a number of years) or until (a date)",
        "zh": "字段“event.lunar”必须写成 {{month: 8, day: 15}} 的形式：month 为 1-12，day 为 1-30，可选 leap（true/false）、count（年数）或 until（日期）",
        "ko": "항목 'event.lunar'은(는) {{month: 8, day: 15}} 형식이어야 합니다. month는 1-12, day는 1-30이고 "
        "leap(true/false), count(햇수), until(날짜)를 더 쓸 수 있습니다",
    },
    "lunar_day_missing": {
        "en": "lunar {month}/{day} does not exist in lunar year {year}: that month has only {days} days "
        "(it starts on {first}); use day {days}, or end the rule with count or until before then",
        "zh": "农历{year}年{month}月没有{day}日：这个月只有 {days} 天（从 {first} 开始）；请改用 {days} 日，或用 count、until 让规则在那之前结束",
        "ko": "음력 {year}년 {month}월에는 {day}일이 없습니다. 그달은 {days}일까지입니다({first}부터). "
        "{days}일로 고치거나 count, until로 규칙을 그 전에 끝내세요",
    },
    "lunar_start_mismatch": {
        "en": "event start {start} is lunar {actual}, not lunar {wanted}; the first such date from then is {first}",
        "zh": "活动开始日期 {start} 是农历 {actual}，不是农历 {wanted}；在那之后的第一个农历 {wanted} 是 {first}",
        "ko": "행사 시작일 {start}은(는) 음력 {actual}이지 음력 {wanted}이(가) 아닙니다. 그 뒤 첫 음력 {wanted}은(는) {first}입니다",
    },
    "poster_points": {
        "en": "field 'poster.points' must be a list of at most 4 short texts, like [免费义诊, 文艺演出]",
        "zh": "字段“poster.points”必须是最多 4 条短句的列表，如 [免费义诊, 文艺演出]",
        "ko": "항목 'poster.points'은(는) 짧은 글 4개 이하의 목록이어야 합니다(예: [무료 진료, 문예 공연])",
    },
    "poster_focus": {
        "en": "field 'poster.focus' must be [x, y] with both from 0 to 1 (the picture's focal point: 0.5, 0.5 is the centre)",
        "zh": "字段“poster.focus”必须写成 [x, y]，两个数都在 0 到 1 之间（图片的焦点：0.5, 0.5 为正中）",
        "ko": "항목 'poster.focus'은(는) 0~1 사이의 두 수 [x, y]여야 합니다(그림의 초점: 0.5, 0.5가 가운데)",
    },
    "poster_language": {
        "en": "field 'poster.language': '{value}' is not one of {choices}",
        "zh": "字段“poster.language”：“{value}”无效，只能是 {choices}",
        "ko": "항목 'poster.language': '{value}'은(는) {choices} 중 하나여야 합니다",
    },
    "poster_formats": {
        "en": "field 'poster.formats' must be a list of format names, like [A2, rollup]",
        "zh": "字段“poster.formats”必须是版式名称的列表，如 [A2, rollup]",
        "ko": "항목 'poster.formats'은(는) 판형 이름의 목록이어야 합니다(예: [A2, rollup])",
    },
    "poster_image_outside": {
        "en": "field 'poster.image': '{value}' is outside content/; copy the picture into content/images/ "
              "and write its path relative to content/, like images/poster.jpg",
        "zh": "字段“poster.image”：“{value}”不在 content/ 之内；请把图片复制到 content/images/，"
              "并写相对于 content/ 的路径，如 images/poster.jpg",
        "ko": "항목 'poster.image': '{value}'은(는) content/ 밖에 있습니다. 그림을 content/images/에 복사하고 "
              "content/ 기준 경로(예: images/poster.jpg)를 쓰세요",
    },
    "path_outside": {
        "en": "field '{field}': '{value}' is outside content/; copy the file into content/images/ "
              "and write its path relative to content/, like images/park.jpg",
        "zh": "字段“{field}”：“{value}”不在 content/ 之内；请把文件复制到 content/images/，"
              "并写相对于 content/ 的路径，如 images/park.jpg",
        "ko": "항목 '{field}': '{value}'은(는) content/ 밖에 있습니다. 파일을 content/images/에 복사하고 "
              "content/ 기준 경로(예: images/park.jpg)를 쓰세요",
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


# Type names for "field 'x' must be ..." messages, in the editor's language.
EXPECTED: dict[str, dict[str, str]] = {
    "text": {"zh": "文本", "ko": "텍스트"},
    "a date": {"zh": "日期", "ko": "날짜"},
    "a list of text": {"zh": "文本列表，如 [甲, 乙]", "ko": "텍스트 목록(예: [가, 나])"},
    "a file path": {"zh": "文件路径", "ko": "파일 경로"},
    "true or false": {"zh": "true 或 false", "ko": "true 또는 false"},
    "draft, review or published": {"zh": "draft、review 或 published", "ko": "draft, review, published 중 하나"},
    "a mapping with headline, formats, language ...": {
        "zh": "海报字段的映射，如 poster: {headline: 标题, formats: [A2]}（或只写 poster: 表示全部用默认值）",
        "ko": "포스터 항목의 매핑(예: poster: {headline: 제목, formats: [A2]}, 모두 기본값이면 poster:만 쓰기)"},
    "a mapping with address, hours, transport, phone, map": {
        "zh": "参观信息的映射，如 visit: {address: 地址, hours: 开放时间}",
        "ko": "참관 정보의 매핑(예: visit: {address: 주소, hours: 개방 시간})"},
    "an http(s):// address": {"zh": "以 https:// 开头的网址", "ko": "https://로 시작하는 주소"},
}


def load_yaml(text: str) -> Any:
    """``yaml.safe_load(text)`` with libyaml's C parser when PyYAML was built with it (the same
    values, about ten times faster).  Raises ``yaml.YAMLError`` with ``problem_mark`` set."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def did_you_mean(name: str, lang: str) -> str:
    """The hint after an unknown field name, in the editor's language."""
    return {"zh": f"（是不是“{name}”？）", "ko": f" ('{name}'을(를) 쓰려고 했나요?)"}.get(lang, f" (did you mean '{name}'?)")


class PerLanguage(dict):
    """A value of an error message written differently per language (``{"en": "leap 7/14",
    "zh": "闰7月14日", "ko": "윤7월 14일"}``): :func:`make_error` puts each language's form in
    that language's message."""


def make_error(path: str, line: int, code: str, lang: str | None, **kw: Any) -> ContentError:
    """Build a :class:`ContentError` from the ``MESSAGES`` catalogue.

    ``lang`` picks the editor's language (falls back to Chinese, the default site language).
    """
    texts = MESSAGES[code]
    english_kw = {k: v.get("en", "") if isinstance(v, PerLanguage) else v for k, v in kw.items()}
    local_kw = {k: v.get(lang or "zh", v.get("zh", "")) if isinstance(v, PerLanguage) else v for k, v in kw.items()}
    if "suggestion" in kw:  # unknown field: "did you mean ...?" in each language
        guess = kw["suggestion"]
        english_kw["hint"] = f" (did you mean '{guess}'?)" if guess else ""
        local_kw["hint"] = did_you_mean(guess, lang or "zh") if guess else ""
    english = texts["en"].format(**english_kw)
    if "expected" in kw:
        local_kw["expected"] = EXPECTED.get(kw["expected"], {}).get(lang or "zh", kw["expected"])
    local = texts.get(lang or "zh", texts["zh"]).format(**local_kw)
    return ContentError(path, line, local, english, code)


def nesting_error(path: str, body_line: int, lang: str | None, exc: Any) -> ContentError:
    """The :class:`ContentError` for a body refused as too deeply nested.

    ``exc`` is a :class:`jindallae.markup.NestingTooDeep` (``line`` within the body, 1-based;
    ``depth``; ``kind`` ``"block"`` or ``"inline"``); ``body_line`` is the file line where the
    body starts, so the error names the offending line of the file.
    """
    from .markup import MAX_NESTING
    return make_error(path, body_line + exc.line - 1, f"too_deep_{exc.kind}", lang, depth=exc.depth, limit=MAX_NESTING)


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
        if int(off[:2]) > 14 or int(off[2:]) > 59:  # real UTC offsets lie within ±14:00
            raise ValueError(text)
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
    "poster": FieldSpec("poster", "a mapping with headline, formats, language ...",
                        doc="Printable posters of the page (plugins/posters): see POSTER_FIELDS"),
    "visit": FieldSpec("visit", "a mapping with address, hours, transport, phone, map",
                       doc="Practical information for visitors (a park's box): see VISIT_FIELDS"),
}

# The ``visit:`` block (any page; meant for parks): texts in the page's language, all optional.
VISIT_FIELDS = {"address": "Postal address", "hours": "Opening hours", "transport": "How to get there",
                "phone": "Phone number for questions", "map": "A map's web address (http:// or https://)"}

# The ``event:`` block (any page may carry one; required in the events section).  The calendar
# plugin (plugins/event_calendar) turns it into calendar pages, .ics files and JSON-LD;
# jindallae.recurrence expands ``repeat`` and ``lunar``.
EVENT_FIELDS: dict[str, FieldSpec] = {
    "id": FieldSpec("event_id", "text", doc="Permanent event id, the iCalendar UID (assigned once by "
                    "`jindallae new events`, never changed; the same in every language version)"),
    "start": FieldSpec("when", "a date or date and time", doc="YYYY-MM-DD (all-day) or YYYY-MM-DD HH:MM"),
    "end": FieldSpec("when", "a date or date and time", doc="Same form as start, not before it; an all-day "
                     "event's last day (inclusive)"),
    "timezone": FieldSpec("tz", "an IANA time zone", doc="Default Asia/Shanghai"),
    "location": FieldSpec("str", "text", doc="Place, in the page's language"),
    "address": FieldSpec("str", "text", doc="Postal address, in the page's language"),
    "status": FieldSpec("event_status", "scheduled, postponed or cancelled", doc="Default scheduled"),
    "organizer": FieldSpec("str", "text", doc="Organizing office, in the page's language"),
    "registration": FieldSpec("str", "text", doc="How to register (text, phone or web address)"),
    "contact": FieldSpec("str", "text", doc="Contact for questions (phone, e-mail)"),
    "repeat": FieldSpec("rrule", "a repeat rule such as FREQ=YEARLY", doc="RRULE subset: FREQ=YEARLY|MONTHLY|WEEKLY, "
                        "INTERVAL, BYDAY, BYMONTH, BYMONTHDAY, COUNT or UNTIL"),
    "lunar": FieldSpec("lunar", "a mapping with month and day", doc="Every year on a Chinese lunar date: "
                       "{month: 8, day: 15} (optional leap, count, until)"),
    "except": FieldSpec("dates", "a list of dates", doc="Dates of a repeating event that do not take place"),
}
EVENT_REQUIRED = ("start", "location")
# Event fields that are the same in every language version of an event (the .ics has one UID).
SCHEDULE_FIELDS = ("start", "end", "timezone", "repeat", "lunar", "except")
EVENT_REQUIRED_IN = {"events": ("id",)}  # further event fields required per section
EVENT_STATUSES = ("scheduled", "postponed", "cancelled")
EVENT_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$")

TRANSLATION_FIELDS = ("lang", "revision")

# The ``poster:`` block (any page): printable posters made by plugins/posters.  Every field is
# optional; the defaults come from the page (title, summary, cover, event date and place).
POSTER_FIELDS: dict[str, FieldSpec] = {
    "headline": FieldSpec("str", "text", doc="Big headline; default: the title"),
    "subline": FieldSpec("str", "text", doc="One line under the headline; default: the summary"),
    "points": FieldSpec("points", "a list of up to 4 texts", doc="Up to 4 short key points"),
    "image": FieldSpec("path", "a file path", doc="Picture, relative to content/; default: the cover"),
    "focus": FieldSpec("focus", "[x, y] from 0 to 1", doc="Focal point of the picture kept in view when cropped"),
    "formats": FieldSpec("formats", "a list of format names", doc="Formats (A4, A3, A2, A1, rollup, xbanner, "
                         "banner); default POSTERS_DEFAULT_FORMATS"),
    "language": FieldSpec("poster_language", "zh, ko or bilingual", doc="One value or a list: the page's language "
                          "and/or bilingual (both languages, with the translation's texts); default the page's"),
    "template": FieldSpec("str", "text", doc="Template name (themes/<theme>/posters/<name>.yaml); default by format"),
}
POSTER_MAX_POINTS = 4


# ---------------------------------------------------------------------------------------------
# Items


def _sub_field_spec(block: str, key: str, specs: dict[str, FieldSpec], err: Callable[..., None]) -> FieldSpec | None:
    """The spec of ``block.key`` (``event.start``, ``poster.headline``), or ``None`` after
    reporting an unknown sub-field with the closest known name."""
    spec = specs.get(key)
    if spec is None:
        close = difflib.get_close_matches(key, specs, n=1)
        err(block, "unknown_field", at=f"{block}.{key}", field=f"{block}.{key}",
            suggestion=f"{block}.{close[0]}" if close else None)
    return spec


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
    raw: dict[str, str] = field(default_factory=dict)  # scalar fields as typed ("event.location": ...)

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

# Characters XML 1.0 does not allow (2.2 Char): C0 controls other than tab, line feed and
# carriage return.  Feeds cannot carry them and HTML calls them errors.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0B\x0C\x0E-\x1F]")
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
    line within ``yaml_text`` (nested mapping keys as ``"event.end"``, list items as
    ``"event.except.0"``).  Raises ``yaml.YAMLError`` or ``TypeError`` (not a mapping)."""
    loader = _FrontMatterLoader(yaml_text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}
        if not isinstance(node, yaml.MappingNode):
            raise TypeError("not a mapping")
        lines: dict[str, int] = {}
        raw: dict[str, str] = {}

        def walk(prefix: str, value: yaml.Node, depth: int) -> None:
            # Lines of nested keys too ("event.end", "event.lunar.day", list items as
            # "event.except.0"), so an error inside the event block points at the line to fix
            # rather than at "event:".
            if depth > 3:
                return
            if isinstance(value, yaml.MappingNode):
                for key_node, value_node in value.value:
                    if isinstance(key_node, yaml.ScalarNode):
                        name = f"{prefix}.{key_node.value}" if prefix else key_node.value
                        if name in lines:  # YAML would keep the last value silently
                            raise DuplicateKey(name, lines[name], key_node.start_mark.line)
                        lines[name] = key_node.start_mark.line
                        if isinstance(value_node, yaml.ScalarNode):
                            # the text as typed: "0123" stays "0123", not the integer 83
                            raw[name] = value_node.value
                        walk(name, value_node, depth + 1)
            elif isinstance(value, yaml.SequenceNode) and prefix:
                for index, item in enumerate(value.value):
                    lines.setdefault(f"{prefix}.{index}", item.start_mark.line)
                    if isinstance(item, yaml.ScalarNode):  # list items as typed too ("poster.points.0")
                        raw.setdefault(f"{prefix}.{index}", item.value)

        walk("", node, 0)
        data = loader.construct_document(node)
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise TypeError("not a mapping")
    data[RAW_KEY] = raw
    return data, lines


RAW_KEY = "\0raw"  # parse_front_matter's map of field name -> scalar text as typed


class DuplicateKey(Exception):
    """A front-matter field given twice (0-based lines of both)."""

    def __init__(self, name: str, first: int, second: int):
        super().__init__(name)
        self.name, self.first, self.second = name, first, second


def _clean_lunar(value: Any) -> dict[str, Any] | None:
    """``event.lunar`` as ``{month, day, leap, count?, until?}``, or ``None`` when malformed."""
    if not isinstance(value, dict) or not value or set(map(str, value)) - set(recurrence.LUNAR_KEYS):
        return None

    def number(v: Any, low: int, high: int) -> int | None:
        return v if isinstance(v, int) and not isinstance(v, bool) and low <= v <= high else None

    month, day = number(value.get("month"), 1, 12), number(value.get("day"), 1, 30)
    leap = value.get("leap", False)
    if month is None or day is None or not isinstance(leap, bool):
        return None
    out: dict[str, Any] = {"month": month, "day": day, "leap": leap}
    if value.get("count") is not None and value.get("until") is not None:
        return None  # one end only, as for repeat: COUNT or UNTIL
    if value.get("count") is not None:
        count = number(value["count"], 1, recurrence.LUNAR_YEARS)
        if count is None:
            return None
        out["count"] = count
    if value.get("until") is not None:
        try:
            out["until"] = recurrence.local_date(parse_when(value["until"]))
        except ValueError:
            return None
    return out


class Model:
    """The content model bound to one site's settings (languages and section names).

    ``languages`` is ordered, default language first.  Build it with :func:`model_from_settings`.
    """

    def __init__(self, languages: list[Language], sections: dict[str, Section] | None = None):
        self.languages = languages
        self.by_code = {lang.code: lang for lang in languages}
        self.default = languages[0]
        self.sections = sections or SECTIONS

    def __repr__(self) -> str:  # stable: the page cache's key (jindallae.site.PageCache)
        return f"Model({self.languages!r}, {self.sections!r})"

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
            guess = re.search(r"\.([a-z]{2})\.", parts[-1].lower())
            errors.append(make_error(rel, 1, "bad_filename", guess.group(1) if guess else lang,
                                     langs=", ".join(self.by_code)))
        if len(parts) != 2 or parts[0] not in self.sections:
            errors.append(make_error(rel, 1, "unknown_section", lang, section="/".join(parts[:-1]) or "(content/)",
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
        except DuplicateKey as exc:
            return None, [make_error(rel, yaml_line + exc.second, "duplicate_field", lang, field=exc.name,
                                     first=yaml_line + exc.first)]
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            if "quoted scalar" in (getattr(exc, "context", None) or "") and getattr(exc, "context_mark", None):
                # an unclosed quote: point at where it opens, and say so plainly
                return None, [make_error(rel, yaml_line + exc.context_mark.line, "unclosed_quote", lang)]
            line = yaml_line + mark.line if mark else yaml_line
            detail = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            return None, [make_error(rel, line, "bad_yaml", lang, detail=detail)]
        except TypeError:
            return None, [make_error(rel, yaml_line, "not_mapping", lang)]
        lines = {k: yaml_line + v for k, v in key_lines.items()}
        item = Item(section, slug, lang, rel, {}, body, body_line, lines, revision_of(text.encode("utf-8")))
        item.fields, errs = self.validate_fields(item, data, root)
        control = CONTROL_CHARACTER.search(body)
        if control:  # XML 1.0 (feeds) and HTML forbid them; pastes from Word and WeChat bring them in
            errs.append(make_error(rel, body_line + body.count("\n", 0, control.start()), "control_character", lang,
                                   char=f"U+{ord(control.group()):04X}"))
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
        data = dict(data)
        raw = item.raw = data.pop(RAW_KEY, {})
        for name, value in data.items():
            name = str(name)
            spec = FIELDS.get(name)
            if spec is None:
                close = difflib.get_close_matches(name, FIELDS, n=1)
                err(name, "unknown_field", field=name, suggestion=close[0] if close else None)
                continue
            if spec.kind == "str" and not isinstance(value, (str, dict, list)) and name in raw:
                value = raw[name]  # YAML 1.1 would turn "0123" into 83 and "yes" into True
            if value is None and spec.kind != "poster":  # a bare ``poster:`` asks for a poster
                continue
            clean = self._clean(item, name, spec, value, err, root, draft=data.get("status") == "draft")
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
               root: Path | None, draft: bool = False) -> Any:
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
            if Path(text).is_absolute() or os.path.normpath(text).startswith(".."):
                # pages are public: no file from elsewhere on the server (absolute or ../ paths)
                err(name, "path_outside", field=name, value=text)
                return None
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
            return self._clean_event(item, value, err, draft)
        if kind == "poster":
            return self._clean_poster(item, value, err, root)
        if kind == "visit":
            if not isinstance(value, dict):
                err(name, "bad_type", field=name, expected=spec.expected)
                return None
            visit: dict[str, str] = {}
            ok = True
            for key, sub in value.items():
                at = f"visit.{key}"
                text = "" if sub is None else str(sub if isinstance(sub, str) else item.raw.get(at, sub)).strip()
                if str(key) not in VISIT_FIELDS:
                    close = difflib.get_close_matches(str(key), VISIT_FIELDS, n=1)
                    err(name, "unknown_field", at=at, field=at, suggestion=f"visit.{close[0]}" if close else None)
                    ok = False
                elif isinstance(sub, (dict, list)) or (key == "map" and text and not re.match(r"https?://\S+$", text)):
                    err(name, "bad_type", at=at, field=at, expected="an http(s):// address" if key == "map" else "text")
                    ok = False
                elif text:
                    visit[str(key)] = text
            return visit if ok else None
        raise AssertionError(kind)

    def _clean_poster(self, item: Item, value: Any, err: Callable[..., None], root: Path | None) -> dict[str, Any] | None:
        """The ``poster:`` block: known sub-fields of the right type (see POSTER_FIELDS).  A bare
        ``poster:`` (YAML null) is a poster with every default, like ``poster: {}``."""
        if value is None:
            value = {}
        if not isinstance(value, dict):
            err("poster", "bad_type", field="poster", expected=FIELDS["poster"].expected)
            return None
        out: dict[str, Any] = {}
        ok = True
        for key, sub in value.items():
            key = str(key)
            at = f"poster.{key}"
            spec = _sub_field_spec("poster", key, POSTER_FIELDS, err)
            if spec is None:
                ok = False
                continue
            if sub is None:
                continue
            kind = spec.kind
            if kind == "str":
                if isinstance(sub, (dict, list)):
                    err("poster", "bad_type", at=at, field=at, expected=spec.expected)
                    ok = False
                    continue
                typed = item.raw.get(at)
                text = (typed if typed is not None and not isinstance(sub, str) else str(sub)).strip()
                if text or key == "subline":  # subline: "" means no subline (absent: the summary's)
                    out[key] = text
            elif kind == "points":
                if not isinstance(sub, list) or any(isinstance(p, (dict, list)) for p in sub):
                    err("poster", "poster_points", at=at)
                    ok = False
                    continue
                # an empty item (``- `` or ``null``) is left out, never printed as "None"; a
                # point is printed as typed (YAML 1.1 would print "9:30" as 570, "yes" as True)
                texts = [(p if isinstance(p, str) else item.raw.get(f"{at}.{i}", str(p))).strip()
                         for i, p in enumerate(sub) if p is not None]
                texts = [t for t in texts if t]
                if len(texts) > POSTER_MAX_POINTS:
                    err("poster", "poster_points", at=at)
                    ok = False
                    continue
                out[key] = texts
            elif kind == "path":
                text = str(sub).strip()
                if Path(text).is_absolute() or os.path.normpath(text).startswith(".."):
                    # the poster is public: no picture from elsewhere on the server (by an
                    # absolute or ../ path; a symlinked images/ folder is the site owner's choice)
                    err("poster", "poster_image_outside", at=at, value=text)
                    ok = False
                    continue
                if root is not None and not (root / text).is_file():
                    err("poster", "missing_file", at=at, field=at, value=text)
                    ok = False
                    continue
                out[key] = text
            elif kind == "focus":
                if not (isinstance(sub, list) and len(sub) == 2 and all(
                        isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1 for v in sub)):
                    err("poster", "poster_focus", at=at)
                    ok = False
                    continue
                out[key] = (float(sub[0]), float(sub[1]))
            elif kind == "formats":
                names = sub if isinstance(sub, list) else [sub]
                if not names or any(isinstance(n, (dict, list)) or not str(n).strip() for n in names):
                    err("poster", "poster_formats", at=at)
                    ok = False
                    continue
                out[key] = list(dict.fromkeys(str(n).strip() for n in names))
            elif kind == "poster_language":
                choices = [item.lang, "bilingual"]
                values = sub if isinstance(sub, list) else [sub]
                bad = [v for v in values if str(v) not in choices]
                if bad or not values:
                    err("poster", "poster_language", at=at, value=bad[0] if bad else "", choices=", ".join(choices))
                    ok = False
                    continue
                out[key] = list(dict.fromkeys(str(v) for v in values))
        return out if ok else None

    def _clean_event(self, item: Item, value: Any, err: Callable[..., None], draft: bool = False) -> dict[str, Any] | None:
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
            at = f"event.{key}"
            spec = _sub_field_spec("event", key, EVENT_FIELDS, err)
            if spec is None:
                ok = False
                continue
            if sub is None or key == "timezone":
                continue
            kind = spec.kind
            if kind == "when":
                try:
                    out[key] = parse_when(sub, tz)
                except ValueError:
                    err("event", "bad_date", at=at, field=at, value=sub)
                    ok = False
            elif kind == "event_id":
                text = str(sub).strip()
                if EVENT_ID_RE.match(text):
                    out[key] = text
                else:
                    err("event", "bad_event_id", at=at, value=text)
                    ok = False
            elif kind == "event_status":
                if sub in EVENT_STATUSES:
                    out[key] = sub
                else:
                    err("event", "bad_status", at=at, value=sub, choices=", ".join(EVENT_STATUSES))
                    ok = False
            elif kind == "rrule":
                try:
                    out[key] = recurrence.repeat_text(recurrence.parse_repeat(sub))
                except recurrence.RuleError as exc:
                    err("event", exc.code, at=at, **exc.kw)
                    ok = False
            elif kind == "lunar":
                rule = _clean_lunar(sub)
                if rule is None:
                    err("event", "bad_lunar", at=at)
                    ok = False
                else:
                    out[key] = rule
            elif kind == "dates":
                days = []
                for index, raw in enumerate(sub if isinstance(sub, list) else [sub]):
                    try:
                        days.append(recurrence.local_date(parse_when(raw, tz)))
                    except ValueError:
                        err("event", "bad_date", at=f"{at}.{index}" if isinstance(sub, list) else at, field=at, value=raw)
                        ok = False
                out[key] = sorted(set(days))
            else:
                typed = item.raw.get(f"event.{key}")
                out[key] = (typed if typed is not None and not isinstance(sub, str) else str(sub)).strip()
        complete = True
        for key in EVENT_REQUIRED + EVENT_REQUIRED_IN.get(item.section, ()):
            if key in out or (key in value and (draft or value[key] is not None)):
                continue  # reported above, or an empty placeholder in a draft (`jindallae new`)
            err("event", "missing_field", at=f"event.{key}" if key in value else None, field=f"event.{key}")
            complete = False
        if not ok or "start" not in out:
            return out if ok and complete else None
        start = out["start"]
        end = out.setdefault("end", start)
        if isinstance(start, dt.datetime) != isinstance(end, dt.datetime):
            err("event", "mixed_all_day", at="event.end", start=show_when(start), end=show_when(end))
            return None
        if as_datetime(end, tz) < as_datetime(start, tz):
            err("event", "end_before_start", at="event.end", start=show_when(start), end=show_when(end))
            return None
        if "repeat" in out and "lunar" in out:
            err("event", "repeat_and_lunar", at="event.lunar")
            return None
        if out.get("except") and not ("repeat" in out or "lunar" in out):
            err("event", "except_without_rule", at="event.except")
            return None
        if "repeat" in out and not self._check_repeat(item, out, err):
            return None
        if "lunar" in out and not self._check_lunar(item, out, err):
            return None
        return out if complete else None

    @staticmethod
    def _check_except(item: Item, out: dict[str, Any], dates: set[dt.date], err: Callable[..., None]) -> bool:
        ok = True
        for index, day in enumerate(out.get("except") or ()):
            if day not in dates:
                at = f"event.except.{index}" if f"event.except.{index}" in item.lines else "event.except"
                err("event", "not_an_occurrence", at=at, value=day.isoformat())
                ok = False
        return ok

    def _check_repeat(self, item: Item, out: dict[str, Any], err: Callable[..., None]) -> bool:
        """The start is the rule's first date and every ``except`` date is one of its dates."""
        parts = recurrence.parse_repeat(out["repeat"])
        start = out["start"]
        day = recurrence.local_date(start)
        first = next(recurrence.repeat_starts(parts, start, day + dt.timedelta(days=3660)), None)  # within 10 years
        if first is None:
            err("event", "rrule_no_dates", at="event.repeat", start=show_when(start))
            return False
        if first != start:
            err("event", "start_not_occurrence", at="event.start", start=show_when(start), first=show_when(first))
            return False
        skips = out.get("except") or []
        dates = {recurrence.local_date(s) for s in recurrence.repeat_starts(parts, start, max(skips))} if skips else set()
        return self._check_except(item, out, dates, err)

    def _check_lunar(self, item: Item, out: dict[str, Any], err: Callable[..., None]) -> bool:
        """Every lunar year of the rule has the day (no day 30 in a 29-day month), the start is
        on the rule's lunar date, and every ``except`` date is one of its dates."""
        rule, start = out["lunar"], out["start"]
        day = recurrence.local_date(start)
        here = recurrence.lunar_day(day)
        at = "event.lunar.day" if "event.lunar.day" in item.lines else "event.lunar"
        skips = out.get("except") or []
        # A day 30 or a leap month must exist in every year of the rule (to its end, or
        # recurrence.LUNAR_YEARS years); other dates exist every year: check up to what is needed.
        needed = None if rule["day"] == 30 or rule.get("leap") else max([day + dt.timedelta(days=800), *skips])
        try:
            dates = [when for _, when in recurrence.lunar_dates(rule, here.year, strict=True, limit=needed)]
        except recurrence.RuleError as exc:
            err("event", exc.code, at=at, **exc.kw)
            return False

        def name(month: int, d: int, leap: bool) -> PerLanguage:
            return PerLanguage(en=f"{'leap ' if leap else ''}{month}/{d}", zh=f"{'闰' if leap else ''}{month}月{d}日",
                               ko=f"{'윤' if leap else ''}{month}월 {d}일")

        if (here.month, here.day, here.leap) != (rule["month"], rule["day"], bool(rule.get("leap"))):
            later = [when for when in dates if when >= day]
            err("event", "lunar_start_mismatch", at="event.start", start=show_when(start),
                actual=name(here.month, here.day, here.leap), wanted=name(rule["month"], rule["day"], bool(rule.get("leap"))),
                first=later[0].isoformat() if later else "-")
            return False
        return self._check_except(item, out, set(dates), err)

    def load(self, root: Path) -> tuple[list[Item], list[ContentError]]:
        """Read every ``*.md`` file under ``root`` and check the whole site.

        Returns ``(items, errors)`` where errors include cross-file ones: two files that claim
        the same URL or slug (I1).  Items are sorted by path.
        """
        items: list[Item] = []
        errors: list[ContentError] = stray_files(self, root)
        for path in sorted(iter_content_files(root)):
            item, errs = self.parse_file(root, path)
            errors += errs
            if item is not None:
                items.append(item)
        errors += self.cross_check(items)
        return items, sorted(errors)

    def cross_check(self, items: list[Item]) -> list[ContentError]:
        """Errors that need the whole site: one slug used by two different articles (in two
        sections), which would make their URLs or translations ambiguous (I1); one event id used
        by two events, or differing between the language versions of one event."""
        errors = []
        by_slug: dict[str, list[Item]] = {}
        for item in sorted(items, key=lambda i: i.path):
            by_slug.setdefault(item.slug, []).append(item)
        for slug, group in by_slug.items():
            sections = {i.section for i in group}
            if len(sections) < 2:
                continue
            for item in group:  # every file involved, naming the files of the other sections
                others = ", ".join(o.path for o in group if o.section != item.section)
                errors.append(make_error(item.path, item.lines.get("slug", 1), "duplicate_url", item.lang,
                                         slug=slug, other=others))
        # An event id is the iCalendar UID: one per event, shared by its language versions.
        by_id: dict[str, Item] = {}
        by_key: dict[tuple[str, str], Item] = {}
        for item in sorted(items, key=lambda i: i.path):
            event_id = (item.fields.get("event") or {}).get("id")
            if not event_id:
                continue
            line = item.lines.get("event.id", item.line_of("event"))
            first = by_id.setdefault(event_id, item)
            sibling = by_key.setdefault(item.key, item)
            if first.key != item.key:
                errors.append(make_error(item.path, line, "duplicate_event_id", item.lang, value=event_id, other=first.path))
            elif sibling.fields["event"]["id"] != event_id:
                errors.append(make_error(item.path, line, "event_id_mismatch", item.lang, value=event_id,
                                         other=sibling.path, other_id=sibling.fields["event"]["id"]))
            else:
                # One UID, one schedule: the language versions must agree on when it happens.
                for key in SCHEDULE_FIELDS:
                    mine, theirs = item.fields["event"].get(key), sibling.fields["event"].get(key)
                    if mine != theirs:
                        errors.append(make_error(item.path, item.lines.get(f"event.{key}", line), "event_schedule_mismatch",
                                                 item.lang, field=f"event.{key}", other=sibling.path))
        return errors


def stray_files(model: "Model", root: Path) -> list[ContentError]:
    """Errors for files in section folders that the build would silently skip (``x.zh.MD``,
    ``x.markdown``, ``photo.jpg``); hidden files are ignored."""
    errors = []
    for key in model.sections:
        folder = root / key
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith(".") and not path.name.endswith(".md"):
                rel = path.relative_to(root).as_posix()
                guess = re.search(r"\.([a-z]{2})\.", path.name.lower())
                errors.append(make_error(rel, 1, "stray_file", guess.group(1) if guess else None))
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
