"""The search pages (one per language) and the Pagefind indexing run."""

from __future__ import annotations

import json
import os
import signal
import subprocess

from pelican.generators import Generator

BUNDLE = "pagefind"  # the index and Pagefind's UI files, under the output folder
# Kept out of the index even inside an article: copies of what other pages say, the byline and
# the controls (results show excerpts of the body only).
EXCLUDE = ".translations, .toc, .article-meta, .read-aloud, .posters, .article-tags, .add-to-calendar, .how-to"


class SearchPageGenerator(Generator):
    """Queues ``<lang>/search/`` with the multilingual generator's page writer."""

    def generate_context(self) -> None:
        if not self.settings.get("SEARCH_ENABLED", True):
            return
        ml = self.context.get("multilingual")
        if ml is None:
            raise RuntimeError("search needs the multilingual plugin: list it before search in PLUGINS")
        versions = {lang.code: lang.url("search/") for lang in ml.model.languages}
        bundle = ml.url(f"{BUNDLE}/")
        for lang in ml.model.languages:
            rel = versions[lang.code]
            view = ml.view(lang, rel, "", "", versions, kind="search")
            # not in sitemap.xml: a search page has nothing of its own to index
            ml.write_page(None, rel, "search", view, None, search_bundle=bundle)

    def generate_output(self, writer) -> None:
        return  # queued in generate_context; written in the multilingual generator's round


def executable() -> str:
    try:
        from pagefind_bin_extended import get_executable
    except ImportError:  # pragma: no cover - a broken install
        raise RuntimeError("search: the pagefind_bin_extended package is missing; "
                           "run `.venv/bin/pip install -e .` (or set SEARCH_ENABLED = False)") from None
    return str(get_executable())


def run_pagefind(site: str, timeout: float = 900, bundle: os.PathLike | None = None) -> int:
    """Index the built ``site`` folder into ``site/pagefind/`` (or into the folder ``bundle``)
    and return the number of pages indexed; raises RuntimeError on failure or after ``timeout``
    seconds.

    Pagefind runs in its own process group, killed as a group on timeout, and dies with this
    process (Linux ``PR_SET_PDEATHSIG``): a killed build leaves no indexer running.
    """
    where = ["--output-path", os.fspath(bundle)] if bundle is not None else ["--output-subdir", BUNDLE]
    cmd = [executable(), "--site", site, *where, "--exclude-selectors", EXCLUDE, "--silent"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=_die_with_parent)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise RuntimeError(f"search: Pagefind did not finish in {timeout:.0f} s and was stopped") from None
    except BaseException:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise
    if proc.returncode != 0:
        detail = (err or out).strip().splitlines()
        raise RuntimeError("search: Pagefind failed to index the site: " + (detail[-1] if detail else f"exit {proc.returncode}"))
    # Pagefind lists the languages in hash-map order: sort them, so that equal sites give equal
    # files (reproducible builds).
    entry = os.path.join(bundle if bundle is not None else os.path.join(site, BUNDLE), "pagefind-entry.json")
    with open(entry, encoding="utf-8") as fp:
        data = json.load(fp)
    data["languages"] = dict(sorted(data.get("languages", {}).items()))
    with open(entry, "w", encoding="utf-8") as fp:
        json.dump(data, fp, ensure_ascii=False, separators=(",", ":"))
    return sum(int(lang.get("page_count", 0)) for lang in data["languages"].values())


def _die_with_parent() -> None:
    """In the child before exec: ask Linux to send SIGKILL when the parent dies."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG = 1
    except Exception:
        pass
