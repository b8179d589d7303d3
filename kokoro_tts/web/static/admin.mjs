// The Administration screen (operators only; the API refuses anyone else): accounts with search
// and paging, the service's usage, the audit log with paging and its CSV. One account's page is
// admin-account.mjs.

import { latest } from "./api.mjs";
import { creditsText, fmt, number, when } from "./format.mjs";
import { openAccount } from "./admin-account.mjs";
import { $, S, button, element, listen, toggle, warn } from "./page.mjs";
import { showUsage, timeZone } from "./usage.mjs";

const PER_PAGE = 20;
let accountsPage = 1;
let auditPage = 1;
const accountsAnswer = latest();
const auditAnswer = latest();

function cells(row, values) {
  for (const value of values) {
    const cell = row.insertCell();
    if (value instanceof Node) cell.append(value);
    else cell.textContent = value;
  }
}

function stateText(account) {
  const states = [account.is_active === false ? S.admin_inactive : S.admin_active];
  if (!account.is_verified) states.push(S.admin_unverified);
  if (account.is_admin) states.push(S.admin_operator);
  return states.join(", ");
}

/** Page `n` of the accounts the search names. */
export async function loadAccounts(n = accountsPage) {
  const query = new URLSearchParams({ page: n, per_page: PER_PAGE, tz: timeZone() });
  if ($("admin-q").value.trim()) query.set("q", $("admin-q").value.trim());
  if ($("admin-status").value) query.set("status", $("admin-status").value);
  const page = await accountsAnswer(`/api/admin/accounts?${query}`);
  if (!page) return;  // a later search or page was asked meanwhile: its answer shows
  accountsPage = n;
  const body = $("admin-accounts").tBodies[0];
  body.replaceChildren();
  for (const account of page.items) {
    const open = button(account.email, () => openAccount(account.id).catch(warn));
    open.className = "link";
    cells(body.insertRow(), [open, account.name || "", stateText(account), creditsText(account.credits, S.unlimited),
      account.last_login ? when(account.last_login) : S.admin_never, number(account.characters_this_month)]);
  }
  $("admin-accounts-empty").hidden = page.items.length > 0;
  pager("admin-accounts-pages", page, loadAccounts);
}

/** "Page 2 of 5" with Previous and Next. */
function pager(id, page, load) {
  const nav = $(id);
  nav.replaceChildren();
  if (page.pages <= 1) return;
  const previous = button(S.admin_previous, () => load(page.page - 1).catch(warn));
  const next = button(S.admin_next, () => load(page.page + 1).catch(warn));
  previous.disabled = page.page <= 1;
  next.disabled = page.page >= page.pages;
  const where = element("span");
  where.textContent = fmt(S.admin_page, { page: page.page, pages: page.pages });
  nav.append(previous, where, next);
}

function change(entry) {
  const show = (state) => (state ? Object.entries(state).map(([k, v]) => `${k}: ${v ?? S.unlimited}`).join(", ") : "");
  return `${show(entry.before)} → ${show(entry.after)}`;
}

/** Page `n` of the audit log, newest first. */
export async function loadAudit(n = auditPage) {
  const page = await auditAnswer(`/api/admin/audit?page=${n}&per_page=${PER_PAGE}`);
  if (!page) return;
  auditPage = n;
  const body = $("admin-audit").tBodies[0];
  body.replaceChildren();
  for (const entry of page.items) {
    cells(body.insertRow(), [when(entry.created_at), entry.actor, S[`action_${entry.action}`] || entry.action,
      entry.target || "", change(entry), entry.reason || ""]);
  }
  pager("admin-audit-pages", page, loadAudit);
}

async function toggleAdmin() {
  if (!toggle("admin")) return;
  await Promise.all([loadAccounts(1), loadAudit(1), showUsage("/api/admin/usage", "admin-usage-chart", "admin-usage-month")]);
  $("admin-q").focus();
}

export function wireAdmin() {
  listen([
    ["admin-toggle", "click", () => toggleAdmin().catch(warn)],
    ["admin-search", "submit", (event) => { event.preventDefault(); loadAccounts(1).catch(warn); }],
  ]);
}
