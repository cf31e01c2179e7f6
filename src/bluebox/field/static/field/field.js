/* bluebox field app: incident and patrol reports that survive no connection.
 *
 * Each report is kept in IndexedDB, encrypted with AES-GCM under the signed-in person's key
 * (from /api/v1/field/session/, held as a non-extractable CryptoKey, dropped at sign-out), and
 * carries an Idempotency-Key chosen once, when it is queued: sending it again, after a lost
 * answer or from another tab, gets the first answer back instead of a second record. Sending
 * starts when the page opens, when the connection comes back and when the page gets the focus,
 * one sender at a time (Web Locks). What the server refuses or reports as changed meanwhile
 * stays on the phone, shown, until the person edits or discards it: never sent again as is.
 */
(function () {
  "use strict";
  const root = document.getElementById("field-app");
  if (!root) return;
  const T = JSON.parse(document.getElementById("field-strings").textContent);
  const DB_NAME = "bluebox-field";
  const LOCK = "bluebox-field-send";
  const SENT_KEPT_MS = 7 * 24 * 3600 * 1000;
  const RETRY_MS = 15000;
  const $ = (id) => document.getElementById(id);
  const state = { db: null, user: null, username: "", key: null, csrf: null, reference: null, guide: null, sending: false };
  const prefix = location.pathname.replace(/field\/$/, "");

  // ---------- IndexedDB ----------
  function openDb() {
    return new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => {
        const db = req.result;
        db.createObjectStore("keys", { keyPath: "user" });
        db.createObjectStore("meta", { keyPath: "name" });
        db.createObjectStore("reference", { keyPath: "user" });
        db.createObjectStore("items", { keyPath: "id" }).createIndex("user", "user");
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }
  function tx(store, mode, fn) {
    return new Promise((resolve, reject) => {
      const t = state.db.transaction(store, mode);
      let result;
      const req = fn(t.objectStore(store));
      if (req) req.onsuccess = () => { result = req.result; };
      t.oncomplete = () => resolve(result);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  }
  const get = (store, key) => tx(store, "readonly", (s) => s.get(key));
  const put = (store, value) => tx(store, "readwrite", (s) => s.put(value));
  const del = (store, key) => tx(store, "readwrite", (s) => s.delete(key));
  const itemsOf = (user) => tx("items", "readonly", (s) => s.index("user").getAll(user));

  // ---------- encryption ----------
  function b64urlToBytes(text) {
    const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
    return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  }
  async function seal(value) {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const data = new TextEncoder().encode(JSON.stringify(value));
    const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: aad() }, state.key, data);
    return { iv, ct: new Uint8Array(ct) };
  }
  async function open(sealed) {
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: sealed.iv, additionalData: aad() }, state.key, sealed.ct);
    return JSON.parse(new TextDecoder().decode(plain));
  }
  // The ciphertext is bound to its account: moved to another person's list it does not open.
  const aad = () => new TextEncoder().encode("bluebox-field:" + state.user);

  // ---------- session ----------
  async function fetchJson(url, options) {
    const response = await fetch(url, Object.assign({ credentials: "same-origin", headers: { Accept: "application/json" } }, options || {}));
    return response;
  }
  async function startSession() {
    let response = null;
    try {
      response = await fetchJson(root.dataset.sessionUrl);
    } catch (e) {
      response = null; // no connection
    }
    if (response && (response.status === 401 || response.status === 403)) {
      await forgetKeys();
      return "signed-out";
    }
    if (response && response.ok) {
      const s = await response.json();
      const key = await crypto.subtle.importKey("raw", b64urlToBytes(s.key), "AES-GCM", false, ["encrypt", "decrypt"]);
      Object.assign(state, { user: s.user, username: s.username, key, csrf: s.csrf });
      await put("keys", { user: s.user, key });
      await put("meta", { name: "last-user", user: s.user, username: s.username });
      await refreshReference();
      await refreshGuide();
      return "online";
    }
    const last = await get("meta", "last-user");
    const kept = last ? await get("keys", last.user) : null;
    if (!kept) return "no-key";
    Object.assign(state, { user: last.user, username: last.username, key: kept.key, csrf: null });
    const ref = await get("reference", last.user);
    if (ref) state.reference = await open(ref);
    const guide = await get("meta", "guide:" + last.user);
    if (guide) state.guide = await open(guide);
    return "offline";
  }
  async function forgetKeys() {
    await tx("keys", "readwrite", (s) => s.clear());
    await tx("meta", "readwrite", (s) => s.clear()); // the last user and their sealed rules
    Object.assign(state, { user: null, key: null, csrf: null, reference: null, guide: null });
  }
  /* The rules in force for the person's missions, sealed with their key in "meta" (which
   * signing out clears), so the guide answers with no connection. */
  async function refreshGuide() {
    const name = "guide:" + state.user;
    try {
      const response = await fetchJson(root.dataset.guideUrl);
      if (response.status === 403) { await del("meta", name); state.guide = null; return; }
      if (!response.ok) throw new Error(String(response.status));
      state.guide = await response.json();
      const sealed = await seal(state.guide);
      await put("meta", { name, iv: sealed.iv, ct: sealed.ct });
    } catch (e) {
      const kept = await get("meta", name);
      if (kept) state.guide = await open(kept);
    }
  }
  async function refreshReference() {
    try {
      const response = await fetchJson(root.dataset.referenceUrl);
      if (!response.ok) return;
      state.reference = await response.json();
      const sealed = await seal(state.reference);
      await put("reference", { user: state.user, iv: sealed.iv, ct: sealed.ct, at: Date.now() });
    } catch (e) {
      const ref = await get("reference", state.user);
      if (ref) state.reference = await open(ref);
    }
  }

  // ---------- forms ----------
  function option(value, label) {
    const o = document.createElement("option");
    o.value = value;
    o.textContent = label;
    return o;
  }
  function fillSites() {
    const ref = state.reference || { sites: [], teams: [], planned: [] };
    document.querySelectorAll("select[data-sites]").forEach((select) => {
      const kind = select.dataset.sites;
      const chosen = select.value;
      select.replaceChildren(...ref.sites.filter((s) => s[kind]).map((s) => option(s.id, s.name)));
      if (chosen) select.value = chosen;
    });
    fillTeams();
  }
  function fillTeams() {
    const ref = state.reference || { sites: [], teams: [], planned: [] };
    const site = Number($("p-site").value);
    const team = $("p-team").value;
    $("p-team").replaceChildren(...ref.teams.filter((t) => t.site === site).map((t) => option(t.id, t.name)));
    if (team) $("p-team").value = team;
    const planned = $("p-planned").value;
    const rows = ref.planned.filter((p) => p.site === site && String(p.team) === $("p-team").value);
    $("p-planned").replaceChildren(option("", T.none), ...rows.map((p) => option(p.id, p.date + " " + p.shift + " " + p.depart)));
    if (planned) $("p-planned").value = planned;
  }
  $("p-site").addEventListener("change", fillTeams);
  $("p-team").addEventListener("change", fillTeams);

  function formValues(form) {
    const values = {};
    for (const el of form.elements) {
      if (!el.name || el.type === "submit" || el.type === "file") continue;
      values[el.name] = el.type === "checkbox" ? el.checked : el.value;
    }
    if (form.id === "patrol-form") values.track = state.track || null;
    if (form.id === "incident-form") values.photos = state.photos || [];
    return values;
  }
  function setValues(form, values) {
    for (const el of form.elements) {
      if (!el.name || el.type === "submit" || el.type === "file" || !(el.name in values)) continue;
      if (el.type === "checkbox") el.checked = !!values[el.name];
      else el.value = values[el.name];
      if (el.name === "site" || el.name === "team") fillTeams();
    }
    if (form.id === "patrol-form") {
      state.track = values.track || null;
      showTrack();
    }
    if (form.id === "incident-form") {
      state.photos = values.photos || [];
      showPhotos();
    }
  }
  function pad(n) { return String(n).padStart(2, "0"); }
  /* A datetime-local value as ISO 8601 with this phone's offset from UTC. */
  function withOffset(local) {
    const d = new Date(local);
    const off = -d.getTimezoneOffset();
    const sign = off >= 0 ? "+" : "-";
    return local.slice(0, 16) + ":00" + sign + pad(Math.floor(Math.abs(off) / 60)) + ":" + pad(Math.abs(off) % 60);
  }
  function site(id) {
    return ((state.reference || {}).sites || []).find((s) => s.id === Number(id));
  }
  function body(kind, v) {
    if (kind === "incident") {
      const s = site(v.site);
      const b = {
        mission: s ? s.mission : null,
        site: Number(v.site),
        title: v.title.trim(),
        incident_type: v.incident_type,
        occurred_at: withOffset(v.occurred_at),
        latitude: Number(v.latitude),
        longitude: Number(v.longitude),
        description: v.description,
        civilian_targeting: !!v.civilian_targeting,
        classification: Number(v.classification),
      };
      if (v.fatalities_best !== "") b.fatalities_best = Number(v.fatalities_best);
      if (v.photos && v.photos.length) {
        b.photos = v.photos.map((p) => ({ name: p.name, content_type: p.content_type, data: p.data }));
      }
      return b;
    }
    const b = {
      site: Number(v.site),
      team: Number(v.team),
      started_at: withOffset(v.started_at),
      ended_at: withOffset(v.ended_at),
      members: Number(v.members),
      members_women: Number(v.members_women || 0),
      observations: v.observations,
    };
    if (v.planned) b.planned = Number(v.planned);
    if (v.track) b.track = { format: v.track.format, content: v.track.content };
    return b;
  }
  function complete(form) {
    let ok = true;
    for (const el of form.elements) {
      if (el.required && !el.value) { ok = false; el.setAttribute("aria-invalid", "true"); }
      else el.removeAttribute("aria-invalid");
    }
    return ok;
  }
  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  }

  async function save(form, intent) {
    problem("");
    if (!state.key) { problem(T.no_key); return; }
    if (intent === "send" && !complete(form)) { problem(T.required); return; }
    const kind = form.dataset.kind;
    const values = formValues(form);
    const existing = form.elements.item.value ? await get("items", form.elements.item.value) : null;
    const now = Date.now();
    const item = existing || { id: uuid(), user: state.user, kind, created: now, attempts: 0 };
    const payload = { values };
    if (intent === "send") {
      payload.body = JSON.stringify(body(kind, values)); // the exact bytes every attempt sends
      // A refused or conflicting report was answered: its edit is a new request, a new key.
      if (!item.idem || item.state === "refused" || item.state === "conflict") item.idem = uuid();
      item.state = "waiting";
      item.attempts = 0;
    } else {
      item.state = "draft";
    }
    const sealed = await seal(payload);
    Object.assign(item, { iv: sealed.iv, ct: sealed.ct, updated: now, message: "" });
    await put("items", item);
    form.reset();
    form.elements.item.value = "";
    state.track = null;
    showTrack();
    state.photos = [];
    showPhotos();
    notice(intent === "send" ? T.queued : T.saved);
    await render();
    if (intent === "send") sync();
  }
  document.querySelectorAll("form.field-form").forEach((form) => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const intent = event.submitter ? event.submitter.value : "send";
      save(form, intent).catch((e) => problem(String(e)));
    });
  });

  // ---------- tabs ----------
  function tab(kind) {
    for (const k of ["incident", "patrol", "guide"]) {
      $("tab-" + k).setAttribute("aria-selected", String(k === kind));
      $(k + "-form").hidden = k !== kind;
    }
  }
  $("tab-incident").addEventListener("click", () => tab("incident"));
  $("tab-patrol").addEventListener("click", () => tab("patrol"));
  $("tab-guide").addEventListener("click", () => tab("guide"));

  // ---------- the guide, from the kept rules ----------
  const today = () => { const d = new Date(); return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()); };
  function fillGuide() {
    const g = state.guide;
    const form = $("guide-form");
    form.dataset.rules = g && g.missions.length ? "kept" : "none";
    if (!g || !g.missions.length) { $("g-asof").textContent = T.no_rules; $("g-ask").disabled = true; return; }
    $("g-ask").disabled = false;
    const at = new Date(g.as_of);
    const when = at.toISOString().slice(0, 16).replace("T", " ") + " UTC";
    $("g-asof").textContent = g.missions.map((m) => T.rules_as_of.replace("%(when)s", when).replace("%(version)s", m.version)).join(" ");
    $("g-site").replaceChildren(...g.sites.map((s) => option(s.id, s.name)));
    $("g-action").replaceChildren(...Object.entries(g.words.actions).map(([k, v]) => option(k, v)));
    $("g-threat").replaceChildren(option("", T.not_given), ...Object.entries(g.words.threats).map(([k, v]) => option(k, v)));
  }
  function fillList(id, items) {
    $(id).replaceChildren(...items.map((text) => { const li = document.createElement("li"); li.textContent = text; return li; }));
  }
  function ask() {
    const g = state.guide;
    const f = $("guide-form").elements;
    const where = g.sites.find((s) => s.id === Number(f.site.value));
    const rules = g.missions.find((m) => m.id === where.mission);
    const tri = (v) => (v === "" ? null : v === "true");
    const situation = { action: f.action.value, on: today(), site_kind: where.kind, threat: f.threat.value || null,
      national_police_present: f.national_police_present.value === "" ? where.national_police_present : tri(f.national_police_present.value),
      national_police_operational: f.national_police_operational.value === "" ? where.national_police_operational : tri(f.national_police_operational.value) };
    for (const k of ["host_request", "imminent_threat", "hrddp_cleared", "commander_order"]) situation[k] = tri(f[k].value);
    const result = rules ? blueboxGuide.answer(rules, situation) : null;
    $("g-answer").hidden = false;
    const verdict = $("g-verdict");
    if (!result) {
      verdict.textContent = T.rules_stale;
      verdict.dataset.allowed = "";
      for (const id of ["g-reasons", "g-conditions", "g-steps", "g-limits", "g-citations"]) fillList(id, []);
      return;
    }
    const w = blueboxGuide.worded(result, situation.action, g.words);
    verdict.textContent = w.headline;
    verdict.dataset.allowed = w.allowed ? "yes" : "no";
    fillList("g-reasons", w.reasons);
    fillList("g-conditions", w.conditions);
    fillList("g-steps", w.steps);
    fillList("g-limits", w.limits);
    fillList("g-citations", w.citations);
  }
  $("guide-form").addEventListener("submit", (event) => {
    event.preventDefault();
    try { ask(); } catch (e) { problem(String(e)); }
  });

  // ---------- location and track ----------
  document.querySelectorAll("[data-gps]").forEach((button) => {
    button.addEventListener("click", () => {
      const [lat, lon] = button.dataset.gps.split(" ").map($);
      if (!navigator.geolocation) { notice(T.gps_fail); return; }
      notice(T.gps_wait);
      navigator.geolocation.getCurrentPosition(
        (p) => { lat.value = p.coords.latitude.toFixed(5); lon.value = p.coords.longitude.toFixed(5); notice(""); },
        () => notice(T.gps_fail),
        { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 }
      );
    });
  });
  let watch = null;
  let fixes = [];
  function showTrack() {
    const n = state.track ? state.track.points : 0;
    $("track-status").textContent = watch !== null ? T.tracking.replace("%(n)s", fixes.length) : (n ? T.track_points.replace("%(n)s", n) : "");
  }
  $("track-record").addEventListener("click", () => {
    if (!navigator.geolocation) { notice(T.gps_fail); return; }
    fixes = [];
    watch = navigator.geolocation.watchPosition(
      (p) => { fixes.push([p.coords.longitude, p.coords.latitude, new Date(p.timestamp).toISOString()]); showTrack(); },
      () => notice(T.gps_fail),
      { enableHighAccuracy: true, maximumAge: 0 }
    );
    $("track-record").hidden = true;
    $("track-stop").hidden = false;
    showTrack();
  });
  $("track-stop").addEventListener("click", () => {
    if (watch !== null) navigator.geolocation.clearWatch(watch);
    watch = null;
    $("track-record").hidden = false;
    $("track-stop").hidden = true;
    if (fixes.length) {
      const feature = {
        type: "Feature",
        properties: { coordinateProperties: { times: fixes.map((f) => f[2]) } },
        geometry: { type: "LineString", coordinates: fixes.map((f) => [f[0], f[1]]) },
      };
      state.track = { format: "geojson", content: JSON.stringify(feature), points: fixes.length };
    }
    showTrack();
  });
  $("p-track-file").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    const content = await file.text();
    const format = /\.gpx$/i.test(file.name) || content.trimStart().startsWith("<") ? "gpx" : "geojson";
    const points = format === "gpx" ? (content.match(/<trkpt\b/g) || []).length : countPositions(content);
    state.track = { format, content, points };
    showTrack();
  });
  function countPositions(text) {
    try {
      const doc = JSON.parse(text);
      const geometry = doc.type === "Feature" ? doc.geometry : doc;
      if (geometry && geometry.type === "LineString") return geometry.coordinates.length;
      if (doc.type === "FeatureCollection") return doc.features.length;
    } catch (e) { /* the server says what is wrong with it */ }
    return 0;
  }

  // ---------- photos ----------
  /* Photos are drawn again on a canvas, at most PHOTO_SIDE pixels a side, as JPEG: smaller to
   * send, and the canvas keeps none of the file's metadata (no GPS position leaves the phone;
   * the server removes it again in any case). They live only in the sealed report, never in
   * plain IndexedDB. All of a report's photos must fit in the API's bounded body, so a photo
   * that would not is drawn smaller, and refused if it still does not fit. */
  const PHOTO_MAX = Number(root.dataset.photoMax || 5);
  const PHOTO_SIDE = Number(root.dataset.photoSide || 1600);
  const PHOTO_BUDGET = Number(root.dataset.photoBudget || 2000000);
  const PHOTO_STEPS = [[1, 0.8], [0.8, 0.7], [0.64, 0.6], [0.5, 0.5]];
  function bytesToBase64(bytes) {
    let text = "";
    for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(text);
  }
  async function drawn(bitmap, side, quality) {
    const scale = Math.min(1, side / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
    if (!blob) throw new Error("no JPEG");
    return bytesToBase64(new Uint8Array(await blob.arrayBuffer()));
  }
  async function addPhoto(file) {
    let bitmap;
    try {
      bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
    } catch (e) {
      return T.photo_unreadable;
    }
    try {
      const used = (state.photos || []).reduce((n, p) => n + p.data.length, 0);
      for (const [factor, quality] of PHOTO_STEPS) {
        const data = await drawn(bitmap, PHOTO_SIDE * factor, quality);
        if (used + data.length <= PHOTO_BUDGET) {
          const name = (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg";
          state.photos.push({ name, content_type: "image/jpeg", data });
          return "";
        }
      }
      return T.photo_no_room.replace("%(n)s", PHOTO_MAX);
    } finally {
      if (bitmap.close) bitmap.close();
    }
  }
  function showPhotos() {
    const n = (state.photos || []).length;
    const status = $("photo-status");
    status.textContent = n ? T.photos_n.replace("%(n)s", n) : "";
    status.dataset.count = String(n);
    $("photos-clear").hidden = !n;
  }
  $("i-photos").addEventListener("change", async (event) => {
    const input = event.target;
    const files = Array.from(input.files || []);
    if (!files.length) return;
    state.photos = state.photos || [];
    $("photo-status").textContent = T.photo_working;
    $("photo-status").dataset.count = "";
    const problems = [];
    for (const file of files) {
      if (state.photos.length >= PHOTO_MAX) { problems.push(T.photo_no_room.replace("%(n)s", PHOTO_MAX)); break; }
      const refused = await addPhoto(file);
      if (refused) problems.push(refused);
    }
    input.value = ""; // the files stay only in the sealed report
    showPhotos();
    problem(Array.from(new Set(problems)).join(" "));
  });
  $("photos-clear").addEventListener("click", () => { state.photos = []; showPhotos(); });

  // ---------- sending ----------
  function withLock(fn) {
    if (navigator.locks && navigator.locks.request) return navigator.locks.request(LOCK, fn);
    if (state.sending) return Promise.resolve();
    state.sending = true;
    return Promise.resolve().then(fn).finally(() => { state.sending = false; });
  }
  let retryTimer = null;
  function later() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(sync, RETRY_MS);
  }
  function sync() {
    if (!state.key) return Promise.resolve();
    return withLock(sendWaiting).catch((e) => { problem(String(e)); later(); });
  }
  async function sendWaiting() {
    // Read again under the lock: another tab may have sent some meanwhile.
    const waiting = (await itemsOf(state.user)).filter((i) => i.state === "waiting").sort((a, b) => a.created - b.created);
    if (!waiting.length) return;
    if (!state.csrf) {
      const mode = await startSession();
      connection(mode === "online");
      if (mode === "signed-out") { problem(T.signin); return; }
      if (!state.csrf) { later(); return; }
    }
    for (const item of waiting) {
      const fresh = await get("items", item.id);
      if (!fresh || fresh.state !== "waiting") continue;
      const outcome = await sendOne(fresh);
      if (outcome === "stop") { later(); break; }
    }
    await render();
  }
  async function sendOne(item) {
    const payload = await open(item);
    mark(item.id, T.sending);
    item.attempts = (item.attempts || 0) + 1;
    await put("items", item);
    const url = item.kind === "incident" ? root.dataset.incidentUrl : root.dataset.patrolUrl;
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "Idempotency-Key": item.idem,
          "X-CSRFToken": state.csrf,
        },
        body: payload.body,
      });
    } catch (e) {
      connection(false);
      return "stop"; // no answer: it may or may not have arrived; the same key tells next time
    }
    connection(true);
    let answer = {};
    try { answer = await response.json(); } catch (e) { answer = {}; }
    if (response.ok) {
      const path = item.kind === "incident" ? "incidents/" : "patrols/records/";
      Object.assign(item, { state: "sent", sentAt: Date.now(), serverId: answer.id, serverUrl: prefix + path + answer.id + "/", message: "" });
      delete item.iv;
      delete item.ct; // nothing of a sent report stays on the phone but its number
      await put("items", item);
      return "sent";
    }
    if (response.status === 401 || response.status === 403) {
      state.csrf = null;
      problem(T.signin);
      return "stop";
    }
    if (response.status === 409 && answer.conflict) {
      Object.assign(item, { state: "conflict", message: describe(answer) });
      await put("items", item);
      return "conflict";
    }
    if (response.status === 409 || response.status === 429 || response.status >= 500) return "stop";
    Object.assign(item, { state: "refused", message: describe(answer) });
    await put("items", item);
    return "refused";
  }
  function describe(answer) {
    const parts = [answer.detail || ""];
    for (const [field, messages] of Object.entries(answer.errors || {})) {
      parts.push(field + ": " + [].concat(messages).join(" "));
    }
    return parts.filter(Boolean).join(" ");
  }

  // ---------- the list ----------
  function mark(id, text) {
    const li = document.querySelector('#queue li[data-id="' + id + '"] .state');
    if (li) li.textContent = text;
  }
  async function render() {
    const list = $("queue");
    if (!state.user) { list.replaceChildren(); return; }
    const items = (await itemsOf(state.user)).sort((a, b) => b.created - a.created);
    const rows = [];
    for (const item of items) {
      const li = document.createElement("li");
      li.dataset.id = item.id;
      li.dataset.state = item.state;
      li.dataset.kind = item.kind;
      const what = document.createElement("span");
      let title = "";
      let shown = 0;
      if (item.ct && state.key) {
        try {
          const payload = await open(item);
          title = payload.values.title || "";
          shown = (payload.values.photos || []).length;
        } catch (e) { title = ""; }
      }
      what.textContent = (item.kind === "incident" ? T.incident : T.patrol) + (title ? ": " : "");
      if (title) {
        const b = document.createElement("bdi");
        b.textContent = title;
        what.append(b);
      }
      if (shown) {
        const p = document.createElement("span");
        p.className = "photos";
        p.textContent = " · " + T.photos_n.replace("%(n)s", shown);
        what.append(p);
        li.dataset.photos = String(shown);
      }
      const st = document.createElement("span");
      st.className = "state";
      st.textContent = T[item.state] || item.state;
      li.append(what, st);
      if (item.state === "sent" && item.serverId) {
        const a = document.createElement("a");
        a.href = item.serverUrl;
        a.className = "sent-link";
        const n = document.createElement("bdi");
        n.textContent = T.record + " " + item.serverId;
        a.append(n);
        li.append(a);
      }
      const editable = ["draft", "refused", "conflict"].includes(item.state) || (item.state === "waiting" && !item.attempts);
      if (editable) li.append(button(T.edit, () => edit(item)));
      if (editable || item.state === "sent") li.append(button(T.discard, () => discard(item)));
      if (item.message) {
        const d = document.createElement("span");
        d.className = "detail";
        d.textContent = item.message;
        li.append(d);
      }
      rows.push(li);
    }
    if (!rows.length) {
      const li = document.createElement("li");
      li.className = "empty";
      li.textContent = T.nothing;
      rows.push(li);
    }
    list.replaceChildren(...rows);
    list.dataset.waiting = String(items.filter((i) => i.state === "waiting").length);
    list.dataset.sent = String(items.filter((i) => i.state === "sent").length);
  }
  function button(label, fn) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "link";
    b.textContent = label;
    b.addEventListener("click", fn);
    return b;
  }
  async function edit(item) {
    const payload = await open(item);
    const form = $(item.kind + "-form");
    tab(item.kind);
    form.elements.item.value = item.id;
    setValues(form, payload.values);
    form.scrollIntoView();
  }
  async function discard(item) {
    if (item.state !== "sent" && !confirm(T.discard_confirm)) return;
    await del("items", item.id);
    await render();
  }
  async function purgeOld() {
    const old = (await itemsOf(state.user)).filter((i) => i.state === "sent" && Date.now() - i.sentAt > SENT_KEPT_MS);
    for (const i of old) await del("items", i.id);
  }

  // ---------- status line ----------
  function connection(online) {
    const badge = $("connection");
    badge.textContent = online ? T.online : T.offline;
    badge.dataset.online = String(online);
  }
  function notice(text) {
    $("track-status").textContent = text;
    if (!text) showTrack();
  }
  function problem(text) {
    $("problem").textContent = text;
    $("problem").hidden = !text;
  }

  // ---------- start ----------
  /* Register the worker and have it keep this page, so the app opens with no connection. */
  function keepOffline() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.register(root.dataset.workerUrl, { scope: "/" })
      .then(() => navigator.serviceWorker.ready)
      .then((registration) => {
        const channel = new MessageChannel();
        channel.port1.onmessage = (event) => { root.dataset.offlineReady = String(!!event.data.kept); };
        registration.active.postMessage({ keep: location.pathname }, [channel.port2]);
      })
      .catch(() => { root.dataset.offlineReady = "false"; });
  }
  async function start() {
    keepOffline();
    $("phone-zone").textContent = "UTC" + withOffset("2000-01-01T00:00").slice(-6);
    state.db = await openDb();
    const mode = await startSession();
    connection(mode === "online");
    if (mode === "signed-out") {
      problem(T.signin);
      fillGuide();
      root.dataset.ready = "true";
      return;
    }
    if (mode === "no-key") problem(T.no_key);
    if (state.user) {
      $("who").hidden = false;
      $("who-name").textContent = state.username;
      await purgeOld();
    }
    fillSites();
    fillGuide();
    await render();
    root.dataset.ready = "true";
    sync();
  }
  $("send-now").addEventListener("click", () => sync());
  window.addEventListener("online", () => { connection(true); sync(); });
  window.addEventListener("offline", () => connection(false));
  window.addEventListener("focus", () => sync());
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") sync(); });
  start().catch((e) => { problem(String(e)); root.dataset.ready = "true"; });
})();
