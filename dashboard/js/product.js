// One product: each store view's feed document (pretty JSON, copy button), its export state, the discrepancies.
import { api } from "./api.js";
import { h, when, text, dl, put } from "./dom.js";

const pretty = (v) => (v === undefined ? "—" : JSON.stringify(v, null, 2));

async function copy(textToCopy, button) {
  try {
    await navigator.clipboard.writeText(textToCopy);
    button.textContent = "Copied";
  } catch {
    // No clipboard permission (plain http, an old browser): select the text so Ctrl+C copies it.
    const pre = button.closest("section").querySelector("pre");
    getSelection().selectAllChildren(pre);
    button.textContent = "Selected: press Ctrl+C";
  }
  setTimeout(() => { button.textContent = "Copy JSON"; }, 3000);
}

function differences(view) {
  if (!view.differences.length) return h("p", { class: "ok-text" }, "The live catalog, the exported document and the destination agree.");
  return h("div", { class: "table-wrap" }, h("table", { class: "differences" },
    h("caption", {}, "Fields that differ (highlighted)"),
    h("thead", {}, h("tr", {}, ["Field", "Feed document", "Live catalog", "Destination"].map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, view.differences.map((d) => h("tr", { class: "differs" },
      h("th", { scope: "row" }, d.field),
      [d.feed, d.source, d.destination].map((v) => h("td", {}, h("code", {}, pretty(v)))))))));
}

// Its place among composites: the parents holding it, and a configurable's variants (the variants feed).
const options = (list) => list.map((o) => `${o.attribute_code}: ${o.label ?? o.value_index}`).join(", ");
const productLink = (sku, id, name) => (id ? h("a", { href: `#/products/${id}` }, name || sku) : name || sku);

function relations(product) {
  const parts = [];
  if (product.parents?.length) {
    parts.push(h("h3", {}, "Part of"), h("ul", { id: "product-parents" }, product.parents.map((p) =>
      h("li", { dataset: { sku: p.sku } }, productLink(p.sku, p.product_id, p.name), " ", h("code", {}, p.sku),
        ` (${text(p.product_type)})`, p.options.length ? ` — ${options(p.options)}` : null,
        p.variant_status ? [" · variant ", h("span", { class: "state", "data-state": p.variant_status }, p.variant_status)] : null))));
  }
  if (product.variants) {
    const v = product.variants;
    parts.push(h("h3", {}, `Variants (${v.total})`), v.items.length
      ? h("div", { class: "table-wrap" }, h("table", { id: "product-variants" },
          h("thead", {}, h("tr", {}, ["SKU", "Options", "Export status"].map((c) => h("th", { scope: "col" }, c)))),
          h("tbody", {}, v.items.map((item) => h("tr", { dataset: { sku: item.sku } },
            h("td", {}, productLink(item.sku, item.product_id, item.sku)), h("td", {}, options(item.options)),
            h("td", {}, h("span", { class: "state", "data-state": item.export_status }, text(item.export_status)),
              item.deleted ? " (left the configurable)" : null))))))
      : h("p", {}, "The variants feed holds no variant of it."));
    if (v.total > v.items.length) parts.push(h("p", {}, `The first ${v.items.length} of ${v.total} are shown.`));
  }
  return parts.length ? h("section", { class: "relations", "aria-label": "Parents and variants" }, parts) : null;
}

export async function render(root, { id }) {
  const product = await api(`/products/${encodeURIComponent(id)}`);
  const views = product.store_views.map((view) => {
    const json = pretty(view.document);
    const button = h("button", { type: "button", class: "copy" }, "Copy JSON");
    button.addEventListener("click", () => copy(json, button));
    return h("section", { class: "store-view", "aria-labelledby": `sv-${view.store_view_code}`, dataset: { storeView: view.store_view_code } },
      h("h3", { id: `sv-${view.store_view_code}` }, "Store view ", h("code", {}, view.store_view_code)),
      dl([["Export status", h("span", { class: "state", "data-state": view.export_status || "none" }, text(view.export_status))],
          ["Last exported", when(view.last_exported_at)],
          ["Error", view.error ? h("span", { class: "error-text" }, view.error) : "—"],
          ["Up to date at the destination", view.hash === null ? "—" : ["submitted", "deleted"].includes(view.export_status) ? "Yes" : "No: this version is not delivered yet"]]),
      h("h4", {}, "Discrepancy check"), differences(view),
      h("h4", {}, "Feed document (JSON) ", button),
      h("pre", { class: "json", tabindex: 0, "aria-label": `Feed document of ${product.sku} in ${view.store_view_code}` }, json));
  });
  put(root, 
    h("p", {}, h("a", { href: "#/products" }, "← Synced catalog products")),
    h("h2", { id: "product-title" }, product.name || "Product", " ", h("code", {}, product.sku), ` (ID ${product.product_id})`),
    relations(product),
    product.source_error ? h("p", { class: "error-text" }, `The live catalog could not be read: ${product.source_error}`) : null,
    product.destination_error ? h("p", { class: "error-text" }, `The destination could not be asked: ${product.destination_error}`) : null,
    h("p", {}, "To check a discrepancy: copy the JSON and verify it matches the product in the Magento catalog. ",
      h("a", { href: "#/help" }, "Resolve sync issues")),
    ...views);
}
