"""Blueprint ``wechat``: a page as a WeChat official-account article (jindallae.export.wechat).

* ``GET /wechat/<path>``: the export page — what goes into WeChat's own fields (title, summary,
  author, original link), the files to upload in order (with links to download them), the QR
  code, warnings, and the "copy for WeChat" button;
* ``GET /wechat/export/<path>``: the export as JSON (``html``, ``text``, uploads, ...), which the
  button (``static/wechat.js``) puts on the clipboard as text/html (Clipboard API,
  ``ClipboardItem``) — no inline script, the CSP forbids it;
* ``GET /wechat/qr/<path>``: the QR code as a PNG file.

Every user with a content role (editor, translator, reviewer) may export any page: exporting
reads the saved file and changes nothing.  The public address is ``JINDALLAE_PUBLIC_URL`` of the
settings the CMS publishes with (``PUBLISH_SETTINGS``, default ``publishconf.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, render_template
from markupsafe import Markup, escape

from jindallae.export.wechat import ExportError, WeChatExport, export_page, export_settings, find_page
from jindallae.model import model_from_settings

from .auth import roles_required
from .i18n import N_
from .i18n import gettext as _

bp = Blueprint("wechat", __name__, url_prefix="/wechat")

EXPORT_ROLES = ("editor", "translator", "reviewer")


def _settings() -> tuple[dict[str, Any], str | None]:
    """The publish settings and the public-address problem, kept per app while the settings
    files are unchanged (loading them runs the settings file and reads the plugins' schemas)."""
    project = Path(current_app.config["PROJECT_DIR"])
    conf = project / str(current_app.config.get("PUBLISH_SETTINGS") or "publishconf.py")
    stamp = tuple(p.stat().st_mtime_ns if p.is_file() else 0 for p in (conf, project / "pelicanconf.py"))
    cached = current_app.extensions.get("cms_wechat_settings")
    if cached and cached[0] == (conf, stamp):
        return cached[1]
    value = export_settings(project, conf if conf.is_file() else None)
    current_app.extensions["cms_wechat_settings"] = ((conf, stamp), value)
    return value


def export_for(rel: str) -> WeChatExport:
    """The export of the page at content path ``rel``; 404 when there is no such page, 422 when
    it cannot be read (the message says why)."""
    settings, problem = _settings()
    model = model_from_settings(settings)
    root = Path(current_app.config["CONTENT_DIR"])
    if model.page_key(rel) is None or not (root / rel).is_file():
        abort(404)
    try:
        item = find_page(model, root, rel)
    except ExportError as exc:
        abort(Response(_("This page cannot be exported: %(detail)s", detail=str(exc)), 422, mimetype="text/plain"))
    return export_page(model, root, item, settings["JINDALLAE_PUBLIC_URL"], public_problem=problem)


# The export's notices (jindallae.export.wechat.NOTICES) for editors, by code; ``%(name)s`` are
# the notice's values (paths and addresses shown as code).  Every code must be here: a notice
# without a text is shown by the general one, never in English.
NOTICE_TEXTS = {
    "not-published": N_("The page is not published (status: %(status)s): its address and QR code lead nowhere until "
                        "it is."),
    "public-url": N_("The public address of the site (JINDALLAE_PUBLIC_URL in the production settings) is not a "
                     "public one, so the address and QR code in the article are not the ones the public reads. An "
                     "administrator must set it. %(problem)s"),
    "link-nowhere": N_("The link %(target)s leads nowhere: there is no such page or file. Correct it in the page "
                       "(the checks list it too)."),
    "image-nowhere": N_("The picture %(target)s leads nowhere: there is no such file. Correct it in the page "
                        "(the checks list it too)."),
    "image-missing": N_("The picture %(path)s does not exist; upload it or correct the page."),
    "title-long": N_("The title has %(length)s characters; WeChat takes at most %(limit)s."),
    "summary-long": N_("The summary has %(length)s characters; WeChat's summary field takes at most %(limit)s."),
    "text-long": N_("The article has %(length)s characters; WeChat takes at most %(limit)s: split it."),
    "alt-missing": N_("%(label)s %(src)s (line %(line)s of %(path)s) has no alt text: write what the picture shows "
                      "in %(where)s. Readers who cannot see the picture get this text."),
    "alt-todo": N_("%(label)s %(src)s (line %(line)s of %(path)s): the alt text is still the placeholder "
                   "“%(alt)s”. Replace it in %(where)s with what the picture shows."),
}
# values shown as code (paths, addresses, technical details, Markdown syntax)
_CODE_ARGS = ("target", "path", "problem", "src", "where")


def notice_text(notice: Any) -> Markup:
    """One notice of the export in the UI language (HTML: its paths as ``<code>``)."""
    from .forms import STATUS_LABELS

    code = notice.code
    args = dict(notice.args)
    if code == "link-nowhere" and args.get("kind") == "image":
        code = "image-nowhere"
    text = NOTICE_TEXTS.get(code)
    if text is None:  # a notice this CMS does not know yet: said in general, the details as code
        return Markup("{} <code>{}</code>").format(_("Look at this before publishing on WeChat:"), str(notice))
    values: dict[str, Any] = {}
    for name, value in args.items():
        if name in _CODE_ARGS:
            values[name] = Markup('<code class="details-line">{}</code>').format(value)
        elif name == "status":
            values[name] = _(STATUS_LABELS.get(str(value), str(value)))
        else:
            values[name] = value
    return Markup(escape(_(text))) % values


@bp.get("/<path:rel>")
@roles_required(*EXPORT_ROLES)
def view(rel: str):
    """The export page of ``rel``."""
    export = export_for(rel)
    return render_template("wechat.html", export=export, rel=rel, data=export.to_dict(),
                           notices=[notice_text(n) for n in export.notices])


@bp.get("/export/<path:rel>")
@roles_required(*EXPORT_ROLES)
def export(rel: str):
    """The export as JSON (see :meth:`jindallae.export.wechat.WeChatExport.to_dict`)."""
    return jsonify(export_for(rel).to_dict())


@bp.get("/qr/<path:rel>")
@roles_required(*EXPORT_ROLES)
def qr(rel: str):
    """The page's QR code (its public address) as a PNG download."""
    export = export_for(rel)
    name = rel.replace("/", "-").removesuffix(".md") + "-qr.png"
    return Response(export.qr_png, mimetype="image/png",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
