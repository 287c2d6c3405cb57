// The dashboard's pages, one entry each, in the navigation's order. Adding a page: its view module and one entry.
// needs: the permission a role must have to open it (GET /api/me lists the caller's; null: anyone signed in);
// routes: [hash path pattern, view(root, ctx)] — a pattern's first group is the view's ctx.id.
import * as overview from "./overview.js";
import * as feeds from "./feeds.js";
import * as products from "./products.js";
import * as product from "./product.js";
import * as runs from "./runs.js";
import * as reconciliation from "./reconciliation.js";
import * as settings from "./settings.js";
import * as help from "./help.js";
import { FORCE_SYNC, READ_PRODUCTS, READ_STATUS, RECONCILE } from "./permissions.js";

export const PAGES = [
  { section: "overview", label: "Overview", needs: READ_STATUS, routes: [[/^\/?$|^\/overview$/, overview.render]] },
  { section: "feeds", label: "Feeds", needs: READ_STATUS, routes: [[/^\/feeds$/, feeds.render]] },
  { section: "products", label: "Synced catalog products", needs: READ_PRODUCTS,
    routes: [[/^\/products$/, products.render], [/^\/products\/(\d+)$/, product.render]] },
  { section: "runs", label: "Run history", needs: READ_STATUS,
    routes: [[/^\/runs$/, runs.renderList], [/^\/runs\/(.+)$/, runs.renderDetail]] },
  { section: "reconciliation", label: "Reconciliation", needs: RECONCILE,
    routes: [[/^\/reconciliation$/, reconciliation.render]] },
  { section: "settings", label: "Settings", needs: FORCE_SYNC, routes: [[/^\/settings$/, settings.render]] },
  { section: "help", label: "Resolve sync issues", needs: null, routes: [[/^\/help$/, help.render]] },
];
