// The Live panel: what is typed goes to the stream-input socket as it is typed (each sentence
// ended is spoken at once), "Speak the rest" flushes, Stop closes. The socket opens on the first
// input, in the studio's voice, speed and language, and again after the server closed it (a minute
// without text). Its PCM plays through live.mjs's playback as it comes; the sentence heard shows
// under the text box, the words heard marked, and the status line says which. Credits and the
// history follow each piece. Text already taken for speech and then edited is spoken again from
// its sentence by a new socket; a typo mended in the text not yet taken only replaces the socket
// (the old one says what it has taken first: its sound plays before the new one's).

import { fmt } from "./format.mjs";
import { loadHistory } from "./history.mjs";
import { LivePlayback, audioContext } from "./live.mjs";
import {
  Sent, Timeline, flushMessage, nextStep, opening, readMessage, sentenceAround, sentencesEnd, socketUrl, textMessage,
} from "./live-text.mjs";
import { $, S, element, listen, say, toggle, unsay, warn } from "./page.mjs";
import { PCM_RATE, PcmDecoder } from "./pcm.mjs";
import { pause } from "./player.mjs";
import { refreshCredits } from "./session.mjs";
import { order } from "./studio.mjs";

const REFRESH_MS = 1000;  // credits and history, this long after the last message
const SHOW_MS = 100;

let links = [];  // the sockets, oldest first: the first one's sound plays, the others' waits its end
let current = null;  // the socket the new text goes to, if one is open
let typed = "";  // the text box as it was last sent from
let resumeAt = 0;  // where a new socket takes the text box from (after what was spoken)
let playback = null;
const timeline = new Timeline();
let refreshTimer = 0;
let showTimer = 0;
let shown = null;  // the sentence shown: [start, end, heard]
let speaking = null;  // the status line's ticket while it says what is heard

/** One stream-input socket, from the text box's index `base` on. */
class Link {
  constructor(base, text) {
    const { voice, speed, lang } = order();
    this.base = base;
    this.sent = new Sent(base);
    this.flushed = 0;
    this.inbox = [];  // messages read, waiting to be played
    this.received = 0;  // characters the server has timed
    this.handled = 0;
    this.seconds = 0;  // seconds of sound played from it
    this.offset = null;  // the audio clock's time minus the socket's
    this.decoder = new PcmDecoder(false);
    this.goal = Infinity;  // once retired: the characters it speaks before it is closed
    this.outbox = [];
    this.ws = new WebSocket(socketUrl(location, voice, lang));
    this.send(opening(speed, text), base, text.length);
    this.ws.onopen = () => { for (const message of this.outbox.splice(0)) this.ws.send(message); };
    this.ws.onmessage = (event) => this.receive(event.data);
    this.ws.onclose = (event) => this.closed(event);
  }

  /** A message carrying `count` characters of the text box from `from` (null: the page's spaces). */
  send(message, from, count) {
    this.sent.add(from, count);
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(message);
    else this.outbox.push(message);
  }

  receive(raw) {
    const message = readMessage(raw);
    this.received += message.chars.length;
    this.inbox.push(message);
    if (this.received >= this.goal) this.hangUp();
    if (message.error) this.error = message.error;
    drain();
  }

  /** No more text: it closes once it has said what the server took (`taken`, a text box index). */
  retire(taken) {
    this.goal = taken > this.base ? this.sent.before(taken) : 0;
    if (this.received >= this.goal) this.hangUp();
  }

  /** Closed by the page: nothing to say about it. */
  hangUp() {
    this.stopped = true;
    this.ws.close();
  }

  closed(event) {
    this.over = true;
    if (current === this) {
      current = null;
      resumeAt = Math.max(sentencesEnd(typed, this.base), this.flushed);  // the rest is sent again
    }
    if (this.error && this.error.code !== "input_timeout") warn(this.error.message);
    else if (!this.error && event.code !== 1000 && event.code !== 1005 && !this.stopped) warn(S.live_lost);
    drain();
    refreshSoon();
  }
}

/** The first socket's messages played; a socket over and played gives way to the next. */
function drain() {
  while (links.length) {
    const link = links[0];
    for (const message of link.inbox.splice(0)) play(link, message);
    if (!link.over) break;
    links.shift();
  }
  $("live-stop").disabled = !links.length && !playback?.playing();
  if (links.length || playback?.playing()) showSoon();
}

function play(link, { audio, chars, starts }) {
  const ctx = audioContext();
  if (audio && ctx) {
    playback ??= new LivePlayback(ctx);
    const samples = link.decoder.push(audio);
    const at = playback.push(samples, PCM_RATE);
    if (at !== null) link.offset = at - link.seconds;
    link.seconds += samples.length / PCM_RATE;
  }
  const offset = link.offset ?? ctx?.currentTime ?? 0;
  for (let i = 0; i < chars.length; i++) timeline.add(link.sent.origin(link.handled + i), offset + starts[i] / 1000);
  link.handled += chars.length;
  if (chars.length || audio) refreshSoon();
}

function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => {
    refreshCredits().catch(warn);
    loadHistory(true).catch(warn);
  }, REFRESH_MS);
}

/** The sentence heard, its words heard marked; the status line says it once as it starts. */
function show() {
  showTimer = 0;
  const ctx = audioContext();
  const heard = ctx ? timeline.heard(ctx.currentTime) : -1;
  const text = $("live-text").value;
  if (heard >= 0 && heard < text.length) {
    const [start, end] = sentenceAround(text, heard);
    if (!shown || shown[0] !== start || shown[2] !== heard) {
      const mark = element("mark");
      mark.textContent = text.slice(start, heard + 1);
      $("live-spoken").replaceChildren(mark, text.slice(heard + 1, end));
      $("live-spoken").hidden = false;
      if (!shown || shown[0] !== start) speaking = say(fmt(S.live_speaking, { text: text.slice(start, end).trim() }));
      shown = [start, end, heard];
    }
  }
  if (links.length || playback?.playing()) showSoon();
  else {
    $("live-stop").disabled = true;
    if (speaking) unsay(speaking);
    speaking = null;
  }
}

function showSoon() {
  showTimer ||= setTimeout(show, SHOW_MS);
}

/** A new socket taking the text box from `from` (none while there is nothing to say from there). */
function openLink(from, value) {
  if (!value.slice(from).trim()) {
    current = null;
    resumeAt = from;
    return;
  }
  pause();  // the studio's sound, if any, gives way
  current = new Link(from, value.slice(from));
  links.push(current);
  $("live-stop").disabled = false;
}

/** Everything closed now, the sound too; the text box's text counts as said. */
function cut() {
  for (const link of links) link.hangUp();
  links = [];
  current = null;
  playback?.stop();
  playback = null;
  timeline.clear();
  shown = null;
}

function onInput() {
  audioContext();  // typing is a gesture: sound may start
  const value = $("live-text").value;
  if (!current) {
    let same = 0;
    while (same < typed.length && same < value.length && typed[same] === value[same]) same++;
    const from = Math.min(resumeAt, same >= resumeAt ? resumeAt : sentenceAround(value, same)[0]);
    typed = value;
    resumeAt = Math.min(from, value.length);
    openLink(from, value);
    return;
  }
  const step = nextStep({ base: current.base, typed, flushed: current.flushed }, value);
  if (step.send !== undefined) {
    if (step.send) current.send(textMessage(step.send), typed.length, step.send.length);
    typed = value;
    return;
  }
  if (step.keep) current.retire(step.restart);
  else {
    cut();
    say(S.live_edited);
  }
  typed = value;
  openLink(step.restart, value);
}

function onFlush() {
  onInput();
  if (!current) return;
  current.send(flushMessage(), null, 1);
  current.flushed = typed.length;
}

/** Stop: the sockets closed, the sound silenced; typing goes on after the text there. `quiet`:
 *  nothing said (signing out). */
export function stopLive(quiet = false) {
  typed = $("live-text").value;
  resumeAt = typed.length;
  $("live-stop").disabled = true;
  if (!links.length && !playback) return;
  cut();
  if (!quiet) say(S.live_stopped);
}

function onToggle() {
  if (toggle("live")) $("live-text").focus();
  else stopLive();
}

export function wireLive() {
  listen([
    ["live-toggle", "click", onToggle],
    ["live-text", "input", onInput],
    ["live-flush", "click", onFlush],
    ["live-stop", "click", () => stopLive()],
  ]);
}
