// Who is signed in: the log-in, create-account, forgotten-password and reset forms, Log out,
// and the header's name and credits. It owns the user; other parts read it with `user()` and
// say what to do on signing in and out (`onSession`).

import { api } from "./api.mjs";
import { creditsText } from "./format.mjs";
import { $, S, listen, say, warn } from "./page.mjs";

let current = null;  // the signed-in user, or null
let mode = "login";  // the auth form: "login", "register" or "forgot"
let resetToken = null;
let hooks = { signedIn: async () => {}, signedOut: () => {} };

export const user = () => current;

/** The user as an answer of the API has it now (preferences saved, favourites changed). */
export function setUser(next) {
  current = next;
}

/** What the rest of the page does when someone signs in (awaited) and out. */
export function onSession(signedIn, signedOut) {
  hooks = { signedIn, signedOut };
}

export function showCredits(credits) {
  $("credits").textContent = creditsText(credits, S.unlimited);
}

export async function refreshCredits() {
  showCredits((await api("GET", "/api/auth/me")).credits);
}

function showAuth(next) {
  // One form for the three: "Create account" adds a name, "Forgot password?" keeps the email only.
  mode = next;
  $("auth").hidden = false;
  $("auth-form").hidden = false;
  $("reset-form").hidden = true;
  $("name-field").hidden = mode !== "register";
  $("password-field").hidden = mode === "forgot";
  $("auth-password").required = mode !== "forgot";
  if ($("mail-off")) $("mail-off").hidden = mode !== "forgot";
  $("auth-title").textContent = { login: S.log_in, register: S.create_account, forgot: S.forgot_password }[mode];
  $("auth-submit").textContent = { login: S.log_in, register: S.create_account, forgot: S.send_reset }[mode];
  $("auth-switch").textContent = mode === "login" ? S.create_account : S.back_to_login;
  $("auth-forgot").hidden = mode !== "login";
  $("auth-password").autocomplete = mode === "register" ? "new-password" : "current-password";
  $("auth-email").focus();
}

/** The new-password form of a reset link (its token kept for the request). */
export function showReset(token) {
  resetToken = token;
  $("auth").hidden = false;
  $("auth-form").hidden = true;
  $("reset-form").hidden = false;
  $("auth-title").textContent = S.reset_title;
  $("reset-password").focus();
}

export async function signedIn(answer) {
  current = answer;
  $("auth").hidden = true;
  for (const id of ["account-bar", "studio", "history"]) $(id).hidden = false;
  $("who").textContent = current.name || current.email;
  showCredits(current.credits);
  await hooks.signedIn(current);
}

export function signedOut() {
  current = null;
  for (const id of ["account-bar", "studio", "history", "jobs", "keys", "account"]) $(id).hidden = true;
  for (const id of ["jobs", "keys", "account"]) $(id + "-toggle").setAttribute("aria-expanded", "false");
  hooks.signedOut();
  showAuth("login");
}

async function onAuth(event) {
  event.preventDefault();
  if (mode === "forgot") return onForgot();
  const body = { email: $("auth-email").value, password: $("auth-password").value };
  if (mode === "register" && $("auth-name").value.trim()) body.name = $("auth-name").value.trim();
  try {
    const answer = await api("POST", mode === "register" ? "/api/auth/session/register" : "/api/auth/session", body);
    $("auth-password").value = "";
    say("");
    await signedIn(answer.user);
  } catch (error) { warn(error); }
}

async function onForgot() {
  try {
    await api("POST", "/api/auth/password/forgot", { email: $("auth-email").value });
    say(S.reset_sent);
  } catch (error) { warn(error); }
}

async function onReset(event) {
  event.preventDefault();
  try {
    await api("POST", "/api/auth/password/reset", { token: resetToken, new_password: $("reset-password").value });
    $("reset-password").value = "";
    showAuth("login");
    say(S.password_set);
  } catch (error) { warn(error); }
}

async function onLogout() {
  try { await api("DELETE", "/api/auth/session"); } catch (error) { warn(error); }
  signedOut();
}

export function wireSession() {
  listen([
    ["auth-form", "submit", onAuth],
    ["auth-switch", "click", () => showAuth(mode === "login" ? "register" : "login")],
    ["auth-forgot", "click", () => showAuth("forgot")],
    ["reset-form", "submit", onReset],
    ["logout", "click", onLogout],
  ]);
}
