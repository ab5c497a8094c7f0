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
