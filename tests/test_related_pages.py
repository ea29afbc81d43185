"""The "related pages" beside an article (plugins/multilingual RelatedIndex): the indexed lookup
gives exactly what comparing every pair of pages gives, on random sites."""

from __future__ import annotations

import datetime as dt
import random
import sys
from types import SimpleNamespace

from site_helpers import PROJECT

sys.path.insert(0, str(PROJECT / "plugins"))
from multilingual.generator import RelatedIndex  # noqa: E402


def by_comparing_all(pages, a, limit=4):
    """The definition: score 2 × shared tags + same section; best score, newest, slug first."""
    tags = {t.name for t in a.tags}
    scored = []
    for other in pages:
        if other is a:
            continue
        score = 2 * len(tags & {t.name for t in other.tags}) + (other.section == a.section)
        if score:
            scored.append((-score, -other.date.timestamp(), other.slug, other.section, other))
    return [row[-1] for row in sorted(scored, key=lambda r: r[:4])[:limit]]


def random_pages(rng, n, vocabulary):
    start = dt.datetime(2026, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    pages = []
    for i in range(n):
        tags = [SimpleNamespace(name=t) for t in rng.sample(vocabulary, rng.randint(0, min(6, len(vocabulary))))]
        pages.append(SimpleNamespace(
            slug=f"p{rng.randint(0, n)}", section=rng.choice(["news", "events", "parks", "policy"]),
            date=start + dt.timedelta(days=rng.randint(0, 30)), tags=tags, lang="zh"))
    return pages


def test_related_pages_match_the_all_pairs_definition():
    rng = random.Random(17)
    for trial in range(60):
        vocabulary = [f"t{k}" for k in range(rng.randint(1, 12))]
        pages = random_pages(rng, rng.randint(1, 80), vocabulary)
        index = RelatedIndex(pages)
        for a in pages:
            for limit in (1, 4, 9):
                assert index.related(a, limit) == by_comparing_all(pages, a, limit), (trial, a.slug)


def test_pages_with_nothing_in_common_are_not_related():
    rng = random.Random(3)
    pages = random_pages(rng, 5, ["a"])
    for p, section in zip(pages, ["news", "events", "parks", "policy", "forums"]):
        p.section, p.tags = section, []
    index = RelatedIndex(pages)
    assert all(index.related(p) == [] for p in pages)
