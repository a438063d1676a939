/* The screen: what it shows is always the newest known server state plus the
 * events still queued. Only real changes are written, so live regions are not
 * read out again and a focused button is not moved.
 */

import {
  bands,
  byId,
  clockTime,
  config,
  embeddedState,
  format,
  genders,
  L,
  parseTime,
  root,
  roster,
  rosterEntry,
  SESSION,
  setText,
} from "./page.js";
import { store, undoStack } from "./store.js";
import { net, offlineSince, ownQueue, sendable, setAside } from "./sync.js";

// What the controls change and the screen shows: "first visit this year" for
// the next count, and the view last drawn (undo and the roster read it).
export const ui = { firstVisit: false, lastView: null };

const statusElement = document.getElementById("sync-status");
const signInElement = document.getElementById("sync-signin");
const problemsElement = document.getElementById("sync-problems");
const asideElement = document.getElementById("sync-aside");

export function renderStatus(sending) {
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

export function renderAside() {
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

export function render() {
  renderStatus();
  renderAside();
  if (SESSION) renderSession(currentView());
}

export function currentView() {
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

function renderSession(view) {
  ui.lastView = view;
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

export function renderRoster(view) {
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

// "First visit this year" applies to the next count only, then switches itself off:
// left on, it would make every later visitor a first visit (the report's "people reached").
export function renderFirstVisit() {
  const toggle = byId("first-visit");
  if (toggle) toggle.setAttribute("aria-pressed", String(ui.firstVisit));
  const note = byId("first-visit-note");
  if (note) note.hidden = !ui.firstVisit;
}
