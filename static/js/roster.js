// Portal Mutu: the roster grid. A cell saves itself when its code changes (htmx.ajax: the person's row comes back,
// the headcount out of band); arrow keys move between cells, Enter saves and goes down; a click on a cell starts the
// fill range, Shift+click ends it. No inline script: the CSP forbids it.
(function () {
  "use strict";
  var focusKey = null;

  function grid() { return document.getElementById("roster-grid"); }

  function cellInput(row, day) {
    return row ? row.querySelector('input[data-day="' + day + '"]') : null;
  }

  function move(input, dRow, dCol) {
    var tr = input.closest("tr");
    var target = null;
    if (dRow) {
      var sibling = dRow > 0 ? tr.nextElementSibling : tr.previousElementSibling;
      while (sibling && !target) {
        target = cellInput(sibling, input.dataset.day);
        if (!target) { sibling = dRow > 0 ? sibling.nextElementSibling : sibling.previousElementSibling; }
      }
    } else {
      var inputs = Array.prototype.slice.call(tr.querySelectorAll("input[data-day]"));
      target = inputs[inputs.indexOf(input) + dCol] || null;
    }
    if (target) { target.focus(); target.select(); }
  }

  // Save a cell whose code differs from the one shown by the server (the row that comes back replaces it).
  function save(input) {
    var table = grid();
    if (!table || !table.dataset.cellUrl || input.value.trim().toUpperCase() === input.defaultValue) { return; }
    var tr = input.closest("tr");
    input.defaultValue = input.value.trim().toUpperCase();
    htmx.ajax("POST", table.dataset.cellUrl, {
      source: input, target: "#" + tr.id, swap: "outerHTML",
      values: { staff_id: tr.dataset.staff, day: input.dataset.day, code: input.value }
    });
  }

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.dataset.day || !input.closest("#roster-grid")) { return; }
    var keys = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1], Enter: [1, 0] };
    var step = keys[event.key];
    if (!step) { return; }
    event.preventDefault();
    save(input);
    move(input, step[0], step[1]);
  });

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input instanceof HTMLInputElement && input.dataset.day && input.closest("#roster-grid")) { save(input); }
  });

  document.addEventListener("focusin", function (event) {
    var input = event.target;
    if (input instanceof HTMLInputElement && input.dataset.day && input.closest("#roster-grid")) {
      focusKey = [input.closest("tr").dataset.staff, input.dataset.day];
    }
  });

  // After a row comes back, the focus returns to where the keyboard was.
  document.addEventListener("htmx:afterSettle", function () {
    if (!focusKey || !grid()) { return; }
    var row = document.getElementById("row-" + focusKey[0]);
    var input = cellInput(row, focusKey[1]);
    if (input && document.activeElement !== input && (!document.activeElement || !document.activeElement.dataset || !document.activeElement.dataset.day)) {
      input.focus();
    }
  });

  // Click: the range starts here; Shift+click: it ends here (the fill form above the grid).
  document.addEventListener("click", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.dataset.day || !input.closest("#roster-grid")) { return; }
    var form = document.getElementById("fill-form");
    if (!form) { return; }
    var staff = form.querySelector('[name="staff_id"]');
    var start = form.querySelector('[name="start"]');
    var end = form.querySelector('[name="end"]');
    if (event.shiftKey && start.value) {
      end.value = input.dataset.day;
    } else {
      staff.value = input.closest("tr").dataset.staff;
      start.value = input.dataset.day;
      end.value = input.dataset.day;
    }
  });
})();
