// Follows a report request while a worker produces it: polls the status URL
// and updates the steps, the progress bar and the live status line, so the
// page never needs a reload. Stops once the report is done or has failed.
(function () {
  "use strict";
  const section = document.getElementById("report-progress");
  if (!section) {
    return;
  }
  const url = section.dataset.statusUrl;
  const bar = document.getElementById("report-progress-bar");
  const status = document.getElementById("report-status");
  const error = document.getElementById("report-error");
  const ready = document.getElementById("report-ready");
  const download = document.getElementById("report-download");
  let delay = 1000;

  function show(state) {
    bar.max = state.steps;
    bar.value = state.step;
    if (status.textContent !== state.label) {
      status.textContent = state.label;
    }
    section.querySelectorAll(".report-step").forEach(function (step) {
      const index = Number(step.dataset.step);
      step.classList.toggle("report-step-done", index < state.step || (state.finished && !state.failed));
      step.classList.toggle("report-step-current", index === state.step && !state.finished);
    });
    if (state.failed) {
      error.textContent = state.error;
      error.classList.remove("d-none");
    }
    if (state.download_url) {
      download.href = state.download_url;
      ready.classList.remove("d-none");
    }
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (state) {
        show(state);
        if (!state.finished) {
          delay = 1000;
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () {
        // A dropped connection: try again, a little later each time.
        delay = Math.min(delay * 2, 15000);
        window.setTimeout(poll, delay);
      });
  }

  if (!document.getElementById("report-ready").classList.contains("d-none") || !error.classList.contains("d-none")) {
    return;
  }
  window.setTimeout(poll, 500);
})();
