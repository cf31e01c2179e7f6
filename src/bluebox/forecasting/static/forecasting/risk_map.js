/* Risk map: forecast H3 cells as polygons coloured by the probability of at least one attack
   on civilians. Local assets only (vendored Leaflet, no tile server). */
(function () {
  "use strict";
  var el = document.getElementById("risk-map");
  var dataEl = document.getElementById("risk-map-data");
  if (!el || !dataEl || typeof L === "undefined") { return; }
  var data = JSON.parse(dataEl.textContent);
  var map = L.map(el, { attributionControl: false });
  var bounds = L.latLngBounds([]);
  function colour(p) {
    return p >= 0.5 ? "#b30000" : p >= 0.3 ? "#e34a33" : p >= 0.15 ? "#fc8d59" : p >= 0.05 ? "#fdbb84" : "#fee8c8";
  }
  data.cells.forEach(function (c) {
    var poly = L.polygon(c.polygon, {
      color: "#555", weight: 1, fillColor: colour(c.p), fillOpacity: 0.75, className: "risk-cell"
    }).bindTooltip(Math.round(c.p * 100) + "% · " + esc(c.site) + (c.reasons ? "<br>" + esc(c.reasons) : "")).addTo(map);
    bounds.extend(poly.getBounds());
  });
  if (bounds.isValid()) { map.fitBounds(bounds, { padding: [8, 8] }); } else { map.setView([0, 0], 2); }
  el.setAttribute("data-ready", "true");
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (ch) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[ch];
    });
  }
}());
