// The account screen: verification pending (send the link again), change the password, delete
// the account.

import { api } from "./api.mjs";
import { $, S, listen, say, toggle, warn } from "./page.mjs";
import { signedOut, user } from "./session.mjs";

function toggleAccount() {
  $("verify-pending").hidden = Boolean(user()?.is_verified);
  if (toggle("account")) $("current-password").focus();
}

async function onChangePassword(event) {
  event.preventDefault();
  try {
    // The answer renews the session cookie: this page stays logged in, every other session ends.
    await api("PUT", "/api/auth/password", { current_password: $("current-password").value, new_password: $("changed-password").value });
    $("current-password").value = $("changed-password").value = "";
    say(S.password_changed);
  } catch (error) { warn(error); }
}

async function onDeleteAccount(event) {
  event.preventDefault();
  if (!window.confirm(S.delete_confirm)) return;
  try {
    await api("DELETE", "/api/auth/me", { password: $("delete-password").value });
    $("delete-password").value = "";
    await api("DELETE", "/api/auth/session").catch(() => {});
    signedOut();
    say(S.account_deleted);
  } catch (error) { warn(error); }
}

async function onResend() {
  try {
    const answer = await api("POST", "/api/auth/verify/resend");
    say(answer.message);
  } catch (error) { warn(error); }
}

export function wireAccount() {
  listen([
    ["account-toggle", "click", toggleAccount],
    ["password-form", "submit", onChangePassword],
    ["delete-form", "submit", onDeleteAccount],
    ["resend", "click", onResend],
  ]);
}
