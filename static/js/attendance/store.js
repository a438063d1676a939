/* What the tablet keeps on the device: the queue of events and the server's
 * state per session in IndexedDB ("queue", "state"), with memory as the
 * fallback where IndexedDB is unavailable; the device's label and the time
 * it went offline in localStorage; the undo stack in sessionStorage.
 *
 * Every event is written here before the screen changes, so nothing is lost
 * when the page closes or the wifi drops.
 */

import { config, parseTime, plainText, SESSION, uuid4 } from "./page.js";

const OFFLINE_KEY = "kvarter-attendance-offline-since";
const UNDO_KEY = "kvarter-attendance-undo-" + SESSION;

export function deviceLabel() {
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

export const store = {
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

export function readOfflineSince() {
  try {
    return localStorage.getItem(OFFLINE_KEY);
  } catch (error) {
    return null;
  }
}

export function writeOfflineSince(since) {
  try {
    if (since) localStorage.setItem(OFFLINE_KEY, since);
    else localStorage.removeItem(OFFLINE_KEY);
  } catch (error) {
    // Private mode: the time is kept for this page only.
  }
}

export function undoStack() {
  try {
    return JSON.parse(sessionStorage.getItem(UNDO_KEY) || "[]");
  } catch (error) {
    return [];
  }
}

export function saveUndoStack(stack) {
  try {
    sessionStorage.setItem(UNDO_KEY, JSON.stringify(stack.slice(-200)));
  } catch (error) {
    // Undo is a convenience; without storage it is simply unavailable.
  }
}
