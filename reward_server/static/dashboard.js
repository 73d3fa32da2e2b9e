// reward-server's dashboard: SVG charts of a /v1/stats snapshot, drawn with no library.
// Live (served at /dashboard) it polls /v1/stats; in a report (`score --report`) the snapshot
// is inlined. Names and details come from requests: they only ever reach textContent.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const PALETTE = ["#3b6fd8", "#e0862b", "#2f9e6a", "#c2453d", "#8a5cc7", "#1f9bb5", "#b8860b",
  "#d45d9e", "#5c6b7f", "#7fa33a"];
const STATUS_COLORS = { ok: "#2f9e6a", format_error: "#e0a32b", invalid_input: "#8a5cc7",
  timeout: "#c2453d", error: "#6b1f1a" };
const REFRESH_MS = 2000;
const MAX_SHOWN = 12;  // data sources drawn, the largest first (MAX_SOURCE_SERIES of stats.py)
const MAX_RECENT_SHOWN = 15;

function el(name, attrs = {}, parent = null, ns = SVG) {
  const node = document.createElementNS(ns, name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (parent) parent.appendChild(node);
  return node;
}

function html(name, text, parent, cls) {
  const node = document.createElement(name);
  if (text !== undefined && text !== null) node.textContent = text;
  if (cls) node.className = cls;
  if (parent) parent.appendChild(node);
  return node;
}

function fmt(value, digits = 3) {
  if (value === null || value === undefined) return "–";
  if (Math.abs(value) >= 1000) return value.toFixed(0);
  return Number(value.toPrecision(digits)).toString();
}

function clock(seconds) {
  return new Date(seconds * 1000).toTimeString().slice(0, 8);
}

function legend(parent, entries) {
  const box = html("div", null, parent, "legend");
  for (const [name, color] of entries) {
    const item = html("span", null, box);
    const swatch = html("i", null, item);
    swatch.style.background = color;
    item.appendChild(document.createTextNode(name));
  }
}

// A chart frame: an SVG with axes for x in [x0, x1] and y in [y0, y1], linear or log y.
function frame(parent, name, x0, x1, y0, y1, log) {
  const W = 520, H = 190, L = 46, R = 8, T = 8, B = 20;
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: "none",
    "data-chart": name }, parent);
  const ly = (v) => (log ? Math.log10(Math.max(v, y0)) : v);
  const [a, b] = [ly(y0), ly(y1) === ly(y0) ? ly(y0) + 1 : ly(y1)];
  const x = (v) => L + ((v - x0) / Math.max(x1 - x0, 1e-9)) * (W - L - R);
  const y = (v) => T + (1 - (ly(v) - a) / (b - a)) * (H - T - B);
  const ticks = log
    ? Array.from({ length: Math.ceil(b) - Math.floor(a) + 1 }, (_, i) => 10 ** (Math.floor(a) + i))
      .filter((v) => ly(v) >= a - 1e-9 && ly(v) <= b + 1e-9)
    : [0, 1, 2, 3, 4].map((i) => y0 + ((y1 - y0) * i) / 4);
  for (const tick of ticks) {
    el("line", { x1: L, x2: W - R, y1: y(tick), y2: y(tick), class: "grid" }, svg);
    el("text", { x: L - 4, y: y(tick) + 3, "text-anchor": "end" }, svg).textContent = fmt(tick, 2);
  }
  el("line", { x1: L, x2: W - R, y1: H - B, y2: H - B, class: "axis" }, svg);
  for (const [t, anchor] of [[x0, "start"], [(x0 + x1) / 2, "middle"], [x1, "end"]]) {
    el("text", { x: x(t), y: H - 6, "text-anchor": anchor }, svg).textContent = clock(t);
  }
  return { svg, x, y, bottom: H - B, step: (W - L - R) };
}

function empty(parent, what) {
  html("div", `no ${what} in the window yet`, parent, "empty");
}

// Lines over time, a point in the middle of each bucket of ``span`` seconds: series is
// [{name, values, color, dashed}], null values leave gaps.
function lines(parent, name, t, span, series, { log = false, yMin = null, yMax = null } = {}) {
  parent.replaceChildren();
  const values = series.flatMap((s) => s.values).filter((v) => v !== null && v !== undefined);
  if (!t.length || !values.length) return empty(parent, "items");
  let lo = yMin ?? Math.min(0, ...values), hi = yMax ?? Math.max(...values);
  if (log) { lo = Math.max(Math.min(...values) / 2, 1e-3); hi = Math.max(...values) * 2; }
  if (hi === lo) hi = lo + 1;
  const f = frame(parent, name, t[0], t[t.length - 1] + span, lo, hi, log);
  for (const s of series) {
    let d = "";
    const missing = (j) => j < 0 || j >= t.length || s.values[j] === null ||
      s.values[j] === undefined;
    s.values.forEach((v, i) => {
      if (missing(i)) return;
      const [x, y] = [f.x(t[i] + span / 2).toFixed(1), f.y(v).toFixed(1)];
      d += `${missing(i - 1) ? "M" : "L"}${x},${y}`;
      if (missing(i - 1) && missing(i + 1)) {  // a lone point still shows
        el("circle", { cx: x, cy: y, r: 2.5, fill: s.color, "data-series": s.name }, f.svg);
      }
    });
    el("path", { d, fill: "none", stroke: s.color, "stroke-width": 1.8,
      "stroke-dasharray": s.dashed ? "4 3" : "none", "data-series": s.name }, f.svg);
  }
  legend(parent, series.filter((s) => !s.dashed).map((s) => [s.name, s.color]));
}

// Stacked bars over time: series is [{name, values, color}].
function stacked(parent, name, t, span, series) {
  parent.replaceChildren();
  const sums = t.map((_, i) => series.reduce((acc, s) => acc + (s.values[i] || 0), 0));
  if (!t.length || !Math.max(0, ...sums)) return empty(parent, "events");
  const f = frame(parent, name, t[0], t[t.length - 1] + span, 0, Math.max(...sums));
  const width = Math.max(f.step / t.length - 1, 1);
  t.forEach((start, i) => {
    let base = 0;
    for (const s of series) {
      const v = s.values[i] || 0;
      if (!v) continue;
      el("rect", { x: f.x(start), y: f.y(base + v), width, height: f.y(base) - f.y(base + v),
        fill: s.color, "data-series": s.name }, f.svg);
      base += v;
    }
  });
  legend(parent, series.map((s) => [s.name, s.color]));
}

// The names with the most items, at most MAX_SHOWN of them.
function largest(totals) {
  return Object.keys(totals).sort((a, b) => totals[b].items - totals[a].items).slice(0, MAX_SHOWN);
}

// One small histogram per name: totals[name].histogram over edges.
function histograms(parent, totals, edges, names) {
  parent.replaceChildren();
  if (!names.length) return empty(parent, "rewards");
  names.forEach((name, n) => {
    const group = totals[name];
    const figure = html("figure", null, parent);
    html("figcaption", `${name}: ${group.items} items, mean ${fmt(group.mean_reward)}`, figure);
    const W = 230, H = 110, B = 14;
    const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, "data-chart": "histogram",
      "data-name": name }, figure);
    const top = Math.max(...group.histogram, 1);
    const width = W / group.histogram.length;
    group.histogram.forEach((count, i) => {
      if (!count) return;
      const height = ((H - B - 4) * count) / top;
      el("rect", { x: i * width + 0.5, y: H - B - height, width: width - 1, height,
        fill: PALETTE[n % PALETTE.length], "data-series": name }, svg).appendChild(
        el("title", {})).textContent = `[${edges[i]}, ${edges[i + 1]}): ${count}`;
    });
    el("line", { x1: 0, x2: W, y1: H - B, y2: H - B, class: "axis" }, svg);
    for (const [at, label] of [[0, edges[0]], [W / 2, edges[(edges.length - 1) / 2]],
      [W, edges[edges.length - 1]]]) {
      el("text", { x: at, y: H - 2, "text-anchor": at ? (at === W ? "end" : "middle") : "start" },
        svg).textContent = label;
    }
  });
}

function table(node, header, rows) {
  node.replaceChildren();
  const head = html("tr", null, html("thead", null, node));
  for (const name of header) html("th", name, head);
  const body = html("tbody", null, node);
  for (const row of rows) {
    const tr = html("tr", null, body);
    for (const [value, cls] of row) html("td", value, tr, cls);
  }
}

function colors(names) {
  return Object.fromEntries(names.map((name, i) => [name, PALETTE[i % PALETTE.length]]));
}

function draw(data, live) {
  const s = data.series, t = s.t, span = data.bucket_s;
  const verifiers = Object.keys(s.verifiers), color = colors(verifiers);
  const window = live ? `window ${fmt(data.window_s / 60, 2)} min` : "offline run";
  document.getElementById("state").textContent =
    `${window}, ${fmt(data.bucket_s)} s buckets, updated ${clock(data.now)}`;

  const alerts = document.getElementById("alerts");
  alerts.replaceChildren();
  for (const alert of data.alerts) html("p", `⚠ ${alert.message}`, alerts).dataset.kind = alert.kind;
  alerts.hidden = !data.alerts.length;

  const totals = data.totals.verifiers;
  table(document.getElementById("verifiers"),
    ["verifier", "items", "mean reward", "p50 ms", "p90 ms", "p99 ms", ...data.statuses],
    Object.entries(totals).map(([name, g]) => [[name], [g.items, "num"],
      [fmt(g.mean_reward), "num"], [fmt(g.latency_ms.p50), "num"], [fmt(g.latency_ms.p90), "num"],
      [fmt(g.latency_ms.p99), "num"], ...data.statuses.map((st) => [g.status[st], "num"])]));

  lines(document.getElementById("rate"), "rate", t, span,
    verifiers.map((v) => ({ name: v, values: s.verifiers[v].items_per_s, color: color[v] })));
  lines(document.getElementById("latency"), "latency", t, span, verifiers.flatMap((v) => [
    { name: v, values: s.verifiers[v].p50, color: color[v] },
    { name: `${v} p99`, values: s.verifiers[v].p99, color: color[v], dashed: true }]),
  { log: true });
  stacked(document.getElementById("status"), "status", t, span,
    data.statuses.map((st) => ({ name: st, values: s.status[st], color: STATUS_COLORS[st] })));
  lines(document.getElementById("mean-verifier"), "mean-verifier", t, span,
    verifiers.map((v) => ({ name: v, values: s.verifiers[v].mean_reward, color: color[v] })));
  const sources = largest(data.totals.data_sources).filter((d) => d in s.data_sources);
  const sourceColor = colors(sources);
  lines(document.getElementById("mean-source"), "mean-source", t, span,
    sources.map((d) => ({ name: d, values: s.data_sources[d], color: sourceColor[d] })));
  const operations = [
    ...Object.entries(s.restarts).map(([reason, values], i) =>
      ({ name: `restart: ${reason}`, values, color: ["#c2453d", "#6b1f1a", "#e0862b"][i % 3] })),
    ...Object.entries(s.sandbox).map(([outcome, values], i) =>
      ({ name: `sandbox ${outcome}`, values, color: PALETTE[(i + 4) % PALETTE.length] })),
  ];
  stacked(document.getElementById("operations"), "operations", t, span, operations);
  histograms(document.getElementById("hist-verifier"), totals, data.reward_edges,
    Object.keys(totals));
  const shown = largest(data.totals.data_sources);
  const hidden = Object.keys(data.totals.data_sources).length - shown.length;
  histograms(document.getElementById("hist-source"), data.totals.data_sources, data.reward_edges,
    shown);
  if (hidden > 0) {
    html("p", `+${hidden} smaller data sources not drawn (all are in /v1/stats)`,
      document.getElementById("hist-source"), "empty");
  }

  const samples = data.show_samples;
  table(document.getElementById("recent"),
    ["time", "id", "verifier", "data source", "status", "detail", ...(samples ?
      ["response", "ground truth"] : [])],
    data.recent.slice(0, MAX_RECENT_SHOWN).map((r) => [[clock(r.time)], [r.id], [r.verifier], [r.data_source], [r.status],
      [r.detail, "detail"], ...(samples ? [[r.response, "detail"], [r.ground_truth, "detail"]] : [])]));
  document.body.dataset.updated = String(data.now);
}

async function poll() {
  try {
    const answer = await fetch(new URL("v1/stats", location.href), { cache: "no-store" });
    if (!answer.ok) throw new Error(`/v1/stats answered ${answer.status}`);
    draw(await answer.json(), true);
  } catch (error) {
    document.getElementById("state").textContent = `cannot read /v1/stats: ${error.message}`;
  }
}

const inlined = JSON.parse(document.getElementById("snapshot").textContent);
if (inlined) {
  draw(inlined, false);
} else {
  poll();
  setInterval(poll, REFRESH_MS);
}
