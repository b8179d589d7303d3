// Who is signed in: the log-in, create-account, forgotten-password and reset forms, Log out,
// and the header's name and credits. It owns the user; other parts read it with `user()` and
// say what to do on signing in and out (`onSession`). The page speaks the account's language:
// signing in to an account that chose another one opens the page in it.

import { api } from "./api.mjs";
import { creditsText } from "./format.mjs";
import { $, S, hush, listen, say, warn } from "./page.mjs";

let current = null;  // the signed-in user, or null
let mode = "login";  // the auth form: "login", "register" or "forgot"
let resetToken = null;
let hooks = { signedIn: async () => {}, signedOut: async () => {} };

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
  $("password-hint").hidden = mode !== "register";
  describedBy($("auth-password"), "password-hint", mode === "register");
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

/** `input` described by the element `id` (its hint) or no longer, its other descriptions kept. */
function describedBy(input, id, on) {
  const ids = (input.getAttribute("aria-describedby") || "").split(" ").filter((x) => x && x !== id);
  if (on) ids.push(id);
  if (ids.length) input.setAttribute("aria-describedby", ids.join(" "));
  else input.removeAttribute("aria-describedby");
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

/** The page's language as the account chose it, if it chose another one (then the page reloads). */
function otherLanguage(account) {
  const chosen = account.preferences?.language;
  return chosen && chosen !== document.documentElement.lang ? chosen : null;
}

export async function signedIn(answer) {
  const language = otherLanguage(answer);
  if (language) {
    location.replace(`/?lang=${encodeURIComponent(language)}`);
    return;
  }
  current = answer;
  $("auth").hidden = true;
  for (const id of ["account-bar", "studio", "history"]) $(id).hidden = false;
  $("who").textContent = current.name || current.email;
  $("admin-toggle").hidden = !current.is_admin;
  showCredits(current.credits);
  await hooks.signedIn(current);
}

/** The welcome, then the form: shown once the welcome's voices are in place (or after 2 s at
 *  most), so that the form does not move under a visitor's pointer as they arrive. */
export async function signedOut() {
  current = null;
  hush();
  const panels = ["usage", "admin", "live", "jobs", "rules", "keys", "account"];
  for (const id of ["account-bar", "studio", "history", ...panels]) $(id).hidden = true;
  for (const id of panels) $(id + "-toggle").setAttribute("aria-expanded", "false");
  await Promise.race([hooks.signedOut(), new Promise((done) => setTimeout(done, 2000))]);
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
    hush();
    const account = mode === "register" ? await keepLanguage(answer.user) : answer.user;
    await signedIn(account);
  } catch (error) { warn(error, { form: "auth-form" }); }
}

/** A new account speaks the page's language (its emails too), unless it already has one. */
async function keepLanguage(account) {
  if (account.preferences?.language) return account;
  try {
    const answer = await api("PUT", "/api/auth/preferences", { language: document.documentElement.lang });
    return answer.user || answer;
  } catch {
    return account;  // the page still works; the account keeps the server's choice
  }
}

/** The page's switch: the account keeps the language chosen (when signed in), then the page reloads in it. */
export async function switchLanguage() {
  if (current) {
    await api("PUT", "/api/auth/preferences", { language: $("lang-switch").value }).catch(() => {});
  }
  $("lang-form").submit();
}

async function onForgot() {
  try {
    await api("POST", "/api/auth/password/forgot", { email: $("auth-email").value });
    say(S.reset_sent);
  } catch (error) { warn(error, { form: "auth-form" }); }
}

async function onReset(event) {
  event.preventDefault();
  try {
    await api("POST", "/api/auth/password/reset", { token: resetToken, new_password: $("reset-password").value });
    $("reset-password").value = "";
    showAuth("login");
    say(S.password_set);
  } catch (error) { warn(error, { form: "reset-form", fields: { new_password: "reset-password" } }); }
}

async function onLogout() {
  try { await api("DELETE", "/api/auth/session"); } catch (error) { warn(error); }
  await signedOut();
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
