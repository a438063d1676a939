/* What the leader taps and types: each action becomes an event (sync.record)
 * written to the queue before the screen changes.
 */

import {
  announce,
  bands,
  byId,
  config,
  format,
  genders,
  L,
  MAX_ALIAS,
  MAX_NOTE,
  MAX_REASON,
  plainText,
  root,
  roster,
  rosterByCode,
  rosterEntry,
  SESSION,
  setText,
  uuid4,
} from "./page.js";
import { currentView, render, renderFirstVisit, renderRoster, ui } from "./render.js";
import { saveUndoStack, store, undoStack } from "./store.js";
import { doneNarrowing, fetchWithTimeout, net, readBody, record, scheduleSync, setAside } from "./sync.js";

const asideElement = document.getElementById("sync-aside");

export function setUpAside() {
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

async function toggleCheckIn(code) {
  const entry = ui.lastView && ui.lastView.people.get(code);
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

function setUpCounting() {
  const toggle = byId("first-visit");
  if (toggle) {
    toggle.addEventListener("click", () => {
      ui.firstVisit = !ui.firstVisit;
      renderFirstVisit();
      announce("tally-announce", ui.firstVisit ? L.first_visit_on : L.first_visit_off);
    });
  }
  root.querySelectorAll(".tally-button").forEach((button) => {
    button.addEventListener("click", async () => {
      const band = Number(button.dataset.band);
      const gender = button.dataset.gender;
      // Taken and switched off before anything is awaited: a second quick tap is not a first visit.
      const first = ui.firstVisit;
      ui.firstVisit = false;
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
      while (tap && !(ui.lastView.cells.get(tap.band + "|" + tap.gender) || { visits: 0 }).visits) tap = stack.pop();
      saveUndoStack(stack);
      if (!tap) {
        announce("tally-announce", L.nothing_to_undo);
        render();
        return;
      }
      // Undoing a first visit gives the toggle back too, for the count that was meant.
      if (tap.first) {
        ui.firstVisit = true;
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
  renderRoster(ui.lastView || currentView());
}

export function setUpSessionPage() {
  const search = byId("roster-search");
  if (search) {
    search.addEventListener("input", () => {
      renderRoster(ui.lastView || currentView());
      updateFindCode();
    });
    const find = byId("find-code");
    if (find) find.addEventListener("click", findByCode);
  }
  // One listener for the roster's buttons, which render.js draws and redraws.
  const list = byId("roster-list");
  if (list) {
    list.addEventListener("click", (event) => {
      const button = event.target.closest(".roster-button");
      if (button) toggleCheckIn(button.closest(".roster-item").dataset.code);
    });
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
