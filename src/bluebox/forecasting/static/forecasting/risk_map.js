/* Risk map: forecast H3 cells as polygons coloured by the probability of at least one attack
   on civilians (the shared set-up in bluebox/maps.js). */
(function () {
  "use strict";
  var el = document.getElementById("risk-map");
  var data = window.bluebox && bluebox.readJson("risk-map-data");
  if (!el || !data || typeof L === "undefined") { return; }
  var esc = bluebox.escapeHtml;
  function colour(p) {
    return p >= 0.5 ? "#b30000" : p >= 0.3 ? "#e34a33" : p >= 0.15 ? "#fc8d59" : p >= 0.05 ? "#fdbb84" : "#fee8c8";
  }
  var cells = data.cells.map(function (c) {
    return L.polygon(c.polygon, {
      color: "#555", weight: 1, fillColor: colour(c.p), fillOpacity: 0.75, className: "risk-cell"
    }).bindTooltip(Math.round(c.p * 100) + "% · " + esc(c.site) + (c.reasons ? "<br>" + esc(c.reasons) : ""));
  });
  bluebox.map(el, { layers: cells });
}());
