/* A refused import: the events outside the mission's boundary (a sample), against it. The view
   frames both, so a file of the wrong country shows its distance from the mission at a glance. */
(function () {
  "use strict";
  var el = document.getElementById("outside-map");
  var data = window.bluebox && bluebox.readJson("outside-data");
  if (!el || !data || typeof L === "undefined") { return; }
  var layers = [];
  if (data.boundary) {
    layers.push(L.geoJSON(data.boundary, { style: { color: "#345", weight: 2, fillColor: "#e8eef2", fillOpacity: 1, className: "mission-boundary" } }));
  }
  (data.points || []).forEach(function (p) {
    layers.push(L.circleMarker([p[0], p[1]], { radius: 4, color: "#a01818", weight: 1, fillColor: "#e0483e", fillOpacity: 0.8, className: "outside-marker" })
      .bindTooltip(p[0].toFixed(3) + ", " + p[1].toFixed(3)));
  });
  bluebox.map(el, { layers: layers });
}());
