/* The one Leaflet set-up for every map (dashboard, incidents, risk map, patrol plan, the
   operational picture), and the points layer the server counts and clusters for the view.

   The view is set before any layer is added: Leaflet projects a path when it is added, and on
   a map without a view it throws "Cannot read properties of undefined (reading 'min')", which
   left the dashboard blank grey. Local assets only; a tile server is optional. */
(function () {
  "use strict";
  var bluebox = window.bluebox = window.bluebox || {};

  function boundsOf(layers) {
    var bounds = L.latLngBounds([]);
    layers.forEach(function (layer) {
      if (layer.getBounds) {
        var b = layer.getBounds();
        if (b.isValid()) { bounds.extend(b); }
      } else if (layer.getLatLng) {
        bounds.extend(layer.getLatLng());
      }
    });
    return bounds;
  }

  /* options: layers (added in order), frame (the layers the view fits, default all),
     tileUrl, centre and zoom (the view when nothing can be framed). */
  bluebox.map = function (el, options) {
    var map = L.map(el, { attributionControl: Boolean(options.tileUrl), maxZoom: 18 });
    var frame = boundsOf(options.frame || options.layers || []);
    if (frame.isValid()) {
      map.fitBounds(frame, { padding: [10, 10], maxZoom: 13 });
    } else {
      map.setView(options.centre || [0, 0], options.zoom || 2);
    }
    if (options.tileUrl) { L.tileLayer(options.tileUrl, { maxZoom: 18 }).addTo(map); }
    (options.layers || []).forEach(function (layer) { layer.addTo(map); });
    el.setAttribute("data-ready", "true");
    return map;
  };

  /* The view as the map-data endpoint reads it: bbox=west,south,east,north and zoom. */
  bluebox.viewQuery = function (map) {
    var b = map.getBounds();
    function clamp(v, limit) { return Math.max(-limit, Math.min(limit, v)).toFixed(5); }
    return "bbox=" + [clamp(b.getWest(), 180), clamp(b.getSouth(), 90), clamp(b.getEast(), 180),
      clamp(b.getNorth(), 90)].join(",") + "&zoom=" + map.getZoom();
  };

  /* Points counted and clustered by the server for the view (incidents, alerts), fetched again
     whenever the map moves or refresh() is called. options: url (a function of the view query),
     className (of single markers), clusterClass, onData(body), onError(message).
     A cluster is a count in a circle; clicking it zooms in on it. */
  bluebox.fetchedPoints = function (map, options) {
    var esc = bluebox.escapeHtml;
    var group = L.layerGroup();
    var asked = 0;
    function draw(body) {
      group.clearLayers();
      body.clusters.forEach(function (c) {
        var size = c.count < 10 ? 28 : c.count < 100 ? 34 : 42;
        L.marker([c.lat, c.lon], {
          icon: L.divIcon({ className: "cluster " + options.clusterClass, html: "<span>" + esc(c.count) + "</span>", iconSize: [size, size] }),
          keyboard: true
        }).on("click", function () { map.setView([c.lat, c.lon], Math.min(map.getZoom() + 3, 18)); })
          .addTo(group);
      });
      body.markers.forEach(function (m) {
        L.circleMarker([m.lat, m.lon], { radius: 5, weight: 1, className: options.className })
          .bindPopup("<a href=\"" + esc(m.url) + "\">" + esc(m.title || m.label) + "</a><br>" +
            (m.title ? esc(m.label) + "<br>" : "") + esc(m.date))
          .addTo(group);
      });
    }
    function refresh() {
      if (!map.hasLayer(group)) { return; }
      var mine = ++asked;
      fetch(options.url(bluebox.viewQuery(map)), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
        .then(function (res) {
          if (mine !== asked) { return; }  // an answer to a view the map has already left
          if (!res.ok) { if (options.onError) { options.onError(res.body.error); } return; }
          draw(res.body);
          if (options.onData) { options.onData(res.body); }
        });
    }
    map.on("moveend", refresh);
    group.on("add", refresh);
    group.on("remove", function () { asked++; group.clearLayers(); });
    return { layer: group, refresh: refresh };
  };
}());
