/* The search page: Pagefind's UI in #search, searching for ?q= from the header's search box.
   Pagefind picks the index of the page's <html lang>: results come in this language only, so a
   query written in the other language's script that finds nothing here gets a note leading to
   that language's search page (.search-elsewhere, templates/search.html). */
(function () {
  "use strict";
  var SCRIPTS = { hangul: /[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]/, han: /[\u3400-\u4dbf\u4e00-\u9fff]/ };

  function start() {
    var box = document.getElementById("search");
    if (!box || typeof PagefindUI === "undefined") return;
    var ui = new PagefindUI({
      element: "#search",
      bundlePath: box.getAttribute("data-bundle"),
      baseUrl: box.getAttribute("data-base-url") || "/",
      showSubResults: true,
      showImages: false,
      resetStyles: false
    });
    // Pagefind's input has only a title (axe: label-title-only): name it with the page's own,
    // translated word for "Search" (data-label, templates/search.html).
    var name = box.getAttribute("data-label");
    var notes = document.querySelectorAll(".search-elsewhere[data-script]");
    function update() {
      var input = box.querySelector(".pagefind-ui__search-input");
      if (input && name && input.getAttribute("aria-label") !== name) input.setAttribute("aria-label", name);
      var q = input ? input.value.trim() : "";
      var done = !!box.querySelector(".pagefind-ui__message") && !box.querySelector(".pagefind-ui__result");
      for (var i = 0; i < notes.length; i++) {
        var note = notes[i], re = SCRIPTS[note.getAttribute("data-script")];
        var show = done && q !== "" && !!re && re.test(q);
        if (show) {
          var link = note.querySelector("a");
          link.href = link.href.split("?")[0] + "?q=" + encodeURIComponent(q);
        }
        if (note.hidden === show) note.hidden = !show;
      }
    }
    if (window.MutationObserver) {
      new MutationObserver(update).observe(box, { childList: true, subtree: true, characterData: true });
    }
    box.addEventListener("input", update);
    update();
    var q = new URLSearchParams(window.location.search).get("q");
    if (q) ui.triggerSearch(q);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
