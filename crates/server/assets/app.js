// What every page of safeconduct shares: its messages in the reader's language, numbers and
// times as the locale writes them, the session (a bearer token in this tab's sessionStorage
// only, never in localStorage or a cookie), calls to the JSON API with that token, the live
// stream of changes, and small DOM helpers that only ever set text (never HTML).
//
// A page script imports what it needs from here; nothing here knows any particular page.

const messagesBlock = document.getElementById("messages");
const messages = messagesBlock ? JSON.parse(messagesBlock.textContent) : {};

export const lang = document.documentElement.lang || "en";
export const locale =
  document.querySelector('meta[name="safeconduct-locale"]')?.content || "en";
export const rtl = document.documentElement.dir === "rtl";

/** Where a browser has no data to write the page's numbers and dates in (Chromium lacks
 * Pashto's, and would write "Nov 27"), the locale that writes them closest: Dari's, with the
 * same Afghan solar months (`when` gives them their Pashto names) and the same digits. */
const NEAREST_LOCALE = { "ps-AF": "fa-AF" };

/** The locale numbers and dates are written in: the page's, or its nearest the browser has. */
export const dateLocale = Intl.DateTimeFormat.supportedLocalesOf([locale]).length
  ? locale
  : NEAREST_LOCALE[locale] || locale;

const numbers = new Intl.NumberFormat(dateLocale);
const times = new Intl.DateTimeFormat(dateLocale, {
  day: "numeric",
  month: "short",
  hour: "2-digit",
  minute: "2-digit",
});

const lists = new Intl.ListFormat(locale, { style: "short", type: "unit" });

/** Items listed as the locale lists them (its comma: `،` in Dari and Arabic). */
export function list(items) {
  return lists.format(items);
}

/** A number as the locale writes it. */
export function num(n) {
  return numbers.format(n);
}

/** The names of the Afghan solar months in a language whose dates are written in the nearest
 * locale's, where that locale names them in its own language (Dari's data, for Pashto). */
const OWN_MONTHS = {
  ps: ["وری", "غویی", "غبرګولی", "چنګاښ", "زمری", "وږی", "تله", "لړم", "لیندۍ", "مرغومی", "سلواغه", "کب"],
};
const monthNumber = new Intl.DateTimeFormat(`${dateLocale}-u-nu-latn`, { month: "numeric" });
const ownMonths =
  dateLocale !== locale && monthNumber.resolvedOptions().calendar === "persian" ? OWN_MONTHS[lang] : undefined;

/**
 * A time as the API takes it (RFC 3339, UTC, whole seconds): a `Date`, milliseconds, or a
 * time typed in a `datetime-local` input (read in the device's time zone).
 */
export function apiTime(time) {
  return new Date(time).toISOString().replace(/\.\d+Z$/, "Z");
}

/** An API time as a `datetime-local` input shows it, in the device's time zone. */
export function inputTime(iso) {
  const d = new Date(iso);
  const two = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** An RFC 3339 time as the locale writes it (day, month, hour, minute). */
export function when(text) {
  if (!text) return "";
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) return text;
  if (!ownMonths) return times.format(d);
  const month = ownMonths[Number(monthNumber.format(d)) - 1];
  return times
    .formatToParts(d)
    .map((part) => (part.type === "month" && month ? month : part.value))
    .join("");
}

const plurals = new Intl.PluralRules(locale);

/**
 * The message `id` with `{name}` filled from `args` (numbers in the locale's digits). A
 * message that selects on a number takes the variant Fluent would: the number's own, else its
 * plural category's in the locale, else the default.
 */
export function t(id, args = {}) {
  let pattern = messages[id] ?? id;
  const selector = messages[`${id}[]`];
  if (selector && typeof args[selector] === "number") {
    const n = args[selector];
    pattern = messages[`${id}[${n}]`] ?? messages[`${id}[${plurals.select(n)}]`] ?? pattern;
  }
  return pattern.replace(/\{([a-z0-9_-]+)\}/gi, (whole, name) => {
    if (!(name in args)) return whole;
    const v = args[name];
    return typeof v === "number" ? num(v) : String(v);
  });
}

/** `path` with the page's language kept. */
export function href(path) {
  const sep = path.includes("?") ? "&" : "?";
  return `${path}${sep}lang=${encodeURIComponent(lang)}`;
}

const SESSION = "safeconduct.session";

/** The session of this tab: { token, username, op, opName, roles } or null. */
export function session() {
  try {
    return JSON.parse(sessionStorage.getItem(SESSION) || "null");
  } catch {
    return null;
  }
}

export function saveSession(s) {
  sessionStorage.setItem(SESSION, JSON.stringify(s));
}

export function clearSession() {
  sessionStorage.removeItem(SESSION);
}

/** The refusals whose English sentence from the server names what the reader needs (a
 * conflict says which: a name taken, a flight already boarding, a household already on one). */
const REFUSALS_WITH_DETAIL = new Set(["window_full", "flight_full", "not_found", "forbidden", "conflict"]);

/** A refusal of the API: its HTTP status, stable code and message. */
export class ApiFailure extends Error {
  /** `stage`: where a case was when a step on it was refused for its stage. */
  constructor(status, code, message, stage = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.stage = stage;
  }
}

/**
 * Calls the API. `{op}` in `path` is the session's operation; `headers` are sent besides the
 * token (`X-Reason`, `Idempotency-Key`). Answers the parsed JSON (or null for 204), throws ApiFailure on a refusal; a 401 ends the session and leads to sign-in.
 */
export async function api(method, path, body, { raw = false, headers: extra = {} } = {}) {
  // A field marked refused by an earlier submission is unmarked by the next one.
  if (method !== "GET") unmarkFields();
  const s = session();
  const headers = { Accept: "application/json", ...extra };
  if (s?.token) headers.Authorization = `Bearer ${s.token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const url = s?.op ? path.replace("{op}", encodeURIComponent(s.op)) : path;
  let res;
  try {
    res = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
    });
  } catch {
    throw new ApiFailure(0, "offline", t("common-offline"));
  }
  if (res.status === 401 && s?.token && !path.startsWith("/api/sessions")) {
    clearSession();
    location.assign(href("/app/sign-in") + "&ended=1");
    throw new ApiFailure(401, "unauthorised", t("common-session-ended"));
  }
  if (!res.ok) {
    let code = "error";
    let message = `${res.status}`;
    let stage = null;
    let refused = null;
    try {
      const e = (await res.json()).error;
      code = e.code;
      message = e.message;
      stage = e.stage ?? null;
      if (e.field) refused = { field: e.field, expected: e.expected ?? null };
    } catch {
      /* not our JSON */
    }
    if (refused) throw new ApiFailure(res.status, code, refusedValue(refused, message), stage);
    // The server says why in English: a page in another language says it in its own words
    // where it has them for the refusal's code, followed by the server's sentence where that
    // names what the reader needs (the seats left, what was not found, the roles needed).
    // A refusal it has no words for stays the server's English, set apart in the sentence that
    // shows it.
    const own = `common-refused-${code}`;
    if (lang !== "en" && own in messages) {
      const words = t(own, { seconds: Number(res.headers.get("Retry-After")) || 1 });
      message = REFUSALS_WITH_DETAIL.has(code) ? `${words} (${isolated(message)})` : words;
    } else if (lang !== "en") {
      message = isolated(message);
    }
    throw new ApiFailure(res.status, code, message, stage);
  }
  if (raw) return res;
  if (res.status === 204) return null;
  return res.json();
}

/**
 * A refused value said as the page shows its field: named by its label (after its fieldset's
 * legend, "Member 2 · Date of birth"), marked invalid and focused. The server's reason is
 * English: an English page shows it as it is; a page in another language says what the value
 * takes in its own words where the server named the kind (`expected`); for a value not as the
 * field takes it, the field's hint followed by what was expected in English (which part of a
 * date, which character of a reference), and the English reason in brackets where the page has
 * no words for it. A control names the request field it fills by `data-field`; a value named in
 * the path or the query is looked for by its parameter's name, in the form being sent first.
 */
function refusedValue({ field, expected }, message) {
  const reason = message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message;
  // Only the field refused this time stays marked.
  unmarkFields();
  // The form being sent (the one holding the focused button or field) first: two forms of a
  // page may fill fields of the same name.
  const form = document.activeElement?.closest?.("form");
  const control = [...(form?.querySelectorAll("[data-field]") ?? []), ...document.querySelectorAll("[data-field]")].find(
    (c) => c.dataset.field === field && c.getClientRects().length > 0,
  );
  let name = field;
  let hint = null;
  if (control) {
    const label = control.labels?.[0]?.textContent.trim();
    const legend = control.closest("fieldset")?.querySelector("legend")?.textContent.trim();
    name = label && legend ? `${legend} · ${label}` : label || field;
    hint = document.getElementById(control.getAttribute("aria-describedby") || "")?.textContent.trim() || null;
    control.setAttribute("aria-invalid", "true");
    control.focus();
  }
  const key = expected && `common-expected-${expected.kind}`;
  if (lang !== "en" && key in messages && (expected.kind !== "form" || hint)) {
    return t(key, {
      field: name,
      min: expected.min ?? 0,
      max: expected.max ?? 0,
      hours: expected.hours ?? 0,
      km: expected.km ?? 0,
      role: `common-role-${expected.role}` in messages ? t(`common-role-${expected.role}`) : (expected.role ?? ""),
      hint: hint ?? "",
      reason: isolated(reason.replace(/^expected /, "")),
      character: expected.code === undefined ? "" : `U+${expected.code.toString(16).toUpperCase().padStart(4, "0")}`,
    });
  }
  return lang === "en" ? `${name}: ${reason}` : t("common-expected-other", { field: name, reason: isolated(reason) });
}

/**
 * The server's English `text` set apart from the words around it (Unicode's first-strong and
 * pop isolates): in a right-to-left sentence its own order holds, and the brackets around it
 * stay on its two sides.
 */
export function isolated(text) {
  return `\u2068${text}\u2069`;
}

/** Unmarks every field a refusal marked invalid. */
function unmarkFields() {
  for (const marked of document.querySelectorAll("[data-field][aria-invalid]")) marked.removeAttribute("aria-invalid");
}

// A field marked invalid is unmarked as soon as it is changed.
document.addEventListener("input", (event) => event.target.removeAttribute?.("aria-invalid"));

/**
 * The page's session, or a trip to sign-in. With `roles`, a session holding none of them is
 * told so on the page (the API would refuse it anyway). A page's script awaits it first: for
 * a session that may not use the page the promise never settles, so the script stops there and
 * touches nothing of the page it replaced.
 */
export function requireSession(roles) {
  const never = new Promise(() => {});
  const s = session();
  if (!s?.token || !s.op) {
    location.replace(href("/app/sign-in"));
    return never;
  }
  if (roles && !roles.some((r) => s.roles.includes(r))) {
    // Whose page this is, which roles the session has, and the way out: the bar's links to
    // the session's own pages and its sign-out.
    const named = (rs) => list(rs.map((r) => t(`common-role-${r}`)));
    const main = document.getElementById("main");
    const why = t("common-page-for", { roles: named(roles), yours: named(s.roles || []) });
    if (main) main.replaceChildren(el("p", { class: "notice bad", role: "alert" }, why));
    showWho(s);
    return never;
  }
  showWho(s);
  return Promise.resolve(s);
}

/** The pages each role works on, in the order the bar lists them. */
const PAGES_OF_ROLE = {
  coordinator: ["dashboard", "map", "plan", "hotline", "gate"],
  hotline: ["hotline"],
  gate: ["gate"],
  manifest: ["dashboard"],
  auditor: ["dashboard"],
};

/**
 * "Signed in as …", a sign-out button and links to the pages the session's roles work on, in
 * the page's bar. The links only save a trip through sign-in: each page still asks the API,
 * which decides what the role sees.
 */
export function showWho(s) {
  const who = document.getElementById("who");
  if (!who || !s) return;
  const names = [...new Set((s.roles || []).flatMap((r) => PAGES_OF_ROLE[r] || []))];
  if (names.length > 1 && !document.getElementById("pages-nav")) {
    const here = location.pathname;
    const links = names.map((name) => {
      const path = `/app/${name}`;
      return el("a", { href: href(path), "aria-current": here === path ? "page" : null }, t(`common-nav-${name}`));
    });
    who.before(el("nav", { id: "pages-nav", class: "pages-nav", "aria-label": t("common-pages") }, links));
  }
  const out = el("button", { type: "button", class: "secondary" }, t("common-sign-out"));
  out.addEventListener("click", async () => {
    out.disabled = true;
    for (const before of beforeSignOut) {
      try {
        await before();
      } catch {
        /* the session ends either way */
      }
    }
    try {
      await api("DELETE", "/api/sessions");
    } catch {
      /* signed out locally either way */
    }
    clearSession();
    location.assign(href("/app/sign-in"));
  });
  who.replaceChildren(el("span", {}, t("common-signed-in-as", { name: s.username })), out);
}

const beforeSignOut = [];

/**
 * Registers what the page does when its user signs out, before the session ends (the scanner
 * sends the records that wait and drops its kit). Awaited in order; a failure does not keep
 * anyone signed in.
 */
export function onSignOut(before) {
  beforeSignOut.push(before);
}

/**
 * An element with attributes and children (strings become text nodes: data is never parsed
 * as HTML). `on*` attributes given functions become listeners.
 */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") e.addEventListener(k.slice(2), v);
    else if (v === true) e.setAttribute(k, "");
    else e.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

/**
 * Where the person at the page is, kept across a drawing anew of lists read from the server:
 * the control with the focus (`focused`), found again after the drawing by its id, or by the
 * nearest ancestor with an id, the rows keyed by a `data-*` attribute between (outermost
 * first) and its place among the innermost row's (or that ancestor's) controls, with what was
 * typed there (a value left as drawn takes the one drawn anew). Answers the
 * function that puts the focus back: on the control itself while it stands, else on the one
 * drawn in its place; nothing when neither is there or the focus is already on it.
 */
export function keptPlace(focused = document.activeElement) {
  const again = findAgain(focused);
  // What was typed or chosen there; a value as drawn gives way to the one drawn anew.
  const typed = focused?.tagName === "SELECT" || (focused && focused.value !== focused.defaultValue) ? focused.value : undefined;
  return () => {
    const target = focused?.isConnected ? focused : again?.();
    if (!target || target === document.activeElement) return;
    if (target !== focused && typed !== undefined && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) target.value = typed;
    target.focus({ preventScroll: true });
  };
}

/** The children of `target` replaced by `children`, the focus kept where it was (`keptPlace`). */
export function redraw(target, ...children) {
  const back = keptPlace();
  target.replaceChildren(...children);
  back();
}

/** How to find `element` again once the list it stands in is drawn anew; null for none. */
function findAgain(element) {
  if (!element || element === document.body) return null;
  if (element.id) return () => document.getElementById(element.id);
  const controls = (row) => [...row.querySelectorAll("button, input, select, textarea, a[href], summary, [tabindex]")];
  const keys = [];
  let row = null;
  for (let node = element.parentElement; node && node !== document.body; node = node.parentElement) {
    if (node.id) {
      row ??= node;
      const [root, index] = [node.id, controls(row).indexOf(element)];
      if (index < 0) return null;
      return () => {
        let at = document.getElementById(root);
        for (const [name, value] of keys) at = at && [...at.querySelectorAll(`[${name}]`)].find((n) => n.getAttribute(name) === value);
        return at ? controls(at)[index] : null;
      };
    }
    const key = [...node.attributes].find((a) => a.name.startsWith("data-"));
    if (key) {
      keys.unshift([key.name, key.value]);
      row ??= node;
    }
  }
  return null;
}

/** Shows `err` (an ApiFailure or anything) in the element `target`, as an alert. */
export function showError(target, err) {
  const detail = err instanceof ApiFailure ? err.message : String(err?.message || err);
  target.replaceChildren(t("common-error", { detail }));
  target.hidden = false;
  target.setAttribute("role", "alert");
}

/** Scrolls a message just shown into view when it is off the screen (a form's answer shown
 * above the map, on a phone, is otherwise never seen). */
export function reveal(target) {
  const box = target.getBoundingClientRect();
  if (box.top < 0 || box.bottom > window.innerHeight) target.scrollIntoView({ block: "nearest" });
}

/**
 * `fn` run at most once per `gap` milliseconds and never twice at once, however often the
 * returned trigger is pulled; a pull while it runs runs it once more afterwards.
 */
export function throttled(fn, gap) {
  let last = 0;
  let timer = null;
  let running = false;
  let again = false;
  async function run() {
    timer = null;
    if (running) {
      again = true;
      return;
    }
    running = true;
    last = Date.now();
    try {
      await fn();
    } finally {
      running = false;
      if (again) {
        again = false;
        trigger();
      }
    }
  }
  function trigger() {
    if (!timer) timer = setTimeout(run, Math.max(0, last + gap - Date.now()));
  }
  return trigger;
}

/**
 * Follows the operation's live stream (server-sent events read through fetch, so that the
 * token travels in a header, never in the URL). Calls `onEvent(name, data)` for each event and
 * `onState(connected)` as the connection comes and goes; reconnects with back-off. Returns a
 * function that stops it.
 */
export function live(onEvent, onState = () => {}) {
  let stopped = false;
  let delay = 1000;
  async function run() {
    while (!stopped) {
      try {
        const res = await api("GET", "/api/operations/{op}/live", undefined, { raw: true });
        onState(true);
        delay = 1000;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done || stopped) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let name = "message";
            const data = [];
            for (const line of block.split("\n")) {
              if (line.startsWith("event:")) name = line.slice(6).trim();
              else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
            }
            if (data.length) onEvent(name, data.join("\n"));
          }
        }
      } catch (e) {
        if (e instanceof ApiFailure && e.status === 401) return;
      }
      onState(false);
      if (stopped) return;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 15000);
      onEvent("resync", "");
    }
  }
  run();
  return () => {
    stopped = true;
  };
}
