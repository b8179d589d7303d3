// The page's words filled in (kokoro_tts/web/static/format.mjs).
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  countState, creditsText, excerpt, isSsml, fmt, historyMeta, jobCounts, jobLine, jobStatusText, keyUsed, languageName,
  missingAudio, number, sdkSnippet, seconds, setLanguage, speedText, when,
} from "../../kokoro_tts/web/static/format.mjs";

const S = {
  characters: { one: "{n} character", other: "{n} characters" }, cost: { one: "costs {n} credit", other: "costs {n} credits" },
  unlimited: "Unlimited",
  job_queued: "Queued", job_running: "Running", job_done: "Done", job_cancelling: "Cancelling",
  job_counts: "{done} of {total} characters · chapters {chapters_done} of {chapters}",
  last_used: "last used {when}", never_used: "never used",
  count_near: { one: "{n} character left before the limit of {max}", other: "{n} characters left before the limit of {max}" },
  count_over: "{n} characters: {over} over the limit of {max}.", ssml_hint: "SSML recognised.",
  audio_pending: "Still being made.", audio_stopped: "Stopped after {seconds}.", audio_gone: "No longer kept.",
};
const NNBSP = "\u202f";
const NBSP = "\u00a0";

/** Run `check` with the page in `lang`, then back to English. */
function inLanguage(lang, check) {
  setLanguage(lang);
  try { check(); } finally { setLanguage("en"); }
}
const at = (iso) => `<${iso}>`;

test("fmt fills every placeholder, a missing value empty, other braces left", () => {
  assert.equal(fmt("{n} of {n}, {who}", { n: 3, who: "Ada" }), "3 of 3, Ada");
  assert.equal(fmt("{n} left", { n: 12000 }), "12,000 left");  // numbers as the page's language writes them
  inLanguage("fr", () => assert.equal(fmt("{n} restants", { n: 12000 }), `12${NNBSP}000 restants`));
  assert.equal(fmt("needs {required}, has {credits}", { required: 10 }), "needs 10, has ");
  assert.equal(fmt("zero: {n}", { n: 0 }), "zero: 0");
  assert.equal(fmt("no {place-holder} here"), "no {place-holder} here");
});

test("a plural string takes the form the page's language uses", () => {
  assert.equal(fmt(S.characters, { n: 1 }), "1 character");
  assert.equal(fmt(S.characters, { n: 0 }), "0 characters");
  setLanguage("fr");
  const fr = { one: "{n} caractère", other: "{n} caractères" };
  assert.deepEqual([0, 1, 2].map((n) => fmt(fr, { n })), ["0 caractère", "1 caractère", "2 caractères"]);
  setLanguage("en");
});

test("credits: a number as the page writes it, none counted in words", () => {
  assert.equal(creditsText(42, S.unlimited), "42");
  assert.equal(creditsText("17", S.unlimited), "17");  // the X-Credits-Remaining header
  assert.equal(creditsText(0, S.unlimited), "0");
  assert.equal(creditsText(10000, S.unlimited), "10,000");
  inLanguage("fr", () => assert.equal(creditsText("10000", S.unlimited), `10${NNBSP}000`));
  for (const none of [null, undefined, "unlimited"]) assert.equal(creditsText(none, S.unlimited), "Unlimited");
});

test("speed, seconds and numbers with the page's decimal sign", () => {
  assert.equal(speedText("1.5"), "1.50×");
  assert.equal(speedText(1), "1.00×");
  assert.equal(seconds(10.64), `10.6${NBSP}s`);
  inLanguage("fr", () => {
    assert.equal(speedText(1), "1,00×");
    assert.equal(speedText("1.25"), "1,25×");
    assert.equal(seconds(10.64), `10,6${NBSP}s`);
    assert.equal(number(0.5, 2), "0,50");
  });
});

test("language names in the page's language, capitalised unless within a sentence", () => {
  assert.equal(languageName("fr"), "French");
  assert.equal(languageName("en-us"), "American English");
  assert.equal(languageName("ja"), "Japanese");
  inLanguage("fr", () => {
    assert.equal(languageName("fr"), "Français");
    assert.equal(languageName("en-us"), "Anglais américain");
    assert.equal(languageName("pt-br"), "Portugais brésilien");
    assert.equal(languageName("ja", false), "japonais");
  });
  assert.equal(languageName(""), "");
  assert.equal(languageName("not a code!"), "not a code!");
});

test("dates as the page's language writes them", () => {
  const at = "2026-03-12T10:05:00Z";
  const local = new Date(at);
  inLanguage("fr", () => assert.match(when(at), new RegExp(`^12/03/2026 ${String(local.getHours()).padStart(2, "0")}:05$`)));
  assert.match(when(at), /^3\/12\/26, \d{1,2}:05\s?[AP]M$/);
});

test("the count: length and cost; near the limit what is left; over it by how much", () => {
  assert.deepEqual(countState(22, 5000, S), { level: "ok", text: "22 characters, costs 22 credits" });
  assert.deepEqual(countState(4499, 5000, S).level, "ok");
  assert.deepEqual(countState(4500, 5000, S), {
    level: "near", text: "4,500 characters, costs 4,500 credits · 500 characters left before the limit of 5,000",
  });
  assert.equal(countState(4999, 5000, S).text.endsWith("· 1 character left before the limit of 5,000"), true);
  assert.deepEqual(countState(5000, 5000, S).level, "near");
  assert.deepEqual(countState(20000, 5000, S), { level: "over", text: "20,000 characters: 15,000 over the limit of 5,000." });
});

test("SSML is told by its first tag, as the server tells it; its count says so and allows its markup", () => {
  for (const text of ["<speak>Hi</speak>", '  \n<?xml version="1.0"?><speak/>', "<!DOCTYPE speak><speak/>", "<speak\n>x"]) {
    assert.equal(isSsml(text), true, text);
  }
  for (const text of ["Hello <speak>", "<speaker>Hi</speaker>", "<p>Hi</p>", ""]) assert.equal(isSsml(text), false, text);
  assert.deepEqual(countState(30, 5000, S, true), { level: "ok", text: "30 characters · SSML recognised." });
  assert.deepEqual(countState(19000, 5000, S, true).level, "ok");
  assert.deepEqual(countState(20001, 5000, S, true), { level: "over", text: "20,001 characters: 1 over the limit of 20,000." });
});

test("excerpt", () => {
  assert.equal(excerpt("short"), "short");
  assert.equal(excerpt("x".repeat(160)), "x".repeat(160));
  assert.equal(excerpt("x".repeat(161)), "x".repeat(160) + "…");
  assert.equal(excerpt("a few words cut after a space", 14), "a few words cu…");
  assert.equal(excerpt("a few words cut after a space", 12), "a few words…");  // not "words …"
});

test("a history item's line, its duration once known", () => {
  const item = { created_at: "2026-01-02T03:04:05Z", voice: "jm_kumo", speed: 1.25, format: "wav" };
  assert.equal(historyMeta(item, at), "<2026-01-02T03:04:05Z> · jm_kumo · 1.25× · wav");
  assert.equal(historyMeta({ ...item, duration: 3.14159 }, at), `<2026-01-02T03:04:05Z> · jm_kumo · 1.25× · wav · 3.1${NBSP}s`);
  inLanguage("fr", () => assert.equal(historyMeta({ ...item, duration: 3.14159 }, at), `<2026-01-02T03:04:05Z> · jm_kumo · 1,25× · wav · 3,1${NBSP}s`));
});

test("why an item has no audio: not finished, stopped early, or removed since", () => {
  const item = { has_audio: false, text: "Hello there.", characters: 12, duration: 1.2 };
  assert.equal(missingAudio({ ...item, has_audio: true }, S), null);
  assert.equal(missingAudio({ ...item, duration: null }, S), "Still being made.");
  assert.equal(missingAudio({ ...item, characters: 6, duration: 10.64 }, S), `Stopped after 10.6${NBSP}s.`);
  assert.equal(missingAudio(item, S), "No longer kept.");
});

test("a job's state: cancelling while it runs after a cancel, the raw status if unknown", () => {
  assert.equal(jobStatusText({ status: "queued" }, S), "Queued");
  assert.equal(jobStatusText({ status: "running", cancel_requested: false }, S), "Running");
  assert.equal(jobStatusText({ status: "running", cancel_requested: true }, S), "Cancelling");
  assert.equal(jobStatusText({ status: "done", cancel_requested: true }, S), "Done");
  assert.equal(jobStatusText({ status: "paused" }, S), "paused");
  const job = { status: "done", created_at: "t", voice: "af_heart", speed: 1, format: "mp3" };
  assert.equal(jobLine(job, S, at), "Done · <t> · af_heart · 1.00× · mp3");
});

test("a job's counts, numbers as the page's language writes them", () => {
  const job = { characters_done: 1200, characters: 3400, chapters_done: 1, chapters: [{}, {}, {}] };
  assert.equal(jobCounts(job, S), "1,200 of 3,400 characters · chapters 1 of 3");
  inLanguage("fr", () => assert.equal(jobCounts(job, S), `1${NNBSP}200 of 3${NNBSP}400 characters · chapters 1 of 3`));
});

test("an API key's last use", () => {
  assert.equal(keyUsed({ last_used_at: null }, S, at), "never used");
  assert.equal(keyUsed({ last_used_at: "t" }, S, at), "last used <t>");
});

test("the SDK snippet names this server, the key and the voice", () => {
  const snippet = sdkSnippet({ origin: "https://tts.example", key: "kk_secret", voice: "jf_alpha" });
  assert.match(snippet, /^from openai import OpenAI\n\n/);
  assert.ok(snippet.includes('client = OpenAI(base_url="https://tts.example/v1", api_key="kk_secret")'));
  assert.ok(snippet.includes('voice="jf_alpha"'));
  assert.ok(snippet.endsWith('    response.stream_to_file("hello.mp3")'));
});
