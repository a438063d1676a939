/* Talking to /api/attendance/sync: the queue goes in batches under the
 * server's limits, with retries, and the server's answer per session is kept.
 *
 * The server treats events idempotently (by their id), so sending one twice
 * is harmless; losing one is not. One bad event never stops the others: an
 * event the server refuses, names as malformed, or keeps failing on is set
 * aside (kept in IndexedDB, listed with the reason, not counted on the
 * screen) and the rest are sent. A refusal that names no event (too large, a
 * server error on a batch) is narrowed down by sending half the batch, then
 * half again.
 */

import { config, MAX_BYTES, MAX_EVENTS, SESSION, uuid4 } from "./page.js";
import { deviceLabel, readOfflineSince, store, writeOfflineSince } from "./store.js";

const DEBOUNCE_MS = 300;
// Narrowing down a failing batch: the server answers, so no need to back off.
const PROBE_DELAY_MS = 500;
// A lone event the server failed on this often, while other batches went through, is set aside.
const SERVER_FAILURES_TO_SET_ASIDE = 2;
const REQUEST_TIMEOUT_MS = 20000;

// What the screen does when the queue or the connection changes: render.js,
// handed over by main.js. (The modules import each other in one direction
// only, as collectstatic needs to give each its hashed name.)
let screen = { render() {}, renderStatus() {}, renderAside() {} };

export function connectScreen(functions) {
  screen = functions;
}

// Events queued under another sign-in are not sent with this user's session
// (a shared tablet): they wait until that person signs in again.
export function ownQueue() {
  return store.queue.filter((record) => record.user === config.user);
}

// What goes to the server: this user's events, less those set aside; a
// suspect (failed alone, the server's health unknown) after the others.
export function sendable() {
  const queue = ownQueue().filter((record) => !record.aside);
  if (!net.suspects.size) return queue;
  return queue
    .filter((record) => !net.suspects.has(record.id))
    .concat(queue.filter((record) => net.suspects.has(record.id)));
}

export function setAside() {
  return ownQueue().filter((record) => record.aside);
}

let sequence = 0;

export async function record(kind, payload) {
  const event = { id: uuid4(), session: SESSION, kind: kind, at: new Date().toISOString(), payload: payload };
  await store.add({ id: event.id, seq: Date.now() * 1000 + (sequence++ % 1000), user: config.user, event: event });
  screen.render();
  scheduleSync(DEBOUNCE_MS);
  return event;
}

export const net = {
  signedOut: false,
  serverTrouble: false,
  failures: 0,
  running: null,
  again: false,
  // Events a batch may hold now: halved while a failing batch is narrowed down.
  limit: MAX_EVENTS,
  narrowing: false,
  successes: 0, // batches that went through, ever: proof the server works between two failures
  loneFailures: 0, // events that failed alone since the last batch went through
  suspects: new Set(), // events that failed alone: sent after the others until they go through
  serverFailures: new Map(), // event id -> {count, seen: successes at its last failure}
};
let syncTimer = null;
// When the connection was lost (kept over reloads), or null while online.
export let offlineSince = readOfflineSince();

export function setOffline(offline) {
  if (offline && !offlineSince) offlineSince = new Date().toISOString();
  if (!offline) offlineSince = null;
  writeOfflineSince(offlineSince);
  screen.renderStatus();
}

export function scheduleSync(delay) {
  clearTimeout(syncTimer);
  syncTimer = setTimeout(sync, delay);
}

export function sync() {
  if (net.running) {
    net.again = true;
    return net.running;
  }
  net.running = (async () => {
    try {
      do {
        net.again = false;
        await syncOnce();
      } while (net.again);
    } catch (error) {
      console.error("Attendance: sync failed", error);
    } finally {
      net.running = null;
      screen.renderStatus();
    }
  })();
  return net.running;
}

function retryLater() {
  net.failures += 1;
  // 2 s, 4 s, 8 s … up to a minute, with jitter so tablets do not retry in step.
  const delay = Math.min(60000, 2000 * 2 ** (net.failures - 1)) * (0.75 + Math.random() * 0.5);
  scheduleSync(delay);
}

function csrfToken() {
  const prefix = config.csrf_cookie + "=";
  const cookie = document.cookie.split("; ").find((part) => part.startsWith(prefix));
  if (cookie) return decodeURIComponent(cookie.slice(prefix.length));
  const input = document.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

// A request on a weak link can hang for minutes; give up and retry instead
// of holding up the queue. A POST that timed out may still have been applied:
// resending it is harmless (the server knows its event ids).
export function fetchWithTimeout(url, options) {
  const controller = new AbortController();
  const timer = window.setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
  return fetch(url, { ...options, signal: controller.signal }).finally(() => window.clearTimeout(timer));
}

export async function readBody(response) {
  try {
    return await response.json();
  } catch (error) {
    return {};
  }
}

function utf8Length(text) {
  return new TextEncoder().encode(text).length;
}

// The next batch: the oldest events, as many as the limit and the body size allow (at least one).
function takeBatch(queue) {
  const batch = [];
  let bytes = 0;
  for (const record of queue) {
    if (batch.length >= net.limit) break;
    const size = utf8Length(JSON.stringify(record.event)) + 1;
    if (batch.length && bytes + size > MAX_BYTES) break;
    batch.push(record);
    bytes += size;
  }
  return batch;
}

async function putAside(records, reasonFor) {
  if (!records.length) return;
  await store.setAside(
    records.map((record) => record.id),
    reasonFor,
  );
  records.forEach((record) => net.serverFailures.delete(record.id));
  screen.renderAside();
}

// A batch failed without saying which event: send its first half next.
function narrowDown(batch) {
  net.narrowing = true;
  net.limit = Math.max(1, Math.ceil(batch.length / 2));
}

export function doneNarrowing() {
  net.narrowing = false;
  net.limit = MAX_EVENTS;
  net.suspects.clear();
}

async function syncOnce() {
  if (navigator.onLine === false) {
    setOffline(true);
    return;
  }
  const queue = sendable();
  if (!queue.length) {
    doneNarrowing();
    // Nothing to send: on a session page the state is fetched instead (other
    // tablets may have counted); elsewhere the browser's word has to do.
    if (SESSION) await refreshState();
    else setOffline(false);
    return;
  }
  const batch = takeBatch(queue);
  screen.renderStatus(true);
  let response;
  try {
    response = await fetchWithTimeout(config.sync_url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({
        device: deviceLabel(),
        sent_at: new Date().toISOString(),
        events: batch.map((item) => item.event),
      }),
    });
  } catch (error) {
    setOffline(true);
    retryLater();
    return;
  }
  if (response.status === 401 || response.status === 403) {
    // Keep the queue: it goes as soon as the leader has signed in again.
    net.signedOut = true;
    setOffline(false);
    return;
  }
  net.signedOut = false;
  setOffline(false);
  if (response.status === 429) {
    // Too many requests: wait as long as the server asks.
    const seconds = Number(response.headers.get("Retry-After"));
    net.serverTrouble = true;
    scheduleSync(Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 5000);
    return;
  }
  if (response.status === 400 || response.status === 413 || response.status === 422) {
    // Refused as it is: nothing of the batch was applied.
    const body = await readBody(response);
    const refused = Array.isArray(body.refused) ? body.refused : [];
    const conflicts = response.status === 422 && Array.isArray(body.conflicts) ? new Set(body.conflicts) : null;
    if (refused.length) {
      const reasons = new Map(refused.map((item) => [item.index, item.reason]));
      await putAside(
        batch.filter((record, index) => reasons.has(index)),
        (record) => ({ kind: "malformed", detail: reasons.get(batch.indexOf(record)) || "" }),
      );
    } else if (conflicts && conflicts.size) {
      // These ids exist on the server with other content.
      await putAside(
        batch.filter((record) => conflicts.has(record.id)),
        () => ({ kind: "conflict", detail: String(body.detail || "") }),
      );
    } else if (batch.length > 1) {
      narrowDown(batch);
    } else {
      await putAside(batch, () => ({
        kind: response.status === 413 ? "too_large" : "malformed",
        detail: String(body.detail || ""),
      }));
      doneNarrowing();
    }
    screen.render();
    net.again = true;
    return;
  }
  if (!response.ok) {
    // A server error: the server is down, or something in this batch breaks it.
    net.serverTrouble = true;
    if (batch.length > 1) {
      narrowDown(batch);
      scheduleSync(PROBE_DELAY_MS);
      return;
    }
    // It failed alone. Set aside only an event that failed alone twice with other
    // batches going through in between: then it is the event, not the server.
    const id = batch[0].id;
    const earlier = net.serverFailures.get(id);
    const serverWorked = Boolean(earlier) && net.successes > earlier.seen;
    const failures = earlier ? earlier.count + (serverWorked ? 1 : 0) : 1;
    net.serverFailures.set(id, { count: failures, seen: net.successes });
    net.loneFailures += 1;
    if (serverWorked && failures >= SERVER_FAILURES_TO_SET_ASIDE) {
      await putAside(batch, () => ({ kind: "server_error", detail: String(response.status) }));
      doneNarrowing();
      screen.render();
      net.again = true;
    } else if (net.loneFailures >= 2 && !serverWorked) {
      // A second failure alone and nothing went through: the server is in trouble.
      // Wait; the suspects stay last, so they cannot hold up the others afterwards.
      retryLater();
    } else {
      // Send the others first, then this one again.
      net.suspects.add(id);
      narrowDown(batch);
      scheduleSync(PROBE_DELAY_MS);
    }
    return;
  }
  const body = await response.json();
  net.failures = 0;
  net.serverTrouble = false;
  net.successes += 1;
  net.loneFailures = 0;
  // Narrowing down goes on (a smaller batch went through), growing again as batches pass.
  if (net.narrowing) net.limit = Math.min(MAX_EVENTS, net.limit * 2);
  const results = Array.isArray(body.results) ? body.results : [];
  const rejected = new Map(
    results.filter((result) => result.status === "rejected").map((result) => [result.id, result.reason]),
  );
  // Rejected events stay on the tablet, set aside with the server's reason.
  await putAside(
    batch.filter((record) => rejected.has(record.id)),
    (record) => ({ kind: "rejected", detail: rejected.get(record.id) || "" }),
  );
  const saved = results.filter((result) => !rejected.has(result.id)).map((result) => result.id);
  saved.forEach((id) => {
    net.suspects.delete(id);
    net.serverFailures.delete(id);
  });
  await store.settle(saved, Object.values(body.sessions || {}));
  screen.render();
  if (queue.length > batch.length) net.again = true;
}

async function refreshState() {
  let response;
  try {
    response = await fetchWithTimeout(config.state_url + SESSION, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
  } catch (error) {
    setOffline(true);
    return;
  }
  if (response.status === 401 || response.status === 403) {
    net.signedOut = true;
    return;
  }
  if (!response.ok) return;
  net.signedOut = false;
  net.failures = 0;
  setOffline(false);
  if (await store.settle([], [await response.json()])) screen.render();
}

