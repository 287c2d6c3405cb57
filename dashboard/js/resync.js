// "Resync selected" (Adobe's Data Feed Sync Status "Schedule Resync"): the products picked in the table, or every
// product a filter matches (up to MAX_IDS), read again from Magento and sent even if unchanged. Not held to the
// force-sync cooldown; the API rate-limits it and says so.
import { api, ApiError } from "./api.js";
import { h, count } from "./dom.js";

export const MAX_IDS = 1000;  // the API's bound on ids per resync (POST /api/sync)
const PAGE = 200;  // rows per request while collecting what a filter matches (the API's largest page)

export const selected = new Set();  // SKUs, kept across pages and filters until resynced or cleared

function started(result, accepted, what) {
  result.className = "ok-text";
  result.replaceChildren(`Resync of ${what} started. `,
    h("a", { href: `#/runs/${encodeURIComponent(accepted.run_id)}` }, "Follow the run"),
    accepted.rate_limit ? h("span", { class: "hint" }, ` (${accepted.rate_limit.note}.)`) : null);
}

function refused(result, error) {
  result.className = "error-text";
  result.textContent = `Refused (${error.status}): ${error.message}`;
  if (error.status === 409 && error.body?.run_id) {
    result.append(" ", h("a", { href: `#/runs/${encodeURIComponent(error.body.run_id)}` }, "See the run in flight"));
  }
}

async function resync(skus, what, result) {
  if (!skus.length) return false;
  if (!confirm(`Resync ${what}? Each is read again from Magento and sent to the SaaS services, even if unchanged.`)) {
    return false;
  }
  result.className = "";
  result.textContent = "Starting…";
  try {
    started(result, await api("/sync", { method: "POST", body: { feed: "products", ids: skus } }), what);
    return true;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    refused(result, error);
    return false;
  }
}

/** Every SKU the filter matches, page by page; null when more than MAX_IDS products match. */
async function matching(query) {
  const skus = new Set();
  let cursor = null;
  do {
    const page = new URLSearchParams(query);
    page.delete("cursor");
    page.set("limit", String(PAGE));
    if (cursor) page.set("cursor", cursor);
    const answer = await api(`/products?${page}`);
    for (const item of answer.items) skus.add(item.sku);
    if (skus.size > MAX_IDS) return null;
    cursor = answer.next_cursor;
  } while (cursor);
  return [...skus];
}

/** The bar above the table: how many are selected, "Resync selected", "Clear", "Resync all matching". */
export function resyncBar(query, total, onChange) {
  const result = h("p", { id: "resync-result", role: "alert" });
  const chosen = h("span", { id: "selected-count" });
  const selectedButton = h("button", { type: "button", id: "resync-selected" }, "Resync selected");
  const clear = h("button", { type: "button", id: "clear-selection" }, "Clear selection");
  const all = h("button", { type: "button", id: "resync-matching" }, `Resync all matching (${count(total)} rows)`);
  const refresh = () => {
    chosen.textContent = `${count(selected.size)} selected`;
    selectedButton.disabled = selected.size === 0 || selected.size > MAX_IDS;
    clear.disabled = selected.size === 0;
    all.disabled = total === 0;
  };
  selectedButton.addEventListener("click", async () => {
    const skus = [...selected];
    if (await resync(skus, `${count(skus.length)} selected product${skus.length === 1 ? "" : "s"}`, result)) {
      selected.clear();
      onChange();
    }
  });
  clear.addEventListener("click", () => { selected.clear(); onChange(); });
  all.addEventListener("click", async () => {
    all.disabled = true;
    result.className = "";
    result.textContent = "Collecting the matching products…";
    const skus = await matching(query).finally(refresh);
    if (skus === null) {
      result.className = "error-text";
      result.textContent = `More than ${count(MAX_IDS)} products match: narrow the filter, or force a full resync from Settings.`;
      return;
    }
    result.textContent = "";
    await resync(skus, `all ${count(skus.length)} matching product${skus.length === 1 ? "" : "s"}`, result);
  });
  refresh();
  return { bar: h("div", { class: "resync-bar", id: "resync-bar", role: "group", "aria-label": "Resync" },
    chosen, selectedButton, clear, all, h("span", { class: "hint" },
      `Not subject to the force-sync cooldown; at most ${count(MAX_IDS)} products at a time, rate-limited.`), result),
  refresh };
}

/** The table's selection column and the bar above it. Selection is by product (a resync reads every store view of
 * a SKU): ticking one row ticks its other views. `head` is the column's header cell, `cell(item)` a row's. */
export function resyncSelection(query, total) {
  const boxes = [];
  const all = h("input", { type: "checkbox", id: "select-page", "aria-label": "Select every product on this page" });
  let refresh = () => {};
  const sync = () => {
    for (const box of boxes) box.checked = selected.has(box.value);
    all.checked = boxes.length > 0 && boxes.every((box) => box.checked);
    refresh();
  };
  const made = resyncBar(query, total, sync);
  refresh = made.refresh;
  all.addEventListener("change", () => {
    for (const box of boxes) if (all.checked) selected.add(box.value); else selected.delete(box.value);
    sync();
  });
  const cell = (item) => {
    const box = h("input", { type: "checkbox", class: "pick", value: item.sku,
                             "aria-label": `Select ${item.sku} (${item.store_view_code})` });
    box.addEventListener("change", () => { if (box.checked) selected.add(item.sku); else selected.delete(item.sku); sync(); });
    boxes.push(box);
    return h("td", { class: "pick-cell" }, box);
  };
  return { bar: made.bar, head: h("th", { scope: "col", class: "pick-cell" }, all), cell, sync };
}
