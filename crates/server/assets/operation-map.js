// The operation map (/app/map). Who may use it: coordinators; the API refuses anyone else the
// RVs, gates, windows and counts it reads. It shows the streets, the RVs and gates with their
// status and the number of people at each (from the count endpoint: no list of people is ever
// fetched), and the hazards in force; a click on the map places a new RV, gate or hazard
// (chosen above the map) through the same endpoints as any client.

import { api, apiTime, el, t, num, lang, requireSession, showError, reveal, when, inputTime, isolated, keptPlace, live, throttled } from "./app.js";
import { MapView, hazardItems } from "./map.js";

// A page not for this session stops here (see `requireSession`).
await requireSession(["coordinator"]);
const $ = (id) => document.getElementById(id);
let picked = null;
let rvs = [];
let gates = [];
let counts = { rvs: {}, gates: {} };
let hazards = [];
let windows = [];
const errorBox = $("map-error");
const done = $("map-done");

function say(message) {
  errorBox.hidden = true;
  done.textContent = message;
  done.hidden = false;
  reveal(done);
}

function fail(err) {
  done.hidden = true;
  showError(errorBox, err);
  reveal(errorBox);
}

function mode() {
  return document.querySelector('input[name="mode"]:checked').value;
}

function showForm() {
  for (const m of ["rv", "gate", "hazard"]) $(`${m}-form`).hidden = m !== mode();
}

const map = new MapView($("map"), {
  label: t("map-label"),
  language: lang,
  onPick(lat, lon) {
    picked = { lat: +lat.toFixed(6), lon: +lon.toFixed(6) };
    $("picked").textContent = t("map-picked", { lat: picked.lat.toFixed(5), lon: picked.lon.toFixed(5) });
    const first = $(`${mode()}-form`).querySelector("input, select");
    first?.focus({ preventScroll: true });
  },
});

function people(c) {
  return c ? c.total_people : 0;
}

function statusText(status) {
  return t(`map-status-${status}`);
}

async function load() {
  try {
    [rvs, gates, hazards, counts, windows] = await Promise.all([
      api("GET", "/api/operations/{op}/rvs"),
      api("GET", "/api/operations/{op}/gates"),
      api("GET", "/api/operations/{op}/hazards"),
      api("GET", "/api/operations/{op}/counts"),
      api("GET", "/api/operations/{op}/windows"),
    ]);
  } catch (err) {
    fail(err);
    return;
  }
  const putBack = kept();
  const rvLoad = (id) => people(counts.rvs[String(id)]);
  const gateLoad = (id) => people(counts.gates[String(id)]);
  map.setPlaces([
    ...rvs.map((r) => ({ kind: "rv", id: r.id, lat: r.location.lat, lon: r.location.lon, name: r.name, status: r.status, load: rvLoad(r.id) })),
    ...gates.map((g) => ({ kind: "gate", id: g.id, lat: g.location.lat, lon: g.location.lon, name: g.name, status: g.status, load: gateLoad(g.id) })),
  ]);
  map.setHazards(hazardItems(hazards));
  const options = rvs.map((r) => el("option", { value: r.id }, r.name));
  $("gate-rv").replaceChildren(el("option", { value: "" }, t("map-gate-rv-none")), ...options.map((o) => o.cloneNode(true)));
  $("window-rv").replaceChildren(...options);
  $("rvs").replaceChildren(
    ...rvs.map((r) => {
      const actions = el("div", { class: "row-actions" });
      if (r.status === "active")
        actions.append(button(t("map-suspend", { name: r.name }), "danger", () => post(`/api/operations/{op}/rvs/${r.id}/suspend`, undefined, t("map-done-suspended", { name: r.name }))));
      // A proposed RV is agreed once both sides accept it: the coordinator accepts for the
      // authority, and then waits for the escort party.
      if (r.status === "proposed" && !r.accepted_by_authority)
        actions.append(button(t("map-accept", { name: r.name }), "", () => post(`/api/operations/{op}/rvs/${r.id}/accept`, undefined, t("map-done-accepted", { name: r.name }))));
      else if (r.status === "proposed") actions.append(el("span", { class: "muted" }, t("map-awaits-escort")));
      if (r.status === "agreed" || r.status === "suspended")
        actions.append(button(t("map-activate", { name: r.name }), "", () => post(`/api/operations/{op}/rvs/${r.id}/activate`, undefined, t("map-done-activated", { name: r.name }))));
      return el("tr", { "data-rv": r.id }, el("td", {}, r.name), el("td", {}, statusText(r.status)), el("td", { class: "num" }, num(rvLoad(r.id))), el("td", {}, actions));
    }),
  );
  $("gates").replaceChildren(
    ...gates.map((g) => {
      const actions = el("div", { class: "row-actions" });
      for (const next of ["open", "suspended", "closed"].filter((x) => x !== g.status))
        actions.append(button(t(`map-gate-to-${next}`, { name: g.name }), next === "open" ? "" : "secondary", () => post(`/api/operations/{op}/gates/${g.id}/status`, { status: next }, t("map-done-gate", { name: g.name }))));
      return el("tr", { "data-gate": g.id }, el("td", {}, g.name), el("td", {}, statusText(g.status)), el("td", { class: "num" }, num(gateLoad(g.id))), el("td", {}, actions));
    }),
  );
  showWindows();
  const inForce = hazardItems(hazards).map((h) => h.id);
  $("hazards").replaceChildren(
    ...hazards
      .filter((h) => inForce.includes(h.id))
      .map((h) => {
        const label = `${t(`map-hazard-${h.kind}`)} · ${t(`map-severity-${h.severity}`)}`;
        const end = button(t("map-hazard-expire", { what: label }), "secondary", () =>
          send("PATCH", `/api/operations/{op}/hazards/${h.id}`, { expire: true }, t("map-done-expired")),
        );
        return el("tr", { "data-hazard": h.id }, el("td", {}, t(`map-hazard-${h.kind}`)), el("td", {}, t(`map-severity-${h.severity}`)), el("td", { class: "num" }, num(h.radius_m)), el("td", {}, el("bdi", {}, h.reported_by || "—")), el("td", {}, end));
      }),
  );
  putBack();
}

/**
 * What drawing the lists and forms anew would take from the person at the page: the RV chosen
 * in each form, the forms unfolded with what was typed in them, and the control they are at,
 * with what they typed there (`keptPlace`).
 * Answers the function that puts it back after the drawing.
 */
function kept() {
  const chosen = ["window-rv", "gate-rv"].map((id) => [id, $(id).value]);
  const open = [...document.querySelectorAll("details[open][id]")].map((d) => d.id);
  // Only what was typed: a value as drawn gives way to the server's (another desk moved it).
  const typed = [...document.querySelectorAll("details[open][id] input[id]")]
    .filter((i) => i.value !== i.defaultValue)
    .map((i) => [i.id, i.value]);
  const place = keptPlace();
  return () => {
    for (const [id, value] of chosen) {
      if ([...$(id).options].some((o) => o.value === value)) $(id).value = value;
    }
    for (const id of open) if ($(id)) $(id).open = true;
    for (const [id, value] of typed) if ($(id)) $(id).value = value;
    place();
  };
}

/**
 * The form that moves the window `w` (at `rv`, over `time`) in time, folded away until asked
 * for: its times as they are, to change. The households still to come get a new pass and
 * are sent the new times; the server refuses an end before the start or in the past.
 */
function moveForm(w, rv, time) {
  const field = (name, value) => {
    const id = `window-${name}-${w.id}`;
    return [
      el("label", { for: id }, t(`map-window-${name}`), el("span", { class: "visually-hidden" }, ` · ${t("map-window-places-which", { rv, time })}`)),
      el("input", { id, type: "datetime-local", required: true, value: inputTime(w[name]), "data-field": name }),
    ];
  };
  const form = el(
    "form",
    { class: "window-move", novalidate: true },
    ...field("start", w.start),
    ...field("end", w.end),
    el("p", { class: "muted" }, t("map-window-move-hint")),
    el("button", { type: "submit", class: "secondary" }, t("map-window-move-save")),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const [start, end] = ["start", "end"].map((name) => $(`window-${name}-${w.id}`).value);
    if (!start || !end) return fail(new Error(t("map-window-move-missing")));
    const body = { start: apiTime(start), end: apiTime(end) };
    const moved = t("map-done-window-moved", { rv, time: t("map-window-time", { start: when(body.start), end: when(body.end) }) });
    const out = await send("PATCH", `/api/operations/{op}/windows/${w.id}`, body, moved);
    // How many passes were issued anew is known from the answer only.
    if (out) say(`${moved} ${t("map-done-window-passes", { passes: out.passes_issued })}`);
  });
  return el("details", { id: `window-move-${w.id}`, class: "window-move" }, el("summary", {}, t("map-window-move")), form);
}

/**
 * The windows not yet over, each with the people assigned of its places and a field to
 * change its places (never below those assigned: the server says the least it may take).
 */
function showWindows() {
  const now = Date.now();
  const rvName = (id) => rvs.find((r) => r.id === id)?.name ?? t("map-window-rv-number", { id: num(id) });
  const open = windows.filter((w) => new Date(w.end).getTime() > now);
  $("windows-none").hidden = open.length > 0;
  $("windows").replaceChildren(
    ...open.map((w) => {
      // A name as typed, kept whole in a sentence of either direction.
      const rv = isolated(rvName(w.rv_id));
      const time = t("map-window-time", { start: when(w.start), end: when(w.end) });
      const id = `window-places-${w.id}`;
      const places = el("input", {
        id,
        type: "number",
        inputmode: "numeric",
        min: Math.max(1, w.assigned_people),
        value: w.capacity,
        "data-field": "capacity",
      });
      // A form of its own: Enter saves, and a refusal marks this field, not the new window's.
      const form = el(
        "form",
        { class: "window-places", novalidate: true },
        // Named in full for a screen reader (and in a refusal), which reads it away from its row.
        el("label", { for: id }, t("map-window-places"), el("span", { class: "visually-hidden" }, ` · ${t("map-window-places-which", { rv, time })}`)),
        places,
        el("button", { type: "submit", class: "secondary" }, t("map-window-places-save")),
      );
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        const capacity = Number(places.value);
        const saved = await send("PATCH", `/api/operations/{op}/windows/${w.id}`, { capacity }, t("map-done-window-places", { rv, time, capacity }));
        // The list was drawn anew: the focus goes back to this window's field, not to the top.
        if (saved) $(id)?.focus({ preventScroll: true });
      });
      return el(
        "tr",
        { "data-window": w.id },
        el("td", {}, rv),
        el("td", {}, time),
        el("td", { class: "num" }, t("map-window-load", { assigned: w.assigned_people, capacity: w.capacity })),
        el("td", {}, form, moveForm(w, rv, time)),
      );
    }),
  );
}

function button(label, cls, action) {
  const b = el("button", { type: "button", class: cls || undefined }, label);
  b.addEventListener("click", async () => {
    b.disabled = true;
    try {
      await action();
    } finally {
      b.disabled = false;
    }
  });
  return b;
}

async function send(method, path, body, message) {
  try {
    const out = await api(method, path, body);
    say(message);
    await load();
    return out;
  } catch (err) {
    fail(err);
    return null;
  }
}

function post(path, body, message) {
  return send("POST", path, body, message);
}

function needPick() {
  if (picked) return false;
  fail(new Error(t("map-pick-first")));
  return true;
}

function value(id) {
  return $(id).value.trim();
}

$("rv-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  if (needPick()) return;
  const name = value("rv-name");
  const out = await post("/api/operations/{op}/rvs", { name, location: picked, landmark: value("rv-landmark") }, t("map-done-rv", { name }));
  if (out) $("rv-form").reset();
});

$("gate-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  if (needPick()) return;
  const name = value("gate-name");
  const rv = value("gate-rv");
  await post(
    "/api/operations/{op}/gates",
    { name, location: picked, kind: value("gate-kind"), hourly_throughput: Number(value("gate-throughput")), rv_ids: rv ? [Number(rv)] : [] },
    t("map-done-gate", { name }),
  );
});

$("hazard-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  if (needPick()) return;
  const description = value("hazard-description");
  const out = await post(
    "/api/operations/{op}/hazards",
    {
      kind: value("hazard-kind"),
      severity: value("hazard-severity"),
      location: picked,
      radius_m: Number(value("hazard-radius")),
      description: description || undefined,
      valid_from: apiTime(Date.now() - 60000),
      suspend_places: $("hazard-suspend").checked,
    },
    t("map-done-hazard"),
  );
  if (out && (out.suspended_rvs.length || out.suspended_gates.length))
    say(t("map-done-hazard-suspended", { rvs: out.suspended_rvs.length, gates: out.suspended_gates.length }));
});

$("window-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const iso = (v) => (v ? apiTime(v) : "");
  await post(
    "/api/operations/{op}/windows",
    { rv_id: Number(value("window-rv")), start: iso(value("window-start")), end: iso(value("window-end")), capacity: Number(value("window-capacity")) },
    t("map-done-window"),
  );
});

for (const r of document.querySelectorAll('input[name="mode"]')) r.addEventListener("change", showForm);

showForm();
// The places and counts come whether or not the streets can be drawn; then they follow what
// changes on any desk or device (read again at most every two seconds).
map.start().catch(fail).then(load).then(() => {
  const reload = throttled(load, 2000);
  live((name) => (name === "change" || name === "resync") && reload());
});
