"""``jindallae cms``: serve the CMS, create users, run due scheduled jobs (called from
:mod:`jindallae.cli`).  Exit codes: 0 done, 1 refused (weak password, taken name ...), 2 the
project or its settings cannot be used."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import TextIO


def _cli_lang() -> str:
    """Language of CLI messages from the locale environment: zh, ko, else English."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return value[:2] if value[:2] in ("zh", "ko") else "en"
    return "en"


def _app(project: Path, **config):
    from . import create_app

    return create_app({"PROJECT_DIR": project, **config})


def serve(project: Path, host: str = "127.0.0.1", port: int = 8080, scheduler: bool = True) -> int:
    """Run the CMS with Werkzeug's server (threaded; for one machine — see the README for
    gunicorn/waitress behind nginx).  The scheduler thread runs in this process only."""
    if not (project / "pelicanconf.py").is_file():
        print(f"cms: {project}: no pelicanconf.py here; run in the project folder or give --project", file=sys.stderr)
        return 2
    problem = port_problem(host, port)
    if problem:
        print(f"cms: cannot listen on {host}:{port} ({problem}); is the CMS already running? Start it on "
              f"another port: .venv/bin/jindallae cms serve --port {port + 1 if port < 65535 else 8081}", file=sys.stderr)
        return 1
    app = _app(project, SCHEDULER=scheduler)
    from .db import connect

    conn = connect(app.config["DATABASE"])
    users = conn.execute("SELECT count(*) FROM users").fetchone()[0]
    conn.close()
    print(f"Jindallae CMS on http://{host}:{port}/  (content: {app.config['CONTENT_DIR']}, "
          f"database: {app.config['DATABASE']}; Ctrl+C stops it)")
    if not users:
        print("No users yet: create the first administrator with\n"
              "  .venv/bin/jindallae cms create-user admin --role admin")
    app.run(host=host, port=port, debug=False, use_reloader=False, threaded=True)
    return 0


def port_problem(host: str, port: int) -> str | None:
    """Why the server could not listen on ``host``:``port`` (the ``OSError`` text, e.g. "Address
    already in use"), or ``None`` when it can.  Checked before start-up so the message names
    the command to use instead (``make cms`` gives the server no options)."""
    import socket

    try:
        with socket.create_server((host, port)):  # SO_REUSEADDR: only a live listener makes it fail
            return None
    except OSError as exc:
        return exc.strerror or str(exc)


def create_user(project: Path, username: str, roles: list[str], display_name: str = "", email: str = "",
                ui_lang: str = "zh", password_stdin: bool = False, stdin: TextIO | None = None) -> int:
    """Create a user.  The password is read from a prompt (twice, not echoed) or, with
    ``password_stdin``, as the first line of standard input.  Returns the exit code."""
    from flask import g

    from .auth import PasswordPolicyError, create_user as _create
    from .db import audit, connect

    if not (project / "pelicanconf.py").is_file():
        print(f"cms: {project}: no pelicanconf.py here; run in the project folder or give --project", file=sys.stderr)
        return 2
    if password_stdin:
        line = (stdin or sys.stdin).readline()
        password = line[:-1] if line.endswith("\n") else line
        password = password[:-1] if password.endswith("\r") else password
    else:
        try:
            password = getpass.getpass(f"Password for {username}: ")
            again = getpass.getpass("Same password again: ")
        except (EOFError, KeyboardInterrupt):
            print("\ncms: no password given; nothing was created", file=sys.stderr)
            return 1
        if password != again:
            print("cms: the two passwords differ; nothing was created", file=sys.stderr)
            return 1
    app = _app(project, SCHEDULER=False)
    with app.app_context():
        g.ui_lang = _cli_lang()
        conn = connect(app.config["DATABASE"])
        try:
            user_id = _create(conn, username, password, roles, display_name=display_name, email=email, ui_lang=ui_lang)
            audit("user_create", username, "roles: " + (", ".join(sorted(set(roles))) or "-") + " (command line)",
                  user_id=None, conn=conn)
        except PasswordPolicyError as exc:
            for problem in exc.problems:
                print(f"cms: password refused: {problem}", file=sys.stderr)
            print("cms: nothing was created", file=sys.stderr)
            return 1
        except ValueError as exc:
            print(f"cms: {exc}; nothing was created", file=sys.stderr)
            return 1
        finally:
            conn.close()
    print(f"Created user {username} (id {user_id}) with role(s): {', '.join(sorted(set(roles))) or 'none'}.")
    if not roles:
        print("  The user has no role yet: an administrator can add roles on /admin/users.")
    return 0


def run_due(project: Path) -> int:
    """Run the due scheduled publish/unpublish jobs once (for cron); returns the exit code."""
    from .scheduler import run_due_once

    if not (project / "pelicanconf.py").is_file():
        print(f"cms: {project}: no pelicanconf.py here; run in the project folder or give --project", file=sys.stderr)
        return 2
    app = _app(project, SCHEDULER=False)
    result = run_due_once(app)
    if result is None:
        print("Nothing to run: scheduled publishing (cms.workflow) is not installed.")
        return 0
    if isinstance(result, (list, tuple)):
        print(f"Ran {len(result)} due job(s).")
        for item in result:
            print(f"  {item}")
    else:
        print(f"Ran due jobs: {result}")
    return 0
