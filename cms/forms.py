"""Edit-form fields generated from the content model (``jindallae.model.FIELDS`` and
``EVENT_FIELDS``), and the translation between form values and round-trip front matter.

Editors never see YAML: each model field kind gets a widget (text, date + time pickers, tags,
checkbox, select).  A submitted value is written to the front matter only when it differs from
the value the form was filled with, so everything else in the file (unknown fields, comments,
quoting, order) stays as it was.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Mapping

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from jindallae.model import EVENT_FIELDS, EVENT_STATUSES, FIELDS, Model

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
    "event.repeat": N_("Repeats (rule)"), "event.lunar": N_("Lunar date every year"),
    "event.except": N_("Skipped dates"),
    "visit": N_("Visitor information"),
}
HELP = {
    "tags": N_("Separate tags with commas."),
    "cover": N_("Choose it with the button “Choose from the library”, or type the path the library shows, for example:"),
    "event.start": N_("Leave the time empty for an all-day event (Beijing time unless a time zone is given)."),
    "event.repeat": N_("A repeat rule as calendars write it; every year, or the second Saturday of every month:"),
    "event.lunar": N_("Month and day of the lunar calendar, for example the 15th day of the 8th month:"),
    "event.except": N_("Dates separated by commas, year-month-day, for example:"),
}
# What the editor types literally (shown as code after the help, never translated).
EXAMPLES = {
    "cover": "images/2026/photo.jpg",
    "event.repeat": "FREQ=YEARLY · FREQ=MONTHLY;BYDAY=2SA",
    "event.lunar": "{month: 8, day: 15}",
    "event.except": "2027-02-10, 2027-03-10",
}
# The parts of the visit block (jindallae.model.VISIT_FIELDS), shown read-only.
VISIT_LABELS = {"address": N_("Address"), "hours": N_("Opening hours"), "transport": N_("How to get there"),
                "phone": N_("Telephone"), "map": N_("Map")}
STATUS_LABELS = {"draft": N_("Draft"), "review": N_("In review"), "published": N_("Published")}
EVENT_STATUS_LABELS = {"scheduled": N_("Scheduled"), "postponed": N_("Postponed"), "cancelled": N_("Cancelled")}

# Model field kind -> widget.  Fields the file name decides (slug, lang) and the workflow state
# (status, changed only by workflow actions) are not editable here.
WIDGETS = {"str": "text", "date": "when", "tags": "tags", "path": "text", "bool": "bool", "when": "when",
           "event_id": "readonly", "tz": "text", "event_status": "select", "rrule": "text", "lunar": "yaml",
           "dates": "dates", "status": "readonly", "translation": "readonly"}
SKIP = {"slug", "lang", "event"}
LONG = {"summary", "event.address", "event.registration"}


@dataclass(frozen=True)
class FormField:
    """One generated form field: ``name`` is the dotted front-matter key (``event.start``),
    ``widget`` one of text, textarea, when (date + optional time), tags, bool, select,
    readonly, yaml, dates; ``required`` from the section's required fields."""

    name: str
    widget: str
    label: str
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""
    example: str = ""

    @property
    def input_id(self) -> str:
        """The HTML id of the field's input (``f-event-start``)."""
        return "f-" + self.name.replace(".", "-")

    @property
    def group(self) -> str:
        """``event`` for the event block's fields, ``page`` for the others."""
        return "event" if self.name.startswith("event.") else "page"


def page_fields(model: Model, section: str) -> list[FormField]:
    """The form fields for a page of ``section``: the model's fields in its order, then the
    event block (``EVENT_FIELDS``)."""
    sec = model.sections[section]
    required = {"title", "date", *sec.required}
    out = []
    for name, spec in FIELDS.items():
        if name in SKIP:
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
                             EXAMPLES.get(name, "")))
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
    if widget == "yaml":
        if isinstance(value, dict):
            return "{" + ", ".join(f"{k}: {_scalar(v)}" for k, v in value.items()) + "}"
        return str(value)
    if widget == "readonly" and isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


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
    for f in fields:
        if f.widget == "readonly":
            continue
        if f.widget == "when":
            day = (form.get(f.name) or "").strip()
            time = (form.get(f.name + ".time") or "").strip()
            if "T" in day:  # a datetime-local value
                day, _, time = day.partition("T")
            out[f.name] = f"{day} {time[:5]}" if day and time else day
        elif f.widget == "bool":
            out[f.name] = "true" if form.get(f.name) in ("on", "true", "1") else ""
        else:
            out[f.name] = _CONTROLS.sub("", (form.get(f.name) or "").replace("\r\n", "\n")).strip()
    return out


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
    if widget == "yaml":
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
        if submitted[f.name] == shown.get(f.name, ""):
            continue
        set_value(new, f.name, to_yaml_value(f.widget, submitted[f.name]))
        changed = True
    if isinstance(new.get("event"), CommentedMap) and not new["event"] and not isinstance((front or {}).get("event"), dict):
        del new["event"]
    return new, changed


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
            by_field.setdefault(name, []).append(e.message)
        else:
            other.append(e.message)
    return by_field, other


def new_seq(values: list[Any]) -> CommentedSeq:
    """A flow-style YAML list (``[a, b]``)."""
    seq = CommentedSeq(values)
    seq.fa.set_flow_style()
    return seq
