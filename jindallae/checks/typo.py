"""The ``typo`` check: common confusions of written Chinese (and a few Korean ones), from a data
file (``content/typos.yaml``, setting ``CHECKS_TYPOS_FILE``).

Proofreaders (校对) catch the same slips again and again: 的/地/得 in the wrong place (认真的
做好 → 认真地做好, 做的很好 → 做得很好), 截止 before a date (截止2026年底 → 截至2026年底) and
截至 where the deadline itself is meant (截至日期 → 截止日期), lower-case numerals inside an
amount in capitals (壹万一千元), 〇 written as the digit 0 in a year (二0二六年), and fixed words
written with a wrong character (再接再励 → 再接再厉, 老俩口 → 老两口).  Each entry is either a
literal word or a regular expression::

    zh:
      - avoid: 再接再励          # a literal: reported wherever it stands
        prefer: 再接再厉
      - pattern: 截止(?=\\d{4}年|目前|今年)   # a regular expression (Python re)
        prefer: 截至               # may use the match's groups: \\1, \\g<name>
        note: 截至后接时间点；截止表示到期停止
        level: warning             # warning (default) | error
      - pattern: '[〇一二三四五六七八九]+[0０OoＯ][〇一二三四五六七八九0０OoＯ]*年'
        map: {'0': 〇, Ｏ: 〇}     # or: the match with these characters replaced (二0二六年 → 二〇二六年)

A finding is a ``warning`` unless the entry says ``level: error`` (the starter file does so
only for amounts, where a wrong character is a wrong sum).  Entries apply to the pages of their
language; only prose is read (code, URLs and link syntax are holed out by the caller).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .report import Finding, make_finding
from .sensitive import LEVELS, WordListError
from .text import HOLE


@dataclass(frozen=True)
class Typo:
    """One entry: ``regex`` (compiled from ``avoid`` or ``pattern``), what to write instead
    (``prefer``, a template for patterns), why (``note``) and the severity."""

    regex: re.Pattern
    prefer: str
    note: str = ""
    level: str = "warning"
    literal: bool = True
    table: dict[int, str] | None = None  # ``map``: the suggestion is the match with these characters replaced


class TypoList:
    """The entries of one language."""

    def __init__(self, typos: list[Typo]):
        self.typos = typos

    def __len__(self) -> int:
        return len(self.typos)

    def check(self, path: str, lang: str, lines: Iterable[tuple[int, str]],
              file_lines: list[str] | None = None) -> list[Finding]:
        """One ``typo`` finding per match, at its line and column; overlapping matches of later
        entries at a place already reported are skipped."""
        out = []
        for lineno, text in lines:
            taken: list[tuple[int, int]] = []
            for typo in self.typos:
                for m in typo.regex.finditer(text):
                    if m.end() == m.start() or HOLE in m.group():
                        continue
                    if any(a < m.end() and m.start() < b for a, b in taken):
                        continue
                    taken.append((m.start(), m.end()))
                    source = file_lines[lineno - 1] if file_lines and 0 < lineno <= len(file_lines) else text
                    found = source[m.start():m.end()]
                    prefer = (found.translate(typo.table) if typo.table else
                              typo.prefer if typo.literal else m.expand(typo.prefer))
                    f = make_finding("typo", path, lineno, m.start() + 1, lang, excerpt=found,
                                     detail={"prefer": prefer, "level": typo.level},
                                     found=found, prefer=prefer, note=typo.note)
                    f.severity = typo.level
                    out.append(f)
        return out


def parse_typos(data: object, file: str) -> dict[str, TypoList]:
    """``{lang: TypoList}`` of the typo file's YAML data; raises :class:`WordListError`."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise WordListError(file, "expected one list per language: 'zh:' and 'ko:'")
    out: dict[str, TypoList] = {}
    for lang, entries in data.items():
        if entries is None:
            continue
        if not isinstance(entries, list):
            raise WordListError(file, f"{lang}: expected a list of entries")
        typos = []
        for n, entry in enumerate(entries, 1):
            if not isinstance(entry, dict):
                raise WordListError(file, f"{lang}: entry {n} must be a mapping with 'avoid' or 'pattern'")
            unknown = set(entry) - {"avoid", "pattern", "prefer", "map", "note", "level"}
            if unknown:
                raise WordListError(file, f"{lang}: entry {n} has unknown keys {sorted(unknown)}; "
                                          "allowed: avoid or pattern, prefer or map, note, level")
            if bool(entry.get("avoid")) == bool(entry.get("pattern")) or not (entry.get("prefer") or entry.get("map")):
                raise WordListError(file, f"{lang}: entry {n} needs 'prefer' (or 'map') and one of 'avoid' or "
                                          "'pattern'")
            table = entry.get("map")
            if table is not None:
                if not isinstance(table, dict) or not all(len(str(k)) == 1 for k in table):
                    raise WordListError(file, f"{lang}: entry {n}: map must map single characters to their "
                                              "replacements")
                table = {ord(str(k)): str(v) for k, v in table.items()}
            level = entry.get("level", "warning")
            if level not in LEVELS:
                raise WordListError(file, f"{lang}: entry {n}: level must be error or warning")
            literal = bool(entry.get("avoid"))
            source = re.escape(str(entry["avoid"])) if literal else str(entry["pattern"])
            try:
                regex = re.compile(source)
            except re.error as exc:
                raise WordListError(file, f"{lang}: entry {n}: not a valid regular expression: {exc}") from None
            if not literal:  # the template's group references must exist in the pattern
                for ref in re.findall(r"\\(\d+)|\\g<(\w+)>", str(entry.get("prefer") or "")):
                    number, name = ref
                    ok = (int(number) <= regex.groups) if number else (name in regex.groupindex or
                                                                      (name.isdigit() and int(name) <= regex.groups))
                    if not ok:
                        raise WordListError(file, f"{lang}: entry {n}: prefer refers to group "
                                                  f"{number or name}, which the pattern does not have")
            typos.append(Typo(regex, str(entry.get("prefer") or ""), str(entry.get("note") or ""), level, literal,
                              table))
        out[str(lang)] = TypoList(typos)
    return out


def load_typos(root: Path, file: str) -> tuple[dict[str, TypoList], list[WordListError]]:
    """The typo lists of ``file`` (relative to the content folder ``root``; missing: none) and
    the problem when it cannot be used."""
    import yaml

    path = root / file
    if not path.is_file():
        return {}, []
    try:
        return parse_typos(yaml.safe_load(path.read_text(encoding="utf-8")), file), []
    except WordListError as exc:
        return {}, [exc]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return {}, [WordListError(file, str(exc).splitlines()[0], (mark.line + 1) if mark else 0)]
    except (OSError, UnicodeDecodeError) as exc:
        return {}, [WordListError(file, str(exc))]
