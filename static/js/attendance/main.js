/* Kvarter tablet attendance: count, check in and take notes on a tablet with bad wifi.
 *
 * Every action becomes an event that is written to IndexedDB (store.js)
 * before the screen changes (render.js), so nothing is lost when the page
 * closes or the wifi drops. A sync loop (sync.js) sends the queue to
 * /api/attendance/sync and keeps the server's answer per session.
 *
 * Native modules, no build step. They import each other in one direction
 * only (page ← store ← sync ← render ← controls ← main): collectstatic gives
 * each a hashed name and rewrites the imports to it, which a cycle would
 * prevent. The service worker precaches every one of them
 * (activities.views.PRECACHED_STATIC; tests/activities/test_static.py checks it).
 */

import { config, embeddedState, root, SESSION } from "./page.js";
import { setUpAside, setUpSessionPage } from "./controls.js";
import { render, renderAside, renderStatus } from "./render.js";
import { store } from "./store.js";
import { connectScreen, net, scheduleSync, setOffline, sync } from "./sync.js";

const POLL_MS = 15000;

function setUpServiceWorker(firstSync) {
  if (!("serviceWorker" in navigator)) return;
  // Precache once the queue has had its turn (or after a few seconds on a
  // bad link): the leader's numbers matter more than the copies.
  const settled = Promise.race([firstSync, new Promise((resolve) => window.setTimeout(resolve, 5000))]);
  navigator.serviceWorker
    .register(config.service_worker, { scope: config.scope })
    .then(() => navigator.serviceWorker.ready)
    .then((registration) => settled.then(() => registration))
    .then((registration) => {
      // Today's session pages (and this page) are fetched into the cache now,
      // so they open with the network off later.
      const urls = [...new Set((config.precache || []).concat([location.pathname]))];
      if (registration.active) registration.active.postMessage({ type: "precache", urls: urls });
    })
    .catch((error) => console.warn("Attendance: no service worker, the page will not open offline", error));
}

async function start() {
  await store.open();
  setUpAside();
  if (SESSION) {
    // The page itself may carry a newer state than the one stored (another tablet counted meanwhile).
    await store.settle([], [embeddedState]);
    setUpSessionPage();
  }
  render();
  window.addEventListener("online", () => {
    net.failures = 0;
    scheduleSync(0);
  });
  window.addEventListener("offline", () => setOffline(true));
  window.setInterval(sync, POLL_MS);
  if (navigator.onLine === false) setOffline(true);
  setUpServiceWorker(sync());
}

if (root && config) {
  connectScreen({ render, renderStatus, renderAside });
  start();
}
