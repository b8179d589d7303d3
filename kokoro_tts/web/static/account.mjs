// The account screen: verification pending (send the link again), change the password, delete
// the account (after a confirmation). A refusal about a field is said beside it.

import { api } from "./api.mjs";
import { ask } from "./confirm.mjs";
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
  } catch (error) {
    warn(error, {
      form: "password-form", fields: { current_password: "current-password", new_password: "changed-password" },
      codes: { wrong_password: "current-password" },
    });
  }
}

async function onDeleteAccount(event) {
  event.preventDefault();
  if (!(await ask(S.delete_confirm, S.delete_account))) return;
  try {
    await api("DELETE", "/api/auth/me", { password: $("delete-password").value });
    $("delete-password").value = "";
    await api("DELETE", "/api/auth/session").catch(() => {});
    await signedOut();
    say(S.account_deleted);
  } catch (error) {
    warn(error, { form: "delete-form", fields: { password: "delete-password" }, codes: { wrong_password: "delete-password" } });
  }
}

async function onResend() {
  try {
    await api("POST", "/api/auth/verify/resend");
    say(S.verify_sent);
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
