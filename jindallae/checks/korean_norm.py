"""The ``korean-norm`` check: South Korean spellings in Korean pages of a Yanbian site.

Yanbian editors write by the Chinese Korean norms (조선말규범집, the norms of the Korean language
in China): no initial-sound rule (老人 로인, 女子 녀자, 利用 리용, 領導 령도), no linking ㅅ
(나무잎, 잔치날), Chinese place and person names read the Chinese Korean way (延吉 연길, 龍井
룡정).  Editors and translators who learnt South Korean spelling slip into 노인, 여자, 이용;
this check finds those words from a glossary (``content/korean-norms.yaml``, setting
``CHECKS_KOREAN_NORM_FILE``) and suggests the Yanbian form.  It is a warning and never rewrites:
the editor decides.  ``CHECKS_KOREAN_NORM = "south"`` switches it off.

Glossary file (YAML)::

    entries:
      - {south: 노인, yanbian: 로인, kind: initial, match: anywhere, note: "老人"}
      - {south: 이화, yanbian: 리화, kind: initial, note: "梨花", except: [이화여대]}

Matching rule (``match``, default ``word``, ``anywhere`` for ``kind: saisiot``):

* ``word``: the entry must start a word: the character before it is not Hangul (a space,
  punctuation, a digit, Latin or Han text, the start of the line, or a hole where code, a URL or
  link syntax was).  Anything may follow (particles, suffixes, the rest of a compound), so 노인
  is found in 노인들, 노인절에, 노인협회 — but 이용 is not found in 아이용품 (아이 + 용품), nor
  여자 in 기여자 (寄與者), where the same letters belong to other words.
* ``anywhere``: also inside a word (독거노인, 조선족노인절), for spellings that cannot be part of
  an unrelated word (a linking ㅅ spelling such as 잔칫날 is one compound wherever it stands).
* ``except``: words that begin with the entry but are other words (이화여대, 둔화되다 "slow
  down" vs the town 敦化 둔화); a match followed by one of them is not reported.
* A match that is part of the Yanbian form itself at that place is not reported.

Only prose is read (the callers pass lines with code, URLs and markup holed out, see
:mod:`jindallae.checks.text`; an address typed as text is skipped up to the next space), and
only in Korean pages.  One finding per match, at its line and
column; ``excerpt`` is the whole word as written (노인절에) and the message suggests the word
with the Yanbian form (로인절에).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from .report import Finding, make_finding

# Hangul syllables, Jamo and compatibility Jamo: the letters a Korean word is made of.
_HANGUL = "\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f"
_WORD_END = re.compile(f"[^{_HANGUL}]")
_HANGUL_CHAR = re.compile(f"[{_HANGUL}]")
# An address typed as text: the scanner ends a bare URL at the first Hangul letter (the
# renderer does not link bare URLs at all), but a Hangul path is part of the address, not prose.
_ADDRESS = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://|^www\.")
KINDS = ("initial", "saisiot", "place", "person", "loanword")
MATCHES = ("word", "anywhere")
NORMS = ("yanbian", "south")


@dataclass(frozen=True)
class NormEntry:
    """One glossary entry: ``south`` is reported, ``yanbian`` suggested; ``note`` says why;
    ``kind`` one of :data:`KINDS`; ``match`` one of :data:`MATCHES`; ``exceptions`` words that
    begin with ``south`` but are other words."""

    south: str
    yanbian: str
    note: str = ""
    kind: str = "initial"
    match: str = "word"
    exceptions: tuple[str, ...] = ()


class NormError(ValueError):
    """The glossary cannot be used; ``line`` is the 1-based line of the problem (0: unknown)."""

    def __init__(self, message: str, line: int = 0):
        super().__init__(message)
        self.line = line


def parse_glossary(text: str) -> list[NormEntry]:
    """Entries of a glossary file's ``text`` (see the module docstring).

    Raises :class:`NormError` for YAML that is not a mapping with an ``entries`` list of
    ``{south, yanbian}`` mappings, an unknown ``kind``/``match`` or key, an entry whose two
    forms are the same, or one ``south`` given twice."""
    import yaml

    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise NormError(str(exc).splitlines()[0], mark.line + 1 if mark else 0) from None
    if not isinstance(data, dict) or not isinstance(data.get("entries", []), list):
        raise NormError("expected 'entries:' with a list of {south, yanbian, note} entries")
    out: list[NormEntry] = []
    seen: set[str] = set()
    for n, raw in enumerate(data.get("entries") or [], 1):
        if not isinstance(raw, dict) or not raw.get("south") or not raw.get("yanbian"):
            raise NormError(f"entry {n} needs 'south' and 'yanbian'")
        unknown = set(raw) - {"south", "yanbian", "note", "kind", "match", "except"}
        if unknown:
            raise NormError(f"entry {n} ({raw['south']}): unknown key(s) {sorted(unknown)}")
        south, yanbian = str(raw["south"]).strip(), str(raw["yanbian"]).strip()
        kind = str(raw.get("kind") or "initial")
        if kind not in KINDS:
            raise NormError(f"entry {n} ({south}): kind must be one of {', '.join(KINDS)}")
        match = str(raw.get("match") or ("anywhere" if kind == "saisiot" else "word"))
        if match not in MATCHES:
            raise NormError(f"entry {n} ({south}): match must be one of {', '.join(MATCHES)}")
        if south == yanbian:
            raise NormError(f"entry {n} ({south}): south and yanbian are the same")
        if south in seen:
            raise NormError(f"entry {n} ({south}): given twice")
        seen.add(south)
        exceptions = raw.get("except") or []
        if not isinstance(exceptions, list):
            exceptions = [exceptions]
        out.append(NormEntry(south, yanbian, str(raw.get("note") or ""), kind, match,
                             tuple(str(e) for e in exceptions)))
    return out


class NormGlossary:
    """The entries of one glossary, matched in one pass by one regular expression (longest
    entry first, each with its own word-start condition)."""

    def __init__(self, entries: Iterable[NormEntry]):
        self.entries = {e.south: e for e in entries}
        parts = []
        for e in sorted(self.entries.values(), key=lambda e: (-len(e.south), e.south)):
            guard = "" if e.match == "anywhere" else f"(?<![{_HANGUL}])"
            parts.append(guard + re.escape(e.south))
        self.regex = re.compile("|".join(parts)) if parts else None

    def __len__(self) -> int:
        return len(self.entries)

    def matches(self, text: str) -> list[tuple[int, NormEntry, str, str]]:
        """``[(offset, entry, word as written, word with the Yanbian form)]`` in ``text``."""
        out = []
        if self.regex is None:
            return out
        for m in self.regex.finditer(text):
            entry = self.entries[m.group()]
            at = m.start()
            if any(text.startswith(x, at) for x in entry.exceptions) or self._inside_yanbian(text, at, entry):
                continue
            end = _WORD_END.search(text, m.end())
            stop = end.start() if end else len(text)
            start = at
            while start > 0 and _HANGUL_CHAR.match(text[start - 1]):
                start -= 1
            word = text[start:stop]
            out.append((at, entry, word, text[start:at] + entry.yanbian + text[m.end():stop]))
        return out

    @staticmethod
    def _in_address(raw: str, at: int) -> bool:
        """True when offset ``at`` of the written line is inside a space-free token holding a
        URL scheme (``https://``) or starting with ``www.``."""
        start = max(raw.rfind(" ", 0, at), raw.rfind("\t", 0, at), raw.rfind("\u3000", 0, at)) + 1
        end = len(raw)
        for space in (" ", "\t", "\u3000"):
            k = raw.find(space, at)
            if k >= 0:
                end = min(end, k)
        return bool(_ADDRESS.search(raw[start:end]))

    @staticmethod
    def _inside_yanbian(text: str, at: int, entry: NormEntry) -> bool:
        """True when the match is part of the Yanbian form written at that place."""
        k = entry.yanbian.find(entry.south)
        while k >= 0:
            if at - k >= 0 and text[at - k:at - k + len(entry.yanbian)] == entry.yanbian:
                return True
            k = entry.yanbian.find(entry.south, k + 1)
        return False

    def check(self, path: str, lang: str, lines: Iterable[tuple[int, str]],
              file_lines: list[str] | None = None) -> list[Finding]:
        """``korean-norm`` findings for prose ``lines`` (``(file line, text with holes)``);
        ``file_lines`` (the file as written, by 1-based line - 1) let a word inside an address
        typed as text (``https://example.org/노인``) be skipped."""
        out = []
        for lineno, text in lines:
            raw = file_lines[lineno - 1] if file_lines and 0 < lineno <= len(file_lines) else ""
            for at, entry, word, suggest in self.matches(text):
                if raw and self._in_address(raw, at):
                    continue
                out.append(make_finding("korean-norm", path, lineno, at + 1, lang, excerpt=word,
                                        detail={"south": entry.south, "yanbian": entry.yanbian, "suggest": suggest,
                                                "kind": entry.kind, "note": entry.note},
                                        found=word, suggest=suggest, note=entry.note))
        return out


def load_glossary(root: Path, filename: str) -> NormGlossary:
    """The glossary ``root/filename`` (a missing file gives an empty glossary).  Raises
    :class:`NormError` (also for a file that is not UTF-8 text)."""
    path = root / filename
    if not path.is_file():
        return NormGlossary([])
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise NormError(str(exc)) from None
    return NormGlossary(parse_glossary(text))


def is_korean(hreflang: str) -> bool:
    """True for a Korean page language (``ko``, ``ko-KR``, ``ko-CN``)."""
    return hreflang.lower().split("-")[0] == "ko"


def check_norm(v: Any) -> str | None:
    """Settings check of ``CHECKS_KOREAN_NORM``."""
    if v in NORMS:
        return None
    return f"must be one of {', '.join(repr(n) for n in NORMS)} ('south' switches the check off)"
