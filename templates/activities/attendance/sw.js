{% autoescape off %}/* Kvarter attendance service worker: the tablet pages keep working with the network off.
 *
 * Network first, cache as fallback, for page navigations and GETs under the
 * attendance pages and /static/: online the leader always sees the server's
 * page; offline, the last copy. POSTs and the API are never cached: queued
 * events live in IndexedDB (static/js/attendance/store.js), not here.
 */
"use strict";

const SETTINGS = {{ settings_json }};

self.addEventListener("install", (event) => {
  event.waitUntil(storeAll(SETTINGS.precache.concat([SETTINGS.scope])).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith(SETTINGS.prefix) && name !== SETTINGS.cache)
            .map((name) => caches.delete(name)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

// The today page sends the URLs of today's sessions, so that one opened later
// (or never opened online) can still be loaded offline.
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "precache" && Array.isArray(data.urls)) event.waitUntil(storeAll(data.urls));
});

function cacheable(request) {
  if (request.method !== "GET") return false;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return false;
  if (SETTINGS.never.some((prefix) => url.pathname.startsWith(prefix))) return false;
  return url.pathname.startsWith(SETTINGS.scope) || url.pathname.startsWith(SETTINGS.static);
}

function worthKeeping(response) {
  // Not a redirect (to the sign-in page) and not an error page.
  return response && response.ok && response.type === "basic" && !response.redirected;
}

// One after the other: gentle on a weak link and on the server, and one
// missing page does not stop the others being cached.
async function storeAll(urls) {
  const cache = await caches.open(SETTINGS.cache);
  for (const url of urls) await store(cache, url);
}

async function store(cache, url) {
  try {
    const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
    if (worthKeeping(response)) await cache.put(url, response);
  } catch (error) {
    // Offline while precaching: the page is cached on its next online visit.
  }
}

async function networkFirst(request) {
  const cache = await caches.open(SETTINGS.cache);
  try {
    const response = await fetch(request);
    if (worthKeeping(response)) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(request, { ignoreVary: true, ignoreSearch: request.mode === "navigate" });
    if (cached) return cached;
    if (request.mode === "navigate") {
      const today = await cache.match(SETTINGS.scope, { ignoreVary: true });
      if (today) return today;
    }
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  if (cacheable(event.request)) event.respondWith(networkFirst(event.request));
});
{% endautoescape %}
