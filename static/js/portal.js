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
  // The revision editor: the tables of a section (lines of cells joined by " | ") are edited as a grid of cells. The
  // textarea stays the one source of what is saved: every change of a cell rewrites its lines, so autosave, preview
  // and signing see it. The labels come from data attributes of the page (translated there).
  function isRow(line) {
    var cells = line.split("|");
    return cells.length >= 2 && cells.some(function (c) { return c.trim(); });
  }
  function tableRuns(lines) {
    var runs = [], start = -1;
    for (var i = 0; i <= lines.length; i += 1) {
      if (i < lines.length && isRow(lines[i])) { if (start < 0) { start = i; } }
      else if (start >= 0) { runs.push([start, i]); start = -1; }
    }
    return runs;
  }
  function buildGrid(area, box, labels) {
    box.textContent = "";
    var lines = area.value.split("\n");
    tableRuns(lines).forEach(function (run, n) {
      var rows = lines.slice(run[0], run[1]).map(function (l) { return l.split("|").map(function (c) { return c.trim(); }); });
      var width = Math.max.apply(null, rows.map(function (r) { return r.length; }));
      var wrap = document.createElement("div");
      wrap.className = "table-wrap grid-edit";
      var table = document.createElement("table");
      table.className = "table";
      var caption = document.createElement("caption");
      caption.textContent = labels.caption + " " + (n + 1);
      table.appendChild(caption);
      var body = document.createElement("tbody");
      rows.forEach(function (cells, r) {
        var tr = document.createElement("tr");
        for (var c = 0; c < width; c += 1) {
          var td = document.createElement("td");
          var input = document.createElement("input");
          input.value = cells[c] || "";
          input.setAttribute("aria-label", labels.cell + " " + (r + 1) + "." + (c + 1));
          input.dataset.run = String(n);
          td.appendChild(input);
          tr.appendChild(td);
        }
        body.appendChild(tr);
      });
      table.appendChild(body);
      wrap.appendChild(table);
      var add = document.createElement("button");
      add.type = "button";
      add.className = "button small";
      add.textContent = labels.add;
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "button small";
      remove.textContent = labels.remove;
      wrap.appendChild(add);
      wrap.appendChild(remove);
      box.appendChild(wrap);
      function write() {
        var now = area.value.split("\n");
        var current = tableRuns(now)[n];
        if (!current) { return; }
        var text = Array.prototype.map.call(body.rows, function (tr) {
          return Array.prototype.map.call(tr.querySelectorAll("input"), function (i) { return i.value.replace(/\|/g, "/").trim(); });
        }).filter(function (cells) { return cells.some(function (c) { return c; }); })  // a row still empty is not written
          .map(function (cells) { return cells.join(" | "); });
        now.splice.apply(now, [current[0], current[1] - current[0]].concat(text));
        area.value = now.join("\n");
        area.dataset.gridText = area.value;  // the grid already shows this text
        area.dispatchEvent(new Event("input", { bubbles: true }));
      }
      table.addEventListener("input", write);
      add.addEventListener("click", function () {
        var last = body.rows[body.rows.length - 1];
        var copy = last.cloneNode(true);
        copy.querySelectorAll("input").forEach(function (i, c) { i.value = ""; i.setAttribute("aria-label", labels.cell + " " + (body.rows.length + 1) + "." + (c + 1)); });
        body.appendChild(copy);
        // An empty row is not a table row in the text: it is written once a cell has something.
        copy.querySelector("input").focus();
      });
      remove.addEventListener("click", function () {
        if (body.rows.length > 1) { body.deleteRow(body.rows.length - 1); write(); }
      });
    });
    box.hidden = !box.childNodes.length;
    area.dataset.gridText = area.value;
  }
  function initTables(root) {
    var holder = (root || document).querySelector("[data-table-editor]");
    if (!holder) { return; }
    var labels = { caption: holder.dataset.tableCaption, cell: holder.dataset.tableCell, add: holder.dataset.tableAdd,
                   remove: holder.dataset.tableRemove };
    holder.querySelectorAll("textarea[name=section_body]").forEach(function (area) {
      if (area.dataset.gridReady) { return; }
      area.dataset.gridReady = "1";
      var box = document.createElement("div");
      box.className = "table-editors";
      area.parentNode.insertBefore(box, area.nextSibling);
      buildGrid(area, box, labels);
      // Typed into the text itself (a new table, a row pasted): the grid follows when the text box is left.
      area.addEventListener("change", function () {
        if (area.value !== area.dataset.gridText) { buildGrid(area, box, labels); }
      });
    });
  }
  initTables(document);
  document.addEventListener("htmx:afterSwap", function (event) { initTables(event.detail.target); });
})();
