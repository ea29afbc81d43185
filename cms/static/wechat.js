// Jindallae CMS: "copy for WeChat" (no build step; loaded from 'self' under the CSP, which
// forbids inline scripts and inline styles).  A button with data-wechat-export="<URL of
// /wechat/export/<path>>" fetches the page's WeChat export (JSON from cms/wechat.py: html, text)
// and puts it on the clipboard as text/html and text/plain.
//
// The article's HTML is a string that never enters this document: it is handed to the clipboard
// by a "copy" event (document.execCommand("copy") during the click; DataTransfer.setData keeps
// the string as it is, W3C Clipboard API and events §5).  The asynchronous Clipboard API
// (navigator.clipboard.write with a text/html Blob) is not used first because Chromium parses
// that HTML in this page to sanitise it: every inline style of the article is then refused by
// the CMS's Content-Security-Policy (style-src 'self'; one console error each) and dropped, and
// its pictures are fetched.  It remains the fallback for a browser whose copy command refuses.
//
// The export is fetched when the pointer or the keyboard reaches the button (or at the click),
// so it is usually ready when the click comes; a click that has to wait copies when it arrives
// (the click's user activation lasts a few seconds).  Messages come from data-msg-* attributes
// (the UI language); the result is announced in the element named by aria-describedby
// (role="status").
(function () {
  "use strict";

  function copyByEvent(data) {
    var done = false;
    function onCopy(event) {
      if (!event.clipboardData) { return; }
      event.clipboardData.setData("text/html", data.html);
      event.clipboardData.setData("text/plain", data.text);
      event.preventDefault();
      done = true;
    }
    document.addEventListener("copy", onCopy);
    try {
      done = document.execCommand("copy") && done;
    } catch (err) {
      done = false;
    } finally {
      document.removeEventListener("copy", onCopy);
    }
    return done;
  }

  function copyByClipboardApi(data) {
    if (!navigator.clipboard || !navigator.clipboard.write || typeof window.ClipboardItem !== "function") {
      return Promise.reject(new Error("unsupported"));
    }
    return navigator.clipboard.write([new window.ClipboardItem({
      "text/html": new Blob([data.html], { type: "text/html" }),
      "text/plain": new Blob([data.text], { type: "text/plain" })
    })]);
  }

  document.querySelectorAll("button[data-wechat-export]").forEach(function (button) {
    var status = document.getElementById(button.getAttribute("aria-describedby") || "");
    var pending = null;  // the fetch of the export (a promise of its JSON)
    var ready = null;    // the export, once fetched
    function say(text) { if (status) { status.textContent = text; } }

    function load() {
      if (pending === null) {
        pending = fetch(button.getAttribute("data-wechat-export"),
                        { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (response) {
            if (!response.ok) { throw new Error(String(response.status)); }
            return response.json();
          })
          .then(function (data) { ready = data; return data; }, function (err) { pending = null; throw err; });
      }
      return pending;
    }
    ["pointerenter", "focus", "pointerdown"].forEach(function (type) {
      button.addEventListener(type, function () { load().catch(function () {}); });
    });

    function finish(ok, err) {
      if (ok) {
        say(button.getAttribute("data-msg-copied"));
        button.setAttribute("data-copied", "1");
      } else if (err && err.message === "unsupported") {
        say(button.getAttribute("data-msg-unsupported"));
      } else {
        say(button.getAttribute("data-msg-failed") + " " + (err && err.message ? err.message : ""));
      }
      button.removeAttribute("aria-busy");
    }

    function copy(data) {
      if (copyByEvent(data)) { finish(true); return; }
      copyByClipboardApi(data).then(function () { finish(true); }, function (err) { finish(false, err); });
    }

    button.addEventListener("click", function () {
      button.setAttribute("aria-busy", "true");
      button.removeAttribute("data-copied");
      if (ready !== null) { copy(ready); return; }
      say(button.getAttribute("data-msg-busy"));
      load().then(copy, function (err) { finish(false, err); });
    });
  });
})();
