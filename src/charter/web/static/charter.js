// Shows deadlines in the viewer's time zone and counts down to them. The server's rule and the
// engine decide; this only formats. When a countdown reaches zero, the htmx fragment around it
// (polling) re-reads the decision from the server.
(function () {
  "use strict";
  var fmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "local time";

  function left(ms) {
    if (ms <= 0) { return "deadline passed; updating…"; }
    var s = Math.floor(ms / 1000), d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600),
        m = Math.floor(s % 3600 / 60);
    if (d > 0) { return "(" + d + " d " + h + " h left)"; }
    if (h > 0) { return "(" + h + " h " + m + " min left)"; }
    return "(" + m + " min " + (s % 60) + " s left)";
  }

  function render(root) {
    root.querySelectorAll("time[data-countdown], time[data-local]").forEach(function (el) {
      var at = new Date(el.getAttribute("datetime"));
      if (!isNaN(at)) { el.textContent = fmt.format(at) + " (" + zone + ")"; }
    });
    tick(root);
  }

  function tick(root) {
    var now = Date.now();
    root.querySelectorAll("[data-left-for]").forEach(function (el) {
      el.textContent = left(new Date(el.getAttribute("data-left-for")) - now);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    render(document);
    setInterval(function () { tick(document); }, 1000);
  });
  document.addEventListener("htmx:load", function (e) { render(e.target); });
})();
