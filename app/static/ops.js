// The operations page: the numbers of the capacity cell under the pointer, in words below the
// picture (each cell's <title> shows them too, as a tooltip); "Add these minutes" writes a
// proposal's calendar exceptions through the feed (PUT /v1/resources/{code}/exceptions/{date}).
"use strict";

(function () {
  const csrfMeta = document.querySelector('meta[name="csrf-token"]');
  document.querySelectorAll("button.add-minutes").forEach((button) => {
    const status = button.parentElement.querySelector(".add-status");
    button.addEventListener("click", async () => {
      button.disabled = true;
      const exceptions = JSON.parse(button.dataset.exceptions);
      try {
        for (const exception of exceptions) {
          const path = "/v1/resources/" + encodeURIComponent(exception.resource)
            + "/exceptions/" + encodeURIComponent(exception.date);
          const response = await fetch(path, {
            method: "PUT",
            headers: {
              "Content-Type": "application/json",
              "Accept": "application/json",
              "X-CSRF-Token": csrfMeta ? csrfMeta.content : "",
            },
            credentials: "same-origin",
            body: JSON.stringify({ minutes: exception.minutes }),
          });
          if (!response.ok) {
            let detail = "the server answered " + response.status;
            try {
              const body = await response.json();
              detail = [body.detail].concat((body.errors || []).map((e) => e.message)).join(" ");
            } catch (_error) {
              // keep the status
            }
            status.textContent = "Not all added: " + exception.resource + " on "
              + exception.date + ": " + detail;
            status.classList.add("error");
            button.disabled = false;
            return;
          }
        }
        status.textContent = "Added: the calendar now has these minutes. Check the quote again.";
        button.textContent = "Minutes added";
      } catch (_error) {
        status.textContent = "The server could not be reached. Try again.";
        status.classList.add("error");
        button.disabled = false;
      }
    });
  });

  const readout = document.getElementById("cell-readout");
  const map = document.querySelector("svg.heatmap");
  if (!readout || !map) {
    return;
  }
  map.addEventListener("mouseover", (event) => {
    const cell = event.target.closest("g.cell");
    if (cell) {
      readout.textContent = cell.querySelector("title").textContent;
    }
  });
})();

// Live: each promise event (GET /v1/events, Server-Sent Events) refreshes the promise lists
// without a reload. The server draws them, so the page asks for itself again and swaps in the
// fresh lists; EventSource reconnects by itself and resumes with Last-Event-ID.
(function () {
  const lists = document.getElementById("live-promises");
  const status = document.getElementById("live-status");
  if (!lists || !window.EventSource) {
    return;
  }
  const EVENTS = ["held", "confirmed", "released", "expired", "at_risk", "replanned",
    "risk_cleared", "repromised", "fulfilled"];
  const WORDS = { at_risk: "at risk", risk_cleared: "no longer at risk" };
  let refreshing = false;
  let again = false;

  async function refresh() {
    const response = await fetch(window.location.href, { credentials: "same-origin" });
    if (!response.ok) {
      return;
    }
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = page.getElementById("live-promises");
    if (fresh) {
      lists.replaceChildren(...fresh.childNodes);
    }
  }

  function changed(event) {
    const body = JSON.parse(event.data);
    const kind = body.type.replace("promise.", "");
    status.textContent = "Promise " + body.data.promise.quote_ref + " for "
      + body.data.promise.customer + ": " + (WORDS[kind] || kind) + ".";
    schedule();
  }

  // Events often come in bursts (a feed change re-evaluates many promises): one fetch at a
  // time, and one more after it when something came in meanwhile.
  async function schedule() {
    if (refreshing) {
      again = true;
      return;
    }
    refreshing = true;
    try {
      do {
        again = false;
        await refresh();
      } while (again);
    } finally {
      refreshing = false;
    }
  }

  const source = new EventSource("/v1/events");
  for (const kind of EVENTS) {
    source.addEventListener("promise." + kind, changed);
  }
})();
