// Run history of one feed (the switcher picks it) and one run's detail (failed rows grouped by failure code, with
// example rows; a run in flight with its progress).
import { api } from "./api.js";
import { h, count, when, duration, badge, dl, text, put } from "./dom.js";
import { feedOf, feedSwitch } from "./feed-switch.js";
import { progress } from "./progress.js";
import { READ_PRODUCTS } from "./permissions.js";

function took(run) {
  return run.finished_at ? duration((new Date(run.finished_at) - new Date(run.started_at)) / 1000) : "—";
}

export async function renderList(root, { params, schedule }) {
  const cursor = params.get("cursor");
  const feed = encodeURIComponent(feedOf(params));
  const [page, switcher] = await Promise.all([
    api(`/sync/runs?feed=${feed}&limit=25${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`),
    feedSwitch("runs", params)]);
  const rows = page.items.map((r) => h("tr", {},
    h("td", {}, badge(r.status, r.status_text)), h("td", {}, h("a", { href: `#/runs/${encodeURIComponent(r.run_id)}` }, when(r.started_at))),
    h("td", {}, r.trigger), h("td", {}, r.mode), h("td", {}, took(r)),
    h("td", { class: "num" }, count(r.rows_changed)), h("td", { class: "num" }, count(r.rows_exported)),
    h("td", { class: "num" }, count(r.rows_failed)),
    h("td", {}, r.status === "In Progress" ? progressCell(r) : text(r.error))));
  put(root, h("h2", {}, "Run history"), switcher,
    h("div", { class: "table-wrap" }, h("table", { id: "runs-table", "data-feed": feedOf(params) },
      h("caption", {}, "Sync runs, newest first"),
      h("thead", {}, h("tr", {}, ["Status", "Started", "Trigger", "Mode", "Duration", "Changed", "Exported", "Failed", "Error"]
        .map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: 9 }, "No runs yet."))))),
    h("nav", { class: "pager", "aria-label": "Run pages" },
      cursor ? h("button", { type: "button", onclick: () => history.back() }, "Previous") : null,
      page.next_cursor ? h("a", { href: `#/runs?feed=${feed}&cursor=${encodeURIComponent(page.next_cursor)}` }, "Older runs") : null));
  if (page.items.some((r) => r.status === "In Progress")) schedule(3000);
}

function progressCell(run) {
  const p = run.progress;
  if (!p) return "In progress";
  return p.phase === "export" && p.batches_total !== null
    ? `${count(p.batches_done)} of ${count(p.batches_total)} batches` : `reading: ${count(p.rows_seen)} rows`;
}

function batches(run) {
  const done = `${count(run.batches_done)} done, ${count(run.batches_failed)} failed`;
  if (run.batches_total !== null) return `${count(run.batches_done + run.batches_failed)} of ${count(run.batches_total)} (${done})`;
  return `${done} so far; the total is known once the catalog is read`;
}

export async function renderDetail(root, { id, schedule, may }) {
  const run = await api(`/sync/runs/${encodeURIComponent(id)}`);
  const errors = run.errors.map((e) => h("li", {},
    h("strong", {}, `${count(e.count)} × `), h("span", { class: "error-text" }, e.message), " ",
    h("code", { class: "code" }, e.code),
    e.examples.length ? h("ul", {}, e.examples.map((k) => h("li", {},
      run.feed === "products" && may(READ_PRODUCTS) ? h("a", { href: `#/products?q=${encodeURIComponent(k.id)}` }, `${k.id} (${k.scope})`)
        : `${k.id} (${k.scope})`, k.message && k.message !== e.message ? ` — ${k.message}` : null))) : null));
  put(root, 
    h("p", {}, h("a", { href: "#/runs" }, "← Run history")),
    h("h2", {}, "Run ", h("code", {}, run.run_id)),
    dl([["Status", badge(run.status, run.status_text)], ["Trigger", run.trigger], ["Mode", run.mode], ["Feed", run.feed],
        ["Started", when(run.started_at)], ["Finished", when(run.finished_at)], ["Duration", took(run)],
        ["Rows read", count(run.rows_seen)], ["Rows changed", count(run.rows_changed)],
        ["Rows deleted", count(run.rows_deleted)], ["Rows exported", count(run.rows_exported)],
        ["Rows failed", count(run.rows_failed)],
        ["Batches", batches(run)],
        ["Destination", run.destination],
        ["Export disabled", text(run.export_disabled_reason)],
        ["Error", run.error ? h("span", { class: "error-text", id: "run-error" }, run.error)
          : h("span", { id: "run-error" }, run.status === "In Progress" ? "None so far" : "None")]]),
    progress(run),
    run.status === "Failed" || run.rows_failed ? h("p", {}, h("a", { href: "#/help", id: "run-help" }, "How to resolve sync issues")) : null,
    h("section", { "aria-labelledby": "errors-title" }, h("h3", { id: "errors-title" }, "Errors by cause (failure code)"),
      errors.length ? h("ul", { id: "run-errors" }, errors) : h("p", {}, "No row failed.")));
  if (run.status === "In Progress") schedule(3000);
}
