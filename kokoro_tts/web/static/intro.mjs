// The welcome before signing in: what the service does, the voices this server speaks, each
// with a preview to hear (no account needed), then the log-in and create-account form.

import { fmt } from "./format.mjs";
import { installed, voiceLabel } from "./voice-choice.mjs";
import { $, S, button, element, warn } from "./page.mjs";
import { play } from "./player.mjs";
import { NAMES, fetchVoices } from "./voices.mjs";

let listed = false;

function voiceItem(voice) {
  const li = element("li", "row");
  const label = element("span");
  label.textContent = voiceLabel(voice, NAMES);
  const hear = button(S.preview, () => play(`/api/tts/voices/${encodeURIComponent(voice.id)}/preview`, $("intro-player")));
  hear.setAttribute("aria-label", fmt(S.preview_voice, { name: voice.name }));
  li.append(label, hear);
  return li;
}

/** The welcome shown (the voices listed once, read without the session: anybody may). */
export async function showIntro() {
  $("intro").hidden = false;
  if (listed) return;
  listed = true;
  try {
    const voices = await fetchVoices(true);
    const usable = installed(voices);
    $("intro-voices").replaceChildren(...usable.map(voiceItem));
    $("intro-none").hidden = usable.length > 0;
    $("intro-more").hidden = usable.length === voices.length;
  } catch (error) {
    listed = false;
    warn(error);
  }
}

export function hideIntro() {
  $("intro").hidden = true;
  $("intro-player").pause();
}
