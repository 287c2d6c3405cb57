// One product: its prices per website × customer group and stock per stock (the prices and inventoryStockStatus
// feeds), then each store view's feed document (pretty JSON, copy button), its export state, the discrepancies.
import { api } from "./api.js";
import { h, when, text, dl, put } from "./dom.js";
import { money, stateLabel } from "./products.js";

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

const yesNo = (v) => (v === true ? "Yes" : v === false ? "No" : "—");
const state = (row) => h("span", {}, h("span", { class: "state", "data-state": row.export_status || "none" }, stateLabel(row.export_status) || "—"),
  row.error ? h("span", { class: "row-error error-text" }, row.error) : null);

function discounts(row) {
  const found = row.discounts.map((d) => `${d.code.replace("_", " ")}: ${d.price !== undefined ? money(d.price, row.currency) : `${d.percentage} %`}`);
  return found.length ? found.join("; ") : "—";
}

function tiers(row) {
  const found = row.tier_prices.map((t) => `${t.qty} +: ${t.price !== undefined ? money(t.price, row.currency) : `−${t.percentage} %`}`);
  return found.length ? found.join("; ") : "—";
}

function table(id, caption, headers, rows) {
  return h("div", { class: "table-wrap" }, h("table", { id },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, headers.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, rows)));
}

function pricesSection(product) {
  if (!product.prices.length) return h("p", { id: "product-prices" }, "No prices synced (the prices feed holds none of this product).");
  return table("product-prices", "Prices per website and customer group (prices feed)",
    ["Website", "Customer group", "Pays (1 unit)", "Regular", "Discounts", "Tier prices", "Export status"],
    product.prices.map((p) => h("tr", { class: p.deleted ? "deleted" : null, dataset: { website: p.website_code, group: p.customer_group || "" } },
      h("th", { scope: "row" }, h("code", {}, p.website_code)),
      h("td", { title: p.customer_group_code }, text(p.customer_group)),
      h("td", { class: "num" }, money(p.price, p.currency)),
      h("td", { class: "num" }, money(p.regular, p.currency)),
      h("td", {}, discounts(p)), h("td", {}, tiers(p)), h("td", {}, state(p)))));
}

function stockSection(product) {
  if (!product.stock.length) return h("p", { id: "product-stock" }, "No stock synced (the inventoryStockStatus feed holds none of this product).");
  return table("product-stock", "Stock per stock (inventoryStockStatus feed)",
    ["Stock", "Quantity", "Salable quantity", "Salable", "Low stock", "Infinite (not managed)", "Export status"],
    product.stock.map((s) => h("tr", { class: s.deleted ? "deleted" : null, dataset: { stock: s.stock_id } },
      h("th", { scope: "row" }, `${text(s.stock_name)} (${s.stock_id})`),
      h("td", { class: "num" }, s.qty === null ? "—" : s.qty.toLocaleString()),
      h("td", { class: "num" }, s.qty_for_sale === null ? "—" : s.qty_for_sale.toLocaleString()),
      h("td", {}, yesNo(s.is_salable)), h("td", {}, yesNo(s.low_stock)), h("td", {}, yesNo(s.infinite_stock)),
      h("td", {}, state(s)))));
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
    h("h3", {}, "Prices"), pricesSection(product),
    h("h3", {}, "Stock"), stockSection(product),
    h("p", {}, "To check a discrepancy: copy the JSON and verify it matches the product in the Magento catalog. ",
      h("a", { href: "#/help" }, "Resolve sync issues")),
    ...views);
}
