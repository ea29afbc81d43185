/* Larger-text switch; in <head>, not deferred (base.html says why): under 1 KB.
   aria-pressed is the state; the label stays (WAI-ARIA APG). */
(function () {
  "use strict";
  var K = "jindallae-text-size", cl = document.documentElement.classList;
  cl.remove("no-js");
  try { if (localStorage.getItem(K) === "large") { cl.add("large-text"); } } catch (e) {}
  function init() {
    var bs = document.querySelectorAll("button.text-size"), i;
    function sync() {
      for (var j = 0; j < bs.length; j++) { bs[j].setAttribute("aria-pressed", String(cl.contains("large-text"))); }
    }
    function click() {
      var on = cl.toggle("large-text");
      try { if (on) { localStorage.setItem(K, "large"); } else { localStorage.removeItem(K); } } catch (e) {}
      sync();
    }
    for (i = 0; i < bs.length; i++) { bs[i].hidden = false; bs[i].addEventListener("click", click); }
    sync();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
