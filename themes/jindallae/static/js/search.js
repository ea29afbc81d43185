/* The search page: Pagefind's UI in #search, searching for ?q= from the header's search box.
   Pagefind picks the index of the page's <html lang>: results come in this language only. */
(function () {
  "use strict";
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
    function label() {
      var input = box.querySelector(".pagefind-ui__search-input");
      if (input && name) input.setAttribute("aria-label", name);
      return !!input;
    }
    if (!label() && window.MutationObserver) {
      new MutationObserver(function (m, obs) { if (label()) obs.disconnect(); })
        .observe(box, { childList: true, subtree: true });
    }
    var q = new URLSearchParams(window.location.search).get("q");
    if (q) ui.triggerSearch(q);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
