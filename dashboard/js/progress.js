// A run in flight: its progress bar and what it stands at — rows read while the catalog is read (of the rows
// expected when the whole feed is read), then "N of M" batches exported.
import { h, count, duration } from "./dom.js";

export function progress(run, id = "run-progress") {
  const p = run.progress;
  if (run.status !== "In Progress" || !p) return null;
  const exporting = p.phase === "export" && p.batches_total !== null;
  const [value, max] = exporting ? [p.batches_done, p.batches_total] : [p.rows_seen, p.rows_expected];
  const bar = h("progress", { id, max: Math.max(1, max || 1), value: max ? Math.min(value, max) : null,
                              "aria-label": exporting ? "Batches exported" : "Catalog read" });
  const rate = p.rows_per_second === null ? null : `${Math.round(p.rows_per_second).toLocaleString()} rows/s`;
  const left = p.eta_seconds === null ? null : `about ${duration(p.eta_seconds)} left`;
  const said = exporting
    ? `Exporting: ${count(p.batches_done)} of ${count(p.batches_total)} batches`
    : `Reading the catalog: ${count(p.rows_seen)}${p.rows_expected ? ` of about ${count(p.rows_expected)}` : ""} rows read`
      + (p.batches_done ? `, ${count(p.batches_done)} batches exported so far` : "");
  return h("div", { class: "progress" }, bar, h("p", { class: "progress-text" }, [said, rate, left].filter(Boolean).join(" · ")));
}
