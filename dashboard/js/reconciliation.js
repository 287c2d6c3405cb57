// Reconciliation (admins): does the destination hold exactly the feed? The latest report with examples of missing,
// stale and orphaned items and its two actions, the history of reports, and the freshness trend.
import { api, ApiError } from "./api.js";
import { h, count, when, text, dl, put } from "./dom.js";
import { freshnessChart } from "./freshness.js";

export const POLL_MS = 2000;
let FEEDS = null;  // the API's (GET /api/meta), read once
const KINDS = [
  ["missing", "Missing", "in the feed, not held by the destination (or held as deleted)"],
  ["stale", "Stale", "held with other content than the feed's"],
  ["orphaned", "Orphaned", "held by the destination, gone from the source"],
];

function feedPicker(feed) {
  const select = h("select", { id: "reconcile-feed", onchange: (e) => { location.hash = `#/reconciliation?feed=${e.target.value}`; } },
    FEEDS.map((name) => h("option", { value: name, selected: name === feed }, name)));
  return h("p", {}, h("label", { for: "reconcile-feed" }, "Feed "), select);
}

async function post(path, note) {
  try {
    return await api(path, { method: "POST" });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    note.textContent = `Not done: ${error.message}`;
    note.className = "error-text";
    return null;
  }
}

function examples(report) {
  return KINDS.filter(([kind]) => report.examples[kind].length).map(([kind, title]) =>
    h("section", { class: "examples", "data-kind": kind },
      h("h4", {}, `${title}: the first ${report.examples[kind].length} of ${count(report.counts[kind])}`),
      h("ul", {}, report.examples[kind].map((item) => h("li", {}, h("code", {}, item.identity.join(" / ")),
        item.id === null ? " (no row names it: not deletable from here)" : "")))));
}

function actions(report, feed, rerender) {
  if (report.status !== "done") return null;
  const note = h("p", { id: "action-note", role: "status" });
  const button = (action, label, n) => {
    const taken = report.actions[action];
    if (taken) return h("p", {}, `${label}: sent by run `, h("a", { href: `#/runs/${encodeURIComponent(taken)}` }, taken));
    return h("button", { type: "button", id: `action-${action}`, disabled: n === 0,
      onclick: async (event) => {
        if (!confirm(`${label}: ${n} items of ${feed}?`)) return;
        event.target.disabled = true;
        const accepted = await post(`/reconciliation/${encodeURIComponent(report.report_id)}/${action}?feed=${feed}`, note);
        if (accepted) { note.textContent = `${label}: run ${accepted.run_id} started for ${accepted.items} items.`; note.className = ""; rerender(); }
        else event.target.disabled = false;
      } }, `${label} (${count(n)})`);
  };
  return h("div", { class: "actions" },
    button("resend", "Resend these", report.actionable.resend),
    button("delete", "Delete these", report.actionable.delete), note,
    h("p", { class: "hint" }, "Resend sends the feed's stored documents of the missing and stale items again; delete ",
      "sends a deletion for each orphaned item. Both run as a sync (mode repair) through the export queue; the ",
      "report acts on its first 500 items of each kind: reconcile again afterwards."));
}

function latest(report, feed, rerender) {
  if (!report) return h("p", { id: "no-report" }, "No reconciliation of this feed yet.");
  const rows = [["Status", h("span", { class: "badge", "data-status": report.status }, report.status)],
                ["Started", when(report.started_at)], ["Trigger", report.trigger]];
  if (report.status === "failed") rows.push(["Reason", h("span", { class: "error-text" }, text(report.error))]);
  if (report.status === "done") {
    rows.push(["Rows in the feed", `${count(report.source_rows)} (+ ${count(report.source_deletions)} deleted)`],
              ["Items held by the destination", count(report.held)], ["In sync", count(report.in_sync)],
              ["Still to be sent (not counted)", count(report.pending)],
              ...KINDS.map(([kind, title, hint]) => [h("abbr", { title: hint }, title),
                h("span", { id: `count-${kind}` }, count(report.counts[kind]))]));
    if (report.run_in_flight) rows.push(["Note", `run ${report.run_in_flight} was in flight: some differences may be its`]);
  }
  return h("section", { id: "latest-report", "aria-labelledby": "latest-title", "data-report": report.report_id },
    h("h3", { id: "latest-title" }, "Latest report"), dl(rows),
    ...(report.status === "done" ? examples(report) : []), actions(report, feed, rerender));
}

function history(reports) {
  if (!reports.length) return null;
  return h("section", { "aria-labelledby": "history-title" }, h("h3", { id: "history-title" }, "History"),
    h("div", { class: "table-wrap" }, h("table", { id: "report-history" },
      h("thead", {}, h("tr", {}, ["Started", "Trigger", "Status", "Held", "Missing", "Stale", "Orphaned", "Actions"]
        .map((title) => h("th", { scope: "col" }, title)))),
      h("tbody", {}, reports.map((r) => h("tr", {}, h("td", {}, when(r.started_at)), h("td", {}, r.trigger),
        h("td", {}, r.status), h("td", {}, count(r.held)),
        ...KINDS.map(([kind]) => h("td", {}, count(r.counts[kind]))),
        h("td", {}, Object.keys(r.actions).join(", ") || "—")))))));
}

export async function render(root, ctx) {
  if (!FEEDS) ({ feeds: FEEDS } = await api("/meta"));
  const feed = FEEDS.includes(ctx.params.get("feed")) ? ctx.params.get("feed") : "products";
  const [state, runs, alerts] = await Promise.all([api(`/reconciliation?feed=${feed}`),
    api(`/sync/runs?feed=${feed}&limit=30`), api("/alerts")]);
  const note = h("p", { id: "reconcile-note", role: "status" });
  const rerender = () => ctx.schedule(0);
  const start = h("button", { type: "button", id: "reconcile-now", disabled: !state.available || state.latest?.status === "running",
    onclick: async (event) => {
      event.target.disabled = true;
      if (await post(`/reconcile?feed=${feed}`, note)) rerender(); else event.target.disabled = false;
    } }, "Reconcile now");
  put(root,
    h("h2", {}, "Reconciliation"),
    h("p", {}, "Does the destination hold exactly the feed? A reconciliation reads the whole feed and what the ",
      "destination holds, and lists what differs. It runs daily after the reconcile sync, and on demand."),
    feedPicker(feed),
    state.available ? h("p", {}, start) : h("p", { id: "not-reconcilable", class: "error-text" }, text(state.reason)),
    note, latest(state.latest, feed, rerender), history(state.history),
    h("section", { "aria-labelledby": "freshness-title" }, h("h3", { id: "freshness-title" }, "Freshness"),
      freshnessChart(runs.items, alerts.freshness_threshold_minutes)));
  if (state.latest?.status === "running") ctx.schedule(POLL_MS);
}
