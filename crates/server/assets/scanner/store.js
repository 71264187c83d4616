// What the scanner keeps on the device, in IndexedDB (docs/field-protocol.md section 8): the
// device (ids, role, places), its Ed25519 key pair (private half non-extractable), and, sealed
// under an AES-256-GCM key that is itself non-extractable, the field kit (tier keys, windows
// and their counts, gate locations) and the journal (next seq, next batch, open batches,
// pending signed records). The journal is rewritten in one
// transaction with every record it numbers, so a crash can neither reuse a number nor leave a
// gap. Beside them, in clear, the latest time it verified a pass at (a clock set back is
// noticed). Nothing else is stored: no pass text, no reference, no name, no document (a record
// carries a pass's index and fingerprint). The sealing key sits beside what it seals: it
// keeps them from being read in the files alone, not on the unlocked phone.
//
// Must not import: the page or the protocol calls.

const DB_NAME = "safeconduct-scanner";
const STORE = "state";

function request(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

let opened = null;

function db() {
  if (!opened) {
    const r = indexedDB.open(DB_NAME, 1);
    r.onupgradeneeded = () => r.result.createObjectStore(STORE);
    opened = request(r);
  }
  return opened;
}

async function get(key) {
  const d = await db();
  return request(d.transaction(STORE, "readonly").objectStore(STORE).get(key));
}

// Writes every entry of `entries` in one transaction: all of them or none.
async function putAll(entries) {
  const d = await db();
  const tx = d.transaction(STORE, "readwrite");
  const s = tx.objectStore(STORE);
  for (const [key, value] of Object.entries(entries)) s.put(value, key);
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error("the write was aborted"));
  });
}

async function sealingKey() {
  let key = await get("sealing");
  if (!key) {
    key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
    await putAll({ sealing: key });
  }
  return key;
}

// What a sealed value is: the additional data binds it to its use, so that a sealed kit can
// never be read as a journal or the other way round.
const PURPOSE = {
  journal: new TextEncoder().encode("safeconduct scanner journal"),
  kit: new TextEncoder().encode("safeconduct scanner kit"),
};

async function seal(value, purpose = "journal") {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const plain = new TextEncoder().encode(JSON.stringify(value));
  const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: PURPOSE[purpose] }, await sealingKey(), plain);
  return { iv, ct: new Uint8Array(ct) };
}

async function unseal(sealed, purpose = "journal") {
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: sealed.iv, additionalData: PURPOSE[purpose] },
    await sealingKey(),
    sealed.ct,
  );
  return JSON.parse(new TextDecoder().decode(plain));
}

export function emptyJournal() {
  return { next_seq: 0, next_batch: 1, open_batches: [], pending: [] };
}

// The latest time, on the device's clock, at which the scanner has verified a pass, kept apart
// from the journal (which only a record rewrites): a clock set back behind it is noticed.
// Written at most once a minute (the check allows five), so that a scan costs a read, not a
// write. Answers the latest time kept before this one.
export async function noteTime(now) {
  const before = (await get("latest_time")) || 0;
  if (now >= before + 60) await putAll({ latest_time: now });
  return before;
}

// A kit was just fetched: the server vouched for the device's time, within the skew it
// measured, so the latest time shown starts again from now. A clock put right backwards (it
// ran fast) stops the checking only until the next kit.
export async function timeVouched(now) {
  await putAll({ latest_time: now });
}

export async function device() {
  return (await get("device")) || null;
}

export async function signingKey() {
  return (await get("signing")) || null;
}

// A new non-extractable Ed25519 key pair, kept before it is registered: the public half is
// what the server is told, the private half never leaves the browser.
export async function makeSigningKey() {
  const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
  await putAll({ signing: pair });
  return pair;
}

export async function saveDevice(d) {
  await putAll({ device: d, journal: await seal(emptyJournal()) });
}

// The kit, while it may be used. A kit past its expiry is deleted, not kept: the tier keys,
// gate locations and counts it carries must not outlive it on a phone that was lost. A kit
// kept in clear by an earlier version of the page is sealed now.
export async function kit() {
  const stored = (await get("kit")) || null;
  if (!stored) return null;
  let k = stored;
  if (stored.ct) {
    try {
      k = await unseal(stored, "kit");
    } catch {
      k = null;
    }
  }
  // A kit that cannot be opened (its sealing key gone) is as good as none.
  if (!k || !(Date.parse(k.expires_at) > Date.now())) {
    await dropKit();
    return null;
  }
  if (!stored.ct) await saveKit(k);
  return k;
}

// Deletes the kit and keeps the journal (its signed records still have to reach the server).
export async function dropKit() {
  const d = await db();
  const tx = d.transaction(STORE, "readwrite");
  tx.objectStore(STORE).delete("kit");
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
  });
}

export async function saveKit(k) {
  await putAll({ kit: await seal(k, "kit") });
}

export async function journal() {
  const sealed = await get("journal");
  return sealed ? unseal(sealed) : emptyJournal();
}

export async function saveJournal(j) {
  await putAll({ journal: await seal(j) });
}

// Forgets everything: the database, and the app's cached files.
export async function wipe() {
  if (opened) (await opened).close();
  opened = null;
  await request(indexedDB.deleteDatabase(DB_NAME));
  sessionStorage.clear();
  if (globalThis.caches) {
    for (const name of await caches.keys()) await caches.delete(name);
  }
}
