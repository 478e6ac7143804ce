// Keeps "NAME is editing this brief" fresh while a change page stays open: a heartbeat every
// minute (presence expires after five). A static file, so the admin's CSP allows it.
(function () {
  "use strict";
  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function beat(url) {
    fetch(url, { method: "POST", headers: { "X-CSRFToken": csrfToken() }, credentials: "same-origin" });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var state = document.querySelector("[data-presence-url]");
    if (!state) { return; }
    var url = state.getAttribute("data-presence-url");
    window.setInterval(function () { beat(url); }, 60 * 1000);
  });
})();
