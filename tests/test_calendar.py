"""The event calendar (plugins/event_calendar): iCalendar files (cases E2-E7), calendar pages and
month grids (E3, lunar labels), schema.org JSON-LD, bad input, the starter site.

Every .ics is parsed back with icalendar and with ``ical`` (an independent, stricter parser),
and checked line by line: at most 75 octets, CRLF, valid UTF-8 on its own, a UTC DTSTAMP, a
VTIMEZONE for every TZID, unique UIDs.  Expectations are written out here, not computed with
the code under test.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from bs4 import BeautifulSoup
from ical.calendar_stream import IcsCalendarStream

from jindallae.build import BuildError, build
from site_helpers import PROJECT, PUBLIC_URL, content_pages, make_project, md, tree_hashes, write_files

SHANGHAI = ZoneInfo("Asia/Shanghai")
ZH_30 = "延边朝鲜族自治州人口文化与幸福家庭建设经验交流座谈会暨表彰会"  # 30 Han characters
KO_LONG = "연변조선족자치주 인구문화와 행복가정 건설 경험 교류 좌담회 및 선진 표창대회"
LOCATION_E6 = "延吉市, 人民广场; 东门\\北侧\n二楼，三号厅；"
SUMMARY_E6 = "报名, 咨询; 路径 C:\\活动\n请提前到场，谢谢；"

CONTENT = {
    # E1 / E7: Mid-Autumn, every year on lunar 8/15, six times from 2025
    "events/zhong-qiu-tuan-yuan.zh.md": md("""
title: 中秋团圆诗会
date: 2025-09-01
summary: 每年中秋之夜，在人民公园赏月读诗。
event:
  id: 3d7c51c8-4f6e-4c21-a6a4-2a1e0f6b9c01
  start: 2025-10-06 19:00
  end: 2025-10-06 21:00
  location: 延吉市人民公园
  address: 吉林省延边朝鲜族自治州延吉市
  lunar: {month: 8, day: 15, count: 6}
"""),
    "events/zhong-qiu-tuan-yuan.ko.md": md("""
title: 추석 달맞이 시 낭송회
date: 2025-09-01
summary: 해마다 추석 밤에 인민공원에서 달을 보며 시를 읽는다.
event:
  id: 3d7c51c8-4f6e-4c21-a6a4-2a1e0f6b9c01
  start: 2025-10-06 19:00
  end: 2025-10-06 21:00
  location: 연길시 인민공원
  lunar: {month: 8, day: 15, count: 6}
"""),
    # E7: Elderly Day, 15 August (Gregorian) every year, all day
    "events/lao-ren-jie.zh.md": md("""
title: 朝鲜族老年节
date: 2026-07-01
summary: 每年8月15日是延边朝鲜族老年节。
event:
  id: 8a0f3b1e-5c2d-4e7f-9a6b-1c2d3e4f5a60
  start: 2026-08-15
  location: 延吉市人民公园
  repeat: FREQ=YEARLY
"""),
    # E3: all day, 2026-10-31 to 2026-11-04 inclusive; E6: punctuation to escape
    "events/song-xi-xia-xiang.zh.md": md(f"""
title: 二人转送戏下乡
date: 2026-10-01
summary: {json.dumps(SUMMARY_E6, ensure_ascii=False)}
event:
  id: 5b9e2c4d-1a3f-4e6b-8c7d-9e0f1a2b3c40
  start: 2026-10-31
  end: 2026-11-04
  location: {json.dumps(LOCATION_E6, ensure_ascii=False)}
"""),
    # E2: long titles; E4: 09:30 Beijing time; organizer, registration, contact
    "events/jing-yan-jiao-liu.zh.md": md(f"""
title: {ZH_30}
date: 2026-11-01
summary: 交流创建幸福家庭的经验。
event:
  id: 1e2d3c4b-5a69-4788-a7b6-c5d4e3f2a1b0
  start: 2026-12-10 09:30
  end: 2026-12-10 11:30
  location: 延吉市会议中心
  address: 吉林省延边朝鲜族自治州延吉市
  organizer: 延边州人口计生委
  registration: 各县市推荐代表
  contact: 0433-2512345
"""),
    "events/jing-yan-jiao-liu.ko.md": md(f"""
title: {KO_LONG}
date: 2026-11-01
summary: 행복가정 창건 경험을 나눈다.
event:
  id: 1e2d3c4b-5a69-4788-a7b6-c5d4e3f2a1b0
  start: 2026-12-10 09:30
  end: 2026-12-10 11:30
  location: 연길시 회의센터
  address: 길림성 연변조선족자치주 연길시
  organizer: 연변주인구계획생육위원회
"""),
    # E4: a time written in UTC stays UTC (Z, no TZID)
    "events/xian-shang-jiang-zuo.zh.md": md("""
title: 线上健康讲座
date: 2026-11-01
event:
  id: 7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910
  start: 2026-12-11 01:30Z
  end: 2026-12-11 02:30Z
  location: 网上
"""),
    # status, weekly repeat with an exception
    "events/qu-xiao-de-huo-dong.zh.md": md("""
title: 已取消的广场舞比赛
date: 2026-11-01
event:
  id: 0a1b2c3d-4e5f-4061-8273-94a5b6c7d8e9
  start: 2026-12-05
  location: 延吉市人民广场
  status: cancelled
"""),
    "events/yan-qi-de-huo-dong.ko.md": md("""
title: 연기된 농악무 공연
date: 2026-11-01
event:
  id: 9e8d7c6b-5a49-4382-9170-f6e5d4c3b2a1
  start: 2026-12-19 14:00
  end: 2026-12-19 16:00
  location: 룡정시 문화관
  status: postponed
  repeat: FREQ=WEEKLY;COUNT=3
  except: [2026-12-26]
"""),
    # an event block in another section; one without an id (on the pages, not in the .ics files)
    "forums/nian-zhong-zuo-tan.zh.md": md("""
title: 年终座谈
date: 2026-11-01
summary: 年终座谈会。
event:
  id: 2c3d4e5f-6a7b-4c8d-9e0f-a1b2c3d4e5f6
  start: 2026-12-20 09:00
  end: 2026-12-20 11:00
  location: 长春市
"""),
    "forums/mei-you-bian-hao.zh.md": md("""
title: 没有编号的座谈
date: 2026-11-01
summary: 没有编号。
event:
  start: 2026-12-21
  location: 长春市
"""),
    "news/xin-wen.zh.md": md("title: 一条新闻\ndate: 2026-11-02"),
}


def ics_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.ics"))


def unfold(data: bytes) -> list[str]:
    """Content lines (RFC 5545 3.1: CRLF followed by one space or tab continues a line)."""
    return re.sub(rb"\r\n[ \t]", b"", data).decode("utf-8").split("\r\n")[:-1]


def prop(data: bytes, name: str, component: str = "VEVENT") -> list[str]:
    """Every unfolded ``NAME[;params]:value`` line of property ``name`` inside ``component``s."""
    found, inside = [], []
    for line in unfold(data):
        if line.startswith("BEGIN:"):
            inside.append(line[6:])
        elif line.startswith("END:"):
            inside.pop()
        elif inside and inside[-1] == component and re.match(rf"{name}[;:]", line):
            found.append(line)
    return found


def vevents(data: bytes) -> list[str]:
    """The unfolded text of each VEVENT."""
    text = "\n".join(unfold(data))
    return re.findall(r"BEGIN:VEVENT\n(.*?)\nEND:VEVENT", text, re.S)


def check_ics(path: Path) -> icalendar.Calendar:
    """The checks every .ics must pass; returns the icalendar parse."""
    data = path.read_bytes()
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n"), path
    physical = data.split(b"\r\n")[:-1]
    for line in physical:
        assert b"\n" not in line and b"\r" not in line, (path, line)  # CRLF only, no bare LF
        assert len(line) <= 75, (path, len(line), line)  # octets, not characters
        line.decode("utf-8")  # no UTF-8 sequence split across a fold
    cal = icalendar.Calendar.from_ical(data)  # parser 1
    strict = IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))  # parser 2 (raises on errors)
    uids = [str(e["UID"]) for e in cal.walk("VEVENT")]
    assert len(uids) == len(set(uids)) and len(uids) == len(strict.events), path
    assert sorted(uids) == sorted(e.uid for e in strict.events)
    for line in prop(data, "DTSTAMP"):
        assert re.fullmatch(r"DTSTAMP:\d{8}T\d{6}Z", line), (path, line)
    tzids = set(re.findall(r";TZID=([^:;]+)", "\n".join(unfold(data))))
    defined = {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")}
    assert tzids <= defined, (path, tzids, defined)
    assert {tz.tz_id for tz in strict.timezones} == defined
    assert not re.search(r"TZID=(CST|PRC|China)", data.decode("utf-8"))
    return cal


def event_of(cal: icalendar.Calendar, uid: str):
    found = [e for e in cal.walk("VEVENT") if str(e["UID"]) == uid]
    assert len(found) == 1, uid
    return found[0]


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_bytes(), "lxml")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("calendar")
    content = write_files(base / "content", CONTENT)
    out = base / "build"
    result = build(PROJECT, content, out, progress=False, cache=False)
    return {"out": out, "content": content, "base": base, "result": result}


@pytest.fixture(scope="module")
def out(built) -> Path:
    return built["out"]


# ---------------------------------------------------------------------------------------------
# Every file valid, for phones and desktop clients


def test_every_ics_passes_both_parsers_and_the_line_checks(out):
    files = ics_files(out)
    names = {p.relative_to(out).as_posix() for p in files}
    assert {"calendar/all.ics", "ko/calendar/all.ics", "calendar/events.ics", "calendar/forums.ics",
            "events/song-xi-xia-xiang/song-xi-xia-xiang.ics", "ko/events/jing-yan-jiao-liu/jing-yan-jiao-liu.ics"} <= names
    assert "forums/mei-you-bian-hao/mei-you-bian-hao.ics" not in names  # no event.id, no .ics
    assert "ko/calendar/forums.ics" not in names  # no Korean forum events
    for path in files:
        check_ics(path)


def test_calendars_are_icalendars_own_serialisation_with_shared_events(out):
    """Each VEVENT is serialised once per build and every calendar is joined around it
    (plugins/event_calendar/ics.py ``calendar_bytes``): the bytes must be exactly what icalendar
    writes for the whole calendar, and an event's VEVENT the same in its own file and in its
    section's and language's calendars."""
    blocks = {}
    for path in ics_files(out):
        data = path.read_bytes()
        assert icalendar.Calendar.from_ical(data).to_ical() == data, path
        blocks[path.relative_to(out).as_posix()] = re.findall(rb"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", data, re.S)
    own = blocks["events/song-xi-xia-xiang/song-xi-xia-xiang.ics"]
    assert len(own) == 1
    assert own[0] in blocks["calendar/all.ics"] and own[0] in blocks["calendar/events.ics"]
    ko_own = blocks["ko/events/jing-yan-jiao-liu/jing-yan-jiao-liu.ics"]
    assert len(ko_own) == 1 and ko_own[0] in blocks["ko/calendar/all.ics"]
    assert ko_own[0] not in blocks["calendar/all.ics"]  # the Korean text is its own VEVENT


def test_feeds_list_each_languages_events(out):
    zh = check_ics(out / "calendar/all.ics")
    ko = check_ics(out / "ko/calendar/all.ics")
    assert len(list(zh.walk("VEVENT"))) == 7  # every zh event with an id (the forum one too)
    assert len(list(ko.walk("VEVENT"))) == 3
    assert {str(e["UID"]) for e in check_ics(out / "calendar/forums.ics").walk("VEVENT")} == {
        "2c3d4e5f-6a7b-4c8d-9e0f-a1b2c3d4e5f6"}
    assert str(zh["X-WR-CALNAME"]) == "吉林人口文化 · 活动日历"
    assert str(ko["X-WR-CALNAME"]) == "길림 인구문화 · 행사 달력"


def test_ics_files_link_from_pages_and_calendar_is_reached_from_events(out):
    page = soup(out / "events/lao-ren-jie/index.html")
    link = page.select_one('a[type="text/calendar"]')
    assert link["href"] == "/events/lao-ren-jie/lao-ren-jie.ics"
    assert link.get_text(strip=True) == "添加到手机日历"
    assert link.find_next_sibling(class_="file-meta").get_text(strip=True) == "（日历文件，1\u00a0KB）"  # no break before the unit
    section = soup(out / "events/index.html")
    assert "/calendar/" in {a["href"] for a in section.select("main a")}


# ---------------------------------------------------------------------------------------------
# E2: folding of long Chinese and Korean summaries


@pytest.mark.parametrize("rel, title", [
    ("events/jing-yan-jiao-liu/jing-yan-jiao-liu.ics", ZH_30),
    ("ko/events/jing-yan-jiao-liu/jing-yan-jiao-liu.ics", KO_LONG),
])
def test_E2_long_summary_folds_at_75_octets_on_character_boundaries(out, rel, title):
    assert len(ZH_30) == 30 and all("\u4e00" <= c <= "\u9fff" for c in ZH_30)
    data = (out / rel).read_bytes()
    raw = data.split(b"\r\n")
    start = next(i for i, line in enumerate(raw) if line.startswith(b"SUMMARY:"))
    end = start + 1
    while raw[end].startswith(b" "):
        end += 1
    physical = raw[start:end]
    assert len(physical) >= 2, "the summary is long enough to be folded"
    for line in physical:
        assert len(line) <= 75
        line.decode("utf-8")  # each physical line is valid UTF-8 on its own
    assert (physical[0] + b"".join(line[1:] for line in physical[1:])).decode("utf-8") == f"SUMMARY:{title}"
    assert data.count(b"\r\n") == data.count(b"\n")  # every line ends in CRLF
    cal = check_ics(out / rel)
    assert str(event_of(cal, "1e2d3c4b-5a69-4788-a7b6-c5d4e3f2a1b0")["SUMMARY"]) == title
    strict = IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    assert strict.events[0].summary == title


# ---------------------------------------------------------------------------------------------
# E3: all-day events with an exclusive end, across a month boundary


def test_E3_all_day_event_has_date_values_and_exclusive_end(out):
    data = (out / "events/song-xi-xia-xiang/song-xi-xia-xiang.ics").read_bytes()
    assert prop(data, "DTSTART") == ["DTSTART;VALUE=DATE:20261031"]
    assert prop(data, "DTEND") == ["DTEND;VALUE=DATE:20261105"]
    strict = IcsCalendarStream.calendar_from_ics(data.decode("utf-8")).events[0]
    assert (strict.dtstart, strict.dtend) == (dt.date(2026, 10, 31), dt.date(2026, 11, 5))
    assert "VTIMEZONE" not in data.decode("utf-8")  # no times, no zone needed


def cells_with(page: Path, href: str) -> list[str]:
    """Dates (YYYY-MM-DD) of the month grid's day cells that link to ``href``."""
    doc = soup(page)
    found = []
    for td in doc.select("table.month-grid td.day"):
        if td.select_one(f'a[href="{href}"]'):
            found.append(td.select_one("time")["datetime"])
    return found


@pytest.mark.parametrize("prefix", ["", "ko/"])
def test_E3_month_grids_show_the_event_on_each_of_its_five_days(out, prefix):
    href = "/events/song-xi-xia-xiang/"
    if prefix:  # the event has no Korean version: the Korean grids do not show it
        assert cells_with(out / "ko/calendar/2026/10/index.html", href) == []
        return
    october = cells_with(out / "calendar/2026/10/index.html", href)
    november = cells_with(out / "calendar/2026/11/index.html", href)
    assert october == ["2026-10-31"]
    assert november == ["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04"]
    assert len(october + november) == 5
    # the time is shown on the first day only; the other days are marked as continued
    items = soup(out / "calendar/2026/11/index.html").select(f'li:has(> a[href="{href}"])')
    assert all("continued" in li["class"] for li in items)


def test_month_grid_shows_multi_day_timed_event_and_prev_next_links(out):
    page = out / "ko/calendar/2026/12/index.html"
    assert cells_with(page, "/ko/events/jing-yan-jiao-liu/") == ["2026-12-10"]
    doc = soup(page)
    assert doc.select_one('a[rel="prev"]')["href"] == "/ko/calendar/2026/11/"
    assert doc.select_one('a[rel="next"]')["href"] == "/ko/calendar/2027/01/"
    assert doc.select_one("h1").get_text(strip=True) == "2026년 12월"
    first = soup(out / "calendar/2025/10/index.html")
    assert first.select_one('a[rel="prev"]') is None  # the first month: the earliest event
    headers = [th.get_text(strip=True) for th in doc.select("table.month-grid th")]
    assert headers == ["일", "월", "화", "수", "목", "금", "토"]  # Korean weeks start on Sunday (CLDR)
    zh_headers = [th.get_text(strip=True) for th in soup(out / "calendar/2026/12/index.html").select("table.month-grid th")]
    assert zh_headers == ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]


# ---------------------------------------------------------------------------------------------
# Lunar dates in the day cells


def lunar_cell(page: Path, day: str):
    for td in soup(page).select("table.month-grid td.day"):
        if td.select_one("time")["datetime"] == day:
            return td
    raise AssertionError(f"no cell {day} in {page}")


def lunar_label(page: Path, day: str) -> str:
    """The short lunar date a day cell shows (the whole date is written out once a month and on
    festivals; screen readers always get it whole)."""
    return lunar_cell(page, day).select_one(".lunar .lunar-short").get_text(strip=True)


@pytest.mark.parametrize("day, zh, ko", [
    ("2026-10-18", "初九", "9.9"),  # 重阳 (E1)
    ("2027-02-06", "正月", "1.1"),  # 春节: the month's name on its first day (E1)
    ("2027-02-07", "初二", "1.2"),
    ("2026-09-25", "十五", "8.15"),  # 中秋
    ("2026-10-10", "九月", "9.1"),
    ("2026-11-29", "廿一", "10.21"),
])
def test_E1_lunar_labels_in_day_cells(out, day, zh, ko):
    y, m, _ = day.split("-")
    assert lunar_label(out / f"calendar/{y}/{m}/index.html", day) == zh
    assert lunar_label(out / f"ko/calendar/{y}/{m}/index.html", day) == ko


def test_E1_lunar_dates_are_labelled_once_a_month_and_on_festivals(out):
    """The whole lunar date (农历 / 음력) is shown on the month's first day (grid), the first day
    listed on phones and festivals; screen readers read it whole in every cell."""
    page = out / "ko/calendar/2026/10/index.html"
    first = lunar_cell(page, "2026-10-01").select_one(".lunar")
    assert "full-wide" in first["class"] or "full-all" in first["class"]
    assert first.select_one(".lunar-long").get_text(strip=True) == "음력 8월 21일"
    festival = lunar_cell(page, "2026-10-18")  # 重阳 / 중양절
    assert "full-all" in festival.select_one(".lunar")["class"]
    assert festival.select_one(".lunar-festival").get_text(strip=True) == "중양절"
    assert lunar_cell(out / "calendar/2026/10/index.html", "2026-10-18").select_one(".lunar-festival").get_text() == "重阳节"
    plain = lunar_cell(page, "2026-10-02").select_one(".lunar")
    assert not [c for c in plain["class"] if c.startswith("full-")]
    assert plain.select_one(".visually-hidden").get_text(strip=True) == "음력 8월 22일"
    assert len(soup(page).select(".lunar.full-wide, .lunar.full-narrow, .lunar.full-all")) <= 4


def test_E1_lunar_event_appears_on_the_chinese_dates(out):
    href = "/events/zhong-qiu-tuan-yuan/"
    assert cells_with(out / "calendar/2025/10/index.html", href) == ["2025-10-06"]
    assert cells_with(out / "calendar/2026/09/index.html", href) == ["2026-09-25"]
    assert cells_with(out / "calendar/2027/09/index.html", href) == ["2027-09-15"]
    assert cells_with(out / "ko/calendar/2027/09/index.html", "/ko/events/zhong-qiu-tuan-yuan/") == ["2027-09-15"]
    def rows(path: Path) -> dict[str, str]:
        box = soup(path).select_one(".event-box")
        return {div.dt.get_text(strip=True): re.sub(r"\s+", " ", div.dd.get_text()).strip() for div in box.select("dl > div")}

    zh = rows(out / "events/zhong-qiu-tuan-yuan/index.html")
    assert zh["重复"] == "每年农历八月十五"
    assert zh["近期日期"] == "2027年9月15日星期三 19:00 – 21:00"  # the next date (today is 2026-11-29)
    # a date and a same-day range of times are never split across lines ("星期" / "三",
    # "19:00 –" / "21:00" on a phone)
    spans = soup(out / "events/zhong-qiu-tuan-yuan/index.html").select(".next-dates li")[0].select(".nobr")
    assert [t.get_text() for t in spans] == ["2027年9月15日星期三", "19:00\u00a0–\u00a021:00"]
    ko = rows(out / "ko/events/zhong-qiu-tuan-yuan/index.html")
    assert ko["반복"] == "매년 음력 8월 15일"


# ---------------------------------------------------------------------------------------------
# E4: time zones


def test_E4_times_carry_tzid_with_a_vtimezone_and_utc_stays_utc(out):
    data = (out / "events/jing-yan-jiao-liu/jing-yan-jiao-liu.ics").read_bytes()
    assert prop(data, "DTSTART") == ["DTSTART;TZID=Asia/Shanghai:20261210T093000"]
    assert prop(data, "DTEND") == ["DTEND;TZID=Asia/Shanghai:20261210T113000"]
    cal = check_ics(out / "events/jing-yan-jiao-liu/jing-yan-jiao-liu.ics")
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    offsets = prop(data, "TZOFFSETTO", "STANDARD") + prop(data, "TZOFFSETTO", "DAYLIGHT")
    assert offsets and all(line.endswith("+0800") for line in offsets)
    assert b"CST" not in data and b"PRC" not in data
    # a client set to Beijing time imports 09:30
    strict = IcsCalendarStream.calendar_from_ics(data.decode("utf-8")).events[0]
    assert strict.dtstart.astimezone(SHANGHAI).strftime("%H:%M") == "09:30"
    assert event_of(cal, "1e2d3c4b-5a69-4788-a7b6-c5d4e3f2a1b0")["DTSTART"].dt.astimezone(SHANGHAI).hour == 9
    # ... and the page shows 09:30
    page = soup(out / "events/jing-yan-jiao-liu/index.html")
    assert "09:30" in page.select_one(".event-box time").get_text()
    utc = (out / "events/xian-shang-jiang-zuo/xian-shang-jiang-zuo.ics").read_bytes()
    assert prop(utc, "DTSTART") == ["DTSTART:20261211T013000Z"]
    assert prop(utc, "DTEND") == ["DTEND:20261211T023000Z"]
    assert b"TZID" not in utc and b"VTIMEZONE" not in utc


# ---------------------------------------------------------------------------------------------
# E5: reproducible; UID and DTSTAMP independent of build time, title and SITEURL


def test_E5_two_builds_give_byte_identical_ics(built, tmp_path):
    again = tmp_path / "again"
    env_epoch = os.environ["SOURCE_DATE_EPOCH"]
    try:
        os.environ["SOURCE_DATE_EPOCH"] = str(int(env_epoch) + 3600)  # an hour later, same day
        build(PROJECT, built["content"], again, progress=False, cache=False)
    finally:
        os.environ["SOURCE_DATE_EPOCH"] = env_epoch
    first = {k: v for k, v in tree_hashes(built["out"]).items() if k.endswith(".ics")}
    second = {k: v for k, v in tree_hashes(again).items() if k.endswith(".ics")}
    assert first and first == second


def test_E5_uid_and_dtstamp_survive_title_and_siteurl_changes(built, tmp_path):
    conf = (PROJECT / "pelicanconf.py").read_text(encoding="utf-8")
    conf = conf.replace('JINDALLAE_PUBLIC_URL = "http://localhost:8000"', 'JINDALLAE_PUBLIC_URL = "https://renkou.example.cn"')
    conf = conf.replace('SITEURL = ""', 'SITEURL = "https://renkou.example.cn"')
    project = make_project(tmp_path / "p", conf)
    content = write_files(project / "content", dict(CONTENT))
    path = content / "events/lao-ren-jie.zh.md"
    path.write_text(path.read_text(encoding="utf-8").replace("朝鲜族老年节", "延边朝鲜族老年节（改名）"), encoding="utf-8")
    build(project, content, project / "build", progress=False, cache=False)
    before = (built["out"] / "events/lao-ren-jie/lao-ren-jie.ics").read_bytes()
    after = (project / "build/events/lao-ren-jie/lao-ren-jie.ics").read_bytes()
    assert prop(after, "SUMMARY") == ["SUMMARY:延边朝鲜族老年节（改名）"]
    assert prop(after, "URL") == ["URL:https://renkou.example.cn/events/lao-ren-jie/"]
    for name in ("UID", "DTSTAMP", "DTSTART", "RRULE"):
        assert prop(after, name) == prop(before, name), name
    assert prop(after, "UID") == ["UID:8a0f3b1e-5c2d-4e7f-9a6b-1c2d3e4f5a60"]
    # outside git, DTSTAMP is the file's date (updated, else date) at midnight Beijing time, in UTC
    assert prop(before, "DTSTAMP") == ["DTSTAMP:20260630T160000Z"]
    assert prop(before, "SEQUENCE") == prop(after, "SEQUENCE") == ["SEQUENCE:0"]  # no history to count


def git(cwd: Path, *args: str, when: str | None = None) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.org", HOME=str(cwd))
    if when:
        env.update(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def test_E5_dtstamp_is_the_git_commit_time_of_the_file(tmp_path):
    repo = tmp_path / "repo"
    content = write_files(repo / "content", {k: v for k, v in CONTENT.items() if k.startswith("events/lao-ren-jie")
                                              or k.startswith("news/")})
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "first", when="2026-07-02T10:00:00+08:00")
    path = content / "events/lao-ren-jie.zh.md"
    path.write_text(path.read_text(encoding="utf-8").replace("延吉市人民公园", "延吉市人民公园东门"), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "second", when="2026-07-20T08:30:00+08:00")
    out = tmp_path / "build"
    build(PROJECT, content, out, progress=False, cache=False)
    data = (out / "events/lao-ren-jie/lao-ren-jie.ics").read_bytes()
    assert prop(data, "DTSTAMP") == ["DTSTAMP:20260720T003000Z"]  # the last commit, in UTC
    assert prop(data, "LAST-MODIFIED") == ["LAST-MODIFIED:20260720T003000Z"]
    assert prop(data, "CREATED") == ["CREATED:20260702T020000Z"]  # the first commit
    # SEQUENCE (RFC 5545 3.8.7.4): one revision after the first, so a client that imported the
    # first version takes this file as the newer one; an uncommitted file is at 0
    assert prop(data, "SEQUENCE") == ["SEQUENCE:1"]
    # edited since the last commit: the edit's time (the file's mtime), never before the commit,
    # so a calendar client sees the change as newer; the same for two builds of the same edit
    path.write_text(path.read_text(encoding="utf-8").replace("东门", "南门"), encoding="utf-8")
    os.utime(path, (1785600000, 1785600000))  # 2026-08-01T16:00:00Z
    build(PROJECT, content, out, progress=False, cache=False, force=True)
    first = (out / "events/lao-ren-jie/lao-ren-jie.ics").read_bytes()
    assert prop(first, "DTSTAMP") == ["DTSTAMP:20260801T160000Z"]
    assert prop(first, "SEQUENCE") == ["SEQUENCE:2"]  # the edit since the last commit is one more
    build(PROJECT, content, out, progress=False, cache=False, force=True)
    assert (out / "events/lao-ren-jie/lao-ren-jie.ics").read_bytes() == first
    os.utime(path, (1782000000, 1782000000))  # an mtime before the last commit: the commit wins
    build(PROJECT, content, out, progress=False, cache=False, force=True)
    assert prop((out / "events/lao-ren-jie/lao-ren-jie.ics").read_bytes(), "DTSTAMP") == ["DTSTAMP:20260720T003000Z"]


def test_E5_a_commit_that_changes_no_file_still_updates_the_stamps(tmp_path):
    """An edit built before it is committed carries the file's time; committing it changes no
    file, but DTSTAMP and the translation report now come from the commit: the next build is
    not "nothing changed" and gives what a cold build gives (found by a fresh-clone walk)."""
    project = make_project(tmp_path / "p")
    content = write_files(project / "content", {k: v for k, v in CONTENT.items()
                                                if k.startswith("events/lao-ren-jie") or k.startswith("news/")})
    git(project, "init", "-q")
    git(project, "add", "content")
    git(project, "commit", "-q", "-m", "first", when="2026-07-02T10:00:00+08:00")
    path = content / "events/lao-ren-jie.zh.md"
    path.write_text(path.read_text(encoding="utf-8").replace("延吉市人民公园", "延吉市人民公园东门"), encoding="utf-8")
    os.utime(path, (1785600000, 1785600000))  # 2026-08-01T16:00:00Z
    out = project / "build"
    build(project, content, out, progress=False)
    ics = out / "events/lao-ren-jie/lao-ren-jie.ics"
    assert prop(ics.read_bytes(), "DTSTAMP") == ["DTSTAMP:20260801T160000Z"]  # the uncommitted edit
    git(project, "commit", "-q", "-am", "second", when="2026-08-03T08:30:00+08:00")
    again = build(project, content, out, progress=False)
    assert not again.skipped
    assert prop(ics.read_bytes(), "DTSTAMP") == ["DTSTAMP:20260803T003000Z"]  # the commit
    cold = tmp_path / "cold"
    build(project, content, cold, progress=False, cache=False, force=True)
    assert tree_hashes(out) == tree_hashes(cold)
    assert build(project, content, out, progress=False).skipped  # and then nothing changed


# ---------------------------------------------------------------------------------------------
# E6: escaping


def test_E6_text_is_escaped_and_fullwidth_punctuation_kept(out):
    path = out / "events/song-xi-xia-xiang/song-xi-xia-xiang.ics"
    data = path.read_bytes()
    assert prop(data, "LOCATION") == ["LOCATION:延吉市\\, 人民广场\\; 东门\\\\北侧\\n二楼，三号厅；"]
    description = prop(data, "DESCRIPTION")[0]
    assert description.startswith("DESCRIPTION:报名\\, 咨询\\; 路径 C:\\\\活动\\n请提前到场，谢谢；\\n\\n")
    assert description.endswith(f"\\n\\n{PUBLIC_URL}/events/song-xi-xia-xiang/")
    event = event_of(check_ics(path), "5b9e2c4d-1a3f-4e6b-8c7d-9e0f1a2b3c40")
    assert str(event["LOCATION"]) == LOCATION_E6
    assert str(event["DESCRIPTION"]).startswith(SUMMARY_E6 + "\n\n")
    strict = IcsCalendarStream.calendar_from_ics(data.decode("utf-8")).events[0]
    assert strict.location == LOCATION_E6
    assert "，" in strict.location and "；" in strict.location


def test_E6_files_are_utf8_whatever_the_locale(built, tmp_path):
    """A build under LANG=C writes the same bytes (no locale-dependent encoding anywhere)."""
    out = tmp_path / "c-locale"
    env = dict(os.environ, LANG="C", LC_ALL="C", PYTHONIOENCODING="ascii", PYTHONUTF8="0")
    code = ("import sys; from pathlib import Path; from jindallae.build import build; "
            "build(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), progress=False, cache=False)")
    subprocess.run([sys.executable, "-c", code, str(PROJECT), str(built["content"]), str(out)], env=env, check=True,
                   capture_output=True, timeout=120)
    for rel in ("events/song-xi-xia-xiang/song-xi-xia-xiang.ics", "ko/calendar/all.ics"):
        assert (out / rel).read_bytes() == (built["out"] / rel).read_bytes()


# ---------------------------------------------------------------------------------------------
# E7: Gregorian yearly as RRULE, lunar yearly as explicit dates


def test_E7_elderly_day_is_a_yearly_rrule(out):
    path = out / "events/lao-ren-jie/lao-ren-jie.ics"
    data = path.read_bytes()
    assert prop(data, "RRULE") == ["RRULE:FREQ=YEARLY"]
    assert prop(data, "DTSTART") == ["DTSTART;VALUE=DATE:20260815"]
    assert prop(data, "DTEND") == ["DTEND;VALUE=DATE:20260816"]
    assert not prop(data, "RDATE")
    strict = IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    days = [e.dtstart for e in strict.timeline.included(dt.date(2026, 1, 1), dt.date(2029, 1, 1))]
    assert days == [dt.date(2026, 8, 15), dt.date(2027, 8, 15), dt.date(2028, 8, 15)]


def test_E7_mid_autumn_is_written_as_explicit_rdates(out):
    path = out / "events/zhong-qiu-tuan-yuan/zhong-qiu-tuan-yuan.ics"
    data = path.read_bytes()
    assert not prop(data, "RRULE")
    assert prop(data, "DTSTART") == ["DTSTART;TZID=Asia/Shanghai:20251006T190000"]
    # every date, DTSTART's too (RFC 5545 counts it anyway; some readers only take RDATEs)
    assert prop(data, "RDATE") == ["RDATE;TZID=Asia/Shanghai:20251006T190000,20260925T190000,20270915T190000,"
                                   "20281003T190000,20290922T190000,20300912T190000"]
    cal = check_ics(path)
    rdates = [p.dt for rd in [event_of(cal, "3d7c51c8-4f6e-4c21-a6a4-2a1e0f6b9c01")["RDATE"]] for p in rd.dts]
    assert [d.date().isoformat() for d in rdates] == ["2025-10-06", "2026-09-25", "2027-09-15", "2028-10-03",
                                                      "2029-09-22", "2030-09-12"]
    strict = IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    starts = [e.dtstart.astimezone(SHANGHAI) for e in strict.timeline.included(dt.date(2025, 1, 1), dt.date(2032, 1, 1))]
    assert [(s.date().isoformat(), s.strftime("%H:%M")) for s in starts] == [
        ("2025-10-06", "19:00"), ("2026-09-25", "19:00"), ("2027-09-15", "19:00"), ("2028-10-03", "19:00"),
        ("2029-09-22", "19:00"), ("2030-09-12", "19:00")]


def test_repeat_with_exception_and_status(out):
    data = (out / "ko/events/yan-qi-de-huo-dong/yan-qi-de-huo-dong.ics").read_bytes()
    assert prop(data, "RRULE") == ["RRULE:FREQ=WEEKLY;COUNT=3"]
    assert prop(data, "EXDATE") == ["EXDATE;TZID=Asia/Shanghai:20261226T140000"]
    assert prop(data, "STATUS") == ["STATUS:TENTATIVE"]
    assert prop(data, "SUMMARY") == ["SUMMARY:[연기] 연기된 농악무 공연"]
    strict = IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    days = [e.dtstart.date() for e in strict.timeline.included(dt.date(2026, 12, 1), dt.date(2027, 2, 1))]
    assert days == [dt.date(2026, 12, 19), dt.date(2027, 1, 2)]
    cancelled = (out / "events/qu-xiao-de-huo-dong/qu-xiao-de-huo-dong.ics").read_bytes()
    assert prop(cancelled, "STATUS") == ["STATUS:CANCELLED"]
    assert prop(cancelled, "SUMMARY") == ["SUMMARY:【已取消】已取消的广场舞比赛"]


def test_organizer_registration_contact(out):
    data = (out / "events/jing-yan-jiao-liu/jing-yan-jiao-liu.ics").read_bytes()
    assert prop(data, "CONTACT") == ["CONTACT:0433-2512345"]
    assert "主办单位：延边州人口计生委\\n报名方式：各县市推荐代表\\n联系方式：0433-2512345" in prop(data, "DESCRIPTION")[0]
    box = soup(out / "events/jing-yan-jiao-liu/index.html").select_one(".event-box")
    rows = {div.dt.get_text(strip=True): div.dd.get_text(strip=True) for div in box.select("dl > div")}
    assert rows["主办单位"] == "延边州人口计生委" and rows["联系方式"] == "0433-2512345"


# ---------------------------------------------------------------------------------------------
# Pages: status, upcoming, past, home block


def test_status_is_shown_prominently(out):
    page = soup(out / "events/qu-xiao-de-huo-dong/index.html")
    banner = page.select_one(".event-status-banner")
    assert banner is not None and "已取消" in banner.get_text() and "本活动已取消。" in banner.get_text()
    assert page.select_one("article header").find_next_sibling().get("class") == ["event-status-banner", "status-cancelled"]
    ko = soup(out / "ko/events/yan-qi-de-huo-dong/index.html")
    assert "연기" in ko.select_one(".event-status-banner").get_text()
    grid = soup(out / "calendar/2026/12/index.html")
    item = grid.select_one('li:has(> a[href="/events/qu-xiao-de-huo-dong/"])')
    assert "status-cancelled" in item["class"] and item.select_one(".event-status").get_text() == "已取消"
    listing = soup(out / "events/index.html")
    entry = listing.select_one('li:has(a[href="/events/qu-xiao-de-huo-dong/"])')
    assert entry.select_one(".event-status").get_text() == "已取消"


def titles(page: Path) -> list[str]:
    return [a.get_text(strip=True) for a in soup(page).select("main .entry-title a")]


def test_upcoming_past_and_home_block(out):
    # today is 2026-11-29 (conftest's SOURCE_DATE_EPOCH); the page lists what is not over yet
    assert titles(out / "calendar/index.html") == [
        "已取消的广场舞比赛", ZH_30, "线上健康讲座", "年终座谈", "没有编号的座谈", "朝鲜族老年节", "中秋团圆诗会"]
    assert titles(out / "calendar/past/index.html") == ["二人转送戏下乡", "中秋团圆诗会", "朝鲜族老年节", "中秋团圆诗会"]
    assert titles(out / "ko/calendar/index.html") == [KO_LONG, "연기된 농악무 공연", "연기된 농악무 공연", "추석 달맞이 시 낭송회"]
    home = soup(out / "index.html").select_one(".home-events")
    assert [a.get_text(strip=True) for a in home.select(".entry-title a")] == titles(out / "calendar/index.html")[:4]
    links = {a["href"] for a in home.select("a")}
    assert {"/calendar/", "/calendar/2026/11/"} <= links
    ko_home = soup(out / "ko/index.html").select_one(".home-events")
    assert "음력" in ko_home.get_text()


def test_calendar_pages_have_views_and_are_in_the_sitemap(out):
    page = soup(out / "ko/calendar/2026/12/index.html")
    assert page.html["lang"] == "ko"
    switch = page.select_one('nav.lang-switch a[hreflang="zh-Hans"]')
    assert switch["href"] == "/calendar/2026/12/"
    assert [li.get_text(strip=True) for li in page.select("nav.breadcrumbs li")] == ["첫페지", "행사", "행사 달력", "2026년 12월"]
    alternates = {link["hreflang"]: link["href"] for link in page.select('link[rel="alternate"][hreflang]')}
    assert alternates["zh-Hans"] == f"{PUBLIC_URL}/calendar/2026/12/"
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    for url in ("/calendar/", "/ko/calendar/", "/calendar/past/", "/calendar/2026/12/", "/ko/calendar/2025/10/"):
        assert f"<loc>{PUBLIC_URL}{url}</loc>" in sitemap, url
    feed = page.select_one('link[rel="alternate"][type="text/calendar"]')
    assert feed["href"] == "/ko/calendar/all.ics"


def test_event_in_another_section_and_without_id(built, out):
    assert cells_with(out / "calendar/2026/12/index.html", "/forums/mei-you-bian-hao/") == ["2026-12-21"]
    assert not (out / "forums/mei-you-bian-hao/mei-you-bian-hao.ics").exists()
    page = soup(out / "forums/mei-you-bian-hao/index.html")
    assert page.select_one('a[type="text/calendar"]') is None
    assert any("mei-you-bian-hao.zh.md" in w and "event.id" in w for w in built["result"].warnings)


# ---------------------------------------------------------------------------------------------
# schema.org JSON-LD


def jsonld(page: Path) -> dict:
    scripts = soup(page).select('script[type="application/ld+json"]')
    assert len(scripts) == 1
    return json.loads(scripts[0].string)


def test_jsonld_event_on_event_pages(out):
    data = jsonld(out / "events/jing-yan-jiao-liu/index.html")
    assert data["@context"] == "https://schema.org" and data["@type"] == "Event"
    assert data["name"] == ZH_30
    assert data["startDate"] == "2026-12-10T09:30:00+08:00" and data["endDate"] == "2026-12-10T11:30:00+08:00"
    assert data["location"] == {"@type": "Place", "name": "延吉市会议中心",
                                "address": {"@type": "PostalAddress", "streetAddress": "吉林省延边朝鲜族自治州延吉市"}}
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["inLanguage"] == "zh-Hans"
    assert data["organizer"] == {"@type": "Organization", "name": "延边州人口计生委"}
    ko = jsonld(out / "ko/events/jing-yan-jiao-liu/index.html")
    assert ko["inLanguage"] == "ko" and ko["name"] == KO_LONG and ko["location"]["name"] == "연길시 회의센터"
    assert ko["url"] == f"{PUBLIC_URL}/ko/events/jing-yan-jiao-liu/"
    allday = jsonld(out / "events/song-xi-xia-xiang/index.html")
    assert (allday["startDate"], allday["endDate"]) == ("2026-10-31", "2026-11-04")  # last day, inclusive
    assert allday["location"]["name"] == LOCATION_E6
    assert jsonld(out / "events/qu-xiao-de-huo-dong/index.html")["eventStatus"] == "https://schema.org/EventCancelled"
    assert jsonld(out / "ko/events/yan-qi-de-huo-dong/index.html")["eventStatus"] == "https://schema.org/EventPostponed"
    # a repeating event: its next date (today is 2026-11-29)
    elderly = jsonld(out / "events/lao-ren-jie/index.html")
    assert (elderly["startDate"], elderly["endDate"]) == ("2027-08-15", "2027-08-15")
    assert "</" not in (out / "events/jing-yan-jiao-liu/index.html").read_text(encoding="utf-8").split(
        'application/ld+json">')[1].split("</script>")[0]


# ---------------------------------------------------------------------------------------------
# Bad input stops the build; nothing is replaced


def test_bad_events_stop_the_build_with_exact_lines(built, tmp_path):
    out = tmp_path / "site"
    shutil.copytree(built["out"], out)
    before = tree_hashes(out)
    bad = dict(CONTENT)
    bad.update({
        "events/end-first.zh.md": md("title: 结束早于开始\ndate: 2026-01-01\nevent:\n  id: e-1\n  start: 2026-10-02 14:00\n"
                                     "  end: 2026-10-02 09:00\n  location: 延吉"),
        "events/zone.ko.md": md("title: 시간대\ndate: 2026-01-01\nevent:\n  id: e-2\n  start: 2026-10-02 14:00\n"
                                "  location: 연길\n  timezone: Asia/Yanji"),
        "events/rule.zh.md": md("title: 规则\ndate: 2026-01-01\nevent:\n  id: e-3\n  start: 2026-10-02\n  location: 延吉\n"
                                "  repeat: FREQ=YEARLY;BYDAY=XX"),
        "events/lunar-thirty.zh.md": md("title: 农历三十\ndate: 2026-01-01\nevent:\n  id: e-4\n  start: 2026-10-09\n"
                                        "  location: 延吉\n  lunar:\n    month: 8\n    day: 30"),
        "events/no-date.zh.md": md("title: 没有日期\ndate: 2026-01-01\nevent:\n  id: e-5\n  location: 延吉"),
    })
    content = write_files(tmp_path / "bad", bad)
    with pytest.raises(BuildError) as info:
        build(PROJECT, content, out, progress=False, cache=False, force=True)
    shown = content.as_posix()
    errors = [e[len(shown) + 1:] for e in info.value.errors]
    assert [e.split(": ", 1)[0] for e in errors] == [
        "events/end-first.zh.md:7", "events/lunar-thirty.zh.md:10", "events/no-date.zh.md:4", "events/rule.zh.md:8",
        "events/zone.ko.md:8"]
    assert "(end 2026-10-02 09:00 is before start 2026-10-02 14:00; fix the dates)" in errors[0]
    assert "lunar 8/30 does not exist in lunar year 2026" in errors[1]
    assert "missing required field 'event.start'" in errors[2]
    assert "'FREQ=YEARLY;BYDAY=XX' is not a repeat rule" in errors[3]
    assert errors[4].startswith("events/zone.ko.md:8: 항목 'event.timezone': 알 수 없는 시간대 'Asia/Yanji'.")
    assert tree_hashes(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad", "site"]


# ---------------------------------------------------------------------------------------------
# The starter content


def test_starter_events_on_both_languages_calendars_and_feeds(site):
    events = [p for p in content_pages(PROJECT / "content") if p.meta.get("event") and p.published]
    assert len(events) >= 14
    feeds = {lang: check_ics(site / prefix / "calendar/all.ics") for lang, prefix in (("zh", ""), ("ko", "ko/"))}
    for page in events:
        event = page.meta["event"]
        uids = {str(e["UID"]) for e in feeds[page.lang].walk("VEVENT")}
        assert event["id"] in uids, page.path
        own = site / page.url.lstrip("/") / f"{page.slug}.ics"
        assert str(check_ics(own).walk("VEVENT")[0]["UID"]) == event["id"]
        start = str(event["start"])[:10]
        month = site / page.url.lstrip("/").split("events/")[0] / f"calendar/{start[:4]}/{start[5:7]}/index.html"
        assert start in cells_with(month, page.url), (page.path, month)
    for path in ics_files(site):
        check_ics(path)


def test_starter_E3_festival_on_five_cells(site):
    href = "/events/errenzhuan-songxi-xiaxiang-2026/"
    days = cells_with(site / "calendar/2026/10/index.html", href) + cells_with(site / "calendar/2026/11/index.html", href)
    assert days == ["2026-10-31", "2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04"]
    data = (site / "events/errenzhuan-songxi-xiaxiang-2026/errenzhuan-songxi-xiaxiang-2026.ics").read_bytes()
    assert prop(data, "DTSTART") == ["DTSTART;VALUE=DATE:20261031"] and prop(data, "DTEND") == ["DTEND;VALUE=DATE:20261105"]


# ---------------------------------------------------------------------------------------------
# The dev server serves .ics as UTF-8 iCalendar


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_dev_server_serves_ics_as_text_calendar_utf8(tmp_path):
    project = make_project(tmp_path / "p")
    write_files(project / "content", {k: v for k, v in CONTENT.items() if k.startswith("events/lao-ren-jie")})
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "jindallae.cli", "--project", str(project), "serve", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/events/lao-ren-jie/lao-ren-jie.ics"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    content_type = response.headers["Content-Type"]
                    body = response.read()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.3)
        assert content_type == "text/calendar; charset=utf-8"
        assert body == (project / "build/events/lao-ren-jie/lao-ren-jie.ics").read_bytes()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_E4_event_in_another_time_zone_is_shown_in_that_zone_and_named(tmp_path):
    """A Seoul-time event keeps its written date and time on the page, with the zone named
    (Babel's CLDR names), instead of silently becoming the previous evening in Beijing time."""
    files = {
        "events/seoul-talk.zh.md": "---\ntitle: 首尔座谈\ndate: 2026-11-01\nevent:\n  id: 2b0c3d4e-0000-4000-8000-000000000001\n"
                                   "  start: 2026-12-10 00:30\n  end: 2026-12-10 02:00\n  timezone: Asia/Seoul\n"
                                   "  location: 首尔\n---\n\n正文\n",
        "events/seoul-talk.ko.md": "---\ntitle: 서울 좌담\ndate: 2026-11-01\nevent:\n  id: 2b0c3d4e-0000-4000-8000-000000000001\n"
                                   "  start: 2026-12-10 00:30\n  end: 2026-12-10 02:00\n  timezone: Asia/Seoul\n"
                                   "  location: 서울\n---\n\n본문\n",
    }
    content = write_files(tmp_path / "c", files)
    out = tmp_path / "out"
    build(PROJECT, content, out, progress=False, cache=False)
    zh = (out / "events/seoul-talk/index.html").read_text(encoding="utf-8")
    ko = (out / "ko/events/seoul-talk/index.html").read_text(encoding="utf-8")
    assert "2026年12月10日" in zh and "韩国时间" in zh and "12月9日" not in zh
    assert "2026년 12월 10일" in ko and "한국 시간" in ko
    ics = (out / "events/seoul-talk/seoul-talk.ics").read_bytes()
    assert b"DTSTART;TZID=Asia/Seoul:20261210T003000" in ics
