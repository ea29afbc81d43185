// Jindallae CMS: "copy for WeChat" (no build step; loaded from 'self' under the CSP, which
// forbids inline scripts).  A button with data-wechat-export="<URL of /wechat/export/<path>>"
// fetches the page's WeChat export (JSON from cms/wechat.py: html, text) and puts it on the
// clipboard as text/html and text/plain with the Clipboard API (navigator.clipboard.write with a
// ClipboardItem, W3C Clipboard API and events), so pasting into WeChat's editor keeps the inline
// styles.  The ClipboardItem is made inside the click with promises of the blobs (Safari allows
// clipboard writes only during the user's gesture); where promises are not accepted, the JSON is
// awaited first.  Messages come from data-msg-* attributes (the UI language); the result is
// announced in the element named by aria-describedby (role="status").
(function () {
  "use strict";

  function blobs(data) {
    return {
      "text/html": new Blob([data.html], { type: "text/html" }),
      "text/plain": new Blob([data.text], { type: "text/plain" })
    };
  }

  document.querySelectorAll("button[data-wechat-export]").forEach(function (button) {
    var status = document.getElementById(button.getAttribute("aria-describedby") || "");
    function say(text) { if (status) { status.textContent = text; } }

    button.addEventListener("click", function () {
      var url = button.getAttribute("data-wechat-export");
      if (!navigator.clipboard || !navigator.clipboard.write || typeof window.ClipboardItem !== "function") {
        say(button.getAttribute("data-msg-unsupported"));
        return;
      }
      button.setAttribute("aria-busy", "true");
      say(button.getAttribute("data-msg-busy"));
      var data = fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        });
      var written;
      try {
        written = navigator.clipboard.write([new window.ClipboardItem({
          "text/html": data.then(function (d) { return blobs(d)["text/html"]; }),
          "text/plain": data.then(function (d) { return blobs(d)["text/plain"]; })
        })]);
      } catch (err) {
        written = Promise.reject(err);
      }
      written.catch(function () {
        return data.then(function (d) { return navigator.clipboard.write([new window.ClipboardItem(blobs(d))]); });
      }).then(function () {
        say(button.getAttribute("data-msg-copied"));
        button.setAttribute("data-copied", "1");
      }, function (err) {
        say(button.getAttribute("data-msg-failed") + " " + (err && err.message ? err.message : ""));
      }).then(function () {
        button.removeAttribute("aria-busy");
      });
    });
  });
})();
