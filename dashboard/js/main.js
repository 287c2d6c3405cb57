// The dashboard: config.json, sign-in, and a hash router over the views. No build step, no dependencies.
import { configure, SessionExpiredError, ApiError } from "./api.js";
import { current, signIn, setNewPassword, signOut } from "./session.js";
import { $, h, put } from "./dom.js";
import * as overview from "./overview.js";
import * as products from "./products.js";
import * as product from "./product.js";
import * as runs from "./runs.js";
import * as settings from "./settings.js";
import * as help from "./help.js";
import * as reconciliation from "./reconciliation.js";

const ROUTES = [
  [/^\/?$|^\/overview$/, "overview", (root, ctx) => overview.render(root, ctx)],
  [/^\/products$/, "products", (root, ctx) => products.render(root, ctx)],
  [/^\/products\/(\d+)$/, "products", (root, ctx) => product.render(root, ctx)],
  [/^\/runs$/, "runs", (root, ctx) => runs.renderList(root, ctx)],
  [/^\/runs\/(.+)$/, "runs", (root, ctx) => runs.renderDetail(root, ctx)],
  [/^\/reconciliation$/, "reconciliation", (root, ctx) => reconciliation.render(root, ctx)],
  [/^\/settings$/, "settings", (root, ctx) => settings.render(root, ctx)],
  [/^\/help$/, "help", (root) => help.render(root)],
];

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

function showSignIn(text, kind = "") {
  clearTimers();
  signOut();
  $("#app").hidden = true;
  $("#sign-in").hidden = false;
  $("#new-password-row").hidden = !pendingChallenge;
  $("#who").textContent = "";
  message(text, kind);
  $("#username").focus();
}

async function route() {
  clearTimers();
  const mine = ++generation;
  if (!current()) return showSignIn("Sign in to see the catalog sync.");
  $("#sign-in").hidden = true;
  $("#app").hidden = false;
  $("#who").textContent = `Signed in as ${current().username}`;
  const [path, search = ""] = location.hash.replace(/^#/, "").split("?");
  const found = ROUTES.find(([pattern]) => pattern.test(path)) || ROUTES[0];
  const [pattern, section, view] = found;
  const match = path.match(pattern) || [];
  for (const link of document.querySelectorAll("#nav a")) {
    if (link.dataset.section === section) link.setAttribute("aria-current", "page"); else link.removeAttribute("aria-current");
  }
  const root = $("#view");
  const ctx = {
    params: new URLSearchParams(search), id: match[1] ? decodeURIComponent(match[1]) : null,
    schedule: (ms) => timers.push(setTimeout(() => { if (mine === generation) refresh(mine); }, ms)),
    every: (fn, ms) => timers.push(setInterval(fn, ms)),
  };
  const refresh = async (gen) => {
    try {
      await view(root, ctx);
      if (gen === generation) message(`Updated ${new Date().toLocaleTimeString()}.`);
    } catch (error) {
      if (gen !== generation) return;
      if (error instanceof SessionExpiredError) return showSignIn("Your session expired, sign in again.", "error");
      const text = error instanceof ApiError ? `The API answered ${error.status}: ${error.message}` : error.message;
      message(`Cannot load this view: ${text}`, "error");
      put(root, h("p", { class: "error-text" }, text));
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
