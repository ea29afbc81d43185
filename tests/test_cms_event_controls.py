"""The event's repeat and lunar-date choices in the CMS form (cms/forms.py repeat_choice,
lunar_choice, read_form; _field.html; static/event-controls.js): each choice saves the RFC 5545
RRULE or the lunar mapping, and the built calendar (.ics, parsed back with icalendar and
expanded with dateutil) has the right dates; a rule the choices cannot express is shown as
text with a note and kept byte for byte; a half-made choice is explained next to the field in
the editor's language; in Chromium the sub-choices show and hide, labelled in Chinese and
Korean."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import icalendar
import pytest
import yaml
from bs4 import BeautifulSoup
from dateutil.rrule import rrulestr

from cms_helpers import DEFAULT_PASSWORD, browser_form, git, login, make_cms

CHEAP = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 8192, "ARGON2_PARALLELISM": 1}


def event(slug: str, start: str, extra: str = "", n: int = 0) -> str:
    uid = f"6c1f0a52-0d7e-4b43-9d3f-2b8f8e0c{n:04d}"
    return (f"---\ntitle: 活动{slug}\ndate: 2026-11-01\nsummary: 一个重复的活动。\nstatus: published\nevent:\n"
            f"  id: {uid}\n  start: {start}\n  location: 延吉市人民公园\n{extra}---\n\n正文。\n")


# slug: (start, form choices, what the file gets, first dates)
REPEATS = {
    "weekly": ("2027-01-02", {"kind": "weekly", "weekday": "SA"}, "FREQ=WEEKLY;BYDAY=SA",
               ["2027-01-02", "2027-01-09", "2027-01-16", "2027-01-23"]),
    "monthly-15": ("2027-01-15", {"kind": "monthly-day", "monthday": "15"}, "FREQ=MONTHLY;BYMONTHDAY=15",
                   ["2027-01-15", "2027-02-15", "2027-03-15", "2027-04-15"]),
    "monthly-31": ("2027-01-31", {"kind": "monthly-day", "monthday": "31"}, "FREQ=MONTHLY;BYMONTHDAY=31",
                   ["2027-01-31", "2027-03-31", "2027-05-31", "2027-07-31"]),  # months without a 31st skipped
    "second-saturday": ("2027-01-09", {"kind": "monthly-weekday", "nth": "2", "weekday": "SA"}, "FREQ=MONTHLY;BYDAY=2SA",
                        ["2027-01-09", "2027-02-13", "2027-03-13", "2027-04-10"]),
    "last-sunday": ("2027-01-31", {"kind": "monthly-weekday", "nth": "-1", "weekday": "SU"}, "FREQ=MONTHLY;BYDAY=-1SU",
                    ["2027-01-31", "2027-02-28", "2027-03-28", "2027-04-25"]),
    "yearly": ("2027-03-08", {"kind": "yearly"}, "FREQ=YEARLY", ["2027-03-08", "2028-03-08", "2029-03-08"]),
}
# slug: (start, choices, the mapping written, first dates: the Chinese calendar's, from lunar-python)
LUNARS = {
    "zhong-qiu": ("2027-09-15", {"month": "8", "day": "15"}, {"month": 8, "day": 15},
                  ["2027-09-15", "2028-10-03", "2029-09-22", "2030-09-12"]),
    "run-liu-yue": ("2025-07-25", {"month": "6", "day": "1", "leap": "true"}, {"month": 6, "day": 1, "leap": True},
                    ["2025-07-25", "2036-07-23"]),  # only years with a leap sixth month
}
KEPT = {
    # rules the choices cannot express: shown as text, kept as written
    "events/ge-zhou.zh.md": event("ge-zhou", "2027-01-02", "  repeat: FREQ=WEEKLY;INTERVAL=2;BYDAY=SA  # 隔周六\n", 90),
    "events/san-nian.zh.md": event("san-nian", "2027-02-20", "  lunar: {month: 1, day: 15, count: 3}\n", 91),
    # expressible, but written otherwise than the choices would write it
    "events/xiao-xie.zh.md": event("xiao-xie", "2027-01-09", "  repeat: freq=monthly;byday=+2sa\n", 92),
    "events/kuai-shi.zh.md": event("kuai-shi", "2027-09-15", "  lunar:\n    month: 8  # 中秋\n    day: 15\n", 93),
}


def files() -> dict[str, str]:
    out = {f"events/{slug}.zh.md": event(slug, start, n=i) for i, (slug, (start, *_)) in enumerate(REPEATS.items())}
    out.update({f"events/{slug}.zh.md": event(slug, start, n=50 + i) for i, (slug, (start, *_)) in enumerate(LUNARS.items())})
    out.update(KEPT)
    return out


@pytest.fixture
def cms(tmp_path):
    users = {"ed": {"roles": ["editor", "reviewer"], "ui_lang": "zh"}, "ko": {"roles": ["editor", "reviewer"], "ui_lang": "ko"}}
    app, client = make_cms(tmp_path, users=users, content_files=files(), config=CHEAP)
    login(client, "ed")
    return app, client


def content(app) -> Path:
    return Path(app.config["CONTENT_DIR"])


def form_of(client, rel: str) -> tuple[dict[str, str], BeautifulSoup]:
    r = client.get(f"/edit/{rel}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    return browser_form(html), BeautifulSoup(html, "html.parser")


def event_block(app, rel: str) -> dict:
    text = (content(app) / rel).read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1])["event"]


def ics_dates(path: Path, count: int) -> list[str]:
    """The first ``count`` dates of the one event in the .ics at ``path``: DTSTART, RRULE
    (expanded with dateutil), RDATEs, less EXDATEs."""
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    (vevent,) = cal.walk("VEVENT")
    start = vevent.decoded("DTSTART")
    start_dt = start if isinstance(start, dt.datetime) else dt.datetime.combine(start, dt.time())
    found = {start_dt.date()}
    if "RRULE" in vevent:
        rule = rrulestr(vevent["RRULE"].to_ical().decode(), dtstart=start_dt)
        found |= {d.date() for d in rule.between(start_dt, start_dt + dt.timedelta(days=3700), inc=True)}
    rdates = vevent.get("RDATE") or []
    for rd in rdates if isinstance(rdates, list) else [rdates]:
        found |= {(p.dt.date() if isinstance(p.dt, dt.datetime) else p.dt) for p in rd.dts}
    return [d.isoformat() for d in sorted(found)][:count]


def test_each_choice_saves_the_rule_and_the_calendar_has_its_dates(cms):
    from jindallae.build import build

    app, client = cms
    for slug, (_start, choices, rule, _dates) in REPEATS.items():
        rel = f"events/{slug}.zh.md"
        data, soup = form_of(client, rel)
        assert soup.find("select", id="f-event-repeat").find("option", selected=True)["value"] == ""  # none yet
        data.update({f"event.repeat.{k}": v for k, v in choices.items()})
        r = client.post(f"/edit/{rel}", data=data)
        assert r.status_code == 302, (slug, r.get_data(as_text=True)[:3000])
        assert event_block(app, rel)["repeat"] == rule, slug
        # shown as the same choices again
        _data, soup = form_of(client, rel)
        assert soup.find("select", id="f-event-repeat").find("option", selected=True)["value"] == choices["kind"]
    for slug, (_start, choices, mapping, _dates) in LUNARS.items():
        rel = f"events/{slug}.zh.md"
        data, _soup = form_of(client, rel)
        data.update({f"event.lunar.{k}": v for k, v in choices.items()})
        r = client.post(f"/edit/{rel}", data=data)
        assert r.status_code == 302, (slug, r.get_data(as_text=True)[:3000])
        assert event_block(app, rel)["lunar"] == mapping, slug
        text = (content(app) / rel).read_text(encoding="utf-8")
        assert "  lunar: {month: " in text  # one line, as the handbook writes it
    out = Path(app.config["PROJECT_DIR"]) / "out"
    build(Path(app.config["PROJECT_DIR"]), content(app), out, progress=False, cache=False)
    for slug, (*_rest, dates) in {**REPEATS, **LUNARS}.items():
        assert ics_dates(out / "events" / slug / f"{slug}.ics", len(dates)) == dates, slug


def test_no_repeat_removes_the_rule(cms):
    app, client = cms
    rel = "events/xiao-xie.zh.md"
    data, _soup = form_of(client, rel)
    data["event.repeat.kind"] = ""
    assert client.post(f"/edit/{rel}", data=data).status_code == 302
    assert "repeat" not in event_block(app, rel)


@pytest.mark.parametrize("rel, line, name", [
    ("events/ge-zhou.zh.md", "  repeat: FREQ=WEEKLY;INTERVAL=2;BYDAY=SA  # 隔周六\n", "event.repeat"),
    ("events/san-nian.zh.md", "  lunar: {month: 1, day: 15, count: 3}\n", "event.lunar"),
])
def test_a_rule_the_choices_cannot_express_is_shown_as_text_and_kept(cms, rel, line, name):
    app, client = cms
    before = (content(app) / rel).read_bytes()
    data, soup = form_of(client, rel)
    field = soup.find("input", attrs={"name": name})
    assert field is not None and field["type"] == "text"
    assert soup.find("select", attrs={"name": f"{name}.kind"}) is None and soup.find("select", attrs={"name": f"{name}.month"}) is None
    assert "按原样保留" in soup.find(id=f"f-{name.replace('.', '-')}-kept").get_text()
    commits = git(Path(app.config["PROJECT_DIR"]), "rev-list", "--count", "HEAD")
    assert client.post(f"/edit/{rel}", data=data).status_code == 302
    assert (content(app) / rel).read_bytes() == before  # byte-identical
    assert git(Path(app.config["PROJECT_DIR"]), "rev-list", "--count", "HEAD") == commits
    data["event.location"] = "延吉市文化广场"
    assert client.post(f"/edit/{rel}", data=data).status_code == 302
    text = (content(app) / rel).read_text(encoding="utf-8")
    assert "延吉市文化广场" in text and line in text  # the rule's line as it was


def test_rules_written_otherwise_show_as_choices_and_stay_as_written(cms):
    app, client = cms
    for rel in ("events/xiao-xie.zh.md", "events/kuai-shi.zh.md"):
        before = (content(app) / rel).read_bytes()
        data, _soup = form_of(client, rel)
        assert client.post(f"/edit/{rel}", data=data).status_code == 302
        assert (content(app) / rel).read_bytes() == before, rel
    data, soup = form_of(client, "events/xiao-xie.zh.md")
    assert (data["event.repeat.kind"], data["event.repeat.nth"], data["event.repeat.weekday"]) == ("monthly-weekday", "2", "SA")
    data, soup = form_of(client, "events/kuai-shi.zh.md")
    assert (data["event.lunar.month"], data["event.lunar.day"]) == ("8", "15") and "event.lunar.leap" not in data
    # A change of the day is made in the block itself: its layout and comment stay.
    data.update({"event.lunar.day": "16", "event.start": "2027-09-16"})
    r = client.post("/edit/events/kuai-shi.zh.md", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    text = (content(app) / "events/kuai-shi.zh.md").read_text(encoding="utf-8")
    assert "  lunar:\n    month: 8  # 中秋\n    day: 16\n" in text


@pytest.mark.parametrize("user, message", [("ed", "请同时选择农历的月和日"), ("ko", "음력 달과 날을 함께 고르거나")])
def test_half_a_lunar_date_is_explained_next_to_the_field(cms, user, message):
    app, client = cms
    client = app.test_client()
    login(client, user)
    rel = "events/zhong-qiu.zh.md"
    before = (content(app) / rel).read_bytes()
    data, _soup = form_of(client, rel)
    data["event.lunar.month"] = "8"
    r = client.post(f"/edit/{rel}", data=data)
    assert r.status_code == 422
    soup = BeautifulSoup(r.get_data(as_text=True), "html.parser")
    assert message in soup.find(id="f-event-lunar-err").get_text()
    assert soup.find("select", id="f-event-lunar").find("option", selected=True)["value"] == "8"  # kept
    assert (content(app) / rel).read_bytes() == before


def test_a_start_off_the_rule_is_the_models_message_in_the_editors_language(cms):
    app, client = cms
    rel = "events/weekly.zh.md"
    data, _soup = form_of(client, rel)
    data.update({"event.repeat.kind": "weekly", "event.repeat.weekday": "SU"})  # the start is a Saturday
    r = client.post(f"/edit/{rel}", data=data)
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "不符合重复规则" in page and "2027-01-03" in page


def test_new_event_with_a_repeat_choice(cms):
    app, client = cms
    page = client.get("/new?section=events&lang=zh").get_data(as_text=True)
    soup = BeautifulSoup(page, "html.parser")
    data = browser_form(str(soup), "new-form")
    data.update({"title": "每月读书会", "event.start": "2027-01-09", "event.location": "延吉市图书馆",
                 "event.repeat.kind": "monthly-weekday", "event.repeat.nth": "2", "event.repeat.weekday": "SA",
                 "slug": "du-shu-hui", "body": "正文。"})
    r = client.post("/new", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    assert event_block(app, "events/du-shu-hui.zh.md")["repeat"] == "FREQ=MONTHLY;BYDAY=2SA"
    assert "lunar" not in event_block(app, "events/du-shu-hui.zh.md")


@pytest.mark.parametrize("user, labels", [
    ("ed", {"kind": "每月第几个星期几", "nth": "每月第几周", "weekday": "星期", "monthday": "每月几日", "leap": "闰月",
            "month8": "8月（八月）", "saturday": "星期六"}),
    ("ko", {"kind": "매월 몇째 주 무슨 요일", "nth": "몇째 주", "weekday": "요일", "monthday": "날짜", "leap": "윤달",
            "month8": "8월", "saturday": "토요일"}),
])
def test_sub_choices_show_and_hide_in_the_browser(cms, browser, user, labels):
    """Chromium: choosing the kind of repeat shows only the inputs it needs, labelled in the
    editor's language; no script error or CSP violation."""
    from test_cms_security import serve_app

    app, _client = cms
    rel = "events/weekly.zh.md"
    with serve_app(app) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(f"{base}/login?next=/edit/{rel}")
        page.fill("#username", user)
        page.fill("#password", DEFAULT_PASSWORD)
        page.press("#password", "Enter")
        page.wait_for_url(f"{base}/edit/{rel}")
        page.evaluate("() => document.querySelector('details.event-fields').open = true")
        kind, nth = page.locator("#f-event-repeat"), page.locator("#f-event-repeat-nth")
        weekday, monthday = page.locator("#f-event-repeat-weekday"), page.locator("#f-event-repeat-monthday")
        # none chosen yet: no sub-choice shown
        assert not nth.is_visible() and not weekday.is_visible() and not monthday.is_visible()
        kind.select_option("monthly-weekday")
        assert nth.is_visible() and weekday.is_visible() and not monthday.is_visible()
        assert page.locator("label[for=f-event-repeat-nth]").inner_text() == labels["nth"]
        assert page.locator("label[for=f-event-repeat-weekday]").inner_text() == labels["weekday"]
        assert kind.locator("option:checked").inner_text() == labels["kind"]
        assert weekday.locator("option:checked").inner_text() == labels["saturday"]  # the start's weekday
        kind.select_option("weekly")
        assert weekday.is_visible() and not nth.is_visible() and not monthday.is_visible()
        kind.select_option("monthly-day")
        assert monthday.is_visible() and not weekday.is_visible()
        assert page.locator("label[for=f-event-repeat-monthday]").inner_text() == labels["monthday"]
        kind.select_option("yearly")
        assert not monthday.is_visible() and not weekday.is_visible() and not nth.is_visible()
        assert page.locator("label[for=f-event-lunar-leap]").inner_text() == labels["leap"]
        assert page.locator("#f-event-lunar option[value='8']").inner_text() == labels["month8"]
        # what is shown is what is saved
        kind.select_option("weekly")
        page.click("#page-form button[name=save]")
        page.wait_for_load_state()
        context.close()
    assert problems == []
    assert event_block(app, rel)["repeat"] == "FREQ=WEEKLY;BYDAY=SA"


@pytest.mark.parametrize("lang, expected", [
    ("zh", ["“重复”和“每年农历日期”只能写一个", "字段“停办日期”", "大标题：字体"]),
    ("ko", ["'반복'", "'매년 음력 날짜'", "항목 '쉬는 날짜'", "큰 제목: 글꼴"]),
])
def test_front_matter_keys_in_messages_become_the_forms_labels(cms, lang, expected):
    """Messages of the content model and the posters plugin name fields by their front-matter
    keys (event.repeat, 字段“event.except”, 항목 'poster.headline'); the CMS shows the labels
    the editor sees next to the controls instead, in the UI language."""
    from cms.forms import with_labels

    app, _client = cms
    messages = {"zh": ["event.repeat 和 event.lunar 只能写一个", "字段“event.except”：“明天”不是有效日期",
                       "大标题：poster.headline：字体缺少这些字"],
                "ko": ["event.repeat와 event.lunar 중 하나만 쓰세요", "항목 'event.except': 날짜가 아닙니다",
                       "큰 제목: poster.headline: 글꼴에 없는 글자"]}[lang]
    with app.test_request_context(headers={"Accept-Language": lang}):
        shown = " | ".join(with_labels(m) for m in messages)
    for part in expected:
        assert part in shown, shown
    assert "event." not in shown and "poster." not in shown, shown
    with app.test_request_context(headers={"Accept-Language": lang}):
        assert with_labels("字段“event.nosuch”") == "字段“event.nosuch”"  # no label: left as written
