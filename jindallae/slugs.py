"""ASCII slugs for Chinese, Korean and Latin text (titles, tags, heading anchors).

Han characters become Hanyu Pinyin with readings chosen in context by pypinyin's phrase
dictionary (银行 -> yin-hang, 重阳 -> chong-yang); Hangul becomes Revised Romanization
(korean-romanizer: 문화공원 -> munhwagongwon, one slug word per Korean word); everything else goes
through python-slugify.  Libraries do the linguistics; this module only splits text into script
runs and joins the results.
"""

from __future__ import annotations

import re
from functools import lru_cache

from slugify import slugify as _latin_slugify

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HANGUL = r"\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"
# The longest slug made from text (a URL path segment and a file or folder name: titles of
# 70 Chinese characters give 250+ letters of pinyin, beyond the 255 bytes a file name may have);
# longer ones are cut at a word boundary.
SLUG_MAX_LENGTH = 80
_RUNS = re.compile(rf"(?P<han>[{_HAN}]+)|(?P<hangul>[{_HANGUL}]+)|(?P<other>[^{_HAN}{_HANGUL}]+)")


@lru_cache(maxsize=1)
def _romanizer():
    from korean_romanizer.romanizer import Romanizer  # Revised Romanization of Korean

    return Romanizer


def _pinyin(text: str) -> list[str]:
    from pypinyin import Style, lazy_pinyin  # phrase-aware Hanyu Pinyin

    return lazy_pinyin(text, style=Style.NORMAL, errors="ignore")


@lru_cache(maxsize=4096)
def slugify(text: str, separator: str = "-") -> str:
    """Return an ASCII slug for ``text``: lowercase ``[a-z0-9]`` words joined by ``separator``.

    ``slugify("创建幸福家庭") == "chuang-jian-xing-fu-jia-ting"``;
    ``slugify("문화공원 안내") == "munhwagongwon-annae"``; ``slugify("2026年 Forum")`` keeps
    the Latin and the digits.  Returns ``""`` when nothing sluggable remains (e.g. only emoji).
    At most :data:`SLUG_MAX_LENGTH` characters, cut after a whole word (a long official title
    gives the first words of its pinyin, still a valid file and folder name).
    """
    words: list[str] = []
    for m in _RUNS.finditer(text):
        if m.group("han"):
            words += [p.replace("ü", "v") for p in _pinyin(m.group("han"))]
        elif m.group("hangul"):
            words.append(_romanizer()(m.group("hangul")).romanize())
        else:
            words.append(m.group("other"))
    return _latin_slugify(" ".join(words), separator=separator, lowercase=True, max_length=SLUG_MAX_LENGTH,
                          word_boundary=True)
