// Overview of one feed (the switcher picks it): last sync, items synced, export, a chart of recent runs; polls
// while a run is in flight.
import { api } from "./api.js";
import { h, count, when, duration, badge, dl, text, put } from "./dom.js";
import { alertBanner } from "./alerts.js";
import { feedOf, feedSwitch } from "./feed-switch.js";
import { progress } from "./progress.js";

export const POLL_MS = 3000;

function lastSync(run) {
  if (!run) return [h("p", {}, "No sync has run yet.")];
  const rows = [["Status", badge(run.status, run.status_text)]];
  if (run.status === "Success") {
    rows.push(["Finished", when(run.finished_at)], [run.feed === "products" ? "Products updated" : "Items updated", count(run.rows_exported)]);
  } else if (run.status === "Failed") {
    rows.push(["Attempted", when(run.started_at)], ["Reason", h("span", { class: "error-text" }, text(run.error))]);
  } else {
    rows.push(["Started", when(run.started_at)]);
  }
  rows.push(["Trigger / mode", `${run.trigger} / ${run.mode}`],
            ["Run", h("a", { href: `#/runs/${encodeURIComponent(run.run_id)}` }, "Run detail")]);
  const parts = [dl(rows), progress(run)];
  if (run.status === "Failed") {
    parts.push(h("p", {}, h("a", { href: "#/help", id: "failed-help" }, "How to resolve a failed sync")));
  } else if (run.rows_failed) {
    parts.push(h("p", {}, `${count(run.rows_failed)} rows failed. `,
      h("a", { href: `#/runs/${encodeURIComponent(run.run_id)}` }, "See the failed rows by cause"), " · ",
      h("a", { href: "#/help" }, "How to resolve sync issues")));
  }
  return parts;
}

function chart(runs) {
  const recent = runs.slice(0, 20).reverse();
  if (!recent.length) return h("p", {}, "No runs yet.");
  const max = Math.max(1, ...recent.map((r) => r.rows_exported));
  const bars = recent.map((r) => {
    const seconds = r.finished_at ? (new Date(r.finished_at) - new Date(r.started_at)) / 1000 : null;
    const bar = h("span", { class: "bar", "data-status": r.status });
    bar.style.height = `${Math.max(4, Math.round((r.rows_exported / max) * 100))}%`;  // CSSOM: allowed by a strict CSP
    const label = `${new Date(r.started_at).toLocaleString()}: ${r.status}, ${count(r.rows_exported)} rows exported` +
                  `, ${seconds === null ? "still running" : duration(seconds)}`;
    return h("li", {},
      h("a", { href: `#/runs/${encodeURIComponent(r.run_id)}`, title: label, "aria-label": label },
        bar));
  });
  return h("figure", { class: "chart" },
    h("ol", { class: "bars" }, bars),
    h("figcaption", {}, `The last ${recent.length} runs, oldest first: bar height is rows exported (up to ${count(max)}), `,
      "colour is the status; hover or focus a bar for its time and duration."));
}

export async function render(root, { params, schedule }) {
  const feed = encodeURIComponent(feedOf(params));
  const [status, runs, switcher, banner] = await Promise.all([api(`/sync/status?feed=${feed}`),
    api(`/sync/runs?feed=${feed}&limit=20`), feedSwitch("overview", params), alertBanner()]);
  const synced = status.products_synced;
  const exp = status.export;
  const products = status.feed === "products";
  put(root,
    h("h2", {}, "Overview"), banner, switcher,
    h("div", { class: "cards" },
      h("section", { "aria-labelledby": "last-sync-title", id: "last-sync" },
        h("h3", { id: "last-sync-title" }, "Last sync"), ...lastSync(status.last_sync)),
      h("section", { "aria-labelledby": "synced-title", id: "products-synced" },
        h("h3", { id: "synced-title" }, products ? "Products synced" : "Items synced"),
        dl([["Last successful sync", when(synced.last_success_at)],
            ...(products ? [["Products", count(synced.products)], ["Feed rows (product × store view)", count(synced.rows)]]
              : [["Items", count(synced.rows)]])])),
      h("section", { "aria-labelledby": "export-title", id: "export" },
        h("h3", { id: "export-title" }, "Export"),
        dl([["Export", exp.enabled ? "Enabled" : `Disabled: ${text(exp.reason)}`],
            ["Destination", exp.destination]]))),
    h("section", { "aria-labelledby": "chart-title" },
      h("h3", { id: "chart-title" }, "Recent runs"), chart(runs.items)));
  if (status.last_sync?.status === "In Progress") schedule(POLL_MS);
}
