// Choosing among the catalogue's voices: only those this server has installed are offered; the
// one a text opens with follows its language (the best-graded voice of it), unless a default was
// saved; filters never leave the picker empty. Pure: no DOM, so Node's tests import it as it is.

/** The catalogue's grades, best first (hexgrad's VOICES.md); an ungraded voice comes after them. */
export const GRADES = ["A+", "A", "A-", "B+", "B", "B-", "C+", "C", "C-", "D+", "D", "D-", "F+", "F", "F-"];

const rank = (voice) => {
  const at = GRADES.indexOf(voice.grade);
  return at === -1 ? GRADES.length : at;
};

/** The voices this server can speak, in catalogue order. */
export function installed(voices) {
  return voices.filter((v) => v.available);
}

/** The best-graded of `voices` (the first in catalogue order among equals); undefined if none. */
export function best(voices) {
  return voices.reduce((found, v) => (found === undefined || rank(v) < rank(found) ? v : found), undefined);
}

/** The best installed voice of `lang` ("fr", "en-us"...); undefined if none is installed. */
export function bestFor(voices, lang) {
  return best(installed(voices).filter((v) => v.language === lang));
}

/**
 * The voice a text in `lang` is read with when nobody picked one: the saved default if it is
 * installed, else the best installed voice of `lang`, else the best installed voice of all (it
 * then reads `lang` with its own accent). `id`: undefined only when no voice is installed.
 * `speaksLang`: whether an installed voice is of `lang`.
 */
export function defaultVoice(voices, lang, saved) {
  const usable = installed(voices);
  const ofLang = bestFor(usable, lang);
  const kept = usable.find((v) => v.id === saved);
  return { id: (kept || ofLang || best(usable))?.id, speaksLang: ofLang !== undefined };
}

/** The languages of the installed voices, sorted, each once (the language filter's options). */
export function voiceLanguages(voices) {
  return [...new Set(installed(voices).map((v) => v.language).filter(Boolean))].sort();
}

/**
 * The installed voices the filters let through ("" lets every language or gender through). If
 * none does, every installed voice, with `matched` false: the picker is never empty.
 */
export function filterVoices(voices, { language = "", gender = "" } = {}) {
  const usable = installed(voices);
  const shown = usable.filter((v) => (!language || v.language === language) && (!gender || v.gender === gender));
  return shown.length > 0 || usable.length === 0 ? { voices: shown, matched: true } : { voices: usable, matched: false };
}

/**
 * The picker's groups, empty ones left out: favourites, then the other voices. Voices that are
 * not installed are never offered. `labels`: the two group names.
 */
export function groupVoices(voices, favourites, labels) {
  const favourite = new Set(favourites || []);
  const usable = installed(voices);
  const groups = [
    [labels.favourites, usable.filter((v) => favourite.has(v.id))],
    [labels.others, usable.filter((v) => !favourite.has(v.id))],
  ];
  return groups.filter(([, members]) => members.length > 0);
}

/**
 * The id to select among the voices shown: `wanted` if it is one of them, else the best-graded
 * one; undefined if none is shown.
 */
export function pickVoice(voices, wanted) {
  const usable = installed(voices);
  return (usable.find((v) => v.id === wanted) || best(usable))?.id;
}

/**
 * "Alpha (jf_alpha) · Japanese, female voice" in the picker, in the page's words:
 * `names.language(code)` a language's name, `names.female` and `names.male` the genders.
 */
export function voiceLabel(voice, names) {
  const about = [names.language(voice.language), names[voice.gender] || ""].filter(Boolean).join(", ");
  return about ? `${voice.name} (${voice.id}) · ${about}` : `${voice.name} (${voice.id})`;
}

/**
 * A voice spec as the studio shows it: one of `ids` is picked in the list (blend ""), anything
 * else (a blend such as "jf_alpha(2)+jm_kumo(1)", a voice the list lacks) is typed as a blend.
 */
export function splitVoice(spec, ids) {
  return [...ids].includes(spec) ? { voice: spec, blend: "" } : { voice: null, blend: spec };
}
