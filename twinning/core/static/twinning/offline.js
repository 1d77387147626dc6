// Offline data entry on the results entry page (<form data-offline="results">). While there is no connection, a
// row's Save (or Save all) keeps the row in this browser's IndexedDB, under a UUID made here, and the queue
// (<section data-offline-queue>) says what waits to be sent. When the connection returns, each entry is sent
// through the API with the version the person saw; the server refuses a stale version (409), and then both
// versions are shown side by side for the person to choose: nothing is overwritten or lost. An entry the server
// refuses (422/403, say a period approved meanwhile) stays in the queue with the server's reason (each field by its
// label) and an Edit action that reopens it in its form. Before anything is kept, required fields and numbers are
// checked at the field; numbers are read the way the page's language writes them ("1.250,5"). A row kept offline
// says so at its Save button; "Submit for review" without a connection says at the button that it needs one (what
// was typed is kept as by Save all). Signing out deletes the database (site.js). Text comes from Django's
// JavaScript catalogue (gettext, /i18n/js/).
(function () {
  "use strict";
  var queueBox = document.querySelector("[data-offline-queue]");
  if (!queueBox || !window.indexedDB) {
    return;
  }
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (one, many, n) { return n === 1 ? one : many; };
  var interpolate = window.interpolate || function (text, args) { return text.replace("%s", args[0]); };
  var form = document.querySelector("form[data-offline]");
  var api = queueBox.getAttribute("data-api");
  var owner = document.body.getAttribute("data-owner");
  var FIELDS = ["value", "numerator", "denominator", "text", "score", "comment"];
  var NUMBERS = ["value", "numerator", "denominator", "score"];
  var sending = false;

  // --- the database: one store of entries, keyed by where the value goes ------------------------------------
  function db() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open("twinning", 1);
      request.onupgradeneeded = function () { request.result.createObjectStore("queue", { keyPath: "key" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  function store(mode, work) {
    return db().then(function (database) {
      return new Promise(function (resolve, reject) {
        var tx = database.transaction("queue", mode);
        var result = work(tx.objectStore("queue"));
        tx.oncomplete = function () { database.close(); resolve(result && result.result); };
        tx.onerror = function () { database.close(); reject(tx.error); };
      });
    });
  }
  function all() {
    return store("readonly", function (s) { return s.getAll(); }).then(function (items) {
      return (items || []).filter(function (item) { return item.owner === owner; });
    });
  }
  function put(item) { return store("readwrite", function (s) { s.put(item); }); }
  function remove(key) { return store("readwrite", function (s) { s.delete(key); }); }

  function uuid4() {
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // Numbers as the page's language writes them ("1 234,5", "1.234,5") to the API's machine form ("1234.5"): spaces
  // and the grouping sign go, the decimal sign becomes a dot. Where both a dot and a comma are typed, the last is
  // the decimal sign; a lone other sign followed by groups of three digits groups. Null when it is no number.
  var parts = {};
  new Intl.NumberFormat(document.documentElement.lang).formatToParts(12345.6).forEach(function (p) { parts[p.type] = p.value; });
  function machine(text) {
    var plain = text.replace(/[\s\u00a0\u202f']/g, "");
    var decimal = parts.decimal === "," ? "," : ".";
    var other = decimal === "," ? "." : ",";
    var last = Math.max(plain.lastIndexOf("."), plain.lastIndexOf(","));
    if (plain.indexOf(".") >= 0 && plain.indexOf(",") >= 0) {
      decimal = plain.charAt(last);
    } else if (plain.indexOf(other) >= 0 && !/^-?\d{1,3}([.,]\d{3})+$/.test(plain)) {
      decimal = other;
    }
    var grouping = decimal === "," ? "." : ",";
    plain = plain.split(grouping).join("").replace(decimal, ".");
    return /^-?\d+(\.\d+)?$|^-?\.\d+$/.test(plain) ? plain : null;
  }
  window.twinningOffline = { machine: machine };
  // Checks before anything is kept, so what the server would surely refuse (a required field left empty, a number
  // that is none) is said at the field now rather than hours later in the queue. True when all is well.
  function check(inputs) {
    var first = null;
    inputs.forEach(function (input) {
      var numeric = input.inputMode === "decimal" || input.inputMode === "numeric";
      input.setCustomValidity(numeric && input.value.trim() && machine(input.value.trim()) === null ? gettext("Enter a number.") : "");
      if (input.checkValidity()) {
        input.removeAttribute("aria-invalid");
      } else {
        input.setAttribute("aria-invalid", "true");
        first = first || input;
      }
    });
    if (first) { first.focus(); first.reportValidity(); }
    return !first;
  }
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (input.getAttribute && input.getAttribute("aria-invalid")) { input.setCustomValidity(""); input.removeAttribute("aria-invalid"); }
  });
  function shown(value) {
    if (value === null || value === undefined || value === "") { return ""; }
    var text = String(value);
    if (/^-?\d+\.\d+$/.test(text)) { text = text.replace(/\.?0+$/, ""); }
    return text.replace(".", parts.decimal || ".");
  }

  // --- rows of the page ----------------------------------------------------------------------------------
  function field(rowKey, name) { return form && form.elements.namedItem(rowKey + "-" + name); }
  function rowOf(element) { return element && element.closest ? element.closest("[data-row]") : null; }
  function placeKey(row) {
    return ["result", form.getAttribute("data-partnership"), form.getAttribute("data-period"),
      row.getAttribute("data-indicator"), row.getAttribute("data-option")].join("|");
  }
  function changed(row) {
    return FIELDS.some(function (name) {
      var input = field(row.getAttribute("data-row"), name);
      return input && input.value !== (input.tagName === "SELECT" ? selectedDefault(input) : input.defaultValue);
    });
  }
  function selectedDefault(select) {
    var chosen = select.querySelector("option[selected]");
    return chosen ? chosen.value : (select.options[0] ? select.options[0].value : "");
  }
  function settle(row) {
    // What is kept is no longer "unsaved": leaving the page must not warn about it.
    FIELDS.forEach(function (name) {
      var input = field(row.getAttribute("data-row"), name);
      if (!input) { return; }
      if (input.tagName === "SELECT") {
        Array.prototype.forEach.call(input.options, function (o) { o.defaultSelected = o.selected; });
      } else {
        input.defaultValue = input.value;
      }
    });
    row.removeAttribute("data-unsaved");
  }
  // What a row says beside its Save button (the queue may be off-screen on a phone): kept here, or sent.
  function note(row, text) {
    var place = row && row.querySelector(".save");
    if (!place) { return; }
    Array.prototype.forEach.call(place.querySelectorAll("[role=status]"), function (old) { old.remove(); });
    place.appendChild(el("span", text, { "class": "badge wrap", role: "status" }));
  }
  function kept(row) { note(row, gettext("Kept on this device: it will be sent when the connection returns.")); }
  // After a sync, what each row says beside its Save button follows its entry: a refused or conflicting entry no
  // longer says it will be sent (the queue says what to do), and the period's status badge (#report-status, "Not
  // started" until the first value reaches the server) is read again from the server.
  function told(item) {
    var row = item.kind !== "create" && item.page === location.pathname && document.getElementById("row-" + item.row);
    if (!row) { return; }
    if (item.state === "conflict") {
      note(row, gettext("Not sent: someone changed this value meanwhile. Choose the version to keep in the queue above."));
    } else if (item.state === "rejected") {
      note(row, gettext("Not sent: the server refused this value. The queue above says why."));
    }
  }
  function status() {
    var badge = document.getElementById("report-status");
    if (!badge || !badge.getAttribute("data-api")) { return Promise.resolve(); }
    return request("GET", badge.getAttribute("data-api")).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (report) {
      var label = report && badge.getAttribute("data-status-" + report.status);
      if (label) {
        badge.textContent = label;
        badge.className = "badge status-" + report.status;
      }
    }).catch(function () { return null; });
  }

  function keep(rows) {
    var inputs = [];
    rows.forEach(function (row) {
      FIELDS.forEach(function (name) { var input = field(row.getAttribute("data-row"), name); if (input) { inputs.push(input); } });
    });
    if (!check(inputs)) { return Promise.resolve(); }
    return all().then(function (items) {
      var known = {};
      items.forEach(function (item) { known[item.key] = item; });
      return Promise.all(rows.map(function (row) {
        var key = placeKey(row);
        var before = known[key];
        var rowKey = row.getAttribute("data-row");
        var version = field(rowKey, "version");
        var data = { partnership: form.getAttribute("data-partnership"), period: form.getAttribute("data-period"),
          indicator: row.getAttribute("data-indicator"), option: row.getAttribute("data-option") || null };
        var labels = {};
        FIELDS.forEach(function (name) {
          var input = field(rowKey, name);
          if (!input) { return; }
          var text = input.value.trim();
          data[name] = NUMBERS.indexOf(name) >= 0 ? (text ? machine(text) : null) : text;
          var label = form.querySelector("label[for='" + input.id + "']");
          labels[name] = label ? label.textContent : name;
        });
        settle(row);
        return put({
          key: key, owner: owner, kind: "result", api: api, page: location.pathname, row: rowKey, data: data, labels: labels,
          label: document.title.split(" · ").slice(0, 2).join(" · ") + " · " + row.getAttribute("data-label"),
          uuid: before ? before.uuid : uuid4(),
          version: before ? before.version : (version && version.value ? Number(version.value) : null),
          state: "waiting", reason: "", server: null
        }).then(function () { kept(row); });
      }));
    }).then(draw);
  }

  // --- sending ---------------------------------------------------------------------------------------------
  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }
  function request(method, url, body) {
    return fetch(url, { method: method, credentials: "same-origin", body: body && JSON.stringify(body),
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), Accept: "application/json" } });
  }
  function reason(body, item) {
    var lines = [body.detail || ""];
    Object.keys(body.errors || {}).forEach(function (name) {
      var text = body.errors[name].join(" ");
      if (name === "__all__" || text === body.detail) { return; }
      // Each field by the name people read on the form, in their language (the server's labels, else the page's).
      lines.push(((body.labels || {})[name] || (item.labels || {})[name] || name) + ": " + text);
    });
    return lines.join(" ");
  }
  // Any 4xx but signed out (401) and rate-limited (429) refuses this entry for good; the queue goes on.
  function refused(response) {
    return response.status >= 400 && response.status < 500 && response.status !== 401 && response.status !== 429;
  }
  function refuse(item, response) {
    var fallback = [403, 404, 410].indexOf(response.status) >= 0 ? gettext("You no longer have access to this partnership.")
      : response.status === 413 ? gettext("This entry is too large to send.") : gettext("The server refused this entry.");
    return response.json().catch(function () { return {}; }).then(function (body) {
      item.state = "rejected";
      item.reason = reason(body || {}, item).trim() || fallback;
      return put(item);
    });
  }
  function serverCopy(item) {
    var d = item.data;
    var url = item.api + "?partnership=" + d.partnership + "&period=" + d.period + "&indicator=" + encodeURIComponent(d.indicator);
    return request("GET", url).then(function (r) { return r.json(); }).then(function (page) {
      return (page.items || []).filter(function (found) { return found.option === d.option; })[0] || null;
    });
  }
  function sendCreate(item) {
    var body = { uuid: item.uuid };
    if (item.partnership) { body.partnership = item.partnership; } // else the API's address names it
    Object.keys(item.data).forEach(function (k) { body[k] = item.data[k]; });
    return request("POST", item.api, body).then(function (response) {
      if (response.status === 201 || response.status === 200) {
        return remove(item.key);
      }
      if (refused(response)) { return refuse(item, response); }
      throw new Error("later");
    });
  }
  function sendOne(item) {
    if (item.kind === "create") { return sendCreate(item); }
    var body = {};
    Object.keys(item.data).forEach(function (k) { body[k] = item.data[k]; });
    body.version = item.version;
    if (!item.version) { body.uuid = item.uuid; }
    return request("PATCH", item.api, body).then(function (response) {
      if (response.status === 200 || response.status === 204) {
        return (response.status === 200 ? response.json() : Promise.resolve(null)).then(function (saved) {
          var version = item.page === location.pathname && field(item.row, "version");
          if (version) { version.value = saved ? saved.version : ""; version.defaultValue = version.value; }
          if (item.page === location.pathname) { note(document.getElementById("row-" + item.row), gettext("Saved")); }
          return remove(item.key);
        });
      }
      if (response.status === 409) {
        return serverCopy(item).then(function (server) {
          item.state = "conflict";
          item.server = server || {};
          return put(item);
        });
      }
      if (refused(response)) { return refuse(item, response); }
      throw new Error("later"); // signed out, rate-limited or a server fault: the entry waits
    });
  }
  function sync() {
    if (sending || !navigator.onLine) { return Promise.resolve(); }
    sending = true;
    var tried = [];
    return all().then(function (items) {
      var waiting = items.filter(function (item) { return item.state === "waiting"; });
      return waiting.reduce(function (chain, item) {
        return chain.then(function () { tried.push(item); return sendOne(item); });
      }, Promise.resolve());
    }).catch(function () { return null; }).then(function () {
      sending = false;
      tried.forEach(told);
      return Promise.all([draw(), tried.length ? status() : null]);
    });
  }

  // --- the queue on the page -------------------------------------------------------------------------------
  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }
  function button(text, action) {
    var b = el("button", text, { type: "button" });
    b.addEventListener("click", action);
    return b;
  }
  function comparison(item) {
    // A work-list table: on a phone each field stacks ("Yours: 25", "On the server: 30") instead of widening the
    // page; each cell's label carries the page language's separator (data-colon), so the style sheet adds none.
    var table = el("table", "", { "class": "compare work-list" });
    var head = el("tr");
    var titles = [gettext("Field"), gettext("Yours"), gettext("On the server")];
    var colon = queueBox.getAttribute("data-colon") || ": ";
    titles.forEach(function (h) { head.appendChild(el("th", h, { scope: "col" })); });
    table.appendChild(el("thead")).appendChild(head);
    var rows = table.appendChild(el("tbody"));
    FIELDS.forEach(function (name) {
      if (!(name in item.labels)) { return; }
      var tr = el("tr");
      var mine = item.data[name];
      var theirs = item.server ? item.server[name] : null;
      tr.appendChild(el("th", item.labels[name], { scope: "row" }));
      tr.appendChild(el("td", shown(mine) || "—", { "data-label": titles[1] + colon }));
      tr.appendChild(el("td", shown(theirs === undefined ? null : theirs) || "—", { "data-label": titles[2] + colon }));
      rows.appendChild(tr);
    });
    return table;
  }
  function choose(item, mine) {
    if (mine) {
      item.version = item.server && item.server.version ? item.server.version : null;
      if (!item.version) { item.uuid = uuid4(); }
      item.state = "waiting";
      item.server = null;
      return put(item).then(sync);
    }
    return remove(item.key).then(function () {
      if (item.page === location.pathname && navigator.onLine) { location.reload(); }
      return draw();
    });
  }
  function draw() {
    return all().then(function (items) {
      try { localStorage.setItem("twinning-offline-waiting", String(items.length)); } catch (e) { /* private mode */ }
      queueBox.textContent = "";
      queueBox.hidden = items.length === 0;
      if (!items.length) { return; }
      queueBox.appendChild(el("h2", interpolate(ngettext("%s entry waits to be sent", "%s entries wait to be sent", items.length), [items.length])));
      var list = el("ul", "", { "class": "queue" });
      items.forEach(function (item) {
        var li = el("li", "", { "data-state": item.state, "data-key": item.key });
        li.appendChild(el("strong", item.label));
        if (item.state === "waiting") {
          li.appendChild(el("span", " " + gettext("Kept on this device until it is sent."), { "class": "muted small" }));
        } else if (item.state === "conflict") {
          li.appendChild(el("p", gettext("Someone changed this value while you were offline. Choose the version to keep."), { role: "alert" }));
          li.appendChild(comparison(item));
          li.appendChild(button(gettext("Keep mine"), function () { choose(item, true); }));
          li.appendChild(document.createTextNode(" "));
          li.appendChild(button(gettext("Keep the server's"), function () { choose(item, false); }));
        } else {
          li.appendChild(el("p", gettext("Refused by the server:") + " " + item.reason, { role: "alert", "class": "errorlist" }));
          li.appendChild(button(gettext("Edit"), function () { edit(item); }));
          li.appendChild(document.createTextNode(" "));
          li.appendChild(button(gettext("Try again"), function () { item.state = "waiting"; put(item).then(sync); }));
          li.appendChild(document.createTextNode(" "));
          li.appendChild(button(gettext("Remove from the queue"), function () { remove(item.key).then(draw); }));
        }
        list.appendChild(li);
      });
      queueBox.appendChild(list);
      if (items.some(function (item) { return item.state === "waiting"; })) {
        var send = button(navigator.onLine ? gettext("Send now") : gettext("Waiting for a connection"), sync);
        send.disabled = !navigator.onLine;
        send.id = "offline-send";
        queueBox.appendChild(send);
      }
    });
  }

  // A refused entry reopens in its form to be corrected: a create's form filled with what was typed (sent again,
  // it is a new entry with a new id, and the refused one leaves the queue), a result's row on its entry page.
  function edit(item) {
    location.href = item.page + (item.kind === "create" ? "#edit=" + encodeURIComponent(item.key) : "#row-" + item.row);
    if (item.page === location.pathname) { location.reload(); }
  }
  function reopen() {
    var wanted = /^#edit=(.+)$/.exec(location.hash);
    if (!wanted || !form) { return Promise.resolve(); }
    var key = decodeURIComponent(wanted[1]);
    return all().then(function (items) {
      var item = items.filter(function (found) { return found.key === key; })[0];
      if (!item) { return; }
      Object.keys(item.data).forEach(function (name) {
        var input = form.elements.namedItem(name);
        var value = item.data[name];
        if (!input) { return; }
        if (input.multiple) {
          Array.prototype.forEach.call(input.options, function (o) { o.selected = value.indexOf(o.value) >= 0; });
        } else if (input.type === "checkbox") {
          input.checked = true;
        } else {
          input.value = input.inputMode === "decimal" || input.inputMode === "numeric" ? shown(value) : value;
        }
      });
      form.setAttribute("data-editing", key);
    });
  }
  function editedAway() {
    var key = form.getAttribute("data-editing");
    form.removeAttribute("data-editing");
    return key ? remove(key) : Promise.resolve();
  }

  // --- wiring ----------------------------------------------------------------------------------------------
  function restore() {
    // A page opened (offline, from the worker's copy) shows what this device keeps for its rows.
    return all().then(function (items) {
      items.forEach(function (item) {
        if (item.kind === "create" || item.page !== location.pathname || !form) { return; }
        FIELDS.forEach(function (name) {
          var input = field(item.row, name);
          if (input && name in item.data) {
            input.value = NUMBERS.indexOf(name) >= 0 ? shown(item.data[name]) : item.data[name];
          }
        });
        var row = document.getElementById("row-" + item.row);
        if (row) { settle(row); if (item.state === "waiting") { kept(row); } }
      });
    });
  }

  // A form that creates a record (<form data-offline="create" data-api=... data-partnership=...>): offline, what
  // is typed is kept as one entry, sent as a create under its client UUID (the server writes it once however
  // often it is sent; data-partnership when the API's address does not name the partnership). Files cannot wait
  // offline and are left out.
  function keepCreate(event) {
    if (navigator.onLine) { editedAway(); return; }
    event.preventDefault();
    var inputs = Array.prototype.filter.call(form.elements, function (input) {
      return input.name && input.type !== "file" && input.type !== "hidden" && !input.disabled;
    });
    if (!check(inputs)) { return; }
    var data = {};
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name || input.type === "file" || input.name === "csrfmiddlewaretoken" || input.disabled) { return; }
      if (input.multiple) {
        data[input.name] = Array.prototype.filter.call(input.options, function (o) { return o.selected; }).map(function (o) { return o.value; });
      } else if (input.value !== "" && ((input.type !== "checkbox" && input.type !== "radio") || input.checked)) {
        // A blank is left out (the API's default); a number typed the page's way goes in machine form.
        data[input.name] = input.inputMode === "decimal" || input.inputMode === "numeric" ? machine(input.value.trim()) : input.value;
      }
    });
    var id = uuid4();
    var title = form.elements.namedItem(form.getAttribute("data-label-field") || "title");
    put({ key: "create|" + id, owner: owner, kind: "create", api: form.getAttribute("data-api"), uuid: id,
      partnership: form.getAttribute("data-partnership"), data: data, page: location.pathname,
      label: document.title.split(" · ")[0] + (title && title.value ? " · " + title.value : ""),
      state: "waiting", reason: "" }).then(editedAway).then(function () {
      form.reset();
      form.removeAttribute("data-dirty");
      return draw();
    });
  }

  if (form && form.getAttribute("data-offline") === "create") {
    form.addEventListener("submit", keepCreate);
  } else if (form) {
    form.addEventListener("htmx:beforeRequest", function (event) {
      var row = rowOf(event.target);
      if (!navigator.onLine && row) {
        event.preventDefault();
        keep([row]);
      }
    });
    form.addEventListener("htmx:afterRequest", function (event) {
      var row = rowOf(event.target);
      if (row && event.detail.successful) { remove(placeKey(row)).then(draw); } // saved online: nothing waits for it
    });
    form.addEventListener("htmx:sendError", function (event) {
      var row = rowOf(event.target);
      if (row) { keep([row]); }
    });
    form.addEventListener("submit", function (event) {
      var button = event.submitter, needs = document.getElementById("needs-connection");
      if (navigator.onLine) { // sent now: a note from an earlier try offline no longer holds
        if (needs) { needs.hidden = true; }
        return;
      }
      event.preventDefault();
      if (button && button.hasAttribute("data-needs-connection")) {
        needs = needs || button.parentNode.appendChild(el("p", gettext("Submitting for review needs a connection: the period was not submitted. The values you typed are kept on this device and sent when the connection returns; then submit again."),
          { id: "needs-connection", "class": "offline-note", role: "alert" }));
        needs.hidden = false;
      }
      var rows = Array.prototype.filter.call(form.querySelectorAll("[data-row]"), changed);
      if (rows.length) { keep(rows); }
    });
  }
  window.addEventListener("online", sync);
  window.addEventListener("offline", draw);
  restore().then(reopen).then(draw).then(sync);
})();
