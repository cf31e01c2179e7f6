/* Live triage clocks: count down to each alert's deadline every second; negative is overdue. */
(function () {
  "use strict";
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".clock[data-due]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-due"));
      if (isNaN(due)) { return; }
      var s = Math.round((due - now) / 1000);
      var sign = s < 0 ? "-" : "";
      var a = Math.abs(s);
      el.textContent = sign + Math.floor(a / 3600) + ":" + pad(Math.floor(a / 60) % 60) + ":" + pad(a % 60);
      el.classList.toggle("overdue", s < 0);
    });
  }
  tick();
  setInterval(tick, 1000);
  document.body.addEventListener("htmx:afterSwap", tick);
}());
