"""``jindallae serve``: build, serve build/ over HTTP, rebuild and live-reload on changes.

Served like production (``jindallae deploy --nginx-config``): a missing page gets the 404 page of
the language folder it was asked under (``/ko/...`` -> ``/ko/404.html``, else ``/404.html``) with
status 404, not the server's English error page."""

from __future__ import annotations

import mimetypes
import sys
from pathlib import Path


def not_found_page(root: Path, path: str) -> Path | None:
    """The 404 page for the URL ``path`` in the site at ``root``: its first folder's own
    ``404.html`` (a language folder: ``/ko/x/`` -> ``ko/404.html``), else the site's."""
    first = path.lstrip("/").split("/", 1)[0]
    for candidate in ([root / first / "404.html"] if first and "." not in first else []) + [root / "404.html"]:
        if candidate.is_file():
            return candidate
    return None


def site_handler(root: Path):
    """livereload's static-file handler answering 404 with the site's own pages."""
    from livereload.handlers import StaticFileHandler

    class SiteHandler(StaticFileHandler):
        def write_error(self, status_code: int, **kwargs) -> None:
            page = not_found_page(root, self.request.path) if status_code == 404 else None
            if page is None:
                return super().write_error(status_code, **kwargs)
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(page.read_bytes())

    return SiteHandler


def serve(project: Path, content: Path | None, output: Path | None, host: str, port: int,
          open_browser: bool = False) -> int:
    """Serve ``output`` at ``http://host:port/`` with livereload; returns an exit status.

    A failed rebuild prints its errors and keeps serving the last good site.
    """
    from livereload import Server  # LiveReload protocol server (injects the reload script)

    from .build import BuildError, build

    content = (content or project / "content").resolve()
    output = (output or project / "build").resolve()
    mimetypes.add_type("text/calendar; charset=utf-8", ".ics")
    mimetypes.add_type("application/atom+xml; charset=utf-8", ".xml")

    def rebuild() -> None:
        try:
            result = build(project, content, output, progress=False)
            print(f"rebuilt in {result.seconds:.2f} s" if not result.skipped else "up to date", file=sys.stderr)
        except BuildError as exc:
            print("Build failed; still serving the last good site:", file=sys.stderr)
            for line in exc.errors:
                print(line, file=sys.stderr)

    rebuild()
    server = Server()
    server.SFH = site_handler(output)
    for path in (content, project / "themes", project / "plugins", project / "pelicanconf.py"):
        server.watch(str(path), rebuild, delay=0.3)
    print(f"Serving {output} at http://{host}:{port}/ (Ctrl+C to stop)", file=sys.stderr)
    server.serve(root=str(output), host=host, port=port, open_url_delay=None if not open_browser else 1)
    return 0
