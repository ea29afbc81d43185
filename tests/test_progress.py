"""Issue 11 item 4 and issue 12 item 5: a build tells the user what it is doing also when stderr
is not a terminal (one line per phase, no carriage returns), and an interrupted build never
leaves the site missing or junk beside it."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jindallae.build import _recover_leftovers, build, exchange_paths
from jindallae.progress import Progress
from site_helpers import jpeg_bytes, make_project, md, write_files

PHASE_LINE = re.compile(r"^(read\+render|images|posters|search|write): (.*)in (\d+\.\d) s$")


def small_site(tmp_path: Path) -> Path:
    project = make_project(tmp_path / "proj")
    write_files(project / "content", {
        "news/a.zh.md": md("title: 甲\ndate: 2024-01-05", "正文。\n\n![延吉公园](../images/a.jpg)\n"),
        "news/a.ko.md": md("title: 갑\ndate: 2024-01-05"),
        "images/a.jpg": jpeg_bytes(size=(900, 500)),
    })
    return project


def test_build_without_a_terminal_prints_one_line_per_phase(tmp_path):
    """`make site 2>&1 | cat`: every phase is one plain line with its count and seconds; the
    summary names the phase that took the time."""
    project = small_site(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "jindallae.cli", "--project", str(project), "build"],
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    assert "\r" not in proc.stderr and "\x1b" not in proc.stderr
    lines = {m.group(1): m for m in map(PHASE_LINE.match, proc.stderr.splitlines()) if m}
    assert set(lines) >= {"read+render", "images", "search", "write"}, proc.stderr
    assert lines["read+render"].group(2).startswith("2 files, 2 published")
    assert lines["images"].group(2).startswith("1 image, ")
    assert lines["search"].group(2).startswith("2 pages")
    written = int(lines["write"].group(2).split()[0])
    assert written > 10
    summary = proc.stdout.strip().splitlines()[0]
    m = re.match(r"Built 2 pages \(\d+ files\) into .* in (\d+\.\d+) s(; most of it (\S+) \((\d+\.\d) s\))?\.$", summary)
    assert m, summary
    if m.group(2):  # shown from one second on: the slowest phase, taken from the lines above
        slowest = max(lines.values(), key=lambda x: float(x.group(3)))
        assert m.group(3) == slowest.group(1) or m.group(3) in ("settings", "swap")


def test_progress_lines_nest_and_add_up():
    stream = io.StringIO()
    progress = Progress("lines", stream)
    with progress.phase("write", unit="file") as outer:
        outer.update(3)
        with progress.phase("posters", total=2, unit="poster") as inner:
            inner.update(2)
            inner.note = "2 rendered"
            time.sleep(0.05)
    with pytest.raises(ValueError):
        with progress.phase("search"):
            raise ValueError("boom")
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("posters: 2 posters, 2 rendered in ")
    assert lines[1].startswith("write: 3 files in ")
    assert lines[2].startswith("search: FAILED in ")
    assert progress.timings["posters"] >= 0.05 > progress.timings["write"]
    assert progress.slowest()[0] == "posters"
    assert Progress(None, io.StringIO()).mode == "lines"  # not a terminal: lines, never bars


def test_progress_off_shows_nothing_but_times():
    stream = io.StringIO()
    progress = Progress("off", stream)
    with progress.phase("read+render", total=5) as p:
        p.update(5)
    assert stream.getvalue() == "" and "read+render" in progress.timings


# ---------------------------------------------------------------------------------------------
# The swap and the leftovers of interrupted builds


def test_exchange_swaps_two_trees(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    write_files(a, {"x": "A"})
    write_files(b, {"x": "B"})
    assert exchange_paths(a, b)  # Linux, one file system
    assert (a / "x").read_text() == "B" and (b / "x").read_text() == "A"


def test_leftovers_of_killed_builds_are_recovered(tmp_path):
    out = tmp_path / "build"
    # killed between the two renames of the old swap: no build/, a complete build.old-<pid>
    write_files(tmp_path / "build.old-999999", {"index.html": "old site"})
    # a half-written tree of a dead process, and one of this very process id (a reused PID)
    write_files(tmp_path / "build.tmp-999998", {"index.html": "half"})
    write_files(tmp_path / f"build.tmp-{os.getpid()}", {"index.html": "half"})
    # a build running right now in another process is left alone
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        write_files(tmp_path / f"build.tmp-{sleeper.pid}", {"index.html": "in progress"})
        _recover_leftovers(out)
        assert (out / "index.html").read_text() == "old site"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["build", f"build.tmp-{sleeper.pid}"]
    finally:
        sleeper.kill()
        sleeper.wait()


KILLER = r"""
import sys
from pathlib import Path
from jindallae.build import build
build(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), progress=False, cache=False, force=True)
print("done", flush=True)
"""


def test_kill_9_during_builds_never_leaves_the_site_missing(tmp_path):
    """Fault injection, bounded: a build killed at several moments leaves build/ complete (the
    old site or the new one, never none or a mix), and the next build cleans up after it."""
    project = small_site(tmp_path)
    content, out = project / "content", project / "build"
    build(project, content, out, progress=False, cache=False)
    index = out / "index.html"
    versions = {index.read_bytes()}
    page = content / "news/a.zh.md"
    for n, delay in enumerate((0.3, 0.8, 1.3, 1.8, 2.4, 3.2, 4.5)):
        page.write_text(md(f"title: 甲{n}\ndate: 2024-01-05"), encoding="utf-8")
        proc = subprocess.Popen([sys.executable, "-c", KILLER, str(project), str(content), str(out)],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(delay)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        # the site is there and whole: its home page and its sitemap are those of one build
        assert index.is_file() and (out / "sitemap.xml").is_file() and (out / "news/a/index.html").is_file()
        title = re.search(r"甲\d*", (out / "news/a/index.html").read_text(encoding="utf-8")).group(0)
        assert title in {"甲"} | {f"甲{k}" for k in range(n + 1)}
    build(project, content, out, progress=False, cache=False, force=True)
    leftovers = [p.name for p in project.iterdir() if p.name.startswith("build.")]
    assert leftovers == [], leftovers
    assert "甲6" in (out / "news/a/index.html").read_text(encoding="utf-8")
    # no indexer outlived its killed build
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert str(project / "build.tmp-") not in ps


def test_pagefind_timeout_stops_the_indexer(tmp_path):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins"))
    from search.generator import run_pagefind

    site = tmp_path / "site"
    write_files(site, {f"p{i}/index.html": f"<html lang=zh><body data-pagefind-body><p>第{i}页</p></body></html>"
                       for i in range(200)})
    with pytest.raises(RuntimeError, match="did not finish"):
        run_pagefind(str(site), timeout=0.01)
    time.sleep(0.2)
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert str(site) not in ps
