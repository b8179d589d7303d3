// The Live panel's protocol: only what is appended is sent; an edit of text not yet taken for
// speech replaces the socket, an edit of text already taken speaks its sentence again; the
// server's messages read; the characters the server times found in the text box and on the clock.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  IDLE_SECONDS, Sent, Timeline, flushMessage, nextStep, opening, readMessage, sentenceAround, sentencesEnd, socketUrl,
  textMessage,
} from "../../kokoro_tts/web/static/live-text.mjs";

test("typing on sends only the characters appended", () => {
  assert.deepEqual(nextStep({ typed: "" }, "H"), { send: "H" });
  assert.deepEqual(nextStep({ typed: "Hello" }, "Hello there. "), { send: " there. " });
  assert.deepEqual(nextStep({ typed: "Hello" }, "Hello"), { send: "" });
  const pasted = "One. Two. Three";
  assert.deepEqual(nextStep({ typed: "" }, pasted), { send: pasted });
});

test("a typo mended in the sentence not yet taken replaces the socket from that sentence", () => {
  // "Hello there. " was taken for speech; "Helo" is still in the server's buffer.
  assert.deepEqual(nextStep({ typed: "Hello there. Helo" }, "Hello there. Hel"), { restart: 13, keep: true });
  assert.deepEqual(nextStep({ typed: "Helo" }, "Hel"), { restart: 0, keep: true });
  // A socket opened after the text box's start: its own text is what counts.
  assert.deepEqual(nextStep({ base: 20, typed: "x".repeat(20) + "Helo" }, "x".repeat(20) + "Hel"), { restart: 20, keep: true });
  // "Speak the rest" took everything sent: an edit after it is an edit of spoken text.
  assert.deepEqual(nextStep({ typed: "Helo", flushed: 4 }, "Hel"), { restart: 0, keep: false });
});

test("an edit of text already taken speaks its sentence again", () => {
  const typed = "Good morning. Se you soon. And";
  assert.deepEqual(nextStep({ typed }, "Good morning. See you soon. And"), { restart: 14, keep: false });
  assert.deepEqual(nextStep({ typed }, "Good evening. Se you soon. And"), { restart: 0, keep: false });
  assert.deepEqual(nextStep({ typed }, ""), { restart: 0, keep: false });
});

test("sentences end as the server cuts them: punctuation, closing quotes, then white space", () => {
  assert.equal(sentencesEnd("Hello there. How are"), 13);
  assert.equal(sentencesEnd("Hello there.How"), 0);  // no space: not yet an end
  assert.equal(sentencesEnd("He said “hi!” Then"), 14);
  assert.equal(sentencesEnd("Done? Yes!\nNext", 0), 11);
  assert.equal(sentencesEnd("One. Two", 6), 6);  // none after `from`
  assert.deepEqual(sentenceAround("One. Two. Three", 6), [5, 10]);
  assert.deepEqual(sentenceAround("One. Two. Three", 12), [10, 15]);
  assert.deepEqual(sentenceAround("One. Two. Three", 0), [0, 5]);
});

test("the socket is on the page's own origin, raw 24 kHz PCM, idle for a minute at most", () => {
  const url = new URL(socketUrl({ protocol: "https:", host: "tts.example:8443" }, "af_heart(2)+bf_emma(1)", "en-us"));
  assert.equal(url.protocol, "wss:");
  assert.equal(url.host, "tts.example:8443");
  assert.equal(url.pathname, "/v1/text-to-speech/af_heart(2)%2Bbf_emma(1)/stream-input");
  assert.equal(url.searchParams.get("output_format"), "pcm_24000");
  assert.equal(url.searchParams.get("language_code"), "en-us");
  assert.equal(url.searchParams.get("inactivity_timeout"), String(IDLE_SECONDS));
  assert.equal(IDLE_SECONDS, 60);
  assert.equal(new URL(socketUrl({ protocol: "http:", host: "localhost" }, "af", "")).protocol, "ws:");
});

test("the messages sent: the speed with the first text, text, a flush that is not the end", () => {
  assert.deepEqual(JSON.parse(opening(1.25, "Hi")), { text: "Hi", voice_settings: { speed: 1.25 } });
  assert.deepEqual(JSON.parse(textMessage("Hi. ")), { text: "Hi. " });
  const flush = JSON.parse(flushMessage());
  assert.equal(flush.flush, true);
  assert.notEqual(flush.text, "");  // "" would end the socket
});

test("the server's messages: audio with its timed characters, the end, a refusal", () => {
  const audio = Buffer.from([1, 0, 255, 127]).toString("base64");
  const chunk = readMessage(JSON.stringify({ audio, isFinal: null,
    alignment: { chars: ["H", "i"], charStartTimesMs: [0, 120], charsDurationsMs: [120, 100] } }));
  assert.deepEqual([...chunk.audio], [1, 0, 255, 127]);
  assert.equal(chunk.chars, "Hi");
  assert.deepEqual(chunk.starts, [0, 120]);
  assert.equal(chunk.final, false);
  assert.equal(chunk.error, null);
  const timingOnly = readMessage(JSON.stringify({ audio: null, isFinal: null, alignment: { chars: ["."], charStartTimesMs: [220], charsDurationsMs: [10] } }));
  assert.equal(timingOnly.audio, null);
  assert.equal(timingOnly.chars, ".");
  assert.equal(readMessage(JSON.stringify({ isFinal: true })).final, true);
  const refused = readMessage(JSON.stringify({ message: "Not enough credits.", error: "insufficient_credits", code: 1008 }));
  assert.deepEqual(refused.error, { message: "Not enough credits.", code: "insufficient_credits" });
  assert.equal(refused.audio, null);
});

test("the socket's characters are found in the text box, the page's spaces as the one before", () => {
  const sent = new Sent(10);
  sent.add(null, 1);  // the opening " "
  sent.add(10, 3);  // "Hi." typed at 10
  sent.add(null, 1);  // a flush's " "
  sent.add(13, 2);
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((n) => sent.origin(n)), [9, 10, 11, 12, 12, 13, 14]);
  assert.equal(sent.origin(99), 14);
  assert.equal(sent.before(12), 3);
  assert.equal(sent.before(13), 5);
  assert.equal(sent.before(99), 7);
  assert.equal(new Sent(0).origin(0), -1);
});

test("the timeline says which character is heard by a time, times never going back", () => {
  const timeline = new Timeline();
  assert.equal(timeline.heard(5), -1);
  timeline.add(0, 1.0);
  timeline.add(1, 1.1);
  timeline.add(2, 0.9);  // a timing before the last one's: heard with it
  timeline.add(3, 2.0);
  assert.equal(timeline.heard(0.5), -1);
  assert.equal(timeline.heard(1.05), 0);
  assert.equal(timeline.heard(1.5), 2);
  assert.equal(timeline.heard(3), 3);
  timeline.clear();
  assert.equal(timeline.heard(3), -1);
});
