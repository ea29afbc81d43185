/* Larger text, high contrast, phone menu; blocking by design (base.html): < 1.5 KB.
   aria-pressed/-expanded is the state, labels stay (WAI-ARIA APG). */
(function () {
  "use strict";
  var d = document, cl = d.documentElement.classList, S = [
    ["text-size", "large-text", "jindallae-text-size", "large"],
    ["contrast", "high-contrast", "jindallae-contrast", "high"]];
  cl.remove("no-js");
  S.forEach(function (s) {
    try { if (localStorage.getItem(s[2]) === s[3]) { cl.add(s[1]); } } catch (e) {}
  });
  function each(c, f) { var b = d.querySelectorAll("button." + c); for (var i = 0; i < b.length; i++) { f(b[i]); } }
  function sync() {
    S.forEach(function (s) { each(s[0], function (b) { b.hidden = false; b.setAttribute("aria-pressed", String(cl.contains(s[1]))); }); });
  }
  // delegated: works before the buttons are parsed
  d.addEventListener("click", function (ev) {
    var b = ev.target.closest && ev.target.closest("button");
    if (!b) { return; }
    S.forEach(function (s) {
      if (b.classList.contains(s[0])) {
        var on = cl.toggle(s[1]);
        try { if (on) { localStorage.setItem(s[2], s[3]); } else { localStorage.removeItem(s[2]); } } catch (e) {}
        sync();
      }
    });
    if (b.classList.contains("menu-toggle")) {
      b.setAttribute("aria-expanded", String(cl.toggle("menu-open")));
    }
  });
  if (d.readyState === "loading") { d.addEventListener("DOMContentLoaded", sync); } else { sync(); }
})();
