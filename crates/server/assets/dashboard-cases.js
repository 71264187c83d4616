// Coordinator dashboard, its cases: the list of a stage by reference (coordinators only, as
// the API allows), the pass actions on a case (issue, revoke, print), putting a processed
// household on a flight (a coordinator who is also a manifest officer), registration of a
// household, and what every action goes through: the confirmation dialog, the form's
// submission with its missing fields named, the result said. Imported by dashboard.js and
// dashboard-field.js.
// The list shows what the API answers for it: reference, size, places and priority flags,
// never a name.
import { api, el, keptPlace, list, redraw, t } from "./app.js";

/** The stages a case passes through, in order, and the stages beside that path. */
export const MAIN_STAGES = [
  "registered",
  "documents_verified",
  "eligible",
  "assigned",
  "pass_issued",
  "admitted_at_rv",
  "in_escort",
  "arrived_at_gate",
  "processed",
  "manifested",
  "boarded",
];
export const SIDE_STAGES = ["unaccounted", "no_show", "reassigned", "withdrawn", "rejected"];

const PAGE = 25;
const $ = (id) => document.getElementById(id);

/**
 * A short message that the last action worked, in `target`, which takes the focus: a form
 * that was just emptied, or a dialog that closed, leaves it nowhere, and on a phone the
 * message may be a screen away from the button pressed.
 */
export function showResult(target, text) {
  target.textContent = text;
  target.hidden = false;
  target.tabIndex = -1;
  target.focus();
}

/**
 * Runs `send(form, missing)` when the form `id` is submitted, its error line (`id-error`)
 * hidden first; what `send` throws is said there. `missing(id)` names the required field `id`
 * left empty and moves there (`missing(id, key)`: with the message `key`), and is false when
 * `id` is null (nothing missing).
 */
export function onSubmit(id, send) {
  const form = $(id);
  const error = $(`${id}-error`);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    try {
      await send(form, (missing, key) => showMissing(error, missing, key));
    } catch (e) {
      error.textContent = t("common-error", { detail: e.message });
      error.hidden = false;
    }
  });
}

/**
 * Names the field `id` in `error` with the message `key` (by default: it is required) and
 * moves there; false when `id` is null (nothing to say).
 */
function showMissing(error, id, key = "dashboard-required") {
  if (!id) return false;
  error.textContent = t(key, { field: document.querySelector(`label[for=${id}]`).textContent });
  error.hidden = false;
  $(id).focus();
  return true;
}

/** Opens a document fetched with the token (a link could not carry it), or saves it. */
export function openBlob(blob, name, save) {
  const url = URL.createObjectURL(blob);
  if (save || !window.open(url, "_blank")) {
    const a = el("a", { href: url, download: name, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
  }
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * Asks before an action: `fields` are inputs the action needs (`{name, label, textarea,
 * required, options}`, and for an input its `type`, `value` shown first and `attrs` such as
 * `min`); `run(values)` calls the API; its refusal is shown in the dialog, its answer handed
 * to `done`.
 */
export function confirm({ title, text, ok, fields = [], run, done }) {
  const dialog = $("confirm");
  const form = $("confirm-form");
  const error = $("confirm-error");
  const okButton = $("confirm-ok");
  $("confirm-title").textContent = title;
  $("confirm-text").textContent = text || "";
  okButton.textContent = ok;
  error.hidden = true;
  const inputs = fields.map((f, i) => {
    const id = `confirm-field-${i}`;
    // A field is named as the request names it, so that a refusal of its value is shown on it.
    const input = f.options
      ? el("select", { id, name: f.name, "data-field": f.name }, ...f.options.map(([v, label]) => el("option", { value: v }, label)))
      : el(f.textarea ? "textarea" : "input", {
          id,
          name: f.name,
          "data-field": f.name,
          rows: f.textarea ? 3 : null,
          required: f.required,
          type: f.type,
          value: f.value,
          ...f.attrs,
        });
    return { f, input, label: el("label", { for: id }, f.label) };
  });
  $("confirm-fields").replaceChildren(...inputs.flatMap((x) => [x.label, x.input]));
  // Back to the button that opened it, or to the one drawn in its place meanwhile.
  const back = keptPlace();
  const close = () => {
    form.onsubmit = null;
    dialog.close();
    back();
  };
  $("confirm-cancel").onclick = close;
  form.onsubmit = async (event) => {
    event.preventDefault();
    error.hidden = true;
    const values = {};
    for (const { f, input, label } of inputs) {
      const v = input.value.trim();
      if (f.required && !v) {
        error.textContent = t("dashboard-required", { field: label.textContent });
        error.hidden = false;
        input.focus();
        return;
      }
      values[f.name] = v;
    }
    okButton.disabled = true;
    try {
      const out = await run(values);
      close();
      done(out);
    } catch (e) {
      error.textContent = t("common-error", { detail: e instanceof Error ? e.message : String(e) });
      error.hidden = false;
    } finally {
      okButton.disabled = false;
    }
  };
  dialog.showModal();
  (inputs[0]?.input || okButton).focus();
}

/** The list of cases of a stage, a page at a time, with the actions on each case. */
export function setupCases({ roles, onChange }) {
  const select = $("stage");
  select.replaceChildren(
    ...[...MAIN_STAGES, ...SIDE_STAGES].map((st) => el("option", { value: st }, t(`dashboard-stage-${st}`))),
  );
  select.value = "processed";
  // The `after` of each page shown so far: the first page has none.
  let cursors = [null];
  let next = null;
  let flights = [];
  document.addEventListener("flights", (e) => {
    flights = e.detail;
  });

  // Only the answer to the latest read is drawn: an earlier one arriving late is dropped.
  let latest = 0;
  const read = async () => {
    const mine = ++latest;
    const after = cursors[cursors.length - 1];
    const query = new URLSearchParams({ stage: select.value, limit: String(PAGE) });
    if (after) query.set("after", after);
    $("cases-error").hidden = true;
    try {
      const page = await api("GET", `/api/operations/{op}/households?${query}`);
      if (mine !== latest) return;
      next = page.next ?? null;
      $("cases-caption").textContent = t("dashboard-cases-caption", {
        stage: t(`dashboard-stage-${select.value}`),
        page: cursors.length,
      });
      redraw(
        $("cases-body"),
        ...(page.cases.length
          ? page.cases.map(row)
          : [el("tr", {}, el("td", { colspan: 5, class: "muted" }, t("dashboard-cases-none")))]),
      );
      $("cases-prev").disabled = cursors.length === 1;
      $("cases-next").disabled = !next;
    } catch (e) {
      $("cases-error").textContent = t("common-error", { detail: e.message });
      $("cases-error").hidden = false;
    }
  };
  const first = () => {
    cursors = [null];
    read();
  };
  select.addEventListener("change", first);
  $("cases-next").addEventListener("click", () => {
    if (!next) return;
    cursors.push(next);
    read();
  });
  $("cases-prev").addEventListener("click", () => {
    if (cursors.length > 1) cursors.pop();
    read();
  });
  $("cases-refresh").addEventListener("click", read);
  document.addEventListener("list-stage", (e) => {
    select.value = e.detail;
    first();
    $("cases-title").scrollIntoView();
    select.focus();
  });
  const acted = (text) => {
    showResult($("cases-result"), text);
    read();
    onChange();
  };

  function row(c) {
    const where = [
      c.rv_id != null && t("dashboard-rv", { id: c.rv_id }),
      c.window_id != null && t("dashboard-window", { id: c.window_id }),
      c.gate_id != null && t("dashboard-gate", { id: c.gate_id }),
      c.batch_id != null && t("dashboard-batch", { id: c.batch_id }),
      c.flight_id != null && t("dashboard-flight", { id: c.flight_id }),
    ].filter(Boolean);
    return el(
      "tr",
      { "data-reference": c.reference },
      el("td", { class: "ref" }, c.reference),
      el("td", { class: "num" }, t("dashboard-people", { people: c.size })),
      el("td", {}, where.join(" · ")),
      el("td", {}, list(c.priorities.map((p) => t(`dashboard-priority-${p}`)))),
      el("td", {}, el("div", { class: "row-actions" }, ...actions(c))),
    );
  }

  function actions(c) {
    const ref = encodeURIComponent(c.reference);
    const out = [];
    const button = (cls, label, onclick) =>
      el("button", { type: "button", class: cls, "aria-label": `${label} ${c.reference}`, onclick }, label);
    if (c.stage === "assigned" || c.stage === "pass_issued") {
      const again = c.stage === "pass_issued";
      out.push(
        button(again ? "secondary issue" : "issue", t(again ? "dashboard-reissue" : "dashboard-issue"), () =>
          confirm({
            title: t(again ? "dashboard-reissue" : "dashboard-issue"),
            text: t(again ? "dashboard-reissue-text" : "dashboard-issue-text", { reference: c.reference }),
            ok: t(again ? "dashboard-reissue" : "dashboard-issue"),
            run: () => api("POST", `/api/operations/{op}/households/${ref}/pass`),
            done: (p) => acted(t("dashboard-issued", { reference: c.reference, index: p.step.pass_index ?? "" })),
          }),
        ),
      );
    }
    if (c.stage === "pass_issued") {
      out.push(
        button("secondary print", t("dashboard-print"), async () => {
          try {
            const res = await api("GET", `/api/operations/{op}/households/${ref}/pass.html`, undefined, { raw: true });
            openBlob(await res.blob(), `pass-${c.reference}.html`, false);
          } catch (e) {
            $("cases-error").textContent = t("common-error", { detail: e.message });
            $("cases-error").hidden = false;
          }
        }),
        button("danger revoke", t("dashboard-revoke"), () =>
          confirm({
            title: t("dashboard-revoke"),
            text: t("dashboard-revoke-text", { reference: c.reference }),
            ok: t("dashboard-revoke"),
            fields: [{ name: "reason", label: t("dashboard-reason"), textarea: true, required: true }],
            run: ({ reason }) => api("POST", `/api/operations/{op}/households/${ref}/pass/revoke`, { reason }),
            done: () => acted(t("dashboard-revoked", { reference: c.reference })),
          }),
        ),
      );
    }
    // A case listed under "processed" for a member checked in after the household was
    // manifested (or flew) is manifested too: the member goes on the flight chosen.
    const processed = c.stage === "processed" || select.value === "processed";
    if (processed && roles.has("manifest") && flights.length) {
      out.push(
        button("secondary manifest", t("dashboard-manifest-case"), () =>
          confirm({
            title: t("dashboard-manifest-case"),
            text: c.reference,
            ok: t("dashboard-manifest-case"),
            fields: [{ name: "flight", label: t("dashboard-flights"), options: flights.map((f) => [f.id, f.number]) }],
            run: ({ flight }) =>
              api("POST", `/api/operations/{op}/flights/${encodeURIComponent(flight)}/manifest`, {
                reference: c.reference,
              }),
            done: () => {
              acted(t("dashboard-manifested", { reference: c.reference }));
              document.dispatchEvent(new Event("flights-changed"));
            },
          }),
        ),
      );
    }
    return out;
  }

  setupRegistration(onChange);
  read();
  return {
    /** A live change: the page shown is read again when it may have changed. */
    changed(change) {
      if (change.stage === select.value) read();
    },
  };
}

function idempotencyKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Registration of a household with its members. */
function setupRegistration(onChange) {
  const members = $("members");
  let n = 0;
  const addMember = () => {
    n += 1;
    const id = (f) => `member-${n}-${f}`;
    const field = (f, label, attrs = {}) => [
      el("label", { for: id(f) }, label),
      el("input", { id: id(f), name: f, autocomplete: "off", ...attrs }),
    ];
    const set = el(
      "fieldset",
      { class: "member" },
      el("legend", {}, t("dashboard-member", { n: members.children.length + 1 })),
      ...field("name", t("dashboard-member-name"), { required: true }),
      ...field("name_native", t("dashboard-member-native"), { dir: "auto" }),
      ...field("birth_date", t("dashboard-member-birth"), { inputmode: "numeric", "aria-describedby": id("birth-hint") }),
      el("p", { id: id("birth-hint"), class: "hint" }, t("dashboard-member-birth-hint")),
    );
    if (members.children.length > 0) {
      set.append(
        el(
          "button",
          {
            type: "button",
            class: "secondary",
            onclick: () => {
              set.remove();
              [...members.children].forEach((m, i) => {
                m.querySelector("legend").textContent = t("dashboard-member", { n: i + 1 });
              });
              $("add-member").focus();
            },
          },
          t("dashboard-remove-member"),
        ),
      );
    }
    members.append(set);
    return set;
  };
  addMember();
  $("add-member").addEventListener("click", () => addMember().querySelector("input").focus());

  const form = $("register");
  const error = $("register-error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    for (const invalid of form.querySelectorAll("[aria-invalid]")) invalid.removeAttribute("aria-invalid");
    $("register-result").hidden = true;
    const people = [...members.children].map((m, i) => {
      // A refusal names a member's field by its place in the list, as it is sent.
      for (const input of m.querySelectorAll("input[name]")) input.dataset.field = `members[${i}].${input.name}`;
      const v = (name) => m.querySelector(`[name=${name}]`).value.trim();
      const person = { name: v("name") };
      if (v("name_native")) person.name_native = v("name_native");
      if (v("birth_date")) person.birth_date = v("birth_date");
      return person;
    });
    const empty = [...members.children].find((m) => !m.querySelector("[name=name]").value.trim());
    if (empty) {
      // Named as a refusal names a member's field: "Member 2 · Name in Latin letters".
      const legend = empty.querySelector("legend").textContent;
      const name = empty.querySelector("[name=name]");
      error.textContent = t("dashboard-required", { field: `${legend} · ${name.labels[0].textContent}` });
      error.hidden = false;
      name.setAttribute("aria-invalid", "true");
      name.focus();
      return;
    }
    const body = { language: $("reg-language").value, members: people };
    const phone = $("reg-phone").value.trim();
    if (phone) body.contact_phone = phone;
    const location = $("reg-location").value.trim();
    if (location) {
      const [lat, lon, ...rest] = location.split(",").map((x) => Number(x.trim()));
      if (rest.length || !Number.isFinite(lat) || !Number.isFinite(lon)) {
        error.textContent = t("dashboard-location-invalid");
        error.hidden = false;
        $("reg-location").focus();
        return;
      }
      body.location = { lat, lon };
    }
    if ($("reg-needs-vehicle").checked) body.needs_vehicle_access = true;
    if ($("reg-cannot-walk-far").checked) body.cannot_walk_far = true;
    $("register-submit").disabled = true;
    try {
      const out = await api("POST", "/api/operations/{op}/households", body, {
        headers: { "Idempotency-Key": idempotencyKey() },
      });
      showResult($("register-result"), t("dashboard-registered", { reference: out.reference, people: out.people.length }));
      form.reset();
      members.replaceChildren();
      addMember();
      onChange();
    } catch (e) {
      // A refused field is named, marked and focused by `api`.
      error.textContent = t("common-error", { detail: e.message });
      error.hidden = false;
    } finally {
      $("register-submit").disabled = false;
    }
  });
}
