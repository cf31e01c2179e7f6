{% autoescape off %}/* bluebox field app service worker (version {{ version }}).
 *
 * It keeps the field app's page and its own scripts, styles and icons, so the app opens with
 * no connection. Nothing else is cached: every other page and every API answer goes to the
 * network as before (and carries "no-store"). The page it keeps holds no name, record or
 * token; reports are kept by the page itself, encrypted, in IndexedDB. */
"use strict";
const CACHE = "bluebox-field-{{ version }}";
const ASSETS = {{ assets }};
const APP_PAGE = /^\/(?:[a-z]{2}\/)?field\/$/;
const NETWORK_WAIT_MS = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((k) => k.startsWith("bluebox-field-") && k !== CACHE).map((k) => caches.delete(k))
      ))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") && fromAppPage(request)) {
    // The app's API calls go to the network through the worker, untouched and never cached,
    // so the worker and the page agree on whether there is a connection.
    event.respondWith(fetch(request));
    return;
  }
  if (request.method !== "GET") return;
  if (request.mode === "navigate" && APP_PAGE.test(url.pathname)) {
    event.respondWith(appPage(request, url));
  } else if (ASSETS.includes(url.pathname + url.search)) {
    const here = url.pathname + url.search;
    event.respondWith(caches.match(here).then((hit) => hit || fetch(request)));
  }
});

/* The page asks to be kept as soon as the worker is ready: the first visit, which the
 * worker did not yet control, then opens offline too. */
self.addEventListener("message", (event) => {
  const data = event.data || {};
  const port = event.ports && event.ports[0];
  if (typeof data.keep !== "string" || !APP_PAGE.test(data.keep)) return;
  const url = new URL(data.keep, self.location.origin);
  event.waitUntil(
    appPage(new Request(url.href, { credentials: "same-origin" }), url)
      .then(() => caches.open(CACHE))
      .then((cache) => cache.match(url.origin + url.pathname))
      .then((hit) => { if (port) port.postMessage({ kept: !!hit }); })
      .catch(() => { if (port) port.postMessage({ kept: false }); })
  );
});

function fromAppPage(request) {
  try {
    const referrer = new URL(request.referrer);
    return referrer.origin === self.location.origin && APP_PAGE.test(referrer.pathname);
  } catch (error) {
    return false;
  }
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then((v) => { clearTimeout(timer); resolve(v); }, (e) => { clearTimeout(timer); reject(e); });
  });
}

/* The network first (a fresh page when there is a connection), the kept page otherwise. Only
 * the app page itself is kept: a redirect to the sign-in page or an error is not. */
async function appPage(request, url) {
  const cache = await caches.open(CACHE);
  const key = url.origin + url.pathname;
  try {
    const response = await withTimeout(fetch(request), NETWORK_WAIT_MS);
    if (response.ok && !response.redirected && response.headers.get("X-Bluebox-Shell") === "1") {
      await cache.put(key, response.clone());
    }
    return response;
  } catch (error) {
    const kept = await cache.match(key);
    if (kept) return kept;
    throw error;
  }
}
{% endautoescape %}
