#!/usr/bin/env python3
"""Poster benchmark (part of ``make bench``): render time and peak memory per format.

Each format is rendered in its own process (``--one FORMAT``), uncached, from a starter event
(content/events/chaoxianzu-laonianjie-2027.zh.md): the whole path of a poster - raster,
picture, text, QR code, print PDF (JPEG inside), PNG preview and thumbnail.  The parent reads
the child's wall time and peak RSS (``os.wait4`` rusage, ru_maxrss in KiB on Linux) and prints
a table against the target: A2 at 300 dpi in at most 2 s and 600 MB on this machine.  "render
s" is one poster after the process's one-time start-up (the word-segmentation dictionary, about
0.9 s, and fonts, loaded once per worker in a site build); "process s" is the whole cold process.

Usage: .venv/bin/python scripts/bench_posters.py [--formats A4,A2,rollup] [--cmyk]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SLUG = "chaoxianzu-laonianjie-2027"
TARGET = {"format": "A2", "seconds": 2.0, "mb": 600}


def one(fmt: str, cmyk: bool) -> None:
    """Render the zh poster of SLUG in ``fmt`` into a fresh cache (child process)."""
    sys.path.insert(0, str(ROOT / "plugins"))
    sys.path.insert(0, str(ROOT))
    from jindallae.model import model_from_settings
    from jindallae.settings import load_settings
    from posters.jobs import Config, make, plan

    settings = load_settings(ROOT)
    model = model_from_settings(settings)
    config = Config.from_settings(settings, cmyk=cmyk)
    items, _errors = model.load(ROOT / "content")
    for item in items:  # every format, whichever the page's poster: block lists
        if item.slug == SLUG and item.fields.get("poster") is not None:
            item.fields["poster"] = dict(item.fields["poster"], formats=[fmt])
    jobs, _ = plan(model, ROOT / "content", items, config, {SLUG}, {fmt}, {"zh"})
    # Start-up work that a process does once, not per poster (a site build's workers render many
    # posters each): Chinese word segmentation dictionary and font files.  "process s" below
    # includes it; "render s" does not.
    from posters.fonts import find_face
    from posters.text import word_boundaries

    word_boundaries("长白山人口文化节", str(ROOT / "themes" / "jindallae" / "posters" / "words.txt"))
    for lang in ("zh", "ko"):
        find_face(lang, "sans", "bold")
    with tempfile.TemporaryDirectory() as cache:
        started = time.perf_counter()
        make(jobs, config, Path(cache), workers=1)
        print(json.dumps({"seconds": time.perf_counter() - started, "error": jobs[0].result.get("error")}))


def measure(fmt: str, cmyk: bool) -> dict:
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, "--one", fmt] + (["--cmyk"] if cmyk else []),
                            stdout=subprocess.PIPE, text=True)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    out = json.loads(proc.stdout.read().strip().splitlines()[-1])
    return {"format": fmt, "render_seconds": out["seconds"], "process_seconds": wall,
            "peak_rss_mb": usage.ru_maxrss / 1024, "ok": status == 0 and not out["error"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--formats", default="A4,A3,A2,A1,rollup,xbanner,banner")
    parser.add_argument("--cmyk", action="store_true", help="also make the CMYK PDF")
    args = parser.parse_args(argv)
    if args.one:
        one(args.one, args.cmyk)
        return 0
    print(f"Posters: one poster per format, own process, uncached{' (with CMYK)' if args.cmyk else ''}")
    print(f"  target: {TARGET['format']} @300 dpi <= {TARGET['seconds']:g} s, <= {TARGET['mb']} MB")
    print(f"  {'format':<9}{'render s':>10}{'process s':>11}{'peak RSS MB':>13}")
    rows = [measure(f, args.cmyk) for f in args.formats.split(",")]
    verdict = "PASS"
    for r in rows:
        note = ""
        if r["format"] == TARGET["format"]:
            ok = r["render_seconds"] <= TARGET["seconds"] and r["peak_rss_mb"] <= TARGET["mb"]
            verdict = "PASS" if ok and r["ok"] else "FAIL"
            note = f"  <- target: {verdict}"
        print(f"  {r['format']:<9}{r['render_seconds']:>10.2f}{r['process_seconds']:>11.2f}{r['peak_rss_mb']:>13.0f}{note}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
