// "Clean up pasted text" (cms/templates/_paste_cleanup.html; server side: cms/importer.py).
//
// A paste into the body is plain text in a <textarea>; when the clipboard also had HTML (Word,
// WPS, WeChat) it is remembered with the text it inserted, so the clean-up can use its structure
// (headings, lists, tables) as long as that text is still in the body.  Otherwise the selection,
// or the whole body, is cleaned as text.  The server's result is shown read-only; "use" replaces
// exactly the part that was sent (if the body did not change meanwhile) and fires an input
// event, so the preview and the browser draft (editor.js) follow.  Nothing changes while an
// input method composition is in progress (the button is a click, never typing).
(function () {
  "use strict";
  var box = document.querySelector(".paste-cleanup");
  var body = document.getElementById("body");
  if (!box || !body || !window.fetch) { return; }
  var button = document.getElementById("paste-clean");
  var panel = document.getElementById("paste-clean-result");
  var status = document.getElementById("paste-clean-status");
  var output = document.getElementById("paste-clean-text");
  var accept = document.getElementById("paste-clean-accept");
  var cancel = document.getElementById("paste-clean-cancel");
  var lastPaste = null;
  var pending = null;

  function msg(id) { var el = document.getElementById(id); return el ? el.textContent : ""; }
  function norm(text) { return (text || "").replace(/\r\n?/g, "\n"); }

  body.addEventListener("paste", function (event) {
    var data = event.clipboardData;
    if (!data) { return; }
    var html = data.getData("text/html");
    var plain = norm(data.getData("text/plain"));
    lastPaste = html && plain.trim() ? { html: html, plain: plain } : null;
  });

  button.addEventListener("click", function () {
    var value = norm(body.value);
    var start = 0, end = value.length, payload = { lang: box.getAttribute("data-lang") || "" };
    var at = lastPaste ? value.indexOf(lastPaste.plain) : -1;
    if (at !== -1) {
      start = at; end = at + lastPaste.plain.length;
      payload.html = lastPaste.html;
    } else if (body.selectionStart !== body.selectionEnd) {
      start = body.selectionStart; end = body.selectionEnd;
    }
    payload.text = value.slice(start, end);
    button.setAttribute("aria-busy", "true");
    fetch(box.getAttribute("data-clean-url"), {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(payload)
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      button.removeAttribute("aria-busy");
      panel.hidden = false;
      if (!result.ok) {
        pending = null;
        output.value = "";
        accept.hidden = true;
        status.textContent = msg("msg-clean-failed") + " " + (result.data.error || "");
        return;
      }
      pending = { value: value, start: start, end: end, markdown: result.data.markdown };
      output.value = result.data.markdown;
      accept.hidden = !result.data.changed;
      var notes = (result.data.notes || []).join(" ");
      status.textContent = (result.data.changed ? (payload.html ? msg("msg-clean-html") : "") : msg("msg-clean-same"))
        + (notes ? " " + notes : "");
      output.focus();
    }).catch(function (error) {
      button.removeAttribute("aria-busy");
      panel.hidden = false;
      accept.hidden = true;
      status.textContent = msg("msg-clean-failed") + " " + error;
    });
  });

  accept.addEventListener("click", function () {
    if (!pending) { return; }
    if (norm(body.value) !== pending.value) {
      status.textContent = msg("msg-clean-changed");
      pending = null;
      accept.hidden = true;
      return;
    }
    var before = pending.value.slice(0, pending.start), after = pending.value.slice(pending.end);
    var text = pending.markdown.replace(/\n+$/, "");
    if (before && !/\n\n$/.test(before)) { text = (/\n$/.test(before) ? "\n" : "\n\n") + text; }
    if (after && !/^\n\n/.test(after)) { text = text + (/^\n/.test(after) ? "\n" : "\n\n"); }
    body.value = before + text + after;
    body.dispatchEvent(new Event("input", { bubbles: true }));
    pending = null;
    lastPaste = null;
    panel.hidden = true;
    body.focus();
  });

  cancel.addEventListener("click", function () {
    pending = null;
    panel.hidden = true;
    body.focus();
  });
})();
