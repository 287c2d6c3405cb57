// DOM helpers: every piece of data goes in as a text node, never as HTML.
export const $ = (selector, root = document) => root.querySelector(selector);

/** h("a", {href: "#/x", class: "y"}, "text", child) — strings become text nodes. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export const count = (n) => (n === null || n === undefined ? "—" : Number(n).toLocaleString());
export const text = (v) => (v === null || v === undefined || v === "" ? "—" : String(v));

export function when(iso) {
  if (!iso) return h("span", {}, "—");
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return h("span", {}, String(iso));
  return h("time", { datetime: iso, title: iso }, date.toLocaleString());
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return "—";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** The status's badge (its colour from ``status``); ``label`` says more when given ("Success — 3 rows failed, will retry"). */
export function badge(status, label) {
  const shown = status || "Never run";
  return h("span", { class: "badge", "data-status": shown }, label || shown);
}

export function dl(pairs) {
  return h("dl", {}, pairs.flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
}

/** Replaces root's children; null and false are left out (replaceChildren would write them as text). */
export function put(root, ...children) {
  root.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false)
    .map((c) => (c instanceof Node ? c : document.createTextNode(String(c)))));
}
