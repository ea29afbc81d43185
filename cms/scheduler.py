"""The background thread that runs due scheduled jobs (publish / unpublish at a Beijing time).

The jobs themselves belong to the workflow (``cms.workflow.run_due(app)``, written by the
content side); this thread only calls it every ``SCHEDULER_INTERVAL`` seconds inside an app
context, and only when that module exists.  ``jindallae cms run-due`` does the same once (for
cron, when several server processes run and the thread is switched off with ``SCHEDULER``).
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import threading

log = logging.getLogger(__name__)


def run_due_once(app) -> object | None:
    """Call ``cms.workflow.run_due(app)`` once inside an app context and return its result;
    ``None`` when the workflow module is not installed (nothing can be due)."""
    if importlib.util.find_spec("cms.workflow") is None:
        return None
    workflow = importlib.import_module("cms.workflow")
    if not hasattr(workflow, "run_due"):
        return None
    with app.app_context():
        return workflow.run_due(app)


def start_scheduler(app) -> threading.Thread:
    """Start the daemon thread (once per app; kept in ``app.extensions['cms_scheduler']`` with
    its stop event) and return it.  An exception in one run is logged, the thread goes on."""
    existing = app.extensions.get("cms_scheduler")
    if existing is not None:
        return existing[0]
    stop = threading.Event()
    interval = float(app.config.get("SCHEDULER_INTERVAL", 30))

    def loop() -> None:
        while not stop.wait(interval):
            try:
                run_due_once(app)
            except Exception:  # keep the thread alive; the failure is in the log
                log.exception("scheduled jobs failed")

    thread = threading.Thread(target=loop, name="jindallae-cms-scheduler", daemon=True)
    app.extensions["cms_scheduler"] = (thread, stop)
    thread.start()
    return thread


def stop_scheduler(app) -> None:
    """Stop the thread started by :func:`start_scheduler` (waits for a run in progress)."""
    entry = app.extensions.pop("cms_scheduler", None)
    if entry is not None:
        thread, stop = entry
        stop.set()
        thread.join()
