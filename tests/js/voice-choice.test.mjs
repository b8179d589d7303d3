// Choosing voices and telling a blend from a voice of the list (voice-choice.mjs).
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  filterVoices, groupVoices, pickVoice, splitVoice, voiceLabel, voiceLanguages,
} from "../../kokoro_tts/web/static/voice-choice.mjs";

const VOICES = [
  { id: "af_heart", name: "Heart", language: "en-us", gender: "female", available: true },
  { id: "af_bella", name: "Bella", language: "en-us", gender: "female", available: false },
  { id: "jf_alpha", name: "Alpha", language: "ja", gender: "female", available: true },
  { id: "jm_kumo", name: "Kumo", language: "ja", gender: "male", available: true },
  { id: "xx_odd", name: "Odd", language: "", gender: "", available: true },
];
const LABELS = { favourites: "Favourites", available: "Available here", unavailable: "Not installed" };
const ids = (voices) => voices.map((v) => v.id);

test("labels say id, language and gender, a ? for no language", () => {
  assert.equal(voiceLabel(VOICES[3]), "Kumo (jm_kumo, ja, male)");
  assert.equal(voiceLabel(VOICES[4]), "Odd (xx_odd, ?)");
});

test("the language filter lists each language once, sorted", () => {
  assert.deepEqual(voiceLanguages(VOICES), ["en-us", "ja"]);
});

test("filters: by language, by gender, both, or none", () => {
  assert.deepEqual(ids(filterVoices(VOICES, { language: "ja" })), ["jf_alpha", "jm_kumo"]);
  assert.deepEqual(ids(filterVoices(VOICES, { gender: "male" })), ["jm_kumo"]);
  assert.deepEqual(ids(filterVoices(VOICES, { language: "ja", gender: "female" })), ["jf_alpha"]);
  assert.equal(filterVoices(VOICES, { language: "", gender: "" }).length, VOICES.length);
  assert.equal(filterVoices(VOICES).length, VOICES.length);
});

test("groups: available favourites first, then available, then not installed; empty ones left out", () => {
  const groups = groupVoices(VOICES, ["jm_kumo", "af_bella"], LABELS);
  assert.deepEqual(groups.map(([label, voices]) => [label, ids(voices)]), [
    ["Favourites", ["jm_kumo"]],
    ["Available here", ["af_heart", "jf_alpha", "xx_odd"]],
    ["Not installed", ["af_bella"]],  // a favourite this server cannot speak is not offered first
  ]);
  assert.deepEqual(groupVoices(VOICES.slice(2, 4), undefined, LABELS).map(([label]) => label), ["Available here"]);
});

test("the voice picked: the one wanted if shown and available, else the first available", () => {
  assert.equal(pickVoice(VOICES, "jm_kumo"), "jm_kumo");
  assert.equal(pickVoice(VOICES, "af_bella"), "af_heart");  // not installed
  assert.equal(pickVoice(VOICES, "jf_alpha(2)+jm_kumo(1)"), "af_heart");  // a blend: typed, not picked
  assert.equal(pickVoice(VOICES, undefined), "af_heart");
  assert.equal(pickVoice([VOICES[1]], "af_bella"), undefined);
});

test("a voice of the list is picked; a blend, or a voice the list lacks, is typed", () => {
  const usable = ["af_heart", "jm_kumo"];
  assert.deepEqual(splitVoice("jm_kumo", usable), { voice: "jm_kumo", blend: "" });
  assert.deepEqual(splitVoice("jf_alpha(2)+jm_kumo(1)", usable), { voice: null, blend: "jf_alpha(2)+jm_kumo(1)" });
  assert.deepEqual(splitVoice("af_heart+jm_kumo", usable), { voice: null, blend: "af_heart+jm_kumo" });
  assert.deepEqual(splitVoice("af_bella", usable), { voice: null, blend: "af_bella" });  // not installed here
  assert.deepEqual(splitVoice("jm_kumo", new Set(usable)), { voice: "jm_kumo", blend: "" });
});
