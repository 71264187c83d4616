// Offline pass verification in the browser, the same checks in the same order as
// crates/pass/src/verify.rs (docs/pass-format.md section 10): base45, deterministic CBOR,
// COSE_Sign1 with Ed25519, tiers under AES-256-GCM, the status list and its age, the RV, the
// window and the holder binding (PBKDF2-HMAC-SHA-256). WebCrypto only; no network.
//
// Must not import: the store, the protocol calls or the page (pure: bytes and keys in,
// an outcome out).

const TEXT_PREFIX = "SC2:";
const OLD_TEXT_PREFIX = "SC1:";
const FORMAT_VERSION = 2;
const MAX_VALUE = 0xffffffff;
const MAX_PASSES = 2 ** 28;
const MIN_STATUS_SIZE = 1024;
const CHECKPOINT_PLAINTEXT = 30;
const GATE_PLAINTEXT = 25;
const MAX_REFERENCE = 8;
const HOLDER_ITERATIONS = 500000;
const MIN_DOCUMENT_CHARS = 8;
// domain::admission::WINDOW_TOLERANCE_SECONDS
const WINDOW_TOLERANCE_SECONDS = 0;
// How far a device's clock may be off (domain::field::CLOCK_SKEW_SECONDS): a status list
// signed further ahead of this clock than that means the clock is set back.
const CLOCK_SKEW_SECONDS = 86400;
const TIER_CHECKPOINT = 1;
const TIER_GATE = 2;
const ALG_EDDSA = -8;

const subtle = globalThis.crypto.subtle;

class Malformed extends Error {}

// ---- base45 (RFC 9285), strict ----

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

function b45value(c) {
  const v = ALPHABET.indexOf(c);
  if (v < 0 || c.length !== 1) throw new Malformed();
  return v;
}

export function base45Decode(text) {
  const out = [];
  for (let i = 0; i < text.length; i += 3) {
    const group = text.slice(i, i + 3);
    if (group.length === 3) {
      const n = b45value(group[0]) + b45value(group[1]) * 45 + b45value(group[2]) * 2025;
      if (n > 0xffff) throw new Malformed();
      out.push(n >> 8, n & 0xff);
    } else if (group.length === 2) {
      const n = b45value(group[0]) + b45value(group[1]) * 45;
      if (n > 0xff) throw new Malformed();
      out.push(n);
    } else {
      throw new Malformed();
    }
  }
  return new Uint8Array(out);
}

// ---- base64url without padding ----

export function b64uDecode(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Malformed();
  const std = text.replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(std + "===".slice((std.length + 3) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

export function b64uEncode(bytes) {
  let bin = "";
  for (const b of new Uint8Array(bytes)) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// ---- deterministic CBOR reader (crates/pass/src/cbor.rs) ----

const UINT = 0, NINT = 1, BYTES = 2, TEXT = 3, ARRAY = 4, MAP = 5, TAG = 6, NULL = 0xf6;
const MAX_LEN = 1 << 20;

class Reader {
  constructor(data) {
    this.data = data;
    this.pos = 0;
  }
  take(n) {
    if (this.pos + n > this.data.length) throw new Malformed();
    const s = this.data.subarray(this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
  peek() {
    if (this.pos >= this.data.length) throw new Malformed();
    return this.data[this.pos];
  }
  head(major) {
    const first = this.take(1)[0];
    if (first >> 5 !== major) throw new Malformed();
    const info = first & 0x1f;
    if (info < 24) return info;
    let n, min;
    if (info === 24) [n, min] = [this.take(1)[0], 24];
    else if (info === 25) {
      const b = this.take(2);
      [n, min] = [(b[0] << 8) | b[1], 0x100];
    } else if (info === 26) {
      const b = this.take(4);
      [n, min] = [((b[0] << 24) >>> 0) + ((b[1] << 16) | (b[2] << 8) | b[3]), 0x10000];
    } else if (info === 27) {
      const b = this.take(8);
      let big = 0n;
      for (const x of b) big = (big << 8n) | BigInt(x);
      if (big < 0x100000000n || big > BigInt(Number.MAX_SAFE_INTEGER)) throw new Malformed();
      return Number(big);
    } else throw new Malformed();
    if (n < min) throw new Malformed();
    return n;
  }
  uint() {
    return this.head(UINT);
  }
  int() {
    const major = this.peek() >> 5;
    const n = this.head(major);
    if (major === UINT) return n;
    if (major === NINT) return -1 - n;
    throw new Malformed();
  }
  bytes() {
    const n = this.head(BYTES);
    if (n > MAX_LEN) throw new Malformed();
    return this.take(n);
  }
  text() {
    const n = this.head(TEXT);
    if (n > MAX_LEN) throw new Malformed();
    return new TextDecoder("utf-8", { fatal: true }).decode(this.take(n));
  }
  array() {
    return this.head(ARRAY);
  }
  map() {
    return this.head(MAP);
  }
  isNull() {
    if (this.peek() === NULL) {
      this.pos += 1;
      return true;
    }
    return false;
  }
  key(expected) {
    if (this.int() !== expected) throw new Malformed();
  }
  isTag() {
    return this.pos < this.data.length && this.data[this.pos] >> 5 === TAG;
  }
  endPadded() {
    if (this.data.subarray(this.pos).some((b) => b !== 0)) throw new Malformed();
  }
  end() {
    if (this.pos !== this.data.length) throw new Malformed();
  }
}

function cborHead(major, n) {
  const m = major << 5;
  if (n < 24) return [m | n];
  if (n <= 0xff) return [m | 24, n];
  if (n <= 0xffff) return [m | 25, n >> 8, n & 0xff];
  return [m | 26, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

function cborBytes(b) {
  return [...cborHead(BYTES, b.length), ...b];
}

// ---- COSE_Sign1 (crates/pass/src/cose.rs) ----

function parseSign1(bytes) {
  const r = new Reader(bytes);
  if (r.isTag() && r.head(TAG) !== 18) throw new Malformed();
  if (r.array() !== 4) throw new Malformed();
  const protectedBytes = r.bytes();
  if (r.map() !== 0) throw new Malformed();
  const payload = r.bytes();
  const signature = r.bytes();
  if (signature.length !== 64) throw new Malformed();
  r.end();
  const h = new Reader(protectedBytes);
  if (h.map() !== 2) throw new Malformed();
  h.key(1);
  if (h.int() !== ALG_EDDSA) throw new Malformed();
  h.key(4);
  const kid = h.bytes();
  if (kid.length !== 4) throw new Malformed();
  h.end();
  return { kid: hex(kid), kidBytes: kid, protectedBytes, payload, signature };
}

// Sig_structure = ["Signature1", protected, h'', payload]
function toBeSigned(sign1) {
  const label = new TextEncoder().encode("Signature1");
  return new Uint8Array([
    0x84,
    ...cborHead(TEXT, label.length),
    ...label,
    ...cborBytes(sign1.protectedBytes),
    0x40,
    ...cborBytes(sign1.payload),
  ]);
}

async function ed25519Verify(key, sign1) {
  try {
    return await subtle.verify({ name: "Ed25519" }, key, sign1.signature, toBeSigned(sign1));
  } catch {
    return false;
  }
}

// ---- the pass (crates/pass/src/pass.rs) ----

function isOldPayload(payload) {
  try {
    const r = new Reader(payload);
    if (r.map() !== 5) return false;
    for (const key of [1, 2, 3]) {
      r.key(key);
      r.uint();
    }
    for (const key of [4, 5]) {
      r.key(key);
      r.bytes();
    }
    r.end();
    return true;
  } catch {
    return false;
  }
}

const NOT_A_PASS = "not_a_pass";
const OLD_FORMAT = "old_format";

// The envelope, or the string NOT_A_PASS / OLD_FORMAT.
function parseEnvelope(bytes) {
  let sign1;
  try {
    sign1 = parseSign1(bytes);
  } catch {
    return NOT_A_PASS;
  }
  if (isOldPayload(sign1.payload)) return OLD_FORMAT;
  try {
    const r = new Reader(sign1.payload);
    if (r.map() !== 6) throw new Malformed();
    r.key(0);
    if (r.uint() !== FORMAT_VERSION) throw new Malformed();
    r.key(1);
    const index = r.uint();
    r.key(2);
    const notBefore = r.uint();
    r.key(3);
    const expires = r.uint();
    r.key(4);
    const checkpoint = r.bytes();
    r.key(5);
    const gate = r.bytes();
    r.end();
    return { sign1, kid: sign1.kid, index, notBefore, expires, checkpoint, gate };
  } catch {
    return NOT_A_PASS;
  }
}

function small(r) {
  const n = r.uint();
  if (n > MAX_VALUE) throw new Malformed();
  return n;
}

function decodeCheckpoint(plain) {
  if (plain.length !== CHECKPOINT_PLAINTEXT) throw new Malformed();
  const r = new Reader(plain);
  if (r.array() !== 5) throw new Malformed();
  const c = { rv: small(r), windowStart: small(r), windowEnd: small(r), people: small(r) };
  if (r.isNull()) c.holder = null;
  else {
    c.holder = r.bytes();
    if (c.holder.length !== 8) throw new Malformed();
  }
  r.endPadded();
  return c;
}

function decodeGate(plain) {
  if (plain.length !== GATE_PLAINTEXT) throw new Malformed();
  const r = new Reader(plain);
  if (r.array() !== 4) throw new Malformed();
  const reference = r.text();
  if (new TextEncoder().encode(reference).length > MAX_REFERENCE) throw new Malformed();
  const g = { reference, people: small(r), rv: small(r), windowStart: small(r) };
  r.endPadded();
  return g;
}

function nonceOf(envelope) {
  const n = new Uint8Array(12);
  n.set(envelope.sign1.kidBytes, 0);
  new DataView(n.buffer).setBigUint64(4, BigInt(envelope.index));
  return n;
}

async function openTier(envelope, place, tier) {
  const iv = nonceOf(envelope);
  const aad = new Uint8Array(13);
  aad.set(iv, 0);
  aad[12] = tier;
  const sealed = tier === TIER_CHECKPOINT ? envelope.checkpoint : envelope.gate;
  let plain;
  try {
    plain = new Uint8Array(
      await subtle.decrypt({ name: "AES-GCM", iv, additionalData: aad, tagLength: 128 }, place.key, sealed),
    );
  } catch {
    return null;
  }
  try {
    const opened = tier === TIER_CHECKPOINT ? decodeCheckpoint(plain) : decodeGate(plain);
    return opened.rv === place.rv ? opened : null;
  } catch {
    return null;
  }
}

// ---- the status list (crates/pass/src/status.rs) ----

async function inflate(z, expected) {
  const stream = new Blob([z]).stream().pipeThrough(new DecompressionStream("deflate"));
  const reader = stream.getReader();
  const out = new Uint8Array(expected);
  let at = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (at + value.length > expected) {
      await reader.cancel();
      throw new Malformed();
    }
    out.set(value, at);
    at += value.length;
  }
  if (at !== expected) throw new Malformed();
  return out;
}

function isBucket(size) {
  if (size < MIN_STATUS_SIZE) return false;
  return (size & (size - 1)) === 0;
}

async function verifyStatusList(bytes, keys) {
  const sign1 = parseSign1(bytes);
  const key = keys.find((k) => k.kid === sign1.kid);
  if (!key) throw new Error("the status list is signed by an unknown key");
  if (!(await ed25519Verify(key.key, sign1))) throw new Error("the status list's signature does not verify");
  const r = new Reader(sign1.payload);
  if (r.map() !== 5) throw new Malformed();
  r.key(1);
  const issuedAt = r.uint();
  r.key(2);
  const size = r.uint();
  if (size > MAX_PASSES || !isBucket(size)) throw new Malformed();
  const n = Math.ceil(size / 8);
  r.key(3);
  const revoked = await inflate(r.bytes(), n);
  r.key(4);
  const superseded = await inflate(r.bytes(), n);
  r.key(5);
  const count = r.array();
  if (count > 1024) throw new Malformed();
  const compromised = [];
  for (let i = 0; i < count; i++) {
    const kid = r.bytes();
    if (kid.length !== 4) throw new Malformed();
    compromised.push(hex(kid));
  }
  r.end();
  if (compromised.includes(sign1.kid)) throw new Error("the status list is signed by a compromised key");
  return { issuedAt, size, revoked, superseded, compromised };
}

function bit(bits, index) {
  const byte = bits[Math.floor(index / 8)];
  return byte !== undefined && ((byte >> index % 8) & 1) === 1;
}

function passStatus(list, index) {
  if (bit(list.superseded, index)) return "superseded";
  if (bit(list.revoked, index)) return "revoked";
  return "good";
}

// ---- the kit (keys::passes::FieldKit::verifier) ----

function parseCoseKey(bytes) {
  const r = new Reader(bytes);
  if (r.map() !== 5) throw new Malformed();
  r.key(1);
  if (r.int() !== 1) throw new Malformed();
  r.key(2);
  const kid = r.bytes();
  if (kid.length !== 4) throw new Malformed();
  r.key(3);
  if (r.int() !== ALG_EDDSA) throw new Malformed();
  r.key(-1);
  if (r.int() !== 6) throw new Malformed();
  r.key(-2);
  const x = r.bytes();
  if (x.length !== 32) throw new Malformed();
  r.end();
  return { kid: hex(kid), x };
}

export const KIT_FORMAT = "safeconduct-field-kit/2";

// Builds the offline verifier a field kit describes; the status list's signature is checked
// against the kit's keys. Throws with a readable reason when the kit is unusable.
export async function verifierFromKit(kit) {
  if (kit.format !== KIT_FORMAT) throw new Error(`format ${kit.format} is not ${KIT_FORMAT}: fetch a new field kit`);
  const keys = [];
  for (const k of kit.keys) {
    const { kid, x } = parseCoseKey(b64uDecode(k.cose_key));
    const key = await subtle.importKey("raw", x, { name: "Ed25519" }, false, ["verify"]);
    keys.push({ kid, key });
  }
  if (kit.tier !== "checkpoint" && kit.tier !== "gate") throw new Error(`unknown tier ${kit.tier}`);
  const places = [];
  for (const p of kit.places) {
    const raw = b64uDecode(p.key);
    if (raw.length !== 32) throw new Error(`the key of rendezvous point ${p.rv} is not 32 bytes`);
    if (!/^[0-9a-f]{8}$/i.test(p.kid)) throw new Error(`the signing key id ${p.kid} is not 8 hex digits`);
    const key = await subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["decrypt"]);
    places.push({ rv: p.rv, key });
  }
  const status = await verifyStatusList(b64uDecode(kit.status_list), keys);
  return {
    keys,
    checkpoint: kit.tier === "checkpoint" ? places : [],
    gate: kit.tier === "gate" ? places : [],
    status,
    policy: { warnAfter: kit.policy.warn_after_seconds, refuseAfter: kit.policy.refuse_after_seconds },
  };
}

// ---- the holder binding (crates/pass/src/holder.rs) ----

export function normaliseDocument(number) {
  return Array.from(number)
    .filter((c) => /^[A-Za-z0-9]$/.test(c))
    .map((c) => c.toUpperCase())
    .join("");
}

export async function holderBinding(kidBytes, index, document, birthYear) {
  if (!Number.isInteger(birthYear) || birthYear < 0 || birthYear > 0xffff) return null;
  const number = normaliseDocument(document);
  if (number.length < MIN_DOCUMENT_CHARS) return null;
  const enc = new TextEncoder();
  const password = new Uint8Array([...enc.encode(number), 0, birthYear >> 8, birthYear & 0xff]);
  const salt = new Uint8Array(26 + 4 + 8);
  salt.set(enc.encode("safeconduct pass v2 holder"), 0);
  salt.set(kidBytes, 26);
  new DataView(salt.buffer).setBigUint64(30, BigInt(index));
  const base = await subtle.importKey("raw", password, "PBKDF2", false, ["deriveBits"]);
  const bits = await subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations: HOLDER_ITERATIONS },
    base,
    64,
  );
  return new Uint8Array(bits);
}

// ---- verification (crates/pass/src/verify.rs) ----

function only(code) {
  return { code, kid: null, index: null, checkpoint: null, gate: null, statusAge: null, staleWarning: false, holderUnbound: false };
}

function isOldText(text) {
  const t = text.trim();
  if (!t.startsWith(OLD_TEXT_PREFIX)) return false;
  try {
    return parseEnvelope(base45Decode(t.slice(OLD_TEXT_PREFIX.length))) === OLD_FORMAT;
  } catch {
    return false;
  }
}

function fromText(text) {
  const t = text.trim();
  if (!t.startsWith(TEXT_PREFIX)) return null;
  try {
    return base45Decode(t.slice(TEXT_PREFIX.length));
  } catch {
    return null;
  }
}

// Checks one pass given as its text. `check`: { now (Unix seconds), rv (or null),
// holder: { document, year } or null }. The answer: `code` ("valid" admits; any other is
// the refusal's code), and what the pass showed (`index`, `checkpoint`, `by` seconds for
// timing outcomes, the status list's age, the stale warning, `holderUnbound`).
// The digest a record names its pass by besides its index (safeconduct_pass::digest): the
// first 16 bytes of the SHA-256 of the pass's signed bytes, base64url without padding.
export async function passDigest(text) {
  const bytes = fromText(text);
  if (!bytes) return undefined;
  const full = await crypto.subtle.digest("SHA-256", bytes);
  return b64uEncode(new Uint8Array(full).slice(0, 16));
}

export async function verifyText(verifier, text, check) {
  const bytes = fromText(text);
  if (!bytes) return only(isOldText(text) ? OLD_FORMAT : NOT_A_PASS);
  const envelope = parseEnvelope(bytes);
  if (envelope === NOT_A_PASS || envelope === OLD_FORMAT) return only(envelope);
  const key = verifier.keys.find((k) => k.kid === envelope.kid);
  if (!key) return { ...only("unknown_key"), kid: envelope.kid };
  const v = { ...only("valid"), kid: envelope.kid, index: envelope.index };
  const out = (code, extra = {}) => ({ ...v, ...extra, code });
  if (!(await ed25519Verify(key.key, envelope.sign1))) return out("bad_signature");
  const status = verifier.status;
  if (status && status.compromised.includes(envelope.kid)) {
    return out("revoked", { statusAge: Math.max(0, check.now - status.issuedAt) });
  }
  if (verifier.gate.length === 0 && verifier.checkpoint.length === 0) return out("tier_unreadable");
  for (const [places, tier, field] of [
    [verifier.gate, TIER_GATE, "gate"],
    [verifier.checkpoint, TIER_CHECKPOINT, "checkpoint"],
  ]) {
    if (places.length === 0) continue;
    for (const place of places) {
      v[field] = await openTier(envelope, place, tier);
      if (v[field]) break;
    }
    if (!v[field]) return out("wrong_rv");
  }
  if (!status) return out("status_list_missing");
  const age = Math.max(0, check.now - status.issuedAt);
  v.statusAge = age;
  if (status.compromised.includes(envelope.kid)) return out("revoked");
  const standing = passStatus(status, envelope.index);
  if (standing !== "good") return out(standing);
  const ahead = status.issuedAt - check.now;
  if (ahead > CLOCK_SKEW_SECONDS) return out("clock_behind", { by: ahead });
  if (age > verifier.policy.refuseAfter) return out("status_list_stale", { by: age });
  v.staleWarning = age > verifier.policy.warnAfter;
  if (check.now >= envelope.expires) return out("expired", { by: check.now - envelope.expires });
  if (check.now < envelope.notBefore) return out("not_yet_valid", { by: envelope.notBefore - check.now });
  const c = v.checkpoint;
  if (!c) return v;
  if (check.rv !== null && check.rv !== undefined && check.rv !== c.rv) return out("wrong_rv", { here: check.rv });
  if (check.now < c.windowStart - WINDOW_TOLERANCE_SECONDS) {
    return out("outside_window", { early: true, by: c.windowStart - check.now });
  }
  if (check.now > c.windowEnd + WINDOW_TOLERANCE_SECONDS) {
    return out("outside_window", { early: false, by: check.now - c.windowEnd });
  }
  if (check.holder) {
    if (!c.holder) return out("valid", { holderUnbound: true });
    const computed = await holderBinding(envelope.sign1.kidBytes, envelope.index, check.holder.document, check.holder.year);
    if (!computed || hex(computed) !== hex(c.holder)) return out("holder_mismatch");
  }
  return v;
}
