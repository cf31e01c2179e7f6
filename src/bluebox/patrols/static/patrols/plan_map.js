/* Patrol map: area cells (H3 polygons) shaded by expected patrols per week, this week's
   patrolled cells outlined, executed tracks as lines (the shared set-up in bluebox/maps.js). */
(function () {
  "use strict";
  var el = document.getElementById("patrol-map");
  var data = window.bluebox && bluebox.readJson("patrol-map-data");
  if (!el || !data || typeof L === "undefined") { return; }
  var esc = bluebox.escapeHtml;
  var maxCov = Math.max.apply(null, [0.01].concat(data.cells.map(function (c) { return c.coverage; })));
  var cells = data.cells.map(function (c) {
    var shade = c.coverage / maxCov;
    return L.polygon(c.polygon, {
      color: c.planned ? "#0b4f8a" : "#789", weight: c.planned ? 3 : 1,
      fillColor: "#2a7fd4", fillOpacity: 0.08 + 0.6 * shade, className: c.planned ? "area-cell planned" : "area-cell"
    }).bindTooltip(esc(c.name) + "<br>" + esc(c.coverage) + " / wk · risk " + esc(c.risk) + "%");
  });
  var tracks = (data.tracks || []).map(function (t) {
    return L.polyline(t.line, { color: "#c0392b", weight: 3, className: "track" }).bindTooltip(esc(t.team));
  });
  var site = L.circleMarker([data.site.lat, data.site.lon], { radius: 6, color: "#003d7a", fillColor: "#fff", fillOpacity: 1, className: "site-marker" })
    .bindTooltip(esc(data.site.name));
  bluebox.map(el, {
    layers: cells.concat(tracks, [site]), frame: cells, centre: [data.site.lat, data.site.lon], zoom: 11
  });
}());
