"""What the importers tell the editor, in Chinese, Korean and English.

Data only, like :data:`jindallae.model.MESSAGES`: every message starts with the file it is
about (``path: what is wrong, and how to fix it``).  :class:`ImportFailed` is a refusal
(nothing was written); :class:`Note` something the editor should know about an import that
succeeded (a picture left out, Word styles that were not recognised).  The CLI prints them in
the language of the page being imported with English in parentheses; the CMS in the editor's
interface language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MESSAGES: dict[str, dict[str, str]] = {
    # refusals ---------------------------------------------------------------------------------
    "not_docx": {
        "en": "{path}: this is not a Word document (.docx); open it in Word or WPS, save it as .docx "
              "(File > Save As) and import that file",
        "zh": "{path}：这不是 Word 文档（.docx）；请用 Word 或 WPS 打开，另存为 .docx 格式后再导入",
        "ko": "{path}: Word 문서(.docx)가 아닙니다. Word나 WPS에서 열어 .docx로 다른 이름으로 저장한 뒤 그 파일을 가져오세요",
    },
    "old_doc": {
        "en": "{path}: this is an old Word 97-2003 document (.doc), which cannot be imported; open it in Word or WPS, "
              "save it as .docx and import that file",
        "zh": "{path}：这是旧版 Word 97-2003 文档（.doc），无法导入；请用 Word 或 WPS 打开，另存为 .docx 后再导入",
        "ko": "{path}: 예전 Word 97-2003 문서(.doc)라서 가져올 수 없습니다. Word나 WPS에서 열어 .docx로 저장한 뒤 가져오세요",
    },
    "encrypted": {
        "en": "{path}: the document is protected with a password and cannot be read; open it in Word or WPS, remove "
              "the password (File > Info > Protect Document), save it and import it again",
        "zh": "{path}：文档设置了打开密码，无法读取；请用 Word 或 WPS 打开，取消密码（文件 > 信息 > 保护文档），保存后再导入",
        "ko": "{path}: 암호가 걸린 문서라서 읽을 수 없습니다. Word나 WPS에서 열어 암호를 해제(파일 > 정보 > 문서 보호)하고 "
              "저장한 뒤 다시 가져오세요",
    },
    "corrupt": {
        "en": "{path}: the file is damaged or incomplete ({detail}); open it in Word or WPS, save it again as .docx "
              "and import the new file",
        "zh": "{path}：文件已损坏或不完整（{detail}）；请用 Word 或 WPS 打开，重新另存为 .docx 后导入新文件",
        "ko": "{path}: 파일이 손상되었거나 불완전합니다({detail}). Word나 WPS에서 열어 .docx로 다시 저장한 뒤 새 파일을 가져오세요",
    },
    "unsafe": {
        "en": "{path}: the document contains XML declarations that Word never writes (DOCTYPE/ENTITY) and was "
              "refused; open it in Word or WPS, save it again as .docx and import the new file",
        "zh": "{path}：文档含有 Word 从不写入的 XML 声明（DOCTYPE/ENTITY），已拒绝导入；请用 Word 或 WPS 打开，重新另存为 .docx 后导入",
        "ko": "{path}: Word가 쓰지 않는 XML 선언(DOCTYPE/ENTITY)이 들어 있어 거부했습니다. Word나 WPS에서 열어 .docx로 "
              "다시 저장한 뒤 가져오세요",
    },
    "too_large": {
        "en": "{path}: the file is {size}, more than the limit of {limit}; compress its pictures in Word "
              "(Picture Format > Compress Pictures) or split the document, then import again",
        "zh": "{path}：文件大小为 {size}，超过上限 {limit}；请在 Word 中压缩图片（图片格式 > 压缩图片）或拆分文档后再导入",
        "ko": "{path}: 파일 크기가 {size}로 한도 {limit}을(를) 넘습니다. Word에서 그림을 압축(그림 서식 > 그림 압축)하거나 "
              "문서를 나눈 뒤 다시 가져오세요",
    },
    "bomb": {
        "en": "{path}: the document unpacks to more than {limit} (or into more than {parts} parts) and was refused "
              "to protect the server; a real Word document is far smaller: save it again in Word or WPS",
        "zh": "{path}：文档解压后超过 {limit}（或超过 {parts} 个部件），为保护服务器已拒绝；正常的 Word 文档远小于此，请用 Word 或 WPS 重新保存",
        "ko": "{path}: 문서를 풀면 {limit}을(를) 넘거나 부품이 {parts}개를 넘어 서버 보호를 위해 거부했습니다. 정상 Word 문서는 "
              "훨씬 작으니 Word나 WPS에서 다시 저장하세요",
    },
    "empty": {
        "en": "{path}: there is no text to import; check that this is the right file",
        "zh": "{path}：没有可导入的文字；请确认文件是否正确",
        "ko": "{path}: 가져올 글이 없습니다. 올바른 파일인지 확인하세요",
    },
    "encoding": {
        "en": "{path}: the text is neither UTF-8 nor GB18030/GBK{korean}; save it as UTF-8 (Notepad: Save As > "
              "Encoding UTF-8) and import again",
        "zh": "{path}：文字编码不是 UTF-8 或 GB18030/GBK{korean}；请另存为 UTF-8 编码（记事本：另存为 > 编码 UTF-8）后再导入",
        "ko": "{path}: 글자 인코딩이 UTF-8이나 GB18030/GBK{korean}이(가) 아닙니다. UTF-8로 저장(메모장: 다른 이름으로 저장 > "
              "인코딩 UTF-8)한 뒤 다시 가져오세요",
    },
    "unknown_type": {
        "en": "{path}: unknown kind of file; import a Word document (.docx), text (.txt), a web page (.html) or "
              "'-' for standard input",
        "zh": "{path}：无法识别的文件类型；可导入 Word 文档（.docx）、文本（.txt）、网页（.html），或用“-”读取标准输入",
        "ko": "{path}: 알 수 없는 파일 종류입니다. Word 문서(.docx), 텍스트(.txt), 웹 페지(.html)를 가져오거나 표준 입력은 '-'로 주세요",
    },
    "read_failed": {
        "en": "{path}: cannot be read ({detail}); check the name and that you may read it",
        "zh": "{path}：无法读取（{detail}）；请检查文件名和读取权限",
        "ko": "{path}: 읽을 수 없습니다({detail}). 파일 이름과 읽기 권한을 확인하세요",
    },
    "unknown_section": {
        "en": "{path}: unknown section '{section}'; choose one of: {sections}",
        "zh": "{path}：未知栏目“{section}”；请从以下栏目中选择：{sections}",
        "ko": "{path}: 알 수 없는 분류 '{section}'입니다. 다음 중에서 고르세요: {sections}",
    },
    "unknown_lang": {
        "en": "{path}: unknown language '{lang}'; choose one of: {langs}",
        "zh": "{path}：未知语言“{lang}”；请从以下语言中选择：{langs}",
        "ko": "{path}: 알 수 없는 언어 '{lang}'입니다. 다음 중에서 고르세요: {langs}",
    },
    "bad_slug": {
        "en": "{path}: the address name (slug) '{slug}' may contain only lowercase letters, digits and hyphens; "
              "give another with --slug",
        "zh": "{path}：地址名（slug）“{slug}”只能包含小写字母、数字和连字符；请用 --slug 另给一个",
        "ko": "{path}: 주소 이름(slug) '{slug}'에는 영문 소문자, 숫자, 하이픈만 쓸 수 있습니다. --slug로 다른 이름을 주세요",
    },
    "no_slug": {
        "en": "{path}: cannot make an address name (slug) from the title '{title}'; give one with --slug "
              "(lowercase letters, digits, hyphens)",
        "zh": "{path}：无法从标题“{title}”生成地址名（slug）；请用 --slug 指定（小写字母、数字、连字符）",
        "ko": "{path}: 제목 '{title}'에서 주소 이름(slug)을 만들 수 없습니다. --slug로 지정하세요(영문 소문자, 숫자, 하이픈)",
    },
    "exists": {
        "en": "{path}: {target} already exists and was left as it is; import under another address name with --slug",
        "zh": "{path}：{target} 已经存在，未作改动；请用 --slug 换一个地址名再导入",
        "ko": "{path}: {target}이(가) 이미 있어 그대로 두었습니다. --slug로 다른 주소 이름을 주어 가져오세요",
    },
    "slug_taken": {
        "en": "{path}: the address name '{slug}' is already used by {other} in another section; "
              "import under another address name with --slug",
        "zh": "{path}：地址名“{slug}”已被其他栏目的 {other} 使用；请用 --slug 换一个地址名再导入",
        "ko": "{path}: 주소 이름 '{slug}'을(를) 다른 분류의 {other}이(가) 쓰고 있습니다. --slug로 다른 주소 이름을 주세요",
    },
    "invalid_page": {
        "en": "{path}: the imported page would not be valid ({detail}); nothing was written",
        "zh": "{path}：导入后的页面无效（{detail}）；未写入任何文件",
        "ko": "{path}: 가져온 페지가 올바르지 않습니다({detail}). 아무 파일도 쓰지 않았습니다",
    },
    "write_failed": {
        "en": "{path}: cannot write {target} ({detail}); nothing was written",
        "zh": "{path}：无法写入 {target}（{detail}）；未写入任何文件",
        "ko": "{path}: {target}을(를) 쓸 수 없습니다({detail}). 아무 파일도 쓰지 않았습니다",
    },
    # notes ------------------------------------------------------------------------------------
    "images_alt": {
        "en": "{path}: {count} picture(s) saved in {folder}; each needs alt text: replace the 'TODO' in ![TODO…] "
              "with what the picture shows (jindallae check reports them as errors until then)",
        "zh": "{path}：已将 {count} 张图片保存到 {folder}；每张图片都需要替代文字：请把 ![TODO…] 中的“TODO”改写为图片内容的描述"
              "（改好之前 jindallae check 会报错）",
        "ko": "{path}: 그림 {count}장을 {folder}에 저장했습니다. 그림마다 대체 텍스트가 필요하니 ![TODO…]의 'TODO'를 그림 "
              "내용 설명으로 바꾸세요(바꾸기 전까지 jindallae check가 오류로 알립니다)",
    },
    "image_unusable": {
        "en": "{path}: picture {name} was left out ({reason}); save it as PNG or JPEG and insert it by hand "
              "(a TODO marks the place)",
        "zh": "{path}：图片 {name} 未导入（{reason}）；请另存为 PNG 或 JPEG 后手动插入（原位置有 TODO 标记）",
        "ko": "{path}: 그림 {name}을(를) 가져오지 않았습니다({reason}). PNG나 JPEG로 저장해 직접 넣으세요(자리에 TODO 표시가 있습니다)",
    },
    "image_remote": {
        "en": "{path}: {count} picture(s) stay on another site ({example}); download them, upload them with "
              "'Insert an image' and describe them",
        "zh": "{path}：有 {count} 张图片仍指向其他网站（{example}）；请下载后用“插入图片”上传并填写说明",
        "ko": "{path}: 그림 {count}장이 다른 사이트를 가리킵니다({example}). 내려받아 '그림 넣기'로 올리고 설명을 쓰세요",
    },
    "image_resized": {
        "en": "{path}: picture {name} was {width}×{height} pixels and was scaled down to {new_width} pixels wide",
        "zh": "{path}：图片 {name} 原为 {width}×{height} 像素，已缩小到 {new_width} 像素宽",
        "ko": "{path}: 그림 {name}은(는) {width}×{height} 픽셀이어서 폭 {new_width} 픽셀로 줄였습니다",
    },
    "styles_unknown": {
        "en": "{path}: Word styles not recognised, their paragraphs imported as plain text: {styles}; "
              "check the headings in the draft",
        "zh": "{path}：以下 Word 样式未能识别，相应段落按普通正文导入：{styles}；请检查草稿中的标题",
        "ko": "{path}: 다음 Word 스타일을 알아보지 못해 해당 단락을 일반 본문으로 가져왔습니다: {styles}. 초안의 제목을 확인하세요",
    },
    "encoding_used": {
        "en": "{path}: read as {encoding} (not UTF-8); check that the characters look right",
        "zh": "{path}：按 {encoding} 编码读取（不是 UTF-8）；请检查文字是否正常",
        "ko": "{path}: {encoding} 인코딩으로 읽었습니다(UTF-8이 아님). 글자가 제대로 보이는지 확인하세요",
    },
}

# Short reasons inside other messages, by language.
REASONS: dict[str, dict[str, str]] = {
    "format": {"en": "{fmt} cannot be shown on a web page", "zh": "{fmt} 格式无法在网页上显示",
               "ko": "{fmt} 형식은 웹 페지에 표시할 수 없습니다"},
    "pixels": {"en": "{width}×{height} pixels, more than {limit} megapixels", "zh": "{width}×{height} 像素，超过 {limit} 百万像素",
               "ko": "{width}×{height} 픽셀로 {limit}백만 픽셀을 넘습니다"},
    "damaged": {"en": "the picture is damaged", "zh": "图片已损坏", "ko": "그림이 손상되었습니다"},
    "not_found": {"en": "the picture is missing from the document", "zh": "文档中缺少这张图片",
                  "ko": "문서에 그림이 없습니다"},
    "too_many": {"en": "more than {limit} pictures", "zh": "图片超过 {limit} 张", "ko": "그림이 {limit}장을 넘습니다"},
    "korean": {"en": ", EUC-KR/CP949", "zh": "、EUC-KR/CP949", "ko": ", EUC-KR/CP949"},
}

# The alt text an extracted picture gets: visibly unfinished, reported by `jindallae check`
# (check id alt-missing) until the editor describes the picture.
ALT_TODO = {"zh": "TODO：请描述图片内容", "ko": "TODO: 그림 내용을 설명하세요", "en": "TODO: describe the picture"}
# A picture that could not be imported: a visible placeholder in the text.
IMAGE_LEFT_OUT = {"zh": "【TODO：此处原有图片 {name}，未能导入，请手动插入】",
                  "ko": "【TODO: 여기에 있던 그림 {name}을(를) 가져오지 못했습니다. 직접 넣으세요】",
                  "en": "[TODO: picture {name} could not be imported; insert it by hand]"}


def _local(lang: str) -> str:
    return lang if lang in ("zh", "ko") else "zh"


def text(code: str, lang: str, **kw: Any) -> str:
    """Message ``code`` in ``lang`` (``zh``, ``ko`` or ``en``; others fall back to Chinese)."""
    lang = lang if lang == "en" else _local(lang)
    values = {}
    for key, value in kw.items():
        if isinstance(value, Reason):
            value = value.text(lang)
        values[key] = value
    return MESSAGES[code][lang].format(**values)


@dataclass(frozen=True)
class Reason:
    """A short reason (:data:`REASONS`) to put into a message, rendered in its language."""

    code: str
    kw: tuple[tuple[str, Any], ...] = ()

    def text(self, lang: str) -> str:
        table = REASONS[self.code]
        return table.get(lang, table["zh"]).format(**dict(self.kw))


def reason(code: str, **kw: Any) -> Reason:
    return Reason(code, tuple(sorted(kw.items())))


@dataclass
class Note:
    """Something the editor should know about a finished import: message ``code`` of
    :data:`MESSAGES` with its values (``path`` included)."""

    code: str
    kw: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str) -> str:
        """The note in ``lang``."""
        return text(self.code, lang, **self.kw)


class ImportFailed(Exception):
    """The input cannot be imported; nothing was written.  ``code`` names the message of
    :data:`MESSAGES` and ``kw`` its values; :meth:`text` gives it in a language, ``str()``
    in English."""

    def __init__(self, code: str, **kw: Any):
        self.code = code
        self.kw = kw
        super().__init__(text(code, "en", **kw))

    def text(self, lang: str) -> str:
        """The message in ``lang`` (``zh``, ``ko``, ``en``)."""
        return text(self.code, lang, **self.kw)
