"""``jindallae serve``: build, serve build/ over HTTP, rebuild and live-reload on changes."""

from __future__ import annotations

import mimetypes
import sys
from pathlib import Path


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
    for path in (content, project / "themes", project / "plugins", project / "pelicanconf.py"):
        server.watch(str(path), rebuild, delay=0.3)
    print(f"Serving {output} at http://{host}:{port}/ (Ctrl+C to stop)", file=sys.stderr)
    server.serve(root=str(output), host=host, port=port, open_url_delay=None if not open_browser else 1)
    return 0
