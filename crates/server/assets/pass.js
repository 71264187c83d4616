// The household's pass page. Who may use it: the household, from the link sent to its phone;
// no account and no session. The token is the part of the link after "#": it never reaches a
// request line or a log; it goes to the API in a request body. The page shows what the API
// answers for it (the code, the window, the rendezvous point, the approach to it when the
// server has a street map) and the same "not found" for
// any link that opens no pass. It stores nothing.

import { api, dateLocale, t, when } from "./app.js";

const $ = (id) => document.getElementById(id);
const token = location.hash.replace(/^#/, "").trim().toLowerCase();

// The language links keep the token, so that choosing a language does not lose the pass.
for (const a of document.querySelectorAll("nav.languages a")) {
  if (token) a.setAttribute("href", `${a.getAttribute("href")}#${token}`);
}

function notFound() {
  $("loading").hidden = true;
  $("pass").hidden = true;
  $("not-found").hidden = false;
}

async function show() {
  if (!/^[0-9a-f]{40}$/.test(token)) return notFound();
  let pass;
  try {
    pass = await api("POST", "/api/pass-link", { token });
  } catch (e) {
    if (e.status === 404 || e.status === 422 || e.status === 400) return notFound();
    $("loading").hidden = true;
    $("page-error").textContent = t("pass-unavailable");
    $("page-error").hidden = false;
    return;
  }
  $("qr").src = `data:image/png;base64,${pass.qr_png}`;
  $("window").textContent = t("pass-window", { from: when(pass.window_start), until: when(pass.window_end) });
  $("valid-until").textContent = t("pass-valid-until", { time: when(pass.valid_until) });
  $("rv-name").textContent = pass.rv.name;
  $("rv-landmark").textContent = pass.rv.landmark;
  const { lat, lon } = pass.rv.location;
  $("rv-map").setAttribute("href", `geo:${lat},${lon}`);
  const degrees = new Intl.NumberFormat(dateLocale, { maximumFractionDigits: 5 });
  $("rv-coordinates").textContent = t("pass-coordinates", {
    lat: degrees.format(lat),
    lon: degrees.format(lon),
  });
  // The approach to the point, when the server could make one: directions, in text only.
  if (pass.route) {
    const numbers = new Intl.NumberFormat(dateLocale);
    $("route-length").textContent = t("pass-route-length", {
      metres: numbers.format(pass.route.length_m),
      minutes: numbers.format(pass.route.walking_minutes),
    });
    $("route-steps").replaceChildren(
      ...pass.route.steps.map((step) => {
        const li = document.createElement("li");
        li.textContent = step;
        return li;
      }),
    );
    $("route").hidden = false;
  }
  $("loading").hidden = true;
  $("pass").hidden = false;
}

$("print").addEventListener("click", () => window.print());
show();
