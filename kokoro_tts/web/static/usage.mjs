// The Usage screen: the last 30 days as a chart (with its table) and this month's totals, counted
// in the browser's time zone (accounts have none of their own: the API takes it as `tz`).

import { api } from "./api.mjs";
import { drawUsage, totalsText } from "./chart.mjs";
import { fmt, pageLanguage } from "./format.mjs";
import { $, S, listen, toggle, warn } from "./page.mjs";

/** The browser's IANA time zone ("Europe/Paris"), UTC if it has none to say. */
export function timeZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** Today and the first of this month in `zone`, as YYYY-MM-DD. */
export function monthSoFar(zone, now = new Date()) {
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" })
    .format(now);
  return { from: today.slice(0, 8) + "01", to: today };
}

/** `path` with the range and the zone as its query. */
export function usagePath(path, range = {}, zone = timeZone()) {
  const query = new URLSearchParams({ ...range, tz: zone });
  return `${path}?${query}`;
}

/** The chart of the last 30 days and this month's totals of `path` (a usage route) into the
 *  elements `chartId` and `totalsId`, if still `wanted()` once the answers came. */
export async function showUsage(path, chartId, totalsId, wanted = () => true) {
  const zone = timeZone();
  const [recent, month] = await Promise.all([
    api("GET", usagePath(path, {}, zone)), api("GET", usagePath(path, monthSoFar(zone), zone)),
  ]);
  if (!wanted()) return;  // another account's usage was asked for meanwhile
  $(totalsId).textContent = fmt(S.usage_month, { totals: totalsText(month.totals, S) });
  await drawUsage($(chartId), recent, S, pageLanguage());
}

async function toggleUsage() {
  if (toggle("usage")) await showUsage("/api/auth/me/usage", "usage-chart", "usage-month");
}

export function wireUsage() {
  listen([["usage-toggle", "click", () => toggleUsage().catch(warn)]]);
}
