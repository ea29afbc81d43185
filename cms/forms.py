"""Edit-form fields generated from the content model (``jindallae.model.FIELDS`` and
``EVENT_FIELDS``), and the translation between form values and round-trip front matter.

Editors never see YAML: each model field kind gets a widget (text, date + time pickers, tags,
checkbox, select, the repeat and lunar-date choices of an event, the poster panel's points,
focal point and check boxes).  A submitted value is written to the front matter only when it
differs from the value the form was filled with, so everything else in the file (unknown
fields, comments, quoting, order) stays as it was.

Widgets made of several inputs are read back into one text per field (:func:`read_form`) that
compares with the text :func:`form_values` shows for the stored value: the repeat choices give
the RRULE text (``FREQ=MONTHLY;BYDAY=2SA``), the lunar choices ``{month: 8, day: 15}``, the
poster's points one per line, the focal point ``x, y``, check boxes their codes separated by
commas.  A stored value the choices cannot express (a repeat rule with an interval, a lunar
rule with an end) is shown and submitted as text, unchanged unless the editor changes it.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Mapping

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from jindallae.model import EVENT_FIELDS, EVENT_STATUSES, FIELDS, POSTER_FIELDS, POSTER_MAX_POINTS, Model

from .content_store import get_value, load_front, set_value


def N_(text: str) -> str:
    """Mark ``text`` for extraction into the catalogues (translated where it is shown)."""
    return text


LABELS = {
    "title": N_("Title"), "date": N_("Date"), "updated": N_("Updated"), "summary": N_("Summary"),
    "tags": N_("Tags"), "cover": N_("Cover image"), "cover_alt": N_("Cover description (alt text)"),
    "author": N_("Author"), "featured": N_("Featured on the home page"), "status": N_("Status"),
    "translated_from": N_("Translated from"), "poster": N_("Poster (settings of the posters plugin)"),
    "event.id": N_("Event id"), "event.start": N_("Starts"), "event.end": N_("Ends"),
    "event.timezone": N_("Time zone"), "event.location": N_("Location"), "event.address": N_("Address"),
    "event.status": N_("Event status"), "event.organizer": N_("Organizer"),
    "event.registration": N_("Registration"), "event.contact": N_("Contact"),
    "event.repeat": N_("Repeats"), "event.lunar": N_("Lunar date every year"),
    "event.except": N_("Skipped dates"),
    "visit": N_("Visitor information"),
    # the poster panel (jindallae.model.POSTER_FIELDS); "poster" is its on/off box there
    "poster.headline": N_("Headline"), "poster.subline": N_("Line under the headline"),
    "poster.points": N_("Key points"), "poster.image": N_("Picture"), "poster.focus": N_("Focal point of the picture"),
    "poster.formats": N_("Formats"), "poster.language": N_("Languages"),
}
HELP = {
    "tags": N_("Separate tags with commas."),
    "cover": N_("Choose it with the button “Choose from the library”, or type the path the library shows, for example:"),
    "event.start": N_("Leave the time empty for an all-day event (Beijing time unless a time zone is given)."),
    "event.repeat": N_("The start date must be the first date of the repeat: for an event every Saturday, a Saturday."),
    "event.lunar": N_("For a festival on the same lunar date every year, such as the 15th day of the 8th month. The "
                      "start date must fall on it. Use either this or the repeat above, not both."),
    "event.except": N_("Dates separated by commas, year-month-day, for example:"),
}
# What the editor types literally (shown as code after the help, never translated).
EXAMPLES = {
    "cover": "images/2026/photo.jpg",
    "event.except": "2027-02-10, 2027-03-10",
}
# Shown with a repeat rule or lunar date the choices cannot express (kept as text).
TEXT_EXAMPLES = {
    "event.repeat": "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA · FREQ=MONTHLY;BYDAY=2SA;COUNT=6",
    "event.lunar": "{month: 8, day: 15, count: 5}",
}
# The parts of the visit block (jindallae.model.VISIT_FIELDS), shown read-only.
VISIT_LABELS = {"address": N_("Address"), "hours": N_("Opening hours"), "transport": N_("How to get there"),
                "phone": N_("Telephone"), "map": N_("Map")}
STATUS_LABELS = {"draft": N_("Draft"), "review": N_("In review"), "published": N_("Published")}
EVENT_STATUS_LABELS = {"scheduled": N_("Scheduled"), "postponed": N_("Postponed"), "cancelled": N_("Cancelled")}

# Model field kind -> widget.  Fields the file name decides (slug, lang) and the workflow state
# (status, changed only by workflow actions) are not editable here.
WIDGETS = {"str": "text", "date": "when", "tags": "tags", "path": "text", "bool": "bool", "when": "when",
           "event_id": "readonly", "tz": "text", "event_status": "select", "rrule": "repeat", "lunar": "lunar",
           "dates": "dates", "status": "readonly", "translation": "readonly"}
SKIP = {"slug", "lang", "event"}
LONG = {"summary", "event.address", "event.registration"}
# The poster block's fields as the panel edits them (``template`` is left to the file).
POSTER_WIDGETS = {"headline": "text", "subline": "text", "points": "points", "image": "text", "focus": "focus",
                  "formats": "checks", "language": "checks"}
# The poster panel marks the form with this input: without it (the new-page form) the poster
# block is not read from the form at all.
POSTER_PANEL = "poster.panel"

# The repeat choices: (kind, label) in the order of the drop-down; what each needs below.
REPEAT_KINDS = (("", N_("Does not repeat")), ("weekly", N_("Every week")),
                ("monthly-day", N_("Every month on the same day")),
                ("monthly-weekday", N_("Every month on the same weekday")), ("yearly", N_("Every year")))
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_LABELS = {"MO": N_("Monday"), "TU": N_("Tuesday"), "WE": N_("Wednesday"), "TH": N_("Thursday"),
                  "FR": N_("Friday"), "SA": N_("Saturday"), "SU": N_("Sunday")}
NTH_LABELS = ((1, N_("first")), (2, N_("second")), (3, N_("third")), (4, N_("fourth")), (-1, N_("last")))
# Traditional Chinese names of the lunar months (正月 ... 腊月), shown beside the numbers in Chinese.
LUNAR_MONTHS_ZH = ("正", "二", "三", "四", "五", "六", "七", "八", "九", "十", "冬", "腊")
LUNAR_KEYS = ("month", "day", "leap")
ON = ("on", "true", "1")


@dataclass(frozen=True)
class FormField:
    """One generated form field: ``name`` is the dotted front-matter key (``event.start``),
    ``widget`` one of text, textarea, when (date + optional time), tags, bool, select,
    readonly, yaml, dates, repeat (the repeat choices), lunar (lunar month and day), and in the
    poster panel poster_on (the block's on/off box), points, focus, checks (one check box per
    choice); ``required`` from the section's required fields; ``group`` the part of the form
    it is shown in (``page``, ``event``, ``poster``); ``default`` the text a field shows when
    the file does not set it (a poster's language: the page's)."""

    name: str
    widget: str
    label: str
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""
    example: str = ""
    group: str = "page"
    default: str = ""

    @property
    def input_id(self) -> str:
        """The HTML id of the field's input (``f-event-start``)."""
        return "f-" + self.name.replace(".", "-")


@dataclass(frozen=True)
class PosterChoices:
    """What the poster panel offers for one page: the configured formats ``(key, name)`` in
    their order, the page's language ``lang`` (a poster in it is the default) and the site's
    default formats (POSTERS_DEFAULT_FORMATS)."""

    formats: tuple[tuple[str, str], ...]
    lang: str
    default_formats: tuple[str, ...] = ()


def page_fields(model: Model, section: str, poster: PosterChoices | None = None) -> list[FormField]:
    """The form fields for a page of ``section``: the model's fields in its order, then the
    event block (``EVENT_FIELDS``), then, with ``poster`` (the posters plugin is set up), the
    poster panel: its on/off box ``poster`` and the fields of ``POSTER_FIELDS`` it edits.
    Without ``poster`` the poster block is shown summed up and kept as it is."""
    sec = model.sections[section]
    required = {"title", "date", *sec.required}
    out = []
    for name, spec in FIELDS.items():
        if name in SKIP or (name == "poster" and poster is not None):
            continue
        widget = WIDGETS.get(spec.kind, "readonly")  # a kind this form does not know: shown, kept
        if name in LONG:
            widget = "textarea"
        out.append(FormField(name, widget, LABELS.get(name, name), name in required, help=HELP.get(name, ""),
                             example=EXAMPLES.get(name, "")))
    for key, spec in EVENT_FIELDS.items():
        name = f"event.{key}"
        widget = "textarea" if name in LONG else WIDGETS.get(spec.kind, "readonly")
        choices = tuple((s, EVENT_STATUS_LABELS[s]) for s in EVENT_STATUSES) if widget == "select" else ()
        req = section == "events" and key in ("start", "location", "id")
        out.append(FormField(name, widget, LABELS.get(name, name), req, choices, HELP.get(name, ""),
                             EXAMPLES.get(name, ""), group="event"))
    if poster is not None:
        out += poster_fields(poster)
    return out


def poster_fields(poster: PosterChoices) -> list[FormField]:
    """The poster panel's fields: ``poster`` (make posters of the page: the block is there)
    and the block's fields in the model's order (``POSTER_FIELDS``; ``template`` stays in the
    file).  Formats offer the configured ones, languages the page's and ``bilingual``."""
    out = [FormField("poster", "poster_on", N_("Make print posters of this page"), group="poster")]
    for key in POSTER_FIELDS:
        widget = POSTER_WIDGETS.get(key)
        if widget is None:
            continue
        name = f"poster.{key}"
        choices: tuple[tuple[str, str], ...] = ()
        default = ""
        if key == "formats":
            choices = poster.formats
        elif key == "language":
            choices = ((poster.lang, poster.lang), ("bilingual", "bilingual"))
            default = poster.lang
        out.append(FormField(name, widget, LABELS.get(name, name), choices=choices, group="poster", default=default))
    return out


# ---------------------------------------------------------------------------------------------
# Values


def _when_text(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None:
        return ""
    text = str(value).strip()
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})[ T](\d{1,2}:\d{2})(?::00)?", text)
    return f"{m.group(1)} {int(m.group(2).split(':')[0]):02d}:{m.group(2).split(':')[1]}" if m else text


def to_form_text(widget: str, value: Any) -> str:
    """A front-matter value as the form shows it (and as a submitted value compares to it)."""
    if value is None:
        return ""
    if widget == "when":
        return _when_text(value)
    if widget == "tags":
        return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    if widget == "dates":
        return ", ".join(_when_text(v) for v in value) if isinstance(value, list) else _when_text(value)
    if widget == "bool":
        return "true" if value is True else ""
    if widget == "repeat":
        text = str(value).strip()
        choice = repeat_choice(text)
        return repeat_rule(choice) if choice else text
    if widget == "lunar":
        text = to_form_text("yaml", value)
        choice = lunar_choice(text)
        return lunar_text(choice) if choice else text
    if widget == "points":
        return "\n".join(str(v) for v in value if v is not None) if isinstance(value, list) else str(value)
    if widget == "focus":
        if isinstance(value, list) and len(value) == 2:
            return f"{_number_text(value[0])}, {_number_text(value[1])}"
        return str(value)
    if widget == "checks":
        return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    if widget == "yaml":
        if isinstance(value, dict):
            return "{" + ", ".join(f"{k}: {_scalar(v)}" for k, v in value.items()) + "}"
        return str(value)
    if widget == "readonly" and isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _number_text(v: Any) -> str:
    """A focal-point number as the form shows it (``0.5``, ``1``); other values as written."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return format(v, "g")
    return str(v)


def _scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def form_values(fields: list[FormField], front: Mapping[str, Any] | None) -> dict[str, str]:
    """The text each field shows for ``front`` (``{name: text}``); a block the form does not
    edit (``visit``, ``poster``) is summed up in the UI language rather than shown as YAML."""
    out = {}
    for f in fields:
        value = get_value(front, f.name) if front is not None else None
        if f.widget == "readonly" and isinstance(value, dict):
            out[f.name] = readonly_summary(f.name, value)
        elif f.widget == "poster_on":
            out[f.name] = "true" if front is not None and f.name in front else ""
        elif value is None and f.default:
            out[f.name] = f.default
        else:
            out[f.name] = to_form_text(f.widget, value)
    return out


def readonly_summary(name: str, value: Mapping[str, Any]) -> str:
    """A block of settings the form shows but does not edit: the visitor information with its
    parts named, anything else as "set (n entries; changed in the file)"."""
    from .i18n import get_lang
    from .i18n import gettext as _

    sep = "；" if get_lang() == "zh" else "; "
    colon = "：" if get_lang() == "zh" else ": "
    if name == "visit" and set(value) <= set(VISIT_LABELS):
        return sep.join(f"{_(VISIT_LABELS[k])}{colon}{v}" for k, v in value.items() if v not in (None, ""))
    return _("Set (%(n)s entries; changed in the file, not in this form)", n=len(value))


def read_form(fields: list[FormField], form: Mapping[str, str]) -> dict[str, str]:
    """The submitted text of each editable field (``when`` fields join their date and time
    inputs ``<name>`` and ``<name>.time``; an unchecked checkbox is '')."""
    out = {}
    panel = POSTER_PANEL in form
    for f in fields:
        if f.widget == "readonly" or (f.group == "poster" and not panel):
            continue
        if f.widget in ("repeat", "lunar", "points", "focus", "checks"):
            text = _read_controls(f, form)
            if text is not None:
                out[f.name] = text
            continue
        if f.widget == "poster_on":
            out[f.name] = "true" if form.get(f.name) in ON else ""
            continue
        if f.widget == "when":
            day = (form.get(f.name) or "").strip()
            time = (form.get(f.name + ".time") or "").strip()
            if "T" in day:  # a datetime-local value
                day, _, time = day.partition("T")
            out[f.name] = f"{day} {time[:5]}" if day and time else day
        elif f.widget == "bool":
            out[f.name] = "true" if form.get(f.name) in ON else ""
        else:
            out[f.name] = _clean(form.get(f.name))
    return out


def _clean(value: str | None) -> str:
    """A submitted text without control characters and surrounding space, ``\n`` line ends."""
    return _CONTROLS.sub("", (value or "").replace("\r\n", "\n")).strip()


def _read_controls(f: FormField, form: Mapping[str, str]) -> str | None:
    """The text of a field made of several inputs (see the module docstring); ``None`` when the
    form does not carry the field (it is then left as it is)."""
    name = f.name
    if f.widget in ("repeat", "lunar") and name in form:
        return _clean(form.get(name))  # a rule the choices cannot express, edited as text
    if f.widget == "repeat":
        if name + ".kind" not in form:
            return None
        return repeat_rule({k: _clean(form.get(f"{name}.{k}")) for k in ("kind", "weekday", "nth", "monthday")})
    if f.widget == "lunar":
        if name + ".month" not in form and name + ".day" not in form:
            return None
        month, day = _clean(form.get(name + ".month")), _clean(form.get(name + ".day"))
        if not month and not day:
            return ""
        return lunar_text({"month": month or None, "day": day or None, "leap": form.get(name + ".leap") in ON})
    if f.widget == "points":
        lines = []
        for i in range(100):
            key = f"{name}.{i}"
            if key not in form:
                break
            line = _clean(form.get(key)).replace("\n", " ")
            if line:
                lines.append(line)
        return "\n".join(lines)
    if f.widget == "focus":
        x, y = _clean(form.get(name + ".x")), _clean(form.get(name + ".y"))
        return f"{x}, {y}" if x or y else ""
    # check boxes ``<name>.<code>``, in the order of the form
    prefix = name + "."
    codes = [key[len(prefix):] for key in form.keys() if key.startswith(prefix) and form.get(key) in ON]
    return ", ".join(dict.fromkeys(c for c in codes if c))


# ---------------------------------------------------------------------------------------------
# Repeat and lunar choices


def repeat_choice(text: str) -> dict[str, Any] | None:
    """The repeat choices for the rule ``text``: ``{"kind": ""}`` for none, ``{"kind": "weekly",
    "weekday": "SA"}``, ``{"kind": "monthly-day", "monthday": 15}``, ``{"kind":
    "monthly-weekday", "nth": 2, "weekday": "SA"}``, ``{"kind": "yearly"}``; ``None`` when the
    choices cannot express it (an interval, an end, several days, a rule the model refuses)."""
    from jindallae.recurrence import RuleError, parse_repeat

    text = (text or "").strip()
    if not text:
        return {"kind": ""}
    try:
        parts = parse_repeat(text)
    except RuleError:
        return None
    keys = set(parts)
    freq = str(parts["FREQ"][0])
    days = [str(d) for d in parts.get("BYDAY", [])]
    if freq == "YEARLY" and keys == {"FREQ"}:
        return {"kind": "yearly"}
    if freq == "WEEKLY" and keys == {"FREQ", "BYDAY"} and len(days) == 1 and days[0] in WEEKDAYS:
        return {"kind": "weekly", "weekday": days[0]}
    if freq == "MONTHLY" and keys == {"FREQ", "BYMONTHDAY"} and len(parts["BYMONTHDAY"]) == 1:
        day = int(parts["BYMONTHDAY"][0])
        return {"kind": "monthly-day", "monthday": day} if 1 <= day <= 31 else None
    if freq == "MONTHLY" and keys == {"FREQ", "BYDAY"} and len(days) == 1:
        m = re.fullmatch(r"([+-]?\d)(MO|TU|WE|TH|FR|SA|SU)", days[0])
        if m and int(m.group(1)) in dict(NTH_LABELS):
            return {"kind": "monthly-weekday", "nth": int(m.group(1)), "weekday": m.group(2)}
    return None


def repeat_rule(choice: Mapping[str, Any]) -> str:
    """The RRULE text (RFC 5545) of repeat choices (:func:`repeat_choice`; values may be the
    submitted texts); '' for no repeat.  A missing or wrong sub-choice gives a rule the content
    model refuses, so its message says what is wrong (:func:`control_problems` says it first)."""
    kind = str(choice.get("kind") or "")
    weekday = str(choice.get("weekday") or "")
    if kind == "weekly":
        return f"FREQ=WEEKLY;BYDAY={weekday}"
    if kind == "monthly-day":
        return f"FREQ=MONTHLY;BYMONTHDAY={choice.get('monthday') or ''}"
    if kind == "monthly-weekday":
        return f"FREQ=MONTHLY;BYDAY={choice.get('nth') or ''}{weekday}"
    if kind == "yearly":
        return "FREQ=YEARLY"
    return "" if not kind else f"FREQ={kind.upper()}"


def lunar_choice(text: str) -> dict[str, Any] | None:
    """``{"month", "day", "leap"}`` of a lunar date written as ``{month: 8, day: 15}`` (month
    or day ``None`` when not given yet: ``{}`` is no lunar date); ``None`` when the choices
    cannot express it (``count``, ``until``, a value out of range)."""
    text = (text or "").strip()
    if not text:
        return {"month": None, "day": None, "leap": False}
    data = load_front(text)
    if not isinstance(data, dict) or not set(map(str, data)) <= set(LUNAR_KEYS):
        return None

    def number(v: Any, high: int) -> int | None | bool:
        if v is None:
            return None
        return v if isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= high else False

    month, day, leap = number(data.get("month"), 12), number(data.get("day"), 30), data.get("leap", False)
    if month is False or day is False or not isinstance(leap, bool):
        return None
    return {"month": month, "day": day, "leap": leap}


def lunar_text(choice: Mapping[str, Any]) -> str:
    """``{month: 8, day: 15}`` (``, leap: true`` for a leap month) from lunar choices; a part
    not chosen is left out (the content model then says what is missing)."""
    parts = [f"{key}: {choice[key]}" for key in ("month", "day") if choice.get(key) not in (None, "")]
    if choice.get("leap"):
        parts.append("leap: true")
    return "{" + ", ".join(parts) + "}"


def lunar_day_name(day: int) -> str:
    """The Chinese name of lunar day ``day`` (初一 ... 三十)."""
    from lunar_python.util import LunarUtil

    return LunarUtil.DAY[day]


def control_state(f: FormField, values: Mapping[str, str]) -> dict[str, Any]:
    """What the template shows for a repeat or lunar field with the form ``values``:
    ``mode`` ``controls`` (with the chosen values and, for no rule yet, the weekday, day and
    week of the event's start as the proposals) or ``text`` (kept as written)."""
    text = values.get(f.name, "")
    if f.widget == "repeat":
        choice = repeat_choice(text)
        if choice is None:
            return {"mode": "text"}
        start = (values.get("event.start") or "").split(" ")[0]
        try:
            day = dt.date.fromisoformat(start)
        except ValueError:
            day = None
        proposal: dict[str, Any] = {"weekday": WEEKDAYS[day.weekday()], "monthday": day.day,
                                    "nth": (day.day - 1) // 7 + 1 if day.day <= 28 else -1} if day else \
            {"weekday": "SA", "monthday": 1, "nth": 1}
        return {"mode": "controls", **proposal, **choice}
    choice = lunar_choice(text)
    if choice is None:
        return {"mode": "text"}
    return {"mode": "controls", **choice}


def control_problems(fields: list[FormField], form: Mapping[str, str]) -> dict[str, list[str]]:
    """Problems with choices made in the form, before the content model sees them, in the UI
    language: ``{field name: [messages]}`` (a lunar month without its day, a focal point with
    one number, a poster with no language ...)."""
    from .i18n import gettext as _

    out: dict[str, list[str]] = {}
    poster_on = form.get("poster") in ON
    for f in fields:
        name = f.name
        if f.widget == "repeat" and name not in form and name + ".kind" in form:
            kind = form.get(name + ".kind") or ""
            weekday_ok = form.get(name + ".weekday") in WEEKDAYS
            monthday_ok = re.fullmatch(r"[1-9]|[12]\d|3[01]", form.get(name + ".monthday") or "")
            nth_ok = form.get(name + ".nth") in [str(n) for n, _label in NTH_LABELS]
            if kind not in dict(REPEAT_KINDS) or (kind in ("weekly", "monthly-weekday") and not weekday_ok) or \
                    (kind == "monthly-day" and not monthday_ok) or (kind == "monthly-weekday" and not nth_ok):
                out.setdefault(name, []).append(_("Choose how the event repeats: the weekday, the day of the month "
                                                  "or which week of the month."))
        elif f.widget == "lunar" and name not in form:
            month, day = _clean(form.get(name + ".month")), _clean(form.get(name + ".day"))
            if bool(month) != bool(day):
                out.setdefault(name, []).append(_("Choose both the lunar month and the day, or neither."))
        elif f.group == "poster" and POSTER_PANEL in form and poster_on:
            if f.widget == "focus":
                x, y = _clean(form.get(name + ".x")), _clean(form.get(name + ".y"))
                if bool(x) != bool(y):
                    out.setdefault(name, []).append(_("Give both numbers of the focal point (across and down), or "
                                                      "leave both empty for the middle of the picture."))
                elif x and not all(_unit_number(v) is not None for v in (x, y)):
                    out.setdefault(name, []).append(_("The focal point's numbers go from 0 to 1: 0 is the left or top "
                                                      "edge, 1 the right or bottom edge, 0.5 the middle."))
            elif f.widget == "checks" and f.default and not _read_controls(f, form):
                out.setdefault(name, []).append(_("Choose at least one language for the posters."))
            elif f.widget == "checks" and name == "poster.formats":
                # only the formats the panel offers (a crafted ``poster.formats.XYZ`` would be
                # written into the file and stop every build at the posters plugin)
                known = {code for code, _label in f.choices}
                for code in (_read_controls(f, form) or "").split(", "):
                    if code and code not in known:
                        out.setdefault(name, []).append(
                            _("There is no poster format %(name)s; choose one of the list.", name=code))
    return out


def _unit_number(text: str) -> float | None:
    """``text`` as a number from 0 to 1, else ``None``."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if 0 <= value <= 1 else None


def input_values(f: FormField, text: str) -> dict[str, str]:
    """The values of the inputs that show field ``f`` with the text ``text`` (``{input name:
    value}``; a check box ``"true"`` or ''), for filling the form in the browser."""
    name = f.name
    if f.widget == "when":
        day, _sep, time = text.partition(" ")
        return {name: day, name + ".time": time}
    if f.widget in ("repeat", "lunar"):
        state = control_state(f, {name: text})
        if state["mode"] == "text":
            return {name: text}
        if f.widget == "repeat":
            parts = {f"{name}.{k}": str(state[k]) for k in ("weekday", "nth", "monthday")}
            return {name + ".kind": state["kind"], **parts}
        return {name + ".month": str(state["month"] or ""), name + ".day": str(state["day"] or ""),
                name + ".leap": "true" if state["leap"] else ""}
    if f.widget == "points":
        lines = text.split("\n") if text else []
        return {f"{name}.{i}": (lines[i] if i < len(lines) else "") for i in range(max(POSTER_MAX_POINTS, len(lines)))}
    if f.widget == "focus":
        x, _sep, y = text.partition(",")
        return {name + ".x": x.strip(), name + ".y": y.strip()}
    if f.widget == "checks":
        chosen = [c.strip() for c in text.split(",") if c.strip()]
        codes = dict.fromkeys([*dict(f.choices), *chosen])
        return {f"{name}.{code}": "true" if code in chosen else "" for code in codes}
    return {name: text}


# C0 control characters other than tab and line feed, and DEL: no keyboard types them into a
# field; a crafted form could (a NUL in a title cannot even go into a git commit message).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def to_yaml_value(widget: str, text: str) -> Any:
    """A submitted text as the value to write (``None``: remove the field).  Dates become
    ``date`` objects (written plain, ``2026-06-12``); text the model would reject is written as
    text so the model's own message explains it."""
    text = text.strip()
    if not text:
        return None
    if widget == "when":
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                return text
        return text
    if widget == "tags":
        return [t.strip() for t in re.split(r"[,，、]", text) if t.strip()] or None
    if widget == "dates":
        out: list[Any] = []
        for part in re.split(r"[,，、\s]+", text):
            if part:
                try:
                    out.append(dt.date.fromisoformat(part))
                except ValueError:
                    out.append(part)
        return out or None
    if widget == "bool":
        return True if text == "true" else None
    if widget == "points":
        return [line.strip() for line in text.split("\n") if line.strip()] or None
    if widget == "checks":
        return [c.strip() for c in text.split(",") if c.strip()] or None
    if widget == "focus":
        x, _sep, y = text.partition(",")
        try:
            numbers = [float(x), float(y)]
        except ValueError:
            return text
        return [int(n) if n.is_integer() else n for n in numbers]
    if widget in ("yaml", "lunar"):
        data = load_front(text)
        if isinstance(data, CommentedMap) and data:
            data.fa.set_flow_style()
            return data
        return text
    return text


def apply_form(fields: list[FormField], front: CommentedMap | None, submitted: Mapping[str, str]
               ) -> tuple[CommentedMap, bool]:
    """A copy of ``front`` with the submitted values that differ from what the form showed;
    returns ``(new front matter, changed)``.  Unchanged fields keep their node (comments,
    quotes, style); ``front`` itself is not modified."""
    new = copy.deepcopy(front) if front is not None else CommentedMap()
    shown = form_values(fields, front)
    changed = False
    for f in fields:
        if f.name not in submitted or f.widget == "readonly":
            continue
        if f.group == "poster" and f.widget != "poster_on" and submitted.get("poster") != "true":
            continue  # no posters: the block is gone (or never was), its fields with it
        if same_value(f, submitted[f.name], shown.get(f.name, "")):
            continue
        text = submitted[f.name]
        if f.widget == "poster_on":
            if text == "true" and "poster" not in new:
                set_value(new, "poster", CommentedMap())
            elif text != "true":
                set_value(new, "poster", None)
            changed = True
            continue
        value = None if f.default and text == f.default else to_yaml_value(f.widget, text)
        if f.group == "poster" and "poster" in new and not isinstance(new["poster"], CommentedMap):
            new["poster"] = CommentedMap()  # a bare ``poster:`` (every default) gets its first field
        old = get_value(new, f.name)
        if f.widget == "lunar" and isinstance(value, dict) and isinstance(old, CommentedMap) \
                and set(map(str, old)) | set(map(str, value)) <= set(LUNAR_KEYS):
            for key in LUNAR_KEYS:  # in place: the block keeps its style and comments
                set_value(new, f"{f.name}.{key}", value.get(key) or None)
        else:
            set_value(new, f.name, value)
        changed = True
    if isinstance(new.get("event"), CommentedMap) and not new["event"] and not isinstance((front or {}).get("event"), dict):
        del new["event"]
    return new, changed


def same_value(f: FormField, submitted: str, shown: str) -> bool:
    """Whether the submitted text of ``f`` says the same as the text the form showed: check
    boxes in any order, focal points as numbers, the rest as text."""
    if submitted == shown:
        return True
    if f.widget == "checks":
        split = lambda t: {c.strip() for c in t.split(",") if c.strip()}  # noqa: E731
        return split(submitted) == split(shown)
    if f.widget == "focus":
        a, b = to_yaml_value("focus", submitted), to_yaml_value("focus", shown)
        return isinstance(a, list) and isinstance(b, list) and [float(v) for v in a] == [float(v) for v in b]
    return False


_QUOTED_KEY = re.compile(r"(字段“|항목 '|field ')([a-z_]+(?:\.[a-z_]+)*)([”'])")
_BARE_KEY = re.compile(r"(?<![a-z0-9_.'“])((?:event|poster|visit)\.[a-z_]+)(?![a-z0-9_.])")
_KEY_PREFIX = re.compile(r"^(?P<head>[^：:]{1,40}[：:]\s*)(?P<key>(?:event|poster|visit)\.[a-z_]+)[：:]\s*")
_HAN = "\u3400-\u4dbf\u4e00-\u9fff"


def with_labels(message: str) -> str:
    """``message`` (a content-model or posters-plugin message) with the front-matter keys it
    names — ``event.repeat``, ``字段“event.except”``, ``항목 'poster.headline'`` — replaced by
    the labels of the form's fields in the UI language (重复、跳过的日期 …), as the editor sees
    them next to the controls.  Keys the form has no label for stay as they are; a message
    that already starts with the field's label (``大标题：poster.headline：…``) names it once."""
    from .i18n import get_lang
    from .i18n import gettext as _

    def label(key: str) -> str | None:
        text = LABELS.get(key)
        return _(text) if text else None

    m = _KEY_PREFIX.match(message)
    if m and label(m.group("key")):
        message = m.group("head") + message[m.end():]
    message = _QUOTED_KEY.sub(lambda m: m.group(1) + (label(m.group(2)) or m.group(2)) + m.group(3), message)
    if get_lang() != "zh":
        return _BARE_KEY.sub(lambda m: f"'{label(m.group(1))}'" if label(m.group(1)) else m.group(1), message)
    message = _BARE_KEY.sub(lambda m: f"“{label(m.group(1))}”" if label(m.group(1)) else m.group(1), message)
    # Chinese quotation marks take no space next to Han characters
    return re.sub(rf"(?<=[{_HAN}])\s+(?=“)|(?<=”)\s+(?=[{_HAN}])", "", message)


def errors_by_field(errors: list, item: Any, field_names: set[str]) -> tuple[dict[str, list[str]], list[str]]:
    """Split content-model errors into ``({field name: [messages]}, [other messages])`` by the
    line each error points at."""
    from .content_store import field_of_error

    by_field: dict[str, list[str]] = {}
    other = []
    for e in errors:
        name = field_of_error(item, e) if e.line > 1 else None
        if name is None:  # a missing field points at line 1: its name is in the message
            m = re.search(r"field '([a-z_.]+)'", e.english or "")
            name = m.group(1) if m else None
        if name and name not in field_names and "." in name:
            name = name.rsplit(".", 1)[0] if name.rsplit(".", 1)[0] in field_names else name
        if name in field_names:
            by_field.setdefault(name, []).append(with_labels(e.message))
        else:
            other.append(with_labels(e.message))
    return by_field, other


def new_seq(values: list[Any]) -> CommentedSeq:
    """A flow-style YAML list (``[a, b]``)."""
    seq = CommentedSeq(values)
    seq.fa.set_flow_style()
    return seq
