// Coordinator dashboard. Who may use it: coordinators (all of it); a manifest officer gets the
// flights, an auditor the accountability alarms and who read personal data, read-only,
// because the API answers them those and nothing else here; any other role is refused by the API and told so.
// The counts come from GET …/counts, read once and again after live changes (at most about
// once a second), never from a list of people; the lists show references, sizes, places and
// priority flags, never a name. Every action asks for confirmation and shows its result.
import { api, apiTime, ApiFailure, el, inputTime, list, live, dateLocale, num, redraw, requireSession, t, throttled, when } from "./app.js";
import { MAIN_STAGES, SIDE_STAGES, confirm, onSubmit, openBlob, setupCases, showResult } from "./dashboard-cases.js";
import { setupField } from "./dashboard-field.js";

const OUTCOMES = ["arrived_late", "returned_to_rv", "found_elsewhere", "recorded_missing"];

const $ = (id) => document.getElementById(id);
const clock = new Intl.DateTimeFormat(dateLocale, { hour: "2-digit", minute: "2-digit", second: "2-digit" });

// A page not for this session stops here (see `requireSession`).
const s = await requireSession();
start(s);

function start(s) {
  const roles = new Set(s.roles || []);
  const may = (...r) => r.some((x) => roles.has(x));
  for (const section of document.querySelectorAll("[data-roles]")) {
    section.hidden = !section.dataset.roles.split(" ").some((r) => roles.has(r));
  }
  const state = { connected: false, updated: null };
  const showLive = () => {
    $("live-dot").className = state.connected ? "dot on" : "dot off";
    const updated = state.updated ? clock.format(state.updated) : "—";
    $("live-text").textContent = t(state.connected ? "dashboard-live-on" : "dashboard-live-off", {
      time: updated,
    });
  };

  if (!may("coordinator", "manifest", "auditor")) {
    refuse(s);
    return;
  }
  // A manifest officer or an auditor sees a part of the page: its title says which (both,
  // for a person who holds both roles).
  if (!may("coordinator")) {
    const part = may("manifest") ? (may("auditor") ? "manifest-auditor" : "manifest") : "auditor";
    const title = t(`dashboard-title-${part}`);
    document.querySelector("h1").textContent = title;
    document.title = `${title} · safeconduct`;
  }
  // The counts come first: everything else the page reads waits until they are shown, so
  // that the heavier reads (the alarms, the lists) do not delay them.
  let shown;
  const firstCounts = new Promise((resolve) => {
    shown = resolve;
  });
  const counts = may("coordinator")
    ? throttled(async () => {
        await readCounts(state, showLive);
        shown();
      }, 1000)
    : null;
  const attention = may("coordinator", "auditor")
    ? throttled(() => readAttention(may("coordinator")), 3000)
    : null;
  if (counts) counts();
  else shown();
  document.addEventListener("attention-changed", () => readAttention(may("coordinator")));
  if (!may("coordinator")) $("live-state").hidden = true;
  firstCounts.then(() => {
    attention?.();
    if (may("auditor")) readAccess();
    const cases = may("coordinator") ? setupCases({ roles, onChange: () => counts?.() }) : null;
    // Read again on changes at most every two seconds: a busy gate manifests many at once.
    const flights = may("coordinator", "manifest") ? throttled(setupFlights(may("coordinator"), may("manifest")), 2000) : null;
    const field = may("coordinator") ? setupField() : null;
    if (!may("coordinator")) {
      // A manifest officer hears of flights only: changed at another desk, or filled there.
      if (flights) live((name) => (name === "change" || name === "resync") && flights(), () => {});
      return;
    }
    live(
      (name, data) => {
        if (name === "resync") {
          counts();
          attention();
          field?.whoActsWhere();
          field?.devices();
          flights?.();
          return;
        }
        if (name !== "change") return;
        counts();
        let change = {};
        try {
          change = JSON.parse(data);
        } catch {
          /* a change we cannot read: the counts are read again anyway */
        }
        if (change.stage === "unaccounted" || /alarm|batch|resolve|incident|unaccounted/.test(change.kind || "")) {
          attention();
        }
        // A point that starts or stops receiving people, or places given to a user (here,
        // on another desk or from the command line), changes who acts where.
        if (/^(rv|gate)_|^places_assigned$/.test(change.kind || "")) field?.whoActsWhere();
        // A device enrolled, connected or suspended (here or at another desk).
        if (/^device_/.test(change.kind || "")) field?.devices();
        // Another desk scheduled, changed or deleted a flight, or filled its seats.
        if (/^flight_/.test(change.kind || "") || ["manifested", "boarded"].includes(change.stage)) flights?.();
        cases?.changed(change);
      },
      (connected) => {
        state.connected = connected;
        showLive();
        // What changed between the first read and the stream's start is read now.
        if (connected) counts();
      },
    );
  });
}

/** A session without a dashboard role: the API is asked anyway and its refusal shown. */
async function refuse(s) {
  $("live-state").hidden = true;
  const error = $("page-error");
  try {
    await api("GET", "/api/operations/{op}/counts");
  } catch (e) {
    error.textContent = t("dashboard-not-for-role", {
      role: list((s.roles || []).map((r) => t(`common-role-${r}`))),
      detail: e instanceof ApiFailure ? e.message : String(e),
    });
    error.hidden = false;
  }
}

async function readCounts(state, showLive) {
  try {
    const c = await api("GET", "/api/operations/{op}/counts");
    drawFunnel(c.operation);
    // The moment the counts are first on the page, for the performance timeline (the speed
    // benchmark reads it beside first-contentful-paint).
    if (!state.updated) performance.mark("safeconduct-counts-shown");
    state.updated = new Date();
    showLive();
    $("page-error").hidden = true;
  } catch (e) {
    pageError(e);
  }
}

function pageError(e) {
  const error = $("page-error");
  error.textContent = t("common-error", { detail: e instanceof ApiFailure ? e.message : String(e) });
  error.hidden = false;
}

function drawFunnel(c) {
  $("totals").textContent = t("dashboard-totals", {
    households: c.total_households,
    people: c.total_people,
  });
  const item = (stage, tag) =>
    el(
      tag,
      { class: "stage", "data-stage": stage },
      el("span", { class: "stage-name" }, t(`dashboard-stage-${stage}`)),
      el("span", { class: "households" }, num(c.households[stage] || 0)),
      el("span", { class: "people" }, t("dashboard-people", { people: c.people[stage] || 0 })),
      el(
        "button",
        {
          type: "button",
          class: "secondary list",
          "aria-label": t("dashboard-list-stage", { stage: t(`dashboard-stage-${stage}`) }),
          onclick: () => document.dispatchEvent(new CustomEvent("list-stage", { detail: stage })),
        },
        t("dashboard-list"),
      ),
    );
  $("funnel").replaceChildren(...MAIN_STAGES.map((st) => item(st, "li")));
  $("side").replaceChildren(...SIDE_STAGES.map((st) => item(st, "li")));
}

/**
 * Open incidents and unaccounted alarms, each with what resolves it. A coordinator reads the
 * open alarms (GET …/alarms: only the households unaccounted, cheap at any size); an auditor
 * the accountability check (it recounts every case), for the short batches it lists.
 */
async function readAttention(coordinator) {
  try {
    if (coordinator) {
      const [incidents, open] = await Promise.all([
        api("GET", "/api/operations/{op}/incidents"),
        api("GET", "/api/operations/{op}/alarms"),
      ]);
      drawIncidents(incidents);
      drawOpenAlarms(open);
    } else {
      drawIncidents([]);
      drawShortBatches(await api("GET", "/api/operations/{op}/accountability"));
    }
    $("attention-none").hidden = $("incidents").children.length + $("alarms").children.length > 0;
  } catch (e) {
    pageError(e);
  }
}

function place(rv, gate) {
  return [rv != null && t("dashboard-rv", { id: rv }), gate != null && t("dashboard-gate", { id: gate })]
    .filter(Boolean)
    .join(" · ");
}

function drawIncidents(incidents) {
  redraw(
    $("incidents"),
    ...incidents.map((i) =>
      el(
        "li",
        { class: "card bad", "data-incident": i.id },
        el("h3", {}, t("dashboard-incident", { id: i.id, kind: t(`dashboard-incident-${i.kind}`) })),
        // The server words the facts in English: marked so, a screen reader reads them in
        // English and a right-to-left page keeps their order.
        el("p", { lang: "en", dir: "ltr", class: "incident-detail" }, i.detail),
        el("p", { class: "muted" }, [place(i.rv_id, i.gate_id), when(i.created_at)].filter(Boolean).join(" · ")),
        el(
          "button",
          { type: "button", class: "resolve", onclick: () => resolveIncident(i) },
          t("dashboard-resolve"),
        ),
      ),
    ),
  );
}

function resolveIncident(i) {
  confirm({
    title: t("dashboard-resolve-incident", { id: i.id }),
    text: t(`dashboard-incident-${i.kind}`),
    ok: t("dashboard-resolve"),
    fields: [{ name: "note", label: t("dashboard-note"), textarea: true, required: true }],
    run: ({ note }) => api("POST", `/api/operations/{op}/incidents/${i.id}/resolve`, { note }),
    done: () => {
      showResult($("attention-result"), t("dashboard-incident-resolved", { id: i.id }));
      document.dispatchEvent(new Event("attention-changed"));
    },
  });
}

/** One card per batch with households unaccounted, each resolvable (coordinators). */
function drawOpenAlarms(open) {
  redraw(
    $("alarms"),
    ...open.alarms.map((a) =>
      alarmCard(
        a.batch_id ?? 0,
        a.batch_id != null && a,
        el(
          "ul",
          { class: "alarm-cases" },
          ...a.households.map((c) =>
            el(
              "li",
              { "data-reference": c.reference },
              el("span", { class: "ref" }, c.reference),
              " ",
              t("dashboard-people", { people: c.size }),
              " ",
              el(
                "button",
                {
                  type: "button",
                  class: "resolve",
                  "aria-label": t("dashboard-resolve-case", { reference: c.reference }),
                  onclick: () => resolveUnaccounted(c),
                },
                t("dashboard-resolve"),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

/**
 * Who read personal data in the last 24 hours, and how much (auditors, read-only): each
 * reader's requests, distinct cases and busiest hour of cases opened one by one, the busiest
 * first; a reader over the server's mark is flagged, to be asked why. Names no case.
 */
async function readAccess() {
  try {
    const review = await api("GET", "/api/operations/{op}/audit/reads");
    $("access-none").hidden = review.readers.length > 0;
    $("access-body").replaceChildren(
      ...review.readers.map((r) => {
        const busiest = { cases: r.busiest_hour_cases, time: when(r.busiest_hour_from), over: review.over };
        return el(
          "tr",
          { class: r.marked && "marked", "data-reader": r.user ?? "" },
          el("td", {}, r.user ? el("bdi", {}, r.user) : t("dashboard-access-pass-links")),
          el("td", {}, r.user ? list(r.roles.map((x) => t(`common-role-${x}`))) : "—"),
          el("td", { class: "num" }, num(r.requests)),
          el("td", { class: "num" }, num(r.cases)),
          el("td", {}, r.busiest_hour_from ? t(r.marked ? "dashboard-access-busiest-marked" : "dashboard-access-busiest-hour", busiest) : "—"),
        );
      }),
    );
  } catch (e) {
    pageError(e);
  }
}

/** The batches that arrived short and the people still unaccounted (auditors, read-only). */
function drawShortBatches(report) {
  redraw($("alarms"), ...report.alarms.map((a) => alarmCard(a.batch_id, a)));
  if (report.unresolved_unaccounted_people > 0) {
    $("alarms").append(
      el("li", { class: "card" }, t("dashboard-unaccounted-people", { people: report.unresolved_unaccounted_people })),
    );
  }
}

/**
 * A batch's alarm: its balance when known (`a`: rv_id, gate_id, departed and arrived people)
 * and the custody deadline it passed, when the answer gives it.
 */
function alarmCard(batch, a, cases) {
  return el(
    "li",
    { class: "card bad", "data-batch": batch },
    el("h3", {}, t("dashboard-alarm", { batch })),
    a &&
      el(
        "p",
        {},
        t("dashboard-alarm-balance", {
          rv: a.rv_id,
          gate: a.gate_id,
          departed: a.departed_people,
          arrived: a.arrived_people,
        }),
      ),
    a?.deadline && el("p", { class: "deadline" }, t("dashboard-alarm-deadline", { time: when(a.deadline) })),
    cases,
  );
}

function resolveUnaccounted(c) {
  confirm({
    title: t("dashboard-resolve-case", { reference: c.reference }),
    text: t("dashboard-resolve-case-text"),
    ok: t("dashboard-resolve"),
    fields: [
      {
        name: "outcome",
        label: t("dashboard-outcome"),
        options: OUTCOMES.map((o) => [o, t(`dashboard-outcome-${o}`)]),
      },
      { name: "note", label: t("dashboard-note"), textarea: true, required: true },
    ],
    run: ({ outcome, note }) =>
      api("POST", `/api/operations/{op}/households/${encodeURIComponent(c.reference)}/resolve-unaccounted`, {
        outcome,
        note,
      }),
    done: (out) => {
      showResult(
        $("attention-result"),
        t("dashboard-case-resolved", { reference: out.reference, stage: t(`dashboard-stage-${out.to}`) }),
      );
      document.dispatchEvent(new Event("attention-changed"));
    },
  });
}

/**
 * Flights with their load; a new flight and the manifest as a page or CSV (coordinators); a
 * processed household put on a flight by its reference (manifest officers, who see no list of
 * cases).
 */
function setupFlights(coordinator, manifestOfficer) {
  const read = async () => {
    try {
      const flights = await api("GET", "/api/operations/{op}/flights");
      document.dispatchEvent(new CustomEvent("flights", { detail: flights }));
      redraw(
        $("flights-body"),
        ...flights.map((f) =>
          el(
            "tr",
            { "data-flight": f.id },
            el("td", {}, f.number),
            el("td", {}, when(f.departs_at)),
            el("td", { class: "num" }, t("dashboard-flight-loaded", { manifested: f.manifested_people, capacity: f.capacity })),
            el(
              "td",
              {},
              el(
                "div",
                { class: "row-actions" },
                manifestOfficer &&
                  el("button", { type: "button", class: "manifest-onto", onclick: () => manifestOnto(f, read) }, t("dashboard-manifest-onto")),
                el("button", { type: "button", class: "secondary flight-change", onclick: () => changeFlight(f, read) }, t("dashboard-flight-change")),
                !f.manifested_people &&
                  el("button", { type: "button", class: "secondary flight-delete", onclick: () => deleteFlight(f, read) }, t("dashboard-flight-delete")),
                coordinator &&
                  el("button", { type: "button", class: "secondary manifest-export", onclick: () => manifest(f, "html") }, t("dashboard-manifest-page")),
                coordinator &&
                  el("button", { type: "button", class: "secondary manifest-export", onclick: () => manifest(f, "csv") }, t("dashboard-manifest-csv")),
              ),
            ),
          ),
        ),
      );
    } catch (e) {
      $("flights-error").textContent = t("common-error", { detail: e.message });
      $("flights-error").hidden = false;
    }
  };
  read();
  onSubmit("flight-form", async (form, missing) => {
    const number = $("flight-number").value.trim();
    const departs = $("flight-departs").value;
    // A number out of range is the server's to refuse: it says the range.
    const seats = $("flight-capacity").value;
    if (missing(!number ? "flight-number" : !departs ? "flight-departs" : !seats ? "flight-capacity" : null)) return;
    const f = await api("POST", "/api/operations/{op}/flights", {
      number,
      departs_at: apiTime(departs),
      capacity: Number(seats),
    });
    showResult($("flights-result"), t("dashboard-flight-created", { number: f.number }));
    form.reset();
    read();
  });
  document.addEventListener("flights-changed", read);
  return read;
}

/**
 * Changes the flight `f`: its number, departure or seats, shown as they are; only what was
 * changed is sent. The people on its manifest keep their seats (the server refuses fewer).
 */
function changeFlight(f, reread) {
  const was = { number: f.number, departs_at: inputTime(f.departs_at), capacity: String(f.capacity) };
  confirm({
    title: t("dashboard-flight-change-title", { number: f.number }),
    text: t("dashboard-flight-change-text", { manifested: f.manifested_people }),
    ok: t("dashboard-flight-change-ok"),
    fields: [
      { name: "number", label: t("dashboard-flight-number"), required: true, value: was.number, attrs: { maxlength: 20, autocomplete: "off" } },
      { name: "departs_at", label: t("dashboard-flight-departs"), required: true, type: "datetime-local", value: was.departs_at },
      {
        name: "capacity",
        label: t("dashboard-flight-capacity"),
        required: true,
        type: "number",
        value: was.capacity,
        attrs: { min: Math.max(1, f.manifested_people), inputmode: "numeric" },
      },
    ],
    run: ({ number, departs_at, capacity }) => {
      const change = {};
      if (number !== was.number) change.number = number;
      if (departs_at !== was.departs_at) change.departs_at = apiTime(departs_at);
      if (capacity !== was.capacity) change.capacity = Number(capacity);
      if (!Object.keys(change).length) throw new Error(t("dashboard-flight-unchanged"));
      return api("PATCH", `/api/operations/{op}/flights/${f.id}`, change);
    },
    done: (out) => {
      showResult($("flights-result"), t("dashboard-flight-changed", { number: out.number, time: when(out.departs_at), capacity: out.capacity }));
      reread();
    },
  });
}

/** Deletes the flight `f`, which nobody is on the manifest of (the server refuses otherwise). */
function deleteFlight(f, reread) {
  confirm({
    title: t("dashboard-flight-delete-title", { number: f.number, time: when(f.departs_at) }),
    text: t("dashboard-flight-delete-text"),
    ok: t("dashboard-flight-delete-ok"),
    run: () => api("DELETE", `/api/operations/{op}/flights/${f.id}`),
    done: (out) => {
      showResult($("flights-result"), t("dashboard-flight-deleted", { number: out.number }));
      reread();
    },
  });
}

/** Puts the processed household whose reference is typed on the flight `f`. */
function manifestOnto(f, reread) {
  confirm({
    title: t("dashboard-manifest-onto-title", { number: f.number }),
    text: t("dashboard-manifest-onto-text"),
    ok: t("dashboard-manifest-case"),
    fields: [{ name: "reference", label: t("dashboard-reference"), required: true }],
    run: ({ reference }) => api("POST", `/api/operations/{op}/flights/${f.id}/manifest`, { reference }),
    done: (out) => {
      showResult($("flights-result"), t("dashboard-manifested", { reference: out.reference }));
      reread();
    },
  });
}

/** A manifest is a bulk export: the reason is asked for and goes to the audit log. */
function manifest(f, kind) {
  confirm({
    title: t("dashboard-manifest-title", { number: f.number }),
    text: t("dashboard-manifest-text"),
    ok: t(kind === "csv" ? "dashboard-manifest-csv" : "dashboard-manifest-page"),
    fields: [{ name: "reason", label: t("dashboard-reason"), required: true }],
    run: async ({ reason }) => {
      const res = await api("GET", `/api/operations/{op}/flights/${f.id}/manifest.${kind}`, undefined, {
        raw: true,
        headers: { "X-Reason": reason },
      });
      return res.blob();
    },
    done: (blob) => openBlob(blob, `manifest-${f.number}.${kind}`, kind === "csv"),
  });
}
