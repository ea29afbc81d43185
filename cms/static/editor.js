// Jindallae CMS page editor (no build step, loaded from 'self' under the CSP; cms.js adds the
// CSRF header to fetch).
//
// 1. Autosave (case W2): the form's text is kept in localStorage under
//    "jindallae-draft:<path>:<base revision>", debounced 1 s after typing.  On opening the page
//    again with a stored draft that differs from the form, "restore" / "discard" is offered;
//    a restored draft stays stored until the server confirms a save (the page after a
//    successful save carries data-saved="1") or the editor discards it.
// 2. Input methods (case W3): the body is a plain <textarea>, which browsers handle correctly
//    with Chinese and Korean IMEs.  Nothing here changes its value while a composition is in
//    progress: input events with isComposing (UI Events spec, W3C) are ignored and the
//    preview/autosave run after compositionend.
// 3. Live preview: POST /preview (JSON) renders with the site's own Markdown pipeline; the
//    sanitised HTML is shown in a shadow root with the site theme's stylesheet, so theme and
//    CMS styles never mix.
// 4. After a refused stale save (case W1), "put the combined text into the form" fills the
//    form with the three-way merge the server computed (JSON in a non-executed script block).
// 5. Image insert: POST /media/upload (multipart file + alt); alt text is required first; the
//    returned Markdown is inserted at the cursor.
(function () {
  "use strict";
  var form = document.getElementById("page-form");
  if (!form) { return; }
  var body = document.getElementById("body");
  var path = form.getAttribute("data-path");
  var base = form.getAttribute("data-base");
  var prefix = "jindallae-draft:" + path + ":";
  var key = prefix + base;
  var composing = false;
  var SKIP = { csrf_token: 1, base_revision: 1, save: 1, mark_current: 1 };

  function fields() {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP[el.name] || el.type === "file" || el.type === "submit" || el.type === "button") { return; }
      out[el.name] = el.type === "checkbox" ? (el.checked ? "true" : "") : el.value;
    });
    return out;
  }

  function setFields(values) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP[el.name] || !(el.name in values)) { return; }
      if (el.type === "checkbox") { el.checked = values[el.name] === "true"; } else { el.value = values[el.name]; }
    });
  }

  function sameAsForm(draft) {
    var now = fields();
    return Object.keys(draft.fields || {}).every(function (k) { return !(k in now) || now[k] === draft.fields[k]; });
  }

  function store() {
    try {
      localStorage.setItem(key, JSON.stringify({ fields: fields(), at: new Date().toISOString(), base: base }));
    } catch (e) { /* storage full or disabled: nothing to do, the form still works */ }
  }

  function drafts() {
    var out = [];
    for (var i = 0; i < localStorage.length; i++) {
      var k = localStorage.key(i);
      if (k && k.indexOf(prefix) === 0) { out.push(k); }
    }
    return out;
  }

  function debounce(fn, ms) {
    var t = null;
    return function () { clearTimeout(t); t = setTimeout(fn, ms); };
  }

  // ---- preview ---------------------------------------------------------------------------
  var host = document.getElementById("preview");
  var shadow = host && host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  var errorBox = document.getElementById("preview-error");
  var themeCss = form.getAttribute("data-theme-css");
  var previewUrl = form.getAttribute("data-preview-url");
  var seq = 0;

  function preview() {
    if (!host || composing) { return; }
    var mine = ++seq;
    fetch(previewUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ path: path, body: body.value })
    }).then(function (r) { return r.json(); }).then(function (data) {
      if (mine !== seq) { return; }
      // The HTML is sanitised on the server (nh3 allow-list) and the CSP forbids inline script.
      shadow.innerHTML = '<link rel="stylesheet" href="' + themeCss + '"><article class="article">' +
        '<div class="article-body" id="preview-body">' + (data.html || "") + "</div></article>";
      if (errorBox) { errorBox.textContent = data.error || ""; }
    }).catch(function () { /* offline: the editor keeps working, the next input tries again */ });
  }

  var later = debounce(function () { if (!composing) { store(); } }, 1000);
  var previewLater = debounce(preview, 400);

  function changed(event) {
    if ((event && event.isComposing) || composing) { return; }  // mid-composition: wait for compositionend
    later();
    if (!event || event.target === body) { previewLater(); }
  }

  form.addEventListener("compositionstart", function () { composing = true; });
  form.addEventListener("compositionend", function (event) {
    composing = false;
    later();
    if (event.target === body) { previewLater(); }
  });
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  // Keep the very latest text too (typed less than a second before pressing Save): if the save
  // does not come back as a success (session expired, server down), the draft is still here.
  form.addEventListener("submit", function () { if (!composing) { store(); } });

  // ---- drafts (W2) -----------------------------------------------------------------------
  if (form.getAttribute("data-saved") === "1") {
    drafts().forEach(function (k) { localStorage.removeItem(k); });  // the server confirmed the save
    if (window.history && window.history.replaceState) {
      // Drop ?saved= so that a later reload does not clear newer unsaved text.
      var clean = new URL(window.location.href);
      clean.searchParams.delete("saved");
      clean.searchParams.delete("discard");
      window.history.replaceState(null, "", clean.pathname + clean.search + clean.hash);
    }
  } else {
    var offerKey = localStorage.getItem(key) ? key : drafts().sort().pop();
    var draft = null;
    try { draft = offerKey ? JSON.parse(localStorage.getItem(offerKey)) : null; } catch (e) { draft = null; }
    var offer = document.getElementById("draft-offer");
    if (draft && draft.fields && !sameAsForm(draft) && offer) {
      var when = document.getElementById("draft-when");
      if (when && draft.at) { when.textContent = new Date(draft.at).toLocaleString(); }
      offer.hidden = false;
      document.getElementById("draft-restore").addEventListener("click", function () {
        setFields(draft.fields);
        if (draft.base && draft.base !== base) {
          // Written on an older version: saving it must go through the merge view (W1).
          form.querySelector('input[name="base_revision"]').value = draft.base;
          key = offerKey;
        }
        offer.hidden = true;
        preview();
        body.focus();
      });
      document.getElementById("draft-discard").addEventListener("click", function () {
        localStorage.removeItem(offerKey);
        offer.hidden = true;
      });
    }
  }

  // ---- W1: take the combined (three-way merged) version into the form ---------------------
  var mergeUse = document.getElementById("merge-use");
  var mergeData = document.getElementById("merge-data");
  if (mergeUse && mergeData) {
    mergeUse.addEventListener("click", function () {
      var values = JSON.parse(mergeData.textContent);
      setFields(values);
      store();
      preview();
      body.focus();
    });
  }

  // ---- image insert ----------------------------------------------------------------------
  var insert = document.getElementById("image-insert");
  if (insert) {
    insert.addEventListener("click", function () {
      var box = insert.closest(".image-insert");
      var file = document.getElementById("image-file");
      var alt = document.getElementById("image-alt");
      var status = document.getElementById("image-status");
      var msg = function (id) { var el = document.getElementById(id); return el ? el.textContent : id; };
      if (!file.files.length) { status.textContent = msg("msg-no-file"); file.focus(); return; }
      if (!alt.value.trim()) { status.textContent = msg("msg-alt-required"); alt.focus(); return; }
      var data = new FormData();
      data.append("file", file.files[0]);
      data.append("alt", alt.value.trim());
      fetch(box.getAttribute("data-upload-url"), { method: "POST", body: data, headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, json: j }; }); })
        .then(function (res) {
          if (!res.ok) { status.textContent = msg("msg-upload-failed") + " " + (res.json.error || ""); return; }
          var start = body.selectionStart, end = body.selectionEnd, text = "\n" + res.json.markdown + "\n";
          body.setRangeText(text, start, end, "end");
          status.textContent = msg("msg-inserted");
          alt.value = "";
          file.value = "";
          store();
          preview();
        })
        .catch(function (e) { status.textContent = msg("msg-upload-failed") + " " + e; });
    });
  }

  preview();
})();
