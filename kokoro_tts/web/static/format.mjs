// The page's words filled in: its strings with their {placeholders}, and the labels it builds
// from the API's answers, numbers, dates and language names written as the page's language
// writes them. Pure: no DOM, so Node's tests import it as it is.

let language = "en";
let plurals = new Intl.PluralRules("en");

/** The page's language: plurals, numbers, dates and language names follow it. */
export function setLanguage(lang) {
  language = lang || "en";
  plurals = new Intl.PluralRules(language);
}

/** The page's language as set ("en", "fr"). */
export const pageLanguage = () => language;

/** fmt("{n} characters", { n: 3 }) is "3 characters"; a value not given is left empty, a number
 *  is written as the page's language writes it ("5,000" / "5 000"). A plural string
 *  ({one, other}) is the form the page's language uses for `values.n`. */
export function fmt(text, values = {}) {
  if (text && typeof text === "object") text = text[plurals.select(Number(values.n))] ?? text.other;
  return text.replace(/\{(\w+)\}/g, (_, key) => {
    const value = values[key];
    return typeof value === "number" ? number(value) : String(value ?? "");
  });
}

/** 12345 -> "12,345" (English), "12 345" (French); `digits`: exactly that many decimals. */
export function number(n, digits) {
  const options = digits === undefined ? {} : { minimumFractionDigits: digits, maximumFractionDigits: digits };
  return new Intl.NumberFormat(language, options).format(Number(n));
}

/** 10.64 -> "10.6 s" / "10,6 s" (a no-break space before the unit). */
export function seconds(n) {
  return `${number(n, 1)}\u00a0s`;
}

/** The credits in the header: a number, or the word for none counted (null or "unlimited"). */
export function creditsText(credits, unlimited) {
  return credits === null || credits === undefined || credits === "unlimited" ? unlimited : number(credits);
}

/** 1.5 -> "1.50×" / "1,50×" (the speed slider's value). */
export function speedText(speed) {
  return number(speed, 2) + "×";
}

/** A language code as a name in the page's language: "fr" -> "French" / "Français", "en-us" ->
 *  "American English" / "Anglais américain"; as it is within a sentence with `capital` false
 *  ("français"); the code itself if no name is known. */
export function languageName(code, capital = true) {
  let name;
  try {
    name = new Intl.DisplayNames([language], { type: "language", fallback: "none" }).of(code);
  } catch { /* not a language code */ }
  if (!name) return code || "";
  return capital ? name.charAt(0).toLocaleUpperCase(language) + name.slice(1) : name;
}

/** How the server tells an SSML document (kokoro_tts/engine/ssml.py): by its first tag. */
const SSML_START = /^\s*(?:<\?xml[\s?]|<!DOCTYPE\s+speak\b|<speak[\s/>])/;
/** An SSML document may be this many times the limit: its markup is not charged (MARKUP_GROWTH). */
export const SSML_GROWTH = 4;

export function isSsml(text) {
  return SSML_START.test(text);
}

/**
 * Under the text: its length and cost; near the limit (90 %), how many are left; over it, by how
 * much. `level`: "ok", "near" or "over". SSML (`ssml`) costs the words it speaks, which the
 * server counts: the hint says so, and its limit is the document's.
 */
export function countState(n, max, S, ssml = false) {
  if (ssml) {
    const limit = max * SSML_GROWTH;
    if (max && n > limit) return { level: "over", text: fmt(S.count_over, { n, over: n - limit, max: limit }) };
    return { level: "ok", text: `${fmt(S.characters, { n })} · ${S.ssml_hint}` };
  }
  const counted = `${fmt(S.characters, { n })}, ${fmt(S.cost, { n })}`;
  if (max && n > max) return { level: "over", text: fmt(S.count_over, { n, over: n - max, max }) };
  if (max && n >= 0.9 * max) return { level: "near", text: `${counted} · ${fmt(S.count_near, { n: max - n, max })}` };
  return { level: "ok", text: counted };
}

/** The text of a history item, cut after `max` characters. */
export function excerpt(text, max = 160) {
  return text.length > max ? text.slice(0, max).trimEnd() + "…" : text;
}

/** "04/12/2026 17:25" / "12/4/26, 5:25 PM": a moment as the page's language writes it. */
export function when(iso) {
  return new Intl.DateTimeFormat(language, { dateStyle: "short", timeStyle: "short" }).format(new Date(iso));
}

/** Under a history item: when, voice, speed, format, and how long (once known). */
export function historyMeta(item, at = when) {
  const duration = item.duration ? ` · ${seconds(item.duration)}` : "";
  return `${at(item.created_at)} · ${item.voice} · ${speedText(item.speed)} · ${item.format}${duration}`;
}

/**
 * Why a history item has no audio to play: stopped before its end (its duration is what was
 * spoken), not finished yet, or removed since (the oldest audio is pruned). Null if it has audio.
 */
export function missingAudio(item, S) {
  if (item.has_audio) return null;
  if (item.duration === null || item.duration === undefined) return S.audio_pending;
  if (item.characters < item.text.length) return fmt(S.audio_stopped, { seconds: seconds(item.duration) });
  return S.audio_gone;
}

/** A job's state in words: queued, running, cancelling (asked, not yet stopped), done... */
export function jobStatusText(job, S) {
  if (job.status === "running" && job.cancel_requested) return S.job_cancelling;
  return S["job_" + job.status] || job.status;
}

/** The line under a job's title: its state, when, voice, speed and format. */
export function jobLine(job, S, at = when) {
  return `${jobStatusText(job, S)} · ${at(job.created_at)} · ${job.voice} · ${speedText(job.speed)} · ${job.format}`;
}

/** "120 of 3,400 characters · chapters 1 of 4", numbers written as the page's language does. */
export function jobCounts(job, S) {
  return fmt(S.job_counts, {
    done: job.characters_done, total: job.characters,
    chapters_done: job.chapters_done, chapters: job.chapters.length,
  });
}

/** "last used 12/03/2026, 10:00" or "never used", after an API key's name. */
export function keyUsed(key, S, at = when) {
  return key.last_used_at ? fmt(S.last_used, { when: at(key.last_used_at) }) : S.never_used;
}

/** The OpenAI SDK's few lines that use a new key against this server. */
export function sdkSnippet({ origin, key, voice }) {
  return [
    "from openai import OpenAI",
    "",
    `client = OpenAI(base_url="${origin}/v1", api_key="${key}")`,
    "with client.audio.speech.with_streaming_response.create(",
    `    model="tts-1", voice="${voice}", input="Hello!", response_format="mp3"`,
    ") as response:",
    '    response.stream_to_file("hello.mp3")',
  ].join("\n");
}
