// Planning. Who may use it: coordinators (the API refuses anyone else). It asks the API to
// compute a plan or a re-plan (a preview: nothing changes until it is accepted), shows the
// preview's figures — people placed per priority class, households unplaced by reason, the
// gap, travel totals — and accepts it. It shows figures and counts, no names.

import { api, el, dateLocale, num, requireSession, showError, t, when } from "./app.js";

// A page not for this session stops here (see `requireSession`).
await requireSession(["coordinator"]);
const $ = (id) => document.getElementById(id);
const percent = new Intl.NumberFormat(dateLocale, { style: "percent", maximumFractionDigits: 2 });
const CLASSES = ["medical", "unaccompanied_minor", "elderly", "disability", "other"];
let current = null;

function settings() {
  const batch = Number($("batch-size").value);
  const minutes = Number($("max-travel").value);
  if (!Number.isInteger(batch) || batch < 12 || batch > 1000) {
    return { error: t("plan-batch-size-wrong"), field: "batch-size" };
  }
  if (!Number.isInteger(minutes) || minutes < 10 || minutes > 1440) {
    return { error: t("plan-max-travel-wrong"), field: "max-travel" };
  }
  return { body: { batch_size: batch, max_travel_seconds: minutes * 60 } };
}

function figure(id, label, value) {
  return el("div", { id }, el("dt", {}, label), el("dd", {}, value));
}

function show(plan) {
  current = plan;
  $("preview").hidden = false;
  $("preview-title").textContent = t(plan.kind === "replan" ? "plan-replan-title" : "plan-preview-title", { id: plan.id });
  const state = $("preview-state");
  state.textContent = plan.accepted_at
    ? t("plan-accepted-at", { time: when(plan.accepted_at) })
    : t("plan-preview-note", { time: when(plan.created_at) });
  state.className = plan.accepted_at ? "notice ok" : "notice";
  const placedPeople = Object.values(plan.people_placed).reduce((a, b) => a + b, 0);
  const hours = plan.travel_seconds_total / 3600;
  const perPerson = placedPeople ? plan.travel_seconds_total / placedPeople / 60 : 0;
  $("figures").replaceChildren(
    figure("fig-people", t("plan-people-placed"), num(placedPeople)),
    figure("fig-households", t("plan-households-placed"), num(plan.households_placed)),
    figure("fig-unplaced", t("plan-households-unplaced"), num(plan.households_unplaced)),
    figure("fig-gap", t("plan-gap"), percent.format(plan.gap)),
    figure("fig-travel", t("plan-travel-total"), t("plan-hours", { value: Math.round(hours) })),
    figure("fig-travel-mean", t("plan-travel-mean"), t("plan-minutes", { value: Math.round(perPerson) })),
    figure("fig-batches", t("plan-batches"), num(plan.batches)),
    figure("fig-moves", t("plan-moves"), num(plan.moves.length)),
  );
  $("classes").tBodies[0].replaceChildren(
    ...CLASSES.map((c) =>
      el(
        "tr",
        { id: `class-${c}` },
        el("th", { scope: "row" }, t(`plan-class-${c.replaceAll("_", "-")}`)),
        el("td", { class: "num" }, num(plan.people_placed[c] || 0)),
        el("td", { class: "num" }, num(plan.people_unplaced[c] || 0)),
      ),
    ),
  );
  const reasons = new Map();
  for (const u of plan.unplaced) reasons.set(u.reason, (reasons.get(u.reason) || 0) + 1);
  $("no-unplaced").hidden = reasons.size > 0;
  $("reasons").replaceChildren(
    ...[...reasons].map(([reason, count]) =>
      el("li", {}, t("plan-reason-line", { reason: t(`plan-reason-${reason.replaceAll("_", "-")}`), count })),
    ),
  );
  // Nothing to accept: the button says why it cannot be pressed (an accepted plan says so
  // in its state above).
  $("accept").disabled = Boolean(plan.accepted_at) || plan.moves.length === 0;
  $("accept-why").hidden = Boolean(plan.accepted_at) || plan.moves.length > 0;
  $("accept-confirm").hidden = true;
  $("accept-result").textContent = "";
}

/** Accepting assigns windows and issues passes: asked once more, with how many it moves. */
function askToAccept() {
  if (!current) return;
  $("accept-question").textContent = t("plan-accept-question", { count: current.moves.length });
  $("accept-confirm").hidden = false;
  $("accept-yes").focus();
}

async function compute(path, button) {
  const chosen = settings();
  const error = $("settings-error");
  if (chosen.error) {
    error.textContent = chosen.error;
    error.hidden = false;
    $(chosen.field).setAttribute("aria-invalid", "true");
    $(chosen.field).focus();
    return;
  }
  error.hidden = true;
  for (const f of ["batch-size", "max-travel"]) $(f).removeAttribute("aria-invalid");
  button.disabled = true;
  $("working").textContent = t("plan-working");
  try {
    show(await api("POST", path, chosen.body));
    $("working").textContent = "";
    $("preview-title").focus?.();
  } catch (e) {
    $("working").textContent = "";
    showError(error, e);
  } finally {
    button.disabled = false;
  }
}

async function accept() {
  if (!current) return;
  $("accept-confirm").hidden = true;
  const button = $("accept");
  button.disabled = true;
  const out = $("accept-result");
  try {
    const accepted = await api("POST", `/api/operations/{op}/plans/${current.id}/accept`);
    show(accepted.plan);
    out.textContent = t("plan-accepted", { count: accepted.moved.length, notices: accepted.needs_notice.length });
    out.className = "ok";
  } catch (e) {
    out.className = "error";
    out.textContent = t("common-error", { detail: e.status === 409 ? t("plan-stale") : e.message });
    button.disabled = false;
  }
}

$("preview-title").setAttribute("tabindex", "-1");
$("settings").addEventListener("submit", (ev) => {
  ev.preventDefault();
  compute("/api/operations/{op}/plans", $("run"));
});
$("replan").addEventListener("click", () => compute("/api/operations/{op}/plans/replan", $("replan")));
$("accept").addEventListener("click", askToAccept);
$("accept-yes").addEventListener("click", accept);
$("accept-no").addEventListener("click", () => {
  $("accept-confirm").hidden = true;
  $("accept").focus();
});
