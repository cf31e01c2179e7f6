/* The one Leaflet set-up for every map (dashboard, incidents, risk map, patrol plan).

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
}());
