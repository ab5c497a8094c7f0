// The operations page: the numbers of the capacity cell under the pointer, in words below the
// picture (each cell's <title> shows them too, as a tooltip).
"use strict";

(function () {
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
