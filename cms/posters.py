"""Blueprint ``posters``: the edit form's poster panel and its live preview.

The panel (``templates/_poster_panel.html``, fields from :func:`cms.forms.poster_fields`) edits
the page's ``poster:`` block with real controls; saving goes through the same round trip as
every field (:func:`cms.forms.apply_form`).  ``POST /poster-preview/<path>`` takes the form as
it is in the browser, unsaved (the page's fields, the poster's, the text), and answers with a
PNG of the poster in the chosen format and language, drawn by the posters plugin itself
(``plugins/posters``: :func:`posters.jobs.plan` for the texts, picture, QR address and
template, :func:`posters.render.render` for the layout and :func:`posters.render.preview` for
the picture) — the same lines and sizes as the print PDF, smaller.  What stops a poster (a
headline too long for its box even at the smallest legible size, a picture that cannot be
read, a character the fonts lack, a bilingual poster without its translation) is answered as
422 with the messages in the editor's language, never as a server error.

The posters set-up (the publish settings, formats and templates) is read once and kept per app
while its files are unchanged, and each picture is checked once while it is unchanged; decoded
pictures, fonts and the word list are cached by the plugin in the process
(``posters.render._decoded``, ``posters.fonts``, ``posters.text``), so a preview after the
first takes a fraction of a second.  The edit page asks for a preview as soon as it opens
with the panel open, which loads them before the editor starts typing.
"""

from __future__ import annotations

import dataclasses
import io
import json
import logging
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, jsonify, request, url_for

from . import forms
from .auth import current_user, roles_required
from .i18n import N_, get_lang
from .i18n import gettext as _

bp = Blueprint("posters", __name__)
log = logging.getLogger(__name__)

EDIT_ROLES = ("editor", "translator", "reviewer")
# The preview's longer side, px: the A2 poster 636 × 900, its QR code still readable by a phone
# (the published previews are 1200 px high: POSTERS_PREVIEW_HEIGHT).
PREVIEW_LONG_SIDE = 900
BILINGUAL = "bilingual"
# The poster's texts by the field the plugin names in a message (``poster.when`` ...).
TEXT_LABELS = {
    "poster.headline": N_("Headline"), "poster.subline": N_("Line under the headline"),
    "poster.points": N_("Key points"), "poster.when": N_("Date (from the event details)"),
    "poster.where": N_("Place (from the event details)"), "poster.organizers": N_("Organizers"),
    "poster.image": N_("Picture"), "poster.qr_caption": N_("Caption of the QR code"),
    "poster.sitename": N_("Site name"),
}


@dataclasses.dataclass(frozen=True)
class PosterSetup:
    """The posters plugin as the CMS's publish settings configure it: ``settings`` (the
    publish settings), ``config`` (:class:`posters.jobs.Config`: formats, templates, the public
    address of the QR codes)."""

    settings: dict[str, Any]
    config: Any


def poster_setup() -> PosterSetup | None:
    """The posters set-up of this app's project, ``None`` when the site makes no posters (the
    plugin is not in ``PLUGINS``) or its settings, formats or templates cannot be read (the
    build and ``jindallae check`` say why).  Read from ``PUBLISH_SETTINGS`` (the settings the
    CMS publishes with: the QR code holds the public address), kept while the settings files
    and the theme's poster files are unchanged."""
    project = Path(current_app.config["PROJECT_DIR"])
    conf = project / str(current_app.config.get("PUBLISH_SETTINGS") or "publishconf.py")
    watched = [conf, project / "pelicanconf.py"]
    folder = project / "themes"
    watched += sorted(folder.glob("*/posters/*.yaml")) if folder.is_dir() else []
    stamp = tuple((str(p), p.stat().st_mtime_ns if p.is_file() else 0) for p in watched)
    cached = current_app.extensions.get("cms_poster_setup")
    if cached is not None and cached[0] == stamp:
        return cached[1]
    value = _load_setup(project, conf if conf.is_file() else None)
    current_app.extensions["cms_poster_setup"] = (stamp, value)
    return value


def _load_setup(project: Path, conf: Path | None) -> PosterSetup | None:
    """Read the settings ``conf`` of ``project`` and the posters plugin's set-up (see
    :func:`poster_setup`)."""
    from jindallae.settings import SettingsError, load_settings

    if not (project / "plugins" / "posters").is_dir():
        return None
    try:
        settings = load_settings(project, conf)  # puts the project's plugins/ on sys.path
    except (SettingsError, FileNotFoundError, ValueError):
        return None
    if "posters" not in (settings.get("PLUGINS") or []):
        return None
    from posters.formats import DataError
    from posters.jobs import Config

    try:
        config = Config.from_settings(settings)
    except (DataError, FileNotFoundError, ValueError):
        return None
    return PosterSetup(settings, config)


def poster_choices(lang: str) -> forms.PosterChoices | None:
    """The poster panel's choices for a page in ``lang`` (``None``: no panel)."""
    setup = poster_setup()
    if setup is None:
        return None
    config = setup.config
    return forms.PosterChoices(tuple((key, fmt.name_in(get_lang())) for key, fmt in config.formats.items()), lang,
                               tuple(config.default_formats))


def panel_context(page: Any, fields: list[forms.FormField]) -> dict[str, Any] | None:
    """What ``_poster_panel.html`` shows besides the fields: the formats with their names and
    sizes, the languages a poster can be in (with their names), the site's default formats,
    the preview's address, and which format and language the preview starts with."""
    if not any(f.name == "poster" and f.group == "poster" for f in fields):
        return None
    setup = poster_setup()
    if setup is None:
        return None
    from .content import get_store

    config = setup.config
    model = get_store().model
    ui = get_lang()
    mm = "毫米" if ui == "zh" else "㎜"
    formats = [{"key": key, "name": fmt.name_in(ui), "size": f"{fmt.width:g} × {fmt.height:g} {mm}" if ui == "zh"
                else f"{fmt.width:g} × {fmt.height:g}{mm}"} for key, fmt in config.formats.items()]
    names = {lang.code: lang.name for lang in model.languages}
    order = [c for c in config.order if c in names] or list(names)
    pair = [page.lang] + [c for c in order if c != page.lang][:1]
    pair = [c for c in order if c in pair]
    first, second = names.get(pair[0], pair[0]), names.get(pair[-1], pair[-1])
    variants = [(page.lang, _("Poster in %(language)s", language=names.get(page.lang, page.lang))),
                (BILINGUAL, _("Bilingual poster (%(first)s above, %(second)s below)", first=first, second=second))]
    return {
        "formats": formats, "variants": variants, "lang": page.lang,
        "defaults": [config.formats[k].name_in(ui) for k in config.default_formats if k in config.formats],
        "preview_url": url_for("posters.preview", rel=page.path),
        # where the library's thumbnails are (the focal-point picker adds the picture's path)
        "thumb_url": url_for("media.thumb", rel="_")[:-1] if "media.thumb" in current_app.view_functions else "",
    }


# ---------------------------------------------------------------------------------------------
# The preview


class Refused(Exception):
    """The poster cannot be drawn: ``messages`` say why, in the editor's language."""

    def __init__(self, messages: list[str]):
        messages = [forms.with_labels(m) for m in messages]  # the form's labels, not front-matter keys
        super().__init__(messages)
        self.messages = messages


def _plugin_message(messages: dict[str, str], lang: str | None = None, field: str | None = None,
                    text_lang: str | None = None) -> str:
    """A message of the posters plugin (``{zh, ko, en}``) in the editor's language, after the
    name of the poster text it is about (and of its language, for a bilingual poster's other
    half)."""
    ui = lang or get_lang()
    text = messages.get(ui) or messages.get("en", "")
    label = TEXT_LABELS.get(field or "")
    prefix = _(label) if label else ""
    if text_lang:
        prefix = f"{text_lang} · {prefix}" if prefix else text_lang
    if not prefix:
        return text
    return f"{prefix}：{text}" if ui == "zh" else f"{prefix}: {text}"


def render_preview(store: Any, rel: str, text: str, fmt_key: str, variant: str, setup: PosterSetup,
                   others: dict[str, Any] | None = None) -> tuple[Any, list[str]]:
    """Draw the poster of the page ``rel`` whose file would read ``text`` (unsaved) in the
    format ``fmt_key`` and the language ``variant`` (the page's, or ``bilingual`` with the
    saved translation from ``others``: ``{lang: Item}``).  Returns ``(PIL image, notes)``;
    notes are warnings (a picture of low resolution).  Raises :class:`Refused`."""
    from posters.jobs import plan, preflight
    from posters.render import PosterError, preview, render

    from .content_store import field_of_error, localized_errors

    ui = get_lang()
    model, root, config = store.model, store.root, setup.config
    item, _errors = model.parse_text(root, rel, text)
    errors = localized_errors(model, root, rel, text, ui)
    if item is None:
        raise Refused([e.message for e in errors] or [_("The poster cannot be shown: the page cannot be read.")])
    poster_errors = [e.message for e in errors if (field_of_error(item, e) or "").split(".")[0] == "poster"]
    if poster_errors:
        raise Refused(poster_errors)
    fmt = config.formats.get(fmt_key)
    if fmt is None:
        raise Refused([_("There is no poster format %(name)s; choose one of the list.", name=fmt_key)])
    block = dict(item.fields.get("poster") or {})
    if not (block.get("headline") or item.fields.get("title")):
        raise Refused([_("The poster needs a headline: give the page a title, or the poster a headline.")])
    tname = block.get("template") or config.default_templates.get(fmt.orientation, "")
    template = config.templates.get(tname)
    if template is None or fmt_key not in template.formats:
        raise Refused([_("The poster template %(template)s named in the page's file cannot make a %(format)s poster; "
                         "choose another format, or ask an administrator about the template.", template=tname,
                         format=fmt.name_in(ui))])
    names = {lang.code: lang.name for lang in model.languages}
    block.update(formats=[fmt_key], language=[variant])
    items = [dataclasses.replace(item, fields=dict(item.fields, poster=block, status="published"))]
    if variant == BILINGUAL:
        order = [c for c in config.order if c in names] or list(names)
        other = next((c for c in order if c != item.lang), None)
        found = (others or {}).get(other)
        if other is None or found is None:
            raise Refused([_("A bilingual poster needs the page's %(language)s version: make the translation first, or "
                             "preview the poster in one language.", language=names.get(other or "", other or ""))])
        oblock = found.fields.get("poster")
        ofields = dict(found.fields, status="published")
        if oblock is not None:  # its texts, but this page's block decides formats and picture
            ofields["poster"] = dict(oblock, language=[found.lang])
        items.append(dataclasses.replace(found, fields=ofields))
    jobs, problems = plan(model, root, items, config, only={item.slug}, formats={fmt_key}, langs={variant})
    if not jobs:
        raise Refused([p.message for p in problems if p.error] or [_("The poster cannot be shown.")])
    job = jobs[0]
    stops = preflight(job, _checked_pictures(job.image))
    if stops:
        raise Refused([_plugin_message(e["messages"], ui, e["field"],
                                       names.get(e["lang"]) if e.get("lang") not in (None, item.lang) else None)
                       for e in stops])
    try:
        scene = render(job.fmt, job.template, job.texts, job.url, job.image, job.focus, config.second_scale,
                       min(config.min_dpi, job.fmt.dpi), job.image_rel, config.logo)
        long_side = max(fmt.width, fmt.height)
        image = preview(scene, max(1, round(PREVIEW_LONG_SIDE * fmt.height / long_side)))
    except PosterError as exc:
        raise Refused([_plugin_message(exc.messages, ui, exc.field,
                                       names.get(exc.lang) if exc.lang not in (None, item.lang) else None)]) from None
    except Exception as exc:  # noqa: BLE001 - a template or renderer bug: say so, keep the editor working
        raise Refused([_("The poster could not be drawn (%(detail)s); this is a problem of the template or the "
                         "program: please tell an administrator.", detail=type(exc).__name__)]) from None
    notes = [_plugin_message(w.messages, ui, "poster.image") for w in scene.warnings]
    return image, notes


def save_problems(store: Any, rel: str, text: str) -> list[tuple[str, str]]:
    """What would stop the build's posters of the page ``rel`` if its file read ``text``
    (unsaved), when that page is published in ``text`` and has a ``poster:`` block:
    ``[(field, message in the editor's language)]`` with the poster field each is about
    (``poster.headline``, ``poster.formats`` ...).  Every poster the build would make of the
    page is planned by the posters plugin (:func:`posters.jobs.plan`: unknown formats and
    templates, a bilingual poster without its translation), checked without drawing
    (:func:`posters.jobs.preflight`: pictures, characters the fonts lack) and laid out
    (:func:`posters.render.render`: text too long for its box at the smallest legible size) —
    the checks the build runs, on the new text, before anything is written.  ``[]`` for a
    draft, a page without posters, a site without the posters plugin, or a text with content
    model errors of its own (the save refuses those with their own messages)."""
    setup = poster_setup()
    if setup is None:
        return []
    from posters.jobs import plan, preflight
    from posters.render import PosterError, render

    from .content import versions
    from .content_store import field_of_error

    ui = get_lang()
    model, root, config = store.model, store.root, setup.config
    item, errors = model.parse_text(root, rel, text)
    if item is None or not item.published or item.fields.get("poster") is None:
        return []
    if any((field_of_error(item, e) or "").split(".")[0] == "poster" for e in errors):
        return []
    items = [item]
    for lang, other in versions(store, rel).items():
        if other != rel:
            try:
                loaded = store.load(other)
            except Exception:  # noqa: BLE001 - an unreadable translation: its own save says so
                continue
            if loaded.item is not None:
                items.append(loaded.item)
    names = {lang.code: lang.name for lang in model.languages}
    jobs, problems = plan(model, root, items, config, only={item.slug})
    out: list[tuple[str, str]] = []
    for p in problems:
        if p.error and p.source == rel:
            out.append((p.field, forms.with_labels(p.message)))
    for job in jobs:
        if rel not in job.sources.values():
            continue
        stops = preflight(job, _checked_pictures(job.image))
        found = [(e["field"], e["messages"], e.get("lang")) for e in stops]
        if not found:
            try:
                with render_lock():
                    render(job.fmt, job.template, job.texts, job.url, job.image, job.focus, config.second_scale,
                           min(config.min_dpi, job.fmt.dpi), job.image_rel, config.logo)
            except PosterError as exc:
                found = [(exc.field, exc.messages, exc.lang)]
            except Exception:  # noqa: BLE001 - a template bug is not the editor's text: the build reports it
                log.exception("checking the posters of %s", rel)
        for field, messages, lang in found:
            text_lang = names.get(lang) if lang not in (None, item.lang) else None
            entry = (field or "poster", forms.with_labels(_plugin_message(messages, ui, field, text_lang)))
            if entry not in out:
                out.append(entry)
    return out


def render_lock() -> Any:
    """The app's lock around drawing a preview: one poster at a time per process (the
    plugin's cached fonts are not meant for two threads at once, and two drawings would only
    share the same cores)."""
    import threading

    return current_app.extensions.setdefault("cms_poster_lock", threading.Lock())


def _checked_pictures(path: str | None) -> dict[str, Any]:
    """The ``pictures`` memo :func:`posters.jobs.preflight` fills (picture path -> its error or
    ``None``), kept per app for the picture at ``path`` while the file is unchanged, so a
    picture is checked once, not at every preview."""
    memo: dict[str, Any] = current_app.extensions.setdefault("cms_poster_pictures", {})
    if not path:
        return {}
    try:
        st = Path(path).stat()
    except OSError:
        return {}
    key = f"{path}\0{st.st_mtime_ns}\0{st.st_size}"
    if key not in memo:
        if len(memo) > 64:
            memo.clear()
        memo[key] = {}
    return memo[key]


@bp.post("/poster-preview/<path:rel>")
@roles_required(*EDIT_ROLES)
def preview(rel: str):
    """The poster of the unsaved form as a PNG (see the module docstring).  Form fields: the
    edit form's (``csrf_token``, the page's and the poster's fields, ``body``) and
    ``preview_format`` (a format key; default the first chosen, else the site's first
    default), ``preview_variant`` (the page's language or ``bilingual``).  422 with
    ``{"problems": [...]}`` when the poster cannot be drawn; warnings of a drawn poster come
    percent-encoded as JSON in the ``X-Poster-Notes`` header."""
    from . import pending
    from .content import can_edit, fields_for, get_store, load_or_404, versions

    store = get_store()
    page = load_or_404(store, rel)
    user = current_user()
    if not can_edit(user, store, page):
        abort(403)
    setup = poster_setup()
    if setup is None:
        return jsonify(problems=[_("This site makes no posters (the posters plugin is not set up).")]), 422
    if pending.needs_review(user, page):
        page = pending.editing_page(store, page, pending.current(page.path), get_lang())
    fields = fields_for(store, page.path)
    problems = forms.control_problems(fields, request.form)
    if problems:
        return jsonify(problems=[m for msgs in problems.values() for m in msgs]), 422
    submitted = forms.read_form(fields, request.form)
    submitted["poster"] = "true"  # the preview shows the poster the panel describes, made or not yet
    new_front, changed = forms.apply_form(fields, page.front, submitted)
    text = store.text_for(page, new_front, request.form.get("body", page.body), changed)
    config = setup.config
    chosen = [c.strip() for c in submitted.get("poster.formats", "").split(",") if c.strip()]
    fmt_key = request.form.get("preview_format") or next(
        (k for k in chosen + list(config.default_formats) if k in config.formats), next(iter(config.formats)))
    variant = request.form.get("preview_variant") or page.lang
    if variant not in (page.lang, BILINGUAL):
        variant = page.lang
    others = {}
    if variant == BILINGUAL:
        for lang, other in versions(store, page.path).items():
            if lang != page.lang:
                loaded = store.load(other)
                if loaded.item is not None:
                    others[lang] = loaded.item
    try:
        with render_lock():
            image, notes = render_preview(store, page.path, text, fmt_key, variant, setup, others)
    except Refused as exc:
        return jsonify(problems=exc.messages), 422
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)
    response = Response(out.getvalue(), mimetype="image/png")
    response.headers["X-Poster-Notes"] = quote(json.dumps(notes, ensure_ascii=False))
    response.headers["X-Poster-Format"] = fmt_key
    return response
