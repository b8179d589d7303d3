// The Live panel's side of ElevenLabs' stream-input protocol, without a DOM: where the socket is,
// what to send when the text box changes (only the characters appended; an edit of text already
// sent starts a new socket), the server's messages read, and which character of the text box is
// heard when (the server times each character it speaks). Node's tests drive it.

/** Seconds without text before the server closes the socket (the page reopens it on typing). */
export const IDLE_SECONDS = 60;

// The server's rule (elevenlabs_api/input_text.py): a sentence ends at . ! ? … (closing quotes or
// brackets after it) followed by white space; all the text up to the last such end is spoken.
const SENTENCE_END = /[.!?…。！？]+["'”’)\]」』]*\s+/g;

/** The index just after the last sentence end in `text` at or after `from` (`from` if none). */
export function sentencesEnd(text, from = 0) {
  let end = from;
  for (const match of text.matchAll(SENTENCE_END)) {
    if (match.index + match[0].length > from) end = match.index + match[0].length;
  }
  return end;
}

/** The sentence holding the character at `index`: [start, end), a sentence ending after the
 *  white space that follows its end (or with the text). */
export function sentenceAround(text, index) {
  let start = 0;
  for (const match of text.matchAll(SENTENCE_END)) {
    const end = match.index + match[0].length;
    if (end > index) return [start, end];
    start = end;
  }
  return [start, text.length];
}

/** The start of the sentence holding the character at `index` (0 if no sentence ends before). */
export const sentenceStart = (text, index) => sentenceAround(text, index)[0];

function commonPrefix(a, b) {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/**
 * What to do when the text box holds `value`, its text from `base` to the end of `typed` having
 * been sent on the open socket (`flushed`: the index up to which "Speak the rest" sent it all):
 * - {send: "..."}: the characters appended since ("" if nothing changed);
 * - {restart: i, keep: true}: text not yet taken for speech was changed (a typo mended): the
 *   socket speaks what it has taken and closes; a new one takes the text box from `i` on;
 * - {restart: i, keep: false}: text already taken for speech was changed: the socket is closed
 *   now and a new one speaks again from the start of the sentence changed (`i`).
 */
export function nextStep({ base = 0, typed, flushed = 0 }, value) {
  if (value.startsWith(typed)) return { send: value.slice(typed.length) };
  const taken = Math.max(sentencesEnd(typed, base), flushed);
  const same = commonPrefix(typed, value);
  if (same >= taken) return { restart: taken, keep: true };
  return { restart: Math.max(0, sentenceStart(value, same)), keep: false };
}

/** The socket's address on the page's own origin (its session cookie goes with the upgrade). */
export function socketUrl(location, voice, lang) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const query = new URLSearchParams({ output_format: "pcm_24000", inactivity_timeout: String(IDLE_SECONDS) });
  if (lang) query.set("language_code", lang);
  return `${scheme}//${location.host}/v1/text-to-speech/${encodeURIComponent(voice)}/stream-input?${query}`;
}

/** The messages the page sends: the first (the speed, with the first text: ElevenLabs' clients
 *  send a space there, which would be charged), text, "Speak the rest" (a space: "" would end). */
export const opening = (speed, text) => JSON.stringify({ text, voice_settings: { speed } });
export const textMessage = (text) => JSON.stringify({ text });
export const flushMessage = () => JSON.stringify({ text: " ", flush: true });

function fromBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * A message of the server: {audio (bytes or null), chars (string), starts (ms from the socket's
 * first audio, one per character), final, error ({message, code}) or null}.
 */
export function readMessage(raw) {
  const message = JSON.parse(raw);
  if (message.error || (message.message && !message.audio && !message.alignment)) {
    return { audio: null, chars: "", starts: [], final: false, error: { message: String(message.message ?? ""), code: message.error ?? null } };
  }
  const alignment = message.alignment ?? {};
  return {
    audio: message.audio ? fromBase64(message.audio) : null,
    chars: (alignment.chars ?? []).join(""),
    starts: alignment.charStartTimesMs ?? [],
    final: message.isFinal === true,
    error: null,
  };
}

/**
 * What one socket was sent, character by character: where each came from in the text box (the
 * page's own spaces, a flush's, count as the character before), so that
 * the characters the server times are found in the text box.
 */
export class Sent {
  constructor(base) {
    this.base = base;
    this.origins = [];
  }

  /** `count` characters of the text box from `from` were sent (null: `count` spaces of the page's). */
  add(from, count) {
    for (let i = 0; i < count; i++) this.origins.push(from === null ? this.lastOrigin() : from + i);
  }

  lastOrigin() {
    return this.origins.length ? this.origins[this.origins.length - 1] : this.base - 1;
  }

  /** The text box's index of the socket's `n`th character (base - 1: a space before the text). */
  origin(n) {
    return this.origins[Math.min(n, this.origins.length - 1)] ?? this.base - 1;
  }

  /** How many of the socket's characters come before the text box's index `index`. */
  before(index) {
    const at = this.origins.findIndex((origin) => origin >= index);
    return at < 0 ? this.origins.length : at;
  }
}

/**
 * When each character of the text box is heard, on the audio clock: `add(index, time)` as the
 * server's timings come (in order); `heard(now)` the index of the last character heard by `now`
 * (-1 if none yet).
 */
export class Timeline {
  constructor() {
    this.marks = [];  // [time, index], times rising
    this.cursor = 0;
  }

  add(index, time) {
    const last = this.marks[this.marks.length - 1];
    this.marks.push([last ? Math.max(last[0], time) : time, index]);
  }

  heard(now) {
    if (this.cursor > this.marks.length) this.cursor = 0;
    while (this.cursor < this.marks.length && this.marks[this.cursor][0] <= now) this.cursor++;
    return this.cursor ? this.marks[this.cursor - 1][1] : -1;
  }

  clear() {
    this.marks = [];
    this.cursor = 0;
  }
}
