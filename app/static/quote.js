// The quote page: add and remove lines (keyboard friendly), and hold / confirm / release a
// promise through the JSON API. Everything else works without this script.
"use strict";

(function () {
  const list = document.getElementById("line-list");
  const template = document.getElementById("line-template");
  const announcer = document.getElementById("line-announcer");

  function announce(text) {
    // Cleared first so that the same message twice is still read out.
    announcer.textContent = "";
    window.setTimeout(() => { announcer.textContent = text; }, 50);
  }

  function renumber() {
    list.querySelectorAll("li.line").forEach((li, position) => {
      li.querySelector(".remove-line").setAttribute("aria-label", "Remove line " + (position + 1));
    });
  }

  function addLine() {
    const indexes = Array.from(list.querySelectorAll("li.line"), (li) => Number(li.dataset.index));
    // Server-side the order of the lines counts, not their numbers: a new one just needs a fresh index.
    const index = indexes.length ? Math.max(...indexes) + 1 : 0;
    const li = template.content.firstElementChild.cloneNode(true);
    li.dataset.index = String(index);
    li.querySelectorAll("[data-name]").forEach((input) => {
      const id = "lines-" + index + "-" + input.dataset.name;
      input.id = id;
      input.name = id;
    });
    li.querySelectorAll("label[data-for]").forEach((label) => {
      label.htmlFor = "lines-" + index + "-" + label.dataset.for;
    });
    list.appendChild(li);
    renumber();
    li.querySelector("input").focus();
    announce("Line " + list.children.length + " added");
  }

  function removeLine(li) {
    const lines = Array.from(list.querySelectorAll("li.line"));
    if (lines.length === 1) {
      announce("A quote needs at least one line");
      return;
    }
    const position = lines.indexOf(li);
    const next = lines[position + 1] || lines[position - 1];
    li.remove();
    renumber();
    next.querySelector("input").focus();
    announce("Line " + (position + 1) + " removed");
  }

  if (list && template) {
    document.getElementById("add-line").addEventListener("click", addLine);
    list.addEventListener("click", (event) => {
      const button = event.target.closest(".remove-line");
      if (button) {
        removeLine(button.closest("li.line"));
      }
    });
  }

  // -- promises ---------------------------------------------------------------------------------
  const panel = document.getElementById("promise");
  const requestNode = document.getElementById("hold-request");
  if (!panel || !requestNode) {
    return;
  }
  const holdButton = document.getElementById("hold-button");
  const confirmButton = document.getElementById("confirm-button");
  const releaseButton = document.getElementById("release-button");
  const statusLine = document.getElementById("promise-status");
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  let promiseId = null;

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    return String(Date.now()) + "-" + String(Math.random()).slice(2);
  }

  function show(text, isError) {
    statusLine.textContent = text;
    statusLine.classList.toggle("error", Boolean(isError));
  }

  function problemText(body, status) {
    if (!body || typeof body !== "object") {
      return "The server answered " + status + ".";
    }
    const parts = [body.detail || body.title || "The server answered " + status + "."];
    (body.errors || []).forEach((error) => parts.push(error.message));
    return parts.join(" ");
  }

  function day(iso) {
    if (!iso) {
      return "no date";
    }
    const date = new Date(iso + "T00:00:00Z");
    return date.toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
  }

  function time(iso) {
    return new Date(iso).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
  }

  async function call(path, body) {
    // One Idempotency-Key per click: a network retry cannot hold the same quote twice.
    const response = await fetch(path, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "Idempotency-Key": newKey(),
        "X-CSRF-Token": csrf,
      },
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let payload = null;
    try {
      payload = await response.json();
    } catch (_error) {
      payload = null;
    }
    return { ok: response.ok, status: response.status, body: payload };
  }

  async function act(button, work) {
    button.disabled = true;
    try {
      await work();
    } catch (_error) {
      show("The server could not be reached; nothing was changed. Try again.", true);
    } finally {
      button.disabled = false;
    }
  }

  const intro = document.getElementById("promise-intro");
  const introText = {
    held: "Held: confirm it to make the promise firm, or release it.",
    confirmed: "Confirmed: a firm promise. Releasing it gives the stock and machine time back.",
  };
  const firstIntro = intro ? intro.textContent : "";

  function setState(state) {
    panel.dataset.promiseState = state;
    if (intro) {
      intro.textContent = introText[state] || firstIntro;
    }
    holdButton.hidden = state === "held" || state === "confirmed";
    confirmButton.hidden = state !== "held";
    releaseButton.hidden = state !== "held" && state !== "confirmed";
  }

  // The promise's history as a timeline, and live from the event stream (GET /v1/events):
  // an expiry, a risk or a new date shows without a reload.
  const historyList = document.getElementById("promise-history");
  const LIVE_WORDS = {
    "promise.expired": "The hold ran out: it no longer takes stock or capacity. Check again to hold.",
    "promise.at_risk": "At risk: the planning data changed and the promised date can no longer be met.",
    "promise.risk_cleared": "No longer at risk: the promised date holds again.",
    "promise.replanned": "Re-planned after a planning change; the promised date holds.",
    "promise.repromised": "Re-promised with new dates.",
    "promise.fulfilled": "Fulfilled: the ERP carries this order now.",
  };
  let stream = null;

  function showHistory(history) {
    historyList.replaceChildren(...(history || []).map((entry) => {
      const item = document.createElement("li");
      const when = document.createElement("time");
      when.dateTime = entry.at;
      when.textContent = day(entry.at.slice(0, 10)) + " " + time(entry.at);
      item.append(when, " " + entry.event.replace("promise.", "").replace("_", " ") + ": "
        + entry.detail);
      return item;
    }));
    historyList.hidden = !history || history.length === 0;
  }

  function follow(promise) {
    showHistory(promise.history);
    if (stream || !window.EventSource) {
      return;
    }
    stream = new EventSource("/v1/events");
    for (const type of Object.keys(LIVE_WORDS)) {
      stream.addEventListener(type, (event) => {
        const body = JSON.parse(event.data);
        if (body.data.promise.id !== promiseId) {
          return;
        }
        showHistory(body.data.promise.history);
        setState(body.data.promise.status);
        show(LIVE_WORDS[type], type === "promise.expired" || type === "promise.at_risk");
      });
    }
  }

  async function hold(request, what) {
    const answer = await call("/v1/promises", Object.assign({}, request, { hold_minutes: 30 }));
    if (!answer.ok) {
      show("Not held: " + problemText(answer.body, answer.status), true);
      return;
    }
    promiseId = answer.body.id;
    setState("held");
    follow(answer.body);
    show("Held until " + time(answer.body.expires_at) + what(answer.body.check)
      + " (promise " + promiseId + ").");
    confirmButton.focus();
  }

  holdButton.addEventListener("click", () => act(holdButton, () => hold(
    JSON.parse(requestNode.textContent),
    (check) => " for delivery on " + day(check.promise_date),
  )));

  // A split option: its two lines in place of the late line, held only on exactly their dates.
  document.querySelectorAll("button.hold-option").forEach((button) => {
    button.addEventListener("click", () => act(button, () => {
      const request = JSON.parse(requestNode.textContent);
      const lines = [];
      request.lines.forEach((line) => {
        if (line.line_ref === button.dataset.lineRef) {
          lines.push(...JSON.parse(button.dataset.lines));
        } else {
          lines.push(line);
        }
      });
      const split = Object.assign({}, request, { lines: lines, mode: "requested_only" });
      return hold(split, (check) => ": " + check.lines.map(
        (line) => line.qty + " on " + day(line.promised_date)).join(", "));
    }));
  });

  confirmButton.addEventListener("click", () => act(confirmButton, async () => {
    const answer = await call("/v1/promises/" + encodeURIComponent(promiseId) + "/confirm");
    if (!answer.ok) {
      show("Not confirmed: " + problemText(answer.body, answer.status), true);
      return;
    }
    setState("confirmed");
    showHistory(answer.body.history);
    show("Confirmed: delivery on " + day(answer.body.check.promise_date)
      + " is promised (promise " + promiseId + ").");
    releaseButton.focus();
  }));

  releaseButton.addEventListener("click", () => act(releaseButton, async () => {
    const answer = await call("/v1/promises/" + encodeURIComponent(promiseId) + "/release");
    if (!answer.ok) {
      show("Not released: " + problemText(answer.body, answer.status), true);
      return;
    }
    setState("released");
    showHistory(answer.body.history);
    show("Released: promise " + promiseId + " no longer takes stock or capacity.");
    holdButton.focus();
  }));
})();
