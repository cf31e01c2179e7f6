/* Dashboard map: shipped vector boundaries, field sites and the incidents the user may see.
   No tile server is needed; one can be configured (MAP_TILE_URL) where connectivity allows. */
(function () {
  "use strict";
  var el = document.getElementById("map");
  var dataEl = document.getElementById("map-data");
  if (!el || !dataEl || typeof L === "undefined") { return; }
  var data = JSON.parse(dataEl.textContent);
  var map = L.map(el, { preferCanvas: false, attributionControl: Boolean(data.tile_url) });
  if (data.tile_url) {
    L.tileLayer(data.tile_url, { maxZoom: 18 }).addTo(map);
  }
  var bounds = L.latLngBounds([]);
  if (data.boundary) {
    var country = L.geoJSON(data.boundary, { style: { color: "#345", weight: 2, fillColor: "#e8eef2", fillOpacity: 1 } }).addTo(map);
    bounds.extend(country.getBounds());
  }
  (data.sectors || []).forEach(function (s) {
    if (!s.boundary) { return; }
    L.geoJSON(s.boundary, { style: { color: "#789", weight: 1, dashArray: "4 3", fill: false } })
      .bindTooltip(s.name).addTo(map);
  });
  (data.sites || []).forEach(function (s) {
    var m = L.circleMarker([s.lat, s.lon], { radius: 7, color: "#003d7a", weight: 2, fillColor: "#4a90d9", fillOpacity: 0.9, className: "site-marker" })
      .bindPopup("<strong>" + escapeHtml(s.name) + "</strong><br>" + escapeHtml(s.kind)).addTo(map);
    bounds.extend(m.getLatLng());
  });
  (data.incidents || []).forEach(function (i) {
    L.circleMarker([i.lat, i.lon], { radius: 4, color: "#a01818", weight: 1, fillColor: "#e0483e", fillOpacity: 0.7, className: "incident-marker" })
      .bindPopup("<a href=\"" + i.url + "\">" + escapeHtml(i.title) + "</a><br>" + escapeHtml(i.date)).addTo(map);
  });
  if (bounds.isValid()) { map.fitBounds(bounds, { padding: [10, 10] }); } else { map.setView([0, 0], 2); }
  el.setAttribute("data-ready", "true");
  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
    });
  }
}());
