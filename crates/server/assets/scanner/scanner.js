// The scanner page: enrolment, the kit, the camera and the verdict, batches, arrivals at the
// gate, pending records and sync, and the wipe. Every act is recorded offline as a signed
// record (protocol.js) and synced when the network and a session allow. The page shows at
// all times whether the device is online, how many records wait and how old its list is.
//
// Who may use it: the escort or gate user a coordinator enrolled the device for (the API
// checks the session and the device key on every call). It shows a pass's checkpoint tier
// (RV, window, number of people) and nothing else; gate devices see the number of people.

import { passDigest, verifierFromKit, verifyText } from "./pass.js";
import * as store from "./store.js";
import * as protocol from "./protocol.js";
import { Camera } from "./camera.js";
import { t, dateLocale, href, onSignOut, session, showWho } from "../app.js";

const $ = (id) => document.getElementById(id);
const times = new Intl.DateTimeFormat(dateLocale, { dateStyle: "short", timeStyle: "short" });

const state = { device: null, kit: null, verifier: null, journal: null, last: null, online: navigator.onLine };
let camera = null;

function show(id) {
  for (const s of document.querySelectorAll("[data-screen]")) s.hidden = s.id !== id;
}

function say(id, text, kind = "info") {
  const el = $(id);
  el.textContent = text;
  el.classList.remove("info", "ok", "warn", "bad");
  el.classList.add(kind);
  el.hidden = !text;
}

function errorText(e) {
  if (e instanceof protocol.Unreachable) return t("scanner-error-offline");
  if (e instanceof protocol.Refused) {
    if (e.status === 401) return t("scanner-error-signin");
    if (e.status === 404) return t("scanner-error-not-found");
    if (e.code === "device_suspended") return t("scanner-error-suspended");
    if (e.status === 503) return t("scanner-error-busy");
    return t("scanner-error-refused", { code: e.code, message: e.message });
  }
  return String(e.message || e);
}

// ---- the status bar ----

function kitExpired() {
  return !state.kit || Date.parse(state.kit.expires_at) <= Date.now();
}

function renderStatus() {
  const pending = state.journal ? state.journal.pending.length : 0;
  say("status-online", t(state.online ? "scanner-online" : "scanner-offline"), state.online ? "ok" : "warn");
  $("status-pending").textContent = t("scanner-pending", { count: pending });
  if (state.verifier) {
    const hours = Math.floor((protocol.now() - state.verifier.status.issuedAt) / 3600);
    const stale = hours * 3600 > state.verifier.policy.warnAfter;
    say("status-list", t("scanner-list-age", { hours }), stale ? "warn" : "ok");
  } else {
    say("status-list", t("scanner-no-kit"), "warn");
  }
  $("kit-expiry").textContent = state.kit
    ? t(kitExpired() ? "scanner-kit-expired" : "scanner-kit-expires", { time: times.format(new Date(state.kit.expires_at)) })
    : "";
  const signedIn = !!protocol.token();
  $("signed-in").hidden = !signedIn;
  $("need-signin").hidden = signedIn;
  $("enrol-signin").hidden = signedIn;
  $("enrol-form").hidden = !signedIn;
}

function renderBatches() {
  const list = $("batches");
  list.replaceChildren();
  const select = $("admit-batch");
  select.replaceChildren(new Option(t("scanner-no-batch"), ""));
  const depart = $("depart-batch");
  depart.replaceChildren();
  for (const b of state.journal.open_batches) {
    const li = document.createElement("li");
    li.textContent = t("scanner-batch-line", { batch: b.batch, gate: b.gate, households: b.households, people: b.people });
    list.append(li);
    const label = t("scanner-batch-name", { batch: b.batch });
    select.append(new Option(label, String(b.batch)));
    depart.append(new Option(label, String(b.batch)));
  }
  if (state.journal.open_batches.length) select.value = String(state.journal.open_batches.at(-1).batch);
  $("depart-form").hidden = state.journal.open_batches.length === 0;
}

async function load() {
  const device = await store.device();
  const kit = await store.kit();
  const journal = device ? await store.journal() : store.emptyJournal();
  // The new verifier is made before it replaces the old one: a pass checked while a fresh kit
  // loads is checked with the kit before it, never refused for want of one.
  let verifier = null;
  if (kit) {
    try {
      verifier = await verifierFromKit(kit.kit);
    } catch (e) {
      say("scan-message", t("scanner-kit-unusable", { reason: e.message }), "bad");
    }
  }
  Object.assign(state, { device, kit, journal, verifier });
}

function fillPlaces() {
  const d = state.device;
  const gate = d.role === "gate";
  const select = $("place");
  select.replaceChildren();
  for (const id of gate ? d.gate_ids : d.rv_ids) {
    select.append(new Option(t(gate ? "scanner-gate-name" : "scanner-rv-name", { id }), String(id)));
  }
  for (const el of document.querySelectorAll("[data-role]")) el.hidden = el.dataset.role !== d.role;
  $("device-name").textContent = t("scanner-device-name", { device: d.device, operation: d.operation });
}

async function render() {
  if (!state.device) {
    $("device-name").textContent = "";
    show("enrol");
  } else {
    fillPlaces();
    renderBatches();
    show("scan");
  }
  renderStatus();
}

// ---- network: kit refresh and sync ----

async function refreshKit() {
  try {
    await protocol.fetchKit(state.device);
    state.online = true;
    await load();
    say("sync-message", t("scanner-kit-loaded"), "ok");
  } catch (e) {
    await onNetworkError(e, "sync-message");
  }
  renderStatus();
}

// One sync at a time: the `online` event, the page's start and the timer may all ask at once,
// and a second sync sending what the first is sending would hide its answer (the incidents).
let syncing = null;
function syncNow() {
  if (!syncing) syncing = syncOnce().finally(() => (syncing = null));
  return syncing;
}

async function syncOnce() {
  if (!state.device) return;
  try {
    const done = await protocol.sync(state.device);
    state.online = true;
    state.journal = await store.journal();
    if (done.received || done.already_had) {
      say("sync-message", t("scanner-synced", { received: done.received, incidents: done.incidents.length }), done.incidents.length ? "warn" : "ok");
    }
    // A fresh kit brings the newest status list: a pass revoked meanwhile is refused from now.
    await protocol.fetchKit(state.device);
    await load();
  } catch (e) {
    await onNetworkError(e, "sync-message");
  }
  renderStatus();
}

async function onNetworkError(e, where) {
  if (e instanceof protocol.Unreachable) state.online = false;
  if (e instanceof protocol.Refused && e.code === "device_suspended" && state.device) {
    // Suspended by a coordinator: the device forgets everything at this contact. No other
    // refusal wipes it: its pending records stay until a sync carrying them is answered 200.
    await forget();
    say("enrol-message", t("scanner-wiped-by-coordinator"), "bad");
    return;
  }
  if (e instanceof protocol.Refused && (e.status === 401 || e.status === 403) && state.device) {
    // The session is over or refused (a suspension signs the user out everywhere): the kit
    // goes at once, from memory as from storage (protocol.js dropped the stored one), so that
    // nothing is verified with it until a signed-in contact brings a new one.
    await store.dropKit();
    Object.assign(state, { kit: null, verifier: null, last: null });
    stopCamera();
    await render();
    say(where, t("scanner-kit-dropped"), "bad");
    return;
  }
  say(where, errorText(e), "bad");
}

// ---- verdicts ----

function windowText(c) {
  return t("scanner-window", { start: times.format(new Date(c.windowStart * 1000)), end: times.format(new Date(c.windowEnd * 1000)) });
}

const REASONS = {
  wrong_rv: (v) => (v.checkpoint && v.here ? t("scanner-reason-wrong-rv-here", { rv: v.checkpoint.rv }) : t("scanner-reason-wrong-rv")),
  outside_window: (v) => t(v.early ? "scanner-reason-early" : "scanner-reason-late", { minutes: Math.ceil(v.by / 60) }),
  not_yet_valid: (v) => t("scanner-reason-not-yet-valid", { minutes: Math.ceil(v.by / 60) }),
  expired: (v) => t("scanner-reason-expired", { minutes: Math.floor(v.by / 60) }),
  status_list_stale: (v) => t("scanner-reason-status-list-stale", { hours: Math.floor(v.by / 3600) }),
};

function reasonText(v) {
  const special = REASONS[v.code];
  return special ? special(v) : t(`scanner-reason-${v.code.replace(/_/g, "-")}`);
}

function renderVerdict(v) {
  const valid = v.code === "valid";
  const box = $("verdict");
  box.dataset.verdict = valid ? "admit" : "refuse";
  box.dataset.code = v.code;
  $("verdict-word").textContent = t(valid ? "scanner-verdict-admit" : "scanner-verdict-refuse");
  $("verdict-reason").textContent = valid ? t("scanner-reason-valid") : reasonText(v);
  $("verdict-code").textContent = t("scanner-code", { code: v.code });
  const facts = $("verdict-facts");
  facts.replaceChildren();
  const fact = (text) => {
    const li = document.createElement("li");
    li.textContent = text;
    facts.append(li);
  };
  if (v.checkpoint) {
    fact(t("scanner-rv-name", { id: v.checkpoint.rv }));
    fact(windowText(v.checkpoint));
    fact(t("scanner-people", { count: v.checkpoint.people }));
  } else if (v.gate) {
    fact(t("scanner-people", { count: v.gate.people }));
  }
  const notes = $("verdict-notes");
  notes.replaceChildren();
  const note = (text) => {
    const p = document.createElement("p");
    p.textContent = text;
    notes.append(p);
  };
  if (v.staleWarning) note(t("scanner-stale-warning", { hours: Math.floor(v.statusAge / 3600) }));
  if (v.holderUnbound) note(t("scanner-holder-unbound"));
  const gate = state.device.role === "gate";
  $("admit").hidden = !valid || gate;
  $("gate-acts").hidden = !(gate && v.gate);
  if (gate && v.gate) {
    $("arrive-people").max = String(v.gate.people);
    $("arrive-people").value = String(v.gate.people);
  }
  $("admit").textContent = valid && v.checkpoint ? t("scanner-admit-button", { count: v.checkpoint.people }) : "";
  say("verdict-message", v.recorded ? t("scanner-refusal-recorded") : "", "info");
  show("result");
  $("verdict-word").focus();
}

// How far the device's clock may stand behind the latest time the scanner has seen on it
// before it stops verifying: a clock set back would keep an expired kit and an old revocation
// list in use.
const CLOCK_BACK_SECONDS = 300;

// Whether the device's clock stands behind the time it has already shown: the latest time a
// pass was verified, or the time the kit was fetched (the server's time less the skew it
// measured, so a clock that was simply off is not taken for one set back).
async function clockWentBack() {
  const now = protocol.now();
  const latest = Math.max(await store.noteTime(now), kitFetchedAt());
  return now < latest - CLOCK_BACK_SECONDS;
}

// When the kit was fetched, on the device's clock: the server's time less the skew it measured.
function kitFetchedAt() {
  return Math.floor(Date.parse(state.kit.server_time) / 1000) - (state.kit.skew_seconds || 0);
}

// How old a kit may grow on a phone that stays online before it is fetched again: a pass
// revoked, or every pass of a key rotated as compromised, is refused within minutes, not only
// after the escort presses "Send now".
const KIT_REFRESH_SECONDS = 300;

// Verifies a pass text; a refusal is recorded at once (as the reference client does), an
// admission waits for the escort's tap.
async function check(text, frameMark) {
  if (!state.verifier || kitExpired()) {
    say("scan-message", t(state.verifier ? "scanner-kit-expired-refuse" : "scanner-no-kit-refuse"), "bad");
    if (camera) camera.resume();
    return;
  }
  if (await clockWentBack()) {
    say("scan-message", t("scanner-clock-back-refuse"), "bad");
    if (camera) camera.resume();
    return;
  }
  const d = state.device;
  const place = Number($("place").value);
  const doc = $("holder-document").value.trim();
  const year = Number($("holder-year").value);
  const holder = doc && year ? { document: doc, year } : null;
  const v = await verifyText(state.verifier, text, { now: protocol.now(), rv: d.role === "gate" ? null : place, holder });
  if (frameMark) {
    performance.mark("scanner-verdict");
    performance.measure("scanner-verdict", frameMark, "scanner-verdict");
  }
  state.last = { v, place, digest: await passDigest(text) };
  if (v.code !== "valid" && d.role !== "gate") {
    await protocol.record(d, "refuse", { rv: place, pass: v.index ?? undefined, code: v.code });
    v.recorded = true;
    state.journal = await store.journal();
  }
  renderVerdict(v);
  renderStatus();
  $("holder-document").value = "";
  $("holder-year").value = "";
}

async function admit() {
  const { v, place, digest } = state.last;
  const batch = $("admit-batch").value ? Number($("admit-batch").value) : undefined;
  const people = v.checkpoint.people;
  await protocol.record(state.device, "admit", { rv: place, pass: v.index, pass_digest: digest, batch }, (j) => {
    const open = j.open_batches.find((b) => b.batch === batch);
    if (open) {
      open.households += 1;
      open.people += people;
    }
  });
  state.journal = await store.journal();
  renderBatches();
  renderStatus();
  say("scan-message", t("scanner-admitted", { count: people, batch: batch ?? "-" }), "ok");
  next();
}

async function atGate(act) {
  const { v, place, digest } = state.last;
  const fields = { gate: place, pass: v.index, pass_digest: digest };
  if (act === "arrive") {
    const people = Number($("arrive-people").value);
    if (!Number.isInteger(people) || people < 1 || people > v.gate.people) {
      say("verdict-message", t("scanner-people-range", { max: v.gate.people }), "bad");
      $("arrive-people").focus();
      return;
    }
    fields.people = people;
  }
  await protocol.record(state.device, act, fields);
  state.journal = await store.journal();
  renderStatus();
  say("scan-message", t(act === "arrive" ? "scanner-arrival-recorded" : "scanner-check-in-recorded"), "ok");
  next();
}

function next() {
  show("scan");
  if (camera) camera.resume();
}

// ---- forms ----

function onSubmit(id, handler) {
  $(id).addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = event.submitter;
    if (button) button.disabled = true;
    try {
      await handler(new FormData(event.target));
    } finally {
      if (button) button.disabled = false;
    }
  });
}

// Registers this device's key with the code a coordinator gave and loads its kit.
async function enrol(device, code) {
  try {
    state.device = await protocol.enrol(Number(session().op), device, code);
    await protocol.fetchKit(state.device);
    await load();
    await render();
    say("scan-message", t("scanner-enrolled"), "ok");
  } catch (e) {
    say("enrol-message", errorText(e), "bad");
  }
}

// The coordinator's enrolment QR code, read with the camera: the same enrolment as the typed
// number and code, for this session's operation only.
async function onEnrolmentQr(text) {
  const e = protocol.readEnrolment(text);
  const op = Number(session()?.op);
  if (!e || e.operation !== op) {
    say("enrol-message", e ? t("scanner-enrol-qr-other-op", { operation: e.operation }) : t("scanner-enrol-qr-not"), "bad");
    enrolCamera.resume();
    return;
  }
  stopEnrolCamera();
  $("enrol-device").value = String(e.device);
  $("enrol-code").value = e.code;
  await enrol(e.device, e.code);
}

let enrolCamera = null;

function stopEnrolCamera() {
  if (enrolCamera) enrolCamera.stop();
  $("enrol-camera").hidden = true;
  $("enrol-scan").hidden = false;
}

function wire() {
  onSubmit("enrol-form", (f) => enrol(Number(f.get("device")), String(f.get("code"))));
  $("enrol-scan").addEventListener("click", async () => {
    enrolCamera = enrolCamera || new Camera($("enrol-camera"), onEnrolmentQr);
    $("enrol-camera").hidden = false;
    $("enrol-scan").hidden = true;
    try {
      await enrolCamera.start();
    } catch (e) {
      stopEnrolCamera();
      console.warn("the camera could not start:", e);
      say("enrol-message", t("scanner-enrol-camera-failed"), "bad");
    }
  });
  onSubmit("text-form", async (f) => {
    $("pass-text").value = "";
    await check(String(f.get("pass")));
  });
  onSubmit("batch-form", async (f) => {
    const gate = Number(f.get("gate"));
    const rv = Number($("place").value);
    const batch = state.journal.next_batch;
    await protocol.record(state.device, "open_batch", { rv, batch, to_gate: gate }, (j) => {
      j.next_batch = batch + 1;
      j.open_batches.push({ batch, rv, gate, households: 0, people: 0 });
    });
    state.journal = await store.journal();
    renderBatches();
    renderStatus();
    say("scan-message", t("scanner-batch-opened", { batch, gate }), "ok");
  });
  onSubmit("depart-form", async (f) => {
    const batch = Number(f.get("batch"));
    const headCount = Number(f.get("head_count"));
    const open = state.journal.open_batches.find((b) => b.batch === batch);
    if (!open || !Number.isInteger(headCount) || headCount < 1) {
      say("scan-message", t("scanner-head-count-needed"), "bad");
      return;
    }
    await protocol.record(state.device, "depart", { rv: open.rv, batch, head_count: headCount }, (j) => {
      j.open_batches = j.open_batches.filter((b) => b.batch !== batch);
    });
    state.journal = await store.journal();
    renderBatches();
    renderStatus();
    const differs = headCount !== open.people;
    say("scan-message", t(differs ? "scanner-departed-differs" : "scanner-departed", { batch, count: headCount, admitted: open.people }), differs ? "warn" : "ok");
  });
  $("camera-start").addEventListener("click", async () => {
    camera = camera || new Camera($("camera"), (text, mark) => check(text, mark));
    try {
      await camera.start();
      $("camera-start").hidden = true;
      $("camera-stop").hidden = false;
    } catch (e) {
      console.warn("the camera could not start:", e);
      say("scan-message", t("scanner-camera-failed"), "bad");
    }
  });
  $("camera-stop").addEventListener("click", stopCamera);
  $("admit").addEventListener("click", admit);
  $("arrive").addEventListener("click", () => atGate("arrive"));
  $("check-in").addEventListener("click", () => atGate("check_in"));
  $("next").addEventListener("click", next);
  $("sync").addEventListener("click", syncNow);
  $("kit-refresh").addEventListener("click", refreshKit);
  $("wipe").addEventListener("click", wipe);
  window.addEventListener("online", () => {
    state.online = true;
    syncNow();
  });
  window.addEventListener("offline", () => {
    state.online = false;
    renderStatus();
  });
}

function stopCamera() {
  if (camera) camera.stop();
  $("camera-start").hidden = false;
  $("camera-stop").hidden = true;
}

async function wipe() {
  if (!window.confirm(t("scanner-wipe-confirm"))) return;
  if (state.device && protocol.token()) {
    try {
      await protocol.retire(state.device);
    } catch (e) {
      window.alert(t("scanner-wipe-unreported", { reason: errorText(e) }));
    }
  }
  await forget();
  say("enrol-message", t("scanner-wiped"), "ok");
}

// The page's own copy being kept for a start with no network (start()): a wipe waits for it,
// a few seconds at most, so that nothing is written back into the cache after the wipe.
let keepingPage = Promise.resolve();
const KEEPING_PAGE_WAIT_MS = 5000;

// Deletes everything on the device and shows the enrolment screen (the database is not
// opened again until a new enrolment).
async function forget() {
  stopCamera();
  await Promise.race([keepingPage, new Promise((done) => setTimeout(done, KEEPING_PAGE_WAIT_MS))]);
  await store.wipe();
  Object.assign(state, { device: null, kit: null, verifier: null, journal: store.emptyJournal(), last: null });
  await render();
}

async function start() {
  for (const id of ["signin-link", "enrol-signin-link"]) $(id).href = href("/app/sign-in");
  // Signing out sends what waits while the session lasts, then drops the kit, so that a phone
  // left signed out holds no key to read passes with (the journal stays if it could not go).
  onSignOut(async () => {
    if (state.device && state.journal.pending.length && navigator.onLine) await syncNow();
    stopCamera();
    await store.dropKit();
  });
  showWho(session());
  wire();
  await load();
  await render();
  if ("serviceWorker" in navigator) {
    keepingPage = navigator.serviceWorker
      .register("/scanner/sw.js", { scope: "/scanner/" })
      .then(() => navigator.serviceWorker.ready)
      // This page in its language, for a restart with no network.
      .then(() => caches.open("safeconduct-scanner-v1"))
      .then((cache) => cache.add(location.pathname + location.search))
      .catch(() => {});
  }
  if (state.device && protocol.token() && navigator.onLine) await syncNow();
  // Every 30 s while online and signed in: what waits is sent, and a kit past its refresh age
  // (or none, or one fetched at a time the clock no longer agrees with) is fetched anew, at
  // most once in the refresh age, so that a refused or discarded kit is not asked for again
  // and again.
  let lastKitTry = 0;
  setInterval(() => {
    if (!(state.device && protocol.token() && navigator.onLine)) return;
    const now = protocol.now();
    const old = !state.kit || Math.abs(now - kitFetchedAt()) > KIT_REFRESH_SECONDS;
    const due = old && Math.abs(now - lastKitTry) > KIT_REFRESH_SECONDS;
    if (due) lastKitTry = now;
    if (state.journal.pending.length || due) syncNow();
  }, 30000);
  setInterval(renderStatus, 60000);
}

start();
