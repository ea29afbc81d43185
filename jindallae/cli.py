"""``jindallae``: the command-line tool (build, serve, new, check, cms; more subcommands join later).

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
    from .progress import Progress
    from .settings import SettingsError

    project = _project(args)
    settings_file = project / "publishconf.py" if args.publish else (args.settings.resolve() if args.settings else None)
    if args.publish:  # a production build: its public URL must be the real one
        from .deploy.base import DeployError
        from .deploy.run import production_settings

        try:
            production_settings(project, settings_file)
        except (DeployError, SettingsError, FileNotFoundError) as exc:
            print(f"Build failed: {exc}", file=sys.stderr)
            return 2
    import gc

    # A short-lived process that keeps what it builds: the cyclic garbage collector would only
    # walk the growing heap again and again (about a tenth of a rebuild's CPU time).
    gc.disable()
    try:
        # --no-progress: no bars, but still one line per phase (what a log shows)
        shown = Progress("lines") if args.progress is False else args.progress
        result = build(project, args.content, args.output, settings_file, progress=shown, force=args.force)
    except BuildError as exc:
        where = args.output or "build/"
        state = f"the changed pages in {where} are live, the rest is as before" if exc.site_changed \
            else f"{where} was left unchanged"
        print(f"Build failed: {len(exc.errors)} error(s); {state}.", file=sys.stderr)
        for line in exc.errors:
            print(line, file=sys.stderr)
        return 1
    except (SettingsError, FileNotFoundError) as exc:
        print(f"Build failed: {exc}", file=sys.stderr)
        return 2
    finally:
        gc.enable()
    for finding in result.findings:  # "error: ..." / "warning: ...", as `jindallae check` says
        print(finding, file=sys.stderr)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if result.skipped:
        print(f"Nothing changed; {result.output} is up to date ({result.seconds:.2f} s).")
    else:
        slowest = max(result.timings.items(), key=lambda kv: kv[1], default=None)
        most = f"; most of it {slowest[0]} ({slowest[1]:.1f} s)" if slowest and result.seconds >= 1 else ""
        kept = f"; {result.rendered} HTML files rendered, {result.reused} unchanged ones kept from the last build" \
            if result.reused else ""
        if result.patched:  # jindallae.body_patch
            kept = f"; only the body of {len(result.patched)} page(s) changed{kept}"
        print(f"Built {result.pages} pages ({result.files} files{kept}) into {result.output} in {result.seconds:.2f} s{most}.")
        if result.drafts:
            names = ", ".join(result.draft_paths[:10]) + (f" and {result.drafts - 10} more" if result.drafts > 10 else "")
            print(f"  {result.drafts} page(s) with status draft or review were not published: {names} "
                  f"(set status: published to publish them).")
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


def cmd_check(args: argparse.Namespace) -> int:
    """``jindallae check``: editorial checks (see jindallae.checks); exit 1 when anything blocks publishing."""
    from .checks import CheckConfig, MarkError, accept, apply_fixes, format_text, mark_translated, run_checks
    from .checks.core import resolve_setup
    from .checks.report import use_colour
    from .settings import SettingsError

    project = _project(args)
    try:
        model, settings, root = resolve_setup(project, args.content, None)
    except (SettingsError, FileNotFoundError) as exc:
        print(f"check: {exc}", file=sys.stderr)
        return 2
    if not root.is_dir():
        print(f"check: {root}: content folder not found", file=sys.stderr)
        return 2

    def content_rel(text: str) -> str:
        p = Path(text)
        if p.is_absolute() or p.exists():
            try:
                return p.resolve().relative_to(root).as_posix()
            except ValueError:
                pass
        return p.as_posix()

    if args.mark_translated:
        status = 0
        for target in args.mark_translated:
            try:
                old, new = mark_translated(model, root, content_rel(target))
            except (MarkError, OSError) as exc:
                print(f"check: {exc}", file=sys.stderr)
                status = 1
                continue
            print(f"{target}: translated_from.revision {old[:10] or '(none)'} -> {new[:10]}")
        return status
    paths = [content_rel(p) for p in args.paths] or None
    report = run_checks(model, root, paths, settings, changed=args.changed)
    if args.accept:
        wanted = set()
        for loc in args.accept:
            rel, _, pos = loc.rpartition(":") if loc.count(":") >= 2 else (loc, "", "")
            where, _, line = rel.rpartition(":")
            wanted.add((content_rel(where), int(line) if line.isdigit() else 0, int(pos) if pos.isdigit() else 0))
        chosen = [f for f in report.findings if (f.path, f.line, f.col) in wanted]
        written = accept(root, CheckConfig.from_settings(settings), chosen, args.note or "")
        for f in written:
            print(f"accepted {f.location()} {f.id}: {f.excerpt}")
        if not written:
            print("check: nothing to accept at " + ", ".join(args.accept) + " (give PATH:LINE:COL of an acceptable finding)",
                  file=sys.stderr)
            return 1
        report = run_checks(model, root, paths, settings, changed=args.changed)
    if args.fix:
        fixed = apply_fixes(root, report.findings)
        for rel, count in sorted(fixed.items()):
            print(f"fixed {count} character(s) in {_shown(root)}/{rel}", file=sys.stderr)
        if fixed:
            report = run_checks(model, root, paths, settings, changed=args.changed)
    if args.format == "json":
        print(report.to_json())
    else:
        sys.stdout.write(format_text(report, _shown(root), colour=use_colour(sys.stdout), links=args.links))
    return 0 if report.ok else 1


def cmd_cms(args: argparse.Namespace) -> int:
    """``jindallae cms [serve|create-user|run-due|audit]``: the editorial CMS (package ``cms``)."""
    from cms import cli as cms_cli

    project = _project(args)
    if args.cms_command == "create-user":
        from cms.auth import ROLES

        roles = list(ROLES) if args.all_roles else (args.role or [])
        return cms_cli.create_user(project, args.username, roles, args.display_name or "", args.email or "",
                                   args.ui_lang, args.password_stdin)
    if args.cms_command == "run-due":
        return cms_cli.run_due(project)
    if args.cms_command == "audit":
        if args.audit_command == "export":
            return cms_cli.audit_export(project, args.output, args.lang, args.user or "", args.action or "")
        return cms_cli.audit_verify(project)
    return cms_cli.serve(project, args.host, args.port, scheduler=not args.no_scheduler)


def cmd_deploy(args: argparse.Namespace) -> int:
    """``jindallae deploy``: production build, then publish to a target (jindallae.deploy)."""
    from .build import BuildError
    from .deploy.base import DeployError
    from .deploy.layout import LayoutError
    from .deploy.run import deploy, production_settings
    from .progress import Progress
    from .settings import SettingsError

    project = _project(args)
    settings_file = args.settings.resolve() if args.settings else None
    try:
        if args.nginx_config:
            from .deploy.nginx import nginx_config
            from .deploy.run import make_target

            _conf, settings = production_settings(project, settings_file)
            name = args.target or make_target(None, settings, project, lambda _line: None).ctx.name
            print(nginx_config(settings, name, args.listen, args.server_name), end="")
            return 0
        shown = Progress("lines") if args.progress is False else Progress({True: "bar", None: None}[args.progress])
        result = deploy(project, args.target, dry_run=args.dry_run, rollback=args.rollback, force=args.force,
                        settings_file=settings_file, build_site=not args.no_build, progress=shown,
                        log=lambda line: print(line, flush=True))
    except BuildError as exc:
        print(f"Deploy stopped: the production build failed with {len(exc.errors)} error(s); nothing was published.",
              file=sys.stderr)
        for line in exc.errors:
            print(line, file=sys.stderr)
        return 1
    except DeployError as exc:
        print(f"Deploy failed: {exc}", file=sys.stderr)
        return 1
    except (SettingsError, FileNotFoundError, ValueError) as exc:
        print(f"Deploy failed: {exc}", file=sys.stderr)
        return 2
    except (LayoutError, OSError) as exc:  # the target refused a step: the live site is unchanged
        print(f"Deploy failed: {exc}; the live site was not changed", file=sys.stderr)
        return 1
    if result.dry_run:
        print(f"Dry run: nothing was changed on {result.target}.")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """``jindallae import``: a Word document, a web page or pasted text as a draft page
    (jindallae.importers); prints what was created, notes, and the check findings of the page."""
    from .checks.core import resolve_setup
    from .importers import ImportFailed, draft_findings, import_bytes, make_draft, write_draft
    from .importers.docx import MAX_BYTES, human_size
    from .settings import SettingsError

    project = _project(args)
    try:
        model, settings, root = resolve_setup(project, args.content, None)
    except (SettingsError, FileNotFoundError) as exc:
        print(f"import: {exc}", file=sys.stderr)
        return 2
    lang = args.lang or model.default.code
    source = args.file
    try:
        if source == "-":
            data = sys.stdin.buffer.read(MAX_BYTES + 1)
        else:
            size = Path(source).stat().st_size
            if size > MAX_BYTES:  # refused before it is read into memory
                raise ImportFailed("too_large", path=source, size=human_size(size), limit=human_size(MAX_BYTES))
            data = Path(source).read_bytes()
        imported = import_bytes(data, source, lang, args.format)
        draft = make_draft(model, root, imported, args.section, lang, args.slug, args.title, dt.date.today())
        created = write_draft(root, draft)
    except OSError as exc:
        exc = ImportFailed("read_failed", path=source, detail=exc.strerror or type(exc).__name__)
        print(f"import: {exc.text(lang)}\n  ({exc})", file=sys.stderr)
        return 1
    except ImportFailed as exc:
        print(f"import: {exc.text(lang)}\n  ({exc})", file=sys.stderr)
        return 1
    shown = _shown(root)
    for path in created:
        print(f"created {shown}/{path.relative_to(root).as_posix()}")
    for note in draft.notes:
        print(f"note: {note.text(lang)}\n  ({note.text('en')})")
    findings = draft_findings(project, root, draft.rel, settings)
    if findings:
        print(f"jindallae check finds {len(findings)} problem(s) in the new page (nothing was converted for you):")
        for f in findings:
            print(f"  {shown}/{f.location()}: {f.severity} [{f.id}] {f.message}\n    ({f.english})")
    print(f"The page is a draft (status: draft): fix what is listed, then run: jindallae check {shown}/{draft.rel}")
    return 0


def cmd_posters(args: argparse.Namespace) -> int:
    """``jindallae posters``: print-ready posters without a site build (plugins/posters)."""
    project = _project(args)
    plugins = str(project / "plugins")
    if plugins not in sys.path:
        sys.path.insert(0, plugins)
    from posters.command import run

    return run(project, args.content, args.output, args.only, args.format, args.lang, args.cmyk, args.force,
               args.progress)


def cmd_wechat(args: argparse.Namespace) -> int:
    """``jindallae wechat``: a page as a WeChat official-account article (jindallae.export.wechat)."""
    from .export.wechat import GENERATOR, ExportError, export_slug, write_uploads
    from .settings import SettingsError

    project = _project(args)
    try:
        export = export_slug(project, args.slug, args.lang, args.section,
                             args.settings.resolve() if args.settings else None, args.content)
    except ExportError as exc:
        print(f"wechat: {exc}", file=sys.stderr)
        return 1
    except (SettingsError, FileNotFoundError) as exc:
        print(f"wechat: {exc}", file=sys.stderr)
        return 2
    notes = sys.stderr
    if args.output:
        out = args.output
        if out.exists() and (out.is_dir() or GENERATOR not in out.read_text(encoding="utf-8", errors="replace")[:2000]):
            print(f"wechat: {out} exists and is not an earlier WeChat export; choose another --output", file=sys.stderr)
            return 1
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(export.document(), encoding="utf-8")
        notes = sys.stdout
        print(f"wrote {out}", file=notes)
    else:
        sys.stdout.write(export.document())
    if args.images:
        try:
            written = write_uploads(export, args.images)
        except ExportError as exc:
            print(f"wechat: {exc}", file=sys.stderr)
            return 1
        print(f"copied {len(written)} file(s) to upload into {args.images}", file=notes)
    # Without --images nothing is written but the article: the QR code is not listed as a file
    # (there is none); warnings about a line of the page name its file as the user opens it.
    page_file = Path(args.content or project / "content").resolve() / export.item.path
    notes.write(export.notes(qr_file=bool(args.images), shown_path=_shown(page_file)))
    return 0


def _shown(folder: Path) -> str:
    """``folder`` as typed from the current folder (relative when inside it)."""
    try:
        return folder.relative_to(Path.cwd()).as_posix() or "."
    except ValueError:
        return folder.as_posix()


def _add_progress(p: argparse.ArgumentParser) -> None:
    """``--progress`` / ``--no-progress`` (``args.progress``: True, False or None = only on a
    terminal)."""
    p.add_argument("--progress", dest="progress", action="store_true", default=None, help="always show a progress bar")
    p.add_argument("--no-progress", dest="progress", action="store_false", help="never show a progress bar")


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
    _add_progress(p)
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("deploy", help="publish: production build, upload to a target, verify it is live",
                       description="Build with the production settings (publishconf.py) and publish to a target of "
                                   "DEPLOY_TARGETS (dir, rsync, s3, zip): only what changed is sent, in an order that "
                                   "never shows a page without its assets; then the home pages and changed pages are "
                                   "fetched back and compared. A failure leaves the live site as it was.")
    p.add_argument("--target", default=None, help="target name (default: DEPLOY_DEFAULT_TARGET or the only one)")
    p.add_argument("--dry-run", action="store_true", help="print what would be uploaded, kept and deleted; change nothing")
    p.add_argument("--rollback", action="store_true", help="switch the target back to its previous release (dir, rsync)")
    p.add_argument("--force", action="store_true", help="allow more deletions than DEPLOY_MAX_DELETIONS")
    p.add_argument("--no-build", action="store_true", help="deploy the last production build as it is")
    p.add_argument("--settings", type=Path, default=None, help="production settings file (default: publishconf.py)")
    p.add_argument("--nginx-config", action="store_true", help="print an nginx server block for a dir target and exit")
    p.add_argument("--listen", default="80", help="with --nginx-config: the listen address (default 80)")
    p.add_argument("--server-name", default=None, help="with --nginx-config: server_name (default: the public host)")
    _add_progress(p)
    p.set_defaults(func=cmd_deploy)

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

    p = sub.add_parser("check", help="editorial checks: Traditional characters, paste debris, alt text, links, terms, translations",
                       description="Check the content before it goes public. Findings are grouped by file as "
                                   "path:line:col, in the file's language with English below; exit status 1 when "
                                   "an error (which blocks publishing) is found, else 0.")
    p.add_argument("paths", nargs="*", help="only these files (default: every page)")
    p.add_argument("--content", type=Path, default=None, help="content folder (default: content/)")
    p.add_argument("--fix", action="store_true",
                   help="convert Traditional characters in Simplified pages (body text and title only), then check again")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")
    p.add_argument("--changed", action="store_true",
                   help="only files changed since the last commit (and untracked ones), with their translations/sources")
    p.add_argument("--links", action="store_true", help="also list the external links (they are never fetched)")
    p.add_argument("--mark-translated", metavar="PATH", action="append", default=[],
                   help="record that the translation PATH matches its source now (sets translated_from.revision)")
    p.add_argument("--accept", metavar="PATH:LINE:COL", action="append", default=[],
                   help="accept the finding at this place after review: it is listed but no longer blocks publishing")
    p.add_argument("--note", default=None, help="why the finding is accepted (with --accept)")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("import", help="a Word document (.docx), web page or pasted text as a draft page",
                       description="Convert FILE into content/<section>/<slug>.<lang>.md with status: draft: headings "
                                   "(Word styles, and 一、 （一） as ## ###), 1. （1） as ordered lists, paragraphs (one "
                                   "per line of text), bold/italic, lists, tables (HTML when cells are merged), "
                                   "footnotes; pictures go to content/images/<year>/ with a TODO alt text that "
                                   "'jindallae check' reports until described. Traditional characters are reported, "
                                   "never converted. FILE '-' reads standard input (text or HTML). Nothing is written "
                                   "when the input is refused.")
    p.add_argument("file", help="a .docx, .html or .txt file, or '-' for standard input")
    p.add_argument("--section", required=True, help="one of: parks, forums, folk-arts, policy, events, news")
    p.add_argument("--lang", default=None, help="the page's language, e.g. zh or ko (default: the site's default)")
    p.add_argument("--slug", default=None, help="address name (default: made from the title, pinyin / romanised)")
    p.add_argument("--title", default=None,
                   help="the page title (default: the document's title property or first heading)")
    p.add_argument("--format", choices=("auto", "docx", "html", "text"), default="auto",
                   help="what FILE is (default: decided from its content and name)")
    p.add_argument("--content", type=Path, default=None, help="content folder (default: content/)")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("posters", help="make the print posters (PDF, PNG preview) without building the site",
                       description="Render the posters of every page with a poster: block into --output "
                                   "(default build-posters/), as <section>/<slug>/poster-<language>-<format>.pdf. "
                                   "Unchanged posters come from the cache. Exit status 1 when a poster has an error.")
    p.add_argument("--content", type=Path, default=None, help="content folder (default: content/)")
    p.add_argument("--output", type=Path, default=None, help="output folder (default: build-posters/)")
    p.add_argument("--only", metavar="SLUG", action="append", default=[], help="only the page with this slug (repeatable)")
    p.add_argument("--format", metavar="FORMAT", action="append", default=[],
                   help="only this format, e.g. A2 or rollup (repeatable)")
    p.add_argument("--lang", metavar="LANG", action="append", default=[],
                   help="only this language version: zh, ko or bilingual (repeatable)")
    p.add_argument("--cmyk", action="store_true", help="also write the CMYK PDF for the print shop")
    p.add_argument("--force", action="store_true", help="render even when the cache has the poster")
    _add_progress(p)
    p.set_defaults(func=cmd_posters)

    p = sub.add_parser("wechat", help="a page as a WeChat official-account (公众号) article, to paste into its editor",
                       description="Export the page SLUG for WeChat's editor: inline styles only, a type scale for "
                                   "phones, links as numbered references at the end, images as numbered placeholders "
                                   "with the list of files to upload, the page's public address and QR code at the end. "
                                   "The HTML goes to standard output (or --output); what to upload, in order, to "
                                   "standard error (or standard output with --output). The public address comes from "
                                   "JINDALLAE_PUBLIC_URL of publishconf.py.")
    p.add_argument("slug", help="the page's slug (or its path, e.g. events/x.zh.md)")
    p.add_argument("--lang", default=None, help="language version, e.g. zh or ko (default: the site's default language)")
    p.add_argument("--section", default=None, help="the page's section, when the slug alone is not enough")
    p.add_argument("--output", type=Path, default=None, help="write the HTML file here (an earlier export is replaced)")
    p.add_argument("--images", type=Path, default=None,
                   help="also copy the files to upload into this folder, numbered in upload order (the QR code "
                        "is written as a file only then; without --images only the article is written)")
    p.add_argument("--settings", type=Path, default=None,
                   help="settings file giving JINDALLAE_PUBLIC_URL (default: publishconf.py, else pelicanconf.py)")
    p.add_argument("--content", type=Path, default=None, help="content folder (default: content/)")
    p.set_defaults(func=cmd_wechat)

    p = sub.add_parser("cms", help="the editorial CMS: serve it (default), create users, run scheduled jobs",
                       description="The editorial CMS (a web app for writing, translating, reviewing and publishing). "
                                   "Without a command it serves on http://127.0.0.1:8080/.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    p.add_argument("--no-scheduler", action="store_true", help="do not run scheduled publishing in this process")
    p.set_defaults(func=cmd_cms, cms_command="serve")
    cms_sub = p.add_subparsers(dest="cms_command", metavar="<cms command>")
    q = cms_sub.add_parser("serve", help="serve the CMS (Werkzeug; see the README for production)")
    q.add_argument("--host", default=argparse.SUPPRESS, help="address to listen on (default 127.0.0.1)")
    q.add_argument("--port", type=int, default=argparse.SUPPRESS, help="port (default 8080)")
    q.add_argument("--no-scheduler", action="store_true", default=argparse.SUPPRESS,
                   help="do not run scheduled publishing in this process")
    q = cms_sub.add_parser("create-user", help="create a CMS user (the first administrator, for example)",
                           description="Create a CMS user. The password is asked twice (not shown), or read from "
                                       "the first line of standard input with --password-stdin. Exit status 1 when "
                                       "the password is too weak or the name is taken.")
    q.add_argument("username")
    q.add_argument("--role", action="append", choices=("editor", "translator", "reviewer", "proofreader", "head",
                                                       "leader", "admin"),
                   help="a role; repeat for several (--role admin --role reviewer)")
    q.add_argument("--display-name", default=None, help="name shown in the CMS and used as git author")
    q.add_argument("--email", default=None, help="e-mail address (git author)")
    q.add_argument("--ui-lang", choices=("zh", "ko"), default="zh", help="interface language (default zh)")
    q.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    q.add_argument("--all-roles", action="store_true",
                   help="every role (administrator, writing, translating, every review step): one person runs "
                        "the whole office")
    cms_sub.add_parser("run-due", help="run the scheduled publish/unpublish jobs that are due (for cron)")
    q = cms_sub.add_parser("audit", help="check the audit log's hash chain (verify) or export it as CSV (export)")
    q.set_defaults(audit_command="verify")
    audit_sub = q.add_subparsers(dest="audit_command", metavar="<audit command>")
    audit_sub.add_parser("verify", help="exit 1 naming the first entry changed or deleted outside the CMS")
    r = audit_sub.add_parser("export", help="the audit log as CSV (UTF-8), for the office's files")
    r.add_argument("-o", "--output", type=Path, default=None, help="write to this file (default: standard output)")
    r.add_argument("--lang", choices=("zh", "ko"), default=None, help="language of the columns (default: the locale's, else zh)")
    r.add_argument("--user", default=None, help="only this user's entries")
    r.add_argument("--action", default=None, help="only this action (its code, e.g. login_failed)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``jindallae`` command; returns the exit status.  ``argv`` None: run
    as the program (``sys.argv``), which then ends."""
    args = make_parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:  # `jindallae check | head`: the reader went away; not an error of ours
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stderr.fileno())
        # ... unless the command was cut short by it: a build or deploy that stopped is a failure
        return 1 if args.command in ("build", "deploy") else 0
    finally:
        if argv is None:
            # The process ends now: objects left are not searched for cycles once more at exit
            # (after a build of thousands of pages that last collection took half a second).
            import gc

            gc.freeze()


if __name__ == "__main__":
    sys.exit(main())
