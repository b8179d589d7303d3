// Talking to the JSON API with the session cookie: the token is HttpOnly (no script of the page
// ever sees it), and every write sends the CSRF double-submit header. What the API refuses
// becomes an ApiError, which `explain` says in the page's words. No DOM at import.

import { fmt } from "./format.mjs";

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
 * itself, whatever its status; `options.signal` aborts (an AbortError, not an ApiError).
 * A FormData body (an upload) goes as multipart: the browser writes its Content-Type.
 */
export async function api(method, path, body, options = {}) {
  const form = body instanceof FormData;
  const headers = {};
  if (body !== undefined && !form) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRF-TOKEN"] = csrfToken();
  let response;
  try {
    response = await fetch(path, {
      method, headers, credentials: "same-origin", signal: options.signal,
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

/** The error envelope of a refused request, with its status and Retry-After. */
export async function apiError(response) {
  let fields = { code: "http_" + response.status, message: response.statusText };
  try {
    fields = (await response.json()).error || fields;
  } catch { /* not JSON */ }
  return new ApiError({ ...fields, status: response.status, retryAfter: response.headers.get("Retry-After") });
}

/** What the alert line says about an error, in the page's language (`S`, its strings). */
export function explain(error, S) {
  if (error.status === 402 && error.details) return fmt(S.error_402, error.details);
  if (error.status === 429) return fmt(S.error_429, { seconds: error.retryAfter || "?" });
  return fmt(S.error_generic, { message: error.message || error.code });
}
