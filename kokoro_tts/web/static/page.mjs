// What every part of the page shares: its strings (the template's JSON, in the page's language),
// elements by id, the status and alert lines, small element builders, the header's toggles.

import { ApiError, explain } from "./api.mjs";

/** The page's strings, by key: S.log_in, S.copy... */
export const S = JSON.parse(document.getElementById("strings").textContent);
export const $ = (id) => document.getElementById(id);

/** The text's language the studio opens with: the page's own. */
export const PAGE_LANG = document.documentElement.lang === "fr" ? "fr" : "en-us";

/** A message on the status line (the alert line is cleared). */
export function say(text) {
  $("status").textContent = text;
  $("alert").textContent = "";
}

/**
 * Text, or an error explained, on the alert line. An error that is not the API's answer is a bug
 * of the page: it is reported as uncaught too (the console shows where; browser tests fail on it).
 */
export function warn(error) {
  $("alert").textContent = typeof error === "string" ? error : explain(error, S);
  if (typeof error !== "string" && !(error instanceof ApiError)) globalThis.reportError?.(error);
}

export function element(tag, className = "") {
  const node = document.createElement(tag);
  if (className) node.className = className;
  return node;
}

export function button(label, onClick) {
  const b = element("button");
  b.type = "button";
  b.textContent = label;
  b.addEventListener("click", onClick);
  return b;
}

/** A link that downloads `href` as `filename`. */
export function downloadLink(href, filename, label) {
  const a = element("a");
  a.href = href;
  a.download = filename;
  a.textContent = label;
  return a;
}

/** A header button shows or hides its section (aria-expanded follows); true if now shown. */
export function toggle(section) {
  const open = $(section).hidden;
  $(section).hidden = !open;
  $(section + "-toggle").setAttribute("aria-expanded", String(open));
  return open;
}

/** Listen to events of elements by id: [[id, event, handler], ...]. */
export function listen(handlers) {
  for (const [id, event, handler] of handlers) $(id).addEventListener(event, handler);
}
