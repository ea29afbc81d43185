/* Larger-text and high-contrast switches; in <head>, not deferred (base.html says why): under
   1.5 KB. aria-pressed is the state; the label stays (WAI-ARIA APG). */
(function () {
  "use strict";
  var cl = document.documentElement.classList, S = [
    ["button.text-size", "large-text", "jindallae-text-size", "large"],
    ["button.contrast", "high-contrast", "jindallae-contrast", "high"]];
  cl.remove("no-js");
  S.forEach(function (s) {
    try { if (localStorage.getItem(s[2]) === s[3]) { cl.add(s[1]); } } catch (e) {}
  });
  function init() {
    S.forEach(function (s) {
      var bs = document.querySelectorAll(s[0]), i;
      function sync() {
        for (var j = 0; j < bs.length; j++) { bs[j].setAttribute("aria-pressed", String(cl.contains(s[1]))); }
      }
      function click() {
        var on = cl.toggle(s[1]);
        try { if (on) { localStorage.setItem(s[2], s[3]); } else { localStorage.removeItem(s[2]); } } catch (e) {}
        sync();
      }
      for (i = 0; i < bs.length; i++) { bs[i].hidden = false; bs[i].addEventListener("click", click); }
      sync();
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
