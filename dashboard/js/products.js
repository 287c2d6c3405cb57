// Synced catalog products: search (ID, SKU, name, every store view), filters, sort, pages; the URL holds them all.
import { api } from "./api.js";
import { h, count, when, text, put } from "./dom.js";
import { resyncSelection } from "./resync.js";

// The filters' choices are the API's (GET /api/meta), read once: item statuses in the words of Adobe's Data Feed
// Sync Status, product types, visibilities.
let STATES = null, TYPES = [], VISIBILITIES = [];
const FILTERS = ["q", "status", "store_view", "type", "visibility", "sort", "order"];
const COLUMNS = [["product_id", "ID"], ["name", "Name", "name"], ["type", "Type"],
  ["last_exported_at", "Last Exported", "last_exported"], ["last_modified", "Last Modified", "last_modified"],
  ["attribute_set", "Attribute Set"], ["sku", "SKU", "sku"], ["price", "Price"], ["quantity", "Quantity"],
  ["salable_quantity", "Salable Quantity"], ["visibility", "Visibility"], ["store_view_code", "Store View"],
  ["export_status", "Export Status"]];

let storeViews = null;
const seenViews = new Set();  // store views met in pages, when the settings list none (e.g. an operator's view)

function link(params, changes) {
  const next = new URLSearchParams(params);
  for (const [k, v] of Object.entries(changes)) if (v) next.set(k, v); else next.delete(k);
  return `#/products?${next}`;
}

function select(name, label, options, value, shown = (o) => o.replace("_", " ")) {
  return h("label", {}, label, " ",
    h("select", { name }, h("option", { value: "" }, "Any"),
      options.map((o) => h("option", { value: o, selected: o === value }, shown(o)))));
}

export function stateLabel(state) {
  return state ? state.replaceAll("_", " ").replace(/^./, (c) => c.toUpperCase()).replace(" will", ", will")
    .replace(" requires", ", requires") : state;
}

// A price in the store view's currency ("from" for a composite priced by its cheapest member).
export function money(value, currency) {
  if (typeof value !== "number") return "—";
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency: currency || "USD" }).format(value);
  } catch {  // a currency code the browser does not know: the amount and the code
    return `${value.toLocaleString(undefined, { minimumFractionDigits: 2 })} ${currency}`;
  }
}

function cell(item, key) {
  const v = item[key];
  if (key === "price") {
    return item.price_from ? h("span", { title: "The lowest price of its variants or members" }, "from ", money(v, item.currency))
      : money(v, item.currency);
  }
  if (key === "product_id" && v !== null) return h("a", { href: `#/products/${v}` }, String(v));
  if (key === "name") return item.product_id !== null ? h("a", { href: `#/products/${item.product_id}` }, text(v)) : text(v);
  if (key === "last_exported_at" || (key === "last_modified" && v)) return when(/^\d{4}-\d\d-\d\d /.test(v) ? `${v.replace(" ", "T")}Z` : v);
  if (key === "export_status") {
    return h("span", {}, h("span", { class: "state", "data-state": v }, stateLabel(v)),
      item.error ? h("span", { class: "row-error error-text" }, item.error) : null);
  }
  if (typeof v === "number") return v.toLocaleString();
  return text(v);
}

export async function render(root, { params }) {
  if (storeViews === null) {
    storeViews = await api("/settings").then((s) => s.source.store_views).catch(() => []);
  }
  if (STATES === null) {
    ({ item_statuses: STATES, product_types: TYPES, visibilities: VISIBILITIES } = await api("/meta"));
  }
  const query = new URLSearchParams();
  for (const k of FILTERS) if (params.get(k)) query.set(k, params.get(k));
  if (params.get("cursor")) query.set("cursor", params.get("cursor"));
  query.set("limit", "25");
  const page = await api(`/products?${query}`);
  for (const item of page.items) seenViews.add(item.store_view_code);
  if (params.get("store_view")) seenViews.add(params.get("store_view"));
  const viewOptions = [...new Set([...storeViews, ...seenViews])].sort();
  const pageNo = Number(params.get("page") || 1);
  const sort = params.get("sort") || "sku";
  const order = params.get("order") || "asc";

  const form = h("form", { role: "search", id: "product-filters", class: "filters" },
    h("label", {}, "Search ", h("input", { type: "search", name: "q", value: params.get("q") || "",
      placeholder: "ID, SKU or name", "aria-describedby": "search-hint" })),
    select("status", "Status", STATES, params.get("status"), stateLabel),
    select("store_view", "Store view", viewOptions, params.get("store_view")),
    select("type", "Type", TYPES, params.get("type")),
    select("visibility", "Visibility", VISIBILITIES, params.get("visibility")),
    h("button", { type: "submit" }, "Apply"),
    h("a", { href: "#/products" }, "Clear"),
    h("p", { id: "search-hint", class: "hint" }, "Searches every store view; a filter narrows the rows."));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (v) next.set(k, v);
    if (params.get("sort")) next.set("sort", sort);
    if (params.get("order")) next.set("order", order);
    location.hash = `#/products?${next}`;
  });
  for (const el of form.querySelectorAll("select")) el.addEventListener("change", () => form.requestSubmit());

  const head = COLUMNS.map(([key, label, sortKey]) => {
    if (!sortKey) return h("th", { scope: "col" }, label);
    const active = sort === sortKey;
    const nextOrder = active && order === "asc" ? "desc" : "asc";
    return h("th", { scope: "col", "aria-sort": active ? (order === "asc" ? "ascending" : "descending") : "none" },
      h("a", { href: link(params, { sort: sortKey, order: nextOrder, cursor: null, page: null }) },
        label, active ? (order === "asc" ? " ▲" : " ▼") : ""));
  });
  const pick = resyncSelection(query, page.total);  // "Resync selected" (resync.js)
  head.unshift(pick.head);
  const rows = page.items.map((item) => h("tr", { dataset: { sku: item.sku, storeView: item.store_view_code, state: item.export_status } },
    pick.cell(item),
    COLUMNS.map(([key]) => h("td", { class: typeof item[key] === "number" ? "num" : null, dataset: key === "price" ? { column: "price" } : {} }, cell(item, key)))));
  pick.sync();
  const first = (pageNo - 1) * 25 + 1;
  put(root, 
    h("h2", {}, "Synced catalog products"), form,
    h("p", { id: "product-count", role: "status" }, page.total === 0 ? "No rows match."
      : `Rows ${count(first)}–${count(first + page.items.length - 1)} of ${count(page.total)} (product × store view).`),
    pick.bar,
    h("div", { class: "table-wrap" }, h("table", { id: "products-table" },
      h("caption", { class: "visually-hidden" }, "Synced catalog products, one row per store view"),
      h("thead", {}, h("tr", {}, head)), h("tbody", {}, rows))),
    h("nav", { class: "pager", "aria-label": "Product pages" },
      // Pages are cursors: "previous" is the browser's history; a shared link to page n can still go to page 1.
      pageNo > 1 ? h("a", { href: link(params, { cursor: null, page: null }) }, "First page") : null,
      pageNo > 1 ? h("button", { type: "button", onclick: () => history.back() }, "Previous page") : null,
      h("span", {}, `Page ${pageNo}`),
      page.next_cursor ? h("a", { href: link(params, { cursor: page.next_cursor, page: String(pageNo + 1) }), id: "next-page" }, "Next page") : null));
}
