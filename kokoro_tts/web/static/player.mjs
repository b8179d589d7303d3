// The page's one audio player (and the welcome screen's, for previews). Play and Preview set its
// source; Generate streams into it (MediaSource: playback starts with the first piece while the
// server still synthesises the rest), and what was received stays in it if the generation is
// stopped. Its data-* attributes time a generation: clicked, playing, last byte received, done.

import { release } from "./follow.mjs";

const player = () => document.getElementById("player");
const now = () => String(performance.now());

/** Play `url` in the studio's player (or `element`); the words followed before are released. */
export function play(url, element = player()) {
  if (element === player()) release();
  element.hidden = false;
  element.src = url;
  element.play().catch(() => {});
}

export function pause() {
  player().pause();
}

/** Seconds of the generation heard so far. */
export const heard = () => player().currentTime;

/** A generation starts: its clock restarts. */
export function markClicked() {
  const { dataset } = player();
  dataset.clickedAt = now();
  delete dataset.playingAt;
  delete dataset.receivedAt;
  delete dataset.doneAt;
}

export function markDone() {
  player().dataset.doneAt = now();
}

/**
 * Play the audio of a generate answer: streamed if the browser can (MP3), else once whole.
 * `onPlaying()` when playback starts while the rest is still coming.
 */
export async function playResponse(response, onPlaying = () => {}) {
  const type = response.headers.get("Content-Type").split(";")[0];
  if (window.MediaSource && MediaSource.isTypeSupported(type) && type === "audio/mpeg") {
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

async function streamInto(audio, body, type, onPlaying) {
  const source = new MediaSource();
  audio.src = URL.createObjectURL(source);
  await once(source, "sourceopen");
  const buffer = source.addSourceBuffer(type);
  const reader = body.getReader();
  let started = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        audio.dataset.receivedAt = now();  // the last byte: synthesis is over
        break;
      }
      buffer.appendBuffer(value);
      await once(buffer, "updateend");
      if (!started) {
        started = true;
        audio.play().catch(() => {});
        onPlaying();
      }
    }
  } finally {
    // Ended or stopped: what was received is the whole of it (it can be played again, sought).
    if (buffer.updating) await once(buffer, "updateend");
    if (source.readyState === "open") source.endOfStream();
  }
}

export function wirePlayer() {
  player().addEventListener("playing", () => {
    if (!player().dataset.playingAt) player().dataset.playingAt = now();
  });
}
