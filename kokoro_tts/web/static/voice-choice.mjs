// Choosing among the catalogue's voices: filtered, grouped, labelled, the one to select, and
// whether a voice spec is a blend to type. Pure: no DOM, so Node's tests import it as it is.

/** "Kumo (jm_kumo, ja, male)" in the picker. */
export function voiceLabel(voice) {
  return `${voice.name} (${voice.id}, ${voice.language || "?"}${voice.gender ? ", " + voice.gender : ""})`;
}

/** The languages of the catalogue, sorted, each once (the language filter's options). */
export function voiceLanguages(voices) {
  return [...new Set(voices.map((v) => v.language).filter(Boolean))].sort();
}

/** The voices the filters let through ("" lets every language or gender through). */
export function filterVoices(voices, { language = "", gender = "" } = {}) {
  return voices.filter((v) => (!language || v.language === language) && (!gender || v.gender === gender));
}

/**
 * The picker's groups, empty ones left out: favourites, then what this server can speak, then
 * the rest (shown disabled, with why). `labels`: the three group names.
 */
export function groupVoices(voices, favourites, labels) {
  const favourite = new Set(favourites || []);
  const groups = [
    [labels.favourites, voices.filter((v) => favourite.has(v.id) && v.available)],
    [labels.available, voices.filter((v) => !favourite.has(v.id) && v.available)],
    [labels.unavailable, voices.filter((v) => !v.available)],
  ];
  return groups.filter(([, members]) => members.length > 0);
}

/** The id to select: `wanted` if it is shown and available, else the first available one. */
export function pickVoice(voices, wanted) {
  const usable = voices.find((v) => v.id === wanted && v.available) || voices.find((v) => v.available);
  return usable?.id;
}

/**
 * A voice spec as the studio shows it: one of `ids` is picked in the list (blend ""), anything
 * else (a blend such as "jf_alpha(2)+jm_kumo(1)", a voice the list lacks) is typed as a blend.
 */
export function splitVoice(spec, ids) {
  return [...ids].includes(spec) ? { voice: spec, blend: "" } : { voice: null, blend: spec };
}
