"""The CMS's file layer: content files read for editing, saved round-trip, committed to git.

The Markdown files in ``content/`` stay the source of truth; this module is the only place the
CMS writes them.  What it guarantees (issue #7 items 5, 8, 9; cases W1, W4, W6):

* Front matter is edited with ruamel.yaml in round-trip mode: fields the form does not know,
  comments, key order and quoting survive a save; only the values the editor changed are
  rewritten.
* The Markdown body is kept byte for byte when the editor did not change it (CRLF line ends,
  trailing spaces, raw HTML, a body the renderer cannot render).
* Every save carries the revision it was based on (:func:`jindallae.model.revision_of` of the
  file's bytes, its git blob hash); a save based on an older revision raises :class:`Conflict`
  and writes nothing (W1).
* A save validates the new text with the content model first (messages in the editor's UI
  language), writes atomically (temporary file + ``os.replace``), then commits that one file
  with the user as author (``git commit --only -- <path>``, W4).  When the commit fails, the
  file is put back as it was: nothing reports success that did not happen (W6).
* History (``git log --follow``), diffs (unified and side by side) and restoring an old revision
  as a new commit.
* A file the content model cannot read at all (no or unclosed front matter, YAML that does not
  parse) is not lost from view: :meth:`ContentStore.unreadable` lists it with its first error
  (line and message, in the editor's UI language: :func:`localized_errors`), and
  :func:`unreadable_error` tells the CMS to open it in the text editor instead of the form.
* Translations still holding the copied source are told apart from translated ones
  (:func:`mark_untranslated`, the rule in :mod:`cms.translate`).

git runs as a subprocess with argument lists (never a shell).  Saves are serialised across
threads and processes with an ``fcntl`` lock in the repository's git folder.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import difflib
import errno
import fcntl
import io
import os
import re
import subprocess
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from jindallae.checks.translations import TranslationState, translation_states
from jindallae.model import (
    FIELDS,
    RAW_KEY,
    ContentError,
    Item,
    Model,
    iter_content_files,
    model_from_settings,
    parse_front_matter,
    revision_of,
    split_front_matter,
)

COMMITTER_NAME = "Jindallae CMS"
COMMITTER_EMAIL = "cms@jindallae.invalid"
GIT_TIMEOUT = 60  # seconds for one git command

# ---------------------------------------------------------------------------------------------
# Errors


class StoreError(Exception):
    """A save or read that did not happen; ``detail`` says why (shown to the editor)."""

    def __init__(self, detail: str = ""):
        super().__init__(detail)
        self.detail = detail


class NotFound(StoreError):
    """The content file does not exist (or the path is not a content page)."""


class Conflict(StoreError):
    """The file changed since the editor loaded it (W1): ``current_text`` / ``current_revision``
    are what is on disk now."""

    def __init__(self, current_text: str, current_revision: str):
        super().__init__("stale base revision")
        self.current_text = current_text
        self.current_revision = current_revision


class ValidationFailed(StoreError):
    """The new text breaks the content model; ``errors`` are in the editor's UI language."""

    def __init__(self, errors: list[ContentError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


class WriteFailed(StoreError):
    """The file could not be written (disk full, permissions); the old file is intact."""


class GitFailed(StoreError):
    """git refused (a lock, a failing hook); the file was rolled back to its previous bytes."""


class Exists(StoreError):
    """A new page or translation would overwrite an existing file."""


# ---------------------------------------------------------------------------------------------
# Small value types


@dataclass(frozen=True)
class Author:
    """The person a commit is attributed to (``git commit --author``)."""

    name: str
    email: str = ""

    def git(self) -> str:
        """``Name <email>`` for ``--author`` (an address is made up when the user has none)."""
        name = re.sub(r"[<>\n]", "", git_safe(self.name)).strip() or "CMS user"
        email = re.sub(r"[<>\s]", "", git_safe(self.email)) or "unknown@jindallae.invalid"
        return f"{name} <{email}>"


# C0 controls other than tab and line feed, and DEL: a NUL cannot be passed to a program at all
# (``ValueError: embedded null byte`` from ``subprocess``), the others garble git's output.
_GIT_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def git_safe(text: str) -> str:
    """``text`` without the control characters that cannot go into a git argument or
    environment variable (NUL and the other C0 controls except tab and line feed, DEL); for
    commit messages and author names made from what users typed."""
    return _GIT_UNSAFE.sub("", text or "")


@dataclass
class Page:
    """One content file loaded for editing.

    ``text`` is the file exactly as stored (CRLF kept); ``revision`` the git blob hash of its
    bytes (the base revision a later save must name); ``front`` the round-trip front matter
    (``None`` when it is not valid YAML); ``body`` the Markdown after the closing ``---`` line,
    byte for byte; ``head`` everything before the body (the fences and the YAML; '' when the
    file has no front matter); ``newline`` the file's line end (``\r\n`` or ``\n``);
    ``item`` / ``errors`` the content model's reading of the file (errors in the UI language).
    """

    path: str
    text: str
    revision: str
    front: CommentedMap | None
    body: str
    head: str
    newline: str
    item: Item | None
    errors: list[ContentError]

    @property
    def lang(self) -> str:
        """The page's language code, from the file name (``x.zh.md`` -> ``zh``)."""
        return self.path.rsplit(".", 2)[-2]


@dataclass
class SaveResult:
    """What a save did: the file's new ``revision`` and the ``commit`` (``None`` when the text
    was unchanged and nothing was written)."""

    path: str
    revision: str
    commit: str | None


@dataclass
class Revision:
    """One commit in a file's history (``git log --follow``); ``path`` is the file's
    content-relative path in that commit (it may have been renamed since)."""

    commit: str
    author: str
    email: str
    when: dt.datetime
    subject: str
    path: str

    @property
    def short(self) -> str:
        """The first 10 hex digits of the commit id, as shown in the history."""
        return self.commit[:10]


# ---------------------------------------------------------------------------------------------
# Front matter, round-trip

_FRONT_RE = re.compile(r"\A(\ufeff?---[ \t]*\r?\n)(.*?)(^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z))", re.S | re.M)


def yaml_rt() -> YAML:
    """A ruamel.yaml round-trip instance: quotes preserved, no line folding, Unicode as is."""
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 1 << 20
    y.allow_unicode = True
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def split_file(text: str) -> tuple[str, str, str, str] | None:
    """``(opening, yaml_text, closing, body)`` of a file's text with every byte kept: the
    opening ``---`` line and the closing fence line with their line ends, the YAML between and
    the body after.  ``None`` when the file has no closed front matter."""
    m = _FRONT_RE.match(text)
    if not m:
        return None
    return m.group(1), m.group(2), m.group(3), text[m.end():]


def load_front(yaml_text: str) -> CommentedMap | None:
    """Parse front matter in round-trip mode; ``None`` when it is not a YAML mapping (or
    ruamel.yaml cannot build it: a date that does not exist, ``2026-02-30``, raises
    ``ValueError`` there, while the content model keeps dates as text and names the line)."""
    try:
        data = yaml_rt().load(yaml_text.replace("\r\n", "\n"))
    except (YAMLError, ValueError, OverflowError):
        return None
    if data is None:
        return CommentedMap()
    return data if isinstance(data, CommentedMap) else None


def dump_front(front: CommentedMap) -> str:
    """The YAML text of ``front`` (``\\n`` line ends, no document markers)."""
    if not front:
        return ""
    out = io.StringIO()
    yaml_rt().dump(front, out)
    return out.getvalue()


_ORDER = tuple(FIELDS)  # the model's field order, for new keys


def set_value(front: CommentedMap, key: str, value: Any, order: tuple[str, ...] | None = None) -> None:
    """Set ``front[key]`` (``key`` may be dotted, ``event.start``) keeping comments and order;
    ``None`` removes the key.  A new top-level key goes after the nearest existing key that
    precedes it in the model's field order, so files keep the model's order.  A text value
    keeps the quoting style of the value it replaces."""
    parts = key.split(".")
    target = front
    for part in parts[:-1]:
        nxt = target.get(part)
        if not isinstance(nxt, CommentedMap):
            if value is None:
                return
            nxt = CommentedMap()
            _insert(target, part, nxt, order or _ORDER)
        target = nxt
    name = parts[-1]
    if value is None:
        if name in target:
            del target[name]
        return
    old = target.get(name)
    if isinstance(value, str) and isinstance(old, str) and type(old) is not str:
        value = type(old)(value)  # e.g. DoubleQuotedScalarString: "..." stays quoted
    if isinstance(value, list) and not isinstance(value, CommentedSeq):
        seq = CommentedSeq(value)
        if not isinstance(old, CommentedSeq) or old.fa.flow_style():
            seq.fa.set_flow_style()  # [a, b] as the starter files write lists
        value = seq
    if name in target:
        target[name] = value
    else:
        _insert(target, name, value, (order or _ORDER) if target is front else None)


def _insert(target: CommentedMap, name: str, value: Any, order: tuple[str, ...] | None) -> None:
    if not order or name not in order:
        target[name] = value
        return
    keys = list(target.keys())
    before = order[: order.index(name)]
    pos = len(keys)
    for i in range(len(keys) - 1, -1, -1):
        if keys[i] in before:
            pos = i + 1
            break
    else:  # nothing before it: first, unless the map holds only fields the model does not know
        pos = 0 if any(k in order for k in keys) else len(keys)
    target.insert(pos, name, value)


def get_value(front: CommentedMap | None, key: str) -> Any:
    """``front[key]`` for a dotted ``key`` (``event.start``); ``None`` when absent."""
    node: Any = front
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def compose(original: str, front: CommentedMap, body: str, newline: str, changed: bool = True) -> str:
    """The file text for ``front`` and ``body``, keeping the fence lines of ``original`` (the
    file's previous text; '' for a new file).  When ``changed`` is false the original front
    matter is kept byte for byte (no re-serialisation at all)."""
    split = split_file(original) if original else None
    opening, old_yaml, closing = (split[0], split[1], split[2]) if split else ("---" + newline, None, "---" + newline)
    if not closing.endswith("\n"):
        closing += newline  # the file ended right after the closing fence
    if changed or old_yaml is None:
        yaml_text = dump_front(front)
        if newline == "\r\n":
            yaml_text = yaml_text.replace("\n", "\r\n")
    else:
        yaml_text = old_yaml
    return opening + yaml_text + closing + body


# ---------------------------------------------------------------------------------------------
# Errors in the editor's UI language


def localized_errors(model: Model, root: Path, rel: str, text: str, ui_lang: str | None) -> list[ContentError]:
    """The content model's errors for ``text`` as the file ``rel``, with messages in ``ui_lang``
    (the user's interface language) instead of the file's language.

    :meth:`jindallae.model.Model.parse_text` words messages in the file's language; for a
    Chinese editor fixing a Korean page the field checks are run again with the UI language
    (same checks, same order).  Falls back to the file language's messages when the two runs
    disagree (only possible for a ``lang:`` field, whose check depends on the language).
    """
    item, errors = model.parse_text(root, rel, text)
    if item is None:
        return _unreadable_errors(model, root, rel, text, ui_lang, errors)
    if not errors or not ui_lang or ui_lang == item.lang or ui_lang not in ("zh", "ko", "en"):
        return errors
    split = split_front_matter(text.replace("\r\n", "\n"))
    if isinstance(split, str):
        return errors
    try:
        data, _lines = parse_front_matter(split[0])
    except Exception:
        return errors
    data.setdefault(RAW_KEY, {})
    shadow = dataclasses.replace(item, lang=ui_lang, fields={})
    _fields, local = model.validate_fields(shadow, data, root)
    if [e.code for e in local] != [e.code for e in errors]:
        return errors
    return [dataclasses.replace(e, path=rel) for e in local]


def _unreadable_errors(model: Model, root: Path, rel: str, text: str, ui_lang: str | None,
                       errors: list[ContentError]) -> list[ContentError]:
    """The errors of a file the model cannot read as a page at all (no or unclosed front
    matter, YAML that does not parse: :meth:`Model.parse_text` gives no item) in ``ui_lang``.
    Those checks do not depend on the file's language, only their wording does: the text is
    read again as the same page in ``ui_lang`` (``x.ko.md`` read as ``x.zh.md``), same codes
    and lines, then the path is put back."""
    key = model.page_key(rel)
    if not errors or not ui_lang or key is None or key[2] == ui_lang or ui_lang not in model.by_code:
        return errors
    _item, local = model.parse_text(root, f"{key[0]}/{key[1]}.{ui_lang}.md", text)
    if [(e.code, e.line) for e in local] != [(e.code, e.line) for e in errors]:
        return errors
    return [dataclasses.replace(e, path=rel) for e in local]


def unreadable_error(page: "Page") -> ContentError | None:
    """The first error of a page the form cannot edit, or ``None`` for a page it can: the
    content model cannot read the file at all (``page.item`` is ``None``: no or unclosed front
    matter, YAML that does not parse, a field given twice), or the round-trip YAML reader
    cannot (``page.front`` is ``None``: a date that does not exist).  Such a page is fixed in
    the text editor (:func:`cms.content.edit`), not in the form, which cannot show a front
    matter it cannot read."""
    if page.item is not None and page.front is not None:
        return None
    return min(page.errors, key=lambda e: e.line) if page.errors else None


def line_text(text: str, line: int) -> str:
    """Line ``line`` (1-based) of ``text`` as the editor sees it ('' when there is none)."""
    lines = text.replace("\r\n", "\n").split("\n")
    return lines[line - 1] if 1 <= line <= len(lines) else ""


def field_of_error(item: Item | None, error: ContentError) -> str | None:
    """The front-matter field (``title``, ``event.start``) an error's line points at, so the
    form can show the message next to that field; ``None`` for the body or the whole file."""
    if item is None:
        return None
    best = None
    for name, line in item.lines.items():
        if line == error.line and (best is None or len(name) > len(best)):
            best = name
    return best


# ---------------------------------------------------------------------------------------------
# git


def run_git(top: Path, *args: str, env: dict[str, str] | None = None,
            input: bytes | None = None) -> subprocess.CompletedProcess:
    """Run ``git -C top args...`` (argument list, no shell) and return the finished process."""
    full_env = dict(os.environ)
    full_env.update({"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C.UTF-8"})
    if env:
        full_env.update(env)
    return subprocess.run(["git", "-c", "core.quotepath=off", "-C", str(top), *args], capture_output=True,
                          env=full_env, input=input, timeout=GIT_TIMEOUT)


def ensure_repo(content_dir: Path) -> Path:
    """The top of the git work tree holding ``content_dir``; runs ``git init`` there first
    when it is not in a repository.  Raises :class:`GitFailed` when git cannot be run."""
    content_dir.mkdir(parents=True, exist_ok=True)
    try:
        proc = run_git(content_dir, "rev-parse", "--show-toplevel")
        if proc.returncode != 0:
            init = run_git(content_dir, "init", "-q")
            if init.returncode != 0:
                raise GitFailed(init.stderr.decode("utf-8", "replace").strip())
            proc = run_git(content_dir, "rev-parse", "--show-toplevel")
    except (OSError, subprocess.SubprocessError) as exc:
        raise GitFailed(str(exc)) from exc
    return Path(proc.stdout.decode().strip())


# ---------------------------------------------------------------------------------------------
# The store


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: a temporary file in the same folder, flushed and
    fsynced, then ``os.replace`` (POSIX rename is atomic), so a reader never sees half a file
    and a failed write (``OSError``, e.g. ENOSPC) leaves the old file as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".cms-", suffix=".tmp", dir=str(path.parent))
    try:
        with os.fdopen(fd, "wb") as fp:
            fp.write(data)
            fp.flush()
            os.fsync(fp.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


class ContentStore:
    """Read, save, commit and look back at the content files of one content folder.

    ``content_dir`` is the folder with the section folders; ``model`` the site's content model.
    The git repository is the one holding ``content_dir`` (created when missing).
    """

    def __init__(self, content_dir: Path, model: Model):
        self.root = Path(content_dir).resolve()
        self.model = model
        self._top: Path | None = None

    @classmethod
    def for_project(cls, project: Path, content_dir: Path | None = None) -> "ContentStore":
        """A store for the project folder (its ``pelicanconf.py`` gives the languages)."""
        from jindallae.settings import load_settings

        settings = load_settings(Path(project))
        return cls(Path(content_dir or Path(project) / "content"), model_from_settings(settings))

    # paths -----------------------------------------------------------------------------------
    @property
    def top(self) -> Path:
        """The git work tree's top folder (``git rev-parse --show-toplevel``)."""
        if self._top is None:
            self._top = ensure_repo(self.root).resolve()
        return self._top

    def check_path(self, rel: str) -> str:
        """``rel`` if it names a page ``<section>/<slug>.<lang>.md`` of the model; raises
        :class:`NotFound` otherwise (also for ``..`` and absolute paths)."""
        if not isinstance(rel, str) or self.model.page_key(rel) is None:
            raise NotFound(f"{rel}: not a content page (<section>/<slug>.<lang>.md)")
        path = self.root / rel
        if path.is_symlink() or path.parent.is_symlink():
            # A link inside content/ could point anywhere (../pelicanconf.py, /etc/...): the CMS
            # reads and writes only real files of the content folder (ASVS V12.3.1).
            raise NotFound(f"{rel}: a symbolic link, not a content file")
        return rel

    def git_path(self, rel: str) -> str:
        """The path of the content file ``rel`` relative to the repository top (for git)."""
        return (self.root / rel).relative_to(self.top).as_posix()

    def file(self, rel: str) -> Path:
        """The absolute path of the page ``rel``; raises :class:`NotFound` for a non-page path."""
        return self.root / self.check_path(rel)

    def exists(self, rel: str) -> bool:
        """True when ``rel`` names a page file that exists."""
        try:
            return self.file(rel).is_file()
        except NotFound:
            return False

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Serialise writers (threads and processes): an ``fcntl`` lock on a file in the git
        folder, held for one read-check-write-commit sequence."""
        proc = run_git(self.top, "rev-parse", "--absolute-git-dir")
        git_dir = Path(proc.stdout.decode().strip()) if proc.returncode == 0 else self.top
        with open(git_dir / "jindallae-cms.lock", "a+b") as fp:
            fcntl.flock(fp, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fp, fcntl.LOCK_UN)

    # reading ---------------------------------------------------------------------------------
    def load(self, rel: str, ui_lang: str | None = None) -> Page:
        """Read ``rel`` for editing (see :class:`Page`).  Raises :class:`NotFound`."""
        path = self.file(rel)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise NotFound(f"{rel}: no such file") from None
        text = raw.decode("utf-8", "surrogateescape")
        return self.page_from_text(rel, text, revision_of(raw), ui_lang)

    def page_from_text(self, rel: str, text: str, revision: str, ui_lang: str | None = None) -> Page:
        """A :class:`Page` for ``text`` as the content of ``rel``."""
        newline = "\r\n" if "\r\n" in text else "\n"
        split = split_file(text)
        item, _errors = self.model.parse_text(self.root, rel, text)
        errors = localized_errors(self.model, self.root, rel, text, ui_lang)
        if split is None:
            return Page(rel, text, revision, None, text, "", newline, item, errors)
        opening, yaml_text, closing, body = split
        return Page(rel, text, revision, load_front(yaml_text), body, opening + yaml_text + closing, newline, item, errors)

    def items(self) -> tuple[list[Item], list[ContentError]]:
        """Every page of the content folder and the model's errors (``Model.load``)."""
        return self.model.load(self.root)

    def unreadable(self, items: list[Item], errors: list[ContentError], ui_lang: str | None = None
                   ) -> dict[str, ContentError]:
        """The page files the content model could not read at all (``items`` and ``errors`` of
        :meth:`items`: a page path with errors and no item), each with its first error in
        ``ui_lang``, by path.  The content list shows them with that error and a link to the
        text editor where they can be corrected."""
        have = {i.path for i in items}
        out: dict[str, ContentError] = {}
        for error in sorted(errors, key=lambda e: (e.path, e.line)):
            rel = error.path
            if rel in have or rel in out or self.model.page_key(rel) is None:
                continue
            try:
                page = self.load(rel, ui_lang)
            except NotFound:
                continue
            # a file that is not UTF-8 reads as text here but not in the model: its own error
            out[rel] = unreadable_error(page) or error
        return out

    def states(self, items: list[Item], diffs: bool = False) -> dict[str, TranslationState]:
        """Translation state of every item by path (``jindallae.checks.translations``), with
        translations that are still the copied source marked ``untranslated``
        (:func:`mark_untranslated`)."""
        return mark_untranslated(translation_states(self.model, items, root=self.root, diffs=diffs), self.root)

    def all_paths(self) -> list[str]:
        """Content-relative paths of every Markdown file, sorted."""
        return sorted(p.relative_to(self.root).as_posix() for p in iter_content_files(self.root))

    # writing ---------------------------------------------------------------------------------
    def save_text(self, rel: str, text: str, base_revision: str | None, author: Author, message: str,
                  ui_lang: str | None = None, create: bool = False, allow_errors: bool = False) -> SaveResult:
        """Validate, write and commit ``text`` as the file ``rel``.

        ``base_revision`` is the revision the editor loaded (``None`` only with ``create``);
        a different revision on disk raises :class:`Conflict` (W1).  The content model's errors
        raise :class:`ValidationFailed` with messages in ``ui_lang`` — except errors the file
        already had before (so a page with an old problem the form cannot show stays
        editable), or any with ``allow_errors``.  A failed write raises :class:`WriteFailed`
        and a failed commit :class:`GitFailed` after the file is rolled back (W6).  Only ``rel``
        is staged and committed (W4).  Returns :class:`SaveResult`.
        """
        data = text.encode("utf-8", "surrogateescape")
        try:
            path = self.file(rel)
            with self.locked():
                return self._save_locked(rel, path, data, text, base_revision, author, message, ui_lang, create,
                                         allow_errors)
        except OSError as exc:  # a name the file system refuses, a folder that cannot be read or locked
            raise WriteFailed(_os_error_text(exc)) from exc

    def _save_locked(self, rel: str, path: Path, data: bytes, text: str, base_revision: str | None, author: Author,
                     message: str, ui_lang: str | None, create: bool, allow_errors: bool) -> SaveResult:
        """:meth:`save_text` under the writers' lock."""
        old = path.read_bytes() if path.is_file() else None
        if create:
            if old is not None:
                raise Exists(f"{rel}: already exists")
        else:
            if old is None:
                raise NotFound(f"{rel}: no such file")
            current = revision_of(old)
            if base_revision != current:
                raise Conflict(old.decode("utf-8", "surrogateescape"), current)
            if old == data:
                return SaveResult(rel, current, None)
        if not allow_errors:
            errors = localized_errors(self.model, self.root, rel, text, ui_lang)
            if errors and old is not None:
                before = {(e.code, e.english) for e in
                          self.model.parse_text(self.root, rel, old.decode("utf-8", "replace"))[1]}
                errors = [e for e in errors if (e.code, e.english) not in before]
            if errors:
                raise ValidationFailed(errors)
        try:
            write_bytes_atomic(path, data)
        except OSError as exc:
            raise WriteFailed(_os_error_text(exc)) from exc
        try:
            commit = self._commit(rel, author, message)
        except GitFailed:
            self._rollback(rel, path, old)
            raise
        except BaseException as exc:  # anything else: the file must not stay changed (W6)
            self._rollback(rel, path, old)
            if isinstance(exc, Exception):
                raise GitFailed(f"{type(exc).__name__}: {exc}") from exc
            raise
        return SaveResult(rel, revision_of(data), commit)

    def _commit(self, rel: str, author: Author, message: str) -> str:
        """Stage and commit exactly ``rel``; returns the new commit's hash."""
        gpath = self.git_path(rel)
        env = {"GIT_COMMITTER_NAME": COMMITTER_NAME, "GIT_COMMITTER_EMAIL": COMMITTER_EMAIL,
               "GIT_AUTHOR_NAME": git_safe(author.name) or "CMS user",
               "GIT_AUTHOR_EMAIL": git_safe(author.email) or "unknown@jindallae.invalid"}
        try:
            add = run_git(self.top, "add", "--", gpath, env=env)
            if add.returncode != 0:
                raise GitFailed(_git_text(add))
            commit = run_git(self.top, "commit", "-q", "--author", author.git(),
                             "-m", git_safe(message), "--only", "--", gpath, env=env)
            if commit.returncode != 0:
                raise GitFailed(_git_text(commit))
            head = run_git(self.top, "rev-parse", "HEAD", env=env)
        except (OSError, ValueError, subprocess.SubprocessError) as exc:
            raise GitFailed(str(exc)) from exc
        return head.stdout.decode().strip()

    def _rollback(self, rel: str, path: Path, old: bytes | None) -> None:
        """Put ``rel`` back as it was before a failed commit (file and index entry)."""
        try:
            if old is None:
                path.unlink(missing_ok=True)
            else:
                write_bytes_atomic(path, old)
        finally:
            gpath = self.git_path(rel)
            head = run_git(self.top, "rev-parse", "--verify", "-q", "HEAD")
            if head.returncode == 0:
                run_git(self.top, "reset", "-q", "HEAD", "--", gpath)
            else:
                run_git(self.top, "rm", "-q", "--cached", "--ignore-unmatch", "--", gpath)

    def save_page(self, page: Page, front: CommentedMap | None, body: str | None, base_revision: str,
                  author: Author, message: str, ui_lang: str | None = None, front_changed: bool = True) -> SaveResult:
        """Save ``page`` with new front matter and/or body.  ``body=None`` or a body equal to the
        stored one (line ends aside: browsers send textareas with CRLF) keeps the stored body
        byte for byte; a changed body is written with the file's line ends."""
        return self.save_text(page.path, self.text_for(page, front, body, front_changed), base_revision, author,
                              message, ui_lang)

    @staticmethod
    def text_for(page: Page, front: CommentedMap | None, body: str | None, front_changed: bool = True) -> str:
        """The file text :meth:`save_page` would write."""
        if body is None or same_text(body, page.body):
            new_body = page.body
        else:
            new_body = body.replace("\r\n", "\n")
            if page.newline == "\r\n":
                new_body = new_body.replace("\n", "\r\n")
        if front is None or page.front is None:
            if page.head:
                return page.text[: len(page.text) - len(page.body)] + new_body
            return new_body
        return compose(page.text, front, new_body, page.newline, front_changed)

    # history ---------------------------------------------------------------------------------
    def history(self, rel: str, limit: int = 200) -> list[Revision]:
        """The commits that changed ``rel``, newest first (``git log --follow``)."""
        gpath = self.git_path(self.check_path(rel))
        proc = run_git(self.top, "log", "--follow", f"-n{limit}", "--name-only",
                       "--format=%x1e%H%x1f%an%x1f%ae%x1f%aI%x1f%s", "--", gpath)
        if proc.returncode != 0:
            return []
        out = []
        prefix = self.root.relative_to(self.top).as_posix()
        for record in proc.stdout.decode("utf-8", "replace").split("\x1e")[1:]:
            header, _, names = record.partition("\n")
            parts = header.split("\x1f")
            if len(parts) != 5:
                continue
            name = next((n.strip() for n in names.splitlines() if n.strip()), gpath)
            crel = name[len(prefix) + 1:] if prefix not in ("", ".") and name.startswith(prefix + "/") else name
            out.append(Revision(parts[0], parts[1], parts[2], dt.datetime.fromisoformat(parts[3]), parts[4], crel))
        return out

    def text_at(self, rel: str, commit: str) -> str:
        """The file's text in ``commit`` (following renames); raises :class:`NotFound`."""
        if not re.fullmatch(r"[0-9a-f]{7,40}", commit or ""):
            raise NotFound(f"{commit}: not a commit id")
        path = rel
        for rev in self.history(rel):
            if rev.commit.startswith(commit):
                path, commit = rev.path, rev.commit
                break
        else:
            raise NotFound(f"{rel}: {commit} is not in this file's history")
        prefix = self.root.relative_to(self.top).as_posix()
        gpath = f"{prefix}/{path}" if prefix not in ("", ".") else path
        proc = run_git(self.top, "show", f"{commit}:{gpath}")
        if proc.returncode != 0:
            raise NotFound(_git_text(proc))
        return proc.stdout.decode("utf-8", "surrogateescape")

    def restore(self, rel: str, commit: str, base_revision: str, author: Author, ui_lang: str | None = None) -> SaveResult:
        """Write the file as it was in ``commit`` and commit that as a new commit
        ``Restore <path> to <short sha>`` (history is kept, nothing is rewritten).

        The page keeps its current ``status``: the workflow state changes only through the
        workflow actions and their roles, so restoring a version from before an unpublish does
        not publish the page again (ASVS V4.1.3, no privilege gained by another route)."""
        text = keep_status(self.text_at(rel, commit), self.load(rel), self)
        return self.save_text(rel, text, base_revision, author, f"Restore {rel} to {commit[:10]}", ui_lang,
                              allow_errors=True)


# ---------------------------------------------------------------------------------------------
# Translations not translated yet

# Recorded states that may hide a copy of the source: the recorded revision is the source's
# (current), an older one (outdated), or none is recorded (unrecorded).
COPY_STATES = ("current", "outdated", "unrecorded")


def _text_key(body: str) -> str:
    """A body compared for "still the same text": line ends, trailing spaces and blank lines
    at either end do not count."""
    return "\n".join(line.rstrip() for line in body.replace("\r\n", "\n").strip().split("\n"))


def still_untranslated(item: Item, source: Item, old_source_body: str | None = None) -> bool:
    """True when the translation ``item`` is not translated yet: it is not published, and its
    body is empty or still the source's text — the source as it is now, or ``old_source_body``
    (the source at the revision the translation recorded, which is what "create the
    translation" copied).  When both bodies are empty the title decides: a page that is only a
    title counts as translated once its title differs from the source's."""
    if item.published:
        return False  # a reviewer approved it as it is (a page that is only a picture, a table of figures)
    mine = _text_key(item.body)
    theirs = {_text_key(source.body)}
    if old_source_body is not None:
        theirs.add(_text_key(old_source_body))
    if mine:
        return mine in theirs
    if _text_key(source.body):
        return True  # the text was emptied but nothing written yet
    return str(item.fields.get("title") or "") == str(source.fields.get("title") or "")


def mark_untranslated(states: dict[str, TranslationState], root: Path | None) -> dict[str, TranslationState]:
    """Set ``state = "untranslated"`` on every translation that :func:`still_untranslated`
    (a draft just made by "create the translation" records the source's current revision, so
    the checks call it ``current``: for a translator it is work still to do).  The state it
    had is kept in ``extra["recorded"]``.  The source at the recorded revision is read from git
    (``root``) for outdated ones.  Returns ``states``."""
    from jindallae.checks.translations import read_blobs

    candidates = [s for s in states.values()
                  if s.source is not None and s.source is not s.item and s.state in COPY_STATES and not s.item.published]
    old_texts = read_blobs(root, [s.revision for s in candidates if s.state == "outdated"]) if root and candidates else {}
    for st in candidates:
        old = old_texts.get(st.revision)
        old_body = None
        if old is not None:
            split = split_front_matter(old.decode("utf-8", "replace").replace("\r\n", "\n"))
            old_body = None if isinstance(split, str) else split[2]
        if still_untranslated(st.item, st.source, old_body):
            st.extra["recorded"] = st.state
            st.state = "untranslated"
    return states


def keep_status(text: str, current: Page, store: "ContentStore") -> str:
    """``text`` (an old version of ``current``'s file) with the ``status`` field of ``current``
    (removed when ``current`` has none); ``text`` unchanged when the two agree or when either
    front matter cannot be read (such a text cannot be published anyway)."""
    old = store.page_from_text(current.path, text, revision_of(text.encode("utf-8", "surrogateescape")))
    if old.front is None or current.front is None:
        return text
    wanted = current.front.get("status")
    if old.front.get("status") == wanted:
        return text
    front = copy.deepcopy(old.front)  # comments and order of the old version are kept
    set_value(front, "status", None if wanted is None else str(wanted))
    return store.text_for(old, front, None, True)


# ---------------------------------------------------------------------------------------------
# Diffs


def merge_texts(base: str, yours: str, theirs: str) -> str | None:
    """Three-way merge (``git merge-file -p``, no repository needed) of two texts that both
    started from ``base``; the merged text when the changes do not overlap, ``None`` when they
    conflict (or git cannot run).  Line ends are normalised to LF for the merge."""
    with tempfile.TemporaryDirectory(prefix="jindallae-merge-") as tmp:
        names = []
        for name, text in (("yours", yours), ("base", base), ("theirs", theirs)):
            path = Path(tmp) / name
            path.write_bytes(text.replace("\r\n", "\n").encode("utf-8", "surrogateescape"))
            names.append(str(path))
        try:
            proc = subprocess.run(["git", "merge-file", "-p", "--", *names], capture_output=True, timeout=GIT_TIMEOUT)
        except (OSError, subprocess.SubprocessError):
            return None
    if proc.returncode != 0:  # the number of conflicts (or a negative error)
        return None
    merged = proc.stdout.decode("utf-8", "surrogateescape")
    return merged.replace("\n", "\r\n") if "\r\n" in theirs else merged


def same_text(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ at most in line ends (CRLF vs LF)."""
    return a.replace("\r\n", "\n") == b.replace("\r\n", "\n")


def unified_diff(old: str, new: str, old_name: str = "a", new_name: str = "b", context: int = 3) -> str:
    """A unified diff (``difflib.unified_diff``) of two texts, line ends normalised."""
    return "\n".join(difflib.unified_diff(old.replace("\r\n", "\n").split("\n"), new.replace("\r\n", "\n").split("\n"),
                                          old_name, new_name, n=context, lineterm=""))


@dataclass
class DiffRow:
    """One row of a side-by-side diff: ``kind`` is ``equal``, ``replace``, ``delete`` or
    ``insert``; line numbers are 1-based (``None`` on the side without the line)."""

    kind: str
    old_no: int | None
    old: str | None
    new_no: int | None
    new: str | None


def _diff_lines(text: str) -> list[str]:
    """The lines of ``text`` as an editor numbers them: none for an empty text (a new page has
    no live version: no line 1 on that side), and no empty line after the final line break."""
    text = text.replace("\r\n", "\n")
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def side_by_side(old: str, new: str, context: int = 3) -> list[list[DiffRow]]:
    """A side-by-side diff as hunks of :class:`DiffRow` (``difflib.SequenceMatcher`` grouped
    opcodes, ``context`` unchanged lines around each change) for an HTML table; an empty list
    when the texts are equal."""
    a, b = _diff_lines(old), _diff_lines(new)
    hunks = []
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        rows = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += [DiffRow("equal", i + 1, a[i], j + 1, b[j]) for i, j in zip(range(i1, i2), range(j1, j2))]
                continue
            n = max(i2 - i1, j2 - j1)
            for k in range(n):
                i, j = i1 + k, j1 + k
                ro = (i + 1, a[i]) if i < i2 else (None, None)
                rn = (j + 1, b[j]) if j < j2 else (None, None)
                kind = tag if tag != "replace" else ("replace" if ro[0] and rn[0] else ("delete" if ro[0] else "insert"))
                rows.append(DiffRow(kind, ro[0], ro[1], rn[0], rn[1]))
        hunks.append(rows)
    return hunks


def _git_text(proc: subprocess.CompletedProcess) -> str:
    text = (proc.stderr or proc.stdout or b"").decode("utf-8", "replace").strip()
    return " ".join(line.strip() for line in text.splitlines() if line.strip())[:600] or f"git exited with {proc.returncode}"


def _os_error_text(exc: OSError) -> str:
    name = errno.errorcode.get(exc.errno or 0, "")
    return f"{name}: {exc.strerror or exc}" if name else str(exc)


def os_error_text(exc: OSError) -> str:
    """An ``OSError`` for the editor: ``ENAMETOOLONG: File name too long``."""
    return _os_error_text(exc)
