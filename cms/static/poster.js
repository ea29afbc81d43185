// Jindallae CMS: the poster panel of the page form (cms/templates/_poster_panel.html; no build
// step, loaded from 'self' under the CSP; its texts come from the page, translated by the server).
//
// 1. Live preview: while the panel is open, 600 ms after the last change to the form (any field
//    but the Markdown text, which the poster does not show), the whole form — unsaved — is posted
//    to the panel's data-preview-url with the chosen format and language; the answer is a PNG
//    drawn by the posters plugin (shown through a blob: URL, allowed by the CSP's img-src) or,
//    with status 422, the reasons the poster cannot be drawn ({"problems": [...]}), shown as
//    text beside it; warnings about a drawn poster (a picture of low resolution) come in the
//    X-Poster-Notes header and are shown as notes under it.  A newer change aborts the request still running (AbortController), and an
//    answer that arrives late is dropped.  Nothing changes the form while an input method is
//    composing (compositionstart/-end).
// 2. Focal point: the poster's picture (or the cover when it has none) is shown small; a click
//    on it sets the two number inputs (0-1 across and down, two decimals), which remain the way
//    to type it without a pointer.
(function () {
  "use strict";
  var panel = document.getElementById("poster-panel");
  var form = document.getElementById("page-form");
  if (!panel || !form) { return; }
  var previewUrl = panel.getAttribute("data-preview-url");
  var thumbUrl = panel.getAttribute("data-thumb-url") || "";
  var img = document.getElementById("poster-preview-img");
  var status = document.getElementById("poster-preview-status");
  var problems = document.getElementById("poster-preview-problems");
  var notesList = document.getElementById("poster-preview-notes");
  var formatSelect = document.getElementById("poster-preview-format");
  var variantSelect = document.getElementById("poster-preview-variant");
  var refresh = document.getElementById("poster-preview-refresh");
  var body = document.getElementById("body");
  var controller = null, seq = 0, timer = null, objectUrl = null, composing = false;

  function text(id) { var el = document.getElementById(id); return el ? el.textContent.trim() : ""; }

  function fill(target, list, heading) {
    target.textContent = "";
    if (!list.length) { return; }
    if (heading) {
      var first = document.createElement("li");
      first.className = "poster-problems-title";
      first.textContent = heading;
      target.appendChild(first);
    }
    list.forEach(function (message) {
      var li = document.createElement("li");
      li.textContent = message;
      target.appendChild(li);
    });
  }

  function notesOf(response) {
    var raw = response.headers.get("X-Poster-Notes");
    if (!raw) { return []; }
    try { return JSON.parse(decodeURIComponent(raw)); } catch (e) { return []; }
  }

  function request() {
    if (!panel.open || composing) { return; }
    if (controller) { controller.abort(); }
    controller = window.AbortController ? new AbortController() : null;
    var mine = ++seq;
    var data = new FormData(form);
    data.append("preview_format", formatSelect.value);
    data.append("preview_variant", variantSelect.value);
    status.textContent = text("poster-msg-loading");
    panel.setAttribute("aria-busy", "true");
    fetch(previewUrl, { method: "POST", body: data, signal: controller ? controller.signal : undefined,
                        headers: { "Accept": "image/png, application/json" } })
      .then(function (r) {
        if (mine !== seq) { return null; }
        var type = r.headers.get("Content-Type") || "";
        if (r.ok && type.indexOf("image/png") === 0) {
          var notes = notesOf(r);
          return r.blob().then(function (blob) {
            if (mine !== seq) { return; }
            if (objectUrl) { URL.revokeObjectURL(objectUrl); }
            objectUrl = URL.createObjectURL(blob);
            img.src = objectUrl;
            img.hidden = false;
            img.classList.remove("stale");
            fill(problems, [], "");
            fill(notesList, notes, "");
            status.textContent = text("poster-msg-done");
          });
        }
        return r.json().then(function (j) {
          if (mine !== seq) { return; }
          img.classList.add("stale");
          fill(problems, j.problems || [j.error || text("poster-msg-failed")], text("poster-msg-problems"));
          fill(notesList, [], "");
          status.textContent = "";
        });
      })
      .catch(function (e) {
        if (e && e.name === "AbortError") { return; }
        if (mine === seq) { status.textContent = text("poster-msg-failed"); }
      })
      .then(function () { if (mine === seq) { panel.removeAttribute("aria-busy"); } });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(request, 600);
  }

  function changed(event) {
    if ((event && event.isComposing) || composing) { return; }
    var target = event && event.target;
    if (!target || !target.name) { return; }  // not sent with the form (the preview's own choices)
    if (target === body || (target && (target.type === "file" || target.closest(".image-insert")))) { return; }
    if (target && (target.name === "poster.image" || target.name === "cover")) { thumb(); }
    if (target && /^poster\.focus\./.test(target.name || "")) { mark(); }
    later();
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("compositionstart", function () { composing = true; });
  form.addEventListener("compositionend", function (event) { composing = false; changed(event); });
  formatSelect.addEventListener("change", request);
  variantSelect.addEventListener("change", request);
  refresh.addEventListener("click", request);
  panel.addEventListener("toggle", function () { if (panel.open) { thumb(); later(); } });

  // The preview starts with the first format ticked and a language ticked, when there are.
  function startChoices() {
    var ticked = form.querySelector('input[name^="poster.formats."]:checked');
    if (ticked) {
      var key = ticked.name.slice("poster.formats.".length);
      if (formatSelect.querySelector('option[value="' + key + '"]')) { formatSelect.value = key; }
    }
    var lang = form.querySelector('input[name^="poster.language."]:checked');
    if (lang) {
      var code = lang.name.slice("poster.language.".length);
      if (variantSelect.querySelector('option[value="' + code + '"]')) { variantSelect.value = code; }
    }
  }

  // ---- focal point -------------------------------------------------------------------------
  var picker = panel.querySelector(".focus-picker");
  var thumbButton = document.getElementById("poster-focus-thumb");
  var thumbImg = document.getElementById("poster-focus-img");
  var markEl = panel.querySelector(".focus-mark");
  var fx = form.querySelector('input[name="poster.focus.x"]');
  var fy = form.querySelector('input[name="poster.focus.y"]');

  function picturePath() {
    var own = form.querySelector('input[name="poster.image"]');
    var cover = form.querySelector('input[name="cover"]');
    return ((own && own.value.trim()) || (cover && cover.value.trim()) || "");
  }

  function thumb() {
    var path = picturePath();
    if (!thumbUrl || path.indexOf("images/") !== 0) { picker.hidden = true; return; }
    var url = thumbUrl + path.slice("images/".length).split("/").map(encodeURIComponent).join("/");
    if (thumbImg.getAttribute("src") !== url) { thumbImg.src = url; }
    picker.hidden = false;
    mark();
  }

  function number(input) {
    var v = parseFloat(input.value);
    return isNaN(v) ? 0.5 : Math.min(1, Math.max(0, v));
  }

  function mark() {
    markEl.style.left = (number(fx) * 100) + "%";
    markEl.style.top = (number(fy) * 100) + "%";
  }

  thumbImg.addEventListener("error", function () { picker.hidden = true; });
  thumbButton.addEventListener("click", function (event) {
    var box = thumbImg.getBoundingClientRect();
    if (!box.width || !box.height || event.detail === 0) { fx.focus(); return; }  // keyboard: type the numbers
    var x = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
    var y = Math.min(1, Math.max(0, (event.clientY - box.top) / box.height));
    fx.value = x.toFixed(2);
    fy.value = y.toFixed(2);
    mark();
    fx.dispatchEvent(new Event("input", { bubbles: true }));
  });

  startChoices();
  if (panel.open) { thumb(); later(); }
})();
