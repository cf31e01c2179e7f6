/* Dashboard and incident map: shipped vector boundaries, field sites and the incidents the user
   may see. The view frames the boundary and the sites. */
(function () {
  "use strict";
  var el = document.getElementById("map");
  var data = window.bluebox && bluebox.readJson("map-data");
  if (!el || !data || typeof L === "undefined") { return; }
  var esc = bluebox.escapeHtml;
  var frame = [];
  var layers = [];
  if (data.boundary) {
    var country = L.geoJSON(data.boundary, { style: { color: "#345", weight: 2, fillColor: "#e8eef2", fillOpacity: 1, className: "mission-boundary" } });
    frame.push(country);
    layers.push(country);
  }
  (data.sectors || []).forEach(function (s) {
    if (!s.boundary) { return; }
    layers.push(L.geoJSON(s.boundary, { style: { color: "#789", weight: 1, dashArray: "4 3", fill: false, className: "sector-boundary" } })
      .bindTooltip(esc(s.name)));
  });
  (data.sites || []).forEach(function (s) {
    var site = L.circleMarker([s.lat, s.lon], { radius: 7, color: "#003d7a", weight: 2, fillColor: "#4a90d9", fillOpacity: 0.9, className: "site-marker" })
      .bindPopup("<strong>" + esc(s.name) + "</strong><br>" + esc(s.kind));
    frame.push(site);
    layers.push(site);
  });
  var incidents = (data.incidents || []).map(function (i) {
    return L.circleMarker([i.lat, i.lon], { radius: 4, color: "#a01818", weight: 1, fillColor: "#e0483e", fillOpacity: 0.7, className: "incident-marker" })
      .bindPopup("<a href=\"" + esc(i.url) + "\">" + esc(i.title) + "</a><br>" + esc(i.date));
  });
  var map = bluebox.map(el, { layers: layers.concat(incidents), frame: frame.length ? frame : incidents, tileUrl: data.tile_url });
  if (data.incidents_url) {
    // The incident list: its incidents counted and clustered by the server for the view, under
    // the list's own filters, so the list and the map agree.
    var count = document.getElementById("incidents-count");
    bluebox.fetchedPoints(map, {
      url: function (view) { return data.incidents_url + "&" + view; },
      className: "incident-marker", clusterClass: "incident-cluster",
      onData: function (body) {
        count.setAttribute("data-total", body.total);
        count.setAttribute("data-in-view", body.in_view);
        count.textContent = data.count_words.replace(/%\((\w+)\)s/g, function (_, k) {
          return esc({ total: body.total, in_view: body.in_view, markers: body.markers.length, clusters: body.clusters.length }[k]);
        });
        el.setAttribute("data-loaded", "true");
      }
    }).layer.addTo(map);
  }
}());
