"""The build driver: settings -> prepared site -> one Pelican pass -> atomic swap into build/.

A failed build never replaces a good site: Pelican writes into a fresh sibling folder
(``build.tmp-<pid>``) and only a complete, error-free output is renamed over ``build/``.
A rebuild with nothing changed (same content, theme, plugins, settings and engine) is skipped.
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
from .settings import load_settings
from .site import Site, prepare_site

PACKAGE_DIR = Path(__file__).resolve().parent
SITE_KEY = "JINDALLAE_SITE"  # where the prepared Site travels inside Pelican's settings
CACHE_KEY = "JINDALLAE_CACHE_DIR"  # the project's .cache folder for plugins (None: build(cache=False))


class BuildError(Exception):
    """The build failed; ``errors`` lists every problem as ``path:line: message`` lines."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class BuildResult:
    output: Path
    pages: int = 0
    files: int = 0
    seconds: float = 0.0
    skipped: bool = False
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase
    drafts: int = 0  # pages not published (status draft or review)


class _Collector(logging.Handler):
    """Collects Pelican's warnings and errors so a build with errors fails."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def fingerprint(paths: list[Path], extra: str) -> str:
    """Hash of every file's path, size and modification time under ``paths`` (the make rule)."""
    h = hashlib.sha1(extra.encode())
    for base in paths:
        if base.is_file():
            st = base.stat()
            h.update(f"{base}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                p = Path(dirpath) / name
                try:
                    st = p.stat()
                except OSError:
                    continue
                h.update(f"{p}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def today_key() -> str:
    """The build's 'today' (Asia/Shanghai), or ``SOURCE_DATE_EPOCH`` when set (reproducible builds)."""
    from .dates import build_today

    return build_today().isoformat()


def build(project: Path, content: Path | None = None, output: Path | None = None, settings_file: Path | None = None,
          progress: bool | None = None, force: bool = False, cache: bool = True) -> BuildResult:
    """Build the site of ``project`` from ``content`` (default ``project/content``) into ``output``
    (default ``project/build``).

    Returns a :class:`BuildResult`.  Raises :class:`BuildError` (every content error as
    ``path:line: message``), ``SettingsError`` or ``FileNotFoundError``; ``output`` is then left
    exactly as it was.  ``progress`` shows a progress bar (default: when stderr is a terminal).
    """
    started = time.perf_counter()
    project = project.resolve()
    content = (content or project / "content").resolve()
    output = (output or project / "build").resolve()
    if not content.is_dir():
        raise FileNotFoundError(f"{content}: content folder not found")
    if output == content or content.is_relative_to(output):
        raise BuildError([f"{output}: the output folder must not contain the content folder"])
    settings = load_settings(project, settings_file, {"PATH": str(content)})
    cache_dir = project / ".cache" / hashlib.sha1(str(output).encode()).hexdigest()[:12]
    stamp_file = cache_dir / "fingerprint"
    theme = Path(settings["THEME"])
    inputs = [content, theme, project / "plugins", PACKAGE_DIR, settings_file or project / "pelicanconf.py"]
    extra = repr(sorted((k, repr(v)) for k, v in settings.items() if k.isupper())) + today_key()
    # The output is part of the fingerprint too: a deleted or edited file in build/ is rebuilt.
    # The inputs are fingerprinted as this build reads them (before it starts): a file saved while
    # it runs (the CMS approving a second page) makes the next build run instead of being skipped.
    inputs_stamp = fingerprint(inputs, extra)
    if cache and not force and output.is_dir() and stamp_file.is_file() \
            and stamp_file.read_text() == inputs_stamp + fingerprint([output], ""):
        return BuildResult(output, skipped=True, seconds=time.perf_counter() - started)
    _check_output(output, stamp_file)

    timings = {"settings": time.perf_counter() - started}
    model = model_from_settings(settings)
    bar = _progress_bar(progress, total=sum(1 for _ in iter_content_files(content)))
    try:
        site = prepare_site(model, content, settings.get("SITEURL", ""),
                            cache_dir / "render.pickle" if cache else None, bar.update if bar else None)
    except ContentErrors as exc:
        shown = _display_path(content)
        raise BuildError([str(replace(e, path=f"{shown}/{e.path}")) for e in exc.errors]) from None
    finally:
        if bar:
            bar.close()
    timings["read+render"] = time.perf_counter() - started - sum(timings.values())

    tmp = output.parent / f"{output.name}.tmp-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    settings = dict(settings, OUTPUT_PATH=str(tmp))
    settings[SITE_KEY] = site
    settings[CACHE_KEY] = str(project / ".cache") if cache else None
    collector = _Collector()
    pelican_logger = logging.getLogger("pelican")
    pelican_logger.addHandler(collector)
    quiet = logging.getLogger("pelican").level
    pelican_logger.setLevel(logging.WARNING)
    try:
        from pelican import Pelican

        from pelican import signals

        write_bar = _progress_bar(progress, desc="write")

        def on_written(path: str, context: Any = None) -> None:
            if write_bar:
                write_bar.update(1)

        signals.content_written.connect(on_written)
        try:
            _run_quietly(Pelican(settings))
        except BuildError:
            raise
        except Exception as exc:  # a theme or plugin fault: say where, not a traceback
            raise BuildError([_describe_exception(exc)]) from exc
        finally:
            signals.content_written.disconnect(on_written)
            if write_bar:
                write_bar.close()
        problems = [r for r in collector.records if r.levelno >= logging.ERROR]
        if problems:
            raise BuildError([_format_record(r) for r in problems])
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        pelican_logger.removeHandler(collector)
        pelican_logger.setLevel(quiet)
    timings["pelican"] = time.perf_counter() - started - sum(timings.values())
    _swap(tmp, output)
    timings["swap"] = time.perf_counter() - started - sum(timings.values())
    if cache:  # cache=False leaves project/.cache alone (it wrote one stamp folder per output)
        cache_dir.mkdir(parents=True, exist_ok=True)
        stamp_file.write_text(inputs_stamp + fingerprint([output], ""))
    warnings = [str(replace(w, path=f"{_display_path(content)}/{w.path}")) for w in site.warnings] + [_format_record(r) for r in collector.records if r.levelno < logging.ERROR]
    files = sum(len(f) for _, _, f in os.walk(output))
    drafts = sum(1 for i in site.items.values() if not i.published)
    return BuildResult(output, pages=len(site.rendered), files=files, seconds=time.perf_counter() - started,
                       warnings=warnings, timings=timings, drafts=drafts)


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


def _swap(tmp: Path, output: Path) -> None:
    """Replace ``output`` by ``tmp``: two renames on one file system, the old tree removed after."""
    old = output.parent / f"{output.name}.old-{os.getpid()}"
    if output.exists():
        os.rename(output, old)
    os.rename(tmp, output)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


def _progress_bar(enabled: bool | None, total: int | None = None, desc: str = "read"):
    """A tqdm progress bar on stderr, or ``None`` (default: only on a terminal)."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="page", leave=False, file=sys.stderr)
