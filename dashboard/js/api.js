// The API client: the access token as the bearer; a 401 means the session expired.
import { current } from "./session.js";

export class SessionExpiredError extends Error {}

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.Message || body?.message || `the API answered ${status}`);
    this.status = status;
    this.body = body;
  }
}

let base = "/api";
export function configure(apiBase) { base = apiBase.replace(/\/$/, ""); }

export async function api(path, { method = "GET", body } = {}) {
  const session = current();
  if (!session) throw new SessionExpiredError("not signed in");
  const response = await fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${session.accessToken}`,
               ...(body !== undefined ? { "Content-Type": "application/json" } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  if (response.status === 401) throw new SessionExpiredError("your session expired, sign in again");
  const answer = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, answer);
  return answer;
}

let caller = null;  // {token, answer}: who is signed in, asked once per session

/** GET /api/me (roles and permissions), once per access token. */
export async function me() {
  const token = current()?.accessToken;
  if (caller && caller.token === token) return caller.answer;
  const answer = await api("/me");
  caller = { token, answer };
  return answer;
}
