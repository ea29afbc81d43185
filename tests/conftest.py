"""Shared fixtures: the project folder and a build of the starter content (once per session)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from jindallae.build import build

PROJECT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Reproducible "today" for upcoming-event lists (reproducible-builds.org SOURCE_DATE_EPOCH):
# 2026-11-29 12:00 UTC.
os.environ.setdefault("SOURCE_DATE_EPOCH", "1795953600")


@pytest.fixture(scope="session")
def project() -> Path:
    return PROJECT


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """build/ of the starter content (content/), built once into a temporary folder."""
    out = tmp_path_factory.mktemp("site") / "build"
    build(PROJECT, PROJECT / "content", out, progress=False, cache=False)
    return out


@pytest.fixture(scope="session")
def browser():
    """One Chromium (Debian's /usr/bin/chromium through Playwright) for the whole session."""
    from playwright.sync_api import sync_playwright

    from test_browser import ARGS, CHROMIUM

    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium (scripts/install-system-deps.sh test)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def site_url(site):
    """The ``site`` build served on a free local port for the whole session; its base URL."""
    from test_browser import serve

    with serve(site) as url:
        yield url


def make_content(root: Path, files: dict[str, str]) -> Path:
    """Write ``{relative path: text}`` under ``root`` and return it (a small content folder)."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def content_factory(tmp_path):
    """Make a content folder from ``{path: text}``; returns its path."""

    def factory(files: dict[str, str], name: str = "content") -> Path:
        root = tmp_path / name
        if root.exists():
            shutil.rmtree(root)
        return make_content(root, files)

    return factory


@pytest.fixture(scope="module")
def model():
    """The content model of the project's own settings."""
    from jindallae.model import model_from_settings
    from jindallae.settings import load_settings

    return model_from_settings(load_settings(PROJECT))
