// Jindallae CMS: the event's repeat choices (cms/templates/_field.html; no build step, loaded
// from 'self' under the CSP).  The server renders every choice and reads them back
// (cms/forms.py); this only shows the inputs the chosen kind of repeat needs — the weekday for
// "every week", the day for "every month on the same day", the week and weekday for "every
// month on the same weekday" — and hides the others (they are still sent, and ignored).
(function () {
  "use strict";
  document.querySelectorAll("select[data-repeat-kind]").forEach(function (select) {
    var field = select.closest(".field") || select.parentNode;
    function show() {
      field.querySelectorAll("[data-repeat-for]").forEach(function (part) {
        part.hidden = part.getAttribute("data-repeat-for").split(" ").indexOf(select.value) === -1;
      });
    }
    select.addEventListener("change", show);
    show();
  });
})();
