// Resolve catalog sync issues: the product's guidance, in its own words.
import { h, put } from "./dom.js";
import { FORCE_SYNC, READ_PRODUCTS } from "./permissions.js";

export function render(root, { may }) {
  // A page the role cannot open is named, not linked.
  const link = (href, label, needs) => (may(needs) ? h("a", { href }, label) : label);
  put(root, 
    h("h2", { id: "resolvesync" }, "Resolve catalog sync issues"),
    h("p", {}, "If you notice discrepancies between your catalog and what appears on your storefront, or if the catalog sync failed, refer to the following:"),
    h("section", { "aria-labelledby": "discrepancy" }, h("h3", { id: "discrepancy" }, "Data discrepancy"),
      h("ol", {},
        h("li", {}, "Display the detailed view of the product in question in the search results (", link("#/products", "Synced catalog products", READ_PRODUCTS), ")."),
        h("li", {}, "Copy the JSON output and verify the content matches what you have in the Magento catalog. The detail view also highlights the fields that differ between the live catalog, the exported document and the destination."),
        h("li", {}, "If the content does not match, make a minor change to the product in your catalog, such as adding a space or a period."),
        h("li", {}, "Wait for a resync or ", link("#/settings", "trigger a manual resync", FORCE_SYNC), "."))),
    h("section", { "aria-labelledby": "not-running" }, h("h3", { id: "not-running" }, "Sync not running"),
      h("p", {}, "If the sync is not running on a schedule or nothing is synced: check on the ", h("a", { href: "#/overview" }, "Overview"),
        " whether export is enabled (and if not, why), and in the ", h("a", { href: "#/runs" }, "Run history"),
        " when the last run started. The Settings page shows the schedule and whether the source and destination credentials are configured.")),
    h("section", { "aria-labelledby": "failed" }, h("h3", { id: "failed" }, "Sync failed"),
      h("p", {}, "If the catalog sync has a status of Failed, open the run from the ", h("a", { href: "#/runs" }, "Run history"),
        ": it shows the reason and the failed rows grouped by cause, with example rows. Fix the cause (for example the product data named in the error, or the Magento or destination service being unavailable), then wait for the next sync or ",
        link("#/settings", "force a resync", FORCE_SYNC), ". To resend only the rows whose export failed, the API accepts a force sync with mode failed."),
      h("p", {}, "If it keeps failing, contact support with the run's id and its errors.")));
}
