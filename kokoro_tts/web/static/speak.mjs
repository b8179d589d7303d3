// Generate and Stop: the studio's order spoken into the player, the credits it left shown, the
// new item found in the history, and its words followed once the server has them. A stop keeps
// what was heard in the player and says how long it was.

import { api, apiError } from "./api.mjs";
import { claim, attach, followOn, release } from "./follow.mjs";
import { fmt, seconds } from "./format.mjs";
import { loadHistory } from "./history.mjs";
import { $, S, hush, listen, say, unsay, warn } from "./page.mjs";
import { heard, listened, markClicked, markDone, pause, playResponse, prepareSound } from "./player.mjs";
import { showCredits } from "./session.mjs";
import { order, orderErrors, orderReady } from "./studio.mjs";

let abort = null;  // the generation in progress, if any
let stopping = false;  // Stop was pressed (its sound may have all come: the fetch ends unaborted)
let following = null;  // the words of the generation, once the server has them
let spokenId = null;  // the generation's id, once the server has answered
const QUEUE_POLL_MS = 2000;
const pauseFor = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The text being read, under the player, until its words are known (then word by word). */
function showReading(text) {
  if (!followOn()) return;
  $("reading").hidden = false;
  $("reading-text").textContent = text;
}

function hideReading() {
  $("reading").hidden = true;
  $("reading-text").replaceChildren();
  $("reading-text").removeAttribute("role");
  $("reading-text").removeAttribute("aria-label");
}

/**
 * The generation `id` once the server has settled it (its duration known), asked again and again
 * for a minute at most: a stream is settled just after its last byte, a stopped one once the
 * server has noticed (after the piece in progress). Null if it is still pending then.
 */
async function settled(id) {
  const deadline = performance.now() + 60_000;
  for (let wait = 300; performance.now() < deadline; wait = Math.min(2 * wait, 2000)) {
    const item = await api("GET", `/api/tts/history/${id}`);
    if (item.duration !== null) return item;
    await pauseFor(wait);
  }
  return null;
}

async function followGeneration(ticket, id) {
  // The history at once (a stopped item shows as being made), again once the item is settled.
  await loadHistory(true);
  const item = await settled(id);
  if (!item) return;
  await loadHistory(true);
  if (!item.has_captions) return;
  const { words } = await api("GET", `/api/tts/history/${id}/captions`);
  // The item's text: what was spoken (an SSML document's words, without its tags).
  attach(ticket, $("reading-text"), item.text, words, hideReading, S.reading_label);
}

/**
 * A stream in line (`X-Queue-Position`): its place on the status line, followed at
 * GET /api/tts/queue until its sound starts (`done()`) or it is stopped.
 */
function showPlace(position, signal) {
  let timer = 0;
  const show = (place) => say(place <= 1 ? S.queue_next : fmt(S.queue_ahead, { n: place - 1 }));
  const poll = async () => {
    const line = await api("GET", "/api/tts/queue", undefined, { signal }).catch(() => null);
    if (timer === null || !line?.places?.length) return;
    show(line.places[0]);
    timer = setTimeout(poll, QUEUE_POLL_MS);
  };
  show(Number(position));
  timer = setTimeout(poll, QUEUE_POLL_MS);
  return () => { clearTimeout(timer); timer = null; };
}

/** Speak the order: its sound played as it comes; resolves once it is heard (or stopped). */
async function speak(body, ticket) {
  const response = await api("POST", "/api/tts/generate", body, { raw: true, signal: abort.signal });
  if (!response.ok) throw await apiError(response);
  const id = response.headers.get("X-Generation-Id");
  spokenId = id;
  showCredits(response.headers.get("X-Credits-Remaining"));
  const position = response.headers.get("X-Queue-Position");
  const inLine = position ? showPlace(position, abort.signal) : () => {};
  let playing = null;
  try {
    await playResponse(response, () => { inLine(); playing = say(S.playing); });
  } finally {
    inLine();
  }
  markDone();
  following = followGeneration(ticket, id).catch(warn);  // words follow while it plays on
  await listened();
  if (stopping) say(fmt(S.stopped_after, { seconds: seconds(heard()) }));
  else if (playing) unsay(playing);
  else hush();
}

async function onGenerate(event) {
  event.preventDefault();
  if (abort || !orderReady()) return;
  const body = { ...order(), stream: true };
  const where = orderErrors();
  prepareSound();  // while the click is handled: browsers let sound start from a gesture only
  abort = new AbortController();
  stopping = false;
  following = null;
  spokenId = null;
  $("generate").disabled = true;
  $("stop").disabled = false;
  const ticket = claim();
  hideReading();
  showReading(body.text);
  say(S.generating);
  markClicked();
  try {
    await speak(body, ticket);
  } catch (error) {
    if (error.name !== "AbortError") {
      release();
      hideReading();
      return warn(error, where);
    }
    // Stopped: what was heard stays in the player; the history item is what the server kept.
    const after = heard();
    say(after > 0 ? fmt(S.stopped_after, { seconds: seconds(after) }) : S.stopped_before);
  } finally {
    $("generate").disabled = false;
    $("stop").disabled = true;
    abort = null;
  }
  if (following) return following;
  if (spokenId === null) return hideReading();
  return followGeneration(ticket, spokenId).catch(warn);
}

function onStop() {
  stopping = true;
  abort?.abort();
  pause();
}

export function wireSpeak() {
  listen([
    ["speak-form", "submit", onGenerate],
    ["stop", "click", onStop],
  ]);
}
