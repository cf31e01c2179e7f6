/* Behaviour every page shares, attached from data- attributes: no inline script or handler
   anywhere, so the Content-Security-Policy can refuse them all. */
(function () {
  "use strict";
  var bluebox = window.bluebox = window.bluebox || {};

  /* The one HTML escape for text put into markup (map popups and tooltips). */
  bluebox.escapeHtml = function (s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
    });
  };

  /* Data a page hands to its script in <script type="application/json" id="...">. */
  bluebox.readJson = function (id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  };

  function bars(root) {
    /* Bars sized by data-bar (a percentage): set through the CSSOM, which the policy allows. */
    root.querySelectorAll("[data-bar]").forEach(function (el) {
      el.style.setProperty("--v", el.getAttribute("data-bar") + "%");
    });
  }

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.hasAttribute && el.hasAttribute("data-submit-on-change") && el.form) { el.form.submit(); }
  });

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest("[data-toggles]");
    if (toggle) {
      var target = document.getElementById(toggle.getAttribute("data-toggles"));
      if (target) { toggle.setAttribute("aria-expanded", String(target.classList.toggle("open"))); }
      return;
    }
    var locate = event.target.closest && event.target.closest("[data-locate-into]");
    if (locate && navigator.geolocation) {
      var ids = locate.getAttribute("data-locate-into").split(" ");
      navigator.geolocation.getCurrentPosition(function (p) {
        document.getElementById(ids[0]).value = p.coords.latitude.toFixed(5);
        document.getElementById(ids[1]).value = p.coords.longitude.toFixed(5);
        /* The pin map (pin.js) follows the fields. */
        document.getElementById(ids[1]).dispatchEvent(new Event("change", { bubbles: true }));
      });
    }
  });

  /* Signing out drops the field app's key from this phone: the reports it keeps stay
     encrypted and open again only when the same person signs in. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-forget-field-key") || form.dataset.forgotten) { return; }
    if (!window.indexedDB) { return; }
    event.preventDefault();
    var done = function () { form.dataset.forgotten = "1"; form.submit(); };
    var req = indexedDB.open("bluebox-field", 1);
    req.onupgradeneeded = function () { req.transaction.abort(); };  // no app data here: create none
    req.onerror = done;
    req.onsuccess = function () {
      var db = req.result;
      try {
        var t = db.transaction(["keys", "meta"], "readwrite");
        t.objectStore("keys").clear();
        t.objectStore("meta").clear();
        t.oncomplete = function () { db.close(); done(); };
        t.onerror = t.onabort = function () { db.close(); done(); };
      } catch (e) { db.close(); done(); }
    };
  });

  bars(document);
  document.addEventListener("htmx:afterSwap", function (event) { bars(event.target); });
}());
