"""The catalogue of editorial checks: every check id with its severity, and every message in
Chinese and Korean (the editor's language: the language of the file) and English (developers).

Data only, like :data:`jindallae.model.MESSAGES`.  ``error`` blocks publishing (``jindallae
check`` exits 1); ``warning`` does not.  Findings of an ``acceptable`` check can be accepted by
staff after review (``jindallae check --accept PATH:LINE:COL``); they are then listed as accepted
and no longer block.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CheckSpec:
    id: str
    severity: str  # "error" | "warning"
    fixable: bool = False
    acceptable: bool = True
    doc: str = ""


CHECKS: dict[str, CheckSpec] = {c.id: c for c in (
    CheckSpec("front-matter", "error", acceptable=False,
              doc="Front matter against the content model (the build's own validation, reused)"),
    CheckSpec("traditional", "error", fixable=True,
              doc="Traditional characters in a Simplified Chinese page (OpenCC t2s, phrase-aware)"),
    CheckSpec("debris-tag", "error", doc="Stray, broken or pasted HTML tags"),
    CheckSpec("debris-replacement", "error", doc="U+FFFD replacement characters (damaged encoding)"),
    CheckSpec("debris-question", "error", doc="Runs of '?' inside CJK text (characters lost as '?')"),
    CheckSpec("debris-nbsp", "error", doc="Runs of non-breaking spaces (&nbsp;) pasted from web pages"),
    CheckSpec("shortcode", "warning",
              doc="Markup of another site generator (Hugo {{< x >}} / {{% x %}} shortcodes, template macros "
                  "such as MDN's {{Compat}}): not expanded here, readers would see it as text"),
    CheckSpec("punctuation-mix", "warning", doc="Full-width and half-width punctuation mixed in one sentence"),
    CheckSpec("paste-structure", "warning",
              doc="One paragraph holding several numbered sections (一、 … 二、, （一） …): pasted text whose lines "
                  "ran together"),
    CheckSpec("alt-missing", "error", doc="Images without alt text (or a file name or a TODO placeholder as alt text)"),
    CheckSpec("alt-language", "error", doc="Alt text not in the page's language"),
    CheckSpec("image-missing", "error", acceptable=False, doc="Image paths that resolve to no file"),
    CheckSpec("image-too-large", "error", doc="Images too large to serve (bytes, pixels)"),
    CheckSpec("link-broken", "error", acceptable=False, doc="Internal links that resolve to no page or file"),
    CheckSpec("link-unpublished", "error", doc="Links from a published page to a page that is not published"),
    CheckSpec("term", "warning", doc="Terms to avoid, with the preferred wording (content/terms.yaml)"),
    CheckSpec("sensitive", "error",
              doc="Words of the office's sensitive-word lists (content/sensitive-words.yaml; error or warning per "
                  "entry), matched across full-width/half-width forms, Traditional/Simplified characters and "
                  "spaces or symbols put between the characters"),
    CheckSpec("typo", "warning",
              doc="Common confusions of written Chinese: 的/地/得, 截止/截至, lower-case numerals in an amount in "
                  "capitals, wrongly written words (content/typos.yaml; warning unless the entry says error)"),
    CheckSpec("korean-norm", "warning",
              doc="South Korean spellings in Korean pages of a Yanbian site, with the form of the Chinese Korean "
                  "norms (content/korean-norms.yaml; CHECKS_KOREAN_NORM)"),
    CheckSpec("translation-missing", "warning", doc="A page without a version in another site language"),
    CheckSpec("translation-outdated", "warning", doc="The source changed after the translation was made"),
    CheckSpec("translation-source-missing", "warning", doc="translated_from names a source that does not exist"),
    CheckSpec("translation-unrecorded", "warning", doc="A translation without a translated_from revision"),
    CheckSpec("data-file", "error", acceptable=False,
              doc="The terms, Korean norms, sensitive-word, typo or accept file cannot be read"),
    CheckSpec("poster", "error", acceptable=False,
              doc="A poster the build would stop at: unknown format or template, unreadable picture, "
                  "characters the poster fonts cannot draw, a bilingual poster without translation"),
    CheckSpec("poster-pending", "warning",
              doc="A bilingual poster waits until the page's other language version is published"),
)}

# The languages every message is written in (besides English).
LANGUAGES = ("zh", "ko")

# Language names inside messages, in the message's language.
LANG_NAMES: dict[str, dict[str, str]] = {
    "en": {"zh": "Chinese", "ko": "Korean"},
    "zh": {"zh": "中文", "ko": "朝鲜文"},
    "ko": {"zh": "중국어", "ko": "한국어"},
}

# Message key -> {en, zh, ko}.  The key is the check id, or "id/variant".
MESSAGES: dict[str, dict[str, str]] = {
    "traditional": {
        "en": "Traditional characters in a Simplified Chinese page: {found}; Simplified: {simplified} "
              "(jindallae check --fix converts them)",
        "zh": "简体页面中有繁体字：{found}；简体应为：{simplified}（可用 jindallae check --fix 自动转换）",
        "ko": "간체 중국어 페지에 번체자가 있습니다: {found}; 간체: {simplified} (jindallae check --fix로 바꿀 수 있습니다)",
    },
    "traditional/field": {
        "en": "Traditional characters in field '{field}': {found}; Simplified: {simplified}; correct it by hand",
        "zh": "字段“{field}”中有繁体字：{found}；简体应为：{simplified}；请手动改正",
        "ko": "항목 '{field}'에 번체자가 있습니다: {found}; 간체: {simplified}. 직접 고치세요",
    },
    "debris-tag/close": {
        "en": "stray HTML closing tag '{tag}' (left over from a web page or word processor); delete it",
        "zh": "多余的 HTML 结束标签“{tag}”（从网页或文档粘贴时留下的）；请删除",
        "ko": "남은 HTML 닫는 태그 '{tag}'가 있습니다(웹 페지나 문서에서 붙여 넣을 때 남은 것). 지우세요",
    },
    "debris-tag/fragment": {
        "en": "broken HTML tag '{tag}' in the text (pasted from a web page); delete it",
        "zh": "正文中有残缺的 HTML 标签“{tag}”（从网页粘贴时留下的）；请删除",
        "ko": "본문에 깨진 HTML 태그 '{tag}'가 있습니다(웹 페지에서 붙여 넣을 때 남은 것). 지우세요",
    },
    "debris-tag/unclosed": {
        "en": "HTML tag '{tag}' is never closed; delete it or add '</{name}>'",
        "zh": "HTML 标签“{tag}”没有结束标签；请删除它或补上“</{name}>”",
        "ko": "HTML 태그 '{tag}'가 닫히지 않았습니다. 지우거나 '</{name}>'을 넣으세요",
    },
    "debris-tag/dropped": {
        "en": "HTML tag '{tag}' is not allowed on the site and would be removed (pasted formatting?); delete it",
        "zh": "网站不允许 HTML 标签“{tag}”，发布时会被删除（可能是粘贴带来的格式）；请删除",
        "ko": "HTML 태그 '{tag}'는 사이트에서 허용되지 않아 삭제됩니다(붙여 넣은 서식일 수 있음). 지우세요",
    },
    "debris-tag/style": {
        "en": "HTML tag '{tag}' carries formatting pasted from a web page or word processor ({attr}); "
              "remove the tag and keep the text",
        "zh": "HTML 标签“{tag}”带有从网页或 Word 粘贴来的格式（{attr}）；请删除标签，保留文字",
        "ko": "HTML 태그 '{tag}'에 웹 페지나 워드에서 붙여 넣은 서식({attr})이 있습니다. 태그를 지우고 글자만 남기세요",
    },
    "debris-replacement": {
        "en": "replacement character '\ufffd': the text was damaged by a wrong encoding; retype the lost "
              "characters from the original",
        "zh": "出现乱码替换符“\ufffd”：文字在转码时损坏；请对照原文补上缺失的字",
        "ko": "깨진 글자 표시 '\ufffd'가 있습니다: 인코딩 문제로 글자가 손상되었습니다. 원문을 보고 빠진 글자를 다시 입력하세요",
    },
    "debris-question": {
        "en": "'{text}' inside CJK text: characters were probably lost as question marks when pasting; "
              "check against the original",
        "zh": "文字中出现“{text}”：粘贴时文字可能变成了问号；请对照原文改正",
        "ko": "글 가운데 '{text}'가 있습니다: 붙여 넣을 때 글자가 물음표로 바뀌었을 수 있습니다. 원문과 대조해 고치세요",
    },
    "debris-nbsp": {
        "en": "run of {count} non-breaking spaces (&nbsp;) pasted from a web page; delete them",
        "zh": "连续 {count} 个不换行空格（&nbsp;），是从网页粘贴来的；请删除",
        "ko": "줄바꿈 없는 공백(&nbsp;)이 {count}개 이어져 있습니다(웹 페지에서 붙여 넣은 것). 지우세요",
    },
    "shortcode/hugo": {
        "en": "'{code}' is a Hugo shortcode; this site does not expand it and readers would see it as text: "
              "write the content in Markdown instead, or delete it",
        "zh": "“{code}”是 Hugo 短代码；本网站不会展开它，读者会看到原样文字：请改用 Markdown 写出内容，或删除",
        "ko": "'{code}'은(는) Hugo 쇼트코드입니다. 이 사이트에서는 펼쳐지지 않아 독자에게 글자 그대로 보입니다. "
              "Markdown으로 내용을 쓰거나 지우세요",
    },
    "shortcode/macro": {
        "en": "'{code}' is a template macro of another site (MDN, Liquid, Jinja); this site does not expand it and "
              "readers would see it as text: write the content in Markdown instead, or delete it",
        "zh": "“{code}”是其他网站的模板宏（MDN、Liquid、Jinja 等）；本网站不会展开它，读者会看到原样文字：请改用 Markdown 写出内容，或删除",
        "ko": "'{code}'은(는) 다른 사이트의 템플릿 매크로(MDN, Liquid, Jinja 등)입니다. 이 사이트에서는 펼쳐지지 않아 "
              "독자에게 글자 그대로 보입니다. Markdown으로 내용을 쓰거나 지우세요",
    },
    "punctuation-mix": {
        "en": "full-width and half-width punctuation mixed in one sentence: '{mark}' should be '{should}'",
        "zh": "同一句中全角、半角标点混用：“{mark}”应为“{should}”",
        "ko": "한 문장에 전각·반각 문장부호가 섞여 있습니다: '{mark}' 대신 '{should}'를 쓰세요",
    },
    "alt-missing": {
        "en": "image '{src}' has no alt text; describe the picture in the brackets: ![description]({src})",
        "zh": "图片“{src}”没有替代文字；请在方括号里描述图片内容：![图片说明]({src})",
        "ko": "그림 '{src}'에 대체 텍스트가 없습니다. 대괄호 안에 그림을 설명하세요: ![그림 설명]({src})",
    },
    "alt-missing/todo": {
        "en": "the alt text of image '{src}' is still a placeholder ('{alt}'); describe what the picture shows "
              "instead of the TODO",
        "zh": "图片“{src}”的替代文字还是占位文字（“{alt}”）；请把 TODO 改写为图片内容的描述",
        "ko": "그림 '{src}'의 대체 텍스트가 아직 자리표시 글('{alt}')입니다. TODO 대신 그림의 내용을 설명하세요",
    },
    "paste-structure": {
        "en": "this paragraph holds several numbered sections ('{first}' … '{marker}'): the lines of pasted text "
              "ran together; put an empty line before '{marker}' (or use the CMS's 'clean up pasted text')",
        "zh": "这一段里包含多个编号小节（“{first}”……“{marker}”）：粘贴的文字连成了一段；请在“{marker}”前空一行"
              "（或使用内容管理系统的“整理粘贴的文字”）",
        "ko": "이 단락에 번호 붙은 절이 여러 개 들어 있습니다('{first}' … '{marker}'). 붙여 넣은 글의 줄이 한 단락으로 "
              "이어졌으니 '{marker}' 앞에 빈 줄을 넣으세요(또는 CMS의 '붙여 넣은 글 정리'를 쓰세요)",
    },
    "alt-missing/filename": {
        "en": "the alt text of image '{src}' is a file name ('{alt}'); describe what the picture shows",
        "zh": "图片“{src}”的替代文字只是文件名（“{alt}”）；请描述图片内容",
        "ko": "그림 '{src}'의 대체 텍스트가 파일 이름('{alt}')입니다. 그림의 내용을 설명하세요",
    },
    "alt-language": {
        "en": "the alt text of image '{src}' is not in {language}: '{alt}'; readers of this page need it in their language",
        "zh": "图片“{src}”的替代文字不是中文：“{alt}”；请用本页的语言描述图片",
        "ko": "그림 '{src}'의 대체 텍스트가 한국어가 아닙니다: '{alt}'. 이 페지의 언어(한국어)로 설명하세요",
    },
    "image-missing": {
        "en": "image '{src}' does not exist; check the path (relative to this file or to content/)",
        "zh": "图片“{src}”不存在；请检查路径（相对于本文件或 content/）",
        "ko": "그림 '{src}'이(가) 없습니다. 경로(이 파일 또는 content/ 기준)를 확인하세요",
    },
    "image-missing/unreadable": {
        "en": "image '{src}' cannot be read as a picture ({reason}); save it again as JPEG or PNG",
        "zh": "图片“{src}”无法读取（{reason}）；请重新保存为 JPEG 或 PNG",
        "ko": "그림 '{src}'을(를) 읽을 수 없습니다({reason}). JPEG나 PNG로 다시 저장하세요",
    },
    "image-too-large/bytes": {
        "en": "image '{src}' is {size} (limit {limit}); make it smaller before publishing",
        "zh": "图片“{src}”大小为 {size}（上限 {limit}）；请压缩后再发布",
        "ko": "그림 '{src}'의 크기가 {size}입니다(한도 {limit}). 줄인 뒤 발행하세요",
    },
    "image-too-large/bomb": {
        "en": "image '{src}' has {pixels} pixels, too many to open safely (limit {limit}); scale it down",
        "zh": "图片“{src}”有 {pixels} 像素，大到无法安全打开（上限 {limit}）；请缩小后再用",
        "ko": "그림 '{src}'은(는) {pixels} 픽셀로 너무 커서 안전하게 열 수 없습니다(한도 {limit}). 줄여서 쓰세요",
    },
    "image-too-large/pixels": {
        "en": "image '{src}' is {width}×{height} pixels (limit {limit} pixels); scale it down before publishing",
        "zh": "图片“{src}”为 {width}×{height} 像素（上限 {limit} 像素）；请缩小后再发布",
        "ko": "그림 '{src}'이(가) {width}×{height} 픽셀입니다(한도 {limit} 픽셀). 줄인 뒤 발행하세요",
    },
    "link-broken": {
        "en": "link '{url}' leads nowhere: no such page or file; check the path",
        "zh": "链接“{url}”指向的页面或文件不存在；请检查路径",
        "ko": "링크 '{url}'가 가리키는 페지나 파일이 없습니다. 경로를 확인하세요",
    },
    "link-unpublished": {
        "en": "link '{url}' leads to {target}, which is not published (status: {status}); publish it first or remove the link",
        "zh": "链接“{url}”指向的 {target} 尚未发布（状态：{status}）；请先发布该页或删除链接",
        "ko": "링크 '{url}'가 가리키는 {target}은(는) 아직 발행되지 않았습니다(상태: {status}). 먼저 발행하거나 링크를 지우세요",
    },
    "term": {
        "en": "avoid '{avoid}': write '{prefer}' instead{note}",
        "zh": "请勿使用“{avoid}”，应写作“{prefer}”{note}",
        "ko": "'{avoid}' 대신 '{prefer}'(으)로 쓰세요{note}",
    },
    "korean-norm": {
        "en": "Yanbian Korean norms (Chosonmal Kyubomjip): '{found}' is written '{suggest}'{note}; "
              "change it if the word is meant",
        "zh": "按延边朝鲜语规范（《朝鲜语规范集》），“{found}”应写作“{suggest}”{note}；如确是此词，请修改",
        "ko": "조선말규범집에 따르면 '{found}'은(는) '{suggest}'(으)로 씁니다{note}. 그 뜻의 단어라면 고치십시오",
    },
    "translation-missing": {
        "en": "there is no {language} version of this page yet",
        "zh": "本页还没有{language}版本",
        "ko": "이 페지의 {language} 버전이 아직 없습니다",
    },
    "translation-outdated": {
        "en": "this translation is outdated: the {language} source {source} changed after it was translated "
              "(revision {old} -> {new}); update the translation, then run: jindallae check --mark-translated {page}",
        "zh": "译文已过时：{language}原文 {source} 在翻译之后有修改（版本 {old} → {new}）；请更新译文，然后运行 "
              "jindallae check --mark-translated {page}",
        "ko": "번역이 오래되었습니다: {language} 원문 {source}이(가) 번역 후에 수정되었습니다(판 {old} → {new}). "
              "번역을 고친 뒤 jindallae check --mark-translated {page}를 실행하세요",
    },
    "translation-source-missing": {
        "en": "translated_from names a {language} source, but {source} does not exist; fix translated_from.lang or add the source",
        "zh": "translated_from 指明的{language}原文 {source} 不存在；请改正 translated_from.lang 或补上原文",
        "ko": "translated_from에 적힌 {language} 원문 {source}이(가) 없습니다. translated_from.lang을 고치거나 원문을 추가하세요",
    },
    "translation-unrecorded": {
        "en": "this page has a {language} version but no translated_from revision, so nobody can tell whether it is "
              "up to date; when it matches the source, run: jindallae check --mark-translated {page}",
        "zh": "本页有{language}版本，但没有记录 translated_from 版本号，无法判断是否过时；确认与原文一致后运行 "
              "jindallae check --mark-translated {page}",
        "ko": "이 페지는 {language} 버전이 있지만 translated_from 판이 기록되지 않아 최신인지 알 수 없습니다. "
              "원문과 맞으면 jindallae check --mark-translated {page}를 실행하세요",
    },
    "sensitive": {
        "en": "'{found}' matches '{word}' of the sensitive-word list{note}; check it, then reword or remove it",
        "zh": "“{found}”命中敏感词表中的“{word}”{note}；请核实后改写或删除",
        "ko": "'{found}'이(가) 민감어 목록의 '{word}'에 해당합니다{note}. 확인하고 고쳐 쓰거나 지우세요",
    },
    "typo": {
        "en": "'{found}' is probably a slip: write '{prefer}'{note}",
        "zh": "“{found}”可能有误，应为“{prefer}”{note}",
        "ko": "'{found}'은(는) 잘못 쓴 것일 수 있습니다. '{prefer}'(으)로 쓰세요{note}",
    },
    "data-file": {
        "en": "cannot use {file}: {problem}",
        "zh": "无法使用 {file}：{problem}",
        "ko": "{file}을(를) 쓸 수 없습니다: {problem}",
    },
}


def message(key: str, lang: str, **kw) -> tuple[str, str]:
    """``(local, english)`` text of message ``key``; ``lang`` falls back to Chinese."""
    texts = MESSAGES[key]
    local_lang = lang if lang in texts else "zh"
    names = LANG_NAMES.get(local_lang, LANG_NAMES["zh"])
    local_kw = dict(kw)
    en_kw = dict(kw)
    if "language" in kw:  # a language code: named in each message's own language
        local_kw["language"] = names.get(kw["language"], kw["language"])
        en_kw["language"] = LANG_NAMES["en"].get(kw["language"], kw["language"])
    if "note" in kw:
        local_kw["note"] = (f"（{kw['note']}）" if local_lang == "zh" else f" ({kw['note']})") if kw["note"] else ""
        en_kw["note"] = f" ({kw['note']})" if kw["note"] else ""
    return texts[local_lang].format(**local_kw), texts["en"].format(**en_kw)
