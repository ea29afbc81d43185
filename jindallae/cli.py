"""``jindallae``: the command-line tool (build, serve, new; more subcommands join later).

Run ``jindallae --help`` or ``jindallae <command> --help``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from . import __version__


def find_project(start: Path) -> Path:
    """The project folder: the nearest folder upwards holding pelicanconf.py (else ``start``)."""
    for folder in [start, *start.parents]:
        if (folder / "pelicanconf.py").is_file():
            return folder
    return start


def _project(args: argparse.Namespace) -> Path:
    return (args.project or find_project(Path.cwd())).resolve()


def cmd_build(args: argparse.Namespace) -> int:
    from .build import BuildError, build
    from .settings import SettingsError

    project = _project(args)
    settings_file = project / "publishconf.py" if args.publish else (args.settings.resolve() if args.settings else None)
    try:
        result = build(project, args.content, args.output, settings_file, progress=None if args.progress is None else args.progress,
                       force=args.force)
    except BuildError as exc:
        print(f"Build failed: {len(exc.errors)} error(s); {args.output or 'build/'} was left unchanged.", file=sys.stderr)
        for line in exc.errors:
            print(line, file=sys.stderr)
        return 1
    except (SettingsError, FileNotFoundError) as exc:
        print(f"Build failed: {exc}", file=sys.stderr)
        return 2
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if result.skipped:
        print(f"Nothing changed; {result.output} is up to date ({result.seconds:.2f} s).")
    else:
        print(f"Built {result.pages} pages ({result.files} files) into {result.output} in {result.seconds:.2f} s.")
        if args.timings:
            print("  " + ", ".join(f"{k} {v:.2f} s" for k, v in result.timings.items()))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .serve import serve

    return serve(_project(args), args.content, args.output, args.host, args.port, open_browser=False)


def cmd_new(args: argparse.Namespace) -> int:
    from .scaffold import ScaffoldError, scaffold

    project = _project(args)
    try:
        paths = scaffold(project, args.content or project / "content", args.section, args.slug, args.title,
                         today=dt.date.today())
    except ScaffoldError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in paths:
        print(f"created {path}")
    return 0


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jindallae",
        description="Jindallae (金达莱 · 진달래): build the bilingual (Chinese / Korean) population-culture site.",
        epilog="Run 'jindallae <command> --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"jindallae {__version__}")
    parser.add_argument("--project", type=Path, default=None,
                        help="project folder holding pelicanconf.py (default: found from the current folder upwards)")
    sub = parser.add_subparsers(dest="command", metavar="<command>")
    sub.required = True

    p = sub.add_parser("build", help="build the site from content/ into build/",
                       description="Build the site. The previous build/ is replaced only when the new build succeeds.")
    p.add_argument("--content", type=Path, default=None, help="content folder (default: content/)")
    p.add_argument("--output", type=Path, default=None, help="output folder (default: build/)")
    p.add_argument("--settings", type=Path, default=None, help="settings file (default: pelicanconf.py)")
    p.add_argument("--publish", action="store_true", help="use publishconf.py (production URL)")
    p.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    p.add_argument("--timings", action="store_true", help="print the time each build phase took")
    p.add_argument("--progress", dest="progress", action="store_true", default=None, help="always show a progress bar")
    p.add_argument("--no-progress", dest="progress", action="store_false", help="never show a progress bar")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("serve", help="serve build/ on localhost, rebuilding and reloading on changes",
                       description="Build, serve the site at http://HOST:PORT/ and rebuild + reload the browser "
                                   "whenever content/, themes/, plugins/ or the settings change.")
    p.add_argument("--content", type=Path, default=None, help="content folder (default: content/)")
    p.add_argument("--output", type=Path, default=None, help="output folder (default: build/)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("new", help="create a page in both languages: content/<section>/<slug>.{zh,ko}.md",
                       description="Scaffold a new page in every site language, as drafts. SLUG may also be a "
                                   "Chinese or Korean title: it is turned into a pinyin / romanized slug.")
    p.add_argument("section", help="one of: parks, forums, folk-arts, policy, events, news")
    p.add_argument("slug", help="slug (lowercase letters, digits, hyphens) or a title to derive it from")
    p.add_argument("--title", default=None, help="title written into every language's file, to be translated "
                                                 "(default: SLUG when it is a title, else the slug)")
    p.add_argument("--content", type=Path, default=None, help="content folder (default: content/)")
    p.set_defaults(func=cmd_new)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``jindallae`` command; returns the exit status."""
    args = make_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
