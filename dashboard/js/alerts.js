// The alerts banner: what the CloudWatch alarms watch (a failed run, no success for 2 hours, rows from the
// dead-letter queue, freshness over the threshold), each with what to do. Shown on the overview.
import { api } from "./api.js";
import { h } from "./dom.js";

const TITLES = {
  run_failed: "Sync failed", no_recent_success: "No recent success",
  dead_letter: "Rows failed, will retry", freshness: "Changes arrive late",
};

/** The banner's element, or null when all is well. */
export async function alertBanner() {
  const { alerts } = await api("/alerts");
  if (!alerts.length) return null;
  const worst = alerts.some((a) => a.severity === "error") ? "error" : "warning";
  return h("section", { id: "alerts", class: `alerts ${worst}`, role: "alert", "aria-labelledby": "alerts-title" },
    h("h3", { id: "alerts-title" }, alerts.length === 1 ? "1 alert" : `${alerts.length} alerts`),
    h("ul", {}, alerts.map((a) => h("li", { class: a.severity, "data-code": a.code, "data-feed": a.feed },
      h("strong", {}, `${TITLES[a.code] || a.code} (${a.feed}): `), a.message, " ",
      h("span", { class: "what-to-do" }, a.action),
      a.run_id ? [" ", h("a", { href: `#/runs/${encodeURIComponent(a.run_id)}` }, "Run detail")] : null))));
}
