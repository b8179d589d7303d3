// The page's words filled in (kokoro_tts/web/static/format.mjs).
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  countText, creditsText, excerpt, fmt, historyMeta, jobCounts, jobLine, jobStatusText, keyUsed, sdkSnippet,
  setLanguage, speedText,
} from "../../kokoro_tts/web/static/format.mjs";

const S = {
  characters: { one: "{n} character", other: "{n} characters" }, cost: { one: "costs {n} credit", other: "costs {n} credits" },
  unlimited: "Unlimited",
  job_queued: "Queued", job_running: "Running", job_done: "Done", job_cancelling: "Cancelling",
  job_counts: "{done} of {total} characters · chapters {chapters_done} of {chapters}",
  last_used: "last used {when}", never_used: "never used",
};
const when = (iso) => `<${iso}>`;

test("fmt fills every placeholder, a missing value empty, other braces left", () => {
  assert.equal(fmt("{n} of {n}, {who}", { n: 3, who: "Ada" }), "3 of 3, Ada");
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

test("credits: a number as it is, none counted in words", () => {
  assert.equal(creditsText(42, S.unlimited), "42");
  assert.equal(creditsText("17", S.unlimited), "17");  // the X-Credits-Remaining header
  assert.equal(creditsText(0, S.unlimited), "0");
  for (const none of [null, undefined, "unlimited"]) assert.equal(creditsText(none, S.unlimited), "Unlimited");
});

test("speed, count and excerpt", () => {
  assert.equal(speedText("1.5"), "1.50×");
  assert.equal(speedText(1), "1.00×");
  assert.equal(countText(22, S), "22 characters, costs 22 credits");
  assert.equal(excerpt("short"), "short");
  assert.equal(excerpt("x".repeat(160)), "x".repeat(160));
  assert.equal(excerpt("x".repeat(161)), "x".repeat(160) + "…");
});

test("a history item's line, its duration once known", () => {
  const item = { created_at: "2026-01-02T03:04:05Z", voice: "jm_kumo", speed: 1.25, format: "wav" };
  assert.equal(historyMeta(item, when), "<2026-01-02T03:04:05Z> · jm_kumo · 1.25× · wav");
  assert.equal(historyMeta({ ...item, duration: 3.14159 }, when), "<2026-01-02T03:04:05Z> · jm_kumo · 1.25× · wav · 3.1 s");
});

test("a job's state: cancelling while it runs after a cancel, the raw status if unknown", () => {
  assert.equal(jobStatusText({ status: "queued" }, S), "Queued");
  assert.equal(jobStatusText({ status: "running", cancel_requested: false }, S), "Running");
  assert.equal(jobStatusText({ status: "running", cancel_requested: true }, S), "Cancelling");
  assert.equal(jobStatusText({ status: "done", cancel_requested: true }, S), "Done");
  assert.equal(jobStatusText({ status: "paused" }, S), "paused");
  const job = { status: "done", created_at: "t", voice: "af_heart", speed: 1, format: "mp3" };
  assert.equal(jobLine(job, S, when), "Done · <t> · af_heart · 1× · mp3");
});

test("a job's counts, numbers written by the given formatter", () => {
  const job = { characters_done: 1200, characters: 3400, chapters_done: 1, chapters: [{}, {}, {}] };
  assert.equal(jobCounts(job, S), "1200 of 3400 characters · chapters 1 of 3");
  const number = new Intl.NumberFormat("en").format;
  assert.equal(jobCounts(job, S, number), "1,200 of 3,400 characters · chapters 1 of 3");
});

test("an API key's last use", () => {
  assert.equal(keyUsed({ last_used_at: null }, S, when), "never used");
  assert.equal(keyUsed({ last_used_at: "t" }, S, when), "last used <t>");
});

test("the SDK snippet names this server, the key and the voice", () => {
  const snippet = sdkSnippet({ origin: "https://tts.example", key: "kk_secret", voice: "jf_alpha" });
  assert.match(snippet, /^from openai import OpenAI\n\n/);
  assert.ok(snippet.includes('client = OpenAI(base_url="https://tts.example/v1", api_key="kk_secret")'));
  assert.ok(snippet.includes('voice="jf_alpha"'));
  assert.ok(snippet.endsWith('    response.stream_to_file("hello.mp3")'));
});
