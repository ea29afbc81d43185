#!/usr/bin/env python3
"""Screenshots of every page template, at phone and desktop width, in Chinese and Korean, in the
default and the large-text mode (`make screenshots`).

Builds the site into a temporary folder (or uses --site DIR), serves it on a free local port and
writes PNGs with Debian's Chromium through Playwright into build-screenshots/ (git-ignored):
``<template>-<lang>-<phone|desktop>[-large].png``; ``--full`` takes whole pages instead of the
first screen.

Usage: python scripts/screenshots.py [--site DIR] [--out DIR] [--full] [--only NAME]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT / "tests"))
sys.path.insert(0, str(PROJECT))

WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 768}}
KINDS = ("home", "section", "parks", "article", "park", "event", "tag", "tags", "archives", "calendar",
         "calendar-month", "calendar-past", "posters", "search", "404")


def template_pages(site: Path) -> dict[str, str]:
    """``{"<kind>-<lang>": site-relative URL}``: one built page of each template kind."""
    found: dict[str, str] = {}
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        if rel.startswith(("_reports/", "pagefind/")):
            continue
        head = path.read_text(encoding="utf-8")
        m = re.search(r'<body class="page-([\w-]+)', head)
        if not m:
            continue
        kind = m.group(1)
        parts = rel.split("/")
        lang = "ko" if parts[0] == "ko" else "zh"
        section = parts[1] if lang == "ko" and len(parts) > 1 else parts[0]
        if kind == "article" and 'class="article has-event' in head:
            kind = "event"
        elif kind == "article" and section == "parks":
            kind = "park"
        elif kind == "section" and section == "parks":
            kind = "parks"
        elif kind == "section" and section == "posters":
            kind = "posters"
        if 'class="page-posters' in head:
            kind = "posters"
        url = rel[: -len("index.html")] if rel.endswith("index.html") else rel
        if kind in KINDS:
            # prefer pages with more to show: the article with the longest text
            key = f"{kind}-{lang}"
            if key not in found or (kind in ("article", "park", "event", "calendar-month")
                                    and len(head) > found.get(key + "#len", 0)):
                found[key] = url
                found[key + "#len"] = len(head)  # type: ignore[assignment]
    return {k: v for k, v in found.items() if not k.endswith("#len")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="a built site (default: build one into a temporary folder)")
    parser.add_argument("--out", type=Path, default=PROJECT / "build-screenshots")
    parser.add_argument("--full", action="store_true", help="whole pages, not only the first screen")
    parser.add_argument("--only", help="only templates whose name contains this")
    parser.add_argument("--paths", nargs="*", help="extra site paths to take (name from the path)")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from test_browser import ARGS, CHROMIUM, serve

    with tempfile.TemporaryDirectory() as tmp:
        site = args.site
        if site is None:
            from jindallae.build import build

            site = Path(tmp) / "build"
            print("building the site ...", file=sys.stderr)
            build(PROJECT, PROJECT / "content", site, progress=False)
        pages = template_pages(site)
        for extra in args.paths or []:
            pages[re.sub(r"[^a-z0-9]+", "-", extra.strip("/")) or "root"] = extra.lstrip("/")
        if args.only:
            pages = {k: v for k, v in pages.items() if args.only in k}
        args.out.mkdir(parents=True, exist_ok=True)
        count = 0
        with serve(site) as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            for large in (False, True):
                for width_name, viewport in WIDTHS.items():
                    ctx = browser.new_context(viewport=viewport, reduced_motion="reduce")
                    if large:
                        ctx.add_init_script("try { localStorage.setItem('jindallae-text-size', 'large'); } catch (e) {}")
                    page = ctx.new_page()
                    for name, rel in sorted(pages.items()):
                        page.goto(f"{url}/{rel}", wait_until="load")
                        if args.full:  # lazy images below the first screen: load them for the picture
                            page.evaluate("document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading = 'eager')")
                            page.wait_for_load_state("load")
                            page.wait_for_timeout(300)
                        if name.startswith("search"):  # with results for a word of the language
                            page.goto(f"{url}/{rel}?q={'건강' if name.endswith('ko') else '健康'}", wait_until="load")
                            try:
                                page.wait_for_selector(".pagefind-ui__result", timeout=10000)
                            except Exception:  # noqa: BLE001 - a picture of what is there is still useful
                                pass
                        file = args.out / f"{name}-{width_name}{'-large' if large else ''}.png"
                        page.screenshot(path=str(file), full_page=args.full)
                        count += 1
                        if name.startswith("home") and page.locator("button.menu-toggle").is_visible():
                            page.click("button.menu-toggle")  # the folded menu, opened
                            page.screenshot(path=str(args.out / f"menu-{name[5:]}-{width_name}{'-large' if large else ''}.png"))
                            count += 1
                    ctx.close()
            browser.close()
    print(f"{count} screenshots in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
