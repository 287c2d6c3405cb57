// Settings: the effective configuration and Force sync (warning, confirmation, cooldown countdown).
import { api, ApiError } from "./api.js";
import { h, count, text, dl, duration, put } from "./dom.js";
import { READ_SETTINGS } from "./permissions.js";

const yesNo = (v) => (v === null || v === undefined ? "—" : v ? "Yes" : "No");

function config(s) {
  return [
    h("h3", {}, "Schedule"),
    dl([["Sync", `every ${s.schedule.every_hours} h (${s.schedule.mode})`],
        ["Reconcile interval", duration(s.schedule.reconcile_interval_seconds)],
        ["Source overlap", duration(s.schedule.source_overlap_seconds)],
        ["Force sync cooldown", duration(s.cooldown_seconds)], ["Run deadline", duration(s.run_deadline_seconds)],
        ["Batch", `${count(s.batch.max_rows)} rows, ${count(s.batch.max_bytes)} bytes at most`]]),
    h("h3", {}, "Source"),
    dl([["Kind", s.source.kind], ["Host", text(s.source.endpoint_host)], ["Auth", text(s.source.auth)],
        ["Store views", s.source.store_views.join(", ") || "—"],
        ["Credentials configured", yesNo(s.source.credentials_configured)], ["Credentials from", text(s.source.credentials_from)]]),
    h("h3", {}, "Destination"),
    dl([["Kind", s.destination.kind], ["Host", text(s.destination.endpoint_host)], ["Bucket", text(s.destination.bucket)],
        ["Credentials configured", yesNo(s.destination.credentials_configured)],
        ["Export", s.export.enabled ? "Enabled" : `Disabled: ${text(s.export.reason)}`]]),
    h("h3", {}, "Change events and sign-in"),
    dl([["Change events", s.change_events.enabled ? `Enabled (debounced ${duration(s.change_events.debounce_seconds)})` : "Disabled"],
        ["Events secret configured", yesNo(s.change_events.secret_configured)],
        ["User pool", text(s.sign_in.user_pool_id)], ["Force-sync scope", s.sign_in.force_sync_scope]]),
  ];
}

export const REFRESH_MS = 30000;

export async function render(root, { every, may, updated }) {
  // The configuration is an admin's to read: an operator is not offered it (nor sent a 403 for it).
  const [status, settings] = await Promise.all([api("/sync/status"),
    may(READ_SETTINGS) ? api("/settings").catch((e) => e) : null]);
  const button = h("button", { type: "button", id: "force-sync", class: "danger" }, "Force sync");
  const countdown = h("p", { id: "force-countdown", role: "status", "aria-live": "polite" });
  const result = h("p", { id: "force-result", role: "alert" });
  let availableAt = status.cooldown.available ? null : status.cooldown.available_at;

  const tick = () => {
    const left = availableAt ? (new Date(availableAt) - Date.now()) / 1000 : 0;
    if (left > 0) {
      button.disabled = true;
      countdown.textContent = `Force sync is available again in ${duration(left)} (at ${new Date(availableAt).toLocaleTimeString()}).`;
    } else {
      availableAt = null;
      button.disabled = false;
      countdown.textContent = "Force sync is available.";
    }
  };

  button.addEventListener("click", async () => {
    if (!confirm("Force a resync of the entire product catalog? This can increase load on the servers.")) return;
    button.disabled = true;
    try {
      const accepted = await api("/sync", { method: "POST", body: { mode: "full" } });
      availableAt = accepted.cooldown_until;
      result.className = "ok-text";
      result.replaceChildren("Force sync started. ", h("a", { href: `#/runs/${encodeURIComponent(accepted.run_id)}` }, "Follow the run"));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      result.className = "error-text";
      result.textContent = `Refused (${error.status}): ${error.message}`;
      if ([409, 429].includes(error.status) && error.body?.available_at) availableAt = error.body.available_at;
      if (error.status === 409 && error.body?.run_id) {
        result.append(" ", h("a", { href: `#/runs/${encodeURIComponent(error.body.run_id)}` }, "See the run in flight"));
      }
    }
    tick();
  });

  put(root, 
    h("h2", {}, "Catalog Sync Settings"),
    h("section", { "aria-labelledby": "force-title", id: "force" },
      h("h3", { id: "force-title" }, "Force sync"),
      h("p", {}, "If you need to resync your catalog before the scheduled sync, you can force a resync."),
      h("p", { class: "callout" }, "Forcing a resync triggers a resync of your entire product catalog, which can increase load on hardware resources. ",
        `The button is then disabled for ${duration(status.cooldown.seconds)} so the servers are not clogged.`),
      button, countdown, result),
    settings === null ? null : h("section", { "aria-labelledby": "config-title" }, h("h3", { id: "config-title" }, "Effective configuration"),
      settings instanceof Error ? h("p", { class: "error-text" }, `Cannot read the settings: ${settings.message}`) : config(settings)));
  tick();
  every(tick, 1000);
  // The cooldown as the server holds it now (another user may force a sync): the page and its "Updated" stay current.
  every(async () => {
    try {
      const now = await api("/sync/status");
      if (!now.cooldown.available) availableAt = now.cooldown.available_at;
      tick();
      updated();
    } catch { /* the next refresh tries again; a session that expired is met on the next navigation */ }
  }, REFRESH_MS);
}
