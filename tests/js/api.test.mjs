// Talking to the API and explaining its errors (kokoro_tts/web/static/api.mjs), with `fetch`
// replaced by a recorder and Node's own Response.
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";

import { ApiError, api, apiError, csrfToken, explain, fieldMessages, latest, pages, sentence } from "../../kokoro_tts/web/static/api.mjs";
import { setLanguage } from "../../kokoro_tts/web/static/format.mjs";

const S = {
  error_402: "Not enough credits: this text needs {required}, you have {credits}.",
  error_429: "Too many requests: try again in {seconds} s.",
  error_network: "No answer from the server.",
  error_page: "Something went wrong on this page.",
  error_http: "The server answered with an error ({status}).",
};
const envelope = (status, code, message, extra = {}) =>
  new Response(JSON.stringify({ error: { status, code, message, ...extra } }), {
    status, headers: { "Content-Type": "application/json", ...(extra.headers || {}) },
  });

const realFetch = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = realFetch;
  delete globalThis.document;
  setLanguage("en");
});

/** fetch answers `response` and keeps what it was asked. */
function answer(response) {
  const calls = [];
  globalThis.fetch = async (path, init) => {
    calls.push({ path, ...init });
    if (response instanceof Error) throw response;
    return response;
  };
  return calls;
}

test("the CSRF token is read from the cookie, decoded; none is empty", () => {
  assert.equal(csrfToken("a=1; csrf_access_token=abc%3D%3D; b=2"), "abc==");
  assert.equal(csrfToken("csrf_access_token=first"), "first");
  assert.equal(csrfToken("not_csrf_access_token=x"), "");
  assert.equal(csrfToken(""), "");
  assert.equal(csrfToken(), "");  // no document (Node): no cookie
});

test("the envelope's code, message and details, with the status and Retry-After", async () => {
  const error = await apiError(envelope(402, "insufficient_credits", "Not enough.", {
    details: { required: 120, credits: 5 }, headers: { "Retry-After": "7" },
  }));
  assert.ok(error instanceof ApiError && error instanceof Error);
  assert.equal(error.status, 402);
  assert.equal(error.code, "insufficient_credits");
  assert.equal(error.message, "Not enough.");
  assert.deepEqual(error.details, { required: 120, credits: 5 });
  assert.equal(error.retryAfter, "7");
});

test("an answer that is not JSON is its HTTP status", async () => {
  const error = await apiError(new Response("<h1>Bad gateway</h1>", { status: 502, statusText: "Bad Gateway" }));
  assert.equal(error.code, "http_502");
  assert.equal(error.message, "Bad Gateway");
  assert.equal(error.status, 502);
  assert.equal(error.retryAfter, null);
});

test("explain: credits with the numbers, 429 with the wait, the API's own message as it is", () => {
  assert.equal(explain({ status: 402, details: { required: 22, credits: 5 } }, S),
    "Not enough credits: this text needs 22, you have 5.");
  assert.equal(explain({ status: 402, code: "insufficient_credits", message: "No credits." }, S),
    "No credits.");  // no details: said as it is, with no English around it
  assert.equal(explain({ status: 429, retryAfter: "30" }, S), "Too many requests: try again in 30 s.");
  assert.equal(explain({ status: 429, retryAfter: null }, S), "Too many requests: try again in ? s.");
  assert.equal(explain(new ApiError({ status: 400, code: "invalid_voice", message: "" }), S), "invalid_voice");
  assert.equal(explain(new ApiError({ status: 403, code: "wrong_password", message: "Le mot de passe n’est pas correct." }), S),
    "Le mot de passe n’est pas correct.");
});

test("explain in the page's words: no answer, a page that is not the API's, a bug of the page", () => {
  assert.equal(explain(new ApiError({ status: 0, code: "network_error", message: "Failed to fetch" }), S), "No answer from the server.");
  assert.equal(explain(new ApiError({ status: 502, code: "http_502", message: "Bad Gateway" }), S),
    "The server answered with an error (502).");
  assert.equal(explain(new TypeError("x is not a function"), S), "Something went wrong on this page.");
});

test("an API message as a sentence: capital, final stop; a file name left as it is", () => {
  assert.equal(sentence("le texte est vide"), "Le texte est vide.");
  assert.equal(sentence("voix inconnue « xx_nope »"), "Voix inconnue « xx_nope ».");
  assert.equal(sentence("a.pdf : envoyez un fichier .txt, .md, .html ou .epub"), "a.pdf : envoyez un fichier .txt, .md, .html ou .epub.");
  assert.equal(sentence("Adresse e-mail ou mot de passe incorrect."), "Adresse e-mail ou mot de passe incorrect.");
  assert.equal(sentence("Vraiment ?"), "Vraiment ?");
  assert.equal(sentence(""), "");
});

test("field messages, one line per field, nested ones flattened", () => {
  const error = new ApiError({ status: 400, code: "validation_error", details: { fields: {
    password: ["Le mot de passe doit compter au moins 8 caractères."],
    email: ["Adresse e-mail invalide.", "Champ requis."],
    normalization: { units: ["Not a valid boolean."] },
  } } });
  assert.deepEqual(fieldMessages(error), {
    password: "Le mot de passe doit compter au moins 8 caractères.",
    email: "Adresse e-mail invalide. Champ requis.",
    normalization: "Not a valid boolean.",
  });
  assert.deepEqual(fieldMessages(new ApiError({ status: 401, code: "x" })), {});
});

test("a write sends JSON and the CSRF header; a read neither", async () => {
  globalThis.document = { cookie: "csrf_access_token=tok" };
  let calls = answer(Response.json({ user: { id: 1 } }));
  assert.deepEqual(await api("PUT", "/api/auth/preferences", { default_speed: 1.5 }), { user: { id: 1 } });
  assert.equal(calls[0].method, "PUT");
  assert.equal(calls[0].credentials, "same-origin");
  assert.deepEqual(calls[0].headers, { "Accept-Language": "en", "Content-Type": "application/json", "X-CSRF-TOKEN": "tok" });
  assert.equal(calls[0].body, '{"default_speed":1.5}');
  calls = answer(Response.json({ voices: [] }));
  await api("GET", "/api/tts/voices");
  assert.deepEqual(calls[0].headers, { "Accept-Language": "en" });
  assert.equal(calls[0].body, undefined);
});

test("every request asks for the page's language; anonymous ones go without the cookie", async () => {
  setLanguage("fr");
  let calls = answer(Response.json({ voices: [] }));
  await api("GET", "/api/tts/voices", undefined, { anonymous: true });
  assert.equal(calls[0].headers["Accept-Language"], "fr");
  assert.equal(calls[0].credentials, "omit");
  calls = answer(Response.json({ items: [] }));
  await api("GET", "/api/tts/history");
  assert.equal(calls[0].credentials, "same-origin");
});

test("an upload goes as the FormData itself, its Content-Type the browser's", async () => {
  const calls = answer(Response.json({ id: 1 }, { status: 201 }));
  const form = new FormData();
  form.append("text", "Long.");
  await api("POST", "/api/tts/jobs", form);
  assert.equal(calls[0].body, form);
  assert.equal(calls[0].headers["Content-Type"], undefined);
  assert.equal(calls[0].headers["X-CSRF-TOKEN"], "");
});

test("204 is null; a refusal throws the ApiError; raw gives the response whatever it is", async () => {
  answer(new Response(null, { status: 204 }));
  assert.equal(await api("DELETE", "/api/auth/session"), null);
  answer(envelope(401, "invalid_credentials", "Incorrect email or password."));
  await assert.rejects(api("POST", "/api/auth/session", {}), { name: "ApiError", status: 401, code: "invalid_credentials" });
  answer(envelope(401, "unauthorized", "Log in."));
  const raw = await api("GET", "/api/auth/me", undefined, { raw: true });
  assert.equal(raw.status, 401);
});

test("no answer at all is an ApiError too; an abort stays an AbortError", async () => {
  answer(new TypeError("Failed to fetch"));
  await assert.rejects(api("GET", "/api/tts/history"), { name: "ApiError", status: 0, code: "network_error", message: "Failed to fetch" });
  answer(new DOMException("The user aborted a request.", "AbortError"));
  await assert.rejects(api("POST", "/api/tts/generate", {}), { name: "AbortError" });
});

test("latest: a slower, earlier answer is dropped (null, its request aborted); the last one asked counts", async () => {
  const pending = [];
  globalThis.fetch = (path, init) => new Promise((resolve, reject) => {
    init.signal.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
    pending.push({ path, init, resolve });
  });
  const read = latest();
  const whole = read("/api/admin/accounts?page=1");
  const searched = read("/api/admin/accounts?page=1&q=grace");
  assert.equal(pending[0].init.signal.aborted, true);
  pending[1].resolve(new Response(JSON.stringify({ items: ["grace"] }), { headers: { "Content-Type": "application/json" } }));
  assert.deepEqual(await searched, { items: ["grace"] });
  assert.equal(await whole, null);
});

test("latest: an answer that came before the next ask is kept; a refusal of the last one is thrown", async () => {
  const calls = answer(new Response(JSON.stringify({ n: 1 }), { headers: { "Content-Type": "application/json" } }));
  const read = latest();
  assert.deepEqual(await read("/api/tts/history"), { n: 1 });
  answer(envelope(403, "forbidden", "Operators only."));
  await assert.rejects(read("/api/admin/audit"), (error) => error instanceof ApiError && error.code === "forbidden");
  assert.equal(calls.length, 1);
});

test("pages: More asks for the page after the last one read; a refresh starts again from the first", async () => {
  const asked = [];
  globalThis.fetch = async (path) => {
    asked.push(path);
    const page = Number(new URL(path, "http://x").searchParams.get("page"));
    return new Response(JSON.stringify({ items: [], page, pages: 3 }), { headers: { "Content-Type": "application/json" } });
  };
  const read = pages("/api/tts/history");
  assert.equal((await read(true)).page, 1);
  assert.equal((await read(false)).page, 2);
  assert.equal((await read(true)).page, 1);
  assert.equal((await read(false)).page, 2);
  assert.deepEqual(asked, ["/api/tts/history?page=1&per_page=10", "/api/tts/history?page=2&per_page=10",
    "/api/tts/history?page=1&per_page=10", "/api/tts/history?page=2&per_page=10"]);
});
