"""The build driver: settings -> prepared site -> one Pelican pass -> atomic swap into build/.

A failed build never replaces a good site: Pelican writes into a fresh sibling folder
(``build.tmp-<pid>``) and only a complete, error-free output is renamed over ``build/``.
A rebuild with nothing changed (same content, git commit, theme, plugins, settings and engine)
is skipped.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .model import ContentErrors, iter_content_files, model_from_settings
from .progress import Progress
from .settings import load_settings
from .site import Site, prepare_site

PACKAGE_DIR = Path(__file__).resolve().parent
SITE_KEY = "JINDALLAE_SITE"  # where the prepared Site travels inside Pelican's settings
CACHE_KEY = "JINDALLAE_CACHE_DIR"  # the project's .cache folder for plugins (None: build(cache=False))
PROGRESS_KEY = "JINDALLAE_PROGRESS"  # the build's Progress: plugins time their phases with it
OUTPUTS_KEY = "JINDALLAE_OUTPUTS"  # the build's incremental.OutputCache (None: render every page)
# How this build's output reaches the site folder: "tree" (a whole new tree swapped in) or
# "update" (only what changed is written, then moved into the previous release: apply_update)
RELEASE_KEY = "JINDALLAE_RELEASE"


class BuildError(Exception):
    """The build failed; ``errors`` lists every problem as ``path:line: message`` lines.
    ``site_changed``: the output was changed all the same (an in-place update whose changed
    pages went live before a later step failed); otherwise it is exactly as it was."""

    def __init__(self, errors: list[str], site_changed: bool = False):
        self.errors = errors
        self.site_changed = site_changed
        super().__init__("\n".join(errors))


@dataclass
class BuildResult:
    output: Path
    pages: int = 0
    files: int = 0
    seconds: float = 0.0
    skipped: bool = False
    warnings: list[str] = field(default_factory=list)
    # Missing link and image targets, as `jindallae check` reports them (same check ids and
    # severities: an error blocks publishing, the build itself goes on): "error: path:line: ..."
    findings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase
    drafts: int = 0  # pages not published (status draft or review)
    draft_paths: list[str] = field(default_factory=list)  # those pages, content-relative
    rendered: int = 0  # HTML files rendered by this build (incremental builds: the changed ones)
    patched: list[str] = field(default_factory=list)  # the changed files, when the build was a body patch
    reused: int = 0  # HTML files kept from the previous release (inputs unchanged)


class _Collector(logging.Handler):
    """Collects Pelican's warnings and errors so a build with errors fails."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _stat_lines(paths: list[Path]):
    """``(path, size, mtime_ns)`` of every file under ``paths``, in a fixed order (names sorted
    per folder, ``__pycache__`` skipped; ``os.scandir``: one ``lstat`` per file)."""
    def walk(folder: str):
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name != "__pycache__":
                    yield from walk(entry.path)
                continue
            try:
                st = entry.stat()
            except OSError:
                continue
            yield entry.path, st.st_size, st.st_mtime_ns

    for base in paths:
        if base.is_file():
            st = base.stat()
            yield str(base), st.st_size, st.st_mtime_ns
        else:
            yield from walk(str(base))


def fingerprint(paths: list[Path], extra: str) -> str:
    """Hash of every file's path, size and modification time under ``paths`` (the make rule).

    Runs on every build over the content and the whole output, so it is kept to plain strings."""
    h = hashlib.sha1(extra.encode())
    update = h.update
    for path, size, mtime in _stat_lines(paths):
        update(f"{path}\0{size}\0{mtime}\n".encode())
    return h.hexdigest()


@dataclass
class InputScan:
    """The inputs of a build as listed before it reads them: ``stamp`` the fingerprint of all
    of them (and of the settings and the date), ``rest`` the same without the content folder's
    ``.md`` files, ``pages`` those files (content-relative) with their ``(size, mtime_ns)``,
    ``head`` the content's git commit (None outside git)."""

    stamp: str
    rest: str
    pages: dict[str, tuple[int, int]]
    head: str | None = None


def scan_inputs(paths: list[Path], extra: str, content: Path, head: str | None = None) -> InputScan:
    """:class:`InputScan` of ``paths`` (one listing: the same work as :func:`fingerprint`);
    ``head``, the content's git commit, is part of the whole stamp only (a body patch checks it
    itself, with its own reason)."""
    whole, rest = hashlib.sha1(f"{extra}\0git {head or ''}".encode()), hashlib.sha1(extra.encode())
    prefix = f"{content}/"
    cut = len(prefix)
    pages: dict[str, tuple[int, int]] = {}
    for path, size, mtime in _stat_lines(paths):
        line = f"{path}\0{size}\0{mtime}\n".encode()
        whole.update(line)
        if path.endswith(".md") and path.startswith(prefix):
            pages[path[cut:]] = (size, mtime)
        else:
            rest.update(line)
    return InputScan(whole.hexdigest(), rest.hexdigest(), pages, head)


def output_listing(output: Path) -> tuple[list[str], dict[str, tuple[int, int]]]:
    """The files of ``output`` (site-relative names in :func:`fingerprint` order) and their
    ``(size, mtime_ns)``: the output stamp can be recomputed from them after a body patch."""
    cut = len(str(output)) + 1
    order, lines = [], {}
    for path, size, mtime in _stat_lines([output]):
        name = path[cut:]
        order.append(name)
        lines[name] = (size, mtime)
    return order, lines


def today_key() -> str:
    """The build's 'today' (Asia/Shanghai), or ``SOURCE_DATE_EPOCH`` when set (reproducible builds)."""
    from .dates import build_today

    return build_today().isoformat()


def build(project: Path, content: Path | None = None, output: Path | None = None, settings_file: Path | None = None,
          progress: bool | None | Progress = None, force: bool = False, cache: bool = True) -> BuildResult:
    """Build the site of ``project`` from ``content`` (default ``project/content``) into ``output``
    (default ``project/build``).

    Returns a :class:`BuildResult`.  Raises :class:`BuildError` (every content error as
    ``path:line: message``), ``SettingsError`` or ``FileNotFoundError``; ``output`` is then left
    exactly as it was (except :attr:`BuildError.site_changed`).  Two builds into one output (with
    ``cache``) run one after the other (:func:`lock_path`).  ``progress``: a :class:`~jindallae.progress.Progress`, or ``True`` (bars),
    ``False`` (nothing shown), ``None`` (bars on a terminal, else one line per phase on stderr).
    ``BuildResult.timings`` gives seconds per phase (``read+render``, ``images``, ``posters``,
    ``write``, ``search``, ``swap`` or ``update``).
    """
    if not cache:
        return _build(project, content, output, settings_file, progress, force, cache)
    import fcntl

    # One build per output at a time: a build that started earlier but finished later would put
    # its older content back over a newer build's pages (builds wait for each other, in order).
    lock = lock_path(project, output)
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a+") as fp:
        fcntl.flock(fp.fileno(), fcntl.LOCK_EX)
        try:
            return _build(project, content, output, settings_file, progress, force, cache)
        finally:
            fcntl.flock(fp.fileno(), fcntl.LOCK_UN)


def theme_page_inputs(theme: Path, settings: dict[str, Any]) -> list[Path]:
    """What of the theme folder every page depends on: everything but its static folders
    (``THEME_STATIC_PATHS``, copied to ``theme/`` as they are) and its ``templates/`` (digested
    per page template, :class:`jindallae.incremental.TemplateKeys`): catalogues, poster
    templates."""
    skipped = {Path(p).parts[0] for p in settings.get("THEME_STATIC_PATHS") or [] if Path(p).parts} | {"templates"}
    if not theme.is_dir():
        return [theme]
    return sorted(p for p in theme.iterdir() if p.name not in skipped)


def cache_dir_of(project: Path, output: Path) -> Path:
    """``project/.cache/<hash of the resolved output path>``: the build state of one output."""
    return Path(project).resolve() / ".cache" / hashlib.sha1(str(Path(output).resolve()).encode()).hexdigest()[:12]


def lock_path(project: Path, output: Path | None = None) -> Path:
    """The lock file (``flock``) that builds into ``output`` (default ``project/build``) hold."""
    cache_dir = cache_dir_of(project, output or Path(project).resolve() / "build")
    return cache_dir.with_name(cache_dir.name + ".lock")


def _build(project: Path, content: Path | None, output: Path | None, settings_file: Path | None,
           progress: bool | None | Progress, force: bool, cache: bool) -> BuildResult:
    """:func:`build`, with the output's lock held (when ``cache``)."""
    started = time.perf_counter()
    project = project.resolve()
    content = (content or project / "content").resolve()
    output = (output or project / "build").resolve()
    if not content.is_dir():
        raise FileNotFoundError(f"{content}: content folder not found")
    if output == content or content.is_relative_to(output):
        raise BuildError([f"{output}: the output folder must not contain the content folder"])
    settings = load_settings(project, settings_file, {"PATH": str(content)})
    cache_dir = cache_dir_of(project, output)
    stamp_file = cache_dir / "fingerprint"
    theme = Path(settings["THEME"])
    inputs = [content, theme, project / "plugins", PACKAGE_DIR, settings_file or project / "pelicanconf.py"]
    settings_text = repr(sorted((k, repr(v)) for k, v in settings.items() if k.isupper()))
    extra = settings_text + today_key()
    # The output is part of the fingerprint too: a deleted or edited file in build/ is rebuilt.
    # The inputs are fingerprinted as this build reads them (before it starts): a file saved while
    # it runs (the CMS approving a second page) makes the next build run instead of being skipped.
    from .body_patch import git_head

    # The content's git HEAD too: .ics stamps and the translation report come from commit times,
    # so a commit that changes no file (an edit committed after a build) still rebuilds.
    scan = scan_inputs(inputs, extra, content, head=git_head(content))
    inputs_stamp = scan.stamp
    stamp = stamp_file.read_text(errors="replace") if stamp_file.is_file() else ""
    if not isinstance(progress, Progress):
        progress = Progress({True: "bar", False: "off", None: None}[progress])
    model = None  # the content model: read when a patch or the build needs it
    if cache and not force and output.is_dir() and stamp and not stamp.startswith(inputs_stamp):
        model = model_from_settings(settings)
        patched = _patch(project, content, output, settings, model, scan, stamp, cache_dir, progress, started)
        if patched is not None:
            return patched
    output_stamp = fingerprint([output], "") if output.is_dir() else ""
    if cache and not force and output.is_dir() and stamp == inputs_stamp + output_stamp:
        return BuildResult(output, skipped=True, seconds=time.perf_counter() - started)
    _check_output(output, stamp_file)

    progress.record("settings", time.perf_counter() - started)
    model = model or model_from_settings(settings)
    with progress.phase("read+render", total=sum(1 for _ in iter_content_files(content)), unit="file") as bar:
        try:
            site = prepare_site(model, content, settings.get("SITEURL", ""),
                                cache_dir / "pages.pickle" if cache else None, bar.update,
                                public_url=settings.get("JINDALLAE_PUBLIC_URL") or "")
        except ContentErrors as exc:
            shown = _display_path(content)
            raise BuildError([str(replace(e, path=f"{shown}/{e.path}")) for e in exc.errors]) from None
        bar.note = f"{len(site.rendered)} published"

    _recover_leftovers(output)
    tmp = output.parent / f"{output.name}.tmp-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    settings = dict(settings, OUTPUT_PATH=str(tmp))
    settings[SITE_KEY] = site
    settings[CACHE_KEY] = str(project / ".cache") if cache else None
    settings[PROGRESS_KEY] = progress
    outputs = None
    if cache:
        # Pages are linked from the previous release when their inputs did not change; only an
        # output this build wrote itself (not changed by hand since) is trusted as that release.
        from .incremental import OutputCache, tree_digest

        trusted = not force and output_stamp and stamp_file.is_file() \
            and stamp_file.read_text().endswith(output_stamp)
        # The theme's static files (stylesheets, scripts, icons) are copied, not read by any page:
        # a stylesheet edit copies the stylesheet and keeps every page.  Its templates are part of
        # each page's own key (jindallae.incremental.TemplateKeys): the pages a template edit
        # renders again are those whose templates read it.
        base_key = tree_digest([*theme_page_inputs(theme, settings), project / "plugins", PACKAGE_DIR,
                                settings_file or project / "pelicanconf.py"]) \
            + hashlib.sha1(settings_text.encode()).hexdigest()
        # The previous release is trusted: only the changed outputs are written, then moved
        # into it (apply_update), instead of a whole new tree of links swapped in.
        outputs = OutputCache(cache_dir / "outputs.json", output if trusted else None, tmp, base_key,
                              in_place=bool(trusted))
        from .body_patch import read_patched

        for name in read_patched(cache_dir):  # rewritten by a body patch: their keys are stale
            outputs.old.pop(name, None)
    settings[OUTPUTS_KEY] = outputs
    in_place = outputs is not None and outputs.in_place
    settings[RELEASE_KEY] = "update" if in_place else "tree"
    collector = _Collector()
    pelican_logger = logging.getLogger("pelican")
    pelican_logger.addHandler(collector)
    quiet = logging.getLogger("pelican").level
    pelican_logger.setLevel(logging.WARNING)
    try:
        from pelican import Pelican

        from pelican import signals

        # "write": Pelican's pages, feeds and copies; the plugins' phases inside it (images,
        # posters, search index) are timed and shown on their own.
        with progress.phase("write", unit="file") as write:
            def on_written(path: str, context: Any = None) -> None:
                write.update(1)

            signals.content_written.connect(on_written)
            try:
                _run_quietly(Pelican(settings))
            except BuildError:
                raise
            except Exception as exc:  # a theme or plugin fault: say where, not a traceback
                raise BuildError([_describe_exception(exc)]) from exc
            finally:
                signals.content_written.disconnect(on_written)
        problems = [r for r in collector.records if r.levelno >= logging.ERROR]
        if problems:
            raise BuildError([_format_record(r) for r in problems])
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        pelican_logger.removeHandler(collector)
        pelican_logger.setLevel(quiet)
    swap_started = time.perf_counter()
    if in_place:
        apply_update(tmp, output, outputs.kept_names)
        progress.record("update", time.perf_counter() - swap_started)
        from .signals import release_updated

        try:
            release_updated.send(settings, output=output)
        except Exception as exc:  # the pages are live; the next build is a full one (no stamp)
            stamp_file.unlink(missing_ok=True)
            raise BuildError([f"{_describe_exception(exc)} (the changed pages are already live; "
                              f"build again once this is fixed)"], site_changed=True) from exc
    else:
        swap_in(tmp, output)
        progress.record("swap", time.perf_counter() - swap_started)
    timings = dict(progress.timings)
    warnings = [str(replace(w, path=f"{_display_path(content)}/{w.path}")) for w in site.warnings] + [_format_record(r) for r in collector.records if r.levelno < logging.ERROR]
    from .deploy.config import public_url_problem
    from .settings import placeholder_settings

    if not public_url_problem(settings.get("JINDALLAE_PUBLIC_URL")):  # a build for the public address
        conf_name = (settings_file or project / "pelicanconf.py").name
        warnings += [f"{conf_name}: {line}" for line in placeholder_settings(settings)]
    shown = _display_path(content)
    findings = [f"{f.severity}: {shown}/{f.path}:{f.line}: {f.message} ({f.english}) [{f.id}]" for f in site.findings]
    order, lines = output_listing(output)
    files = len(order)
    draft_paths = sorted(i.path for i in site.items.values() if not i.published)
    drafts = len(draft_paths)
    result = BuildResult(output, pages=len(site.rendered), files=files, seconds=time.perf_counter() - started,
                         warnings=warnings, timings=timings, drafts=drafts, findings=findings, draft_paths=draft_paths,
                         rendered=outputs.rendered if outputs else 0, reused=outputs.reused if outputs else 0)
    if cache:  # cache=False leaves project/.cache alone (it wrote one stamp folder per output)
        from .body_patch import output_stamp, patched_path

        cache_dir.mkdir(parents=True, exist_ok=True)
        outputs.save()
        stamp = inputs_stamp + output_stamp(lines, order, output)
        stamp_file.write_text(stamp)
        patched_path(cache_dir).unlink(missing_ok=True)
        _write_manifest(cache_dir, scan, site, outputs, order, lines, result, stamp)
    return result


def _write_manifest(cache_dir: Path, scan: InputScan, site: Site, outputs: Any, order: list[str],
                    lines: dict[str, tuple[int, int]], result: BuildResult, stamp: str) -> None:
    """Record what a body patch needs of this build (:mod:`jindallae.body_patch`)."""
    from .body_patch import MANIFEST_VERSION, save_manifest

    sources = {}
    for rel, st in scan.pages.items():
        item = site.items.get(rel)
        sources[rel] = (*st, item.digest if item is not None else None, site.facets.get(rel),
                        bool(item is not None and item.fields.get("event")))
    revisions = set()
    for item in site.items.values():
        origin = item.fields.get("translated_from")
        if isinstance(origin, dict) and origin.get("revision"):
            revisions.add(str(origin["revision"]))
    spans = {name: entry[2] for name, entry in outputs.new.items() if len(entry) > 2 and entry[2]}
    save_manifest(cache_dir, {
        "version": MANIFEST_VERSION, "stamp": stamp, "rest": scan.rest, "sources": sources,
        "revisions": revisions, "head": scan.head, "url_map": site.url_map, "spans": spans,
        "flagged": {f.path for f in site.findings},
        "order": order, "output_lines": lines, "html_files": outputs.rendered + outputs.reused,
        "result": replace(result, timings={}, seconds=0.0, rendered=0, reused=0),
    })


def _patch(project: Path, content: Path, output: Path, settings: dict[str, Any], model: Any, scan: InputScan,
           stamp: str, cache_dir: Path, progress: Progress, started: float) -> BuildResult | None:
    """The build as a body patch (:mod:`jindallae.body_patch`), or None when it does not apply."""
    from . import body_patch

    manifest = body_patch.load_manifest(cache_dir)
    with progress.phase("patch", unit="file") as shown:
        if manifest is None or manifest["stamp"] != stamp:
            shown.note = "not used (no record of the last build); the whole site is checked instead"
            return None
        # build/ is not listed (that would cost as much as the site is large): the outputs a
        # patch rewrites are checked against the record, and the record, not a new listing, goes
        # into the stamp — a file changed by hand elsewhere makes the next build that is not a
        # patch (or finds nothing to do) render everything again, as after any build
        order, lines = manifest["order"], manifest["output_lines"]
        patch = body_patch.plan(manifest, scan, content, output, model)
        if isinstance(patch, str):
            shown.note = f"not used ({patch}); the whole site is checked instead"
            return None
        if patch.writes:
            body_patch.mark_patched(cache_dir, list(patch.writes))  # first: a crash leaves them untrusted
        lines.update(body_patch.apply(patch, output))
        shown.update(len(patch.writes))
        shown.note = f"only the body of {len(patch.files)} page(s) changed, rewritten in place" if patch.writes \
            else f"{len(patch.files)} file(s) saved again with the same text, or a draft's body changed: nothing to rewrite"
    manifest["spans"].update(patch.spans)
    for rel in patch.files:
        old = manifest["sources"][rel]
        manifest["sources"][rel] = (*scan.pages[rel], patch.revisions[rel], *old[3:])
    if patch.writes:
        from .signals import release_updated

        settings = dict(settings, **{RELEASE_KEY: "patch", PROGRESS_KEY: progress, SITE_KEY: None})
        _register_plugins(settings)
        try:
            replaced = [folder for _receiver, folder in release_updated.send(settings, output=output) if folder]
        except Exception as exc:  # the pages are live; the next build is a full one (no stamp)
            (cache_dir / "fingerprint").unlink(missing_ok=True)
            raise BuildError([f"{_describe_exception(exc)} (the changed pages are already live; "
                              f"build again once this is fixed)"], site_changed=True) from exc
        for folder in replaced:  # a receiver replaced a folder (the search index): list it again
            order = _relist(output, folder, order, lines)
    manifest["order"], manifest["output_lines"] = order, lines
    new_stamp = scan.stamp + body_patch.output_stamp(lines, order, output)
    manifest["stamp"] = new_stamp
    body_patch.save_manifest(cache_dir, manifest)
    (cache_dir / "fingerprint").write_text(new_stamp)
    if not patch.writes:  # the site is as it was: say so, as for a build with nothing to do
        return BuildResult(output, skipped=True, seconds=time.perf_counter() - started, timings=dict(progress.timings))
    pages = sum(1 for name in patch.writes if name.endswith(".html"))
    return replace(manifest["result"], seconds=time.perf_counter() - started, timings=dict(progress.timings),
                   rendered=pages, reused=manifest["html_files"] - pages, patched=patch.files)


def _relist(output: Path, folder: str, order: list[str], lines: dict[str, tuple[int, int]]) -> list[str]:
    """``order`` with the files under ``output/folder`` listed again (``lines`` updated in place):
    a folder's files are consecutive in :func:`fingerprint` order, so the new listing takes the
    place of the old one (a folder that was not there before: the whole output is listed)."""
    prefix = folder.strip("/") + "/"
    at = next((i for i, name in enumerate(order) if name.startswith(prefix)), None)
    if at is None:
        fresh_order, fresh_lines = output_listing(output)
        lines.clear()
        lines.update(fresh_lines)
        return fresh_order
    sub_order, sub_lines = output_listing(output / folder)
    kept = [name for name in order if not name.startswith(prefix)]
    for name in order:
        if name.startswith(prefix):
            del lines[name]
    for name in sub_order:
        lines[prefix + name] = sub_lines[name]
    return kept[:at] + [prefix + name for name in sub_order] + kept[at:]


def _register_plugins(settings: dict[str, Any]) -> None:
    """Connect the plugins' receivers as a Pelican run would (their ``register()``), for
    :data:`jindallae.signals.release_updated` after a body patch."""
    from pelican.plugins._utils import load_plugins

    for plugin in load_plugins(settings):
        plugin.register()


def _check_output(output: Path, stamp_file: Path) -> None:
    """Refuse to replace something that is not a previous build: a file, or a non-empty folder
    that Jindallae did not write (raises :class:`BuildError`; nothing is touched)."""
    if output.exists() and not output.is_dir():
        raise BuildError([f"{output}: exists and is a file, not a site folder; choose another --output"])
    if output.is_dir() and any(output.iterdir()):
        ours = stamp_file.is_file() or ((output / "sitemap.xml").is_file() and (output / "theme").is_dir())
        if not ours:
            raise BuildError([f"{output}: this folder has files that are not a Jindallae build; "
                              f"choose a new or empty folder for --output (nothing was changed)"])


def _display_path(folder: Path) -> str:
    """``folder`` as the user would type it: relative to the current folder when inside it."""
    try:
        return folder.relative_to(Path.cwd()).as_posix() or "."
    except ValueError:
        return folder.as_posix()


def _run_quietly(pelican: Any) -> None:
    """Run Pelican without its closing 'Done: ...' console line (we print our own summary)."""
    from pelican import log

    console = log.console
    was_quiet = console.quiet
    console.quiet = True
    try:
        pelican.run()
    finally:
        console.quiet = was_quiet


def _describe_exception(exc: BaseException) -> str:
    """``template.html:12: UndefinedError: 'x' is undefined`` for a template fault (the innermost
    template frame), else the exception's type and text."""
    import traceback

    from jinja2 import TemplateSyntaxError

    if isinstance(exc, TemplateSyntaxError):
        return f"{exc.filename or exc.name}:{exc.lineno}: template syntax error: {exc.message}; fix the theme template"
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith((".html", ".xml", ".j2"))]
    where = f"{frames[-1].filename}:{frames[-1].lineno}: " if frames else ""
    text = str(exc).strip().splitlines()[-1] if str(exc).strip() else ""
    return f"{where}{type(exc).__name__}: {text}"


def _format_record(record: logging.LogRecord) -> str:
    msg = record.getMessage()
    if record.exc_info and record.exc_info[1] is not None:
        msg += f": {record.exc_info[1]!r}"
    return msg


def swap_in(tmp: Path, output: Path) -> None:
    """Replace ``output`` by ``tmp`` with no moment without a complete site (the old tree is
    then removed; ``output`` may not exist yet).

    On Linux one ``renameat2(RENAME_EXCHANGE)`` swaps the two trees atomically (the old site then
    sits at ``tmp`` and is removed); elsewhere, or on a file system without it, two renames
    (``output`` -> ``output.old-<pid>``, ``tmp`` -> ``output``), which :func:`_recover_leftovers`
    repairs if the process dies between them.
    """
    if output.exists() and exchange_paths(tmp, output):
        shutil.rmtree(tmp, ignore_errors=True)
        return
    old = output.parent / f"{output.name}.old-{os.getpid()}"
    if old.exists():
        shutil.rmtree(old)
    if output.exists():
        os.rename(output, old)
    os.rename(tmp, output)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


def apply_update(staging: Path, output: Path, kept: set[str]) -> None:
    """Update the release in ``output`` in place from ``staging``, a folder holding only what an
    incremental build wrote (its changed pages and every non-page file); ``kept``: the
    site-relative paths of the unchanged pages, which stay as they are.

    Each file is moved in with one ``rename(2)`` (atomic: a reader sees the old file or the new
    one, never half of one): other files first, then pages, deepest first, so that a list never
    links to a page that is not there yet.  Then every file that belongs to neither set (a
    deleted or renamed page, a removed image) is deleted, and the folders left empty.
    ``staging`` is removed.  A process killed half-way leaves a mix of old and new files but no
    stamp (:func:`build` writes it afterwards), so the next build rebuilds the whole tree.
    """
    written: list[str] = []
    for dirpath, _dirs, files in os.walk(staging):
        base = Path(dirpath).relative_to(staging).as_posix()
        written += [name if base == "." else f"{base}/{name}" for name in files]
    written.sort(key=lambda rel: (rel.endswith(".html"), -rel.count("/"), rel))
    for rel in written:
        target = output / rel
        parent = target.parent
        if not parent.is_dir():  # a new folder (or a file that was where a folder must go)
            for ancestor in reversed([parent, *parent.parents]):
                if ancestor.is_relative_to(output) and (ancestor.is_file() or ancestor.is_symlink()):
                    ancestor.unlink()
            parent.mkdir(parents=True, exist_ok=True)
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        os.replace(staging / rel, target)
    live = set(written) | kept
    top = str(output)
    removed: set[str] = set()  # folders emptied and removed (os.walk bottom-up: children first)
    for dirpath, dirs, files in os.walk(top, topdown=False):
        base = dirpath[len(top) + 1:].replace(os.sep, "/")
        left = 0
        for name in files:
            if (f"{base}/{name}" if base else name) in live:
                left += 1
            else:
                os.unlink(os.path.join(dirpath, name))
        if base and not left and all(os.path.join(dirpath, d) in removed for d in dirs):
            try:
                os.rmdir(dirpath)
                removed.add(dirpath)
            except OSError:  # something appeared in it meanwhile: it stays
                pass
    shutil.rmtree(staging, ignore_errors=True)


def exchange_paths(a: Path, b: Path) -> bool:
    """Atomically exchange two paths on one file system (Linux ``renameat2(2)`` with
    ``RENAME_EXCHANGE``, glibc 2.28+). Returns False when the system or file system cannot (the
    caller falls back); raises ``OSError`` for other failures."""
    import ctypes
    import errno

    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _recover_leftovers(output: Path) -> None:
    """Repair what an interrupted build left beside ``output`` (kill -9, power loss).

    * no ``output`` but ``output.old-<pid>`` folders: the process died between the two renames of
      the fallback swap; the newest old site is complete, and is put back;
    * ``output.tmp-<pid>`` / ``output.old-<pid>`` of a process that is no longer running (or of
      this process: a reused PID) are half-written or half-deleted trees, and are removed.
    """
    parent = output.parent
    if not parent.is_dir():
        return
    leftovers = [p for p in parent.iterdir()
                 if p.name.startswith((f"{output.name}.tmp-", f"{output.name}.old-")) and p.is_dir()
                 and not p.is_symlink()]
    olds = sorted((p for p in leftovers if ".old-" in p.name), key=lambda p: p.stat().st_mtime)
    if not output.exists() and olds:
        os.rename(olds[-1], output)
        leftovers.remove(olds[-1])
    for path in leftovers:
        pid = path.name.rsplit("-", 1)[-1]
        if pid.isdigit() and (int(pid) == os.getpid() or not _running(int(pid))):
            shutil.rmtree(path, ignore_errors=True)


def _running(pid: int) -> bool:
    """True when a process ``pid`` exists (it may be another program that reused the number)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
