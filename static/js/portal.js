// Portal Mutu: small behaviours that need no inline script (the CSP forbids it).
(function () {
  "use strict";
  // Move focus to the swapped content so screen readers and keyboards follow an htmx swap.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "content") {
      var heading = event.detail.target.querySelector("h1, .field-error, [role=alert]");
      if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus({ preventScroll: false }); }
    }
  });
  // A network failure must not look like nothing happened.
  document.addEventListener("htmx:sendError", function () {
    var box = document.getElementById("content");
    if (!box) { return; }
    var p = document.createElement("p");
    p.className = "flash flash-error";
    p.setAttribute("role", "alert");
    p.textContent = document.documentElement.lang === "en"
      ? "The server could not be reached. Your input is still on the page; try again."
      : "Server tidak dapat dihubungi. Isian Anda masih ada di halaman; coba lagi.";
    box.prepend(p);
  });
  // A form marked data-warn-unsaved asks before the page is left with typing not yet saved.
  document.querySelectorAll("form[data-warn-unsaved]").forEach(function (form) {
    var dirty = false;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    document.addEventListener("htmx:beforeRequest", function (event) {
      if (form.contains(event.detail.elt)) { dirty = false; }  // the form itself is being saved or signed
    });
    document.addEventListener("htmx:afterRequest", function (event) {
      var refused = !event.detail.successful || (event.detail.xhr && event.detail.xhr.status >= 400);
      if (event.detail.elt && event.detail.elt.id === "draft-save-status" && refused) { dirty = true; }
    });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) { event.preventDefault(); event.returnValue = ""; }
    });
  });
  // On a phone the menu and the filters start closed (the filters behind one button).
  var narrow = window.matchMedia("(max-width: 800px)").matches;
  var toggle = document.querySelector(".navtoggle");
  if (toggle && narrow) { toggle.removeAttribute("open"); }
  var media = window.matchMedia("(max-width: 800px)");
  document.querySelectorAll("details[data-fold-narrow]").forEach(function (fold) {
    if (narrow) { fold.removeAttribute("open"); }
    // Wider again (a phone turned, a window resized): the button is hidden, so the filters must be open.
    media.addEventListener("change", function (event) { if (!event.matches) { fold.setAttribute("open", ""); } });
    // The button shows how many filters are set, as they change.
    var summary = fold.querySelector("summary");
    fold.addEventListener("change", function () {
      var n = 0;
      fold.querySelectorAll("input[name], select[name]").forEach(function (el) { if (el.value) { n += 1; } });
      var badge = summary.querySelector(".badge");
      if (!badge && n) {
        badge = document.createElement("span");
        badge.className = "badge badge-info";
        summary.appendChild(badge);
      }
      if (badge) { badge.textContent = String(n); badge.hidden = !n; }
    });
  });
})();
