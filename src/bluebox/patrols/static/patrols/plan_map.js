/* Patrol map: area cells (H3 polygons) shaded by expected patrols per week, this week's
   patrolled cells outlined, executed tracks as lines. Local assets only. */
(function () {
  "use strict";
  var el = document.getElementById("patrol-map");
  var dataEl = document.getElementById("patrol-map-data");
  if (!el || !dataEl || typeof L === "undefined") { return; }
  var data = JSON.parse(dataEl.textContent);
  var map = L.map(el, { attributionControl: false });
  var bounds = L.latLngBounds([]);
  var maxCov = Math.max.apply(null, [0.01].concat(data.cells.map(function (c) { return c.coverage; })));
  data.cells.forEach(function (c) {
    var shade = c.coverage / maxCov;
    var poly = L.polygon(c.polygon, {
      color: c.planned ? "#0b4f8a" : "#789", weight: c.planned ? 3 : 1,
      fillColor: "#2a7fd4", fillOpacity: 0.08 + 0.6 * shade, className: c.planned ? "area-cell planned" : "area-cell"
    }).bindTooltip(esc(c.name) + "<br>" + c.coverage + " / wk · risk " + c.risk + "%").addTo(map);
    bounds.extend(poly.getBounds());
  });
  (data.tracks || []).forEach(function (t) {
    L.polyline(t.line, { color: "#c0392b", weight: 3, className: "track" }).bindTooltip(esc(t.team)).addTo(map);
  });
  L.circleMarker([data.site.lat, data.site.lon], { radius: 6, color: "#003d7a", fillColor: "#fff", fillOpacity: 1, className: "site-marker" })
    .bindTooltip(esc(data.site.name)).addTo(map);
  if (bounds.isValid()) { map.fitBounds(bounds, { padding: [8, 8] }); } else { map.setView([data.site.lat, data.site.lon], 11); }
  el.setAttribute("data-ready", "true");
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
    });
  }
}());
