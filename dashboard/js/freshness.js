// The freshness trend: each finished run's p50 and p95 (from a change in the source to its export) as an inline
// SVG line chart, oldest first, with the threshold above which the overview warns. Built with the DOM (no markup
// strings, no inline script or style: the Content-Security-Policy allows neither).
import { h, duration } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
const W = 600, H = 180, PAD = 30;

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  for (const child of children.flat()) if (child) el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return el;
}

export function freshnessChart(runs, thresholdMinutes) {
  const measured = runs.filter((r) => r.freshness).slice(0, 30).reverse();
  if (!measured.length) {
    return h("p", { id: "freshness-empty" }, "No run has measured freshness yet (it is measured on the items a run ",
      "exports that changed within a day of its start).");
  }
  const threshold = thresholdMinutes * 60;
  const top = Math.max(threshold * 1.2, ...measured.map((r) => r.freshness.p95_seconds));
  const x = (i) => PAD + (measured.length === 1 ? (W - 2 * PAD) / 2 : (i * (W - 2 * PAD)) / (measured.length - 1));
  const y = (s) => H - PAD - (s / top) * (H - 2 * PAD);
  const line = (key, cls) => svg("polyline", { class: cls, fill: "none",
    points: measured.map((r, i) => `${x(i).toFixed(1)},${y(r.freshness[key]).toFixed(1)}`).join(" ") });
  const dots = measured.map((r, i) => svg("circle", { class: "p95", cx: x(i).toFixed(1), cy: y(r.freshness.p95_seconds).toFixed(1), r: 3 },
    svg("title", {}, `${new Date(r.started_at).toLocaleString()}: p50 ${duration(r.freshness.p50_seconds)}, ` +
                     `p95 ${duration(r.freshness.p95_seconds)}, max ${duration(r.freshness.max_seconds)} ` +
                     `(${r.freshness.items.toLocaleString()} items)`)));
  const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", id: "freshness-chart",
                             "aria-label": `Freshness of the last ${measured.length} runs` },
    svg("line", { class: "axis", x1: PAD, y1: H - PAD, x2: W - PAD, y2: H - PAD }),
    svg("line", { class: "threshold", x1: PAD, y1: y(threshold).toFixed(1), x2: W - PAD, y2: y(threshold).toFixed(1) }),
    svg("text", { class: "label", x: PAD, y: (y(threshold) - 4).toFixed(1) }, `threshold ${thresholdMinutes} min`),
    svg("text", { class: "label", x: PAD, y: PAD - 10 }, `up to ${duration(top)}`),
    line("p50_seconds", "p50"), line("p95_seconds", "p95"), dots);
  const last = measured[measured.length - 1].freshness;
  return h("figure", { class: "freshness" }, chart,
    h("figcaption", {}, `The last ${measured.length} runs that measured freshness, oldest first: p95 (dark, dots) `,
      `and p50 (light) of the time from a change in the source to its export; the dashed line is the `,
      `${thresholdMinutes}-minute threshold. Last run: p50 ${duration(last.p50_seconds)}, p95 `,
      `${duration(last.p95_seconds)}, max ${duration(last.max_seconds)}.`));
}
