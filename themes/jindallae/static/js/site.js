/* Jindallae: the larger-text switch.  No dependencies; every page works without this file. */
(function () {
  "use strict";
  var KEY = "jindallae-text-size";
  var root = document.documentElement;

  function load() {
    try { return window.localStorage.getItem(KEY) === "large"; } catch (e) { return false; }
  }
  function save(on) {
    try {
      if (on) { window.localStorage.setItem(KEY, "large"); } else { window.localStorage.removeItem(KEY); }
    } catch (e) { /* storage blocked (private mode, policy): the choice lasts for this page only */ }
  }

  root.className = root.className.replace(/\bno-js\b/, "").replace(/^\s+|\s+$/g, "");
  if (load()) { root.classList.add("large-text"); }

  function init() {
    var buttons = document.querySelectorAll("button.text-size");
    function sync() {
      var on = root.classList.contains("large-text");
      for (var i = 0; i < buttons.length; i++) {
        var b = buttons[i];
        // A toggle button keeps its label; aria-pressed carries the state (WAI-ARIA APG, Button).
        b.setAttribute("aria-pressed", on ? "true" : "false");
      }
    }
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function () {
        var on = !root.classList.contains("large-text");
        root.classList.toggle("large-text", on);
        save(on);
        sync();
      });
    }
    sync();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
