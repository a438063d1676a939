/* The attendance page's data and small helpers, shared by the other modules.
 *
 * The server writes what the page needs as JSON (json_script, no inline
 * script): the configuration with the labels and the sync's limits, and on a
 * session page its state, age bands, genders and roster.
 */

export function readJSON(id) {
  const element = document.getElementById(id);
  return element ? JSON.parse(element.textContent) : null;
}

export const root = document.getElementById("attendance");
// Null on a page without the attendance screen: main.js then does nothing.
export const config = readJSON("attendance-config");
export const L = config ? config.labels : {};
export const SESSION = config && config.page === "session" ? config.session : null;
// The server's limits (activities.services, published in /api/openapi.json):
// a batch stays under both, with room for the envelope around the events.
const limits = config ? config.limits : null;
export const MAX_EVENTS = limits ? limits.events : 1000;
export const MAX_BYTES = (limits ? limits.bytes : 2621440) - 1024;
export const MAX_NOTE = limits ? limits.note : 2000;
export const MAX_REASON = limits ? limits.reason : 200;
export const MAX_ALIAS = limits ? limits.alias : 60;

export function format(template, values) {
  return template.replace(/%\((\w+)\)s/g, (match, key) => (key in values ? String(values[key]) : match));
}

// Python writes microseconds; not every browser parses more than milliseconds.
export function parseTime(iso) {
  return Date.parse(String(iso).replace(/(\.\d{3})\d+/, "$1"));
}

export function clockTime(iso) {
  // 24-hour clock in every language, as the server writes session times.
  const options = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  return new Date(parseTime(iso)).toLocaleTimeString(config.language, options);
}

export function uuid4() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
}

// Text as the server takes it: well-formed Unicode, no control characters
// (a line break only where `lines`), at most `max` characters (not UTF-16 units).
export function plainText(text, lines, max) {
  let value = String(text);
  if (typeof value.toWellFormed === "function") value = value.toWellFormed();
  value = lines
    ? value.replace(/[\u000b\u000c]/g, "\n").replace(/[\u0000-\u0008\u000e-\u001f\u007f]/g, "")
    : value.replace(/[\u0000-\u001f\u007f]+/g, " ");
  const characters = Array.from(value);
  return characters.length > max ? characters.slice(0, max).join("") : value;
}

// --- The session page's data ---

// The server's state as the page was rendered.
export const embeddedState = readJSON("attendance-state");
export const bands = new Map((readJSON("attendance-bands") || []).map((band) => [band.id, band.label]));
export const genders = new Map((readJSON("attendance-genders") || []).map((gender) => [gender.value, gender.label]));
export const roster = readJSON("attendance-roster") || [];
export const rosterByCode = new Map(roster.map((person) => [person.code, person]));

export function rosterEntry(code) {
  return rosterByCode.get(code) || null;
}

export function byId(id) {
  return document.getElementById(id);
}

export function setText(id, value) {
  const element = byId(id);
  if (element && element.textContent !== String(value)) element.textContent = String(value);
}

export function announce(id, text) {
  const element = byId(id);
  if (!element) return;
  // Clear first so the same words are read again for a second identical tap.
  element.textContent = "";
  window.setTimeout(() => {
    element.textContent = text;
  }, 50);
}
