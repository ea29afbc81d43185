"""Incremental builds (jindallae/incremental.py): after any sequence of edits, the site an
incremental build leaves is byte-identical to a cold build of the same content.

A random walk over a small generated bilingual site: add, edit (title, body, date, tags,
status), delete and rename pages, add and remove translations, events (one-off, yearly, lunar),
edits to a template, a stylesheet and a catalogue, a setting, and the build date moving forward.  After each
step the incremental build (keeping ``.cache`` and the previous release) is compared file by
file with a cold build (no cache) of the same project.  ``JINDALLAE_SOAK_STEPS`` sets the
number of steps (``make soak`` runs thousands); the suite runs a few hundred, in several walks.
"""

from __future__ import annotations

import datetime as dt
import filecmp
import os
import random
import re
import shutil
from pathlib import Path

import pytest

from jindallae.build import build
from site_helpers import make_project, md, write_files

CONF = """from pelicanconf_site import *  # noqa: F401,F403 (the project's settings, then ours)
SEARCH_ENABLED = False
MULTILINGUAL_PAGE_SIZE = {page_size}
"""
SECTIONS = ("news", "policy", "forums", "folk-arts", "events")
TAGS = ["二人转", "大秧歌", "满族剪纸", "农民画", "老年节", "梨花节", "论坛", "政策"]
KO_TAGS = ["이인전", "앙가", "만족 전지", "농민화", "로인절", "리화절", "포럼", "정책"]
WORDS = "长白山 人口文化 公园 延吉 图们 珲春 和龙 龙井 敦化 安图 汪清 宣传 讲座 演出 展览 服务".split()
DAY = 86400


class Walk:
    """One project and a random sequence of edits applied to it."""

    def __init__(self, root: Path, seed: int):
        self.rng = random.Random(seed)
        self.page_size = 3
        self.project = make_project(root / "project", CONF.format(page_size=self.page_size))
        (self.project / "pelicanconf_site.py").write_text(
            (Path(__file__).resolve().parents[1] / "pelicanconf.py").read_text(encoding="utf-8"), encoding="utf-8")
        self.content = self.project / "content"
        self.out = self.project / "build"
        self.cold = root / "cold"
        self.pages: dict[str, dict] = {}  # "section/slug" -> page state
        self.epoch = int(dt.datetime(2026, 8, 1, 4, tzinfo=dt.timezone.utc).timestamp())
        self.counter = 0
        self.idle = 0  # "nothing" steps so far
        for _ in range(8):
            self.add_page()

    # content -----------------------------------------------------------------------------------
    def words(self, n: int) -> str:
        return "".join(self.rng.choice(WORDS) for _ in range(n))

    def add_page(self) -> str:
        self.counter += 1
        section = self.rng.choice(SECTIONS)
        slug = f"p{self.counter}"
        page = {"section": section, "slug": slug, "title": self.words(3), "body": self.words(12) + "。",
                "date": dt.date(2026, 1, 1) + dt.timedelta(days=self.rng.randint(0, 300)),
                "tags": self.rng.sample(range(len(TAGS)), self.rng.randint(0, 3)),
                "status": "published", "ko": self.rng.random() < 0.6, "event": None, "tail": ""}
        if section == "events" or self.rng.random() < 0.2:
            page["event"] = self.random_event()
        self.pages[f"{section}/{slug}"] = page
        self.write(page)
        return f"{section}/{slug}"

    def random_event(self) -> dict:
        start = dt.date(2026, 6, 1) + dt.timedelta(days=self.rng.randint(0, 150))
        kind = self.rng.choice(["once", "once", "yearly", "lunar"])
        if kind == "lunar":
            start = dt.date(2026, 9, 25)  # lunar 8/15 (Mid-Autumn) of 2026
        return {"id": f"{self.rng.getrandbits(64):016x}-evt", "start": start,
                "days": self.rng.randint(0, 3), "kind": kind}

    def front(self, page: dict, lang: str) -> str:
        tags = [TAGS[i] if lang == "zh" else KO_TAGS[i] for i in page["tags"]]
        lines = [f"title: {page['title'] if lang == 'zh' else '한글 ' + page['title']}",
                 f"date: {page['date'].isoformat()}", f"summary: {page['body'][:10]}"]
        if tags:
            lines.append(f"tags: [{', '.join(tags)}]")
        if page["status"] != "published":
            lines.append(f"status: {page['status']}")
        event = page["event"]
        if event:
            place = "延吉市人民公园" if lang == "zh" else "연길시 인민공원"
            lines += ["event:", f"  id: {event['id']}", f"  start: {event['start'].isoformat()}",
                      f"  location: {place}"]
            if event["days"]:
                lines.append(f"  end: {(event['start'] + dt.timedelta(days=event['days'])).isoformat()}")
            if event["kind"] == "yearly":
                lines.append("  repeat: FREQ=YEARLY")
            elif event["kind"] == "lunar":
                lines.append("  lunar: {month: 8, day: 15, count: 3}")
        return "\n".join(lines)

    def files_of(self, page: dict) -> dict[str, str]:
        rel = f"{page['section']}/{page['slug']}"
        tail = f"\n{page['tail']}\n" if page["tail"] else ""  # later paragraphs: not in the summary
        out = {f"{rel}.zh.md": md(self.front(page, "zh"), page["body"] + "\n" + tail)}
        if page["ko"]:
            out[f"{rel}.ko.md"] = md(self.front(page, "ko"), "한국어 본문 " + page["body"] + "\n" + tail)
        return out

    def write(self, page: dict) -> None:
        rel = f"{page['section']}/{page['slug']}"
        for lang in ("zh", "ko"):
            (self.content / f"{rel}.{lang}.md").unlink(missing_ok=True)
        write_files(self.content, self.files_of(page))

    def remove(self, key: str) -> None:
        page = self.pages.pop(key)
        for lang in ("zh", "ko"):
            (self.content / f"{key}.{lang}.md").unlink(missing_ok=True)
        assert page

    # steps -------------------------------------------------------------------------------------
    def step(self) -> str:
        """Apply one random edit; returns its description (for the failure message)."""
        rng = self.rng
        keys = sorted(self.pages)
        choice = rng.choices(
            ["add", "title", "body", "tail", "date", "tags", "status", "delete", "rename", "translation", "event",
             "template", "catalogue", "setting", "today", "nothing"],
            weights=[8, 8, 8, 12, 6, 6, 5, 4, 4, 5, 5, 2, 2, 2, 4, 2])[0]
        if choice in ("title", "body", "tail", "date", "tags", "status", "delete", "rename", "translation", "event") \
                and len(keys) < 3:
            choice = "add"
        key = rng.choice(keys) if keys else None
        page = self.pages.get(key)
        if choice == "add":
            return f"add {self.add_page()}"
        if choice == "title":
            page["title"] = self.words(3)
        elif choice == "body":
            page["body"] = self.words(rng.randint(5, 20)) + "。"
        elif choice == "tail":  # a body-only edit (jindallae.body_patch), sometimes a link or a heading
            page["tail"] = rng.choices(["", self.words(rng.randint(2, 9)) + "。", f"## {self.words(2)}",
                                        f"见[另一页]({rng.choice(keys).split('/')[1]}.zh.md)。", "*强调*与 & < 符号。"],
                                       weights=[1, 4, 1, 1, 2])[0]
        elif choice == "date":
            page["date"] = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 300))
        elif choice == "tags":
            page["tags"] = rng.sample(range(len(TAGS)), rng.randint(0, 3))
        elif choice == "status":
            page["status"] = "draft" if page["status"] == "published" else "published"
        elif choice == "delete":
            self.remove(key)
            return f"delete {key}"
        elif choice == "rename":
            self.remove(key)
            self.counter += 1
            page["slug"] = f"p{self.counter}"
            self.pages[f"{page['section']}/{page['slug']}"] = page
            self.write(page)
            return f"rename {key} -> {page['slug']}"
        elif choice == "translation":
            page["ko"] = not page["ko"]
        elif choice == "event":
            page["event"] = self.random_event() if page["section"] == "events" or not page["event"] else None
        elif choice == "template":
            name = rng.choice(["article.html", "section.html", "home.html", "base.html", "calendar_month.html"])
            path = self.project / "themes" / "jindallae" / "templates" / name
            path.write_text(path.read_text(encoding="utf-8") + f"\n{{# edit {self.counter} #}}<!-- v{rng.randint(0, 9)} -->",
                            encoding="utf-8")
            self.counter += 1
            return f"template {name}"
        elif choice == "catalogue":
            po = self.project / "themes" / "jindallae" / "translations" / "ko" / "LC_MESSAGES" / "messages.po"
            text = po.read_text(encoding="utf-8")
            new = re.sub(r'(msgid "Related pages"\nmsgstr ")([^"]*)(")',
                         lambda m: m.group(1) + f"관련 페이지 {rng.randint(0, 99)}" + m.group(3), text, count=1)
            po.write_text(new, encoding="utf-8")
            return "catalogue ko: Related pages"
        elif choice == "setting":
            self.page_size = 2 if self.page_size == 3 else 3
            (self.project / "pelicanconf.py").write_text(CONF.format(page_size=self.page_size), encoding="utf-8")
            return f"setting MULTILINGUAL_PAGE_SIZE={self.page_size}"
        elif choice == "today":
            self.epoch += DAY * rng.choice([1, 1, 7, 40])
            return f"today {dt.datetime.fromtimestamp(self.epoch, dt.timezone.utc).date()}"
        elif choice == "nothing":
            # every other "nothing" step edits a theme static file (copied, read by no page);
            # no random draw, so the walks of each seed stay as they were
            self.idle += 1
            if self.idle % 2 == 0:
                css = self.project / "themes" / "jindallae" / "static" / "css" / "site.css"
                css.write_text(css.read_text(encoding="utf-8") + f"\n/* edit {self.idle} */\n", encoding="utf-8")
                return "stylesheet site.css"
            return "nothing"
        self.write(page)
        return f"{choice} {key}"

    # builds ------------------------------------------------------------------------------------
    def build_both(self) -> tuple[object, object]:
        os.environ["SOURCE_DATE_EPOCH"] = str(self.epoch)
        incremental = build(self.project, progress=False)
        if self.cold.exists():
            shutil.rmtree(self.cold)
        cold = build(self.project, output=self.cold, progress=False, force=True, cache=False)
        return incremental, cold


def differences(a: Path, b: Path) -> list[str]:
    """Files that differ between two output trees, or exist in only one (relative paths)."""
    out = []
    files_a = {p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file()}
    files_b = {p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file()}
    out += [f"only in incremental: {f}" for f in sorted(files_a - files_b)]
    out += [f"only in cold: {f}" for f in sorted(files_b - files_a)]
    for f in sorted(files_a & files_b):
        if not filecmp.cmp(a / f, b / f, shallow=False):
            out.append(f"differs: {f}")
    return out


def run_walk(tmp_path: Path, seed: int, steps: int) -> dict[str, int]:
    walk = Walk(tmp_path, seed)
    # The cold comparison build has no .cache: its posters and images would be made again;
    # this site has neither, so both builds do the same work apart from reuse.
    history: list[str] = []
    totals = {"reused": 0, "rendered": 0, "patched": 0}
    old_epoch = os.environ.get("SOURCE_DATE_EPOCH")
    try:
        for n in range(steps):
            history.append(walk.step())
            incremental, _cold = walk.build_both()
            problems = differences(walk.out, walk.cold)
            assert not problems, (f"seed {seed}, step {n}: after {history[-5:]}:\n" + "\n".join(problems[:20]))
            totals["reused"] += incremental.reused
            totals["rendered"] += incremental.rendered
            totals["patched"] += bool(incremental.patched)
    finally:
        if old_epoch is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old_epoch
    return totals


STEPS = int(os.environ.get("JINDALLAE_SOAK_STEPS", "0"))


@pytest.mark.parametrize("seed", range(1, 5))
def test_incremental_build_is_byte_identical_to_a_cold_build(tmp_path, seed):
    """Four walks of 50 steps (200 in all), each step compared with a cold build."""
    totals = run_walk(tmp_path, seed, STEPS or 50)
    assert totals["reused"] > 0, totals  # the walk did exercise reuse (a small site: lists change often)
    assert totals["patched"] > 0, totals  # and body patches


def test_one_article_edit_renders_only_what_shows_it(tmp_path):
    """A body edit renders the page itself and the pages that show its summary or list it (home,
    its section, its tags, related pages), and keeps every other page; the files are those of a
    cold build."""
    walk = Walk(tmp_path, 99)
    for _ in range(20):
        walk.add_page()
    walk.build_both()
    inodes = {p: p.stat().st_ino for p in walk.out.rglob("*.html")}
    key = next(k for k, p in sorted(walk.pages.items()) if not p["event"] and p["status"] == "published")
    walk.pages[key]["body"] = "只改了正文的最后一句。"
    walk.write(walk.pages[key])
    incremental, _cold = walk.build_both()
    assert differences(walk.out, walk.cold) == []
    assert 0 < incremental.rendered < incremental.reused
    page = walk.out / key / "index.html"
    assert "只改了正文的最后一句。" in page.read_text(encoding="utf-8")
    # the pages that neither list nor relate to it are the previous release's files, linked
    kept = [p for p in walk.out.rglob("*.html") if inodes.get(p) == p.stat().st_ino]
    assert len(kept) == incremental.reused
    assert page not in kept and walk.out / "index.html" not in kept  # the page, and the home page listing it


def test_stylesheet_edit_copies_the_stylesheet_and_keeps_every_page(tmp_path):
    """The theme's static files are copied, not read by pages: editing site.css renders no page
    again (it used to re-render the whole site), and the new stylesheet is live.  A template
    edit renders the pages whose templates read it: the month calendar's template only the
    month pages, base.html every page."""
    walk = Walk(tmp_path, 11)
    for _ in range(8):
        walk.add_page()
    walk.build_both()
    css = walk.project / "themes" / "jindallae" / "static" / "css" / "site.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n.walk-test { color: #123456; }\n", encoding="utf-8")
    incremental, _cold = walk.build_both()
    assert differences(walk.out, walk.cold) == []
    assert ".walk-test { color: #123456; }" in (walk.out / "theme" / "css" / "site.css").read_text(encoding="utf-8")
    assert incremental.rendered == 0 and incremental.reused > 0, incremental
    inodes = {p: p.stat().st_ino for p in walk.out.rglob("*.html")}
    month = walk.project / "themes" / "jindallae" / "templates" / "calendar_month.html"
    month.write_text(month.read_text(encoding="utf-8") + "<!-- month edited -->", encoding="utf-8")
    incremental, _cold = walk.build_both()
    assert differences(walk.out, walk.cold) == []
    changed = {p.relative_to(walk.out).as_posix() for p in walk.out.rglob("*.html")
               if inodes.get(p) != p.stat().st_ino} - {"_reports/translations.html"}  # written every build
    assert changed and all(name.startswith(("calendar/", "ko/calendar/")) for name in changed), changed
    assert incremental.rendered == len(changed) and incremental.reused > 0, incremental
    template = walk.project / "themes" / "jindallae" / "templates" / "base.html"
    template.write_text(template.read_text(encoding="utf-8") + "<!-- edited -->", encoding="utf-8")
    incremental, _cold = walk.build_both()
    assert differences(walk.out, walk.cold) == []
    assert incremental.reused == 0 and incremental.rendered > 0, incremental


def test_output_changed_by_hand_is_not_trusted(tmp_path):
    """A file someone edited in build/ by hand makes the next build render everything."""
    walk = Walk(tmp_path, 7)
    walk.build_both()
    page = next(walk.out.rglob("index.html"))
    page.write_text(page.read_text(encoding="utf-8") + "<!-- by hand -->", encoding="utf-8")
    (walk.content / "news").mkdir(exist_ok=True)
    walk.add_page()
    incremental, _cold = walk.build_both()
    assert incremental.reused == 0
    assert differences(walk.out, walk.cold) == []

