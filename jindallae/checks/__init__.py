"""Editorial checks (``jindallae check``), as a library for the CLI, the CMS and CI.

    from jindallae.checks import run_checks, apply_fixes
    report = run_checks(project_dir)                 # or run_checks(model, content_root)
    report.ok, report.errors, report.to_json()
    apply_fixes(content_root, report.findings)       # Traditional -> Simplified (body, title)

Each :class:`Finding` has an ``id`` (see :data:`CHECKS`), a severity (``error`` blocks
publishing, ``warning`` does not), ``path:line:col``, a message in the file's language and in
English, and whether ``--fix`` can repair it.  Settings: ``CHECKS_*`` (:mod:`.config`).

Names are imported lazily: the build reads this package's settings schema on every run and
should not pay for OpenCC, markdown-it or Pillow.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "run_checks": "core", "apply_fixes": "core", "accept": "core", "load_content": "core", "scan_page": "core",
    "Report": "report", "Finding": "report", "ExternalLink": "report", "format_text": "report",
    "CHECKS": "catalogue", "MESSAGES": "catalogue",
    "mark_translated": "translations", "MarkError": "translations", "translation_states": "translations",
    "translation_table": "translations",
    "CheckConfig": "config", "settings_schema": "config",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(name)
