// Following the words (words.mjs): timings laid back onto their text, the word at a time.
import assert from "node:assert/strict";
import { test } from "node:test";

import { alignWords, wordAt } from "../../kokoro_tts/web/static/words.mjs";

const WORDS = [
  { word: "Hello", start: 0, end: 0.34 },
  { word: "there,", start: 0.34, end: 0.59 },
  { word: "world.", start: 0.8, end: 1.18 },
];

test("the text's own spacing is kept between the words", () => {
  const pieces = alignWords("Hello  there,\nworld.", WORDS);
  assert.deepEqual(pieces, [
    { text: "Hello", word: 0 }, { text: "  ", word: null }, { text: "there,", word: 1 },
    { text: "\n", word: null }, { text: "world.", word: 2 },
  ]);
  assert.equal(pieces.map((p) => p.text).join(""), "Hello  there,\nworld.");
});

test("what is not a word (tags, a part not spoken after a stop) stays as text", () => {
  const text = "Hello [pause:1s] there, world. And the rest, never spoken.";
  const pieces = alignWords(text, WORDS);
  assert.equal(pieces.map((p) => p.text).join(""), text);
  assert.deepEqual(pieces.filter((p) => p.word !== null).map((p) => p.word), [0, 1, 2]);
  assert.deepEqual(pieces[1], { text: " [pause:1s] ", word: null });
  assert.deepEqual(pieces.at(-1), { text: " And the rest, never spoken.", word: null });
});

test("a word the text lacks still has its piece, in order", () => {
  const pieces = alignWords("Hello world.", WORDS);
  assert.deepEqual(pieces.filter((p) => p.word !== null).map((p) => [p.text, p.word]),
    [["Hello", 0], ["there,", 1], ["world.", 2]]);
  assert.deepEqual(alignWords("", []), []);
});

test("the word at a time: the last one started, kept through a pause; none before the first", () => {
  assert.equal(wordAt(WORDS, -0.1), -1);
  assert.equal(wordAt(WORDS, 0), 0);
  assert.equal(wordAt(WORDS, 0.2), 0);
  assert.equal(wordAt(WORDS, 0.34), 1);
  assert.equal(wordAt(WORDS, 0.7), 1);  // the pause after "there,"
  assert.equal(wordAt(WORDS, 0.8), 2);
  assert.equal(wordAt(WORDS, 99), 2);
  assert.equal(wordAt([], 1), -1);
  const many = Array.from({ length: 1000 }, (_, i) => ({ word: "w", start: i / 10, end: i / 10 + 0.1 }));
  assert.equal(wordAt(many, 53.25), 532);
});
