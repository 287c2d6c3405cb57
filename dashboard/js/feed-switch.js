// The feed switcher of the overview and the run history: the feeds the API lists (GET /api/meta; never a list of
// its own), the choice kept in the URL (?feed=) so that a shared link opens the same feed.
import { api } from "./api.js";
import { h } from "./dom.js";

let names = null;  // the feeds are the service's definitions: asked once

export async function feedNames() {
  if (names === null) names = (await api("/meta")).feeds;
  return names;
}

export const feedOf = (params) => params.get("feed") || "products";

export async function feedSwitch(section, params) {
  const chosen = feedOf(params);
  const select = h("select", { id: "feed-switch", name: "feed" },
    (await feedNames()).map((name) => h("option", { value: name, selected: name === chosen }, name)));
  select.addEventListener("change", () => { location.hash = `#/${section}?feed=${encodeURIComponent(select.value)}`; });
  return h("p", { class: "filters" }, h("label", {}, "Feed ", select));
}
