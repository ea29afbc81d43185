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
    var q = new URLSearchParams(window.location.search).get("q");
    if (q) ui.triggerSearch(q);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
