// Generate and Stop: the studio's order spoken into the player, the credits it left shown, and
// the new item found in the history.

import { api, apiError } from "./api.mjs";
import { loadHistory } from "./history.mjs";
import { $, S, listen, say, warn } from "./page.mjs";
import { markClicked, markDone, pause, playResponse } from "./player.mjs";
import { showCredits } from "./session.mjs";
import { order } from "./studio.mjs";

let abort = null;  // the generation in progress, if any

async function onGenerate(event) {
  event.preventDefault();
  const body = { ...order(), stream: true };
  abort = new AbortController();
  $("generate").disabled = true;
  $("stop").disabled = false;
  say(S.generating);
  markClicked();
  try {
    const response = await api("POST", "/api/tts/generate", body, { raw: true, signal: abort.signal });
    if (!response.ok) throw await apiError(response);
    showCredits(response.headers.get("X-Credits-Remaining"));
    await playResponse(response);
    markDone();
    say("");
    await loadHistory(true);
  } catch (error) {
    if (error.name !== "AbortError") warn(error);
  } finally {
    $("generate").disabled = false;
    $("stop").disabled = true;
    abort = null;
  }
}

function onStop() {
  abort?.abort();
  pause();
}

export function wireSpeak() {
  listen([
    ["speak-form", "submit", onGenerate],
    ["stop", "click", onStop],
  ]);
}
