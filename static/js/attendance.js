/* Kvarter tablet attendance: count, check in and take notes on a tablet with bad wifi.
 *
 * Every action becomes an event that is written to IndexedDB ("queue") before
 * the screen changes, so nothing is lost when the page closes or the wifi
 * drops. A sync loop sends the whole queue to /api/attendance/sync and keeps
 * the server's answer per session in IndexedDB ("state"). What the screen
 * shows is always: the newest known server state + the events still queued.
 * The server treats events idempotently (by their id), so sending one twice
 * is harmless; losing one is not.
 */
(function () {
  "use strict";

  const root = document.getElementById("attendance");
  const config = readJSON("attendance-config");
  if (!root || !config) return;
  const L = config.labels;
  const SESSION = config.page === "session" ? config.session : null;
  const MAX_BATCH = 1000;
  const DEBOUNCE_MS = 300;
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
    return (config.device_venue ? config.device_venue + " · " + label : label).slice(0, 100);
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

  let sequence = 0;

  async function record(kind, payload) {
    const event = { id: uuid4(), session: SESSION, kind: kind, at: new Date().toISOString(), payload: payload };
    await store.add({ id: event.id, seq: Date.now() * 1000 + (sequence++ % 1000), user: config.user, event: event });
    render();
    scheduleSync(DEBOUNCE_MS);
    return event;
  }

  // --- Sync ---------------------------------------------------------------------

  const net = { signedOut: false, serverTrouble: false, failures: 0, running: null, again: false };
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

  async function syncOnce() {
    if (navigator.onLine === false) {
      setOffline(true);
      return;
    }
    const queue = ownQueue();
    if (!queue.length) {
      // Nothing to send: on a session page the state is fetched instead (other
      // tablets may have counted); elsewhere the browser's word has to do.
      if (SESSION) await refreshState();
      else setOffline(false);
      return;
    }
    const batch = queue.slice(0, MAX_BATCH);
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
    if (response.status === 422 || response.status === 400) {
      const body = await readBody(response);
      const conflicts = Array.isArray(body.conflicts) ? body.conflicts : null;
      setOffline(false);
      if (response.status === 422 && conflicts && conflicts.length) {
        // These ids exist on the server with other content: drop them, resend the rest.
        console.warn("Attendance: events conflict with the server's", conflicts, body.detail);
        await store.settle(conflicts, []);
      } else {
        console.error("Attendance: the server refused the batch", response.status, body, batch);
        await store.settle(batch.map((item) => item.id), []);
        showProblems([L.server_refused]);
      }
      render();
      net.again = true;
      return;
    }
    if (!response.ok) {
      net.serverTrouble = true;
      setOffline(false);
      retryLater();
      return;
    }
    const body = await response.json();
    net.failures = 0;
    net.serverTrouble = false;
    setOffline(false);
    const results = Array.isArray(body.results) ? body.results : [];
    const rejected = results.filter((result) => result.status === "rejected");
    await store.settle(
      results.map((result) => result.id),
      Object.values(body.sessions || {}),
    );
    if (rejected.length) {
      console.warn("Attendance: events rejected", rejected);
      showProblems([...new Set(rejected.map((result) => format(L.rejected, { reason: result.reason })))]);
    }
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

  function renderStatus(sending) {
    if (!statusElement) return;
    const waiting = ownQueue().length;
    const others = store.queue.length - waiting;
    const parts = [];
    let state = "saved";
    if (waiting) {
      parts.push(format(waiting === 1 ? L.waiting_one : L.waiting_other, { count: waiting }));
      state = "waiting";
    } else {
      parts.push(L.all_saved);
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

  function showProblems(messages) {
    if (!problemsElement) return;
    problemsElement.replaceChildren();
    const box = document.createElement("div");
    box.className = "alert alert-danger d-flex justify-content-between align-items-start gap-3";
    const list = document.createElement("ul");
    list.className = "mb-0";
    messages.forEach((message) => {
      const item = document.createElement("li");
      item.textContent = message;
      list.append(item);
    });
    const close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("aria-label", L.dismiss);
    close.addEventListener("click", () => problemsElement.replaceChildren());
    box.append(list, close);
    problemsElement.append(box);
  }

  function render() {
    renderStatus();
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
    ownQueue()
      .filter((item) => item.event.session === SESSION)
      .forEach((item) => apply(view, item.event));
    view.visits = 0;
    view.firstVisits = 0;
    cells.forEach((cell) => {
      view.visits += cell.visits;
      view.firstVisits += cell.first_visits;
    });
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
      const name = alias.value.trim();
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
      const value = text.value.trim();
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
      const value = reason.value.trim();
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

  function setUpCounting() {
    const toggle = byId("first-visit");
    if (toggle) {
      toggle.addEventListener("click", () => {
        firstVisit = !firstVisit;
        toggle.setAttribute("aria-pressed", String(firstVisit));
      });
    }
    root.querySelectorAll(".tally-button").forEach((button) => {
      button.addEventListener("click", async () => {
        const band = Number(button.dataset.band);
        const gender = button.dataset.gender;
        const stack = undoStack();
        stack.push({ band: band, gender: gender, first: firstVisit });
        saveUndoStack(stack);
        await record("tally", { age_band: band, gender: gender, visits: 1, first_visits: firstVisit ? 1 : 0 });
        announce("tally-announce", format(L.counted, { band: bands.get(band) || "", gender: genders.get(gender) }));
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
        await record("tally", { age_band: tap.band, gender: tap.gender, visits: -1, first_visits: tap.first ? -1 : 0 });
        announce("tally-announce", format(L.undone, { band: bands.get(tap.band) || "", gender: genders.get(tap.gender) }));
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
