"""Body patches: the rebuild after edits that changed only the bodies of existing pages.

The commonest edit is a correction in the text of one page (a typo, a sentence added).  Such an
edit changes what the page's own body shows, and nothing any other output reads of the page
(its title, date, tags, summary, links and headings are in every list, switcher and feed entry,
its body is not).  The general incremental build (:mod:`jindallae.incremental`) still reads the
whole site to find that out; a body patch does not: it compares each changed file with what the
last build recorded of it, and when only the body changed it rewrites the body in the outputs
that embed it, in place.  Its cost grows with the number of changed files, not with the site
(the content folder is only listed, for the changed files).

What the last build records (the **manifest**, ``.cache/<output>/patch.pickle``, written after
every full build by :func:`write_manifest`):

* per content file: its size and modification time (to find the changed files), its revision
  (git blob hash) and its **facet**: the digest of everything about the file except its body
  (fields, slug, language, section, status, errors, headings, links: ``jindallae.site``);
* per output file: where the bodies it embeds are (``[source, start, end, mode]``, character
  offsets; ``mode`` ``html``: as is, in a page; ``xml``: XML-escaped, in a feed entry), recorded
  by the generators through :meth:`jindallae.incremental.OutputCache.record`;
* the build's result (warnings, link findings, counts), the URL map the bodies are rendered
  against, the translations' source revisions, the git ``HEAD`` of the content, and the lines
  of the output's stamp (so the stamp is updated without listing the output again).

A patch applies when, since that build: nothing but ``.md`` files under ``content/`` changed
(theme, plugins, engine, settings and the build's date the same, no file added or removed),
at most :data:`PATCH_LIMIT` files changed, ``HEAD`` is the same (the staff translation report
shows each file's last commit date), and for each changed file the facet is the same, no
translation was made from its old or new revision (the report shows which are outdated), its
old and new bodies have no picture (``plugins/images`` rewrites those) and no Pelican
``{filename}`` link, and every output embedding it recorded where.  Otherwise the build is the
general incremental one, which is always correct.  Either way the result is byte-identical to
a cold build of the same content (``tests/test_incremental.py``).

A patched page goes live with one rename per file (the same as an in-place update), then
:data:`jindallae.signals.release_updated` is sent so the search index is refreshed.  The
patched outputs are listed in ``patched.json``: the next general build renders them again
instead of trusting their recorded keys (which describe the bodies before the patch).
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import pickle
import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

MANIFEST_VERSION = "2"
PATCH_LIMIT = 20  # more changed files than this: the general incremental build
# Pelican rewrites links written as {filename}x.md, |filename|x.md, {static}... in the body
# (pelican.contents.Content._update_content): such a body is not the page's text as is.
_INTRASITE = re.compile(r"""(?:href|src|poster|data|cite|formaction|action|content)\s*=\s*["'][{|]""", re.I)


@dataclass
class Patch:
    """A body patch that applies: ``files`` the changed content files (content-relative),
    ``writes`` the new text of each output file to rewrite (site-relative name -> text),
    ``spans`` the new embed records of those outputs."""

    files: list[str]
    writes: dict[str, str] = field(default_factory=dict)
    spans: dict[str, list[list[Any]]] = field(default_factory=dict)
    revisions: dict[str, str] = field(default_factory=dict)  # file -> its new revision


def manifest_path(cache_dir: Path) -> Path:
    return cache_dir / "patch.pickle"


def patched_path(cache_dir: Path) -> Path:
    """``patched.json``: the outputs rewritten by patches since the last general build."""
    return cache_dir / "patched.json"


def load_manifest(cache_dir: Path) -> dict[str, Any] | None:
    """The manifest of the last build, or None (missing, unreadable or of another version)."""
    try:
        with manifest_path(cache_dir).open("rb") as fp:
            data = pickle.load(fp)
    except Exception:  # a missing or corrupt manifest only means no patch
        return None
    return data if isinstance(data, dict) and data.get("version") == MANIFEST_VERSION else None


def save_manifest(cache_dir: Path, data: dict[str, Any]) -> None:
    """Write the manifest atomically."""
    path = manifest_path(cache_dir)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as fp:
        pickle.dump(data, fp, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def git_head(root: Path) -> str | None:
    """The commit the content folder's repository is at, or None (no repository, no commit)."""
    try:
        proc = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout.decode().strip() if proc.returncode == 0 else None


def embeds_by_source(spans: dict[str, list[list[Any]]]) -> dict[str, list[str]]:
    """``{source: [output names embedding its body]}`` from ``{name: [[source, start, end, mode]]}``."""
    out: dict[str, list[str]] = {}
    for name, records in spans.items():
        for source in {r[0] for r in records}:
            out.setdefault(source, []).append(name)
    return out


def escape_for(mode: str, text: str) -> str:
    """``text`` as an output of ``mode`` embeds it (``html``: as is; ``xml``: the escaping of
    ``xml.sax.saxutils.escape``, which feedgenerator's XML writer applies to character data)."""
    return text if mode == "html" else xml_escape(text)


def plan(manifest: dict[str, Any], scan: Any, content: Path, output: Path, model: Any) -> Patch | str:
    """The body patch for the inputs ``scan`` (:class:`jindallae.build.InputScan`) against the
    ``manifest`` of the last build, or why the general build is needed (a sentence; see the
    module docstring for the conditions).  Reads the changed files and the outputs to rewrite; writes
    nothing."""
    from .model import CONTROL_CHARACTER, revision_of
    from .site import _page_job

    sources = manifest["sources"]
    if manifest["rest"] != scan.rest:
        return "files other than pages, the settings or the build's date changed"
    if scan.pages.keys() != sources.keys():
        return "pages were added or removed"
    changed = [rel for rel, st in scan.pages.items() if sources[rel][:2] != st]
    if len(changed) > PATCH_LIMIT:
        return f"{len(changed)} pages changed; a patch takes at most {PATCH_LIMIT}"
    if not changed:
        return "no page changed"
    if scan.head != manifest["head"]:  # read once per build (jindallae.build.scan_inputs)
        return "new commits (the translation report shows commit dates)"
    from markupsafe import escape

    patch = Patch(changed)
    bodies: dict[str, str] = {}
    summaries: dict[str, str] = {}  # a feed leaves the summary out when it equals the body
    for rel in changed:
        try:
            raw = (content / rel).read_bytes()
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return f"{rel}: unreadable"
        revision = revision_of(raw)
        patch.revisions[rel] = revision
        _size, _mtime, old_revision, old_facet, timed = sources[rel]
        if timed:  # plugins/event_calendar: DTSTAMP is the file's last change (commit or mtime)
            return f"{rel}: an event (its calendar files carry the file's time)"
        if revision == old_revision:
            continue  # saved again with the same bytes
        if revision in manifest["revisions"] or old_revision in manifest["revisions"]:
            return f"{rel}: a translation was made from it"
        result = _page_job(model, content, manifest["url_map"], (rel, text))
        if result.facet != old_facet:
            return f"{rel}: more than the body changed (fields, headings or links)"
        if result.rendered is None:  # not published: no output shows it
            continue
        if rel in manifest["flagged"]:
            return f"{rel}: has link findings (reported with their line numbers)"
        body = result.rendered.html
        summaries[rel] = str(escape(result.item.fields.get("summary", "")))
        if "<img" in body:
            return f"{rel}: the body has a picture"
        if _INTRASITE.search(body):
            return f"{rel}: the body has a Pelican {{filename}} link"
        if CONTROL_CHARACTER.search(body):  # the general build reports it (path:line)
            return f"{rel}: the body has a control character"
        if body == summaries[rel]:
            return f"{rel}: the body is the summary"
        if any(target not in manifest["url_map"] for target in result.rendered.links):
            return f"{rel}: the body links to a page that is not published"
        bodies[rel] = body
    names = embeds_by_source(manifest["spans"])
    touched: dict[str, list[str]] = {}
    for rel in bodies:
        for name in names.get(rel, ()):
            touched.setdefault(name, []).append(rel)
        if not names.get(rel):
            return f"{rel}: where its body is shown was not recorded"
    lines = manifest["output_lines"]
    for name, rels in touched.items():
        records = manifest["spans"][name]
        if any(r[1] is None for r in records if r[0] in rels):
            return f"{name}: shows a changed body where it could not be found"
        path = output / name
        try:
            st = path.stat()
            old = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return f"{output.name}/{name}: missing or unreadable"
        if lines.get(name) != (st.st_size, st.st_mtime_ns):
            return f"{output.name}/{name}: changed by hand since the last build"
        pieces, at, spans = [], 0, []
        for source, start, end, mode in sorted(records, key=lambda r: r[1] if r[1] is not None else -1):
            if start is None:
                spans.append([source, None, None, mode])
                continue
            pieces.append(old[at:start])
            if source in bodies:
                old_body = old[start:end] if mode == "html" else html.unescape(old[start:end])
                if "<img" in old_body:
                    return f"{source}: the old body had a picture"
                if old_body == summaries[source]:
                    return f"{source}: the old body was the summary"
                new = escape_for(mode, bodies[source])
            else:
                new = old[start:end]
            begin = sum(len(p) for p in pieces)
            pieces.append(new)
            spans.append([source, begin, begin + len(new), mode])
            at = end
        pieces.append(old[at:])
        patch.writes[name] = "".join(pieces)
        patch.spans[name] = spans
    return patch


def apply(patch: Patch, output: Path) -> dict[str, tuple[int, int]]:
    """Write each rewritten output beside itself and rename it into place (the page is never
    half-written; other files are not touched).  Returns each output's new ``(size, mtime_ns)``."""
    stats: dict[str, tuple[int, int]] = {}
    for name, text in patch.writes.items():
        path = output / name
        tmp = path.with_name(f".{path.name}.patch-{os.getpid()}")
        with open(tmp, "w", encoding="utf-8") as fp:
            fp.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        st = path.stat()
        stats[name] = (st.st_size, st.st_mtime_ns)
    return stats


def output_stamp(lines: dict[str, tuple[int, int]], order: list[str], output: Path) -> str:
    """The output's fingerprint (:func:`jindallae.build.fingerprint` of ``[output]``) from
    recorded stat lines: ``order`` the site-relative names in the order the walk visits them."""
    h = hashlib.sha1(b"")
    base = str(output)
    for name in order:
        size, mtime = lines[name]
        h.update(f"{base}/{name}\0{size}\0{mtime}\n".encode())
    return h.hexdigest()


def mark_patched(cache_dir: Path, names: list[str]) -> None:
    """Add ``names`` to ``patched.json`` (kept until the next general build)."""
    path = patched_path(cache_dir)
    try:
        known = set(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        known = set()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(sorted(known | set(names)), ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def read_patched(cache_dir: Path) -> set[str]:
    """The outputs patches rewrote since the last general build (their recorded keys are stale)."""
    try:
        return set(json.loads(patched_path(cache_dir).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return set()
