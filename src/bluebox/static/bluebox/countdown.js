/* The one countdown: every [data-deadline] element shows the time left to its ISO deadline as
   H:MM:SS, negative (and marked "overdue") once passed; updated every second and after htmx
   swaps new rows in. Custody clocks and alert triage clocks alike. */
(function () {
  "use strict";
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function render(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    return (ms < 0 ? "−" : "") + Math.floor(s / 3600) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60);
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-deadline"));
      if (isNaN(due)) { return; }
      el.textContent = render(due - now);
      el.classList.toggle("overdue", due - now < 0);
    });
  }
  tick();
  setInterval(tick, 1000);
  document.addEventListener("htmx:afterSwap", tick);
  document.documentElement.setAttribute("data-clocks", "running");
}());
