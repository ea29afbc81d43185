"""``run_checks``: every editorial check over a content folder (or some files of it)."""

from __future__ import annotations

import dataclasses
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml

from jindallae.markup import NestingTooDeep, check_nesting
from jindallae.model import (CONTROL_CHARACTER, ContentError, Item, Model, iter_content_files, model_from_settings,
                             nesting_error)

from .catalogue import CHECKS
from .config import CheckConfig
from .links import STATIC_DIRS, LinkTargets, judge_links, link_finding
from .report import ExternalLink, Finding, Report, make_finding
from .scan import Scan, scan_body
from .text import (TagAt, Term, TermList, alt_language_ok, check_debris, check_punctuation,
                   check_replacement_chars, check_tags, check_traditional, holed)
from .translations import changed_files, check_translations
from .korean_norm import NormError, NormGlossary, is_korean, load_glossary
from .posters import check_posters
from .paste import check_paste_structure
from .sensitive import WordList, WordListError, load_word_lists, paragraphs
from .typo import TypoList, load_typos

# Front-matter fields whose values are prose (checked like the body).
TEXT_FIELDS = ("title", "summary", "cover_alt", "tags", "author", "event")
SIMPLIFIED = {"zh", "zh-hans", "zh-cn", "zh-hans-cn", "zh-sg"}
_KEY_PREFIX = re.compile(r"^\s*(?:-\s+)?[A-Za-z_][\w.-]*\s*:\s?|^\s*-\s+")
_FILENAME_ALT = re.compile(r"^[\w\-. ]+\.(?:jpe?g|png|gif|webp|svg|bmp|tiff?)$", re.I)


@dataclass
class Content:
    """Every page of a content folder, read and validated once by the content model."""

    model: Model
    root: Path
    items: dict[str, Item]
    texts: dict[str, str]  # file text (CRLF normalised), by content-relative path
    errors: dict[str, list[ContentError]]  # model errors by path
    paths: list[str]  # every content file, parsed or not


def load_content(model: Model, root: Path) -> Content:
    """Parse every page with :meth:`Model.parse_text` and :meth:`Model.cross_check` (the build's
    own validation: its errors become ``front-matter`` findings)."""
    items: dict[str, Item] = {}
    texts: dict[str, str] = {}
    errors: dict[str, list[ContentError]] = {}
    paths = []
    for path in sorted(iter_content_files(root)):
        rel = path.relative_to(root).as_posix()
        paths.append(rel)
        try:
            text = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            text = None  # parse_text reports it
        item, errs = model.parse_text(root, rel, text, path)
        if item is not None:
            try:  # the build refuses such a body before rendering it: report it the same way
                check_nesting(item.body)
            except NestingTooDeep as exc:
                errs = [*errs, nesting_error(rel, item.body_line, item.lang, exc)]
        if errs:
            errors.setdefault(rel, []).extend(errs)
        if text is not None:
            texts[rel] = text.replace("\r\n", "\n").lstrip("\ufeff")
        if item is not None:
            items[rel] = item
    for err in model.cross_check(list(items.values())):
        errors.setdefault(err.path, []).append(err)
    return Content(model, root, items, texts, errors, paths)


# ---------------------------------------------------------------------------------------------
# Data files: terms and accepted findings


def load_terms(root: Path, config: CheckConfig) -> tuple[dict[str, TermList], list[Finding]]:
    """``{lang: TermList}`` from the terms file (missing file: no terms)."""
    path = root / config.terms_file
    if not path.is_file():
        return {}, []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise ValueError("expected one list per language: 'zh:' and 'ko:'")
        out = {}
        for lang, entries in data.items():
            terms = []
            for n, entry in enumerate(entries or [], 1):
                if not isinstance(entry, dict) or not entry.get("avoid") or not entry.get("prefer"):
                    raise ValueError(f"{lang}: entry {n} needs 'avoid' and 'prefer'")
                terms.append(Term(str(entry["avoid"]), str(entry["prefer"]), str(entry.get("note") or "")))
            out[str(lang)] = TermList(terms)
        return out, []
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError, TypeError) as exc:
        return {}, [make_finding("data-file", config.terms_file, getattr(getattr(exc, "problem_mark", None), "line", 0) + 1,
                                 1, "zh", excerpt=str(exc), file=config.terms_file, problem=str(exc).splitlines()[0])]


def load_norms(root: Path, config: CheckConfig) -> tuple[NormGlossary | None, list[Finding]]:
    """The ``korean-norm`` glossary (:mod:`.korean_norm`), or ``None`` when the site's Korean
    norm is ``south`` (the check is off) or the glossary cannot be read (a ``data-file`` finding)."""
    if config.korean_norm != "yanbian":
        return None, []
    try:
        return load_glossary(root, config.korean_norm_file), []
    except NormError as exc:
        return None, [make_finding("data-file", config.korean_norm_file, exc.line or 1, 1, "ko", excerpt=str(exc),
                                   file=config.korean_norm_file, problem=str(exc))]


def load_editorial_lists(root: Path, config: CheckConfig) -> tuple[dict[str, WordList], dict[str, TypoList],
                                                                  list[Finding]]:
    """The ``sensitive`` word lists and the ``typo`` lists (:mod:`.sensitive`, :mod:`.typo`) per
    language, and a ``data-file`` finding for each file that cannot be used."""
    words, problems = load_word_lists(root, config.sensitive_files)
    typos, typo_problems = load_typos(root, config.typos_file)
    findings = [_list_problem(p) for p in problems + typo_problems]
    return words, typos, findings


def _list_problem(problem: WordListError) -> Finding:
    return make_finding("data-file", problem.file, problem.line or 1, 1, "zh", excerpt=str(problem),
                        file=problem.file, problem=problem.problem)


def load_accepted(root: Path, config: CheckConfig) -> tuple[set[tuple[str, str, str]], list[Finding]]:
    """``{(path, check id, excerpt)}`` of the accepted findings."""
    path = root / config.accept_file
    if not path.is_file():
        return set(), []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        if not isinstance(data, list):
            raise ValueError("expected a list of {path, check, text} entries")
        return {(str(e["path"]), str(e["check"]), str(e.get("text", ""))) for e in data}, []
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError, TypeError, KeyError) as exc:
        return set(), [make_finding("data-file", config.accept_file, 1, 1, "zh", excerpt=str(exc),
                                    file=config.accept_file, problem=str(exc).splitlines()[0])]


def accept(root: Path, config: CheckConfig, findings: Iterable[Finding], note: str = "") -> list[Finding]:
    """Append ``findings`` (acceptable ones) to the accept file; returns those written.  The file
    is only appended to, never rewritten, so comments and order survive."""
    import json

    path = root / config.accept_file
    done = []
    chunks = []
    for f in findings:
        if not CHECKS[f.id].acceptable or f.accepted:
            continue
        entry = [f"- path: {json.dumps(f.path, ensure_ascii=False)}", f"  check: {f.id}",
                 f"  text: {json.dumps(f.excerpt, ensure_ascii=False)}"]
        if note:
            entry.append(f"  note: {json.dumps(note, ensure_ascii=False)}")
        chunks.append("\n".join(entry) + "\n")
        done.append(f)
    if chunks:
        head = "" if path.is_file() else (
            "# Findings of `jindallae check` that staff reviewed and accepted: they no longer block publishing.\n"
            "# Written by `jindallae check --accept PATH:LINE:COL` (or the CMS); delete an entry to undo.\n")
        existing = path.read_text(encoding="utf-8") if path.is_file() else ""
        sep = "" if not existing or existing.endswith("\n") else "\n"
        path.write_text(existing + sep + head + "".join(chunks), encoding="utf-8")
    return done


# ---------------------------------------------------------------------------------------------
# Links and images


class Links(LinkTargets):
    """The site's link targets (:class:`jindallae.checks.links.LinkTargets`, the rule the build
    uses too) and the images they lead to."""

    def __init__(self, content: Content, config: CheckConfig):
        super().__init__(content.model, content.root, content.items.values(), config.siteurl, config.public_url)
        self.content, self.config = content, config
        self.image_cache: dict[str, list[tuple[str, dict[str, Any]]]] = {}

    def image_problems(self, rel: str) -> list[tuple[str, dict[str, Any]]]:
        """``[(message key, kw)]`` for the image file ``rel`` (content-relative): too many bytes or
        pixels, or not readable as an image.  Pillow reads only the header (``Image.open`` is lazy)."""
        if rel in self.image_cache:
            return self.image_cache[rel]
        out: list[tuple[str, dict[str, Any]]] = []
        path = self.content.root / rel
        try:
            size = path.stat().st_size
        except OSError:
            size = 0
        if size > self.config.image_max_bytes:
            out.append(("image-too-large/bytes", {"size": _human(size), "limit": _human(self.config.image_max_bytes)}))
        if not rel.lower().endswith(".svg"):
            from PIL import Image, UnidentifiedImageError  # Pillow: image size from the header, no decoding

            try:
                with Image.open(path) as im:
                    w, h = im.size
                if w * h > self.config.image_max_pixels:
                    out.append(("image-too-large/pixels", {"width": w, "height": h,
                                                           "limit": f"{self.config.image_max_pixels:,}"}))
            except Image.DecompressionBombError as exc:  # Pillow refuses: far too many pixels
                pixels = "".join(c for c in str(exc).split("pixels")[0] if c.isdigit()) or "?"
                out.append(("image-too-large/bomb", {"pixels": pixels, "limit": f"{self.config.image_max_pixels:,}"}))
            except (OSError, UnidentifiedImageError, ValueError, SyntaxError) as exc:
                # ``reason``, not ``detail``: make_finding takes ``detail`` for itself
                out.append(("image-missing/unreadable", {"reason": type(exc).__name__}))
        self.image_cache[rel] = out
        return out

    def image_findings(self, item: Item, rel: str, src: str, line: int, col: int) -> list[Finding]:
        out = []
        for key, kw in self.image_problems(rel):
            check = "image-missing" if key.startswith("image-missing") else "image-too-large"
            out.append(make_finding(check, item.path, line, col, item.lang, key, excerpt=rel, src=src, **kw))
        return out


def _human(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 1_000_000 else f"{n / 1000:.0f} kB"


def check_links(links: Links, item: Item, scan: Scan, external: list[ExternalLink]) -> list[Finding]:
    """Alt text, link targets (:func:`jindallae.checks.links.judge_links`, as the build judges
    them), sizes of the images linked, and the external links (listed, never fetched)."""
    out: list[Finding] = []
    for link, target in judge_links(links, item, scan):
        line, col = item.body_line + link.line, link.col + 1
        if link.kind == "image" and link.form in ("inline", "html"):
            out += _alt_findings(item, link, line)
        if target.state == "external":
            external.append(ExternalLink(item.path, line, col, link.url))
        elif target.state == "ok":
            if link.kind == "image" and target.path and target.path.split("/", 1)[0] in STATIC_DIRS:
                out += links.image_findings(item, target.path, link.url, line, col)
        else:
            finding = link_finding(item, link, target)
            if finding is not None:
                out.append(finding)
    return out


def _alt_findings(item: Item, link, line: int) -> list[Finding]:
    alt = re.sub(r"[*_`~]+", "", link.text).strip()
    col = link.text_col - 1 if link.form == "inline" else link.text_col + 1  # at "![" / "<img"
    tline = item.body_line + link.text_line
    if not link.has_alt or not alt:
        return [make_finding("alt-missing", item.path, tline, col, item.lang, excerpt=link.url, src=link.url)]
    if alt[:4].upper() == "TODO":  # a placeholder, e.g. left by `jindallae import` for an extracted picture
        return [make_finding("alt-missing", item.path, tline, col, item.lang, "alt-missing/todo",
                             excerpt=alt, src=link.url, alt=alt)]
    if _FILENAME_ALT.match(alt) or alt == os.path.basename(link.url):
        return [make_finding("alt-missing", item.path, tline, col, item.lang, "alt-missing/filename",
                             excerpt=alt, src=link.url, alt=alt)]
    if not alt_language_ok(alt, item.lang):
        return [make_finding("alt-language", item.path, tline, col, item.lang, excerpt=alt, src=link.url, alt=alt,
                             language=item.lang)]
    return []


# ---------------------------------------------------------------------------------------------
# One page


@dataclass
class Context:
    content: Content
    config: CheckConfig
    links: Links
    terms: dict[str, TermList]
    external: list[ExternalLink] = field(default_factory=list)
    norms: NormGlossary | None = None  # the korean-norm glossary (None: the check is off)
    sensitive: dict[str, WordList] = field(default_factory=dict)  # the sensitive check's word lists
    typos: dict[str, TypoList] = field(default_factory=dict)  # the typo check's lists


def front_matter_prose(item: Item, file_lines: list[str]) -> tuple[list[tuple[int, str]], dict[int, str]]:
    """Prose lines of the text fields (title, summary, ...) with the keys holed out, and the
    field of each such line."""
    tops = sorted((line, name) for name, line in item.lines.items() if "." not in name)
    prose, field_of = [], {}
    end = item.body_line - 1  # the closing "---" line (1-based), excluded
    for k, (start, name) in enumerate(tops):
        if name not in TEXT_FIELDS:
            continue
        stop = tops[k + 1][0] if k + 1 < len(tops) else end
        for n in range(start, min(stop, end)):
            if n < 1 or n > len(file_lines):
                continue
            line = file_lines[n - 1]
            m = _KEY_PREFIX.match(line)
            a = m.end() if m else len(line) - len(line.lstrip())
            if a < len(line) and not line.lstrip().startswith("#"):
                prose.append((n, holed(line, [(a, len(line))])))
                field_of[n] = name
    return prose, field_of


def check_item(ctx: Context, item: Item) -> list[Finding]:
    model, config = ctx.content.model, ctx.config
    text = ctx.content.texts.get(item.path, "")
    file_lines = text.split("\n")
    path, lang = item.path, item.lang
    out: list[Finding] = []
    if "\ufffd" in text:
        out += check_replacement_chars(path, lang, file_lines)
    scan = scan_body(item.body)
    body = [(item.body_line + i, holed(scan.lines[i], spans)) for i, spans in enumerate(scan.text) if spans]
    fm, field_of = front_matter_prose(item, file_lines)
    if model.by_code[lang].hreflang.lower() in SIMPLIFIED:
        title_line = item.lines.get("title")
        fixable = {title_line} if title_line and field_of.get(title_line) == "title" and \
            not re.match(r"^title\s*:\s*[|>]", file_lines[title_line - 1]) else set()
        out += check_traditional(path, lang, fm + body, config.traditional_allow, field_of, fixable)
    debris = check_debris(path, lang, fm + body)  # title, summary, alt texts and the body
    out += debris
    tags = [TagAt(item.body_line + t.line, t.col + 1, t.raw, t.name, t.closing, t.self_closing, t.attrs) for t in scan.tags]
    if tags:
        out += check_tags(path, lang, tags)
    covered = {(f.line, f.col + k) for f in debris for k in range(len(f.excerpt))}
    out += check_punctuation(path, lang, body, covered)
    terms = ctx.terms.get(lang)
    if terms is not None:
        out += terms.check(path, lang, fm + body)
    if ctx.norms is not None and is_korean(model.by_code[lang].hreflang):
        out += ctx.norms.check(path, lang, fm + body, file_lines)
    out += check_editorial_lists(ctx.sensitive.get(lang), ctx.typos.get(lang), path, lang, fm, body, file_lines)
    out += check_links(ctx.links, item, scan, ctx.external)
    for sc in scan.shortcodes:
        code = sc.raw if len(sc.raw) <= 60 else sc.raw[:57] + "…"
        out.append(make_finding("shortcode", path, item.body_line + sc.line, sc.col + 1, lang, f"shortcode/{sc.kind}",
                                excerpt=sc.raw, code=code))
    out += check_paste_structure(path, lang, item.body_line, scan)
    cover = item.fields.get("cover")
    if cover and (ctx.content.root / cover).is_file():
        line = item.lines.get("cover", 1)
        out += ctx.links.image_findings(item, cover, cover, line, _value_col(file_lines, line))
    alt = item.fields.get("cover_alt")
    if alt and not alt_language_ok(alt, lang):
        line = item.lines.get("cover_alt", 1)
        out.append(make_finding("alt-language", path, line, _value_col(file_lines, line), lang, excerpt=alt,
                                src=cover or "cover", alt=alt, language=lang))
    return out


def check_editorial_lists(words: WordList | None, typos: TypoList | None, path: str, lang: str,
                          fm: list[tuple[int, str]], body: list[tuple[int, str]], file_lines: list[str]) -> list[Finding]:
    """The ``sensitive`` (each front-matter line alone, the body by paragraphs) and ``typo``
    findings of one page's prose lines."""
    out: list[Finding] = []
    if words:
        out += words.check(path, lang, [[line] for line in fm] + paragraphs(body), file_lines)
    if typos:
        out += typos.check(path, lang, fm + body, file_lines)
    return out


def scan_page(model: Model, root: Path | str, rel: str, text: str, settings: dict[str, Any] | None = None,
              ids: tuple[str, ...] = ("sensitive", "typo")) -> list[Finding]:
    """The ``sensitive`` and ``typo`` findings (and ``data-file`` ones for their lists) of one
    page's ``text`` — not necessarily saved — without reading the rest of the site: what the CMS
    shows beside the text and checks before a page goes to review.  Accepted findings are
    marked (``accepted``), disabled checks (``CHECKS_DISABLE``) left out."""
    root = Path(root)
    config = CheckConfig.from_settings(settings)
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    item, _errors = model.parse_text(root, rel, text)
    if item is None:
        return []
    file_lines = text.split("\n")
    scan = scan_body(item.body)
    body = [(item.body_line + i, holed(scan.lines[i], spans)) for i, spans in enumerate(scan.text) if spans]
    fm, _field_of = front_matter_prose(item, file_lines)
    words, typos, problems = load_editorial_lists(root, config)
    findings = problems + check_editorial_lists(words.get(item.lang), typos.get(item.lang), rel, item.lang, fm, body,
                                                file_lines)
    disabled = set(config.disable)
    findings = [f for f in findings if f.id in ids + ("data-file",) and f.id not in disabled]
    accepted, _problems = load_accepted(root, config)
    for f in findings:
        if CHECKS[f.id].acceptable and (f.path, f.id, f.excerpt) in accepted:
            f.accepted = True
    return sorted(findings, key=Finding.sort_key)


def _value_col(file_lines: list[str], line: int) -> int:
    if not 1 <= line <= len(file_lines):
        return 1
    m = _KEY_PREFIX.match(file_lines[line - 1])
    return (m.end() if m else 0) + 1


# ---------------------------------------------------------------------------------------------
# The whole run


def resolve_setup(project_or_model: Path | str | Model, content_root: Path | str | None,
                  settings: dict[str, Any] | None) -> tuple[Model, dict[str, Any] | None, Path]:
    """``(model, settings, content root)`` from a project folder or a :class:`Model`."""
    if isinstance(project_or_model, Model):
        if content_root is None:
            raise ValueError("content_root is required with a Model")
        return project_or_model, settings, Path(content_root).resolve()
    project = Path(project_or_model).resolve()
    root = Path(content_root).resolve() if content_root else project / "content"
    if settings is None:
        from jindallae.settings import load_settings

        settings = load_settings(project, None, {"PATH": str(root)})
    return model_from_settings(settings), settings, root


def affected_by(content: Content, changed: set[str], config: CheckConfig) -> set[str] | None:
    """The pages to check when ``changed`` (content-relative) changed: those files, the other
    language versions of their articles (sources and translations), and pages that use a
    changed image.  ``None`` (everything) when the terms, Korean norms or accept file changed."""
    if config.terms_file in changed or config.accept_file in changed or config.korean_norm_file in changed \
            or config.typos_file in changed or changed & set(config.sensitive_files):
        return None
    keys = set()
    for rel in changed:
        key = content.model.page_key(rel)
        if key:
            keys.add(key[:2])
    out = {rel for rel in changed if rel in content.texts or rel in content.errors}
    out |= {i.path for i in content.items.values() if i.key in keys}
    statics = [rel for rel in changed if rel.split("/", 1)[0] in ("images", "files")]
    if statics:
        names = [os.path.basename(s) for s in statics]
        out |= {rel for rel, text in content.texts.items() if any(n in text for n in names)}
    return out


def run_checks(project_or_model: Path | str | Model, content_root: Path | str | None = None,
               paths: Iterable[str | Path] | None = None, settings: dict[str, Any] | None = None,
               changed: bool = False, as_published: Iterable[str] = ()) -> Report:
    """Run every check and return a :class:`Report`.

    ``project_or_model``: a project folder (its pelicanconf.py gives the languages and the
    ``CHECKS_*`` settings) or a :class:`Model` (then ``content_root`` is required and
    ``settings``, if given, supplies ``CHECKS_*``, ``SITEURL`` and ``JINDALLAE_PUBLIC_URL``).
    ``paths`` limits the findings to those files (content-relative, or paths inside the content
    folder); ``changed`` to the files changed since the last commit and those they affect.
    The whole site is always read, so links and translations are judged against all of it.
    ``as_published`` (content-relative paths) are judged as if their ``status`` were
    ``published`` already: what would stop a publish of them (the CMS asks before a review step
    passes a page, so a link to an unpublished page is found before the sign-off, not at it).
    """
    started = time.perf_counter()
    model, settings, root = resolve_setup(project_or_model, content_root, settings)
    config = CheckConfig.from_settings(settings)
    content = load_content(model, root)
    for rel in as_published:
        item = content.items.get(rel)
        if item is not None and not item.published:
            content.items[rel] = dataclasses.replace(item, fields={**item.fields, "status": "published"})
    report = Report(str(root))
    selected: set[str] | None = None
    if paths is not None:
        selected = set()
        for p in paths:
            p = Path(p)
            selected.add((p.resolve().relative_to(root) if p.is_absolute() or p.exists() else p).as_posix())
    if changed:
        since = changed_files(root)
        if since is not None:
            picked = affected_by(content, since, config)
            if picked is not None:
                selected = picked if selected is None else selected & picked
    terms, data_findings = load_terms(root, config)
    accepted, accept_findings = load_accepted(root, config)
    norms, norm_findings = load_norms(root, config)
    sensitive, typos, list_findings = load_editorial_lists(root, config)
    ctx = Context(content, config, Links(content, config), terms, norms=norms, sensitive=sensitive, typos=typos)
    findings: list[Finding] = []
    # Always: a broken terms or accept file means those checks did not run for any file, so a
    # check of a few files (or --changed) must say so too.
    findings += data_findings + accept_findings + norm_findings + list_findings
    chosen = [rel for rel in content.paths if selected is None or rel in selected]
    report.files = chosen
    for rel in chosen:
        item = content.items.get(rel)
        lang = item.lang if item else "zh"
        text = content.texts.get(rel, "")
        for err in content.errors.get(rel, []):
            findings.append(_front_matter_finding(err, lang, text))
        if item is not None:
            findings += check_item(ctx, item)
    findings += check_translations(model, list(content.items.values()), set(chosen), root, content.texts)
    findings += check_posters(settings, model, list(content.items.values()), set(chosen), root)
    report.external_links = sorted(ctx.external, key=lambda e: (e.path, e.line, e.col))
    disabled = set(config.disable)
    findings = [f for f in findings if f.id not in disabled]
    for f in findings:
        if CHECKS[f.id].acceptable and (f.path, f.id, f.excerpt) in accepted:
            f.accepted = True
    report.findings = sorted(findings, key=Finding.sort_key)
    report.seconds = time.perf_counter() - started
    return report


def _front_matter_finding(err: ContentError, lang: str, text: str) -> Finding:
    lines = text.split("\n")
    line = err.line or 1
    col = 1
    if 1 <= line <= len(lines):
        col = len(lines[line - 1]) - len(lines[line - 1].lstrip()) + 1
        found = CONTROL_CHARACTER.search(lines[line - 1]) if err.code == "control_character" else None
        if found:  # point at the invisible character itself
            col = found.start() + 1
    return Finding("front-matter", "error", err.path, line, col, err.message, err.english, False, lang,
                   err.code, {"code": err.code})


# ---------------------------------------------------------------------------------------------
# --fix


def apply_fixes(root: Path | str, findings: Iterable[Finding]) -> dict[str, int]:
    """Apply the changes of fixable findings (Traditional -> Simplified in the body's prose and
    the title) to the files under ``root``; returns ``{path: characters changed}``.

    Each change replaces exactly the characters the finding names, at its line and column, and
    only when they are still there; nothing else in the file is touched (front matter keys,
    code, URLs and Korean pages never have fixable findings)."""
    root = Path(root)
    by_path: dict[str, list[Finding]] = {}
    for f in findings:
        if f.fixable and not f.accepted and f.detail.get("changes"):
            by_path.setdefault(f.path, []).append(f)
    done: dict[str, int] = {}
    for rel, fs in by_path.items():
        path = root / rel
        raw = path.read_bytes().decode("utf-8")
        nl = "\r\n" if "\r\n" in raw else "\n"
        lines = raw.split(nl)
        bom = 1 if lines and lines[0].startswith("\ufeff") else 0
        count = 0
        for f in fs:
            i = f.line - 1
            if not 0 <= i < len(lines):
                continue
            line = lines[i]
            shift = bom if i == 0 else 0
            for col, old, new in sorted(f.detail["changes"], key=lambda c: -c[0]):
                a = col - 1 + shift
                if line[a:a + len(old)] == old:
                    line = line[:a] + new + line[a + len(old):]
                    count += len(old)
            lines[i] = line
        if count:
            path.write_bytes(nl.join(lines).encode("utf-8"))
            done[rel] = count
    return done
