// What every part of the page shares: its strings (the template's JSON, in the page's language),
// elements by id, the one status line, small element builders, the header's toggles.

import { ApiError, explain } from "./api.mjs";
import { placeErrors } from "./fields.mjs";

/** The page's strings, by key: S.log_in, S.copy... */
export const S = JSON.parse(document.getElementById("strings").textContent);
export const $ = (id) => document.getElementById(id);

/** The text's language the studio opens with: the page's own. */
export const PAGE_LANG = document.documentElement.lang === "fr" ? "fr" : "en-us";

/** How long a fleeting message ("Copied.") stays. */
export const FLEETING_MS = 5000;

// The status line is two live regions (polite #status, assertive #alert) of which at most one
// holds text: each new message replaces whatever the line said, error or not.
let said = 0;

/**
 * A message on the status line, in place of what it said. `fleeting`: it goes by itself. The
 * ticket it returns clears it with `unsay`, unless something else was said since.
 */
export function say(text, { fleeting = false } = {}) {
  const ticket = ++said;
  $("status").textContent = text;
  $("alert").textContent = "";
  if (fleeting) setTimeout(() => unsay(ticket), FLEETING_MS);
  return ticket;
}

/** Clear the status line if it still says what `ticket` said. */
export function unsay(ticket) {
  if (ticket === said) hush();
}

/** Nothing on the status line (a new screen, or nothing that still holds). */
export function hush() {
  said++;
  $("status").textContent = "";
  $("alert").textContent = "";
}

/**
 * Text, or an error explained, on the status line as an alert, in place of what it said. The
 * messages about fields go beside those fields too (`where`: see fields.mjs). An error that is
 * not the API's answer is a bug of the page: reported as uncaught too (the console shows where;
 * browser tests fail on it).
 */
export function warn(error, where) {
  said++;
  $("status").textContent = "";
  const text = typeof error === "string" ? error : placeErrors(error, where, S) ?? explain(error, S);
  $("alert").textContent = text;
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
