// Warns before leaving a brief's change page with unsaved typing (CKEditor included), and forgets
// the warning when the page's own form is submitted (Save, or any workflow button: they all save
// the edits first). A static file, so the admin's Content-Security-Policy allows it.
(function () {
  "use strict";
  var dirty = false;
  var form = null;

  function markDirty(event) {
    // Inputs of the change form, including those outside it with form="brief_form" (the comment box).
    if (!event || !event.target || event.target.form === form || form.contains(event.target)) {
      dirty = true;
    }
  }

  function watchEditors() {
    // django-ckeditor-5 keeps its editors in window.editors once they are created.
    var editors = window.editors || {};
    Object.keys(editors).forEach(function (id) {
      var editor = editors[id];
      if (!editor || editor.__dossierWatched) { return; }
      editor.__dossierWatched = true;
      editor.model.document.on("change:data", function () { dirty = true; });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    form = document.getElementById("brief_form");
    if (!form) { return; }
    document.addEventListener("input", markDirty, true);
    document.addEventListener("change", markDirty, true);
    // Adding or removing an inline row is an edit too.
    form.addEventListener("click", function (event) {
      if (event.target.closest(".add-row a, .inline-deletelink")) { dirty = true; }
    });
    form.addEventListener("submit", function (event) {
      // "Preview unsaved changes" opens a new tab: this page keeps its unsaved typing.
      var submitter = event.submitter;
      if (!(submitter && submitter.getAttribute("formtarget") === "_blank")) { dirty = false; }
    });
    window.setInterval(watchEditors, 500);
    watchEditors();
    window.addEventListener("beforeunload", function (event) {
      if (!dirty) { return; }
      event.preventDefault();
      event.returnValue = "";  // older browsers need it set to show the dialog
    });
  });
})();
