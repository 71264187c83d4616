// The map of an operation, drawn in SVG with no tile server (the field has no internet): the
// street network of the server's extract (fetched by bounding box at the level of detail the
// zoom needs, from POST /api/operations/{op}/map/streets with the box in the body, which only
// coordinators and hotline operators may call), RVs and gates with their status and load,
// hazards as circles, a route line and a picked position. Pan and zoom by mouse, touch and keyboard; a click, a tap or
// Enter picks a position (the crosshair's when from the keyboard).
//
// It shows only what the page hands it and the streets; it holds no data of its own.

import { api, el, t, num } from "./app.js";

const SVG = "http://www.w3.org/2000/svg";
const M_PER_DEG = 111195;
const ARABIC = /[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFC]/;

function svg(tag, attrs = {}, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

export class MapView {
  /**
   * `host`: the element to fill. `label`: the map's accessible name. `onPick(lat, lon)`: a
   * position picked. `language`: the names' language (the page's).
   */
  constructor(host, { label, onPick, language }) {
    this.host = host;
    this.onPick = onPick || (() => {});
    this.language = language;
    this.lat0 = 0;
    this.lon0 = 0;
    this.cos0 = 1;
    this.cx = 0; // view centre, metres east of (lat0, lon0)
    this.cy = 0; // view centre, metres north
    this.s = 1; // pixels per metre
    this.streets = null;
    this.items = { hazards: [], places: [], route: null, pick: null };
    this.fetchTimer = 0;
    this.fetchSeq = 0;

    this.frame = el("div", { class: "map-frame" });
    this.view = el("div", {
      class: "map-view",
      tabindex: "0",
      role: "region",
      "aria-label": label,
      "aria-describedby": "map-keys",
    });
    this.svg = svg("svg", { class: "map-svg", "aria-hidden": "true", focusable: "false" });
    this.world = svg("g", { class: "map-world" });
    this.gStreets = svg("g", { class: "map-streets" });
    this.pathStreet = svg("path", { class: "street", "vector-effect": "non-scaling-stroke" });
    this.pathFoot = svg("path", { class: "footway", "vector-effect": "non-scaling-stroke" });
    this.gStreets.append(this.pathFoot, this.pathStreet);
    this.gHazards = svg("g", { class: "map-hazards" });
    this.pathRoute = svg("path", { id: "map-route", class: "route", "vector-effect": "non-scaling-stroke" });
    this.world.append(this.gStreets, this.gHazards, this.pathRoute);
    this.gLabels = svg("g", { class: "map-labels" });
    this.gMarks = svg("g", { class: "map-marks" });
    this.cross = svg("path", { class: "crosshair" });
    this.svg.append(this.world, this.gLabels, this.gMarks, this.cross);
    this.view.append(this.svg);
    const zin = el("button", { type: "button", class: "map-zoom secondary", "aria-label": t("map-zoom-in") }, "+");
    const zout = el("button", { type: "button", class: "map-zoom secondary", "aria-label": t("map-zoom-out") }, "−");
    zin.addEventListener("click", () => this.zoom(2));
    zout.addEventListener("click", () => this.zoom(0.5));
    this.status = el("p", { class: "map-status hint", "aria-live": "polite" });
    this.frame.append(
      this.view,
      el("div", { class: "map-tools" }, zin, zout),
      el("p", { id: "map-keys", class: "hint" }, t("map-keys")),
      this.status,
    );
    host.replaceChildren(this.frame);
    host.mapView = this;
    this.bind();
    new ResizeObserver(() => this.render()).observe(this.view);
  }

  // --- projection -------------------------------------------------------------------
  project(lat, lon) {
    return [(lon - this.lon0) * this.cos0 * M_PER_DEG, (lat - this.lat0) * M_PER_DEG];
  }
  unproject(x, y) {
    return [this.lat0 + y / M_PER_DEG, this.lon0 + x / (this.cos0 * M_PER_DEG)];
  }
  size() {
    return [this.view.clientWidth || 320, this.view.clientHeight || 320];
  }
  toScreen(lat, lon) {
    const [x, y] = this.project(lat, lon);
    const [w, h] = this.size();
    return [w / 2 + (x - this.cx) * this.s, h / 2 - (y - this.cy) * this.s];
  }
  fromScreen(px, py) {
    const [w, h] = this.size();
    return this.unproject(this.cx + (px - w / 2) / this.s, this.cy - (py - h / 2) / this.s);
  }

  /** Loads the extract's extent and shows all of it. */
  async start() {
    this.status.textContent = t("common-loading");
    const first = await api("POST", "/api/operations/{op}/map/streets", { detail: 400, language: this.language });
    const e = first.extent;
    this.lat0 = (e.south + e.north) / 2;
    this.lon0 = (e.west + e.east) / 2;
    this.cos0 = Math.cos((this.lat0 * Math.PI) / 180);
    this.extent = e;
    this.fit(e);
  }

  /** Shows the box `b` ({south, west, north, east}) whole. */
  fit(b) {
    const [x1, y1] = this.project(b.south, b.west);
    const [x2, y2] = this.project(b.north, b.east);
    const [w, h] = this.size();
    this.cx = (x1 + x2) / 2;
    this.cy = (y1 + y2) / 2;
    this.s = Math.min(w / Math.max(x2 - x1, 50), h / Math.max(y2 - y1, 50)) * 0.92;
    this.render();
  }

  /** Shows every [lon, lat] point of `coords` (a route), with a margin. */
  fitPoints(coords) {
    if (!coords?.length) return;
    const lats = coords.map((c) => c[1]);
    const lons = coords.map((c) => c[0]);
    const pad = 0.0008;
    this.fit({
      south: Math.min(...lats) - pad,
      north: Math.max(...lats) + pad,
      west: Math.min(...lons) - pad * 2,
      east: Math.max(...lons) + pad * 2,
    });
  }

  centreOn(lat, lon) {
    [this.cx, this.cy] = this.project(lat, lon);
    this.render();
  }

  zoom(factor, px, py) {
    const [w, h] = this.size();
    px ??= w / 2;
    py ??= h / 2;
    const [lat, lon] = this.fromScreen(px, py);
    this.s = Math.min(Math.max(this.s * factor, 0.01), 20);
    // Keep the point under the pointer where it was.
    const [x, y] = this.project(lat, lon);
    this.cx = x - (px - w / 2) / this.s;
    this.cy = y + (py - h / 2) / this.s;
    this.render();
  }

  pan(dx, dy) {
    this.cx -= dx / this.s;
    this.cy += dy / this.s;
    this.render();
  }

  bind() {
    const pointers = new Map();
    let moved = 0;
    let pinch = 0;
    this.view.addEventListener("pointerdown", (e) => {
      this.view.setPointerCapture?.(e.pointerId);
      pointers.set(e.pointerId, [e.clientX, e.clientY]);
      moved = 0;
      if (pointers.size === 2) {
        const [a, b] = [...pointers.values()];
        pinch = Math.hypot(a[0] - b[0], a[1] - b[1]);
      }
    });
    this.view.addEventListener("pointermove", (e) => {
      const last = pointers.get(e.pointerId);
      if (!last) return;
      const [dx, dy] = [e.clientX - last[0], e.clientY - last[1]];
      pointers.set(e.pointerId, [e.clientX, e.clientY]);
      if (pointers.size === 1) {
        moved += Math.abs(dx) + Math.abs(dy);
        this.pan(dx, dy);
      } else if (pointers.size === 2) {
        moved += 10;
        const [a, b] = [...pointers.values()];
        const d = Math.hypot(a[0] - b[0], a[1] - b[1]);
        const r = this.view.getBoundingClientRect();
        if (pinch > 0) this.zoom(d / pinch, (a[0] + b[0]) / 2 - r.left, (a[1] + b[1]) / 2 - r.top);
        pinch = d;
      }
    });
    const up = (e) => {
      const had = pointers.delete(e.pointerId);
      if (had && pointers.size === 0 && moved < 6 && e.type === "pointerup") {
        const r = this.view.getBoundingClientRect();
        const [lat, lon] = this.fromScreen(e.clientX - r.left, e.clientY - r.top);
        this.pick(lat, lon);
      }
    };
    this.view.addEventListener("pointerup", up);
    this.view.addEventListener("pointercancel", up);
    this.view.addEventListener(
      "wheel",
      (e) => {
        e.preventDefault();
        const r = this.view.getBoundingClientRect();
        this.zoom(e.deltaY < 0 ? 1.25 : 0.8, e.clientX - r.left, e.clientY - r.top);
      },
      { passive: false },
    );
    this.view.addEventListener("keydown", (e) => {
      const step = 60;
      const keys = {
        ArrowLeft: () => this.pan(step, 0),
        ArrowRight: () => this.pan(-step, 0),
        ArrowUp: () => this.pan(0, step),
        ArrowDown: () => this.pan(0, -step),
        "+": () => this.zoom(1.5),
        "=": () => this.zoom(1.5),
        "-": () => this.zoom(1 / 1.5),
        Enter: () => {
          const [w, h] = this.size();
          const [lat, lon] = this.fromScreen(w / 2, h / 2);
          this.pick(lat, lon);
        },
      };
      const act = keys[e.key];
      if (act) {
        e.preventDefault();
        act();
      }
    });
  }

  pick(lat, lon) {
    this.setPick({ lat, lon });
    this.onPick(lat, lon);
  }

  // --- what the page hands over --------------------------------------------------------
  /** [{id, lat, lon, radius_m, severity, label}] */
  setHazards(list) {
    this.items.hazards = list;
    this.render();
  }
  /** [{kind: "rv"|"gate", id, lat, lon, name, status, load}] */
  setPlaces(list) {
    this.items.places = list;
    this.render();
  }
  /** [[lon, lat], …] as GeoJSON writes a LineString, or null. */
  setRoute(coords) {
    this.items.route = coords;
    this.render();
  }
  setPick(p) {
    this.items.pick = p;
    this.render();
  }

  /** The route as drawn: the route path's own points, back in degrees ([lat, lon]). */
  drawnRoute() {
    const d = this.pathRoute.getAttribute("d") || "";
    const out = [];
    for (const m of d.matchAll(/[ML]\s*(-?[\d.]+)[ ,](-?[\d.]+)/g)) out.push(this.unproject(+m[1], +m[2]));
    return out;
  }

  // --- drawing ---------------------------------------------------------------------------
  render() {
    if (!this.extent) return;
    const [w, h] = this.size();
    this.svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
    this.svg.setAttribute("width", w);
    this.svg.setAttribute("height", h);
    this.world.setAttribute(
      "transform",
      `translate(${w / 2 - this.cx * this.s} ${h / 2 + this.cy * this.s}) scale(${this.s} ${-this.s})`,
    );
    this.cross.setAttribute(
      "d",
      `M${w / 2 - 10} ${h / 2}h20M${w / 2} ${h / 2 - 10}v20`,
    );
    this.drawHazards();
    this.drawRoute();
    this.drawMarks(w, h);
    this.drawLabels(w, h);
    this.scheduleStreets();
  }

  scheduleStreets() {
    clearTimeout(this.fetchTimer);
    this.fetchTimer = setTimeout(() => this.loadStreets(), 120);
  }

  async loadStreets() {
    const [w, h] = this.size();
    // A margin of half a screen each side, so a small pan needs nothing new.
    const [n, wst] = this.fromScreen(-w / 2, -h / 2);
    const [s, e] = this.fromScreen(w * 1.5, h * 1.5);
    const detail = Math.min(Math.max(1 / this.s, 0), 400);
    const key = [s, wst, n, e].map((v) => v.toFixed(4)).join(",");
    const want = `${key}|${detail.toFixed(1)}`;
    if (this.streetsKey === want) return;
    const seq = ++this.fetchSeq;
    try {
      // In the body: on the hotline the box follows the caller, and addresses end up in logs.
      const got = await api("POST", "/api/operations/{op}/map/streets", {
        bbox: key,
        detail: +detail.toFixed(2),
        language: this.language,
      });
      if (seq !== this.fetchSeq) return;
      this.streetsKey = want;
      this.streets = got;
      this.drawStreets();
      this.status.textContent = t("map-streets-shown", { count: got.lines.length });
    } catch (err) {
      this.status.textContent = t("common-error", { detail: err.message });
    }
  }

  drawStreets() {
    const street = [];
    const foot = [];
    for (const line of this.streets.lines) {
      const c = line.c;
      let d = "";
      for (let i = 0; i < c.length; i += 2) {
        const [x, y] = this.project(c[i], c[i + 1]);
        d += `${i ? "L" : "M"}${x.toFixed(1)} ${y.toFixed(1)}`;
      }
      (line.k === "street" ? street : foot).push(d);
    }
    this.pathStreet.setAttribute("d", street.join(""));
    this.pathFoot.setAttribute("d", foot.join(""));
    const [w, h] = this.size();
    this.drawLabels(w, h);
  }

  drawHazards() {
    this.gHazards.replaceChildren(
      ...this.items.hazards.map((z) => {
        const [x, y] = this.project(z.lat, z.lon);
        return svg("circle", { class: `hazard ${z.severity}`, cx: x, cy: y, r: z.radius_m, "data-id": z.id });
      }),
    );
  }

  drawRoute() {
    const r = this.items.route;
    if (!r || r.length < 2) {
      this.pathRoute.removeAttribute("d");
      return;
    }
    this.pathRoute.setAttribute(
      "d",
      r
        .map(([lon, lat], i) => {
          const [x, y] = this.project(lat, lon);
          return `${i ? "L" : "M"}${x.toFixed(2)} ${y.toFixed(2)}`;
        })
        .join(""),
    );
  }

  drawMarks(w, h) {
    const marks = [];
    const inView = ([x, y]) => x > -50 && y > -50 && x < w + 50 && y < h + 50;
    for (const p of this.items.places) {
      const at = this.toScreen(p.lat, p.lon);
      if (!inView(at)) continue;
      const [x, y] = at;
      const shape =
        p.kind === "rv"
          ? svg("circle", { cx: x, cy: y, r: 11 })
          : svg("rect", { x: x - 10, y: y - 10, width: 20, height: 20 });
      const g = svg("g", { class: `mark ${p.kind} ${p.status}`, "data-id": p.id });
      g.append(shape, this.text(x, y - 16, p.load === undefined ? p.name : `${p.name} · ${num(p.load)}`, "mark-label"));
      marks.push(g);
    }
    if (this.items.pick) {
      const [x, y] = this.toScreen(this.items.pick.lat, this.items.pick.lon);
      const g = svg("g", { class: "pick" });
      g.append(svg("path", { d: `M${x} ${y}l-9 -20a10 10 0 1 1 18 0z` }), svg("circle", { cx: x, cy: y - 21, r: 4, class: "pick-dot" }));
      marks.push(g);
    }
    this.gMarks.replaceChildren(...marks);
  }

  text(x, y, content, cls, angle = 0) {
    const rtl = ARABIC.test(content);
    return svg(
      "text",
      {
        x,
        y,
        class: cls + (rtl ? " rtl" : ""),
        "text-anchor": "middle",
        direction: rtl ? "rtl" : "ltr",
        transform: angle ? `rotate(${angle} ${x} ${y})` : undefined,
      },
      content,
    );
  }

  /**
   * One label per street name in view, when zoomed in enough: longest streets first, at the
   * half-way point of the name's longest stretch on screen, turned along it (never upside
   * down) when it is long enough to hold the name, level otherwise; none over another.
   */
  drawLabels(w, h) {
    const labels = [];
    if (this.streets && this.s > 0.3) {
      const best = new Map();
      for (const line of this.streets.lines) {
        if (line.n === undefined) continue;
        const c = line.c;
        const pts = [];
        for (let i = 0; i < c.length; i += 2) pts.push(this.toScreen(c[i], c[i + 1]));
        let len = 0;
        for (let i = 1; i < pts.length; i++) len += Math.hypot(pts[i][0] - pts[i - 1][0], pts[i][1] - pts[i - 1][1]);
        const had = best.get(line.n) || { len: 0, pts: null, total: 0 };
        had.total += len;
        if (had.len < len) Object.assign(had, { len, pts });
        best.set(line.n, had);
      }
      const taken = [];
      const free = (box) => !taken.some((b) => box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3]);
      for (const [n, { len, pts, total }] of [...best].sort((a, b) => b[1].total - a[1].total)) {
        const name = this.streets.names[n];
        const width = name.length * 7.5;
        if (total < 40) continue;
        const mid = halfway(pts, len);
        if (mid[0] < 0 || mid[1] < 0 || mid[0] > w || mid[1] > h) continue;
        let angle = 0;
        if (len >= width) {
          const [a, b] = [pts[0], pts[pts.length - 1]];
          angle = (Math.atan2(b[1] - a[1], b[0] - a[0]) * 180) / Math.PI;
          if (angle > 90) angle -= 180;
          if (angle < -90) angle += 180;
        }
        const r = (angle * Math.PI) / 180;
        const [hw, hh] = [(Math.abs(Math.cos(r)) * width + Math.abs(Math.sin(r)) * 16) / 2, (Math.abs(Math.sin(r)) * width + Math.abs(Math.cos(r)) * 16) / 2];
        const box = [mid[0] - hw, mid[1] - hh, mid[0] + hw, mid[1] + hh];
        if (!free(box)) continue;
        taken.push(box);
        labels.push(this.text(mid[0], mid[1] + 5, name, "street-label", Math.round(angle)));
      }
    }
    this.gLabels.replaceChildren(...labels);
  }
}

/** The point half-way along the screen polyline `pts` of length `len`. */
function halfway(pts, len) {
  let left = len / 2;
  for (let i = 1; i < pts.length; i++) {
    const [a, b] = [pts[i - 1], pts[i]];
    const d = Math.hypot(b[0] - a[0], b[1] - a[1]);
    if (d >= left && d > 0) return [a[0] + ((b[0] - a[0]) * left) / d, a[1] + ((b[1] - a[1]) * left) / d];
    left -= d;
  }
  return pts[0];
}

/** The hazards in force of GET …/hazards as the map draws them. */
export function hazardItems(hazards, now = Date.now()) {
  return hazards
    .filter((h) => Date.parse(h.valid_from) <= now && (!h.valid_until || Date.parse(h.valid_until) > now))
    .map((h) => ({ id: h.id, lat: h.location.lat, lon: h.location.lon, radius_m: h.radius_m, severity: h.severity }));
}
