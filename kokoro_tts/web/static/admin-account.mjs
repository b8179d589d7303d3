// One account's page in the Administration screen: its state and credits, its usage chart, and
// what an operator does to it (credits with a reason, activate or deactivate, verify, resend the
// link, delete after a confirmation). Each action is in the audit log, which is reloaded after it.

import { api, latest } from "./api.mjs";
import { ask } from "./confirm.mjs";
import { creditsText, fmt, number, when } from "./format.mjs";
import { $, S, button, listen, say, warn } from "./page.mjs";
import { showUsage, timeZone } from "./usage.mjs";

let shown = null;  // the account on screen
const accountAnswer = latest();

function describe(account) {
  const facts = [
    [S.admin_amount, creditsText(account.credits, S.unlimited)],
    [S.admin_state, account.is_active === false ? S.admin_inactive : S.admin_active],
    [S.admin_verified, account.is_verified ? S.admin_yes : S.admin_no],
    [S.admin_last_login, account.last_login ? when(account.last_login) : S.admin_never],
    [S.admin_this_month, number(account.characters_this_month)],
  ];
  const list = $("admin-facts");
  list.replaceChildren();
  for (const [term, value] of facts) {
    const dt = document.createElement("dt");
    const dd = document.createElement("dd");
    dt.textContent = term;
    dd.textContent = value;
    list.append(dt, dd);
  }
}

function actions(account) {
  const row = $("admin-actions");
  row.replaceChildren();
  const active = account.is_active !== false;
  row.append(button(active ? S.admin_deactivate : S.admin_activate, () => act(active ? "deactivate" : "activate")));
  if (!account.is_verified) {
    row.append(button(S.admin_mark_verified, () => act("verify")));
    row.append(button(S.admin_resend, () => act("verification", S.admin_resent)));
  }
  const remove = button(S.admin_delete, () => onDelete().catch(warn));
  remove.className = "danger-link";
  row.append(remove);
}

/** Show the account `id` (its page replaces the previous one). */
export async function openAccount(id) {
  const account = await accountAnswer(`/api/admin/accounts/${id}?tz=${encodeURIComponent(timeZone())}`);
  if (!account) return;  // another account was opened meanwhile
  shown = account;
  $("admin-account").hidden = false;
  $("admin-account-title").textContent = fmt(S.admin_account_title, { email: shown.email });
  describe(shown);
  actions(shown);
  await showUsage(`/api/admin/accounts/${id}/usage`, "admin-account-chart", "admin-account-month",
    () => shown === account);
  if (shown === account) $("admin-account-title").focus();
}

async function after(message) {
  const { loadAccounts, loadAudit } = await import("./admin.mjs");
  await Promise.all([openAccount(shown.id), loadAccounts(), loadAudit(1)]);
  say(message);
}

async function act(path, message = S.admin_done) {
  try {
    await api("POST", `/api/admin/accounts/${shown.id}/${path}`, path === "verification" ? undefined : {});
    await after(message);
  } catch (error) { warn(error); }
}

async function onCredits(event) {
  event.preventDefault();
  const amount = Number($("admin-amount").value);
  const reason = $("admin-reason").value.trim();
  const set = $("admin-credits-mode").value === "set";
  try {
    await api(set ? "PUT" : "POST", `/api/admin/accounts/${shown.id}/credits`,
      set ? { credits: amount, reason } : { amount, reason });
    $("admin-amount").value = "";
    $("admin-reason").value = "";
    await after(S.admin_credits_done);
  } catch (error) {
    warn(error, { form: "admin-credits", fields: { amount: "admin-amount", credits: "admin-amount", reason: "admin-reason" } });
  }
}

async function onDelete() {
  if (!(await ask(fmt(S.admin_delete_confirm, { email: shown.email }), S.admin_delete))) return;
  await api("DELETE", `/api/admin/accounts/${shown.id}`, {});
  $("admin-account").hidden = true;
  const { loadAccounts, loadAudit } = await import("./admin.mjs");
  await Promise.all([loadAccounts(), loadAudit(1)]);
  say(S.admin_deleted);
  $("admin-q").focus();
}

export function wireAdminAccount() {
  listen([["admin-credits", "submit", onCredits]]);
}
