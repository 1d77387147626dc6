// Small behaviours, kept out of the pages so the Content-Security-Policy can forbid inline scripts:
// <select data-autosubmit> submits its form on change; <form data-confirm="Question?"> asks before submitting.
document.addEventListener("change", function (event) {
  if (event.target.matches("select[data-autosubmit]") && event.target.form) {
    event.target.form.submit();
  }
});
document.addEventListener("submit", function (event) {
  var question = event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
// After htmx swaps part of a page in place, a confirmation it carries (<p class="confirm" role="status">, say
// "Decision recorded" on a round's pair) is scrolled into view if it ended up above or below the screen.
document.addEventListener("htmx:afterSettle", function (event) {
  var root = event.target && event.target.querySelector ? event.target : document;
  var status = root.querySelector(".confirm[role=status]") || document.querySelector(".confirm[role=status]");
  if (status) {
    status.scrollIntoView({ block: "nearest" });
  }
});
// A "needs a connection" note (class offline-note) goes when the connection returns.
window.addEventListener("online", function () {
  Array.prototype.forEach.call(document.querySelectorAll(".offline-note"), function (note) { note.hidden = true; });
});
// "No connection" stands in at the asked page's address: reload it on "Try again", or once a HEAD gets through
// after `online` (the browser says online before requests pass).
(function () {
  if (!document.querySelector("[data-offline-retry]")) {
    return;
  }
  function retry() { window.location.reload(); }
  var tries = 0;
  function whenReachable() {
    fetch(window.location.href, { method: "HEAD", credentials: "same-origin", cache: "no-store" }).then(retry, function () {
      tries += 1;
      if (tries < 30 && navigator.onLine) { window.setTimeout(whenReachable, 2000); }
    });
  }
  window.addEventListener("online", function () { tries = 0; whenReachable(); });
  var button = document.getElementById("offline-retry");
  if (button) { button.addEventListener("click", retry); }
})();
// Offline data entry (offline.js keeps what is typed without a connection in this browser): signed-in pages
// register the service worker that keeps the app shell and the entry pages, and ask it for the shell and the
// "No connection" page in this page's language (after a sign-out, or when the language changed). Signing out
// deletes everything kept on this device (asking first while entries wait to be sent), and so does another person
// signing in here. Without a connection signing out does not start: nothing is deleted, and the page says why.
(function () {
  "use strict";
  var OWNER = "twinning-offline-owner";
  var WAITING = "twinning-offline-waiting";

  function stored(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }

  function forget() {
    try { window.localStorage.removeItem(WAITING); window.localStorage.removeItem(OWNER); } catch (e) { /* private mode */ }
    var jobs = [];
    if (window.caches) {
      jobs.push(caches.keys().then(function (keys) {
        return Promise.all(keys.map(function (key) { return caches.delete(key); }));
      }));
    }
    if (window.indexedDB) {
      jobs.push(new Promise(function (done) {
        var request = indexedDB.deleteDatabase("twinning");
        request.onsuccess = request.onerror = request.onblocked = done;
      }));
    }
    return Promise.all(jobs).catch(function () { return null; });
  }
  window.twinningForgetOffline = forget;

  var body = document.body;
  var owner = body && body.getAttribute("data-owner");
  if (owner) {
    var ready = stored(OWNER) && stored(OWNER) !== owner ? forget() : Promise.resolve();
    ready.then(function () {
      try { window.localStorage.setItem(OWNER, owner); } catch (e) { /* private mode */ }
      if ("serviceWorker" in navigator) {
        var controlled = !!navigator.serviceWorker.controller;
        navigator.serviceWorker.register(body.getAttribute("data-service-worker")).then(function () {
          return navigator.serviceWorker.ready;
        }).then(function (registration) {
          registration.active.postMessage({ shell: document.documentElement.lang });
          // An entry page loaded before the worker was in control went past it: have the worker keep it now.
          if (!controlled && document.querySelector("[data-offline-queue]")) {
            var assets = Array.prototype.map.call(document.querySelectorAll("script[src], link[rel=stylesheet][href]"), function (node) {
              return node.src || node.href;
            });
            registration.active.postMessage({ keep: [window.location.href.split("#")[0]], assets: assets });
          }
        }).catch(function () { return null; });
        Array.prototype.forEach.call(document.querySelectorAll("#offline-keep"), function (box) { box.hidden = false; });
      }
    });
  }

  // <button data-offline-keep="URL URL..."> (My work): only when pressed, the worker fetches and keeps those forms
  // one after another, and the status it controls says how far it got (data-progress, then data-done).
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-offline-keep]") : null;
    if (!button || !("serviceWorker" in navigator)) {
      return;
    }
    var status = document.getElementById(button.getAttribute("aria-controls"));
    var urls = button.getAttribute("data-offline-keep").split(" ");
    function say(name, n) {
      status.textContent = button.getAttribute(name).replace("%(done)s", n.done).replace("%(kept)s", n.kept)
        .replace("%(total)s", n.total);
    }
    button.disabled = true;
    status.removeAttribute("data-finished");
    say("data-progress", { done: 0, total: urls.length });
    navigator.serviceWorker.ready.then(function (registration) {
      var channel = new MessageChannel();
      channel.port1.onmessage = function (message) {
        var n = message.data;
        say(n.done < n.total ? "data-progress" : "data-done", n);
        if (n.done >= n.total) {
          button.disabled = false;
          status.setAttribute("data-finished", "");
        }
      };
      registration.active.postMessage({ keep: urls, also: [button.getAttribute("data-also")] }, [channel.port2]);
    });
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.hasAttribute("data-sign-out")) {
      return;
    }
    event.preventDefault();
    var note = document.getElementById("sign-out-offline");
    function offline() { note.hidden = false; }
    if (!navigator.onLine) {
      offline();
      return;
    }
    if (Number(stored(WAITING)) > 0 && !window.confirm(form.getAttribute("data-unsent"))) {
      return;
    }
    // The server signs out first; only then is this device cleared. No answer (no connection after all): nothing
    // is deleted. An answer other than the way to the sign-in page: the form goes the ordinary way, and says why.
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" }).then(function (response) {
      if (!response.ok || !response.redirected) {
        form.submit();
        return null;
      }
      note.hidden = true;
      return forget().then(function () { window.location.assign(response.url); });
    }, offline);
  });
})();
