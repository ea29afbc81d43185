// Jindallae CMS, shared script (no build step; loaded from 'self' under the CSP).
// 1. Every fetch() to this site with an unsafe method carries the CSRF token from
//    <meta name="csrf-token"> as the X-CSRF-Token header (cms/auth.py checks it).
// 2. Forms with data-confirm ask before sending; a form sent once disables its submit button
//    (no double publish); elements with data-copy copy their text.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  var token = meta ? meta.getAttribute("content") : "";
  window.jindallaeCsrfToken = function () { return token; };

  var originalFetch = window.fetch ? window.fetch.bind(window) : null;
  if (originalFetch) {
    window.fetch = function (input, init) {
      init = init || {};
      var method = (init.method || (input && input.method) || "GET").toUpperCase();
      var url = typeof input === "string" ? input : (input && input.url) || "";
      var sameOrigin = new URL(url, window.location.href).origin === window.location.origin;
      if (sameOrigin && ["POST", "PUT", "PATCH", "DELETE"].indexOf(method) !== -1) {
        var headers = new Headers(init.headers || (input && input.headers) || {});
        if (!headers.has("X-CSRF-Token")) { headers.set("X-CSRF-Token", token); }
        if (!headers.has("X-Requested-With")) { headers.set("X-Requested-With", "fetch"); }
        init.headers = headers;
        if (!init.credentials) { init.credentials = "same-origin"; }
      }
      return originalFetch(input, init);
    };
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); return; }
    if (form.hasAttribute("data-once")) {
      if (form.getAttribute("data-sent") === "1") { event.preventDefault(); return; }
      form.setAttribute("data-sent", "1");
      var busy = form.getAttribute("data-busy");
      form.querySelectorAll('button[type="submit"]').forEach(function (b) {
        b.setAttribute("aria-disabled", "true");
        if (busy) { b.textContent = busy; }
      });
    }
  });

  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-copy]");
    if (!el || !navigator.clipboard) { return; }
    var source = document.getElementById(el.getAttribute("data-copy"));
    if (source) { navigator.clipboard.writeText(source.textContent.trim()); }
  });
})();
