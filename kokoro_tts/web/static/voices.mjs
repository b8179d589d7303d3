// The voice picker: the voices this server has installed (favourites first), the language and
// gender filters (never an empty picker), Favourite and Preview. Until a voice is picked by
// hand, the text's language chooses it (its best voice, or the saved default); when no voice of
// that language is installed, a note says which voice reads it.

import { api } from "./api.mjs";
import { fmt, languageName } from "./format.mjs";
import {
  bestFor, defaultVoice, filterVoices, groupVoices, installed, pickVoice, voiceLabel, voiceLanguages,
} from "./voice-choice.mjs";
import { $, S, element, listen, warn } from "./page.mjs";
import { play } from "./player.mjs";
import { user } from "./session.mjs";

let voices = [];  // the catalogue, as the API lists it
let byHand = false;  // a voice picked by hand (or by Re-run): the text's language no longer picks it

/** The picker's words for a voice: its name, id, language and gender in the page's language. */
export const NAMES = { language: languageName, female: S.gender_female, male: S.gender_male };

/** The catalogue as the API lists it (`anonymous`: without the session, as anybody sees it). */
export async function fetchVoices(anonymous = false) {
  return (await api("GET", "/api/tts/voices", undefined, { anonymous })).voices;
}

/** The catalogue, with the voice the text's language (or the saved default) chooses picked. */
export async function loadVoices() {
  voices = await fetchVoices();
  const filter = $("filter-lang");
  const chosen = filter.value;
  filter.replaceChildren(filter.options[0]);
  for (const code of voiceLanguages(voices)) filter.append(new Option(languageName(code), code));
  filter.value = [...filter.options].some((o) => o.value === chosen) ? chosen : "";
  const saved = user().preferences?.default_voice;
  const isVoice = voices.some((v) => v.id === saved);
  if (saved && !isVoice) $("blend").value = saved;  // a blend
  byHand = Boolean(saved && !isVoice);
  $("more-voices").hidden = installed(voices).length === voices.length;
  showVoices(defaultVoice(voices, $("text-lang").value, isVoice ? saved : undefined).id);
}

function showVoices(wanted) {
  const { voices: shown, matched } = filterVoices(voices, { language: $("filter-lang").value, gender: $("filter-gender").value });
  const select = $("voice");
  const current = wanted || select.value;
  const groups = groupVoices(shown, user()?.favorite_voices, { favourites: S.favourites, others: S.other_voices });
  select.replaceChildren();
  for (const [label, members] of groups) {
    const options = members.map((v) => new Option(voiceLabel(v, NAMES), v.id));
    if (groups.length === 1) {
      select.append(...options);
      continue;
    }
    const group = element("optgroup");
    group.label = label;
    group.append(...options);
    select.append(group);
  }
  const picked = pickVoice(shown, current);
  if (picked) select.value = picked;
  const none = installed(voices).length === 0;
  $("preview").disabled = $("favourite").disabled = none;
  $("filter-note").textContent = none ? S.no_voice_installed : matched ? "" : S.no_voice_matches;
  showFavourite();
  showLanguageNote();
}

/** Under the picker: which voice reads the text when no voice of its language is installed. */
export function showLanguageNote() {
  const lang = $("text-lang").value;
  const voice = voices.find((v) => v.id === $("voice").value);
  const missing = voice && !$("blend").value.trim() && !bestFor(voices, lang);
  $("voice-note").textContent = missing
    ? fmt(S.no_voice_for, { language: languageName(lang, false), voice: `${voice.name} (${languageName(voice.language, false)})` })
    : "";
}

function onTextLanguage() {
  // Until a voice is picked by hand, the best voice of the text's language (filters let it show).
  if (!byHand) {
    const saved = user()?.preferences?.default_voice;
    const { id } = defaultVoice(voices, $("text-lang").value, saved);
    const filters = { language: $("filter-lang").value, gender: $("filter-gender").value };
    if (id && !filterVoices(voices, filters).voices.some((v) => v.id === id)) {
      $("filter-lang").value = $("filter-gender").value = "";
    }
    showVoices(id);
  }
  showLanguageNote();
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
  const id = $("voice").value;
  if (!id) return warn(S.no_voice_installed);
  play(`/api/tts/voices/${encodeURIComponent(id)}/preview`);
}

function onFilter() {
  byHand = true;
  showVoices();
}

export function wireVoices() {
  listen([
    ["favourite", "click", onFavourite],
    ["voice", "change", () => { byHand = true; showFavourite(); showLanguageNote(); }],
    ["blend", "input", () => { byHand = byHand || Boolean($("blend").value.trim()); showLanguageNote(); }],
    ["text-lang", "change", onTextLanguage],
    ["filter-lang", "change", onFilter],
    ["filter-gender", "change", onFilter],
    ["preview", "click", onPreview],
  ]);
}
