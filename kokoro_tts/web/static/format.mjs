// The page's words filled in: its strings with their {placeholders}, and the labels it builds
// from the API's answers. Pure: no DOM, so Node's tests import it as it is.

let plurals = new Intl.PluralRules("en");

/** The page's language, for the strings that have a plural: {one, other} chosen by `n`. */
export function setLanguage(lang) {
  plurals = new Intl.PluralRules(lang);
}

/** fmt("{n} characters", { n: 3 }) is "3 characters"; a value not given is left empty. A plural
 *  string ({one, other}) is the form the page's language uses for `values.n`. */
export function fmt(text, values = {}) {
  if (text && typeof text === "object") text = text[plurals.select(Number(values.n))] ?? text.other;
  return text.replace(/\{(\w+)\}/g, (_, key) => String(values[key] ?? ""));
}

/** The credits in the header: a number, or the word for none counted (null or "unlimited"). */
export function creditsText(credits, unlimited) {
  return credits === null || credits === undefined || credits === "unlimited" ? unlimited : String(credits);
}

/** 1.5 -> "1.50×" (the speed slider's value). */
export function speedText(speed) {
  return Number(speed).toFixed(2) + "×";
}

/** "12 characters, costs 12 credits" under the text. */
export function countText(n, S) {
  return `${fmt(S.characters, { n })}, ${fmt(S.cost, { n })}`;
}

/** The text of a history item, cut after `max` characters. */
export function excerpt(text, max = 160) {
  return text.length > max ? text.slice(0, max) + "…" : text;
}

const localTime = (iso) => new Date(iso).toLocaleString();

/** Under a history item: when, voice, speed, format, and how long (once known). */
export function historyMeta(item, when = localTime) {
  const duration = item.duration ? ` · ${item.duration.toFixed(1)} s` : "";
  return `${when(item.created_at)} · ${item.voice} · ${item.speed}× · ${item.format}${duration}`;
}

/** A job's state in words: queued, running, cancelling (asked, not yet stopped), done... */
export function jobStatusText(job, S) {
  if (job.status === "running" && job.cancel_requested) return S.job_cancelling;
  return S["job_" + job.status] || job.status;
}

/** The line under a job's title: its state, when, voice, speed and format. */
export function jobLine(job, S, when = localTime) {
  return `${jobStatusText(job, S)} · ${when(job.created_at)} · ${job.voice} · ${job.speed}× · ${job.format}`;
}

/** "120 of 3,400 characters · chapters 1 of 4", numbers written as `number` writes them. */
export function jobCounts(job, S, number = (n) => String(n)) {
  return fmt(S.job_counts, {
    done: number(job.characters_done), total: number(job.characters),
    chapters_done: job.chapters_done, chapters: job.chapters.length,
  });
}

/** "last used 12/03/2026, 10:00" or "never used", after an API key's name. */
export function keyUsed(key, S, when = localTime) {
  return key.last_used_at ? fmt(S.last_used, { when: when(key.last_used_at) }) : S.never_used;
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
