// The dashboard: config.json, sign-in, and a hash router over the pages (pages.js), each role shown only the pages
// it may open. No build step, no dependencies.
import { configure, me, SessionExpiredError, ApiError } from "./api.js";
import { current, signIn, setNewPassword, signOut } from "./session.js";
import { $, h, put } from "./dom.js";
import { PAGES } from "./pages.js";

let config = null;
let timers = [];
let generation = 0;
let pendingChallenge = null;

function message(text, kind = "") {
  const el = $("#message");
  el.textContent = text;
  el.className = kind;
}

function clearTimers() {
  for (const t of timers) { clearTimeout(t); clearInterval(t); }
  timers = [];
}

function signedIn(shown) {
  $("#nav").hidden = !shown;
  $("#account").hidden = !shown;
  $("#app").hidden = !shown;
  $("#sign-in").hidden = shown;
}

function showSignIn(text, kind = "") {
  clearTimers();
  signOut();
  signedIn(false);
  put($("#nav"));
  $("#new-password-row").hidden = !pendingChallenge;
  $("#who").textContent = "";
  message(text, kind);
  $("#username").focus();
}

/** The pages the caller's permissions open, as navigation links. */
function navigation(may, section) {
  put($("#nav"), PAGES.filter((page) => may(page.needs)).map((page) =>
    h("a", { href: `#/${page.section}`, "data-section": page.section,
             "aria-current": page.section === section ? "page" : null }, page.label)));
}

function find(path) {
  for (const page of PAGES) {
    for (const [pattern, view] of page.routes) {
      const match = path.match(pattern);
      if (match) return { page, view, match };
    }
  }
  return null;
}

async function route() {
  clearTimers();
  const mine = ++generation;
  if (!current()) return showSignIn("Sign in to see the catalog sync.");
  signedIn(true);
  $("#who").textContent = `Signed in as ${current().username}`;
  // This navigation's own element, shown once its first render is done (the page left behind stays until then): a
  // render still running for a page left behind (an overview refresh awaiting its answer) writes into an element
  // that is no longer, or never was, on the page.
  const root = h("div", { class: "view" });
  const show = () => { if (mine === generation && root.parentNode !== $("#view")) put($("#view"), root); };
  let caller;
  try {
    caller = await me();
  } catch (error) {
    if (mine !== generation) return;
    if (error instanceof SessionExpiredError) return showSignIn("Your session expired, sign in again.", "error");
    put($("#nav"));
    const text = error instanceof ApiError && error.status === 403
      ? `Your account has no role in Catalog Sync (${error.message}): ask an admin to add it to the admins or operators group.`
      : `Cannot load the dashboard: ${error.message}`;
    message(text, "error");
    put(root, h("p", { class: "error-text", id: "no-role" }, text));
    return show();
  }
  if (mine !== generation) return;
  const may = (permission) => !permission || caller.permissions.includes(permission);
  const [path, search = ""] = location.hash.replace(/^#/, "").split("?");
  const found = find(path) || find("/overview");
  navigation(may, found.page.section);
  if (!may(found.page.needs)) {
    message(`${found.page.label} is not open to your role.`, "error");
    put(root, h("h2", {}, found.page.label),
      h("p", { id: "not-allowed" }, `This page needs a role that may ${found.page.needs}; yours (${caller.roles.join(", ") || "none"}) may not. `,
        h("a", { href: "#/overview" }, "Back to the overview")));
    return show();
  }
  const updated = () => { if (mine === generation) message(`Updated ${new Date().toLocaleTimeString()}.`); };
  const ctx = {
    params: new URLSearchParams(search), id: found.match[1] ? decodeURIComponent(found.match[1]) : null, may, updated,
    schedule: (ms) => timers.push(setTimeout(() => { if (mine === generation) refresh(mine); }, ms)),
    every: (fn, ms) => timers.push(setInterval(fn, ms)),
  };
  const refresh = async (gen) => {
    try {
      await found.view(root, ctx);
      if (gen === generation) { show(); updated(); }
    } catch (error) {
      if (gen !== generation) return;
      if (error instanceof SessionExpiredError) return showSignIn("Your session expired, sign in again.", "error");
      const text = error instanceof ApiError ? `The API answered ${error.status}: ${error.message}` : error.message;
      message(`Cannot load this view: ${text}`, "error");
      put(root, h("p", { class: "error-text" }, text));
      show();
    }
  };
  message("Loading…");
  await refresh(mine);
}

async function onSignIn(event) {
  event.preventDefault();
  const username = $("#username").value;
  try {
    if (pendingChallenge) {
      await setNewPassword(config.cognito, pendingChallenge.username, pendingChallenge.challenge, $("#new-password").value);
      pendingChallenge = null;
    } else {
      const answer = await signIn(config.cognito, username, $("#password").value);
      if (answer.challenge) {
        pendingChallenge = answer;
        $("#new-password-row").hidden = false;
        $("#new-password").required = true;
        message("Choose a new password to finish signing in.");
        $("#new-password").focus();
        return;
      }
    }
    $("#password").value = "";
    $("#new-password").value = "";
    route();
  } catch (error) {
    message(`Cannot sign in: ${error.message}`, "error");
  }
}

try {
  const response = await fetch("config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`config.json: ${response.status}`);
  config = await response.json();
  configure(config.apiBase);
  $("#sign-in-form").addEventListener("submit", onSignIn);
  $("#sign-out").addEventListener("click", () => { pendingChallenge = null; showSignIn("Signed out."); });
  addEventListener("hashchange", route);
  await route();
} catch (error) {
  message(`Cannot load the dashboard configuration: ${error.message}`, "error");
}
