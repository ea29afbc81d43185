"""Event front matter in the content model and the recurrence rules (jindallae.recurrence):
lunar dates (E1), RRULE subset, bad input with exact lines.  No site build: fast."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from jindallae import recurrence
from jindallae.model import MESSAGES
from jindallae.settings import SettingsError, load_settings
from site_helpers import PROJECT, make_project, md, parse, write_files

SHANGHAI = ZoneInfo("Asia/Shanghai")




def event_file(*lines: str, title: str = "活动", section_id: bool = True) -> str:
    """An events-section page whose ``event:`` block starts on line 4 (its fields on 5, 6, ...)."""
    body = "\n".join(f"  {line}" for line in lines)
    return md(f"title: {title}\ndate: 2026-01-05\nevent:\n{body}")


# ---------------------------------------------------------------------------------------------
# E1: lunar dates are Chinese-calendar (UTC+8) dates


MID_AUTUMN = {2025: dt.date(2025, 10, 6), 2026: dt.date(2026, 9, 25), 2027: dt.date(2027, 9, 15),
              2028: dt.date(2028, 10, 3), 2029: dt.date(2029, 9, 22), 2030: dt.date(2030, 9, 12)}


def test_E1_mid_autumn_lunar_8_15_is_the_chinese_date():
    found = dict(recurrence.lunar_dates({"month": 8, "day": 15}, 2025, limit=dt.date(2030, 12, 31)))
    assert found == MID_AUTUMN


def test_E1_spring_festival_and_double_ninth_differ_from_korean_calendars():
    assert recurrence.lunar_to_solar(2027, 1, 1) == dt.date(2027, 2, 6)  # a Korean calendar: 02-07
    assert recurrence.lunar_to_solar(2026, 9, 9) == dt.date(2026, 10, 18)  # a Korean calendar: 10-19
    new_year = recurrence.lunar_day(dt.date(2027, 2, 6))
    assert (new_year.month, new_year.day, new_year.leap, new_year.month_zh) == (1, 1, False, "正月")
    assert recurrence.lunar_day(dt.date(2027, 2, 7)).day == 2
    assert recurrence.lunar_day(dt.date(2026, 10, 18)).day_zh == "初九"
    assert recurrence.lunar_day(dt.date(2026, 10, 19)).day_zh == "初十"


def test_E1_leap_months_and_chinese_names():
    leap = recurrence.lunar_day(dt.date(2025, 7, 25))  # 2025 has a leap sixth month
    assert (leap.month, leap.day, leap.leap, leap.month_zh, leap.day_zh) == (6, 1, True, "闰六月", "初一")
    assert recurrence.lunar_month_days(2025, 6, leap=True) == 29
    assert recurrence.lunar_month_days(2026, 6, leap=True) is None
    assert recurrence.lunar_month_days(2026, 8) == 29  # so lunar 8/30 does not exist in 2026


def test_E1_lunar_event_in_the_model_expands_to_the_chinese_dates(model, tmp_path):
    item, errors = parse(model, tmp_path, "events/zhong-qiu.zh.md", event_file(
        "id: 6c1f0a52-0d7e-4b43-9d3f-2b8f8e0c5a11", "start: 2025-10-06 19:00", "end: 2025-10-06 21:00",
        "location: 延吉市人民公园", "lunar: {month: 8, day: 15, count: 6}"))
    assert errors == []
    starts = recurrence.occurrence_starts(item.fields["event"], dt.date(2040, 1, 1))
    assert starts == [dt.datetime.combine(d, dt.time(19, 0), SHANGHAI) for d in MID_AUTUMN.values()]


# ---------------------------------------------------------------------------------------------
# The event block: new fields, repeat rules


def test_event_fields_are_cleaned(model, tmp_path):
    item, errors = parse(model, tmp_path, "events/a.ko.md", event_file(
        "id: 6c1f0a52-0d7e-4b43-9d3f-2b8f8e0c5a12", "start: 2026-08-15", "location: 연길시 인민공원",
        "status: postponed", "organizer: 연변주인구계획생육위원회", "registration: https://example.org/x",
        "contact: 0433-2512345", "repeat: rrule:freq=yearly", "except: [2027-08-15]", title="노인절"))
    assert errors == []
    event = item.fields["event"]
    assert event["status"] == "postponed" and event["repeat"] == "FREQ=YEARLY"
    assert event["except"] == [dt.date(2027, 8, 15)] and event["end"] == dt.date(2026, 8, 15)
    assert recurrence.occurrence_starts(event, dt.date(2029, 1, 1)) == [dt.date(2026, 8, 15), dt.date(2028, 8, 15)]


@pytest.mark.parametrize("rule, start, expected", [
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=SA;COUNT=3", "2026-10-10", ["2026-10-10", "2026-10-24", "2026-11-07"]),
    ("FREQ=MONTHLY;BYDAY=2SA;UNTIL=20261231", "2026-10-10", ["2026-10-10", "2026-11-14", "2026-12-12"]),
    ("FREQ=YEARLY;BYMONTH=5;BYDAY=3SU;COUNT=2", "2026-05-17", ["2026-05-17", "2027-05-16"]),
])
def test_repeat_subset_expands_like_rfc5545(model, tmp_path, rule, start, expected):
    item, errors = parse(model, tmp_path, "events/r.zh.md", event_file(
        "id: r-1", f"start: {start}", "location: 延吉", f"repeat: {rule}"))
    assert errors == []
    found = recurrence.occurrence_starts(item.fields["event"], dt.date(2030, 1, 1))
    assert [d.isoformat() for d in found] == expected


def test_timed_repeat_keeps_wall_clock_time_and_until_is_inclusive(model, tmp_path):
    item, errors = parse(model, tmp_path, "events/t.zh.md", event_file(
        "id: t-1", "start: 2026-12-03 09:30", "end: 2026-12-03 11:00", "location: 延吉",
        "repeat: FREQ=WEEKLY;UNTIL=20261217"))
    assert errors == []
    found = recurrence.occurrence_starts(item.fields["event"], dt.date(2030, 1, 1))
    assert found == [dt.datetime(2026, 12, d, 9, 30, tzinfo=SHANGHAI) for d in (3, 10, 17)]


def test_draft_event_may_keep_empty_placeholders(model, tmp_path):
    _, errors = parse(model, tmp_path, "events/d.zh.md", md(
        "title: 草稿\ndate: 2026-01-05\nstatus: draft\nevent:\n  id: 1f\n  start: 2026-01-05\n  location:\n  address:"))
    assert errors == []


# ---------------------------------------------------------------------------------------------
# Bad input: path:line: message, in the file's language with English after

BAD = [
    # (name, event lines from line 5 on, expected line, code, English fragment)
    ("end-before-start", ["id: b-1", "start: 2026-10-02 14:00", "end: 2026-10-02 09:00", "location: 延吉"],
     7, "end_before_start", "end 2026-10-02 09:00 is before start 2026-10-02 14:00"),
    ("unknown-zone", ["id: b-2", "start: 2026-10-02 14:00", "location: 延吉", "timezone: Asia/Yanji"],
     8, "bad_timezone", "unknown time zone 'Asia/Yanji'"),
    ("bad-rrule", ["id: b-3", "start: 2026-10-02", "location: 延吉", "repeat: every second tuesday"],
     8, "rrule_syntax", "'every second tuesday' is not a repeat rule"),
    ("bad-freq", ["id: b-4", "start: 2026-10-02", "location: 延吉", "repeat: FREQ=FORTNIGHTLY"],
     8, "rrule_syntax", "is not a repeat rule"),
    ("daily", ["id: b-5", "start: 2026-10-02", "location: 延吉", "repeat: FREQ=DAILY;COUNT=3"],
     8, "rrule_unsupported", "FREQ=DAILY is not supported"),
    ("bysetpos", ["id: b-6", "start: 2026-10-02", "location: 延吉", "repeat: FREQ=MONTHLY;BYSETPOS=1"],
     8, "rrule_unsupported", "BYSETPOS is not supported"),
    ("count-and-until", ["id: b-7", "start: 2026-10-02", "location: 延吉", "repeat: FREQ=YEARLY;COUNT=2;UNTIL=20300101"],
     8, "rrule_count_until", "COUNT or UNTIL, not both"),
    ("start-off-rule", ["id: b-8", "start: 2026-10-02", "location: 延吉", "repeat: FREQ=WEEKLY;BYDAY=SA"],
     6, "start_not_occurrence", "its first date would be 2026-10-03"),
    ("lunar-day-30", ["id: b-9", "start: 2026-10-09", "location: 延吉", "lunar:", "  month: 8", "  day: 30"],
     10, "lunar_day_missing", "lunar 8/30 does not exist in lunar year 2026: that month has only 29 days"),
    ("lunar-off-date", ["id: b-10", "start: 2026-09-24", "location: 延吉", "lunar: {month: 8, day: 15}"],
     6, "lunar_start_mismatch", "is lunar 8/14, not lunar 8/15; the first such date from then is 2026-09-25"),
    ("no-date", ["id: b-11", "location: 延吉"], 4, "missing_field", "missing required field 'event.start'"),
    ("empty-date", ["id: b-12", "start:", "location: 延吉"], 6, "missing_field", "missing required field 'event.start'"),
    ("no-id", ["start: 2026-10-02", "location: 延吉"], 4, "missing_field", "missing required field 'event.id'"),
    ("bad-id", ["id: not an id", "start: 2026-10-02", "location: 延吉"], 5, "bad_event_id", "'not an id' is not an event id"),
    ("mixed", ["id: b-13", "start: 2026-10-02", "end: 2026-10-03 10:00", "location: 延吉"], 7, "mixed_all_day",
     "must both be dates"),
    ("both-rules", ["id: b-14", "start: 2026-09-25", "location: 延吉", "repeat: FREQ=YEARLY", "lunar: {month: 8, day: 15}"],
     9, "repeat_and_lunar", "not both"),
    ("bad-except", ["id: b-15", "start: 2026-10-03", "location: 延吉", "repeat: FREQ=WEEKLY;COUNT=3", "except:",
                    "  - 2026-10-10", "  - 2026-10-11"], 11, "not_an_occurrence", "2026-10-11 is not a date of this event"),
    ("except-alone", ["id: b-16", "start: 2026-10-03", "location: 延吉", "except: [2026-10-10]"], 8,
     "except_without_rule", "event.except"),
    ("bad-status", ["id: b-17", "start: 2026-10-03", "location: 延吉", "status: moved"], 8, "bad_status",
     "status 'moved' is not one of scheduled, postponed, cancelled"),
    ("bad-lunar", ["id: b-18", "start: 2026-10-03", "location: 延吉", "lunar: {month: 13, day: 1}"], 8, "bad_lunar",
     "must be a mapping like {month: 8, day: 15}"),
]


@pytest.mark.parametrize("name, lines, line, code, english", BAD, ids=[b[0] for b in BAD])
def test_bad_event_input_has_its_line(model, tmp_path, name, lines, line, code, english):
    _, errors = parse(model, tmp_path, f"events/{name}.zh.md", event_file(*lines))
    assert [(e.line, e.code) for e in errors] == [(line, code)], [str(e) for e in errors]
    assert english in errors[0].english
    assert str(errors[0]).startswith(f"events/{name}.zh.md:{line}: ")


def test_bad_event_messages_in_zh_ko_and_en(model, tmp_path):
    for code in ("bad_event_id", "duplicate_event_id", "event_id_mismatch", "mixed_all_day", "rrule_syntax",
                 "rrule_unsupported", "rrule_count_until", "rrule_no_dates", "start_not_occurrence", "repeat_and_lunar",
                 "except_without_rule", "not_an_occurrence", "bad_lunar", "lunar_day_missing", "lunar_start_mismatch"):
        assert set(MESSAGES[code]) == {"en", "zh", "ko"}, code
    _, errors = parse(model, tmp_path, "events/a.ko.md", event_file(
        "id: k-1", "start: 2026-10-09", "location: 연길", "lunar: {month: 8, day: 30}", title="추석"))
    assert str(errors[0]) == (
        "events/a.ko.md:8: 음력 2026년 8월에는 30일이 없습니다. 그달은 29일까지입니다(2026-09-11부터). "
        "29일로 고치거나 count, until로 규칙을 그 전에 끝내세요 (lunar 8/30 does not exist in lunar year 2026: that "
        "month has only 29 days (it starts on 2026-09-11); use day 29, or end the rule with count or until before then)")


def test_lunar_day_30_is_fine_when_every_year_has_it(model, tmp_path):
    day = next(y for y in range(2026, 2040) if recurrence.lunar_month_days(y, 8) == 30)
    start = recurrence.lunar_to_solar(day, 8, 30)
    _, errors = parse(model, tmp_path, "events/a.zh.md", event_file(
        "id: l-30", f"start: {start}", "location: 延吉", "lunar: {month: 8, day: 30, count: 1}"))
    assert errors == []


def test_event_ids_unique_and_shared_by_translations(model, tmp_path):
    root = write_files(tmp_path / "c", {
        "events/a.zh.md": event_file("id: same-1", "start: 2026-10-02", "location: 延吉"),
        "events/a.ko.md": event_file("id: other-2", "start: 2026-10-02", "location: 연길"),
        "forums/b.zh.md": md("title: 论坛\ndate: 2026-01-05\nsummary: 摘要\nevent:\n  id: same-1\n  start: 2026-10-02\n"
                             "  location: 延吉"),
    })
    _, errors = model.load(root)
    found = sorted((e.path, e.line, e.code) for e in errors)
    assert found == [("events/a.zh.md", 5, "event_id_mismatch"), ("forums/b.zh.md", 6, "duplicate_event_id")]


def test_calendar_settings_are_declared_and_checked(tmp_path):
    conf = (PROJECT / "pelicanconf.py").read_text(encoding="utf-8")
    project = make_project(tmp_path / "p", conf + "\nCALENDAR_MONTH_AHEAD = 6\n")
    with pytest.raises(SettingsError, match="did you mean CALENDAR_MONTHS_AHEAD"):
        load_settings(project)
    project = make_project(tmp_path / "q", conf + "\nCALENDAR_MONTHS_AHEAD = 0\n")
    with pytest.raises(SettingsError, match="CALENDAR_MONTHS_AHEAD: must be a positive integer"):
        load_settings(project)
    assert load_settings(PROJECT)["CALENDAR_MONTHS_AHEAD"] == 12


def test_E1_lunar_day_table_lookup_equals_lunar_python_for_every_day():
    """recurrence.lunar_day reads lunar-python's month tables; it must agree with lunar-python's
    own per-day conversion on every day (leap months included), 2019-2031."""
    import datetime as dt

    from lunar_python import Solar

    from jindallae.recurrence import lunar_day

    day = dt.date(2019, 1, 1)
    while day < dt.date(2031, 1, 1):
        lunar = Solar.fromYmd(day.year, day.month, day.day).getLunar()
        got = lunar_day(day)
        assert (got.year, got.month, got.day, got.leap) == (lunar.getYear(), abs(lunar.getMonth()), lunar.getDay(),
                                                            lunar.getMonth() < 0), day
        assert (got.month_zh, got.day_zh) == (lunar.getMonthInChinese() + "月", lunar.getDayInChinese()), day
        day += dt.timedelta(days=1)


def test_lunar_count_and_until_together_are_refused():
    """Like repeat's COUNT/UNTIL: one end only (count silently won before)."""
    from jindallae.model import _clean_lunar

    assert _clean_lunar({"month": 8, "day": 15, "count": 3}) == {"month": 8, "day": 15, "leap": False, "count": 3}
    assert _clean_lunar({"month": 8, "day": 15, "count": 3, "until": "2030-01-01"}) is None


def test_lunar_dates_in_messages_are_written_the_languages_way(model, tmp_path):
    """A start that is not on the lunar rule's date names both lunar dates as the editor writes
    them — 闰6月1日 / 윤6월 1일 — not the English 'leap 6/1' (that stays in the English part)."""
    lines = ("id: l-1", "start: 2025-07-24", "location: 延吉", "lunar: {month: 6, day: 1, leap: true}")
    _, errors = parse(model, tmp_path, "events/leap.zh.md", event_file(*lines))
    assert [e.code for e in errors] == ["lunar_start_mismatch"]
    assert "不是农历 闰6月1日；在那之后的第一个农历 闰6月1日 是 2025-07-25" in errors[0].message, errors[0].message
    assert "leap" not in errors[0].message and "not lunar leap 6/1" in errors[0].english
    _, errors = parse(model, tmp_path, "events/leap.ko.md", event_file(*lines, title="윤달"))
    assert "음력 윤6월 1일이(가) 아닙니다" in errors[0].message, errors[0].message
