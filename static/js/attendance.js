/* Kvarter tablet attendance: count, check in and take notes on a tablet with bad wifi.
 *
 * Every action becomes an event that is written to IndexedDB ("queue") before
 * the screen changes, so nothing is lost when the page closes or the wifi
 * drops. A sync loop sends the whole queue to /api/attendance/sync and keeps
 * the server's answer per session in IndexedDB ("state"). What the screen
 * shows is always: the newest known server state + the events still queued.
 * The server treats events idempotently (by their id), so sending one twice
 * is harmless; losing one is not.
 *
 * One bad event never stops the others: an event the server refuses, names
 * as malformed, or keeps failing on is set aside (kept in IndexedDB, listed
 * with the reason, not counted on the screen) and the rest are sent. A
 * refusal that names no event (too large, a server error on a batch) is
 * narrowed down by sending half the batch, then half again.
 */
(function () {
  "use strict";

  const root = document.getElementById("attendance");
  const config = readJSON("attendance-config");
  if (!root || !config) return;
  const L = config.labels;
  const SESSION = config.page === "session" ? config.session : null;
  // The server's limits (activities.services, published in /api/openapi.json):
  // a batch stays under both, with room for the envelope around the events.
  const MAX_EVENTS = config.limits ? config.limits.events : 1000;
  const MAX_BYTES = (config.limits ? config.limits.bytes : 2621440) - 1024;
  const MAX_NOTE = config.limits ? config.limits.note : 2000;
  const MAX_REASON = config.limits ? config.limits.reason : 200;
  const MAX_ALIAS = config.limits ? config.limits.alias : 60;
  const DEBOUNCE_MS = 300;
  // Narrowing down a failing batch: the server answers, so no need to back off.
  const PROBE_DELAY_MS = 500;
  // A lone event the server failed on this often, while other batches went through, is set aside.
  const SERVER_FAILURES_TO_SET_ASIDE = 2;
  const POLL_MS = 15000;
  const REQUEST_TIMEOUT_MS = 20000;
  const OFFLINE_KEY = "kvarter-attendance-offline-since";

  function readJSON(id) {
    const element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, (match, key) => (key in values ? String(values[key]) : match));
  }

  // Python writes microseconds; not every browser parses more than milliseconds.
  function parseTime(iso) {
    return Date.parse(String(iso).replace(/(\.\d{3})\d+/, "$1"));
  }

  function clockTime(iso) {
    // 24-hour clock in every language, as the server writes session times.
    const options = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
    return new Date(parseTime(iso)).toLocaleTimeString(config.language, options);
  }

  function uuid4() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    const bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function deviceLabel() {
    // A stable name per tablet, so coordinators can tell devices apart in the ledger.
    let label;
    try {
      label = localStorage.getItem("kvarter-device");
      if (!label) {
        label = "tablet-" + uuid4().slice(0, 8);
        localStorage.setItem("kvarter-device", label);
      }
    } catch (error) {
      label = "tablet";
    }
    return plainText(config.device_venue ? config.device_venue + " · " + label : label, false, 100);
  }

  // Text as the server takes it: well-formed Unicode, no control characters
  // (a line break only where `lines`), at most `max` characters (not UTF-16 units).
  function plainText(text, lines, max) {
    let value = String(text);
    if (typeof value.toWellFormed === "function") value = value.toWellFormed();
    value = lines
      ? value.replace(/[\u000b\u000c]/g, "\n").replace(/[\u0000-\u0008\u000e-\u001f\u007f]/g, "")
      : value.replace(/[\u0000-\u001f\u007f]+/g, " ");
    const characters = Array.from(value);
    return characters.length > max ? characters.slice(0, max).join("") : value;
  }

  // --- Storage: IndexedDB, with memory as the fallback where it is unavailable ---

  const store = {
    db: null,
    queue: [], // {id, seq, user, event}, in the order the taps happened
    states: new Map(), // session id -> server state

    async open() {
      try {
        this.db = await new Promise((resolve, reject) => {
          const request = indexedDB.open("kvarter-attendance", 1);
          request.onupgradeneeded = () => {
            const db = request.result;
            if (!db.objectStoreNames.contains("queue")) db.createObjectStore("queue", { keyPath: "id" });
            if (!db.objectStoreNames.contains("state")) db.createObjectStore("state", { keyPath: "session" });
          };
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
          request.onblocked = () => reject(new Error("IndexedDB blocked"));
        });
        const tx = this.db.transaction(["queue", "state"], "readonly");
        const [queue, states] = await Promise.all([
          asPromise(tx.objectStore("queue").getAll()),
          asPromise(tx.objectStore("state").getAll()),
        ]);
        this.queue = queue.sort((a, b) => a.seq - b.seq);
        states.forEach((state) => this.states.set(state.session, state));
      } catch (error) {
        console.warn("Attendance: IndexedDB unavailable, keeping the queue in memory only", error);
        this.db = null;
      }
    },

    async add(record) {
      if (this.db) {
        const tx = this.db.transaction("queue", "readwrite");
        tx.objectStore("queue").put(record);
        await completion(tx);
      }
      this.queue.push(record);
    },

    // Keep events out of the sync, with the reason (or take them back in: reason null).
    async setAside(ids, reasonFor) {
      const chosen = new Set(ids);
      const changed = this.queue.filter((record) => chosen.has(record.id));
      changed.forEach((record) => {
        const reason = reasonFor(record);
        if (reason) record.aside = { ...reason, at: new Date().toISOString() };
        else delete record.aside;
      });
      await this.write(changed, []);
    },

    async discard(ids) {
      await this.write([], ids);
      const gone = new Set(ids);
      this.queue = this.queue.filter((record) => !gone.has(record.id));
    },

    async write(records, deletions) {
      if (!this.db || !(records.length || deletions.length)) return;
      const tx = this.db.transaction("queue", "readwrite");
      records.forEach((record) => tx.objectStore("queue").put(record));
      deletions.forEach((id) => tx.objectStore("queue").delete(id));
      await completion(tx);
    },

    // Drop events and keep newer states in one transaction: the screen never
    // sees an event gone while the state that includes it is not there yet.
    async settle(ids, states) {
      const drop = new Set(ids);
      const newer = states.filter((state) => isNewer(state, this.states.get(state.session)));
      if (this.db && (drop.size || newer.length)) {
        const tx = this.db.transaction(["queue", "state"], "readwrite");
        drop.forEach((id) => tx.objectStore("queue").delete(id));
        newer.forEach((state) => tx.objectStore("state").put(state));
        await completion(tx);
      }
      this.queue = this.queue.filter((record) => !drop.has(record.id));
      newer.forEach((state) => this.states.set(state.session, state));
      return newer.length > 0;
    },
  };

  function asPromise(request) {
    return new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  function completion(tx) {
    return new Promise((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  }

  function isNewer(state, current) {
    return !current || parseTime(state.server_time) > parseTime(current.server_time);
  }

  // Events queued under another sign-in are not sent with this user's session
  // (a shared tablet): they wait until that person signs in again.
  function ownQueue() {
    return store.queue.filter((record) => record.user === config.user);
  }

  // What goes to the server: this user's events, less those set aside; a
  // suspect (failed alone, the server's health unknown) after the others.
  function sendable() {
    const queue = ownQueue().filter((record) => !record.aside);
    if (!net.suspects.size) return queue;
    return queue
      .filter((record) => !net.suspects.has(record.id))
      .concat(queue.filter((record) => net.suspects.has(record.id)));
  }

  function setAside() {
    return ownQueue().filter((record) => record.aside);
  }

  let sequence = 0;

  async function record(kind, payload) {
    const event = { id: uuid4(), session: SESSION, kind: kind, at: new Date().toISOString(), payload: payload };
    await store.add({ id: event.id, seq: Date.now() * 1000 + (sequence++ % 1000), user: config.user, event: event });
    render();
    scheduleSync(DEBOUNCE_MS);
    return event;
  }

  // --- Sync ---------------------------------------------------------------------

  const net = {
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
  let offlineSince = readOfflineSince();

  function readOfflineSince() {
    try {
      return localStorage.getItem(OFFLINE_KEY);
    } catch (error) {
      return null;
    }
  }

  function setOffline(offline) {
    if (offline && !offlineSince) offlineSince = new Date().toISOString();
    if (!offline) offlineSince = null;
    try {
      if (offlineSince) localStorage.setItem(OFFLINE_KEY, offlineSince);
      else localStorage.removeItem(OFFLINE_KEY);
    } catch (error) {
      // Private mode: the time is kept for this page only.
    }
    renderStatus();
  }

  function scheduleSync(delay) {
    clearTimeout(syncTimer);
    syncTimer = setTimeout(sync, delay);
  }

  function sync() {
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
        renderStatus();
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
  function fetchWithTimeout(url, options) {
    const controller = new AbortController();
    const timer = window.setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    return fetch(url, { ...options, signal: controller.signal }).finally(() => window.clearTimeout(timer));
  }

  async function readBody(response) {
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
    renderAside();
  }

  // A batch failed without saying which event: send its first half next.
  function narrowDown(batch) {
    net.narrowing = true;
    net.limit = Math.max(1, Math.ceil(batch.length / 2));
  }

  function doneNarrowing() {
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
    renderStatus(true);
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
      render();
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
        render();
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
    render();
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
    if (await store.settle([], [await response.json()])) render();
  }

  // --- The screen -----------------------------------------------------------------

  const statusElement = document.getElementById("sync-status");
  const signInElement = document.getElementById("sync-signin");
  const problemsElement = document.getElementById("sync-problems");
  const asideElement = document.getElementById("sync-aside");

  function renderStatus(sending) {
    if (!statusElement) return;
    const own = ownQueue();
    const aside = own.filter((record) => record.aside).length;
    const waiting = own.length - aside;
    const others = store.queue.length - own.length;
    const parts = [];
    let state = "saved";
    if (waiting) {
      parts.push(format(waiting === 1 ? L.waiting_one : L.waiting_other, { count: waiting }));
      state = "waiting";
    } else {
      parts.push(L.all_saved);
    }
    if (aside) {
      parts.push(format(aside === 1 ? L.aside_one : L.aside_other, { count: aside }));
      if (state === "saved") state = "problem";
    }
    if (net.signedOut) {
      parts.push(L.sign_in_again);
      state = "signed-out";
    } else if (offlineSince) {
      parts.push(format(L.offline_since, { time: clockTime(offlineSince) }));
      state = "offline";
    } else if (net.serverTrouble) {
      parts.push(L.retrying);
    } else if (sending === true && waiting) {
      parts.push(L.syncing);
    }
    if (others) parts.push(format(L.other_user_waiting, { count: others }));
    const text = parts.join(" · ");
    // Only real changes: a live region repeats whatever is written to it.
    if (statusElement.textContent !== text) statusElement.textContent = text;
    statusElement.dataset.state = state;
    if (signInElement) signInElement.hidden = !net.signedOut;
  }

  // --- Changes set aside: listed until the leader sends them again or discards them ---

  let asideShown = "";

  function asideReason(aside) {
    if (aside.kind === "rejected") {
      if (aside.detail === "session locked") return L.aside_locked;
      if (aside.detail === "unknown session") return L.aside_unknown_session;
      return L.aside_rejected;
    }
    return L["aside_" + aside.kind] || L.aside_rejected;
  }

  function describe(event) {
    const payload = event.payload || {};
    let what = L["kind_" + event.kind] || String(event.kind);
    if (event.kind === "tally" && bands.has(payload.age_band)) {
      what += ": " + bands.get(payload.age_band) + " " + (genders.get(payload.gender) || "");
    } else if (event.kind === "check_in" && payload.new_participant && payload.new_participant.alias) {
      what += ": " + payload.new_participant.alias;
    } else if ((event.kind === "check_in" || event.kind === "check_out") && rosterEntry(payload.participant)) {
      what += ": " + rosterEntry(payload.participant).alias;
    } else if (event.kind === "note" && typeof payload.text === "string") {
      what += ": " + (payload.text.length > 60 ? payload.text.slice(0, 60) + "…" : payload.text);
    }
    const known = typeof event.at === "string" && !Number.isNaN(parseTime(event.at));
    return known ? what + " (" + clockTime(event.at) + ")" : what;
  }

  function renderAside() {
    if (!asideElement || !problemsElement) return;
    const records = setAside();
    const key = records.map((record) => record.id + record.aside.kind).join(",");
    // Only real changes: the summary above is an alert, read out whenever it changes.
    if (key === asideShown) return;
    asideShown = key;
    asideElement.hidden = records.length === 0;
    if (!records.length) {
      problemsElement.replaceChildren();
      asideElement.querySelector("ul").replaceChildren();
      return;
    }
    const summary = document.createElement("p");
    summary.className = "alert alert-danger mb-0";
    summary.textContent = format(records.length === 1 ? L.aside_summary_one : L.aside_summary_other, {
      count: records.length,
    });
    problemsElement.replaceChildren(summary);
    asideElement.querySelector("ul").replaceChildren(
      ...records.map((record) => {
        const item = document.createElement("li");
        const what = document.createElement("strong");
        what.textContent = describe(record.event);
        const why = document.createElement("span");
        why.textContent = asideReason(record.aside);
        item.append(what, " ", why);
        if (record.aside.detail) {
          // The server's own words, for the coordinator (also in the audit log where the server refused it).
          const detail = document.createElement("small");
          detail.className = "sync-aside-detail";
          detail.textContent = record.aside.detail;
          item.append(" ", detail);
        }
        return item;
      }),
    );
  }

  function setUpAside() {
    if (!asideElement) return;
    asideElement.querySelector("[data-aside=retry]").addEventListener("click", async () => {
      await store.setAside(
        setAside().map((record) => record.id),
        () => null,
      );
      net.serverFailures.clear();
      doneNarrowing();
      render();
      scheduleSync(0);
    });
    asideElement.querySelector("[data-aside=discard]").addEventListener("click", async () => {
      if (!window.confirm(L.aside_discard_confirm)) return;
      await store.discard(setAside().map((record) => record.id));
      render();
    });
  }

  function render() {
    renderStatus();
    renderAside();
    if (SESSION) renderSession(currentView());
  }

  // Server state + this user's queued events for the session.
  const embeddedState = readJSON("attendance-state");

  function currentView() {
    const base = store.states.get(SESSION) || embeddedState;
    const cells = new Map();
    base.tallies.forEach((cell) => cells.set(cell.age_band + "|" + cell.gender, { ...cell }));
    const people = new Map();
    base.check_ins.forEach((entry) => people.set(entry.participant, { ...entry, pending: false }));
    const notes = base.notes.map((note) => ({ ...note, pending: false }));
    const leaders = new Set(base.leaders_present);
    const view = {
      status: base.status,
      reason: base.cancellation_reason || "",
      capacity: base.capacity,
      cells: cells,
      people: people,
      notes: notes,
      leaders: leaders,
    };
    sendable()
      .filter((item) => item.event.session === SESSION)
      .forEach((item) => apply(view, item.event));
    // One definition of a visit (docs/architecture.md): the tallies count the
    // visitors who were not checked in; each check-in is one visit.
    view.headcount = 0;
    view.firstVisits = 0;
    cells.forEach((cell) => {
      view.headcount += cell.visits;
      view.firstVisits += cell.first_visits;
    });
    view.named = people.size;
    view.visits = view.headcount + view.named;
    return view;
  }

  function apply(view, event) {
    const payload = event.payload;
    if (event.kind === "tally") {
      const key = payload.age_band + "|" + payload.gender;
      const cell = view.cells.get(key) || { age_band: payload.age_band, gender: payload.gender, visits: 0, first_visits: 0 };
      cell.visits = Math.max(0, cell.visits + payload.visits);
      cell.first_visits = Math.max(0, cell.first_visits + payload.first_visits);
      view.cells.set(key, cell);
    } else if (event.kind === "check_in") {
      const fresh = payload.new_participant;
      const code = fresh ? fresh.id : payload.participant;
      const known = view.people.get(code) || rosterEntry(code);
      view.people.set(code, {
        participant: code,
        alias: fresh ? fresh.alias : known ? known.alias : code,
        checked_in_at: event.at,
        checked_out_at: null,
        pending: true,
        isNew: Boolean(fresh) || Boolean(known && known.isNew),
      });
    } else if (event.kind === "check_out") {
      const entry = view.people.get(payload.participant);
      if (entry) view.people.set(payload.participant, { ...entry, checked_out_at: event.at, pending: true });
    } else if (event.kind === "note") {
      view.notes.push({ id: event.id, text: payload.text, incident: payload.incident, at: event.at, pending: true });
    } else if (event.kind === "leader") {
      if (payload.present) view.leaders.add(payload.user);
      else view.leaders.delete(payload.user);
    } else if (event.kind === "status") {
      view.status = payload.status;
      view.reason = payload.reason || "";
    }
  }

  // --- The session page -----------------------------------------------------------

  const bands = new Map((readJSON("attendance-bands") || []).map((band) => [band.id, band.label]));
  const genders = new Map((readJSON("attendance-genders") || []).map((gender) => [gender.value, gender.label]));
  const roster = readJSON("attendance-roster") || [];
  const rosterByCode = new Map(roster.map((person) => [person.code, person]));
  const undoKey = "kvarter-attendance-undo-" + SESSION;
  let firstVisit = false;
  let lastView = null;

  function rosterEntry(code) {
    return rosterByCode.get(code) || null;
  }

  function byId(id) {
    return document.getElementById(id);
  }

  function setText(id, value) {
    const element = byId(id);
    if (element && element.textContent !== String(value)) element.textContent = String(value);
  }

  function announce(id, text) {
    const element = byId(id);
    if (!element) return;
    // Clear first so the same words are read again for a second identical tap.
    element.textContent = "";
    window.setTimeout(() => {
      element.textContent = text;
    }, 50);
  }

  function renderSession(view) {
    lastView = view;
    root.querySelectorAll(".tally-button").forEach((button) => {
      const cell = view.cells.get(button.dataset.band + "|" + button.dataset.gender);
      const count = button.querySelector("[data-count]");
      const value = String(cell ? cell.visits : 0);
      if (count.textContent !== value) count.textContent = value;
    });
    setText("total-visits", view.visits);
    setText("total-parts", format(L.total_parts, { counted: view.headcount, named: view.named }));
    setText("total-first", view.firstVisits);
    renderCapacity(view);
    const status = byId("session-status");
    if (status) {
      setText("session-status", capitalise(L["status_" + view.status] || view.status));
      status.className = "attendance-status-" + view.status;
    }
    root.querySelectorAll("[data-leader]").forEach((box) => {
      box.checked = view.leaders.has(Number(box.dataset.leader));
    });
    renderNotes(view);
    renderRoster(view);
    const undo = byId("undo");
    if (undo && !config.locked) undo.disabled = undoStack().length === 0;
    renderFirstVisit();
  }

  function capitalise(text) {
    return text ? text.charAt(0).toUpperCase() + text.slice(1) : text;
  }

  function renderCapacity(view) {
    const warning = byId("capacity-warning");
    const alert = byId("capacity-alert");
    if (!warning || !alert) return;
    const values = { visits: view.visits, capacity: view.capacity };
    let warningText = "";
    let alertText = "";
    if (view.capacity) {
      if (view.visits >= view.capacity) alertText = format(L.full, values);
      else if (view.visits >= 0.9 * view.capacity) warningText = format(L.nearly_full, values);
    }
    if (warning.textContent !== warningText) warning.textContent = warningText;
    if (alert.textContent !== alertText) alert.textContent = alertText;
    warning.classList.toggle("is-active", Boolean(warningText));
    alert.classList.toggle("is-active", Boolean(alertText));
  }

  function renderNotes(view) {
    const list = byId("note-list");
    if (!list) return;
    list.replaceChildren();
    if (!view.notes.length) {
      const empty = document.createElement("li");
      empty.className = "note-empty";
      empty.textContent = L.no_notes;
      list.append(empty);
      return;
    }
    view.notes.forEach((note) => {
      const item = document.createElement("li");
      item.className = "note-item" + (note.incident ? " note-incident" : "");
      const time = document.createElement("span");
      time.className = "note-time";
      time.textContent = clockTime(note.at);
      item.append(time);
      if (note.incident) {
        const badge = document.createElement("span");
        badge.className = "badge note-badge";
        badge.textContent = L.incident;
        item.append(" ", badge);
      }
      const text = document.createElement("p");
      text.className = "note-text mb-0";
      text.textContent = note.text;
      item.append(text);
      list.append(item);
    });
  }

  // --- Roster and check-in ---

  const rosterItems = new Map(); // code -> <li>, kept so a re-render does not steal the focus

  function normalise(text) {
    return String(text)
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase();
  }

  function rosterPeople(view) {
    // New people first (registered on this tablet or elsewhere), then the roster in its order.
    const people = [];
    const listed = new Set(roster.map((person) => person.code));
    view.people.forEach((entry, code) => {
      if (!listed.has(code)) people.push({ code: code, alias: entry.alias, birth_year: null, isNew: entry.isNew });
    });
    return people.concat(roster);
  }

  function renderRoster(view) {
    const list = byId("roster-list");
    if (!list) return;
    const query = normalise(byId("roster-search").value.trim());
    let here = 0;
    view.people.forEach((entry) => {
      if (!entry.checked_out_at) here += 1;
    });
    setText("checked-in-count", here);
    const shown = rosterPeople(view).filter(
      (person) => !query || normalise(person.alias).includes(query) || normalise(person.code).includes(query),
    );
    const keep = new Set(shown.map((person) => person.code));
    rosterItems.forEach((item, code) => {
      if (!keep.has(code)) {
        item.remove();
        rosterItems.delete(code);
      }
    });
    shown.forEach((person, index) => {
      let item = rosterItems.get(person.code);
      if (!item) {
        item = rosterItem(person);
        rosterItems.set(person.code, item);
      }
      updateRosterItem(item, person, view.people.get(person.code));
      // Move only what is out of place: moving a focused button would blur it.
      if (list.children[index] !== item) list.insertBefore(item, list.children[index] || null);
    });
    byId("roster-empty").hidden = shown.length > 0;
  }

  function rosterItem(person) {
    const item = document.createElement("li");
    item.className = "roster-item";
    item.dataset.code = person.code;
    const who = document.createElement("div");
    who.className = "roster-who";
    const name = document.createElement("span");
    name.className = "roster-name";
    name.textContent = person.alias;
    const detail = document.createElement("span");
    detail.className = "roster-detail";
    who.append(name, detail);
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-lg roster-button";
    button.disabled = Boolean(config.locked);
    button.addEventListener("click", () => toggleCheckIn(person.code));
    item.append(who, button);
    return item;
  }

  function updateRosterItem(item, person, entry) {
    const here = Boolean(entry && !entry.checked_out_at);
    const parts = [];
    if (person.isNew) parts.push(L.new);
    else parts.push(person.code);
    if (person.birth_year) parts.push(String(person.birth_year));
    if (entry) {
      parts.push(
        here
          ? format(L.checked_in_at, { time: clockTime(entry.checked_in_at) })
          : format(L.checked_out_at, { time: clockTime(entry.checked_out_at) }),
      );
    }
    item.querySelector(".roster-detail").textContent = parts.join(" · ");
    item.classList.toggle("is-here", here);
    const button = item.querySelector("button");
    const label = here ? L.check_out : L.check_in;
    if (button.dataset.action !== label) {
      button.dataset.action = label;
      button.replaceChildren(document.createTextNode(label + " "), hiddenText(person.alias));
      button.classList.toggle("btn-kvarter", !here);
      button.classList.toggle("btn-outline-kvarter", here);
    }
  }

  function hiddenText(text) {
    const span = document.createElement("span");
    span.className = "visually-hidden";
    span.textContent = text;
    return span;
  }

  async function toggleCheckIn(code) {
    const entry = lastView && lastView.people.get(code);
    const alias = entry ? entry.alias : (rosterEntry(code) || { alias: code }).alias;
    if (entry && !entry.checked_out_at) {
      await record("check_out", { participant: code });
      announce("roster-announce", format(L.announce_checked_out, { alias: alias }));
    } else {
      await record("check_in", { participant: code });
      announce("roster-announce", format(L.announce_checked_in, { alias: alias }));
    }
  }

  // --- Forms ---

  function fieldError(input, message) {
    const error = byId(input.id + "-error");
    input.classList.toggle("is-invalid", Boolean(message));
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
    if (error) error.textContent = message || "";
    return !message;
  }

  function setUpNewParticipant() {
    const form = byId("new-participant");
    if (!form) return;
    const alias = byId("np-alias");
    const birthYear = byId("np-birth-year");
    const consent = byId("np-consent");
    const guardian = byId("np-guardian");
    const minYear = Number(birthYear.min);
    const maxYear = Number(birthYear.max);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const name = plainText(alias.value, false, MAX_ALIAS).trim();
      const year = Number(birthYear.value);
      const validYear = /^\d{4}$/.test(birthYear.value.trim()) && year >= minYear && year <= maxYear;
      const minor = validYear && config.year - year < 18;
      const checks = [
        fieldError(alias, name ? "" : L.alias_required),
        fieldError(birthYear, validYear ? "" : format(L.birth_year_invalid, { min: minYear, max: maxYear })),
        fieldError(consent, consent.checked ? "" : L.consent_required),
        fieldError(guardian, minor && !guardian.checked ? L.guardian_required : ""),
      ];
      if (checks.includes(false)) {
        form.querySelector(".is-invalid").focus();
        return;
      }
      const district = byId("np-district").value;
      await record("check_in", {
        new_participant: {
          id: uuid4(),
          alias: name,
          birth_year: year,
          gender: byId("np-gender").value,
          district: district ? Number(district) : null,
          consent: true,
          guardian_consent: guardian.checked,
        },
      });
      form.reset();
      announce("roster-announce", format(L.participant_added, { alias: name }));
      alias.focus();
    });
  }

  function setUpNotes() {
    const form = byId("note-form");
    if (!form) return;
    const text = byId("note-text");
    const incident = byId("note-incident");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const value = plainText(text.value, true, MAX_NOTE).trim();
      if (!fieldError(text, value ? "" : L.note_required)) {
        text.focus();
        return;
      }
      await record("note", { text: value, incident: incident.checked });
      form.reset();
      announce("note-announce", L.note_saved);
    });
  }

  function setUpStatus() {
    const held = byId("mark-held");
    if (held) held.addEventListener("click", () => record("status", { status: "held", reason: "" }));
    const form = byId("cancel-form");
    if (!form) return;
    const reason = byId("cancel-reason");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const value = plainText(reason.value, false, MAX_REASON).trim();
      if (!fieldError(reason, value ? "" : L.reason_required)) {
        reason.focus();
        return;
      }
      await record("status", { status: "cancelled", reason: value });
    });
  }

  // --- Counting ---

  function undoStack() {
    try {
      return JSON.parse(sessionStorage.getItem(undoKey) || "[]");
    } catch (error) {
      return [];
    }
  }

  function saveUndoStack(stack) {
    try {
      sessionStorage.setItem(undoKey, JSON.stringify(stack.slice(-200)));
    } catch (error) {
      // Undo is a convenience; without storage it is simply unavailable.
    }
  }

  // "First visit this year" applies to the next count only, then switches itself off:
  // left on, it would make every later visitor a first visit (the report's "people reached").
  function renderFirstVisit() {
    const toggle = byId("first-visit");
    if (toggle) toggle.setAttribute("aria-pressed", String(firstVisit));
    const note = byId("first-visit-note");
    if (note) note.hidden = !firstVisit;
  }

  function setUpCounting() {
    const toggle = byId("first-visit");
    if (toggle) {
      toggle.addEventListener("click", () => {
        firstVisit = !firstVisit;
        renderFirstVisit();
        announce("tally-announce", firstVisit ? L.first_visit_on : L.first_visit_off);
      });
    }
    root.querySelectorAll(".tally-button").forEach((button) => {
      button.addEventListener("click", async () => {
        const band = Number(button.dataset.band);
        const gender = button.dataset.gender;
        // Taken and switched off before anything is awaited: a second quick tap is not a first visit.
        const first = firstVisit;
        firstVisit = false;
        renderFirstVisit();
        const stack = undoStack();
        stack.push({ band: band, gender: gender, first: first });
        saveUndoStack(stack);
        await record("tally", { age_band: band, gender: gender, visits: 1, first_visits: first ? 1 : 0 });
        const names = { band: bands.get(band) || "", gender: genders.get(gender) };
        announce("tally-announce", format(first ? L.counted_first : L.counted, names));
      });
    });
    const undo = byId("undo");
    if (undo) {
      undo.addEventListener("click", async () => {
        const stack = undoStack();
        let tap = stack.pop();
        // Skip taps whose cell is already back at zero (undone elsewhere or corrected).
        while (tap && !(lastView.cells.get(tap.band + "|" + tap.gender) || { visits: 0 }).visits) tap = stack.pop();
        saveUndoStack(stack);
        if (!tap) {
          announce("tally-announce", L.nothing_to_undo);
          render();
          return;
        }
        // Undoing a first visit gives the toggle back too, for the count that was meant.
        if (tap.first) {
          firstVisit = true;
          renderFirstVisit();
        }
        await record("tally", { age_band: tap.band, gender: tap.gender, visits: -1, first_visits: tap.first ? -1 : 0 });
        const names = { band: bands.get(tap.band) || "", gender: genders.get(tap.gender) };
        announce("tally-announce", format(tap.first ? L.undone_first : L.undone, names));
      });
    }
  }

  // Participant codes: 8 characters without look-alikes (activities.models.new_participant_code).
  const CODE_PATTERN = /^[2-9A-HJKMNP-Z]{8}$/;

  function updateFindCode() {
    const button = byId("find-code");
    if (!button) return;
    const code = byId("roster-search").value.trim().toUpperCase();
    const wanted = CODE_PATTERN.test(code) && !rosterByCode.has(code) && !config.locked;
    button.hidden = !wanted;
    if (wanted) button.textContent = format(L.find_code, { code: code });
  }

  // The roster holds only this activity's participants (data minimisation);
  // anyone else of the organisation is fetched by their exact code, online.
  async function findByCode() {
    const code = byId("roster-search").value.trim().toUpperCase();
    let response;
    try {
      response = await fetchWithTimeout(config.state_url + SESSION + "/participants/" + encodeURIComponent(code), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
    } catch (error) {
      setText("find-code-result", L.code_needs_network);
      return;
    }
    if (!response.ok) {
      setText("find-code-result", format(L.code_not_found, { code: code }));
      return;
    }
    const person = await readBody(response);
    roster.unshift(person);
    rosterByCode.set(person.code, person);
    setText("find-code-result", format(L.code_found, { alias: person.alias }));
    updateFindCode();
    renderRoster(lastView || currentView());
  }

  function setUpSessionPage() {
    const search = byId("roster-search");
    if (search) {
      search.addEventListener("input", () => {
        renderRoster(lastView || currentView());
        updateFindCode();
      });
      const find = byId("find-code");
      if (find) find.addEventListener("click", findByCode);
    }
    root.querySelectorAll("[data-leader]").forEach((box) => {
      box.addEventListener("change", () => record("leader", { user: Number(box.dataset.leader), present: box.checked }));
    });
    if (config.locked) return;
    setUpCounting();
    setUpNewParticipant();
    setUpNotes();
    setUpStatus();
  }

  // --- Offline: the service worker ---

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

  start();
})();
