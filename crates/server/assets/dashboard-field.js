// Coordinator dashboard, its field: who acts where (each escort and gate user with their
// places, and the places nobody acts at), giving a user places, and the field devices:
// enrolling one (its one-time code and QR code) and the list of devices, from which a phone
// lost or taken is suspended at once; and the pass keys, rotated as compromised when such a
// phone may have been opened. Coordinators only, as the API allows. Imported by dashboard.js.
import { api, el, list, num, redraw, t, when } from "./app.js";
import { confirm, onSubmit, showResult } from "./dashboard-cases.js";

const $ = (id) => document.getElementById(id);

/**
 * Sets up the field section; answers the functions that read its parts again on a change made
 * elsewhere: `whoActsWhere` and `devices`.
 */
export function setupField() {
  const whoActsWhere = setupFieldUsers();
  const devices = setupDeviceList();
  setupDevices(devices);
  setupPlaces(whoActsWhere);
  setupPassKeys();
  return { whoActsWhere, devices };
}

/** Where a device acts: its RVs' or its gate's numbers. */
function devicePlaces(d) {
  return d.role === "gate"
    ? t("dashboard-device-at-gates", { ids: list(d.gate_ids.map(num)) })
    : t("dashboard-device-at-rvs", { count: d.rv_ids.length, ids: list(d.rv_ids.map(num)) });
}

/**
 * The operation's field devices, newest first: each with its label, user, role, places, state and
 * last sync, and, unless already suspended, a button that suspends it (asked first). Answers
 * the function that reads the list again.
 */
function setupDeviceList() {
  const read = async () => {
    $("device-list-error").hidden = true;
    try {
      const devices = await api("GET", "/api/operations/{op}/devices");
      const lines = devices
        .slice()
        .reverse()
        .map((d) =>
          el(
            "li",
            { "data-device": d.id, "data-state": d.state },
            el(
              "span",
              {},
              t("dashboard-device-line", {
                device: num(d.id),
                label: d.label,
                user: d.username,
                role: t(`common-role-${d.role}`),
                places: devicePlaces(d),
                state: t(`dashboard-device-state-${d.state}`),
                sync: d.last_sync_at ? t("dashboard-device-synced", { time: when(d.last_sync_at) }) : t("dashboard-device-never-synced"),
              }),
            ),
            d.state === "suspended"
              ? null
              : el(
                  "button",
                  { type: "button", class: "danger", onclick: () => suspendDevice(d, read) },
                  t("dashboard-device-suspend"),
                ),
          ),
        );
      redraw($("device-list-items"), ...(lines.length ? lines : [el("li", {}, t("dashboard-devices-none"))]));
    } catch (e) {
      $("device-list-error").textContent = t("common-error", { detail: e.message });
      $("device-list-error").hidden = false;
    }
  };
  read();
  return read;
}

/** Suspends device `d` once the coordinator confirms, and reads the list again. */
function suspendDevice(d, reread) {
  confirm({
    title: t("dashboard-device-suspend-title", { device: num(d.id), label: d.label }),
    text: t("dashboard-device-suspend-text"),
    ok: t("dashboard-device-suspend"),
    run: () => api("POST", `/api/operations/{op}/devices/${d.id}/suspend`),
    done: (out) => {
      showResult($("device-list-result"), t("dashboard-device-suspended", { device: num(out.id), label: out.label }));
      reread();
    },
  });
}

/**
 * The operation's pass keys: the key that signs passes now, and rotating it as compromised when
 * a field phone may have been opened by someone else (its kit holds the tier keys, which open
 * the passes of its places). Every pass the key signed is revoked, and issued anew in the same
 * step where a pass may still be issued (asked first); the field devices fetch the new kit
 * within minutes.
 */
function setupPassKeys() {
  let activeKid = null;
  const read = async () => {
    $("pass-keys-error").hidden = true;
    try {
      const { keys } = await api("GET", "/api/operations/{op}/keys");
      const active = keys.find((k) => k.state === "active");
      const compromised = keys.filter((k) => k.state === "compromised").length;
      activeKid = active ? active.kid : null;
      // Rotating names the key it replaces: not before the key is known.
      $("pass-keys-rotate").disabled = !activeKid;
      $("pass-keys-current").textContent = [
        active ? t("dashboard-keys-active", { kid: active.kid }) : "",
        compromised ? t("dashboard-keys-compromised", { count: compromised }) : "",
      ].join(" ");
    } catch (e) {
      activeKid = null;
      $("pass-keys-rotate").disabled = true;
      $("pass-keys-error").textContent = t("common-error", { detail: e.message });
      $("pass-keys-error").hidden = false;
    }
  };
  // The key on screen is named: a second click, or a rotation made at another desk meanwhile,
  // is refused instead of rotating the new key too. The panel is read again whatever the answer.
  const rotate = async () => {
    try {
      return await api("POST", "/api/operations/{op}/keys/rotate", { compromised: true, reissue: true, replacing: activeKid });
    } finally {
      read();
    }
  };
  $("pass-keys-rotate").addEventListener("click", () =>
    confirm({
      title: t("dashboard-keys-rotate-title"),
      text: t("dashboard-keys-rotate-text"),
      ok: t("dashboard-keys-rotate"),
      run: rotate,
      done: (out) => {
        const said = [t("dashboard-keys-rotated", { kid: out.kid, revoked: out.affected, reissued: out.reissued.length })];
        // Those not re-issued, by what is to be done: checked in by reference at the gate, or
        // reassigned and issued a pass again.
        for (const [key, atGate] of [
          ["dashboard-keys-not-reissued-at-gate", true],
          ["dashboard-keys-not-reissued-reassign", false],
        ]) {
          const these = out.not_reissued.filter((h) => h.check_in_by_reference === atGate);
          if (these.length) said.push(t(key, { count: these.length, references: list(these.map((h) => h.reference)) }));
        }
        showResult($("pass-keys-result"), said.join(" "));
      },
    }),
  );
  read();
}

/**
 * Enrols a field device for an escort or gate user and shows its one-time code with the QR
 * code the scanner's enrolment screen reads: shown in this answer only, as the API gives it
 * once. The places are RV ids for an escort's device, gate ids for a gate's. `enrolled` reads
 * the list of devices again.
 */
function setupDevices(enrolled) {
  onSubmit("device-form", async (form, missing) => {
    $("device-enrolled").hidden = true;
    const username = $("device-user").value.trim();
    const role = $("device-role").value;
    const places = numbers($("device-places").value);
    const label = $("device-label").value.trim();
    if (missing(!username ? "device-user" : null)) return;
    if (missing(places ? null : "device-places", "dashboard-numbers-only")) return;
    if (missing(!places.length ? "device-places" : !label ? "device-label" : null)) return;
    const d = await api("POST", "/api/operations/{op}/devices", {
      username,
      role,
      rv_ids: role === "escort" ? places : [],
      gate_ids: role === "gate" ? places : [],
      label,
    });
    $("device-enrolled-text").textContent = t("dashboard-device-enrolled", { device: d.device.id, time: when(d.code_expires_at) });
    $("device-qr").src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(d.enrolment_qr_svg)}`;
    $("device-qr").alt = t("dashboard-device-qr-alt", { device: d.device.id });
    $("device-code").textContent = t("dashboard-device-code", { code: d.enrolment_code });
    $("device-enrolled").hidden = false;
    form.reset();
    enrolled();
  });
}

/**
 * Numbers typed as a list ("3, 4", "3 4", or in Eastern Arabic digits "۳، ۴"): the numbers,
 * or null when one is not a whole number above 0.
 */
function numbers(text) {
  const western = text.replace(/[\u0660-\u0669\u06F0-\u06F9]/g, (d) => String(d.charCodeAt(0) & 0xf));
  const typed = western.split(/[\s,،]+/).filter(Boolean).map(Number);
  return typed.every((n) => Number.isInteger(n) && n > 0) ? typed : null;
}

/**
 * Who acts where: each escort and gate user with the places they act at now (names with the
 * numbers the forms take), and the places that receive people with nobody to act there.
 * Answers the function that reads it again.
 */
function setupFieldUsers() {
  const place = (p) => t("dashboard-field-place", { name: p.name, id: num(p.id) });
  const places = (ps) => (ps.length ? list(ps.map(place)) : t("dashboard-places-none"));
  const read = async () => {
    $("field-users-error").hidden = true;
    try {
      const who = await api("GET", "/api/operations/{op}/field-users");
      const lines = who.users.map((u) =>
        el(
          "li",
          { "data-user": u.username },
          t("dashboard-field-user-places", {
            user: u.username,
            roles: list(u.roles.map((r) => t(`common-role-${r}`))),
            rvs: places(u.rvs),
            gates: places(u.gates),
          }),
        ),
      );
      redraw($("field-users-list"), ...(lines.length ? lines : [el("li", {}, t("dashboard-field-users-none"))]));
      const uncovered = [
        who.rvs_without_escort.length && t("dashboard-field-rvs-uncovered", { places: places(who.rvs_without_escort) }),
        who.gates_without_staff.length && t("dashboard-field-gates-uncovered", { places: places(who.gates_without_staff) }),
      ].filter(Boolean);
      $("field-users-uncovered").replaceChildren(...uncovered.flatMap((line, i) => (i ? [el("br"), line] : [line])));
      $("field-users-uncovered").hidden = !uncovered.length;
    } catch (e) {
      $("field-users-error").textContent = t("common-error", { detail: e.message });
      $("field-users-error").hidden = false;
    }
  };
  read();
  return read;
}

/**
 * Sets the places an escort or gate user acts at (RV numbers, gate numbers), replacing the
 * ones before, from now on: what their devices serve and their kits hold. `changed` reads who
 * acts where again.
 */
function setupPlaces(changed) {
  onSubmit("places-form", async (_, missing) => {
    $("places-saved").hidden = true;
    const username = $("places-user").value.trim();
    const rvs = numbers($("places-rvs").value);
    const gates = numbers($("places-gates").value);
    if (missing(!username ? "places-user" : null)) return;
    if (missing(!rvs ? "places-rvs" : !gates ? "places-gates" : null, "dashboard-numbers-only")) return;
    // At least one place: taking every place away is not a slip of an empty form.
    if (missing(!rvs.length && !gates.length ? "places-rvs" : null)) return;
    const placed = await api("PUT", `/api/operations/{op}/users/${encodeURIComponent(username)}/places`, {
      rv_ids: rvs,
      gate_ids: gates,
    });
    const none = t("dashboard-places-none");
    $("places-saved").textContent = t("dashboard-places-saved", {
      user: placed.username,
      rvs: placed.rv_ids.length ? list(placed.rv_ids.map(num)) : none,
      gates: placed.gate_ids.length ? list(placed.gate_ids.map(num)) : none,
    });
    $("places-saved").hidden = false;
    changed();
  });
}
