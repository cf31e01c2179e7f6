// Live custody clocks: every [data-deadline] element counts down to its ISO deadline.
(function () {
  function pad(n) { return String(n).padStart(2, "0"); }
  function render(ms) {
    var sign = ms < 0 ? "−" : "";
    var s = Math.floor(Math.abs(ms) / 1000);
    return sign + Math.floor(s / 3600) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60);
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var left = Date.parse(el.getAttribute("data-deadline")) - now;
      el.textContent = render(left);
      el.classList.toggle("passed", left <= 0);
    });
  }
  tick();
  setInterval(tick, 1000);
  document.documentElement.setAttribute("data-clocks", "running");
})();
