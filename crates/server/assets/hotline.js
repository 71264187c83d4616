// The hotline console (/app/hotline). Who may use it: hotline operators and coordinators; the
// API refuses anyone else. It looks a caller up (by phone or reference), shows the case as the
// hotline may see it (POST …/hotline/cases/{reference}: stage, size, language, assignment, the
// RV's status and hazards near it; no names, phones or documents are shown), takes the caller's
// position from the map or the gazetteer, draws the route around the hazards in force and
// shows the guidance to read out, logs the call (optionally sending the route by message
// through the outbox) and shows the messages' delivery, and lists the worklist after a
// re-plan. Nothing is kept in storage but the session. The phone typed, the caller's position
// and the place names searched for travel only in request bodies (POST), never in an address
// (the page's or a request's), which proxies and browsers keep in logs and history.

import { api, el, isolated, t, num, when, lang, redraw, requireSession, showError } from "./app.js";
import { MapView, hazardItems } from "./map.js";

// A page not for this session stops here (see `requireSession`).
await requireSession(["hotline", "coordinator"]);
const $ = (id) => document.getElementById(id);
const errorBox = $("hotline-error");
let current = null; // the case's reference
let from = null; // { lat, lon } or { landmark, name }
let messageTimer = 0;
// The window on screen, as a call names what it told the household: a call that guided it takes
// it off the list of households not told of their window only if that window still stands.
let shownWindow = null;

function fail(err) {
  showError(errorBox, err);
}
function clearError() {
  errorBox.hidden = true;
}

const map = new MapView($("map"), {
  label: t("hotline-map-label"),
  language: lang,
  onPick(lat, lon) {
    if (!current) return;
    from = { lat: +lat.toFixed(6), lon: +lon.toFixed(6) };
    $("from-text").textContent = t("hotline-from-map", { lat: from.lat.toFixed(5), lon: from.lon.toFixed(5) });
    showRoute();
  },
});

async function loadHazards() {
  try {
    map.setHazards(hazardItems(await api("GET", "/api/operations/{op}/hazards")));
  } catch (err) {
    fail(err);
  }
}

$("lookup").addEventListener("submit", async (e) => {
  e.preventDefault();
  clearError();
  const phone = $("lookup-phone").value.trim();
  const reference = $("lookup-reference").value.trim();
  const list = $("lookup-results");
  if (!phone && !reference) {
    fail(new Error(t("hotline-lookup-empty")));
    return;
  }
  try {
    const found = (await api("POST", "/api/operations/{op}/lookup", phone ? { phone } : { reference })).cases;
    if (!found.length) {
      list.replaceChildren(el("li", { class: "muted" }, t("hotline-none-found")));
      return;
    }
    list.replaceChildren(
      ...found.map((c) =>
        el("li", {}, el("button", { type: "button", class: "secondary", onclick: () => openCase(c.reference) }, t("hotline-open-case", { reference: c.reference, stage: stageText(c.stage), size: c.size }))),
      ),
    );
    if (found.length === 1) openCase(found[0].reference);
  } catch (err) {
    fail(err);
  }
});

function stageText(stage) {
  return t(`hotline-stage-${stage}`);
}

function fact(term, value) {
  return [el("dt", {}, term), el("dd", {}, value)];
}

async function openCase(reference) {
  clearError();
  // Nothing of the case on screen stays while another loads: a failed load leaves no case to
  // log a call on.
  current = null;
  shownWindow = null;
  for (const id of ["case", "position", "call", "messages-panel", "call-done"]) $(id).hidden = true;
  from = null;
  map.setRoute(null);
  map.setPick(null);
  $("route").hidden = true;
  $("route-problem").hidden = true;
  $("from-text").textContent = t("hotline-from-none");
  try {
    const c = await api("POST", `/api/operations/{op}/hotline/cases/${encodeURIComponent(reference)}`, {});
    current = reference;
    $("route-language").value = c.language;
    showCase(c, true);
    $("position").hidden = false;
    $("call").hidden = false;
    $("messages-panel").hidden = false;
    await loadMessages();
  } catch (err) {
    fail(err);
  }
}

/**
 * Shows case `c`. `readOut`: the window shown is the one the operator reads out from now on
 * (the case just opened, or shown again after the window changed during a call); a route
 * asked for later shows the case without changing what the call will say it told.
 */
function showCase(c, readOut = false) {
  $("case").hidden = false;
  $("case-heading").textContent = t("hotline-case", { reference: c.reference });
  const a = c.assignment;
  if (readOut) shownWindow = a && a.window_id ? { window_id: a.window_id, window_start: a.window_start, window_end: a.window_end } : null;
  const facts = [
    fact(t("hotline-col-stage"), stageText(c.stage)),
    fact(t("hotline-size"), num(c.size)),
    fact(t("hotline-calls"), num(c.calls)),
  ];
  if (a) {
    facts.push(fact(t("hotline-rv"), `${a.rv_name} — ${a.rv_landmark}`));
    facts.push(fact(t("hotline-rv-status"), t(`hotline-rv-${a.rv_status}`)));
    if (a.window_start) facts.push(fact(t("hotline-window"), `${when(a.window_start)} – ${when(a.window_end)}`));
  } else {
    facts.push(fact(t("hotline-rv"), t("hotline-no-rv")));
  }
  $("case-facts").replaceChildren(...facts.flat());
  // No route is sent to a household that no longer walks to its rendezvous point, nor towards
  // a point that receives nobody (suspended, closed).
  const sendable = c.walks_to_rv && (!a || a.rv_receives_people);
  $("call-send").disabled = !sendable;
  if (!sendable) $("call-send").checked = false;
  const near = a?.hazards_near_rv || [];
  $("case-hazards").hidden = near.length === 0;
  $("case-hazards").textContent = t("hotline-hazards-near", { count: near.length });
}

/** The caller's position as the API takes it, in the guidance's language; null when none. */
function position() {
  if (!from) return null;
  const language = $("route-language").value;
  return from.landmark !== undefined ? { landmark: from.landmark, language } : { from: `${from.lat},${from.lon}`, language };
}

async function showRoute() {
  clearError();
  const stated = position();
  if (!stated || !current) return;
  try {
    const c = await api("POST", `/api/operations/{op}/hotline/cases/${encodeURIComponent(current)}`, stated);
    showCase(c);
    await loadHazards();
    const r = c.route;
    $("route-problem").hidden = !c.route_problem;
    // A household past its rendezvous point, or one whose point receives nobody, is told in the
    // page's words; any other reason is the server's.
    const a = c.assignment;
    const problem =
      a && !c.walks_to_rv
        ? t("hotline-not-walking", { stage: stageText(c.stage) })
        : a && !a.rv_receives_people
          ? t(`hotline-rv-${a.rv_status}`)
          : t("hotline-no-route", { detail: isolated(c.route_problem) });
    $("route-problem").textContent = c.route_problem ? problem : "";
    $("route").hidden = !r;
    if (!r) {
      map.setRoute(null);
      return;
    }
    const coords = r.geojson.geometry.coordinates;
    map.setRoute(coords);
    const [lon, lat] = coords[0];
    if (from.landmark !== undefined) map.setPick({ lat, lon });
    // The route ends at the case's RV.
    const [rvLon, rvLat] = coords[coords.length - 1];
    map.setPlaces(a ? [{ kind: "rv", id: a.rv_id, lat: rvLat, lon: rvLon, name: a.rv_name, status: a.rv_status }] : []);
    map.fitPoints(coords);
    $("route-summary").textContent = t("hotline-route-summary", { metres: r.length_m, minutes: r.walking_minutes, hazards: r.hazards_in_force.length });
    const dir = r.right_to_left ? "rtl" : "ltr";
    const steps = $("route-steps");
    steps.setAttribute("lang", r.language);
    steps.setAttribute("dir", dir);
    steps.replaceChildren(...r.steps.map((x) => el("li", {}, x)));
    $("route-sms").setAttribute("lang", r.language);
    $("route-sms").setAttribute("dir", dir);
    $("route-sms").textContent = r.sms;
  } catch (err) {
    fail(err);
  }
}

$("route-language").addEventListener("change", showRoute);

$("place-search").addEventListener("submit", async (e) => {
  e.preventDefault();
  clearError();
  // An empty search is sent too: the refusal names the field and puts the cursor there.
  const q = $("place-q").value.trim();
  try {
    const places = await api("POST", "/api/operations/{op}/map/places", { q, language: lang });
    const list = $("place-results");
    if (!places.length) {
      list.replaceChildren(el("li", { class: "muted" }, t("hotline-place-none")));
      return;
    }
    list.replaceChildren(
      ...places.map((p) =>
        el(
          "li",
          {},
          el(
            "button",
            {
              type: "button",
              class: "secondary",
              onclick: () => {
                from = { landmark: p.landmark, name: p.name };
                $("from-text").textContent = t("hotline-from-place", { name: p.name });
                map.centreOn(p.lat, p.lon);
                showRoute();
              },
            },
            `${p.name} · ${t(`hotline-place-${p.kind}`)}`,
          ),
        ),
      ),
    );
  } catch (err) {
    fail(err);
  }
});

$("call").addEventListener("submit", async (e) => {
  e.preventDefault();
  clearError();
  if (!current) return;
  const body = { outcome: $("call-outcome").value };
  const notes = $("call-notes").value.trim();
  if (notes) body.notes = notes;
  if (shownWindow) body.told_window = shownWindow;
  if ($("call-send").checked) {
    if (!from) {
      fail(new Error(t("hotline-send-needs-position")));
      return;
    }
    body.send_route = position();
  }
  // One call logged per press: the button waits for the answer.
  $("call-submit").disabled = true;
  try {
    const out = await api("POST", `/api/operations/{op}/households/${encodeURIComponent(current)}/calls`, body);
    // The window changed while the operator was on the phone: the case shows the new one to
    // read out on a call back, and the household stays on the list until then.
    const changed = out.told_another_window;
    $("call-done").hidden = false;
    $("call-done").className = changed ? "notice warn" : "notice ok";
    $("call-done").textContent = changed
      ? t("hotline-logged-window-changed")
      : out.message_id
        ? t("hotline-logged-sent")
        : t("hotline-logged");
    $("call-notes").value = "";
    if (changed) showCase(await api("POST", `/api/operations/{op}/hotline/cases/${encodeURIComponent(current)}`, {}), true);
    await loadMessages();
    loadWorklist();
  } catch (err) {
    fail(err);
  } finally {
    $("call-submit").disabled = false;
  }
});

async function loadMessages() {
  clearTimeout(messageTimer);
  if (!current) return;
  try {
    const list = await api("GET", `/api/operations/{op}/households/${encodeURIComponent(current)}/messages`);
    $("messages").replaceChildren(
      ...list.map((m) =>
        el(
          "tr",
          { "data-status": m.status },
          el("td", {}, t(`hotline-kind-${m.kind}`)),
          el("td", {}, t(`hotline-status-${m.status}`)),
          el("td", { class: "num" }, num(m.attempts)),
          el("td", {}, when(m.sent_at || m.created_at)),
        ),
      ),
    );
    if (list.some((m) => m.status === "pending")) messageTimer = setTimeout(loadMessages, 3000);
  } catch (err) {
    fail(err);
  }
}

$("messages-refresh").addEventListener("click", loadMessages);

async function loadWorklist() {
  try {
    // Those still to call come first.
    const list = await api("GET", "/api/operations/{op}/hotline/worklist");
    const left = list.filter((w) => !w.called_at).length;
    $("worklist-count").textContent = t("hotline-worklist-count", { left, all: list.length });
    $("worklist-count").hidden = !list.length;
    redraw(
      $("worklist"),
      ...(list.length
        ? list.map((w) =>
            el(
              "tr",
              { "data-reference": w.reference },
              el("td", {}, el("button", { type: "button", class: "secondary ref", onclick: () => openCase(w.reference) }, w.reference)),
              el("td", {}, stageText(w.stage)),
              el("td", {}, t(`hotline-why-${w.reason}`)),
              el("td", {}, w.called_at ? when(w.called_at) : t("hotline-not-called")),
            ),
          )
        : [el("tr", {}, el("td", { colspan: "4", class: "muted" }, t("hotline-worklist-empty")))]),
    );
  } catch (err) {
    fail(err);
  }
}

map.start().then(loadHazards, fail);
loadWorklist();
