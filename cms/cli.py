"""``jindallae cms``: serve the CMS, create users, run due scheduled jobs, check and export the
audit log (called from :mod:`jindallae.cli`).  Exit codes: 0 done, 1 refused (weak password,
taken name ...) or the audit log was tampered with, 2 the project or its settings cannot be
used."""

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
    from jindallae.settings import SettingsError

    try:
        app = _app(project, SCHEDULER=scheduler)
    except SettingsError as exc:  # e.g. a wrong REVIEW_STEPS: say which key, no traceback
        print(f"cms: the settings have an error, so the CMS does not start: {exc}", file=sys.stderr)
        return 2
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
        except ValueError as exc:  # a whole sentence of its own: not joined to ours (it has its own full stop)
            print(f"cms: {exc}", file=sys.stderr)
            print("cms: nothing was created", file=sys.stderr)
            return 1
        finally:
            conn.close()
    print(f"Created user {username} (id {user_id}) with role(s): {', '.join(sorted(set(roles))) or 'none'}.")
    if not roles:
        print("  The user has no role yet: an administrator can add roles on /admin/users.")
    elif "admin" in roles and not {"editor", "translator", "reviewer"} <= set(roles):
        print("  Roles are not implied: to write, translate and publish yourself as well (a one-person office),\n"
              "  add them on the Users page, or create the account with --all-roles.")
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


def _audit_app(project: Path):
    """The app (its database migrated: an older one gets its audit rows chained now) with the
    CLI's language in the app context, or an exit code."""
    if not (project / "pelicanconf.py").is_file():
        print(f"cms: {project}: no pelicanconf.py here; run in the project folder or give --project", file=sys.stderr)
        return None
    return _app(project, SCHEDULER=False)


def audit_verify(project: Path) -> int:
    """``jindallae cms audit verify``: recompute the audit log's hash chain.  0 when intact
    (prints the number of entries and the last hash, worth noting down); 1 naming the first
    entry that was changed or deleted."""
    from flask import g

    from .db import connect, verify_audit
    from .i18n import gettext as _

    app = _audit_app(project)
    if app is None:
        return 2
    with app.app_context():
        g.ui_lang = _cli_lang()
        conn = connect(app.config["DATABASE"])
        try:
            check = verify_audit(conn)
        finally:
            conn.close()
        if check.ok:
            print(_("Audit log intact: %(n)s entries, none changed or deleted.", n=check.rows))
            if check.last_id is not None:
                print(_("Last entry: %(id)s, hash %(hash)s (note it down: removing entries at the end can only be "
                        "found by comparing with it or with an export).", id=check.last_id, hash=check.head))
            return 0
        if check.problem == "deleted":
            text = _("entry %(id)s was deleted (entry %(next)s follows entry %(prev)s)", id=check.bad_id,
                     next=check.next_id, prev=check.last_id if check.last_id is not None else "-")
        elif check.problem == "changed":
            text = _("entry %(id)s was changed (its content does not match its hash)", id=check.bad_id)
        else:
            text = _("entry %(id)s does not follow the entry before it (one of them was changed)", id=check.bad_id)
        print(_("cms: the audit log was tampered with: %(problem)s. First bad entry: %(id)s.", problem=text,
                id=check.bad_id), file=sys.stderr)
        return 1


def audit_export(project: Path, output: Path | None = None, lang: str | None = None, user: str = "",
                 action: str = "", stdout: TextIO | None = None) -> int:
    """``jindallae cms audit export``: the audit log as CSV (columns in ``lang``: zh or ko,
    default the locale's, else zh) to ``output`` (UTF-8 with a byte-order mark) or standard
    output; ``user`` / ``action`` filter it.  Returns the exit code."""
    from flask import g

    from .db import audit_entries, connect
    from .i18n import gettext as _
    from .records import write_audit_csv

    app = _audit_app(project)
    if app is None:
        return 2
    cli_lang = _cli_lang()
    with app.app_context():
        g.ui_lang = lang or (cli_lang if cli_lang in ("zh", "ko") else "zh")
        where, params = [], []
        if user:
            where.append("u.username = ?")
            params.append(user)
        if action:
            where.append("a.action = ?")
            params.append(action)
        conn = connect(app.config["DATABASE"])
        try:
            rows = audit_entries(conn, " AND ".join(where), tuple(params))
            if output is not None:
                with open(output, "w", encoding="utf-8", newline="") as fp:
                    count = write_audit_csv(rows, fp, bom=True)
            else:
                count = write_audit_csv(rows, stdout or sys.stdout, bom=False)
        finally:
            conn.close()
        g.ui_lang = cli_lang
        if output is not None:
            print(_("Wrote %(n)s audit entries to %(file)s.", n=count, file=str(output)))
    return 0
