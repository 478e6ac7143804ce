// Never lose typing in a brief's change form (a static file, so the admin's CSP allows it):
// - a warning before leaving the page with unsaved typing (CKEditor included), forgotten when the
//   page's own form is submitted (Save, or any workflow button: they all save the edits first);
// - autosave: while there is new typing, the whole form is posted every AUTOSAVE_MS at most to the
//   brief's autosave URL (kept for this user only; reopening the brief offers to restore it).
(function () {
  "use strict";
  var AUTOSAVE_MS = 5000;
  var dirty = false;          // typing not saved by the form
  var changedSinceAutosave = false;
  var form = null;

  function noteChange() {
    dirty = true;
    changedSinceAutosave = true;
  }

  function markDirty(event) {
    // Inputs of the change form, including those outside it with form="brief_form" (the comment box).
    if (event.target && (event.target.form === form || form.contains(event.target))) { noteChange(); }
  }

  function watchEditors() {
    // django-ckeditor-5 keeps its editors in window.editors once they are created.
    var editors = window.editors || {};
    Object.keys(editors).forEach(function (id) {
      var editor = editors[id];
      if (!editor || editor.__dossierWatched) { return; }
      editor.__dossierWatched = true;
      editor.model.document.on("change:data", noteChange);
    });
  }

  function autosave(state, status) {
    if (!changedSinceAutosave) { return; }
    changedSinceAutosave = false;
    var body = new FormData(form);
    fetch(state.getAttribute("data-autosave-url"), { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (result) { status.textContent = "Your typing was autosaved at " + result.saved_at + " (for you only; Save to keep it)."; })
      .catch(function () { changedSinceAutosave = true; status.textContent = "Autosave failed; it will try again."; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    form = document.getElementById("brief_form");
    if (!form) { return; }
    document.addEventListener("input", markDirty, true);
    document.addEventListener("change", markDirty, true);
    // Adding or removing an inline row is an edit too.
    form.addEventListener("click", function (event) {
      if (event.target.closest(".add-row a, .inline-deletelink")) { noteChange(); }
    });
    form.addEventListener("submit", function (event) {
      // "Preview unsaved changes" opens a new tab: this page keeps its unsaved typing.
      var submitter = event.submitter;
      if (!(submitter && submitter.getAttribute("formtarget") === "_blank")) { dirty = false; changedSinceAutosave = false; }
    });
    window.setInterval(watchEditors, 500);
    watchEditors();
    window.addEventListener("beforeunload", function (event) {
      if (!dirty) { return; }
      event.preventDefault();
      event.returnValue = "";  // older browsers need it set to show the dialog
    });
    var state = document.getElementById("autosave-state");
    if (state) {
      // A restored form differs from the saved brief until it is saved.
      if (state.hasAttribute("data-restored")) { dirty = true; }
      var status = state.querySelector(".autosave-status");
      window.setInterval(function () { autosave(state, status); }, AUTOSAVE_MS);
    }
  });
})();
