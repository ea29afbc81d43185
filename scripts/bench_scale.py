#!/usr/bin/env python3
"""Scale curve of our build (run by ``make bench``): for N = 1000, 5000 and 10000 article pairs
of the synthetic corpus (``../shared/bench/gen_corpus.py``, search index off as in bench.py):

* cold build (no ``.cache/``, ``--force``): wall time, CPU time, peak RSS of the largest process;
* one-article rebuild (a sentence appended to one zh article): wall time, HTML files rendered and
  kept from the previous release, and whether its output equals a cold build of the same content
  byte for byte.

Usage: ``.venv/bin/python scripts/bench_scale.py [--sizes 1000,5000,10000] [--keep]``; results
also go to ``bench-out/scale.json``.  Targets (issue "Incremental builds"): the one-article
rebuild at the largest N no slower than 2x the one at N=1000, and peak memory at N=10000 at most
1.5 GB.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  (the corpus, the filler of required fields, the timed runner)

KEPT_RE = re.compile(r"(?P<rendered>\d+) HTML files rendered, (?P<kept>\d+) unchanged ones kept")


def same_tree(a: Path, b: Path) -> bool:
    """True when both folders hold the same files with the same bytes."""
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    if files_a != files_b:
        return False
    return all(filecmp.cmp(a / f, b / f, shallow=False) for f in files_a)


def measure(n: int, workdir: Path, settings: Path) -> dict:
    """Cold build, then a one-article rebuild, of the corpus of ``n`` pairs."""
    corpus = workdir / f"corpus-{n}"
    bench.check(bench.run([sys.executable, str(bench.BENCH_DIR / "gen_corpus.py"), str(corpus), str(n),
                           "--flavor", "yaml", "--seed", "42"], workdir), "gen_corpus.py")
    notes: list[str] = []
    bench.prepare_ours(corpus, workdir / "scratch", notes)
    out = workdir / f"out-{n}"
    bench.clear_caches(out)
    cold = bench.check(bench.run(bench.ours_cmd(corpus, out, force=True, settings=settings), bench.ROOT), "cold build")
    touched = sorted((corpus / "news").glob("*.zh.md"))[len(list((corpus / "news").glob("*.zh.md"))) // 2]
    with touched.open("a", encoding="utf-8") as fp:
        fp.write("\n规模测试追加的一句话。\n")
    one = bench.check(bench.run(bench.ours_cmd(corpus, out, force=False, settings=settings), bench.ROOT),
                      "one-article rebuild")
    m = KEPT_RE.search(one["stdout"])
    reference = workdir / f"cold-{n}"
    bench.clear_caches(reference)
    bench.check(bench.run(bench.ours_cmd(corpus, reference, force=True, settings=settings),
                          bench.ROOT), "cold build for comparison")
    row = {"n": n, "pages": 2 * n + 2 * (n // 10),
           "cold_seconds": cold["seconds"], "cold_cpu": cold["cpu"], "cold_rss_mb": cold["rss_mb"],
           "onefile_seconds": one["seconds"], "onefile_rss_mb": one["rss_mb"],
           "rendered": int(m["rendered"]) if m else None, "kept": int(m["kept"]) if m else None,
           "identical_to_cold": same_tree(out, reference)}
    if m is None:  # the summary names no kept files: everything was rendered again; say what it printed
        row["onefile_summary"] = one["stdout"].strip().splitlines()[-3:]
    for folder in (corpus, out, reference):
        shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(bench.cache_dir_for(out), ignore_errors=True)
    shutil.rmtree(bench.cache_dir_for(reference), ignore_errors=True)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,5000,10000", help="article pairs per run (default 1000,5000,10000)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    root = bench.ROOT / "bench-out"
    root.mkdir(exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="scale-", dir=root)).resolve()
    settings = workdir / "settings_same_work.py"
    settings.write_text(bench.SAME_WORK_SETTINGS, encoding="utf-8")
    rows = []
    try:
        print(f"{'N':>6} {'pages':>6} {'cold s':>7} {'CPU s':>7} {'RSS MB':>7} {'1-article s':>12} "
              f"{'rendered':>9} {'kept':>6} {'= cold':>6}")
        for n in sizes:
            row = measure(n, workdir, settings)
            rows.append(row)
            print(f"{row['n']:>6} {row['pages']:>6} {row['cold_seconds']:>7.1f} {row['cold_cpu']:>7.1f} "
                  f"{row['cold_rss_mb']:>7.0f} {row['onefile_seconds']:>12.2f} {row['rendered']!s:>9} "
                  f"{row['kept']!s:>6} {'yes' if row['identical_to_cold'] else 'NO':>6}", flush=True)
            for line in row.get("onefile_summary", []):
                print(f"       one-article rebuild kept nothing; it said: {line}", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    if len(rows) > 1:
        growth = rows[-1]["onefile_seconds"] / rows[0]["onefile_seconds"]
        print(f"one-article rebuild N={rows[-1]['n']} / N={rows[0]['n']}: {growth:.2f} (target <= 2.00: "
              f"{'PASS' if growth <= 2 else 'FAIL'})")
    big = max(rows, key=lambda r: r["n"]) if rows else None
    if big and big["n"] >= 10000:
        print(f"peak memory at N={big['n']}: {big['cold_rss_mb']:.0f} MB (target <= 1536 MB: "
              f"{'PASS' if big['cold_rss_mb'] <= 1536 else 'FAIL'})")
    (root / "scale.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0 if all(r["identical_to_cold"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
