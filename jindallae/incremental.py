"""Incremental output: a page whose inputs did not change since the last build is not rendered
again, its file is hard-linked from the previous release.

Each output file gets a **key**: the hash of the build's base key (engine and plugin sources,
theme catalogues, settings, the build's date in Asia/Shanghai), of the templates its template
reads (:class:`TemplateKeys`) and of everything its template is given — the page's item (fields, rendered body), the pages it lists (section
pages, home, tags, archives, calendar months), the translations it links to (switcher,
hreflang) and the related pages beside it, each one digested from the values the generators
computed, not from a list kept by hand.  Inputs a template looks up while it renders (the size
shown next to a download) are recorded as the page's **dependencies** and checked again.

An output whose key and dependencies are unchanged is linked from the previous release; every
other output is rendered.  A page that is deleted or renamed is simply not produced: the build
writes a new tree, so its old file and every list entry pointing to it disappear.  The property
test (``tests/test_incremental.py``) checks that an incremental build is byte-identical to a
cold build after random edits.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import os
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

STATE_VERSION = "2"
# Attributes never digested: Pelican's global context and settings (their relevant part is in
# the base key), and objects that only point back at whole generators.
SKIPPED_ATTRIBUTES = frozenset({"_context", "settings", "_settings", "site", "model", "generator",
                                "related_index"})


class ContextDigest:
    """Stable digests of template context values (the same value gives the same digest in
    another process on another day).

    * ``str``, numbers, ``None``, dates: their text (datetimes with their UTC offset);
    * lists and tuples in order, dicts in order, sets sorted by digest;
    * dataclasses by field, other objects by ``vars()`` (minus :data:`SKIPPED_ATTRIBUTES`);
    * a *content object* (anything with ``source_path`` and ``_content``: Pelican's articles and
      pages) by its own attributes — where further content objects count as their source path —
      plus the own attributes of each content object it points at (related pages, translations).
      What a template reads through a page it lists (``entry.title``, ``r.page_url``) is covered;
      a page two links away is not (no template of the theme reads that far).

    Objects that point back at themselves (an event and its occurrences) are walked once per
    path: a digest computed while an enclosing object was still being walked is not memoised
    (the enclosing object's fields were left out of it), so a digest never misses a change.
    Everything else is memoised by identity: build one ``ContextDigest`` per build, after the
    generators have finished changing their objects.
    """

    def __init__(self) -> None:
        self._memo: dict[tuple[str, int], bytes] = {}
        self._keep: list[Any] = []  # the memo's objects stay alive, so their ids stay theirs
        self._active: dict[tuple[str, int], int] = {}  # objects being walked -> depth
        self._low = _NOWHERE  # the shallowest active object the current walk ran into
        self._saw_content = False  # the current walk reached a content object

    def of(self, value: Any) -> str:
        """The hex digest of ``value``."""
        return self._walk(value, "deep").hex()

    def prime(self, values: Iterable[Any], workers: int = 1) -> None:
        """Digest the content objects among ``values`` now (before forking workers that will
        all need them).  ``workers`` > 1: their own attributes are digested by that many forked
        processes (POSIX ``fork``), each taking every ``workers``-th object; a worker that fails
        leaves its share to this process."""
        contents = [v for v in values if _is_content(v)]
        if workers > 1 and len(contents) >= 2 * workers:
            import multiprocessing

            ctx = multiprocessing.get_context("fork")
            children = []
            for k in range(1, workers):
                receiver, sender = ctx.Pipe(duplex=False)
                proc = ctx.Process(target=self._own_share, args=(contents[k::workers], sender), daemon=True)
                proc.start()
                sender.close()
                children.append((k, proc, receiver))
            for obj in contents[0::workers]:
                self._own(obj)
            for k, proc, receiver in children:
                try:
                    digests = receiver.recv()
                except EOFError:
                    digests = None
                proc.join()
                if digests is not None:
                    for obj, digest in zip(contents[k::workers], digests):
                        self._remember(("own", id(obj)), obj, digest)
        for value in contents:
            self._walk(value, "deep")

    def _own_share(self, objs: list[Any], sender: Any) -> None:
        """In a forked worker: send the own digests of ``objs``, in order (None on failure)."""
        try:
            sender.send([self._own(obj) for obj in objs])
        except BaseException:
            sender.send(None)
        finally:
            sender.close()

    def _walk(self, value: Any, mode: str) -> bytes:
        kind = type(value)
        if kind is not dict and kind is not list and kind is not tuple:  # containers: straight on
            leaf = _leaf(value)
            if leaf is not None:
                return leaf
            revision = getattr(value, "digest", None)
            if type(revision) is str and revision and is_dataclass(value) and type(getattr(value, "path", None)) is str:
                # an item read from a file (jindallae.model.Item: ``path`` and the file's revision
                # as ``digest``): everything it holds follows from those two
                return _blake(b"v" + value.path.encode() + b"\0" + revision.encode())
            if _is_content(value):
                self._saw_content = True
                if mode == "refs":
                    return _blake(b"r" + str(value.source_path).encode())
                key = ("content", id(value))
                if key not in self._memo:
                    h = hashlib.blake2b(b"C", digest_size=16)
                    h.update(self._own(value))
                    for other in _content_refs(value, self._memo):
                        h.update(self._own(other))
                    self._remember(key, value, h.digest())
                return self._memo[key]
        memo = self._memo
        pure_key = ("pure", id(value))  # walked before and held no content object: same in both modes
        found = memo.get(pure_key)
        if found is not None:
            return found
        key = (mode, id(value))
        found = memo.get(key)
        if found is not None:
            return found
        if key in self._active:  # a cycle: stop here, and do not memoise what led here
            self._low = min(self._low, self._active[key])
            return b"cycle"
        depth = len(self._active)
        self._active[key] = depth
        outer_low, self._low = self._low, _NOWHERE
        outer_saw, self._saw_content = self._saw_content, False
        h = hashlib.blake2b(kind.__name__.encode(), digest_size=16)
        try:
            self._feed(h, value.items() if kind is dict else value if kind is list or kind is tuple
                       else _parts(value), mode, kind is dict)
        finally:
            del self._active[key]
        digest = h.digest()
        pure = not self._saw_content
        self._saw_content = outer_saw or not pure
        if self._low >= depth:  # complete: nothing inside ran into an enclosing object
            self._remember(pure_key if pure else key, value, digest)
            self._low = outer_low
        else:
            self._low = min(outer_low, self._low)
        return digest

    def _feed(self, h: Any, parts: Iterable[Any], mode: str, pairs: bool = False) -> None:
        """Feed ``parts`` into the hash ``h``: text, names (``bytes``) and small numbers straight
        in (length-prefixed), anything else as its digest; ``pairs``: ``(key, value)`` tuples."""
        update = h.update
        walk = self._walk
        for item in parts:
            for part in (item if pairs else (item,)):
                kind = type(part)
                if kind is str:  # the common case
                    data = part.encode("utf-8", "surrogatepass")
                    update(b"s%d:" % len(data))
                    update(data)
                elif kind is bytes:  # a field name
                    update(b"k%d:" % len(part))
                    update(part)
                elif kind is int or kind is bool or part is None:
                    update(b"n" + repr(part).encode() + b";")
                else:
                    update(walk(part, mode))

    def _own(self, obj: Any) -> bytes:
        """A content object's own attributes (other content objects as source paths)."""
        key = ("own", id(obj))
        if key not in self._memo:
            saved_active, saved_low, saved_saw = self._active, self._low, self._saw_content
            self._active, self._low = {}, _NOWHERE
            try:
                h = hashlib.blake2b(b"c", digest_size=16)
                # ``metadata``: Pelican copies every entry to an attribute of the same name
                self._feed(h, ((k.encode(), v) for k, v in sorted(vars(obj).items())
                               if k not in SKIPPED_ATTRIBUTES and k != "metadata"), "refs", pairs=True)
            finally:
                self._active, self._low, self._saw_content = saved_active, saved_low, saved_saw
            self._remember(key, obj, h.digest())
        return self._memo[key]

    def _remember(self, key: tuple[str, int], value: Any, digest: bytes) -> None:
        self._memo[key] = digest
        self._keep.append(value)


_NOWHERE = 1 << 30  # "no enclosing object reached" (deeper than any walk)


def _blake(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def _leaf(value: Any) -> bytes | None:
    """The digest of a value without parts (text, numbers, dates), else None."""
    if value is None or isinstance(value, (bool, int, float)):
        return _blake(repr(value).encode())
    if isinstance(value, str):
        return _blake(b"s" + value.encode("utf-8", "surrogatepass"))
    if isinstance(value, bytes):
        return _blake(b"b" + value)
    if isinstance(value, dt.timedelta):
        return _blake(b"t" + str(value.total_seconds()).encode())
    if isinstance(value, (dt.date, dt.time)):
        return _blake(b"d" + value.isoformat().encode())
    if isinstance(value, enum.Enum):
        return _blake(f"e{type(value).__name__}.{value.name}".encode())
    return None


def _parts(value: Any) -> Iterable[Any]:
    """What a container or object is made of, in a stable order (names as ``bytes``)."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield v
    elif isinstance(value, (list, tuple)):
        yield from value
    elif isinstance(value, (set, frozenset)):
        yield from sorted(value, key=lambda v: _leaf(v) or repr(v).encode())
    elif isinstance(value, type) or callable(value) and not hasattr(value, "__dict__"):
        yield getattr(value, "__qualname__", repr(type(value))).encode()
        bound = getattr(value, "__self__", None)
        if bound is not None and not isinstance(bound, type):
            yield bound
    elif is_dataclass(value):
        for f in fields(value):
            if f.name not in SKIPPED_ATTRIBUTES:
                yield f.name.encode()
                yield getattr(value, f.name)
    elif hasattr(value, "__dict__"):
        for k, v in sorted(vars(value).items()):
            if k not in SKIPPED_ATTRIBUTES and not k.startswith("__"):
                yield k.encode()
                yield v
    else:  # slots objects and the like: their text form
        yield repr(value).encode()


def _is_content(value: Any) -> bool:
    return hasattr(value, "source_path") and hasattr(value, "_content")


def _content_refs(obj: Any, memo: dict[tuple[str, int], bytes]) -> list[Any]:
    """The content objects ``obj``'s attributes point at (one level: lists, tuples, and the
    attributes of plain objects such as a tag).  ``memo``: the digest memo, whose "pure"
    entries (values walked before and found to hold no content object) are not searched."""
    out: list[Any] = []
    seen: set[int] = set()

    def visit(v: Any, depth: int) -> None:
        if ("pure", id(v)) in memo:
            return
        if _is_content(v):
            if v is not obj and id(v) not in seen:
                seen.add(id(v))
                out.append(v)
            return
        if depth > 3:
            return
        if isinstance(v, (list, tuple)):
            for x in v:
                visit(x, depth + 1)
        elif isinstance(v, dict):
            for x in v.values():
                visit(x, depth + 1)

    for k, v in vars(obj).items():
        if k not in SKIPPED_ATTRIBUTES and k != "metadata" and isinstance(v, (list, tuple, dict)) or _is_content(v):
            visit(v, 0)
    return out


class OutputCache:
    """The keys of the previous release's outputs, and reuse of its files.

    ``state``: the JSON file kept between builds (``{"base": ..., "outputs": {name: [key,
    dependencies]}}``); ``previous``: the folder of the previous release (``None``: render
    everything, e.g. ``--force`` or an output someone changed by hand); ``output``: the folder
    being written.  ``base_key`` changes whenever anything every page depends on changes.

    ``in_place``: the build writes only what changed into ``output`` and then updates the
    previous release in place (:func:`jindallae.build.apply_update`): a kept page is left where
    it is, so :meth:`reuse` only decides.  Otherwise ``output`` is a whole new tree and a kept
    page is hard-linked into it from ``previous``.
    """

    def __init__(self, state: Path, previous: Path | None, output: Path, base_key: str, in_place: bool = False):
        self.state = state
        self.previous = previous
        self.output = output
        self.base_key = base_key
        self.in_place = in_place and previous is not None
        self.old: dict[str, list[Any]] = {}
        self.new: dict[str, list[Any]] = {}
        self.kept_names: set[str] = set()
        self.reused = 0
        self.rendered = 0
        if previous is not None and state.is_file():
            try:
                data = json.loads(state.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = {}
            if data.get("version") == STATE_VERSION and data.get("base") == base_key:
                self.old = data.get("outputs", {})

    def key(self, name: str, template: str, digest: str) -> str:
        """The key of output ``name`` (site-relative path) rendered by ``template`` from a
        context whose digest is ``digest``."""
        return hashlib.blake2b(f"{self.base_key}\0{name}\0{template}\0{digest}".encode(),
                               digest_size=16).hexdigest()

    def reuse(self, name: str, key: str, still: Callable[[list[Any]], bool]) -> bool:
        """True when ``name`` was built with ``key`` and its recorded dependencies still hold
        (``still(dependencies)``), so the previous file can stay: hard-linked into the new tree,
        or (``in_place``) left where it is.  May run in a worker process: the caller reports the
        kept names with :meth:`kept`."""
        entry = self.old.get(name)
        if self.previous is None or entry is None or entry[0] != key or not still(entry[1]):
            return False
        if self.in_place:
            return True
        source = self.previous / name
        target = self.output / name
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(source, target)
        except OSError:  # another file system, the old file is gone, or already written: render
            return False
        return True

    def kept(self, name: str) -> None:
        """Note that ``name`` was kept from the previous release by :meth:`reuse`."""
        self.new[name] = self.old[name]
        self.kept_names.add(name)
        self.reused += 1

    def keep_folder(self, rel: str) -> None:
        """Leave the previous release's folder ``rel`` (site-relative) as it is in an in-place
        update: a plugin that refreshes it after the update (the search index) calls this."""
        if not self.in_place:
            return
        base = self.previous / rel
        for dirpath, _dirs, files in os.walk(base):
            prefix = Path(dirpath).relative_to(self.previous).as_posix()
            self.kept_names.update(f"{prefix}/{name}" for name in files)

    def record(self, name: str, key: str, dependencies: Iterable[Any] = (), embeds: Iterable[Any] = ()) -> None:
        """Note that ``name`` was rendered with ``key`` and looked up ``dependencies``;
        ``embeds``: where it shows page bodies (:meth:`embedded`)."""
        self.new[name] = [key, list(dependencies), list(embeds)]
        self.rendered += 1

    def embedded(self, name: str, embeds: Iterable[Any]) -> None:
        """Note where output ``name``, written without a key (a feed), shows page bodies:
        ``[[source, start, end, mode]]``, character offsets of the body of the content file
        ``source`` (``None``: shown but not found), ``mode`` ``"html"`` (as is) or ``"xml"``
        (XML-escaped).  A generator that shows a body anywhere must say so here or in
        :meth:`record`, or a body patch (:mod:`jindallae.body_patch`) would leave it stale."""
        self.new[name] = [None, [], list(embeds)]

    def save(self) -> None:
        """Write the state file (atomically) for the next build."""
        self.state.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.state.with_suffix(".tmp")
        tmp.write_text(json.dumps({"version": STATE_VERSION, "base": self.base_key, "outputs": self.new},
                                  ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.state)


class TemplateKeys:
    """The digest of the templates each page template reads, so that a template edit renders
    again only the pages whose templates it is part of (a partial of the calendar pages does not
    render every article again).

    A template reads what it names: ``extends``, ``include``, ``import`` and ``from ... import``
    (``jinja2.meta.find_referenced_templates``) and any quoted template name in its source (a
    call such as ``include_per_language("partials/footer_identity.html")``), recursively.  It is
    conservative where it cannot know: a reference computed at render time (a variable), or a
    template that does not parse, makes the page depend on every template; and a template that
    no template names and no page uses (loaded by code, e.g. a plugin's) is part of every page
    (except Pelican's ``!simple/`` and ``!theme/`` aliases).

    ``env``: the Jinja environment; ``page_templates``: the names of the templates pages are
    rendered with (``article.html``).  Raises nothing: an environment whose loader cannot list
    its templates gives every page the same key part (``fallback``).
    """

    def __init__(self, env: Any, page_templates: Iterable[str], fallback: Callable[[], str] = lambda: "") -> None:
        import re

        from jinja2 import meta

        self.sources: dict[str, str] = {}
        self.refs: dict[str, set[str | None]] = {}
        self._memo: dict[str, str] = {}
        try:
            names = sorted(env.list_templates())
        except TypeError:
            self.fallback: str | None = fallback()
            return
        self.fallback = None
        known = set(names)
        quoted = re.compile(r"""["']([^"'\s]+)["']""")
        for name in names:
            try:
                source = env.loader.get_source(env, name)[0]
            except Exception:  # unreadable: anything may depend on it
                source, found = "", {None}
            else:
                try:
                    found = set(meta.find_referenced_templates(env.parse(source)))
                except Exception:  # does not parse: reported if a page uses it
                    found = {None}
                found |= {m for m in quoted.findall(source) if m in known and m != name}
            self.sources[name] = source
            self.refs[name] = found
        named = {r for refs in self.refs.values() for r in refs if r is not None}
        # Pelican's "!simple/..." and "!theme/..." names are the same files again, read only
        # through an explicit reference
        self.loaded_by_code = sorted(n for n in known - named - set(page_templates) if not n.startswith("!"))

    def key(self, name: str) -> str:
        """Hex digest of the sources of ``name`` and of every template it reads."""
        if self.fallback is not None:
            return self.fallback
        if name not in self._memo:
            seen: set[str] = set()
            todo = [name, *self.loaded_by_code]
            everything = False
            while todo:
                current = todo.pop()
                if current in seen:
                    continue
                seen.add(current)
                refs = self.refs.get(current, {None})
                if None in refs:
                    everything = True
                    break
                todo.extend(r for r in refs if r not in seen)
            chosen = sorted(self.sources) if everything else sorted(seen & self.sources.keys())
            h = hashlib.blake2b(digest_size=16)
            for n in chosen:
                h.update(f"{n}\0{self.sources[n]}\0".encode("utf-8", "surrogatepass"))
            self._memo[name] = h.hexdigest()
        return self._memo[name]


def tree_digest(paths: Iterable[Path]) -> str:
    """Hash of the content of every file under ``paths`` (sorted; ``__pycache__`` skipped):
    the engine, plugins and theme part of a base key."""
    h = hashlib.blake2b(digest_size=16)
    for base in paths:
        files = [base] if base.is_file() else sorted(
            p for p in base.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        for p in files:
            h.update(str(p).encode())
            h.update(b"\0")
            try:
                h.update(p.read_bytes())
            except OSError:
                h.update(b"?")
    return h.hexdigest()
