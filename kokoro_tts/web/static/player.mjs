// The page's one audio player (and the welcome screen's, for previews). Play and Preview set its
// source; Generate streams into it. A WAV stream plays live through Web Audio (live.mjs: sound
// with its first bytes), then the player holds the whole of it; an MP3 stream plays through
// MediaSource as it comes; any other format once whole. What was received stays in the player if
// the generation is stopped. Its data-* attributes time a generation (clicked, first byte,
// playing, last byte, done) and count its stalls (the listener waiting for sound mid-way).

import { setLive } from "./clock.mjs";
import { release } from "./follow.mjs";
import { LivePlayback, audioContext } from "./live.mjs";
import { PcmDecoder } from "./pcm.mjs";

const player = () => document.getElementById("player");
const now = () => String(performance.now());
const LIVE_TYPES = { "audio/wav": true, "audio/pcm": false };  // type: whether a WAV header comes first

let live = null;  // { playback, decoder, over } while a stream plays live
let liveEnded = Promise.resolve();

/** Play `url` in the studio's player (or `element`); the words followed before are released. */
export function play(url, element = player()) {
  if (element === player()) {
    handOver(null);
    release();
  }
  element.hidden = false;
  element.src = url;
  element.play().catch(() => {});
}

/** Stop the sound: a live stream is stopped where it is, the player keeps what came (paused there). */
export function pause() {
  if (live) handOver(live.playback.heard(), false);
  player().pause();
}

/** Seconds of the generation heard so far. */
export const heard = () => (live ? live.playback.heard() : player().currentTime);

/** Resolves once a live stream's sound is over (played to its end, or stopped). */
export const listened = () => liveEnded;

/** The click that asks for sound: Web Audio may start from it (browsers want a gesture). */
export function prepareSound() {
  audioContext();
}

/** A generation starts: its clock restarts. */
export function markClicked() {
  const { dataset } = player();
  for (const key of ["playingAt", "firstByteAt", "receivedAt", "doneAt", "stalls", "stalledSeconds"]) {
    delete dataset[key];
  }
  dataset.clickedAt = now();
}

export function markDone() {
  player().dataset.doneAt = now();
}

/**
 * Play the audio of a generate answer as it comes (live for WAV and PCM, MediaSource for MP3),
 * else once whole; resolves with its last byte. `onPlaying()` when sound starts while the rest
 * is still coming.
 */
export async function playResponse(response, onPlaying = () => {}) {
  const type = response.headers.get("Content-Type").split(";")[0];
  const ctx = audioContext();
  if (type in LIVE_TYPES && ctx) {
    await playLive(ctx, response.body, LIVE_TYPES[type], onPlaying);
  } else if (window.MediaSource && MediaSource.isTypeSupported(type) && type === "audio/mpeg") {
    await streamInto(player(), response.body, type, onPlaying);
  } else {
    player().src = URL.createObjectURL(await response.blob());
    player().dataset.receivedAt = now();
    await player().play().catch(() => {});
  }
}

function once(target, name) {
  return new Promise((resolve) => target.addEventListener(name, resolve, { once: true }));
}

/** Each piece read, handed to `use`; the first and last bytes marked on the player. */
async function readAll(body, use) {
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    player().dataset.firstByteAt ??= now();
    await use(value);
  }
  player().dataset.receivedAt = now();  // the last byte: synthesis is over
}

async function playLive(ctx, body, wav, onPlaying) {
  handOver(null);
  const session = { playback: new LivePlayback(ctx), decoder: new PcmDecoder(wav) };
  live = session;
  liveEnded = new Promise((resolve) => { session.over = resolve; });
  setLive({ heard: () => session.playback.heard(), playing: () => session.playback.playing(),
    seek: (seconds) => handOver(seconds, true) });
  player().hidden = true;  // until it holds the audio: what plays now is the live sound
  try {
    await readAll(body, (bytes) => {
      const at = session.playback.push(session.decoder.push(bytes), session.decoder.format?.rate);
      if (at !== null && !player().dataset.playingAt) {
        player().dataset.playingAt = String(performance.now() + 1000 * (at - ctx.currentTime));
        onPlaying();
      }
    });
  } finally {
    if (live === session) {
      hold(session);  // ready for what follows
      if (session.playback.stoppedAfter === undefined) {
        session.playback.ended().then(() => handOver(null));
      }
    }
  }
}

/** The player holds what a live stream received (once). */
function hold(session) {
  if (session.held) return;
  session.held = true;
  player().src = URL.createObjectURL(session.decoder.wav());
}

/**
 * The live stream ends: its sound stops, its stalls are counted, and the player holds what came,
 * at `seconds` (playing on if `resume`), or ready from the start (null).
 */
function handOver(seconds, resume = false) {
  const session = live;
  if (!session) return;
  live = null;
  setLive(null);
  const { dataset } = player();
  const { stalls, stalled } = session.playback.schedule;
  dataset.stalls = String(stalls);
  dataset.stalledSeconds = stalled.toFixed(3);
  session.playback.stop();
  hold(session);
  player().hidden = false;
  if (seconds !== null) player().currentTime = seconds;
  if (resume) player().play().catch(() => {});
  session.over();
}

async function streamInto(audio, body, type, onPlaying) {
  const source = new MediaSource();
  audio.hidden = false;
  audio.src = URL.createObjectURL(source);
  await once(source, "sourceopen");
  const buffer = source.addSourceBuffer(type);
  let started = false;
  try {
    await readAll(body, async (value) => {
      buffer.appendBuffer(value);
      await once(buffer, "updateend");
      if (!started) {
        started = true;
        audio.play().catch(() => {});
        onPlaying();
      }
    });
  } finally {
    // Ended or stopped: what was received is the whole of it (it can be played again, sought).
    if (buffer.updating) await once(buffer, "updateend");
    if (source.readyState === "open") source.endOfStream();
  }
}

/** The player waits for data it should be playing (MediaSource ran dry): a stall, counted. */
function countStalls(audio) {
  let waitingSince = null;
  audio.addEventListener("waiting", () => {
    if (audio.dataset.playingAt && !audio.dataset.receivedAt) waitingSince = performance.now();
  });
  audio.addEventListener("playing", () => {
    if (waitingSince === null) return;
    const { dataset } = audio;
    dataset.stalls = String(Number(dataset.stalls ?? 0) + 1);
    dataset.stalledSeconds = (Number(dataset.stalledSeconds ?? 0) + (performance.now() - waitingSince) / 1000).toFixed(3);
    waitingSince = null;
  });
}

export function wirePlayer() {
  player().addEventListener("playing", () => {
    if (!player().dataset.playingAt) player().dataset.playingAt = now();
  });
  countStalls(player());
}
