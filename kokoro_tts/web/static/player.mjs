// The page's one audio player. Play and Preview set its source; Generate streams into it
// (MediaSource: playback starts with the first piece while the server still synthesises the
// rest). Its data-* attributes time a generation: clicked, playing, last byte received, done.

import { $, S, say } from "./page.mjs";

const player = () => $("player");
const now = () => String(performance.now());

export function play(url) {
  player().src = url;
  player().play().catch(() => {});
}

export function pause() {
  player().pause();
}

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

/** Play the audio of a generate answer: streamed if the browser can (MP3), else once whole. */
export async function playResponse(response) {
  const type = response.headers.get("Content-Type").split(";")[0];
  if (window.MediaSource && MediaSource.isTypeSupported(type) && type === "audio/mpeg") {
    await streamInto(player(), response.body, type);
  } else {
    player().src = URL.createObjectURL(await response.blob());
    player().dataset.receivedAt = now();
    await player().play().catch(() => {});
  }
}

function once(target, name) {
  return new Promise((resolve) => target.addEventListener(name, resolve, { once: true }));
}

async function streamInto(audio, body, type) {
  const source = new MediaSource();
  audio.src = URL.createObjectURL(source);
  await once(source, "sourceopen");
  const buffer = source.addSourceBuffer(type);
  const reader = body.getReader();
  let started = false;
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
      say(S.playing);
    }
  }
  if (source.readyState === "open") source.endOfStream();
}

export function wirePlayer() {
  player().addEventListener("playing", () => {
    if (!player().dataset.playingAt) player().dataset.playingAt = now();
  });
}
