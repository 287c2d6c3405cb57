// The API's permissions (chalicelib/domain/access.py), in the words GET /api/me lists them.
export const READ_STATUS = "read status and runs";
export const READ_PRODUCTS = "read products";
export const READ_SETTINGS = "read settings";
export const FORCE_SYNC = "force a sync";
export const RECONCILE = "reconcile the catalog";
