// The service worker (served at /sw.js by twinning.views.service_worker, which puts SHELL, OFFLINE and VERSION
// above this text). It keeps the app shell (the static files every page needs) and the pages that say they
// work offline (the header Twinning-Offline: keep), so data entry pages open without a connection. Pages are
// fetched from the network first and the kept copy is used only when the network fails; what the user types
// offline is kept by offline.js in IndexedDB, never here. Signing out deletes every cache (site.js); each
// signed-in page then asks for the shell back ({shell: language}), and for the "No connection" page again when the
// kept one speaks another language than the page (Django's Content-Language header says which).
/* global SHELL, OFFLINE, VERSION */
"use strict";
var SHELL_CACHE = "twinning-shell-" + VERSION;
var PAGES = "twinning-pages";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL_CACHE).then(function (cache) {
    return cache.addAll(SHELL.concat([OFFLINE]));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) {
      return key.indexOf("twinning-shell-") === 0 && key !== SHELL_CACHE;
    }).map(function (key) { return caches.delete(key); }));
  }).then(function () { return self.clients.claim(); }));
});

// Keeps a copy of a page that says it works offline (or of the JavaScript catalogue, so the kept pages' scripts
// speak the user's language offline); resolves to whether it did.
function store(request, response) {
  var catalogue = new URL(request.url).pathname.indexOf("/i18n/js/") === 0;
  if (!response.ok || !(catalogue || response.headers.get("Twinning-Offline") === "keep")) {
    return Promise.resolve(false);
  }
  var copy = response.clone();
  return caches.open(PAGES).then(function (cache) { return cache.put(request, copy); }).then(function () {
    return true;
  });
}

function keep(request, response) {
  store(request, response).catch(function () { return false; });
  return response;
}

function fromNetwork(request) {
  return fetch(request).then(function (response) { return keep(request, response); }).catch(function () {
    return caches.match(request, { cacheName: PAGES, ignoreVary: true }).then(function (kept) {
      if (kept) { return kept; }
      return request.mode === "navigate" ? caches.match(OFFLINE) : Response.error();
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || url.pathname.indexOf("/api/") === 0) {
    return;
  }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (response.ok) {
          var copy = response.clone();
          caches.open(SHELL_CACHE).then(function (cache) { cache.put(request, copy); });
        }
        return response;
      });
    }));
  } else if (request.mode === "navigate" || url.pathname.indexOf("/i18n/js/") === 0) {
    event.respondWith(fromNetwork(request));
  }
});

// The shell and the "No connection" page in `language`, fetched again only where missing or in another language.
function restoreShell(language) {
  return caches.open(SHELL_CACHE).then(function (cache) {
    return Promise.all(SHELL.map(function (url) {
      return cache.match(url).then(function (hit) { return hit || cache.add(url); });
    }).concat(cache.match(OFFLINE).then(function (hit) {
      return hit && hit.headers.get("Content-Language") === language ? hit : cache.add(OFFLINE);
    })));
  }).catch(function () { return null; }); // offline now: the next page load tries again
}

// On the person's request (My work's "Keep these forms for offline use"), or for a data entry page that was loaded
// before this worker was in control (site.js), a page asks for forms to be kept: {keep: [url, ...], also: [url, ...]},
// at most 30 forms. They are fetched one after another, so a slow link is not flooded, after the `also` pages (the
// JavaScript catalogue), and after each form the page hears {done, kept, total} through the message's port.
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.shell) {
    event.waitUntil(restoreShell(String(data.shell)));
    return;
  }
  function ours(url) { return new URL(url, self.location.href).origin === self.location.origin; }
  var urls = (data.keep || []).slice(0, 30).filter(ours); // this site's pages only
  var port = event.ports && event.ports[0];
  var kept = 0;
  function fetchKeep(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      return store(new Request(url), response);
    }).catch(function () { return false; });
  }
  // {assets: [url, ...]}: the scripts and styles of a page kept after the fact (a page loaded before this worker
  // was in control): static files join the shell's cache where missing, the JavaScript catalogue is kept as a page.
  var assets = (data.assets || []).slice(0, 20).filter(ours).map(function (url) {
    if (new URL(url, self.location.href).pathname.indexOf("/static/") !== 0) { return fetchKeep(url); }
    return caches.open(SHELL_CACHE).then(function (cache) {
      return cache.match(url).then(function (hit) { return hit || cache.add(url); });
    }).catch(function () { return null; });
  });
  var chain = Promise.all((data.also || []).slice(0, 2).filter(ours).map(fetchKeep).concat(assets));
  event.waitUntil(urls.reduce(function (before, url, index) {
    return before.then(function () { return fetchKeep(url); }).then(function (ok) {
      kept += ok ? 1 : 0;
      if (port) { port.postMessage({ done: index + 1, kept: kept, total: urls.length }); }
    });
  }, chain));
});
