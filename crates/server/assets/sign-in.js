// Sign-in. Who may use it: anyone. Asks the server for a session (with the one-time code a
// coordinator needs), then for the operations and roles the account holds, and opens the page
// of the chosen role. Nothing about any household is read here.
import { api, ApiFailure, el, href, saveSession, clearSession, t } from "./app.js";

/** The page each role works on. */
const PAGE_OF_ROLE = {
  coordinator: ["/app/dashboard", "signin-page-dashboard"],
  hotline: ["/app/hotline", "signin-page-hotline"],
  gate: ["/app/gate", "signin-page-gate"],
  escort: ["/scanner/", "signin-page-scanner"],
  manifest: ["/app/dashboard", "signin-page-manifest"],
  auditor: ["/app/dashboard", "signin-page-auditor"],
};

const form = document.getElementById("sign-in");
const error = document.getElementById("sign-in-error");
const submit = document.getElementById("submit");

if (new URLSearchParams(location.search).has("ended")) {
  document.getElementById("ended").hidden = false;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  error.hidden = true;
  const username = form.username.value.trim();
  const password = form.password.value;
  const code = form.totp.value.trim();
  // An empty field is asked for by name: nothing was sent, so nothing was wrong yet.
  if (!username || !password) {
    error.textContent = t(username ? "signin-need-password" : "signin-need-username");
    error.hidden = false;
    (username ? form.password : form.username).focus();
    return;
  }
  submit.disabled = true;
  submit.textContent = t("signin-working");
  clearSession();
  try {
    const body = { username, password };
    if (code) body.totp = code;
    const signed = await api("POST", "/api/sessions", body);
    saveSession({ token: signed.token, username });
    const operations = await api("GET", "/api/operations");
    showChoices(username, signed.token, operations);
  } catch (e) {
    clearSession();
    error.textContent =
      e instanceof ApiFailure && e.status === 429
        ? t(e.code === "too_many_attempts" ? "signin-name-locked" : "signin-too-many")
        : e instanceof ApiFailure && (e.status === 401 || e.status === 422)
          ? t("signin-failed")
          : t("common-error", { detail: e.message });
    error.hidden = false;
    form.password.value = "";
    form.totp.value = "";
    form.password.focus();
  } finally {
    submit.disabled = false;
    submit.textContent = t("signin-submit");
  }
});

function showChoices(username, token, operations) {
  const choices = [];
  for (const op of operations) {
    for (const role of op.roles) {
      const page = PAGE_OF_ROLE[role];
      if (page) choices.push({ op, role, path: page[0], label: page[1] });
    }
  }
  const list = document.getElementById("choices");
  const open = (c) => {
    saveSession({ token, username, op: c.op.id, opName: c.op.name, roles: c.op.roles });
    location.assign(href(c.path));
  };
  if (choices.length === 1) {
    open(choices[0]);
    return;
  }
  form.hidden = true;
  document.getElementById("choose").hidden = false;
  if (choices.length === 0) {
    list.replaceChildren(el("li", { class: "notice warn" }, t("signin-no-role")));
    return;
  }
  list.replaceChildren(
    ...choices.map((c) => {
      const a = el(
        "a",
        { href: href(c.path) },
        `${c.op.name} · ${t(`common-role-${c.role}`)} · ${t("signin-open", { page: t(c.label) })}`,
      );
      a.addEventListener("click", (e) => {
        e.preventDefault();
        open(c);
      });
      return el("li", {}, a);
    }),
  );
  list.querySelector("a")?.focus();
}
