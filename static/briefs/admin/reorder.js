// Drag to reorder Expert Analysis quotes and Related Reading rows (and "Move up"/"Move down" buttons
// for keyboards). The rows move visually through the CSS `order` of a flex column, never in the DOM:
// Django's inlines.js numbers the forms by their DOM position, and the formset needs existing rows
// first. Each move writes the rows' new positions into their "order" inputs, which the save posts.
// A static file, so the admin's Content-Security-Policy allows it (styles are set through the CSSOM).
(function () {
  "use strict";
  var PREFIXES = ["quotes", "related_links"];
  var dragged = null;

  function rows(group) {
    var all = Array.prototype.slice.call(group.querySelectorAll(".inline-related:not(.empty-form)"));
    return all.sort(function (a, b) { return (+a.style.order || 0) - (+b.style.order || 0); });
  }

  function place(group, ordered, write) {
    ordered.forEach(function (row, index) {
      row.style.order = String(index + 1);
      var input = row.querySelector('input[name$="-order"]');
      if (write && input && String(input.value) !== String(index + 1)) {
        input.value = String(index + 1);
        input.dispatchEvent(new Event("input", { bubbles: true }));  // an edit: unsaved.js warns
      }
    });
    ordered.forEach(function (row, index) {
      row.querySelector(".reorder-up").disabled = index === 0;
      row.querySelector(".reorder-down").disabled = index === ordered.length - 1;
    });
  }

  function move(group, row, offset) {
    var ordered = rows(group);
    var from = ordered.indexOf(row);
    var to = Math.max(0, Math.min(ordered.length - 1, from + offset));
    ordered.splice(to, 0, ordered.splice(from, 1)[0]);
    place(group, ordered, true);
  }

  function button(className, label, text) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "reorder-button " + className;
    element.setAttribute("aria-label", label);
    element.title = label;
    element.textContent = text;
    return element;
  }

  function equip(group, row) {
    if (row.querySelector(".reorder-controls")) { return; }
    var controls = document.createElement("span");
    controls.className = "reorder-controls";
    // A span, not a button: Chromium starts no drag from a form control. Keyboards use the arrows.
    var handle = document.createElement("span");
    handle.className = "reorder-button reorder-handle";
    handle.title = "Drag to reorder";
    handle.setAttribute("aria-hidden", "true");
    handle.textContent = "⠿";
    handle.draggable = true;
    var up = button("reorder-up", "Move up", "↑");
    var down = button("reorder-down", "Move down", "↓");
    controls.append(handle, up, down);
    (row.querySelector("h3") || row).prepend(controls);
    up.addEventListener("click", function () { move(group, row, -1); up.focus(); });
    down.addEventListener("click", function () { move(group, row, 1); down.focus(); });
    handle.addEventListener("dragstart", function (event) {
      dragged = row;
      row.classList.add("reorder-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", row.id);
      event.dataTransfer.setDragImage(row, 20, 20);
    });
    handle.addEventListener("dragend", function () {
      row.classList.remove("reorder-dragging");
      dragged = null;
    });
  }

  function setUp(group) {
    var list = group.querySelector("fieldset.module") || group;
    list.classList.add("reorder-list");
    rows(group).forEach(function (row) { equip(group, row); });
    place(group, Array.prototype.slice.call(group.querySelectorAll(".inline-related:not(.empty-form)")), false);
    list.addEventListener("dragover", function (event) {
      if (!dragged || !group.contains(dragged)) { return; }
      event.preventDefault();
      var target = event.target.closest(".inline-related:not(.empty-form)");
      if (!target || target === dragged || !group.contains(target)) { return; }
      var ordered = rows(group);
      ordered.splice(ordered.indexOf(dragged), 1);
      var box = target.getBoundingClientRect();
      var index = ordered.indexOf(target) + (event.clientY > box.top + box.height / 2 ? 1 : 0);
      ordered.splice(index, 0, dragged);
      place(group, ordered, true);
    });
    list.addEventListener("drop", function (event) { if (dragged) { event.preventDefault(); } });
    // Rows added with "Add another ...": last in order, with their own controls.
    document.addEventListener("formset:added", function (event) {
      var row = event.target;
      if (!group.contains(row)) { return; }
      equip(group, row);
      var ordered = rows(group).filter(function (other) { return other !== row; });
      ordered.push(row);
      place(group, ordered, false);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    PREFIXES.forEach(function (prefix) {
      var group = document.getElementById(prefix + "-group");
      // Only where rows can be changed (an editable brief); read-only rows stay as they are.
      if (group && group.querySelector('input[name$="-order"]')) { setUp(group); }
    });
  });
})();
