// The voice picker: the catalogue grouped (favourites, available here, not installed on this
// server), the language and gender filters, Favourite and Preview.

import { api } from "./api.mjs";
import { filterVoices, groupVoices, pickVoice, voiceLabel, voiceLanguages } from "./voice-choice.mjs";
import { $, S, element, listen, warn } from "./page.mjs";
import { play } from "./player.mjs";
import { user } from "./session.mjs";

let voices = [];  // the catalogue, as the API lists it

/** The catalogue, with the user's default voice picked (or typed as a blend). */
export async function loadVoices() {
  voices = (await api("GET", "/api/tts/voices")).voices;
  const filter = $("filter-lang");
  const chosen = filter.value;
  filter.replaceChildren(filter.options[0]);
  for (const code of voiceLanguages(voices)) filter.append(new Option(code, code));
  filter.value = chosen;
  const wanted = user().preferences?.default_voice;
  if (wanted && !voices.some((v) => v.id === wanted)) $("blend").value = wanted;  // a blend
  showVoices(wanted);
}

function showVoices(wanted) {
  const shown = filterVoices(voices, { language: $("filter-lang").value, gender: $("filter-gender").value });
  const select = $("voice");
  const current = wanted || select.value;
  select.replaceChildren();
  for (const [label, members] of groupVoices(shown, user().favorite_voices, S)) {
    const group = element("optgroup");
    group.label = label;
    for (const v of members) {
      const option = new Option(voiceLabel(v), v.id);
      option.disabled = !v.available;
      group.append(option);
    }
    select.append(group);
  }
  const picked = pickVoice(shown, current);
  if (picked) select.value = picked;
  showFavourite();
}

function showFavourite() {
  const on = (user()?.favorite_voices || []).includes($("voice").value);
  $("favourite").setAttribute("aria-pressed", String(on));
}

async function onFavourite() {
  const id = $("voice").value;
  const on = $("favourite").getAttribute("aria-pressed") === "true";
  try {
    const answer = await api(on ? "DELETE" : "PUT", `/api/tts/voices/${encodeURIComponent(id)}/favorite`);
    user().favorite_voices = answer.favorite_voices;
    showVoices(id);
  } catch (error) { warn(error); }
}

function onPreview() {
  play(`/api/tts/voices/${encodeURIComponent($("voice").value)}/preview`);
}

export function wireVoices() {
  listen([
    ["favourite", "click", onFavourite],
    ["voice", "change", showFavourite],
    ["filter-lang", "change", () => showVoices()],
    ["filter-gender", "change", () => showVoices()],
    ["preview", "click", onPreview],
  ]);
}
