// Jindallae CMS: the image library in the editor, and size checks before an upload (no build
// step; loaded from 'self' under the CSP by base.html for editors and translators; its texts
// come from <template id="media-picker">, translated by the server).
//
// 1. Limits before upload: a file input with data-max-bytes / data-max-pixels (the upload page,
//    the replace form) and the editor's image input (#image-file) show the limits and, once a
//    file is chosen, its size and pixel size (read in the browser: a blob: URL, allowed by the
//    CSP's img-src) — or why it is over a limit; the form's submit button is held back then.
//    The server checks everything again (cms/media.py).
// 2. The picker: "Choose from the library" under the editor's text (inserts ![alt](...) at the
//    cursor) and next to the cover field (fills cover, and cover_alt when empty).  It lists
//    GET /media/?format=json&lang=<page language>&q=<search> as thumbnails; the alt text of a
//    page in the same language is proposed and must not be empty.  Next to any other input
//    marked data-media-pick (the poster's picture) it fills in the path only (no alt text:
//    the texts of its button and notice come from the input's data-media-use and
//    data-media-done).
(function () {
  "use strict";
  var tpl = document.getElementById("media-picker");
  if (!tpl) { return; }
  var maxBytes = parseInt(tpl.getAttribute("data-max-bytes"), 10) || 0;
  var maxPixels = parseInt(tpl.getAttribute("data-max-pixels"), 10) || 0;
  var libraryUrl = tpl.getAttribute("data-library-url");

  function msg(name, values) {
    var el = tpl.content.querySelector('[data-msg="' + name + '"]');
    var text = el ? el.textContent.trim() : name;
    Object.keys(values || {}).forEach(function (k) { text = text.split("%(" + k + ")s").join(String(values[k])); });
    return text;
  }

  function size(bytes) {
    var mb = 1024 * 1024;
    var value = bytes >= mb ? bytes / mb : bytes / 1024;
    return value.toFixed(1).replace(/\.0$/, "") + (bytes >= mb ? " MB" : " KB");
  }

  // ---- 1. limits before upload ------------------------------------------------------------
  function check(input, status) {
    var submit = input.form ? input.form.querySelector('button[type="submit"]') : null;
    var hold = function (on) {
      if (!submit) { return; }
      if (on) { submit.setAttribute("disabled", "disabled"); } else { submit.removeAttribute("disabled"); }
    };
    var file = input.files && input.files[0];
    hold(false);
    if (!file) { status.textContent = ""; return; }
    if (maxBytes && file.size > maxBytes) {
      status.textContent = msg("too-big", { size: size(file.size), max: size(maxBytes) });
      status.classList.add("field-error");
      hold(true);
      return;
    }
    var url = URL.createObjectURL(file);
    var img = new Image();
    img.onload = function () {
      var w = img.naturalWidth, h = img.naturalHeight;
      URL.revokeObjectURL(url);
      if (maxPixels && w * h > maxPixels) {
        status.textContent = msg("too-many-pixels", { w: w, h: h, mp: (w * h / 1e6).toFixed(1), max: Math.floor(maxPixels / 1e6) });
        status.classList.add("field-error");
        hold(true);
      } else {
        status.textContent = msg("fits", { size: size(file.size), w: w, h: h });
        status.classList.remove("field-error");
      }
    };
    img.onerror = function () {
      URL.revokeObjectURL(url);
      status.textContent = msg("not-image");
      status.classList.remove("field-error");
    };
    img.src = url;
  }

  function watch(input, status) {
    input.addEventListener("change", function () { check(input, status); });
  }

  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    var status = input.form && input.form.querySelector("[data-check-status]");
    if (status) { watch(input, status); }
  });

  // The editor's own image input (cms/templates/_page_form.html): limits shown under it.
  var editorFile = document.getElementById("image-file");
  if (editorFile) {
    var limits = document.createElement("p");
    limits.className = "hint media-limits";
    limits.textContent = msg("limits");
    var editorStatus = document.createElement("p");
    editorStatus.className = "hint";
    editorStatus.setAttribute("role", "status");
    editorFile.insertAdjacentElement("afterend", editorStatus);
    editorFile.insertAdjacentElement("afterend", limits);
    watch(editorFile, editorStatus);
  }

  // ---- 2. the picker ----------------------------------------------------------------------
  var form = document.getElementById("page-form");
  if (!form) { return; }
  var body = document.getElementById("body");
  var cover = document.getElementById("f-cover");
  var coverAlt = document.getElementById("f-cover_alt");
  var pathAttr = form.getAttribute("data-path") || "";
  var parts = pathAttr.split("/").pop().split(".");
  var pageLang = parts.length >= 3 ? parts[parts.length - 2] : "";
  var dialog = null, mode = "body", chosen = null, timer = null, opener = null, target = null;

  function changed(el) {
    el.dispatchEvent(new Event("input", { bubbles: true }));
    el.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function escapeAlt(alt) {
    return alt.replace(/\s+/g, " ").trim().replace(/([\\\[\]])/g, "\\$1");
  }

  function build() {
    dialog = tpl.content.querySelector("dialog").cloneNode(true);
    document.body.appendChild(dialog);
    dialog.querySelector("[data-picker-close]").addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("close", function () { if (opener) { opener.focus(); } });
    var q = dialog.querySelector("[data-picker-q]");
    q.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { load(q.value); }, 250);
    });
    dialog.querySelector("[data-picker-use]").addEventListener("click", use);
  }

  function load(query) {
    var status = dialog.querySelector("[data-picker-status]");
    var list = dialog.querySelector("[data-picker-results]");
    status.textContent = msg("loading");
    var url = libraryUrl + "?format=json&lang=" + encodeURIComponent(pageLang) + "&q=" + encodeURIComponent(query || "");
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (data) {
        list.textContent = "";
        status.textContent = data.images.length ? msg("count", { num: data.total }) : msg("none");
        data.images.forEach(function (item) {
          var li = document.createElement("li");
          li.className = "media-card";
          var button = document.createElement("button");
          button.type = "button";
          button.className = "media-choice";
          var img = document.createElement("img");
          img.src = item.thumb;
          img.alt = "";
          img.loading = "lazy";
          var label = document.createElement("span");
          label.className = "media-alt";
          label.textContent = item.alt || (item.alts[0] && item.alts[0].alt) || item.name;
          button.appendChild(img);
          button.appendChild(label);
          button.addEventListener("click", function () { choose(item, button); });
          li.appendChild(button);
          list.appendChild(li);
        });
      })
      .catch(function (e) { status.textContent = msg("failed") + " " + e.message; });
  }

  function choose(item, button) {
    chosen = item;
    dialog.querySelectorAll(".media-choice[aria-pressed]").forEach(function (b) { b.removeAttribute("aria-pressed"); });
    button.setAttribute("aria-pressed", "true");
    var box = dialog.querySelector("[data-picker-chosen]");
    box.hidden = false;
    var preview = box.querySelector("[data-picker-preview]");
    preview.src = item.thumb;
    var alt = box.querySelector("[data-picker-alt]");
    alt.value = item.alt || "";
    var altField = alt.closest(".field");
    if (altField) { altField.hidden = mode === "path"; }
    var useButton = box.querySelector("[data-picker-use]");
    useButton.textContent = mode === "path" ? target.getAttribute("data-media-use") : msg(mode === "cover" ? "cover" : "insert");
    if (mode === "path") { useButton.focus(); } else { alt.focus(); }
  }

  function use() {
    var alt = dialog.querySelector("[data-picker-alt]");
    var status = dialog.querySelector("[data-picker-status]");
    if (!chosen) { return; }
    if (mode === "path") {
      target.value = chosen.path;
      changed(target);
      dialog.close();
      announce(target, target.getAttribute("data-media-done") || "");
      return;
    }
    if (!alt.value.trim()) { status.textContent = msg("alt-required"); alt.focus(); return; }
    if (mode === "cover") {
      cover.value = chosen.path;
      changed(cover);
      if (coverAlt && !coverAlt.value.trim()) { coverAlt.value = alt.value.trim(); changed(coverAlt); }
      dialog.close();
      announce(cover, msg("covered"));
    } else {
      var start = body.selectionStart, end = body.selectionEnd;
      var text = "\n![" + escapeAlt(alt.value) + "](../" + chosen.path + ")\n";
      body.setRangeText(text, start, end, "end");
      changed(body);
      dialog.close();
      announce(body, msg("inserted"));
      body.focus();
    }
  }

  function announce(near, text) {
    var id = near.id + "-picker-status";
    var el = document.getElementById(id);
    if (!el) {
      el = document.createElement("p");
      el.id = id;
      el.className = "hint";
      el.setAttribute("role", "status");
      (near.closest(".field") || near.parentNode).appendChild(el);
    }
    el.textContent = text;
  }

  function open(which, button, input) {
    mode = which;
    opener = button;
    target = input || null;
    chosen = null;
    if (!dialog) { build(); }
    dialog.querySelector("[data-picker-chosen]").hidden = true;
    dialog.showModal();
    dialog.querySelector("[data-picker-q]").focus();
    load(dialog.querySelector("[data-picker-q]").value);
  }

  function addButton(after, which, input) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "media-open";
    button.setAttribute("data-picker", which);
    button.textContent = msg("open");
    button.addEventListener("click", function () { open(which, button, input); });
    after.insertAdjacentElement("afterend", button);
    return button;
  }

  var insertBox = form.querySelector(".image-insert");
  if (body && insertBox) { addButton(insertBox.querySelector("#image-insert") || insertBox.lastElementChild, "body"); }
  if (cover) { addButton(cover, "cover"); }
  form.querySelectorAll("input[data-media-pick]").forEach(function (input) { addButton(input, "path", input); });
})();
