// Talking to the JSON API with the session cookie: the token is HttpOnly (no script of the page
// ever sees it), and every write sends the CSRF double-submit header; every request asks for
// the page's language (Accept-Language), so the API's messages match the page. What the API
// refuses becomes an ApiError, which `explain` says in the page's words. No DOM at import.

import { fmt, pageLanguage } from "./format.mjs";

/** An answer of the API that is not a success (or no answer at all: code "network_error"). */
export class ApiError extends Error {
  constructor(fields) {
    super(fields.message || fields.code);
    Object.assign(this, fields);  // status, code, message, details, retryAfter
    this.name = "ApiError";
  }
}

/** The readable `csrf_access_token` cookie's value, sent back as X-CSRF-TOKEN. */
export function csrfToken(cookie = globalThis.document?.cookie ?? "") {
  const match = cookie.match(/(?:^|;\s*)csrf_access_token=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

/**
 * The API's JSON answer (null for 204); an ApiError if it refuses. `options.raw`: the Response
 * itself, whatever its status; `options.signal` aborts (an AbortError, not an ApiError);
 * `options.anonymous`: without the session cookie (what anybody may read).
 * A FormData body (an upload) goes as multipart: the browser writes its Content-Type.
 */
export async function api(method, path, body, options = {}) {
  const form = body instanceof FormData;
  const headers = { "Accept-Language": pageLanguage() };
  if (body !== undefined && !form) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRF-TOKEN"] = csrfToken();
  let response;
  try {
    response = await fetch(path, {
      method, headers, credentials: options.anonymous ? "omit" : "same-origin", signal: options.signal,
      body: body === undefined || form ? body : JSON.stringify(body),
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError({ status: 0, code: "network_error", message: error.message });
  }
  if (options.raw) return response;
  if (!response.ok) throw await apiError(response);
  return response.status === 204 ? null : response.json();
}

/**
 * A reader of GETs of which only the last asked counts: asking again aborts the one before, whose
 * answer is then null. So a list shows what was last asked for (a search typed while the whole list
 * still loads), never a slower, earlier answer over it.
 */
export function latest() {
  let current = null;
  return async (path) => {
    current?.abort();
    const mine = new AbortController();
    current = mine;
    try {
      const answer = await api("GET", path, undefined, { signal: mine.signal });
      return current === mine ? answer : null;
    } catch (error) {
      if (current !== mine) return null;  // overtaken: its failure (an abort) is nobody's concern
      throw error;
    }
  };
}

/**
 * A list read a page at a time: `read(true)` is its first page again, refreshed from several places
 * at once (the last asked counts: `latest`); `read(false)` the page after the last one read ("More").
 * The answer (with its `page` and `pages`), or null when a later refresh overtook it.
 */
export function pages(path, perPage = 10) {
  const firstPage = latest();
  let last = 0;
  return async (first) => {
    const url = `${path}?page=${first ? 1 : last + 1}&per_page=${perPage}`;
    const answer = first ? await firstPage(url) : await api("GET", url);
    if (answer) last = answer.page;
    return answer;
  };
}

/** The error envelope of a refused request, with its status and Retry-After. */
export async function apiError(response) {
  let fields = { code: "http_" + response.status, message: response.statusText };
  try {
    fields = (await response.json()).error || fields;
  } catch { /* not JSON */ }
  return new ApiError({ ...fields, status: response.status, retryAfter: response.headers.get("Retry-After") });
}

/** "le texte est vide" -> "Le texte est vide.": the API's message as a sentence (a first word
 *  such as a file's name, "a.pdf", is left as it is). */
export function sentence(message) {
  const text = String(message || "").trim();
  const first = text.split(/\s/, 1)[0];
  const capital = /^\p{Ll}[\p{L}’'-]*$/u.test(first) ? text.charAt(0).toLocaleUpperCase() + text.slice(1) : text;
  return /[\p{L}\p{N}»)]$/u.test(capital) ? capital + "." : capital;
}

/** The messages of `details.fields` as one list: {password: ["Too short."]} -> ["Too short."]. */
export function fieldMessages(error) {
  const fields = error.details?.fields;
  if (!fields || typeof fields !== "object") return {};
  const out = {};
  for (const [name, said] of Object.entries(fields)) {
    const list = (Array.isArray(said) ? said : [said]).flatMap((m) => (typeof m === "string" ? [m] : Object.values(m).flat()));
    out[name] = list.map(sentence).join(" ");
  }
  return out;
}

/**
 * What the page says about an error, in its language (`S`, its strings): credits with the
 * numbers, a wait with its seconds, no answer at all in the page's words, else the API's own
 * message (in the page's language: the request asked for it). A bug of the page (not an
 * ApiError) in the page's words too.
 */
export function explain(error, S) {
  if (error.status === 402 && error.details) return fmt(S.error_402, error.details);
  if (error.status === 429) return fmt(S.error_429, { seconds: error.retryAfter || "?" });
  if (error.code === "network_error") return S.error_network;
  if (!(error instanceof ApiError) && error.status === undefined) return S.error_page;
  if (String(error.code).startsWith("http_")) return fmt(S.error_http, { status: error.status });
  return error.message ? sentence(error.message) : String(error.code);
}
