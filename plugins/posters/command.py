"""``jindallae posters``: make the posters without building the site (progress bar on stderr)."""

from __future__ import annotations

import re
import sys
from pathlib import Path


def run(project: Path, content: Path | None, output: Path | None, only: list[str], formats: list[str],
        langs: list[str], cmyk: bool, force: bool, progress: bool | None = None) -> int:
    """Make the posters of the published pages under ``content`` into ``output`` (default
    ``project/build-posters``), as ``<section>/<slug>/poster-<variant>-<format>.pdf`` etc.

    ``only``: slugs; ``formats``: format keys; ``langs``: variants (zh, ko, bilingual); ``cmyk``:
    also the CMYK PDF; ``force``: render even when cached.  A run without ``only``, ``formats``
    and ``langs`` removes the ``poster-*`` files in ``output`` that no page asks for any more.  Prints problems as
    ``path: poster.field: message`` and returns the exit status (1 when an error was found or
    the output cannot be written, 2 for bad settings, formats, templates or arguments)."""
    from tqdm import tqdm

    from jindallae.model import model_from_settings
    from jindallae.settings import SettingsError, load_settings

    from .formats import DataError
    from .generator import display_root
    from .jobs import BILINGUAL, Config, cached, link_files, make, plan, problems_of

    content = (content or project / "content").resolve()
    output = (output or project / "build-posters").resolve()
    if not content.is_dir():
        print(f"posters: --content: no folder {content}; give the folder with the pages (default content/)",
              file=sys.stderr)
        return 2
    try:
        settings = load_settings(project, None, {"PATH": str(content)})
        config = Config.from_settings(settings, cmyk=True if cmyk else None)
    except (SettingsError, DataError, FileNotFoundError, ValueError) as exc:
        print(f"posters: {exc}", file=sys.stderr)
        return 2
    for name in formats:
        if name not in config.formats:
            print(f"posters: --format: no format named {name!r}; formats: {', '.join(config.formats)}", file=sys.stderr)
            return 2
    model = model_from_settings(settings)
    variants = [lang.code for lang in model.languages] + [BILINGUAL]
    for name in langs:
        if name not in variants:
            print(f"posters: --lang: no language version named {name!r}; use {', '.join(variants)}", file=sys.stderr)
            return 2
    items, errors = model.load(content)
    shown = display_root(content)
    if errors:
        for e in errors:
            print(f"{shown}/{e}", file=sys.stderr)
        return 1
    slugs = {i.slug for i in items}
    for slug in only:
        if slug not in slugs:
            print(f"posters: --only: no page with the slug {slug!r}", file=sys.stderr)
            return 2
    jobs, problems = plan(model, content, items, config, set(only) or None, set(formats) or None, set(langs) or None)
    if not jobs and (only or formats or langs):
        # say why nothing is made: the poster: block decides formats and languages
        for item in items:
            if (not only or item.slug in only) and item.fields.get("poster") is not None:
                block = item.fields["poster"]
                print(f"posters: {shown}/{item.path}: poster.formats is {', '.join(block.get('formats') or []) or '(default)'}"
                      f", poster.language is {', '.join(block.get('language') or []) or '(default)'}; "
                      "add the format or language there to render it", file=sys.stderr)
        print("posters: no poster matches --only/--format/--lang", file=sys.stderr)
        return 2
    bar = tqdm(total=len(jobs), desc="posters", unit="poster", file=sys.stderr,
               disable=not (sys.stderr.isatty() if progress is None else progress))
    try:
        cache = project / ".cache" / "posters"
        hits = set() if force else {j.digest for j in jobs if cached(j, config, cache) is not None}
        make(jobs, config, cache, bar.update, force=force)
    finally:
        bar.close()
    problems += problems_of(jobs)
    for p in problems:
        print(("" if p.error else "warning: ") + p.line(shown), file=sys.stderr)
    done = [j for j in jobs if "error" not in j.result]
    try:
        written = set()
        for job in done:
            for path in link_files(job, config, project / ".cache" / "posters", output):
                written.add(path)
                if path.suffix == ".pdf":
                    print(path)
        if not (only or formats or langs):
            # a whole run: take away posters no page asks for any more (a removed format or
            # language), so no stale PDF goes to the print shop; a failed poster keeps its last file
            keep = written | {output / rel for j in jobs if "error" in j.result for rel in j.files(True).values()}
            ours = re.compile(rf"poster-(?:{'|'.join(map(re.escape, variants))})-(?:{'|'.join(map(re.escape, config.formats))})"
                              r"\.(?:pdf|png|thumb\.jpg|cmyk\.pdf)")  # only file names this command writes
            for path in list(output.rglob("poster-*")) if output.is_dir() else []:
                if path.is_file() and path not in keep and ours.fullmatch(path.name):
                    path.unlink()
    except OSError as exc:
        print(f"posters: --output: cannot write the posters into {output} ({exc.strerror or exc}); "
              "choose a folder you can write to", file=sys.stderr)
        return 1
    unchanged = sum(1 for j in done if j.digest in hits)
    failed = f", {len(jobs) - len(done)} failed" if len(done) < len(jobs) else ""
    print(f"{len(done)} poster(s) in {output} ({len(done) - unchanged} rendered, {unchanged} unchanged{failed})",
          file=sys.stderr)
    return 1 if any(p.error for p in problems) else 0
