"""Findings and reports of ``jindallae check``: JSON for the CMS and CI, text for people."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from typing import Any, TextIO

from .catalogue import CHECKS, LANGUAGES, message

SEVERITIES = ("error", "warning")


@dataclass
class Finding:
    """One problem at ``path:line:col`` (content-relative path; 1-based line and column, columns
    counted in characters).  ``message`` is in the editor's language (the file's), ``english`` for
    developers.  ``excerpt`` is the offending text (accepting a finding matches it, not the line,
    so an acceptance survives edits elsewhere in the file); ``detail`` holds check-specific data
    (the Simplified form, the source diff, the URL, ...)."""

    id: str
    severity: str
    path: str
    line: int
    col: int
    message: str
    english: str
    fixable: bool = False
    lang: str = ""
    excerpt: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    accepted: bool = False
    # The message in every language of the catalogue ({"zh": …, "ko": …, "en": …}): a reader
    # whose language is not the file's (the CMS's interface language) reads it in their own.
    texts: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def blocking(self) -> bool:
        """True when this finding stops publishing (an error nobody accepted)."""
        return self.severity == "error" and not self.accepted

    def location(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.col, self.id)

    def text(self, lang: str) -> str:
        """The message in ``lang`` (``en``: English) when the catalogue has it, else in the
        file's language."""
        if lang == "en":
            return self.english or self.message
        return self.texts.get(lang) or self.message

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("texts", None)  # the JSON report keeps its form (version 1): message and english
        return out


def make_finding(check: str, path: str, line: int, col: int, lang: str, key: str | None = None,
                 excerpt: str = "", detail: dict[str, Any] | None = None, **kw: Any) -> Finding:
    """A :class:`Finding` of ``check`` with message ``key`` (default: the check id) from the
    catalogue, in ``lang`` and English."""
    spec = CHECKS[check]
    local, english = message(key or check, lang, **kw)
    texts = {lang: local, "en": english}
    for other in LANGUAGES:
        if other not in texts:
            texts[other] = message(key or check, other, **kw)[0]
    return Finding(check, spec.severity, path, line, col, local, english, spec.fixable, lang, excerpt, detail or {},
                   texts=texts)


@dataclass
class ExternalLink:
    """A link to another site: listed, never fetched."""

    path: str
    line: int
    col: int
    url: str


@dataclass
class Report:
    """The result of :func:`jindallae.checks.run_checks`."""

    content: str
    findings: list[Finding] = field(default_factory=list)
    external_links: list[ExternalLink] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # content-relative paths checked
    seconds: float = 0.0

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.blocking]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning" and not f.accepted]

    @property
    def ok(self) -> bool:
        """True when nothing blocks publishing."""
        return not self.errors

    def for_path(self, path: str) -> list[Finding]:
        return [f for f in self.findings if f.path == path]

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": 1,
            "content": self.content,
            "ok": self.ok,
            "summary": {"errors": len(self.errors), "warnings": len(self.warnings),
                        "accepted": sum(f.accepted for f in self.findings),
                        "files": len(self.files), "external_links": len(self.external_links),
                        "seconds": round(self.seconds, 3)},
            "findings": [f.to_dict() for f in self.findings],
            "external_links": [asdict(e) for e in self.external_links],
            "checks": {c.id: {"severity": c.severity, "fixable": c.fixable, "acceptable": c.acceptable, "doc": c.doc}
                       for c in CHECKS.values()},
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent, default=str)


# ---------------------------------------------------------------------------------------------
# Text output


def use_colour(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class _Paint:
    CODES = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "cyan": "36"}

    def __init__(self, on: bool):
        self.on = on

    def __call__(self, text: str, *styles: str) -> str:
        if not self.on or not styles:
            return text
        return "\x1b[" + ";".join(self.CODES[s] for s in styles) + "m" + text + "\x1b[0m"


def format_text(report: Report, shown_root: str, colour: bool = False, links: bool = False,
                diff_lines: int = 40) -> str:
    """Findings grouped by file: ``line:col severity id message`` then the English text, the
    source diff of an outdated translation, and a summary line."""
    paint = _Paint(colour)
    out: list[str] = []
    by_path: dict[str, list[Finding]] = {}
    for f in report.findings:
        by_path.setdefault(f.path, []).append(f)
    link_by_path: dict[str, list[ExternalLink]] = {}
    if links:
        for e in report.external_links:
            link_by_path.setdefault(e.path, []).append(e)
    for path in sorted(set(by_path) | set(link_by_path)):
        out.append(paint(f"{shown_root}/{path}" if shown_root else path, "bold"))
        for f in by_path.get(path, []):
            if f.accepted:
                sev = paint("accepted", "dim")
            else:
                sev = paint(f"{f.severity:<7}", "red" if f.severity == "error" else "yellow")
            fix = paint(" [fixable]", "green") if f.fixable and not f.accepted else ""
            out.append(f"  {f.line}:{f.col}".ljust(11) + f" {sev} {paint(f.id, 'cyan')}{fix}  {f.message}")
            if f.english and f.english != f.message:
                out.append(" " * 13 + paint(f.english, "dim"))
            diff = f.detail.get("diff")
            if diff:
                lines = diff.splitlines()
                for d in lines[:diff_lines]:
                    style = ("green",) if d.startswith("+") and not d.startswith("+++") else \
                        ("red",) if d.startswith("-") and not d.startswith("---") else ("dim",)
                    out.append(" " * 13 + paint(d, *style))
                if len(lines) > diff_lines:
                    out.append(" " * 13 + paint(f"... ({len(lines) - diff_lines} more diff lines; --format json has all)", "dim"))
            elif f.detail.get("diff_unavailable"):
                out.append(" " * 13 + paint(f"(source diff unavailable: {f.detail['diff_unavailable']})", "dim"))
        for e in link_by_path.get(path, []):
            out.append(f"  {e.line}:{e.col}".ljust(11) + f" {paint('link', 'dim')}    {e.url}")
        out.append("")
    errors, warnings = len(report.errors), len(report.warnings)
    accepted = sum(f.accepted for f in report.findings)
    summary = f"{errors} error(s), {warnings} warning(s)"
    if accepted:
        summary += f", {accepted} accepted"
    summary += f" in {len(report.files)} file(s) checked ({report.seconds:.2f} s)"
    if report.external_links:
        summary += f"; {len(report.external_links)} external link(s) not fetched"
        if not links:
            summary += " (--links lists them)"
    fixable = sum(f.fixable and not f.accepted for f in report.findings)
    if fixable:
        summary += f"; {fixable} fixable with --fix"
    out.append(paint(summary, "bold", "red" if errors else "green"))
    return "\n".join(out) + "\n"
