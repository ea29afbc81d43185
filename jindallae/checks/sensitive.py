"""The ``sensitive`` check: words from the office's lists that must not go public unnoticed.

Government sites keep lists of words that a page must not carry, or that someone must look at
before it is published: security markings (绝密, 内部资料), placeholders left in a draft (XXX),
and whatever the office's secrecy or publicity department hands down.  The lists are data in
``content/`` (setting ``CHECKS_SENSITIVE_FILES``, default ``["sensitive-words.yaml"]``; the
starter file is a small NEUTRAL example), one list per language::

    zh:
      - word: 内部资料
        level: error            # error (blocks sending to review and publishing) | warning
        note: 标注“内部资料”的材料不得在公开网站发布
        allow: [内部资料室]      # longer words that contain the entry and are fine
    ko:
      - {word: 대외비, level: error}

Matching is done on normalised text, so the usual ways of slipping a word past a plain search
are caught:

* full-width and half-width forms are the same (NFKC: ``ＸＸＸ`` is ``XXX``), case is ignored;
* in Chinese lists Traditional and Simplified characters are the same (OpenCC ``t2s`` applied
  character by character to the list and to the text: ``內部資料`` is ``内部资料``);
* spaces (also the full-width ``　``), symbols and markup inserted between the characters are
  skipped — up to :data:`MAX_GAP` of them between two characters: ``敏 感``, ``敏　感``,
  ``敏*感``, ``敏**感**``; markup that readers do not see (a tag, a link's address) is skipped
  whatever its length; a line break inside a paragraph counts as a space.  Clause punctuation
  (``，。、；：！？`` and their half-width forms) ends a match: two words of one sentence that
  happen to meet across a comma are not one word.

Only prose is read (code, URLs and link syntax are holed out by the callers, see
:mod:`jindallae.checks.text`): the body and the text fields of the front matter.  A finding is
reported at the first character of the match; its ``excerpt`` is the text as written, so an
accepted finding (``jindallae check --accept``) stays accepted while the text stays.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from .report import Finding, make_finding
from .text import HOLE

LEVELS = ("error", "warning")
MAX_GAP = 3  # skipped characters (spaces, symbols) allowed between two characters of a word
# Clause punctuation: a match never runs across it.
BREAKS = set("，。、；：！？,.;:!?\u3002\uff61")
_FILL, _BREAK, _SPACE = "\x01", "\x02", "\x03"  # stand-ins in the normalised stream
_ASCII_WORD = re.compile(r"[a-z0-9]")


class WordListError(ValueError):
    """A word list cannot be used: ``file``, ``line`` (1-based, 0 unknown) and the problem."""

    def __init__(self, file: str, problem: str, line: int = 0):
        super().__init__(f"{file}: {problem}")
        self.file, self.problem, self.line = file, problem, line


@lru_cache(maxsize=1)
def _opencc():
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=65536)
def normalise_char(ch: str, fold_traditional: bool) -> str:
    """One character as the matcher sees it: NFKC (full-width → half-width), case folded, and
    for Chinese lists Traditional → Simplified (OpenCC t2s on the single character, so the same
    character always maps the same way in the list and in the text).  May be '' or several
    characters (NFKC of ``㍿``)."""
    text = unicodedata.normalize("NFKC", ch).casefold()
    if fold_traditional and text and not text.isascii():
        text = _opencc().convert(text)
    return text


def _kind(ch: str) -> str:
    """``'skip'`` (invisible: a hole, a zero-width or format character), ``'break'`` (clause
    punctuation), ``'fill'`` (space, symbol, other punctuation) or ``'text'``."""
    if ch == HOLE or unicodedata.category(ch) in ("Cf", "Cc") and ch not in "\n\t":
        return "skip"
    if ch in BREAKS:
        return "break"
    if ch.isspace():
        return "fill"
    cat = unicodedata.category(ch)
    if cat[0] in ("P", "S") or ch == "_":
        return "fill"
    return "text"


def normalise(text: str, fold_traditional: bool) -> str:
    """``text`` with fillers and invisible characters dropped, normalised (a list entry's key)."""
    out = []
    for ch in text:
        kind = _kind(ch)
        if kind == "text":
            out.append(normalise_char(ch, fold_traditional))
    return "".join(out)


@dataclass(frozen=True)
class Word:
    """One list entry: ``word`` as written in the list, ``key`` its normalised form."""

    word: str
    key: str
    level: str = "error"
    note: str = ""
    allow: tuple[str, ...] = ()  # normalised longer words that contain the entry and pass


class WordList:
    """The words of one language, matched in one pass by one regular expression over the
    normalised text of each paragraph."""

    def __init__(self, words: list[Word], fold_traditional: bool):
        self.fold = fold_traditional
        self.words = {}
        for w in words:
            self.words.setdefault(w.key, w)
        gap = f"[{_FILL}{_SPACE}]{{0,{MAX_GAP}}}"
        space = f"[{_SPACE}]{{0,{MAX_GAP}}}"  # Latin words: only spaces between letters (x-x-x is not XXX)
        parts = []
        for key in sorted(self.words, key=len, reverse=True):
            body = (space if key.isascii() else gap).join(re.escape(c) for c in key)
            if _ASCII_WORD.match(key[0]):
                body = r"(?<![a-z0-9])" + body
            if _ASCII_WORD.match(key[-1]):
                body += r"(?![a-z0-9])"
            parts.append(body)
        self.regex = re.compile("|".join(parts)) if parts else None

    def __len__(self) -> int:
        return len(self.words)

    def stream(self, lines: list[tuple[int, str]]) -> tuple[str, list[tuple[int, int]]]:
        """The normalised stream of one paragraph (its lines joined by a line break) and, for
        each of its characters, ``(file line, 0-based column)`` of the character it came from."""
        chars: list[str] = []
        where: list[tuple[int, int]] = []
        for n, (lineno, text) in enumerate(lines):
            if n:
                chars.append(_SPACE)
                where.append((lineno, 0))
            for col, ch in enumerate(text):
                kind = _kind(ch)
                if kind == "skip":
                    continue
                if kind == "text":
                    for c in normalise_char(ch, self.fold):
                        chars.append(c)
                        where.append((lineno, col))
                else:
                    chars.append(_BREAK if kind == "break" else _SPACE if ch.isspace() else _FILL)
                    where.append((lineno, col))
        return "".join(chars), where

    def matches(self, lines: list[tuple[int, str]]) -> list[tuple[Word, int, int, int, int]]:
        """``[(word, line, col, end line, end col)]`` (0-based columns, end exclusive) of every
        listed word in one paragraph."""
        if self.regex is None:
            return []
        stream, where = self.stream(lines)
        out = []
        for m in self.regex.finditer(stream):
            key = _strip(m.group())
            word = self.words.get(key)
            if word is None or self._allowed(stream, m, word):
                continue
            (line, col), (end_line, end_col) = where[m.start()], where[m.end() - 1]
            out.append((word, line, col, end_line, end_col + 1))
        return out

    @staticmethod
    def _allowed(stream: str, m: re.Match, word: Word) -> bool:
        """True when the match is part of one of the entry's ``allow`` words at that place."""
        for allowed in word.allow:
            k = allowed.find(word.key)
            while k >= 0:
                before = _strip(stream[:m.start()])[-k:] if k else ""
                after = _strip(stream[m.end():])[:len(allowed) - k - len(word.key)]
                if before + word.key + after == allowed:
                    return True
                k = allowed.find(word.key, k + 1)
        return False

    def check(self, path: str, lang: str, paragraphs: Iterable[list[tuple[int, str]]],
              file_lines: list[str] | None = None) -> list[Finding]:
        """One ``sensitive`` finding per match (severity from the entry's ``level``)."""
        out = []
        for lines in paragraphs:
            texts = dict(lines)
            for word, line, col, end_line, end_col in self.matches(lines):
                source, end_source = (self._line(file_lines, texts, n) for n in (line, end_line))
                # a word broken over two lines of one paragraph: the two parts as written
                found = source[col:end_col] if end_line == line else source[col:].rstrip() + end_source[:end_col].lstrip()
                f = make_finding("sensitive", path, line, col + 1, lang, excerpt=found,
                                 detail={"word": word.word, "level": word.level},
                                 found=found, word=word.word, note=word.note)
                f.severity = word.level
                out.append(f)
        return out


    @staticmethod
    def _line(file_lines: list[str] | None, texts: dict[int, str], n: int) -> str:
        return file_lines[n - 1] if file_lines and 0 < n <= len(file_lines) else texts.get(n, "")


def _strip(stream: str) -> str:
    """A piece of the normalised stream without its stand-ins for spaces and symbols."""
    return stream.replace(_FILL, "").replace(_SPACE, "")


def paragraphs(lines: Iterable[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """Prose lines grouped into paragraphs: consecutive file lines that are not blank."""
    out: list[list[tuple[int, str]]] = []
    last = None
    for lineno, text in lines:
        if not text.replace(HOLE, "").strip():
            last = None
            continue
        if last is not None and lineno == last + 1 and out:
            out[-1].append((lineno, text))
        else:
            out.append([(lineno, text)])
        last = lineno
    return out


def parse_lists(data: object, file: str) -> dict[str, list[dict]]:
    """``{lang: [entry dict]}`` of one word-list file's YAML data; raises :class:`WordListError`."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise WordListError(file, "expected one list per language: 'zh:' and 'ko:'")
    out: dict[str, list[dict]] = {}
    for lang, entries in data.items():
        if entries is None:
            continue
        if not isinstance(entries, list):
            raise WordListError(file, f"{lang}: expected a list of entries")
        for n, entry in enumerate(entries, 1):
            if isinstance(entry, str):
                entry = {"word": entry}
            if not isinstance(entry, dict) or not str(entry.get("word") or "").strip():
                raise WordListError(file, f"{lang}: entry {n} needs 'word'")
            unknown = set(entry) - {"word", "level", "note", "allow"}
            if unknown:
                raise WordListError(file, f"{lang}: entry {n} has unknown keys {sorted(unknown)}; "
                                          "allowed: word, level, note, allow")
            if entry.get("level", "error") not in LEVELS:
                raise WordListError(file, f"{lang}: entry {n} ({entry['word']}): level must be error or warning")
            allow = entry.get("allow") or []
            if not isinstance(allow, list) or not all(isinstance(a, str) for a in allow):
                raise WordListError(file, f"{lang}: entry {n} ({entry['word']}): allow must be a list of words")
            out.setdefault(str(lang), []).append(entry)
    return out


def build_lists(entries: dict[str, list[dict]]) -> dict[str, WordList]:
    """``{lang: WordList}`` from parsed entries (Chinese lists fold Traditional characters)."""
    out = {}
    for lang, items in entries.items():
        fold = lang.lower().startswith("zh")
        words = []
        for e in items:
            key = normalise(str(e["word"]), fold)
            if not key:
                continue
            allow = tuple(a for a in (normalise(x, fold) for x in e.get("allow") or []) if word_in(key, a))
            words.append(Word(str(e["word"]), key, str(e.get("level") or "error"), str(e.get("note") or ""), allow))
        out[lang] = WordList(words, fold)
    return out


def word_in(key: str, allowed: str) -> bool:
    return key in allowed and key != allowed


def load_word_lists(root: Path, files: list[str], default_file: str = "sensitive-words.yaml"
                    ) -> tuple[dict[str, WordList], list[WordListError]]:
    """The word lists of ``files`` (relative to the content folder ``root``) merged per
    language, and the problems (a file that cannot be read, bad YAML, a bad entry; a missing
    file other than the default one).  A file with problems contributes no words."""
    import yaml

    merged: dict[str, list[dict]] = {}
    problems: list[WordListError] = []
    for file in files:
        path = root / file
        if not path.is_file():
            if file != default_file:
                problems.append(WordListError(file, "file not found (CHECKS_SENSITIVE_FILES names it)"))
            continue
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            for lang, entries in parse_lists(data, file).items():
                merged.setdefault(lang, []).extend(entries)
        except WordListError as exc:
            problems.append(exc)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            problems.append(WordListError(file, str(exc).splitlines()[0], (mark.line + 1) if mark else 0))
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(WordListError(file, str(exc)))
    return build_lists(merged), problems
