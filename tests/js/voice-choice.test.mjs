// Choosing voices (voice-choice.mjs): only installed voices offered, the text's language
// choosing the best-graded one (or the saved default), filters that never empty the picker.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  GRADES, best, bestFor, defaultVoice, filterVoices, groupVoices, installed, pickVoice, splitVoice, voiceLabel,
  voiceLanguages,
} from "../../kokoro_tts/web/static/voice-choice.mjs";

const voice = (id, language, gender, grade, available = true) => ({ id, name: id.split("_")[1], language, gender, grade, available });

/** What the tests' server has: the embedded Japanese voices only, the rest of the catalogue listed. */
const EMBEDDED = [
  voice("af_heart", "en-us", "female", "A", false),
  voice("af_bella", "en-us", "female", "A-", false),
  voice("bf_emma", "en-gb", "female", "B-", false),
  voice("jf_alpha", "ja", "female", "C+"),
  voice("jf_gongitsune", "ja", "female", "C"),
  voice("jf_nezumi", "ja", "female", "C-"),
  voice("jm_kumo", "ja", "male", "C-"),
  voice("ff_siwis", "fr", "female", "B-", false),
  voice("ef_dora", "es", "female", null, false),
];
/** The same catalogue on a server where every voice is downloaded. */
const EVERYTHING = EMBEDDED.map((v) => ({ ...v, available: true }));
const ids = (voices) => voices.map((v) => v.id);
const NAMES = { language: (code) => ({ ja: "Japanese", fr: "French" })[code] || code, female: "female voice", male: "male voice" };

test("grades: A+ first, F- last, ungraded after all; equals keep catalogue order", () => {
  assert.equal(GRADES[0], "A+");
  assert.equal(best(EVERYTHING).id, "af_heart");
  assert.equal(best([voice("x_a", "es", "", null), voice("x_b", "es", "", "F-")]).id, "x_b");
  assert.equal(best([voice("x_a", "es", "", null), voice("x_b", "es", "", null)]).id, "x_a");
  assert.equal(best([]), undefined);
});

test("only installed voices are ever offered", () => {
  assert.deepEqual(ids(installed(EMBEDDED)), ["jf_alpha", "jf_gongitsune", "jf_nezumi", "jm_kumo"]);
  const groups = groupVoices(EMBEDDED, ["af_heart", "jm_kumo"], { favourites: "Favourites", others: "Other voices" });
  assert.deepEqual(groups.map(([label, voices]) => [label, ids(voices)]), [
    ["Favourites", ["jm_kumo"]],  // a favourite this server cannot speak is not offered
    ["Other voices", ["jf_alpha", "jf_gongitsune", "jf_nezumi"]],
  ]);
  assert.deepEqual(groupVoices(EMBEDDED, undefined, { favourites: "F", others: "O" }).map(([label]) => label), ["O"]);
  assert.deepEqual(voiceLanguages(EMBEDDED), ["ja"]);  // the filter lists what can be spoken
  assert.deepEqual(voiceLanguages(EVERYTHING), ["en-gb", "en-us", "es", "fr", "ja"]);
});

test("French text: ff_siwis when it is installed", () => {
  assert.deepEqual(defaultVoice(EVERYTHING, "fr"), { id: "ff_siwis", speaksLang: true });
  assert.equal(bestFor(EVERYTHING, "fr").id, "ff_siwis");
  assert.deepEqual(defaultVoice(EVERYTHING, "en-us"), { id: "af_heart", speaksLang: true });
  assert.deepEqual(defaultVoice(EVERYTHING, "en-gb"), { id: "bf_emma", speaksLang: true });
  assert.deepEqual(defaultVoice(EVERYTHING, "es"), { id: "ef_dora", speaksLang: true });  // ungraded, but its language
});

test("French text with only the Japanese voices: the best of them reads it, and it is said", () => {
  assert.deepEqual(defaultVoice(EMBEDDED, "fr"), { id: "jf_alpha", speaksLang: false });
  assert.equal(bestFor(EMBEDDED, "fr"), undefined);
  assert.deepEqual(defaultVoice(EMBEDDED, "ja"), { id: "jf_alpha", speaksLang: true });
});

test("a saved default wins when installed, not otherwise", () => {
  assert.deepEqual(defaultVoice(EVERYTHING, "fr", "jm_kumo"), { id: "jm_kumo", speaksLang: true });
  assert.deepEqual(defaultVoice(EMBEDDED, "fr", "jm_kumo"), { id: "jm_kumo", speaksLang: false });
  assert.deepEqual(defaultVoice(EMBEDDED, "fr", "af_heart"), { id: "jf_alpha", speaksLang: false });
  assert.deepEqual(defaultVoice(EMBEDDED, "ja", "jf_alpha(2)+jm_kumo(1)"), { id: "jf_alpha", speaksLang: true });
  assert.deepEqual(defaultVoice([], "fr", "jm_kumo"), { id: undefined, speaksLang: false });
});

test("filters: by language, by gender, both; nothing matching lists every installed voice", () => {
  assert.deepEqual(filterVoices(EMBEDDED, { language: "ja", gender: "male" }), { voices: [EMBEDDED[6]], matched: true });
  assert.deepEqual(ids(filterVoices(EVERYTHING, { language: "fr" }).voices), ["ff_siwis"]);
  const none = filterVoices(EMBEDDED, { language: "fr" });  // the picker is never empty
  assert.equal(none.matched, false);
  assert.deepEqual(ids(none.voices), ids(installed(EMBEDDED)));
  assert.equal(filterVoices(EVERYTHING, { language: "fr", gender: "male" }).matched, false);
  assert.equal(filterVoices(EMBEDDED).voices.length, 4);
  assert.deepEqual(filterVoices([], { language: "fr" }), { voices: [], matched: true });
});

test("the voice picked among those shown: the one wanted, else the best-graded", () => {
  const shown = installed(EMBEDDED);
  assert.equal(pickVoice(shown, "jm_kumo"), "jm_kumo");
  assert.equal(pickVoice(shown, "af_heart"), "jf_alpha");  // not installed: never picked
  assert.equal(pickVoice(EMBEDDED, "af_heart"), "jf_alpha");
  assert.equal(pickVoice(shown, "jf_alpha(2)+jm_kumo(1)"), "jf_alpha");  // a blend: typed, not picked
  assert.equal(pickVoice(shown, undefined), "jf_alpha");
  assert.equal(pickVoice([EMBEDDED[0]], "af_heart"), undefined);
});

test("labels in the page's words: name, id, language and gender", () => {
  assert.equal(voiceLabel(EMBEDDED[6], NAMES), "kumo (jm_kumo) · Japanese, male voice");
  assert.equal(voiceLabel({ id: "xx_odd", name: "Odd", language: null, gender: null }, NAMES), "Odd (xx_odd)");
  assert.equal(voiceLabel({ id: "xx_odd", name: "Odd", language: "ja", gender: "other" }, NAMES), "Odd (xx_odd) · Japanese");
});

test("a voice of the list is picked; a blend, or a voice the list lacks, is typed", () => {
  const usable = ["af_heart", "jm_kumo"];
  assert.deepEqual(splitVoice("jm_kumo", usable), { voice: "jm_kumo", blend: "" });
  assert.deepEqual(splitVoice("jf_alpha(2)+jm_kumo(1)", usable), { voice: null, blend: "jf_alpha(2)+jm_kumo(1)" });
  assert.deepEqual(splitVoice("af_heart+jm_kumo", usable), { voice: null, blend: "af_heart+jm_kumo" });
  assert.deepEqual(splitVoice("af_bella", usable), { voice: null, blend: "af_bella" });  // not installed here
  assert.deepEqual(splitVoice("jm_kumo", new Set(usable)), { voice: "jm_kumo", blend: "" });
});
