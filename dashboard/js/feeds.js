// Feeds: every feed's sync status, as Adobe's Data Feed Sync Status shows it — source records, items by status
// (Adobe's four words), the last success and its age, the schedule, and health.
import { api } from "./api.js";
import { h, count, when, duration, badge, put } from "./dom.js";
import { stateLabel } from "./products.js";
import { READ_PRODUCTS } from "./permissions.js";

const POLL_MS = 5000, IDLE_MS = 30000;

function items(feed, state, may) {
  const n = feed.items[state];
  const shown = h("span", { class: "state", "data-state": n ? state : "none" }, count(n));
  // The products feed's rows can be listed by status; the other feeds' are counted only.
  return feed.feed === "products" && n && may(READ_PRODUCTS)
    ? h("a", { href: `#/products?status=${state}`, title: `List the ${stateLabel(state).toLowerCase()} rows` }, shown) : shown;
}

function health(feed) {
  if (!feed.offered) return [h("span", { class: "muted" }, "Not read by this source")];
  const hl = feed.health, signs = [];
  if (hl.stale) {
    signs.push(h("span", { class: "health bad", "data-health": "stale" }, feed.last_success_at
      ? `Stale: no success for ${duration(feed.last_success_age_seconds)}` : "Stale: never synced successfully"));
  }
  if (hl.outbox_batches) {
    signs.push(h("span", { class: "health warn", "data-health": "outbox" },
      `Outbox: ${count(hl.outbox_batches)} batches, ${count(hl.outbox_rows)} rows`));
  }
  if (hl.dirty_backlog) {
    signs.push(h("span", { class: "health warn", "data-health": "dirty" }, `${count(hl.dirty_backlog)} marked dirty by change events`));
  }
  if (feed.items.failed_requires_attention) {
    signs.push(h("span", { class: "health bad", "data-health": "attention" }, "Items require attention"));
  }
  if (!signs.length) signs.push(h("span", { class: "health ok", "data-health": "ok" }, "Healthy"));
  return signs;
}

function lastSuccess(feed) {
  if (!feed.last_success_at) return "Never";
  return h("span", {}, when(feed.last_success_at), h("br"), `${duration(feed.last_success_age_seconds)} ago`);
}

function schedule(feed) {
  if (!feed.offered) return "—";
  const s = feed.schedule;
  return h("span", {}, `Every ${s.every_hours} h; next: ${s.next_mode}`,
    feed.last_run?.status === "In Progress" ? h("span", { class: "row-error" }, "A run is in flight") : null);
}

export async function render(root, { schedule: again, may }) {
  const answer = await api("/feeds");
  const STATES = Object.keys(answer.feeds[0]?.items || {});  // the API's statuses, in Adobe's words and order
  const rows = answer.feeds.map((feed) => h("tr", { dataset: { feed: feed.feed, healthy: String(feed.health.ok) } },
    h("th", { scope: "row" }, h("a", { href: `#/overview?feed=${encodeURIComponent(feed.feed)}` }, feed.feed),
      h("span", { class: "row-error muted" }, feed.record), " ",
      h("a", { href: `#/runs?feed=${encodeURIComponent(feed.feed)}`, class: "row-error" }, "Runs")),
    h("td", { class: "num", "data-column": "source_records" }, count(feed.source_records)),
    STATES.map((state) => h("td", { class: "num", "data-column": state }, items(feed, state, may))),
    h("td", {}, lastSuccess(feed), feed.last_run ? h("span", { class: "row-error" }, "Last run: ", badge(feed.last_run.status)) : null),
    h("td", {}, schedule(feed)),
    h("td", { class: "health-signs" }, health(feed))));
  put(root,
    h("h2", {}, "Feeds"),
    h("p", {}, "Every feed's sync status: what the feed holds, where its items stand, when it last synced successfully, and what needs a look."),
    h("div", { class: "table-wrap" }, h("table", { id: "feeds-table" },
      h("caption", { class: "visually-hidden" }, "Sync status of every feed"),
      h("thead", {}, h("tr", {}, ["Feed", "Source records", ...STATES.map(stateLabel), "Last success", "Schedule", "Health"]
        .map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, rows))),
    h("section", { "aria-labelledby": "feeds-legend" }, h("h3", { id: "feeds-legend" }, "Reading this page"),
      h("dl", {},
        h("dt", {}, "Source records"), h("dd", {}, "The items the feed holds, as of its last sync (for products: product × store view)."),
        h("dt", {}, stateLabel("submitted")), h("dd", {}, "Sent, and the destination took them."),
        h("dt", {}, stateLabel("failed_will_retry")), h("dd", {}, "Their batch failed (the destination was unavailable): the next sync sends them again."),
        h("dt", {}, stateLabel("failed_requires_attention")), h("dd", {}, "Rejected by the destination, or their source record is malformed: they stay failed until they change."),
        h("dt", {}, stateLabel("awaiting_submission")), h("dd", {}, "On their way to the destination."),
        h("dt", {}, "Health"), h("dd", {}, `Stale: no successful sync for ${duration(answer.feeds[0]?.health.stale_after_seconds)}. `
          + "Outbox: batches still to be sent. Marked dirty: products change events named, read by the next sync."))));
  again(answer.feeds.some((feed) => feed.in_flight) ? POLL_MS : IDLE_MS);
}
