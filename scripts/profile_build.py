#!/usr/bin/env python3
"""Profile a cold ``jindallae build`` on the benchmark corpus (see scripts/bench.py).

    .venv/bin/python scripts/profile_build.py [--n 1000] [--serial] [--top 30] [--content DIR] [--pyinstrument]

Generates the ``yaml`` corpus of ../shared/bench/gen_corpus.py (filled in like bench.py does)
unless ``--content`` is given, removes the render cache, and runs the build in-process under
cProfile.  The Markdown rendering normally runs in worker processes that cProfile does not see;
``--serial`` makes the build render in this process (``os.cpu_count`` reported as 1) so that
its cost shows up too.  Also prints the import time of the command (``python -X importtime``).
The raw profile is written to bench-out/profile.pstats (pstats / snakeviz), or with
``--pyinstrument`` (sampling, less overhead on call-heavy code) to bench-out/profile.html.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402


def import_time() -> list[tuple[int, str]]:
    """(cumulative microseconds, module) of the heaviest imports of the build command, two levels deep."""
    code = "import jindallae.cli, jindallae.build"
    res = subprocess.run([sys.executable, "-X", "importtime", "-c", code], cwd=bench.ROOT, capture_output=True, text=True)
    rows = []
    total = 0
    for line in res.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if m:
            depth = (len(m.group(3)) - 1) // 2
            if depth == 0:
                total += int(m.group(2))
            if depth <= 2:
                rows.append((int(m.group(2)), "  " * depth + m.group(4)))
    rows = [r for r in rows if r[0] >= 15000]  # >= 15 ms
    return [(total, "TOTAL")] + rows[::-1]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=1000)
    p.add_argument("--content", type=Path, default=None, help="an already prepared yaml corpus")
    p.add_argument("--serial", action="store_true", help="render in this process so cProfile sees it")
    p.add_argument("--top", type=int, default=30)
    p.add_argument("--pyinstrument", action="store_true",
                   help="sample with pyinstrument (pip install pyinstrument) instead of cProfile: less overhead "
                        "on call-heavy code such as Jinja; prints a call tree")
    a = p.parse_args()

    (bench.ROOT / "bench-out").mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="profile-", dir=bench.ROOT / "bench-out"))
    try:
        if a.content:
            content = a.content.resolve()
        else:
            content = work / "corpus-yaml"
            gen = bench.BENCH_DIR / "gen_corpus.py"
            subprocess.run([sys.executable, str(gen), str(content), str(a.n), "--flavor", "yaml"], check=True)
            notes: list[str] = []
            bench.prepare_ours(content, work / "out-validate", notes)
            shutil.rmtree(bench.cache_dir_for(work / "out-validate"), ignore_errors=True)
            for note in notes:
                print(f"- {note}")
        out = work / "out"
        cache = bench.cache_dir_for(out)
        shutil.rmtree(cache, ignore_errors=True)

        print("\nImport time of the build command (python -X importtime, cumulative ms):")
        for us, mod in import_time():
            print(f"  {us / 1000:8.1f}  {mod}")

        if a.serial:
            os.cpu_count = lambda: 1  # _render_many then renders in this process
        os.chdir(bench.ROOT)
        from jindallae.cli import main as cli_main

        argv = ["build", "--content", str(content), "--output", str(out), "--force", "--no-progress"]
        mode = "serial render + write" if a.serial else "parallel render + write (workers not profiled)"
        if a.pyinstrument:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.001)
            t = time.perf_counter()
            profiler.start()
            rc = cli_main(argv)
            profiler.stop()
            print(f"\nin-process cold build ({mode}): rc={rc}, {time.perf_counter() - t:.2f} s under pyinstrument")
            print(profiler.output_text(unicode=True, color=False, show_all=False))
            dump = bench.ROOT / "bench-out" / "profile.html"
            dump.write_text(profiler.output_html(), encoding="utf-8")
            print(f"raw profile: {bench.rel(dump)}")
            shutil.rmtree(cache, ignore_errors=True)
            return 0
        prof = cProfile.Profile()
        t = time.perf_counter()
        prof.enable()
        rc = cli_main(argv)
        prof.disable()
        wall = time.perf_counter() - t
        print(f"\nin-process cold build ({mode}): rc={rc}, {wall:.2f} s "
              f"(under cProfile; imports done before are not included)")
        dump = bench.ROOT / "bench-out" / "profile.pstats"
        dump.parent.mkdir(parents=True, exist_ok=True)
        prof.dump_stats(str(dump))
        for key in ("cumulative", "tottime"):
            buf = io.StringIO()
            stats = pstats.Stats(prof, stream=buf).strip_dirs().sort_stats(key)
            stats.print_stats(a.top)
            text = buf.getvalue()
            print(f"\n=== top {a.top} by {key} ===")
            print(text[text.index("   ncalls"):] if "   ncalls" in text else text)
        print(f"raw profile: {bench.rel(dump)}")
        shutil.rmtree(cache, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
