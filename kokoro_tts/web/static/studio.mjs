// The studio's form: text, voice or blend, speed, text language and format, read as one order;
// the count under the text (warned near the server's limit, never cut); filled again by Re-run;
// "Save as default". Other parts hear when the order changes.

import { api } from "./api.mjs";
import { SSML_GROWTH, countState, fmt, isSsml, languageName, speedText } from "./format.mjs";
import { markField } from "./fields.mjs";
import { splitVoice } from "./voice-choice.mjs";
import { $, PAGE_LANG, S, listen, say, warn } from "./page.mjs";
import { setUser } from "./session.mjs";

const listeners = [];

/** The most characters one generation may have (the server's TTS_MAX_CHARS, from the template). */
export const maxChars = () => Number($("text").dataset.maxChars) || 5000;

/** `listener()` after every change of the order (typed, picked, or filled by Re-run). */
export function onOrderChange(listener) {
  listeners.push(listener);
}

function changed() {
  for (const listener of listeners) listener();
}

/** What Generate (and a job) speaks: the blend typed, else the voice picked. */
export function order() {
  const blend = $("blend").value.trim();
  return {
    text: $("text").value, voice: blend || $("voice").value, speed: Number($("speed").value),
    lang: $("text-lang").value, format: $("format").value,
  };
}

const VOICE_CODES = ["unknown_voice", "voice_unavailable"];
const TEXT_CODES = ["empty_text", "nothing_to_say", "text_too_long", "invalid_markup", "invalid_phonemes", "invalid_characters"];

/** Where the API's refusals of an order are said: beside the field at fault (fields.mjs). */
export function orderErrors(form = "speak-form", text = "text") {
  const voice = $("blend").value.trim() ? "blend" : "voice";
  const codes = { invalid_speed: "speed", unsupported_language: "text-lang", unknown_format: "format" };
  for (const code of VOICE_CODES) codes[code] = voice;
  for (const code of TEXT_CODES) codes[code] = text;
  return { form, codes, fields: { text, voice, speed: "speed", lang: "text-lang", format: "format" } };
}

/** True if the order may go: a text within the limit and a voice; else the field is marked. */
export function orderReady() {
  const { text, voice } = order();
  const limit = isSsml(text) ? SSML_GROWTH * maxChars() : maxChars();
  if (text.length > limit) {
    const message = fmt(S.too_long, { n: text.length, max: limit });
    markField($("text"), message);
    warn(message);
    return false;
  }
  if (!voice) {
    warn(S.no_voice_installed);
    return false;
  }
  return true;
}

function showSpeed() {
  $("speed-value").textContent = speedText($("speed").value);
}

function showCount() {
  const typed = $("text").value;
  const { level, text } = countState(typed.length, maxChars(), S, isSsml(typed));
  $("count").textContent = text;
  $("count").dataset.level = level;
}

/** The speed the user saved as default (the voice is the picker's). */
export function applyDefaults(user) {
  $("speed").value = user.preferences?.default_speed ?? 1;
  showSpeed();
}

/** Re-run: the form as a history item was spoken (the voice as if picked by hand). */
export function fill(item) {
  if ($("filter-lang").value || $("filter-gender").value) {  // every voice listed, so its own is found
    $("filter-lang").value = $("filter-gender").value = "";
    $("filter-lang").dispatchEvent(new Event("change", { bubbles: true }));
  }
  $("text").value = item.text;
  if (item.lang) $("text-lang").value = item.lang;
  const enabled = [...$("voice").options].map((o) => o.value);
  const { voice, blend } = splitVoice(item.voice, enabled);
  if (voice) $("voice").value = voice;
  $("blend").value = blend;
  $("speed").value = item.speed;
  if ([...$("format").options].some((o) => o.value === item.format)) $("format").value = item.format;
  showSpeed();
  showCount();
  $("voice").dispatchEvent(new Event("change", { bubbles: true }));  // picked: the order changed
  $("text").focus();
}

async function onSaveDefault() {
  try {
    const answer = await api("PUT", "/api/auth/preferences", { default_voice: order().voice, default_speed: Number($("speed").value) });
    setUser(answer.user || answer);
    say(S.saved_default, { fleeting: true });
  } catch (error) { warn(error, orderErrors()); }
}

export function wireStudio() {
  listen([
    ["speed", "input", showSpeed],
    ["text", "input", showCount],
    ["speak-form", "input", changed],
    ["speak-form", "change", changed],
    ["save-default", "click", onSaveDefault],
  ]);
  for (const option of $("text-lang").options) option.textContent = languageName(option.value);
  $("text-lang").value = PAGE_LANG;
  showCount();
  showSpeed();
}
