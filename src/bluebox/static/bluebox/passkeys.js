/* Passkey ceremonies (WebAuthn), attached from data- attributes:
   [data-passkey-register] on the security page, [data-passkey-login] at the sign-in's second
   step, [data-passkey-stepup] on a reveal form (the step-up is bound to data-record-type and
   data-object-id, then the form is submitted). Each element holds data-begin and data-complete
   (the server's endpoints), a [data-passkey-start] button and a [data-passkey-error] line. */
(function () {
  "use strict";

  function b64urlToBytes(s) {
    var pad = "=".repeat((4 - (s.length % 4)) % 4);
    var bin = atob((s + pad).replace(/-/g, "+").replace(/_/g, "/"));
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i += 1) { out[i] = bin.charCodeAt(i); }
    return out.buffer;
  }

  function bytesToB64url(buf) {
    var bytes = new Uint8Array(buf), bin = "";
    for (var i = 0; i < bytes.length; i += 1) { bin += String.fromCharCode(bytes[i]); }
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function decodeOptions(pk) {
    pk.challenge = b64urlToBytes(pk.challenge);
    if (pk.user && pk.user.id) { pk.user.id = b64urlToBytes(pk.user.id); }
    ["excludeCredentials", "allowCredentials"].forEach(function (key) {
      (pk[key] || []).forEach(function (c) { c.id = b64urlToBytes(c.id); });
    });
    return pk;
  }

  function encodeCredential(cred) {
    var r = cred.response, response = { clientDataJSON: bytesToB64url(r.clientDataJSON) };
    if (r.attestationObject) { response.attestationObject = bytesToB64url(r.attestationObject); }
    if (r.authenticatorData) { response.authenticatorData = bytesToB64url(r.authenticatorData); }
    if (r.signature) { response.signature = bytesToB64url(r.signature); }
    if (r.userHandle) { response.userHandle = bytesToB64url(r.userHandle); }
    return {
      id: cred.id, rawId: bytesToB64url(cred.rawId), type: cred.type, response: response,
      authenticatorAttachment: cred.authenticatorAttachment || null,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {}
    };
  }

  function csrf(el) {
    var form = el.closest("form");
    var input = (form || document).querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function post(el, url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(el) },
      body: JSON.stringify(body || {})
    }).then(function (resp) {
      return resp.json().then(function (data) {
        if (!resp.ok) { throw new Error(data.detail || resp.statusText); }
        return data;
      });
    });
  }

  function ceremony(el, create, extra) {
    var error = el.querySelector("[data-passkey-error]");
    if (error) { error.hidden = true; }
    var begin = el.getAttribute("data-begin"), complete = el.getAttribute("data-complete");
    return post(el, begin, extra).then(function (options) {
      var pk = decodeOptions(options.publicKey);
      return create ? navigator.credentials.create({ publicKey: pk })
        : navigator.credentials.get({ publicKey: pk });
    }).then(function (cred) {
      var body = { credential: encodeCredential(cred) };
      var name = el.querySelector("[data-passkey-name]");
      if (name) { body.name = name.value; }
      return post(el, complete, body);
    }).catch(function (err) {
      if (error) { error.textContent = err.message || String(err); error.hidden = false; }
      throw err;
    });
  }

  document.addEventListener("click", function (event) {
    var start = event.target.closest && event.target.closest("[data-passkey-start]");
    if (!start) { return; }
    var el = start.closest("[data-passkey-register],[data-passkey-login],[data-passkey-stepup]");
    if (!el || !window.PublicKeyCredential) { return; }
    event.preventDefault();
    if (el.hasAttribute("data-passkey-register")) {
      ceremony(el, true).then(function (data) { window.location.assign(data.redirect); }, function () {});
    } else if (el.hasAttribute("data-passkey-login")) {
      ceremony(el, false).then(function (data) { window.location.assign(data.redirect); }, function () {});
    } else {
      var extra = { record_type: el.getAttribute("data-record-type"), object_id: el.getAttribute("data-object-id") };
      ceremony(el, false, extra).then(function () {
        var form = el.closest("form");
        var marker = form.querySelector("input[name=passkey_step_up]");
        if (marker) { marker.value = "1"; }
        form.submit();
      }, function () {});
    }
  });
}());
