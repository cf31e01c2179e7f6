/* The operational picture: one map, a layer per domain the person switches on and off, each
   fetched as JSON for the view and the time window (the shared set-up in bluebox/maps.js). */
(function () {
  "use strict";
  var el = document.getElementById("map");
  var data = window.bluebox && bluebox.readJson("picture-data");
  if (!el || !data || typeof L === "undefined") { return; }
  var esc = bluebox.escapeHtml;
  var words = data.words;
  var DAY = 86400000;
  var first = Date.parse(data.first);
  var slider = { since: document.getElementById("window-since"), until: document.getElementById("window-until") };

  function say(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, k) { return esc(values[k]); }).replace(/%%/g, "%");
  }
  function day(input) { return new Date(first + Number(input.value) * DAY).toISOString().slice(0, 10); }
  function windowQuery() { return "&since=" + day(slider.since) + "&until=" + day(slider.until); }
  function url(layer, view) {
    return data.data_url + "?layer=" + layer + "&mission=" + data.mission + (view ? "&" + view : "") + windowQuery();
  }
  function get(layer) {
    return fetch(url(layer), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); });
  }
  function colour(p) {
    return p >= 0.5 ? "#b30000" : p >= 0.3 ? "#e34a33" : p >= 0.15 ? "#fc8d59" : p >= 0.05 ? "#fdbb84" : "#fee8c8";
  }
  function coverageColour(c) {
    return c >= 0.85 ? "#1a9641" : c >= 0.6 ? "#a6d96a" : c >= 0.3 ? "#fdae61" : "#d7191c";
  }

  var mission = L.layerGroup();
  var risk = L.layerGroup();
  var deployment = L.layerGroup();
  var patrols = L.layerGroup();
  var counts = {};
  function showCount(name, body) {
    var out = document.getElementById(name + "-count");
    counts[name] = body;
    out.setAttribute("data-total", body.total);
    out.setAttribute("data-in-view", body.in_view);
    out.textContent = say(words[name + "_count"], {
      total: body.total, in_view: body.in_view, markers: body.markers.length, clusters: body.clusters.length
    });
  }
  function showError(message) { document.getElementById("map-error").textContent = message || ""; }

  var map = bluebox.map(el, { layers: [], tileUrl: data.tile_url });
  var incidents = bluebox.fetchedPoints(map, {
    url: function (view) { return url("incidents", view); },
    className: "incident-marker", clusterClass: "incident-cluster",
    onData: function (body) { showError(""); showCount("incidents", body); el.setAttribute("data-zoom", map.getZoom()); },
    onError: showError
  });
  var alerts = bluebox.fetchedPoints(map, {
    url: function (view) { return url("alerts", view); },
    className: "alert-marker", clusterClass: "alert-cluster",
    onData: function (body) { showError(""); showCount("alerts", body); }, onError: showError
  });

  function drawMission(body) {
    var frame = [];
    if (body.boundary) {
      frame.push(L.geoJSON(body.boundary, { style: { color: "#345", weight: 2, fillColor: "#e8eef2", fillOpacity: 0.6, className: "mission-boundary" } }).addTo(mission));
    }
    body.sectors.forEach(function (s) {
      L.geoJSON(s.boundary, { style: { color: "#789", weight: 1, dashArray: "4 3", fill: false, className: "sector-boundary" } })
        .bindTooltip(esc(s.name)).addTo(mission);
    });
    body.sites.forEach(function (s) {
      var site = L.circleMarker([s.lat, s.lon], { radius: 6, color: "#003d7a", weight: 2, fillColor: "#4a90d9", fillOpacity: 0.9, className: "site-marker" })
        .bindTooltip(esc(s.name), { permanent: true, direction: "right", className: "place-label" })
        .bindPopup("<strong>" + esc(s.name) + "</strong><br>" + esc(s.kind)).addTo(mission);
      frame.push(site);
    });
    var bounds = L.latLngBounds([]);
    frame.forEach(function (f) { bounds.extend(f.getBounds ? f.getBounds() : f.getLatLng()); });
    if (bounds.isValid()) { map.fitBounds(bounds, { padding: [10, 10], maxZoom: 13 }); }
  }
  function drawRisk(body) {
    risk.clearLayers();
    body.cells.forEach(function (c) {
      L.polygon(c.polygon, { color: "#555", weight: 1, fillColor: colour(c.p), fillOpacity: 0.6, className: "risk-cell" })
        .bindTooltip(Math.round(c.p * 100) + "% · " + esc(c.site) + (c.reasons ? "<br>" + esc(c.reasons) : ""))
        .addTo(risk);
    });
  }
  function drawDeployment(body) {
    deployment.clearLayers();
    body.sites.forEach(function (s) {
      L.circleMarker([s.lat, s.lon], {
        radius: 10 + Math.min(12, Math.sqrt(s.need)), color: "#222", weight: 1,
        fillColor: coverageColour(s.coverage), fillOpacity: 0.55, className: "coverage-marker"
      }).bindTooltip(say(words.coverage, { site: s.name, officers: s.officers, need: s.need, coverage: Math.round(s.coverage * 100) }))
        .addTo(deployment);
    });
  }
  function drawPatrols(body) {
    patrols.clearLayers();
    body.areas.forEach(function (c) {
      L.polygon(c.polygon, { color: c.planned ? "#0b4f8a" : "#789", weight: c.planned ? 2 : 1, fillColor: "#2a7fd4", fillOpacity: 0.15, className: "patrol-area" })
        .bindTooltip(esc(c.name)).addTo(patrols);
    });
    body.tracks.forEach(function (t) {
      L.polyline(t.line, { color: "#c0392b", weight: 3, className: "patrol-track" })
        .bindTooltip(esc(t.team) + " · " + esc(t.started)).addTo(patrols);
    });
  }
  function refreshWindow() {
    slider.since.setAttribute("aria-valuetext", day(slider.since));
    slider.until.setAttribute("aria-valuetext", day(slider.until));
    document.getElementById("window-since-day").textContent = day(slider.since);
    document.getElementById("window-until-day").textContent = day(slider.until);
  }
  function windowChanged(moved) {
    // The window never turns inside out: the other end follows the one moved.
    if (Number(slider.since.value) > Number(slider.until.value)) {
      (moved === slider.since ? slider.until : slider.since).value = moved.value;
    }
    refreshWindow();
    incidents.refresh();
    alerts.refresh();
    if (map.hasLayer(patrols)) { get("patrols").then(drawPatrols); }
  }
  [slider.since, slider.until].forEach(function (input) {
    input.addEventListener("input", refreshWindow);
    input.addEventListener("change", function () { windowChanged(input); });
  });
  refreshWindow();

  var overlays = {};
  overlays[esc(words.mission)] = mission;
  overlays[esc(words.incidents)] = incidents.layer;
  overlays[esc(words.alerts)] = alerts.layer;
  overlays[esc(words.risk)] = risk;
  overlays[esc(words.deployment)] = deployment;
  overlays[esc(words.patrols)] = patrols;
  L.control.layers(null, overlays, { collapsed: window.matchMedia("(max-width: 760px)").matches }).addTo(map);
  var loaders = [[risk, "risk", drawRisk], [deployment, "deployment", drawDeployment], [patrols, "patrols", drawPatrols]];
  loaders.forEach(function (l) { l[0].on("add", function () { get(l[1]).then(l[2]); }); });
  get("mission").then(function (body) {
    drawMission(body);
    mission.addTo(map);
    [incidents.layer, alerts.layer, risk, deployment, patrols].forEach(function (layer) { layer.addTo(map); });
    el.setAttribute("data-loaded", "true");
  });
}());
