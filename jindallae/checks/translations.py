"""Translation state: missing and outdated translations, the source diff since, and marking a
translation as up to date.

A translation records the source it was made from: ``translated_from: {lang: zh, revision: R}``
where R is the source file's revision (:func:`jindallae.model.revision_of`, its git blob hash).
It is outdated when the source's current revision differs from R; the source as it was is then
``git cat-file blob R`` (when the blob is in the repository) and the diff is taken against the
current file.  The checks, the translation report page and the CMS share this module.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jindallae.model import Item, Model

from .report import Finding, make_finding

_HEX40 = re.compile(r"^[0-9a-f]{40}$")


# ---------------------------------------------------------------------------------------------
# git


def git(root: Path, *args: str, input: bytes | None = None) -> subprocess.CompletedProcess | None:
    """Run git in ``root``; ``None`` when git is missing."""
    try:
        return subprocess.run(["git", "-c", "core.quotepath=off", "-C", str(root), *args], input=input, capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None


def repo_root(root: Path) -> Path | None:
    """The top of the git work tree holding ``root``, or ``None``."""
    proc = git(root, "rev-parse", "--show-toplevel")
    if proc is None or proc.returncode != 0:
        return None
    return Path(proc.stdout.decode().strip())


def read_blobs(root: Path, revisions: list[str]) -> dict[str, bytes]:
    """The blobs among ``revisions`` that the repository holds (one ``git cat-file --batch``)."""
    wanted = sorted({r for r in revisions if _HEX40.match(r)})
    if not wanted:
        return {}
    proc = git(root, "cat-file", "--batch", input="".join(f"{r}\n" for r in wanted).encode())
    if proc is None or proc.returncode != 0:
        return {}
    out, data, at = {}, proc.stdout, 0
    while at < len(data):
        nl = data.index(b"\n", at)
        header = data[at:nl].decode().split()
        at = nl + 1
        if len(header) == 3:
            size = int(header[2])
            if header[1] == "blob":
                out[header[0]] = data[at:at + size]
            at += size + 1
    return out


def last_changes(root: Path) -> dict[str, dt.date]:
    """Date of the last commit that touched each file under ``root`` (content-relative paths);
    empty outside a repository."""
    top = repo_root(root)
    if top is None:
        return {}
    proc = git(root, "log", "--format=%x00%cs", "--name-only", "--relative", "--", ".")
    if proc is None or proc.returncode != 0:
        return {}
    out: dict[str, dt.date] = {}
    when = None
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("\x00"):
            when = dt.date.fromisoformat(line[1:].strip())
        elif line.strip() and when is not None:
            out.setdefault(line.strip(), when)
    return out


def changed_files(root: Path) -> set[str] | None:
    """Content-relative paths changed since the last commit (staged, unstaged, deleted) and the
    untracked files under ``root``; ``None`` when ``root`` is not in a repository with a commit."""
    diff = git(root, "diff", "--name-only", "--relative", "HEAD", "--", ".")
    if diff is None or diff.returncode != 0:
        return None
    new = git(root, "ls-files", "--others", "--exclude-standard", "--", ".")
    names = diff.stdout.decode("utf-8", "replace").splitlines()
    if new is not None and new.returncode == 0:
        names += new.stdout.decode("utf-8", "replace").splitlines()
    return {n.strip().strip('"') for n in names if n.strip()}


def source_diff(old: bytes, current: str, path: str, old_rev: str, context: int = 1) -> str:
    """Unified diff of the source from revision ``old_rev`` to its current text."""
    before = old.decode("utf-8", "replace").replace("\r\n", "\n").splitlines()
    after = current.splitlines()
    return "\n".join(difflib.unified_diff(before, after, f"{path} @ {old_rev[:10]}", f"{path} (now)", n=context,
                                          lineterm=""))


# ---------------------------------------------------------------------------------------------
# State


@dataclass
class TranslationState:
    """One language version of an article and where it stands."""

    item: Item
    source: Item | None = None  # the file it was translated from
    state: str = "original"  # original | current | outdated | unrecorded | source-missing
    revision: str = ""
    diff: str | None = None  # source diff since the revision, when outdated and available
    extra: dict[str, Any] = field(default_factory=dict)


def groups_of(items: list[Item]) -> dict[tuple[str, str], dict[str, Item]]:
    out: dict[tuple[str, str], dict[str, Item]] = {}
    for item in items:
        out.setdefault(item.key, {})[item.lang] = item
    return out


def translation_states(model: Model, items: list[Item], texts: dict[str, str] | None = None,
                       root: Path | None = None, diffs: bool = True) -> dict[str, TranslationState]:
    """The :class:`TranslationState` of every item, by path.  With ``root``, a translation whose
    source changed only in its ``status:`` line since the recorded revision counts as current
    (:func:`only_status_changed`); with ``diffs``, the source diff since the recorded revision
    is read from git for outdated translations (``texts``: current file texts by path, read
    from ``root`` when missing)."""
    groups = groups_of(items)
    states: dict[str, TranslationState] = {}
    default = model.default.code
    for versions in groups.values():
        for lang, item in versions.items():
            st = TranslationState(item)
            tf = item.fields.get("translated_from")
            if tf:
                st.source = versions.get(tf.get("lang", ""))
                st.revision = tf.get("revision", "")
                if st.source is None or st.source is item:
                    st.state = "source-missing"
                elif not st.revision:
                    st.state = "unrecorded"
                elif st.revision != st.source.digest:
                    st.state = "outdated"
                else:
                    st.state = "current"
            elif lang != default and default in versions and not any(
                    (v.fields.get("translated_from") or {}).get("lang") == lang for v in versions.values()):
                # a version beside the default language's, and nothing says it is the original
                st.source, st.state = versions[default], "unrecorded"
            states[item.path] = st
    if root is not None:
        outdated = [s for s in states.values() if s.state == "outdated"]
        blobs = read_blobs(root, [s.revision for s in outdated]) if outdated else {}
        for s in outdated:
            old = blobs.get(s.revision)
            if old is not None:
                current = (texts or {}).get(s.source.path)
                if current is None:
                    current = (root / s.source.path).read_text(encoding="utf-8").replace("\r\n", "\n")
                if only_status_changed(old, current):
                    s.state = "current"  # a workflow step (draft -> review -> published), nothing to translate
                elif diffs:
                    s.diff = source_diff(old, current, s.source.path, s.revision)
    return states


_STATUS_LINE = re.compile(r"^status\s*:")


def only_status_changed(old: bytes, current: str) -> bool:
    """True when the source text ``current`` differs from the recorded revision ``old`` only in
    its top-level ``status:`` line: sending the source to review or publishing it does not make
    its translations outdated."""
    def lines(text: str) -> list[str]:
        return [line for line in text.replace("\r\n", "\n").split("\n") if not _STATUS_LINE.match(line)]

    return lines(old.decode("utf-8", "replace")) == lines(current)


def check_translations(model: Model, items: list[Item], selected: set[str], root: Path,
                       texts: dict[str, str] | None = None) -> list[Finding]:
    """translation-missing / -outdated / -source-missing / -unrecorded findings for the items
    whose path is in ``selected``."""
    out: list[Finding] = []
    wanted = [i for i in items if i.path in selected]
    if not wanted:
        return out
    keys = {i.key for i in wanted}
    related = [i for i in items if i.key in keys]
    states = translation_states(model, related, texts, root)
    groups = groups_of(related)
    for item in wanted:
        st = states[item.path]
        tf_line = item.lines.get("translated_from.revision") or item.lines.get("translated_from") or 1
        if st.state == "outdated":
            detail = {"source": st.source.path, "revision": st.revision, "current": st.source.digest,
                      "diff": st.diff}
            if st.diff is None:
                detail["diff_unavailable"] = ("the recorded revision is not a blob in this git repository"
                                              if _HEX40.match(st.revision) else "the recorded revision is not a git blob hash")
            out.append(make_finding("translation-outdated", item.path, tf_line, _col(item, tf_line, texts), item.lang,
                                    excerpt=st.revision, detail=detail, language=st.source.lang, source=st.source.path,
                                    old=st.revision[:10], new=st.source.digest[:10], page=item.path))
        elif st.state == "source-missing":
            lang = item.fields["translated_from"].get("lang", "")
            out.append(make_finding("translation-source-missing", item.path, tf_line, _col(item, tf_line, texts), item.lang,
                                    excerpt=lang, language=lang, source=f"{item.section}/{item.slug}.{lang}.md"))
        elif st.state == "unrecorded":
            out.append(make_finding("translation-unrecorded", item.path, tf_line, _col(item, tf_line, texts), item.lang,
                                    excerpt=st.source.path, language=st.source.lang, page=item.path))
        if item.published:
            versions = groups[item.key]
            for lang in model.languages:
                if lang.code not in versions:
                    out.append(make_finding("translation-missing", item.path, 1, 1, item.lang, excerpt=lang.code,
                                            detail={"missing": lang.code}, language=lang.code))
    return out


def _col(item: Item, line: int, texts: dict[str, str] | None) -> int:
    """Column of the first character on ``line`` of the item's file (the key of a field)."""
    text = (texts or {}).get(item.path)
    if not text or line < 1:
        return 1
    lines = text.split("\n")
    if line > len(lines):
        return 1
    return len(lines[line - 1]) - len(lines[line - 1].lstrip()) + 1


# ---------------------------------------------------------------------------------------------
# Marking a translation up to date


class MarkError(Exception):
    """The file cannot be marked (not a translation, no source, bad front matter)."""


def mark_translated(model: Model, root: Path, rel: str) -> tuple[str, str]:
    """Record that the translation ``rel`` (content-relative) matches its source as it is now:
    set ``translated_from.revision`` to the source's current revision.  Only that value is
    rewritten (or the field added); the rest of the file stays byte for byte.  Returns
    ``(old revision, new revision)``."""
    item, errors = model.parse_file(root, root / rel)
    if item is None:
        raise MarkError("; ".join(str(e) for e in errors) or f"{rel}: not a content page")
    tf = item.fields.get("translated_from")
    source_lang = (tf or {}).get("lang")
    if not source_lang:
        if item.lang == model.default.code:
            raise MarkError(f"{rel}: a {item.lang} page without translated_from is not a translation; "
                            f"mark the translation instead")
        source_lang = model.default.code
    source_rel = f"{item.section}/{item.slug}.{source_lang}.md"
    source, _ = model.parse_file(root, root / source_rel) if (root / source_rel).is_file() else (None, [])
    if source is None:
        raise MarkError(f"{rel}: the source {source_rel} does not exist or cannot be read")
    new = source.digest
    old = (tf or {}).get("revision", "")
    raw = (root / rel).read_bytes().decode("utf-8")
    nl = "\r\n" if "\r\n" in raw else "\n"
    lines = raw.split(nl)
    if "translated_from.revision" in item.lines:
        i = item.lines["translated_from.revision"] - 1
        if re.match(r"\s*revision\s*:", lines[i]):  # block style: "  revision: R"
            lines[i] = re.sub(r"^(\s*revision\s*:\s*)(?:\"[^\"]*\"|'[^']*'|[^\s#]*)", lambda m: m.group(1) + new, lines[i], count=1)
        else:  # flow style: "translated_from: {lang: zh, revision: R}"
            lines[i] = re.sub(r"(\brevision\s*:\s*)(?:\"[^\"]*\"|'[^']*'|[^,}\s]*)", lambda m: m.group(1) + new, lines[i], count=1)
    elif "translated_from" in item.lines:
        i = item.lines["translated_from"] - 1
        line = lines[i]
        if "{" in line:
            lines[i] = re.sub(r"\s*}", lambda m: f", revision: {new}}}", line, count=1)
        else:
            children = [k for k in item.lines if k.startswith("translated_from.")]
            last = max(item.lines[k] for k in children) - 1 if children else i
            indent = re.match(r"\s*", lines[last]).group() if children else "  "
            lines.insert(last + 1, f"{indent}revision: {new}")
    else:
        close = next(k for k in range(1, len(lines)) if lines[k].rstrip() in ("---", "..."))
        lines[close:close] = ["translated_from:", f"  lang: {source_lang}", f"  revision: {new}"]
    text = nl.join(lines)
    check, errs = model.parse_text(root, rel, text)
    if check is None or (check.fields.get("translated_from") or {}).get("revision") != new:
        raise MarkError(f"{rel}: could not rewrite translated_from safely; set revision: {new} by hand")
    (root / rel).write_bytes(text.encode("utf-8"))
    return old, new


# ---------------------------------------------------------------------------------------------
# The table for the translation report page


def translation_table(model: Model, items: list[Item], root: Path, today: dt.date) -> list[dict[str, Any]]:
    """Per section: ``{"section", "name", "rows": [...]}``; each row is one article with, per
    language, whether the page exists, its state (original / current / outdated / ...), last
    change date and age in days, and the page URL.

    Only published pages are shown in full: the page is written into the site's output, so a
    draft appears only as ``{"status": ..., "state": "unpublished"}`` (no title, no path), and an
    article with no published version not at all."""
    changes = last_changes(root)
    states = translation_states(model, items, root=root, diffs=False)
    groups = groups_of(items)
    sections = []
    for section in model.sections.values():
        rows = []
        for key in sorted(k for k in groups if k[0] == section.key):
            versions = groups[key]
            public = [i for i in versions.values() if i.published]
            if not public:
                continue
            row: dict[str, Any] = {"slug": key[1], "langs": {}, "outdated": False}
            first = versions.get(model.default.code) if versions.get(model.default.code) in public else public[0]
            row["title"] = first.fields.get("title", key[1])
            for lang in model.languages:
                item = versions.get(lang.code)
                if item is None:
                    row["langs"][lang.code] = None
                    continue
                if not item.published:
                    row["langs"][lang.code] = {"status": item.status, "state": "unpublished"}
                    continue
                st = states[item.path]
                changed = changes.get(item.path) or _field_date(item)
                cell = {"path": item.path, "title": item.fields.get("title", ""), "status": item.status,
                        "state": st.state, "changed": changed.isoformat() if changed else "",
                        "age": (today - changed).days if changed else None,
                        "url": "/" + model.article_url(item.section, item.slug, item.lang)}
                if st.state == "outdated" and st.source is not None:
                    src_changed = changes.get(st.source.path) or _field_date(st.source)
                    cell["source_changed"] = src_changed.isoformat() if src_changed else ""
                    cell["outdated_days"] = (today - src_changed).days if src_changed else None
                    row["outdated"] = True
                row["langs"][lang.code] = cell
            rows.append(row)
        sections.append({"section": section.key, "name": {l.code: section.name(l.code) for l in model.languages},
                         "rows": rows})
    return sections


def _field_date(item: Item) -> dt.date | None:
    value = item.fields.get("updated") or item.fields.get("date")
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None
