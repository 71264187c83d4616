// The field protocol (docs/field-protocol.md) as the reference client speaks it
// (crates/cli/src/field/online.rs, http.rs; texts of keys::devices::client): register the
// device's key, ask for the kit with a signed request, make signed records, sync them in seq
// order in chunks of at most 1000. The bearer token is the session's of the sign-in page
// (app.js: sessionStorage only); a 401 ends it, and checking passes goes on without one.
//
// Must not import: the page.

import { b64uEncode } from "./pass.js";
import * as store from "./store.js";
import { session, clearSession } from "../app.js";

export const MAX_RECORDS_PER_SYNC = 1000;

export function now() {
  return Math.floor(Date.now() / 1000);
}

// The bearer token of this tab's session (app.js keeps it in sessionStorage), or null.
export function token() {
  return session()?.token || null;
}

// A refusal from the server: its status, stable code and message.
export class Refused extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// No answer at all: the network is down or the server unreachable.
export class Unreachable extends Error {}

async function call(method, path, body) {
  const headers = { "Content-Type": "application/json" };
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store" });
  } catch (e) {
    throw new Unreachable(String(e));
  }
  const text = await response.text();
  let answer = null;
  try {
    answer = JSON.parse(text);
  } catch {
    answer = null;
  }
  if (!response.ok) {
    const err = (answer && answer.error) || {};
    if (response.status === 401) clearSession();
    if ((response.status === 401 || response.status === 403) && path.includes("/devices/")) {
      // A device call refused for the session: the device may have been suspended (which
      // signs its user out everywhere) and the phone may be in other hands. The kit goes;
      // the journal stays for the next sign-in.
      await store.dropKit();
    }
    throw new Refused(response.status, err.code || `http_${response.status}`, err.message || text.slice(0, 200));
  }
  return answer;
}

async function sign(text) {
  const pair = await store.signingKey();
  if (!pair) throw new Error("this device holds no key: enrol it");
  const sig = await crypto.subtle.sign({ name: "Ed25519" }, pair.privateKey, new TextEncoder().encode(text));
  return b64uEncode(new Uint8Array(sig));
}

const devicePath = (d) => `/api/operations/${d.operation}/devices/${d.device}`;

// Makes the device's key pair and registers its public half with the one-time code.
export async function enrol(operation, deviceId, code) {
  const pair = await store.makeSigningKey();
  const raw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  const registered = await call("POST", devicePath({ operation, device: deviceId }) + "/key", {
    code,
    public_key: b64uEncode(raw),
  });
  const d = {
    operation,
    device: deviceId,
    role: registered.role,
    rv_ids: registered.rv_ids || [],
    gate_ids: registered.gate_ids || [],
  };
  await store.saveDevice(d);
  return d;
}

// What a coordinator's enrolment QR code holds (keys::devices::enrolment_qr_text):
// { operation, device, code }, or null for any other text.
export function readEnrolment(text) {
  const m = /^SCE1:([1-9][0-9]{0,9})\/([1-9][0-9]{0,15})\/([0-9A-Z-]{1,40})$/.exec(text.trim());
  return m ? { operation: Number(m[1]), device: Number(m[2]), code: m[3] } : null;
}

// The kit request text, members in alphabetical order, compact (keys::devices::client).
export function kitRequestText(d, at) {
  return JSON.stringify({ at, device: d.device, format: "safeconduct-kit-request/1", op: d.operation });
}

export async function fetchKit(d) {
  const request = kitRequestText(d, now());
  const answer = await call("POST", devicePath(d) + "/kit", { request, signature: await sign(request) });
  await store.saveKit(answer);
  await store.timeVouched(now());
  return answer;
}

// The record text of one act: members in alphabetical order, compact, as the reference
// client writes it. `fields` holds the act's own members (rv or gate, pass, batch, ...).
export function recordText(d, seq, at, act, fields) {
  const all = { ...fields, act, at, device: d.device, format: "safeconduct-scan/2", op: d.operation, seq };
  const sorted = {};
  for (const k of Object.keys(all).sort()) if (all[k] !== undefined && all[k] !== null) sorted[k] = all[k];
  return JSON.stringify(sorted);
}

// Changes of the journal take turns: a record made while another is being written, or while
// a sync drops what it sent, must not read the journal before the other's write.
let turn = Promise.resolve();
function inTurn(work) {
  const run = turn.then(work);
  turn = run.catch(() => {});
  return run;
}

// Signs a record and keeps it with the journal's counters in one write. `change(journal)`
// updates the journal's other state (batches) in the same write.
export function record(d, act, fields, change) {
  return inTurn(() => recordNow(d, act, fields, change));
}

async function recordNow(d, act, fields, change) {
  const j = await store.journal();
  const seq = j.next_seq;
  const text = recordText(d, seq, now(), act, fields);
  const signature = await sign(text);
  j.next_seq = seq + 1;
  j.pending.push({ seq, record: text, signature });
  if (change) change(j);
  await store.saveJournal(j);
  return { seq, journal: j };
}

// Sends the pending records in seq order; drops each chunk once answered 200. Throws
// Unreachable (try later), or Refused (401: sign in; 409 device_suspended: wipe; 503: try
// later; 422: a record is wrong).
export async function sync(d) {
  const totals = { received: 0, already_had: 0, incidents: [], applied_seq: null };
  for (;;) {
    const j = await store.journal();
    if (j.pending.length === 0) return totals;
    const chunk = j.pending.slice(0, MAX_RECORDS_PER_SYNC);
    const answer = await call("POST", devicePath(d) + "/scans", {
      device_time: now(),
      records: chunk.map((p) => ({ record: p.record, signature: p.signature })),
    });
    const sent = new Set(chunk.map((p) => p.seq));
    await inTurn(async () => {
      const after = await store.journal();
      after.pending = after.pending.filter((p) => !sent.has(p.seq));
      await store.saveJournal(after);
    });
    totals.received += answer.received;
    totals.already_had += answer.already_had;
    totals.applied_seq = answer.applied_seq;
    totals.incidents.push(...(answer.incidents || []));
  }
}

// Tells the server this device is wiped: its key is suspended (needs a session).
export async function retire(d) {
  return call("POST", devicePath(d) + "/retire");
}
