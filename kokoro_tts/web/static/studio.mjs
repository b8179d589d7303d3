// The studio's form: text, voice or blend, speed, text language and format, read as one order;
// filled again by Re-run; "Save as default". Other parts hear when the order changes.

import { api } from "./api.mjs";
import { countText, speedText } from "./format.mjs";
import { splitVoice } from "./voice-choice.mjs";
import { $, PAGE_LANG, S, listen, say, warn } from "./page.mjs";
import { setUser } from "./session.mjs";

const listeners = [];

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

function showSpeed() {
  $("speed-value").textContent = speedText($("speed").value);
}

function showCount() {
  $("count").textContent = countText($("text").value.length, S);
}

/** The speed the user saved as default (the voice is the picker's). */
export function applyDefaults(user) {
  $("speed").value = user.preferences?.default_speed ?? 1;
  showSpeed();
}

/** Re-run: the form as a history item was spoken. */
export function fill(item) {
  $("text").value = item.text;
  const enabled = [...$("voice").options].filter((o) => !o.disabled).map((o) => o.value);
  const { voice, blend } = splitVoice(item.voice, enabled);
  if (voice) $("voice").value = voice;
  $("blend").value = blend;
  $("speed").value = item.speed;
  if (item.lang) $("text-lang").value = item.lang;
  if ([...$("format").options].some((o) => o.value === item.format)) $("format").value = item.format;
  showSpeed();
  showCount();
  changed();
  $("text").focus();
}

async function onSaveDefault() {
  try {
    const answer = await api("PUT", "/api/auth/preferences", { default_voice: order().voice, default_speed: Number($("speed").value) });
    setUser(answer.user || answer);
    say(S.saved_default);
  } catch (error) { warn(error); }
}

export function wireStudio() {
  listen([
    ["speed", "input", showSpeed],
    ["text", "input", showCount],
    ["speak-form", "input", changed],
    ["speak-form", "change", changed],
    ["save-default", "click", onSaveDefault],
  ]);
  $("text-lang").value = PAGE_LANG;
  showCount();
}
