/* The report form's map pin: tap the map (or drag the pin) and the latitude and longitude
   fields follow; type them, or use the device's location, and the pin follows. The map opens on
   the chosen field site, whose name shows beside its marker. Shipped assets only. */
(function () {
  "use strict";
  var el = document.getElementById("pin-map");
  var data = window.bluebox && bluebox.readJson("pin-data");
  if (!el || !data || typeof L === "undefined") { return; }
  var ids = el.getAttribute("data-pin-into").split(" ");
  var lat = document.getElementById(ids[0]);
  var lon = document.getElementById(ids[1]);
  var siteSelect = document.getElementById(el.getAttribute("data-site-select"));
  var sites = {};
  var layers = (data.sites || []).map(function (s) {
    sites[String(s.id)] = s;
    return L.circleMarker([s.lat, s.lon], { radius: 6, color: "#003d7a", weight: 2, fillColor: "#4a90d9", fillOpacity: 0.9 })
      .bindTooltip(bluebox.escapeHtml(s.name), { permanent: true, direction: "right", className: "place-label" });
  });
  function chosenSite() { return siteSelect ? sites[siteSelect.value] : null; }
  var start = chosenSite() || (data.sites || [])[0];
  var map = bluebox.map(el, { layers: layers, frame: [], centre: start ? [start.lat, start.lon] : [0, 0], zoom: start ? 12 : 2, tileUrl: data.tile_url });
  var pin = null;
  function place(latlng, pan) {
    if (!pin) {
      pin = L.marker(latlng, { draggable: true, keyboard: true, title: el.getAttribute("aria-label"), alt: el.getAttribute("aria-label") }).addTo(map);
      pin.on("dragend", function () { write(pin.getLatLng()); });
    } else {
      pin.setLatLng(latlng);
    }
    el.setAttribute("data-pinned", "true");
    if (pan) { map.panTo(latlng); }
  }
  function write(latlng) {
    lat.value = latlng.lat.toFixed(5);
    lon.value = latlng.lng.toFixed(5);
  }
  map.on("click", function (event) { place(event.latlng, false); write(event.latlng); });
  function fromFields() {
    var a = parseFloat(lat.value), b = parseFloat(lon.value);
    if (isFinite(a) && isFinite(b) && Math.abs(a) <= 90 && Math.abs(b) <= 180) { place(L.latLng(a, b), true); }
  }
  lat.addEventListener("change", fromFields);
  lon.addEventListener("change", fromFields);
  if (siteSelect) {
    siteSelect.addEventListener("change", function () {
      var s = chosenSite();
      if (s && !pin) { map.setView([s.lat, s.lon], 12); }
    });
  }
  fromFields();
}());
