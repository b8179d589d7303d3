// The live player's pure parts: a streamed WAV's header, bytes to samples across pieces, the WAV
// written back, and where each piece goes on the audio clock (stalls counted).

import assert from "node:assert/strict";
import { test } from "node:test";

import { LEAD, Schedule } from "../../kokoro_tts/web/static/live.mjs";
import { PcmDecoder, readWavHeader, toSamples, wavHeader } from "../../kokoro_tts/web/static/pcm.mjs";

// A header as the server streams it: sizes unknown (0xFFFFFFFF), 24 kHz mono 16-bit.
function streamedHeader() {
  const header = wavHeader(24000, 1, 0);
  const view = new DataView(header.buffer);
  view.setUint32(4, 0xffffffff, true);
  view.setUint32(40, 0xffffffff, true);
  return header;
}

const int16 = (...values) => new Uint8Array(Int16Array.from(values).buffer);

test("a streamed WAV header is read, however it is cut", () => {
  const header = streamedHeader();
  assert.equal(readWavHeader(header.subarray(0, 30)), null);
  assert.deepEqual(readWavHeader(header), { channels: 1, rate: 24000, bits: 16, dataStart: 44 });
  assert.match(readWavHeader(new TextEncoder().encode("ID3\u0004 an mp3, not a wav")).message, /not a WAV/);
});

test("samples come out of pieces cut anywhere, a sample split between two included", () => {
  const bytes = new Uint8Array([...streamedHeader(), ...int16(16384, -32768, 0, 32767)]);
  const decoder = new PcmDecoder(true);
  const pieces = [bytes.subarray(0, 20), bytes.subarray(20, 47), bytes.subarray(47)];
  const samples = pieces.flatMap((piece) => [...decoder.push(piece)]);
  assert.deepEqual(samples, [0.5, -1, 0, 32767 / 32768]);
  assert.equal(decoder.format.rate, 24000);
});

test("bare PCM is 24 kHz mono from its first byte", () => {
  const decoder = new PcmDecoder(false);
  assert.deepEqual([...decoder.push(int16(-16384, 8192))], [-0.5, 0.25]);
  assert.equal(decoder.format.rate, 24000);
});

test("what came is written back as a WAV file of the true length", async () => {
  const decoder = new PcmDecoder(true);
  decoder.push(new Uint8Array([...streamedHeader(), ...int16(1, 2, 3)]));
  decoder.push(int16(4).subarray(0, 1));  // half a sample: not in the file
  const file = new Uint8Array(await decoder.wav().arrayBuffer());
  assert.equal(file.length, 44 + 6);
  assert.deepEqual(readWavHeader(file), { channels: 1, rate: 24000, bits: 16, dataStart: 44 });
  assert.equal(new DataView(file.buffer).getUint32(40, true), 6);
  assert.deepEqual([...toSamples(file.subarray(44))].map((x) => x * 32768), [1, 2, 3]);
});

test("stereo frames are averaged to mono", () => {
  assert.deepEqual([...toSamples(int16(16384, 0, -32768, -32768), 2)], [0.25, -1]);
});

test("pieces that come in time play back to back, with no stall", () => {
  const schedule = new Schedule();
  assert.equal(schedule.place(10, 2), 10 + LEAD);
  assert.equal(schedule.place(11, 2), 12 + LEAD);  // queued right after the first
  assert.equal(schedule.place(13.5, 1), 14 + LEAD);
  assert.equal(schedule.stalls, 0);
  assert.equal(schedule.heard(11 + LEAD), 1);
  assert.equal(schedule.heard(100), 5);
  assert.ok(schedule.over(15 + LEAD) && !schedule.over(14));
});

test("a piece that comes after the sound ran out is a stall, its silence counted", () => {
  const schedule = new Schedule();
  schedule.place(0, 1);  // plays LEAD .. 1 + LEAD
  const at = schedule.place(3, 1);  // the listener waited from 1 + LEAD to 3 + LEAD
  assert.equal(at, 3 + LEAD);
  assert.equal(schedule.stalls, 1);
  assert.ok(Math.abs(schedule.stalled - 2) < 1e-9);
  assert.equal(schedule.heard(3), 1);  // the silence is not heard audio
});

test("nothing is heard before the first piece plays", () => {
  const schedule = new Schedule();
  assert.equal(schedule.heard(5), 0);
  schedule.place(5, 1);
  assert.equal(schedule.heard(5), 0);
  assert.ok(!schedule.over(5));
});
