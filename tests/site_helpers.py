"""Helpers shared by the site-foundation tests: reading content files independently of the
content model, mapping URLs to built files, hashing output folders, parsing HTML.

Expectations are derived from the content files with plain PyYAML here (not with
``jindallae.model``), so a bug in the model cannot make the tests agree with it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import yaml
from bs4 import BeautifulSoup

PROJECT = Path(__file__).resolve().parents[1]
PUBLIC_URL = "http://localhost:8000"  # JINDALLAE_PUBLIC_URL of pelicanconf.py
SECTIONS = ("parks", "forums", "folk-arts", "policy", "events", "news")
LANG_PREFIX = {"zh": "", "ko": "ko/"}
HTML_LANG = {"zh": "zh-Hans", "ko": "ko"}


# ---------------------------------------------------------------------------------------------
# Content files


@dataclass
class Page:
    """One content file as an editor wrote it."""

    section: str
    slug: str
    lang: str
    path: Path
    meta: dict

    @property
    def published(self) -> bool:
        return self.meta.get("status", "published") == "published"

    @property
    def url(self) -> str:
        """Root-relative URL of the built page."""
        return f"/{LANG_PREFIX[self.lang]}{self.section}/{self.slug}/"

    @property
    def date(self) -> dt.date:
        return as_date(self.meta["date"])

    @property
    def sort_key(self) -> dt.datetime:
        return as_aware(self.meta["date"])


def as_date(value) -> dt.date:
    """A front-matter date (``date``, ``datetime`` or text) as a calendar ``date``."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip()[:10])


def as_aware(value) -> dt.datetime:
    from zoneinfo import ZoneInfo

    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=ZoneInfo("Asia/Shanghai"))
    text = str(value).strip().replace("T", " ")
    if len(text) == 10:
        return as_aware(dt.date.fromisoformat(text))
    return as_aware(dt.datetime.fromisoformat(text))


def read_front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), path
    head = text[4:].split("\n---\n", 1)[0]
    data = yaml.safe_load(head) or {}
    assert isinstance(data, dict), path
    return data


def content_pages(content: Path) -> list[Page]:
    """Every ``<section>/<slug>.<lang>.md`` under ``content``."""
    pages = []
    for section in SECTIONS:
        for path in sorted((content / section).glob("*.md")):
            slug, lang, _ = path.name.rsplit(".", 2)
            pages.append(Page(section, slug, lang, path, read_front_matter(path)))
    return pages


def published(content: Path) -> list[Page]:
    return [p for p in content_pages(content) if p.published]


def groups(pages: list[Page]) -> dict[tuple[str, str], dict[str, Page]]:
    """``(section, slug) -> {lang: page}`` over published pages."""
    out: dict[tuple[str, str], dict[str, Page]] = {}
    for p in pages:
        if p.published:
            out.setdefault((p.section, p.slug), {})[p.lang] = p
    return out


def zh_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def ko_date(d: dt.date) -> str:
    return f"{d.year}년 {d.month}월 {d.day}일"


LONG_DATE = {"zh": zh_date, "ko": ko_date}


# ---------------------------------------------------------------------------------------------
# Built output


def url_to_file(build: Path, url: str) -> Path | None:
    """The file under ``build`` that a root-relative or public URL names, or ``None`` when the URL
    is not ours.  ``/x/`` -> ``build/x/index.html``; ``/x.xml`` -> ``build/x.xml``."""
    if url.startswith(PUBLIC_URL + "/"):
        url = url[len(PUBLIC_URL):]
    path = unquote(urlsplit(url).path)
    if not path.startswith("/"):
        return None
    rel = path.lstrip("/")
    if path.endswith("/"):
        return build / rel / "index.html"
    target = build / rel
    if target.is_dir():
        return target / "index.html"
    return target


def page_url_of(build: Path, file: Path) -> str:
    """Root-relative URL of a built HTML file (``build/ko/x/index.html`` -> ``/ko/x/``)."""
    rel = file.relative_to(build).as_posix()
    if rel == "index.html":
        return "/"
    if rel.endswith("/index.html"):
        return "/" + rel[: -len("index.html")]
    return "/" + rel


def html_files(build: Path) -> list[Path]:
    return sorted(build.rglob("*.html"))


_SOUPS: dict[tuple[str, int], BeautifulSoup] = {}


def soup_of(file: Path) -> BeautifulSoup:
    """Parsed HTML of ``file`` (lxml), cached by path and modification time."""
    st = file.stat()
    key = (str(file), st.st_mtime_ns)
    if key not in _SOUPS:
        _SOUPS[key] = BeautifulSoup(file.read_bytes(), "lxml")
    return _SOUPS[key]


def ids_in(soup: BeautifulSoup) -> set[str]:
    return {el["id"] for el in soup.find_all(id=True)}


def hreflang_alternates(soup: BeautifulSoup) -> dict[str, str]:
    """``{hreflang: href}`` of ``<link rel="alternate" hreflang>`` in the head."""
    out = {}
    for link in soup.find_all("link", hreflang=True):
        rel = link.get("rel") or []
        if "alternate" in rel:
            assert link["hreflang"] not in out, f"duplicate hreflang {link['hreflang']}"
            out[link["hreflang"]] = link["href"]
    return out


def tree_hashes(root: Path) -> dict[str, str]:
    """``{relative path: sha256}`` of every file under ``root``."""
    out = {}
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            p = Path(dirpath) / name
            out[p.relative_to(root).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def resolve(base_url: str, ref: str) -> str:
    """Resolve ``ref`` found on the page at root-relative ``base_url``."""
    return urljoin(PUBLIC_URL + base_url, ref)


SKIP_SCHEMES = re.compile(r"^(mailto|tel|data):", re.I)


# ---------------------------------------------------------------------------------------------
# Projects


def make_project(root: Path, conf_text: str | None = None) -> Path:
    """A project folder at ``root`` with copies of this project's plugins and themes, its own
    pelicanconf.py (a copy, or ``conf_text``), content/ and .cache/ — so builds that keep a cache
    or CLI commands that write content never touch the real project, and edits to the real theme
    during a test run cannot change a build fingerprint mid-test."""
    root.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo")
    shutil.copytree(PROJECT / "plugins", root / "plugins", ignore=ignore)
    shutil.copytree(PROJECT / "themes", root / "themes", ignore=ignore)
    (root / "pelicanconf.py").write_text(conf_text if conf_text is not None
                                         else (PROJECT / "pelicanconf.py").read_text(encoding="utf-8"),
                                         encoding="utf-8")
    shutil.copy(PROJECT / "publishconf.py", root / "publishconf.py")
    (root / "content").mkdir(exist_ok=True)
    return root


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return root


def jpeg_bytes(color=(200, 60, 90), size=(64, 36)) -> bytes:
    """A small real JPEG made with Pillow."""
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "JPEG")
    return buf.getvalue()


def md(front: str, body: str = "正文。\n") -> str:
    """A content file from front-matter lines and a body."""
    return f"---\n{front.strip()}\n---\n\n{body}"


def parse(model, tmp_path: Path, rel: str, text: str):
    """Write one content file ``rel`` into a fresh folder and parse it with ``model``."""
    root = write_files(tmp_path / "c", {rel: text})
    return model.parse_file(root, root / rel)
