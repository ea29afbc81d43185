#!/usr/bin/env python3
"""Fresh-machine timings of the README's main command (part of ``make bench``).

Clones the committed HEAD into a temporary folder and times, as a new user's ``make site`` would
run them:

1. **install**: a new virtual environment and ``pip install --require-hashes -r requirements.lock``
   plus the project (Debian packages are assumed present: they are installed once per machine;
   pip's download cache of this machine is used, so this is the install time without network
   transfer, which a real fresh machine adds);
2. **cold build**: ``jindallae build`` of the starter content with no ``.cache/`` and no
   ``build/``, its per-phase lines captured (the phase that takes the time is named);
3. **no-change build**: the same command again (skipped by the fingerprint);
4. **warm rebuild**: ``build/`` removed, ``.cache/`` kept (``--force``): what a rebuild after a
   content change costs at most.

Prints a table and writes ``bench-out/fresh.json``. Usage: ``.venv/bin/python scripts/bench_fresh.py``
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench-out" / "fresh.json"
PHASE = re.compile(r"^(\S+): (.*?)in (\d+\.\d) s$")


def timed(cmd: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess]:
    """Run ``cmd`` in ``cwd``; return wall seconds and the finished process (raises on failure)."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return seconds, proc


def phases(stderr: str) -> dict[str, float]:
    """Phase name -> seconds from a build's progress lines."""
    return {m.group(1): float(m.group(3)) for m in map(PHASE.match, stderr.splitlines()) if m}


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="fresh-", dir=ROOT / "bench-out" if (ROOT / "bench-out").is_dir() else None))
    try:
        clone = work / "jindallae"
        subprocess.run(["git", "clone", "-q", "--no-local", str(ROOT), str(clone)], check=True)
        results: dict[str, object] = {"commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=clone,
                                                               capture_output=True, text=True).stdout.strip()}
        t_venv, _ = timed([sys.executable, "-m", "venv", ".venv"], clone)
        t_pip, _ = timed([".venv/bin/python", "-m", "pip", "install", "-q", "--require-hashes", "--no-deps",
                          "-r", "requirements.lock"], clone)
        t_self, _ = timed([".venv/bin/python", "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                           "-e", "."], clone)
        results["install_s"] = round(t_venv + t_pip + t_self, 1)
        t_cold, cold = timed([".venv/bin/jindallae", "build"], clone)
        results["cold_build_s"] = round(t_cold, 1)
        results["cold_phases_s"] = phases(cold.stderr)
        t_same, _ = timed([".venv/bin/jindallae", "build"], clone)
        results["nochange_build_s"] = round(t_same, 2)
        shutil.rmtree(clone / "build")
        t_warm, warm = timed([".venv/bin/jindallae", "build", "--force"], clone)
        results["warm_rebuild_s"] = round(t_warm, 1)
        results["warm_phases_s"] = phases(warm.stderr)
        results["make_site_s"] = round(results["install_s"] + t_cold, 1)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print()
    print(f"Fresh clone of {results['commit']}: the README's `make site` without the Debian packages")
    print(f"  install (venv + locked packages, pip cache warm) {results['install_s']:>7.1f} s")
    print(f"  cold build of the starter content (no .cache/)  {results['cold_build_s']:>7.1f} s")
    for name, seconds in sorted(results["cold_phases_s"].items(), key=lambda kv: -kv[1]):
        print(f"      {name:<12} {seconds:>7.1f} s")
    print(f"  = make site                                     {results['make_site_s']:>7.1f} s")
    print(f"  build again, nothing changed                    {results['nochange_build_s']:>7.2f} s")
    print(f"  rebuild with .cache/ kept (--force)             {results['warm_rebuild_s']:>7.1f} s")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
