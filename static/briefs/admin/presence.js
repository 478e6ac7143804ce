// Keeps "NAME is editing this brief" true while a change page stays open: a heartbeat every
// 20 seconds (presence expires after a minute without one), and a goodbye when the page is left
// or closed, so others stop seeing the name at once. A static file, so the admin's CSP allows it.
(function () {
  "use strict";
  var HEARTBEAT_MS = 20 * 1000;
  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function beat(url) {
    fetch(url, { method: "POST", headers: { "X-CSRFToken": csrfToken() }, credentials: "same-origin" });
  }
  function leave(url) {
    // sendBeacon survives the page going away; it cannot set headers, so the token goes in the body.
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrfToken());
    body.append("leave", "1");
    navigator.sendBeacon(url, body);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var state = document.querySelector("[data-presence-url]");
    if (!state) { return; }
    var url = state.getAttribute("data-presence-url");
    var timer = window.setInterval(function () { beat(url); }, HEARTBEAT_MS);
    window.addEventListener("pagehide", function () { window.clearInterval(timer); leave(url); });
    window.addEventListener("pageshow", function (event) {
      // Back from the browser's page cache: the page is open again.
      if (event.persisted) { beat(url); timer = window.setInterval(function () { beat(url); }, HEARTBEAT_MS); }
    });
  });
})();
