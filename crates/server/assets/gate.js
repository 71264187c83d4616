// Gate screen. Who may use it: gate officers (and coordinators). It asks the API for the
// gates the signed-in person may see (a gate officer: only their own; the API decides), and
// for the chosen gate: its counts, the batches on their way (head counts and deadlines) and
// the unaccounted alarms. It never receives a list of people: an arrival and a check-in are
// recorded by the reference printed on the household's pass, an arrival with the number of
// people the officer counted. Live changes at the person's
// gates arrive on the stream and the figures are read again.

import { api, el, live, num, redraw, requireSession, showError, t, when } from "./app.js";

// A page not for this session stops here (see `requireSession`).
await requireSession(["gate", "coordinator"]);
const $ = (id) => document.getElementById(id);
let gate = null;
let batches = [];
const closedShort = new Map();

function pickedGate() {
  return Number($("gate-select").value) || null;
}

async function loadGates() {
  const gates = await api("GET", "/api/operations/{op}/gates");
  const select = $("gate-select");
  select.replaceChildren(...gates.map((g) => el("option", { value: g.id }, g.name)));
  $("no-gates").hidden = gates.length > 0;
  gate = gates.length ? gates[0].id : null;
  select.disabled = gates.length < 2;
}

function showCounts(counts) {
  const people = counts.people || {};
  const figure = (label, n, id) =>
    el("div", { id }, el("dt", {}, label), el("dd", {}, num(n || 0)));
  $("counts").replaceChildren(
    figure(t("gate-on-the-way"), people.in_escort, "count-in-escort"),
    figure(t("gate-arrived-count"), people.arrived_at_gate, "count-arrived"),
    figure(t("gate-processed-count"), people.processed, "count-processed"),
    figure(t("gate-unaccounted-count"), people.unaccounted, "count-unaccounted"),
  );
  return people.unaccounted || 0;
}

function showBatches() {
  $("no-batches").hidden = batches.length > 0;
  const now = Date.now();
  redraw(
    $("batch-list"),
    ...batches.map((b) => {
      const late = b.unaccounted_households > 0 || Date.parse(b.deadline) < now;
      const close = el("button", { type: "button", class: "danger" }, t("gate-close"));
      close.addEventListener("click", () => closeBatch(b, close));
      return el(
        "li",
        { class: late ? "batch late" : "batch", id: `batch-${b.id}` },
        el("h3", {}, t("gate-batch-name", { id: b.id })),
        el("p", { class: "heads" }, t("gate-heads", { arrived: b.arrived_people, departed: b.departed_people })),
        el("p", {}, t("gate-households", { count: b.households })),
        el("p", {}, t("gate-departed", { time: when(b.departed_at) })),
        el("p", { class: late ? "error" : "" }, t("gate-deadline", { time: when(b.deadline) })),
        el("div", { class: "actions" }, close),
      );
    }),
  );
  const choice = $("batch-select");
  const kept = choice.value;
  choice.replaceChildren(
    ...batches.map((b) => el("option", { value: b.id }, t("gate-batch-name", { id: b.id }))),
  );
  if (batches.some((b) => String(b.id) === kept)) choice.value = kept;
}

function showAlarms(unaccountedPeople) {
  const items = [];
  for (const b of batches) {
    if (b.unaccounted_households > 0) {
      items.push(t("gate-alarm-overdue", { id: b.id, count: b.unaccounted_households }));
    }
  }
  for (const [id, missing] of closedShort) {
    items.push(t("gate-alarm-closed-short", { id, count: missing }));
  }
  if (unaccountedPeople > 0) items.push(t("gate-alarm-unaccounted", { count: unaccountedPeople }));
  $("alarm-list").replaceChildren(...items.map((text) => el("li", {}, text)));
  $("alarms").hidden = items.length === 0;
}

async function refresh() {
  if (!gate) return;
  try {
    const [counts, expected] = await Promise.all([
      api("GET", `/api/operations/{op}/gates/${gate}/counts`),
      api("GET", `/api/operations/{op}/gates/${gate}/batches`),
    ]);
    batches = expected;
    showBatches();
    showAlarms(showCounts(counts));
    $("page-error").hidden = true;
  } catch (e) {
    showError($("page-error"), e);
  }
}

async function closeBatch(b, button) {
  button.disabled = true;
  try {
    const closed = await api("POST", `/api/operations/{op}/batches/${b.id}/close`);
    if (closed.alarm) closedShort.set(closed.id, closed.departed_people - closed.arrived_people);
    await refresh();
  } catch (e) {
    showError($("page-error"), e);
    button.disabled = false;
  }
}

function result(text, ok) {
  const out = $("record-result");
  out.textContent = text;
  out.className = ok ? "ok" : "error";
}

async function record(kind) {
  const reference = $("reference").value.trim().toUpperCase();
  if (!reference) {
    result(t("gate-reference-missing"), false);
    $("reference").focus();
    return;
  }
  try {
    let step;
    if (kind === "arrival") {
      const batch = $("batch-select").value;
      if (!batch) {
        result(t("gate-batch-missing"), false);
        return;
      }
      // The people counted at the gate, never the household's size: whoever of it did not
      // arrive stays on the way and is reported missing past the batch's deadline.
      const counted = $("arrived-people").value.trim();
      const people = Number(counted);
      if (!counted || !Number.isInteger(people) || people < 1 || people > 60) {
        result(t(counted ? "gate-people-invalid" : "gate-people-missing"), false);
        $("arrived-people").focus();
        return;
      }
      step = await api("POST", `/api/operations/{op}/batches/${batch}/arrivals`, { reference, people });
      $("arrived-people").value = "";
      result(t("gate-arrival-recorded", { reference: step.reference, count: step.people }), true);
    } else {
      step = await api("POST", `/api/operations/{op}/households/${encodeURIComponent(reference)}/processed`, { gate_id: gate });
      result(t("gate-check-in-recorded", { reference: step.reference, count: step.people }), true);
    }
    $("reference").value = "";
    $("reference").focus();
    await refresh();
  } catch (e) {
    result(t("common-error", { detail: refusal(kind, reference, e) }), false);
  }
}

// Stages a household has reached once it is counted in, and once it is checked in.
const ARRIVED = ["arrived_at_gate", "processed", "manifested", "boarded"];
const CHECKED_IN = ["processed", "manifested", "boarded"];

/** Why the gate's act on `reference` was refused, in the officer's words. */
function refusal(kind, reference, e) {
  if (e.status === 404) return t("gate-not-found");
  if (e.status === 409 && e.stage) {
    if (kind !== "arrival" && CHECKED_IN.includes(e.stage)) return t("gate-already-checked-in", { reference });
    if (kind === "arrival" && ARRIVED.includes(e.stage)) return t("gate-already-arrived", { reference });
    if (kind !== "arrival" && !ARRIVED.includes(e.stage)) return t("gate-not-arrived", { reference });
  }
  return e.message;
}

$("record").addEventListener("submit", (ev) => {
  ev.preventDefault();
  record("arrival");
});
$("checked-in").addEventListener("click", () => record("check-in"));
$("gate-select").addEventListener("change", () => {
  gate = pickedGate();
  closedShort.clear();
  refresh();
});
loadGates()
  .then(refresh)
  .catch((e) => showError($("page-error"), e));
live(
  (name, data) => {
    if (name === "resync") return refresh();
    try {
      const change = JSON.parse(data);
      if (change.gate_id === null || change.gate_id === gate || change.batch_id !== null) refresh();
    } catch {
      refresh();
    }
  },
  (on) => {
    $("live-state").textContent = on ? t("gate-live-on") : t("gate-live-off");
    $("live-state").className = on ? "live" : "live off";
  },
);
setInterval(refresh, 30000);
