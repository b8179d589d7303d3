// The page's entry point: every part wired to its elements, what signing in and out does, and
// the start: a link from an email (reset, verify), then the session cookie's user if any.

import { wireAccount } from "./account.mjs";
import { api } from "./api.mjs";
import { setLanguage } from "./format.mjs";
import { loadHistory, wireHistory } from "./history.mjs";
import { forgetJobs, loadJobs, showJobSettings, wireJobs } from "./jobs.mjs";
import { wireKeys } from "./keys.mjs";
import { $, S, listen, say, warn } from "./page.mjs";
import { wirePlayer } from "./player.mjs";
import { onSession, showReset, signedIn, signedOut, wireSession } from "./session.mjs";
import { wireSpeak } from "./speak.mjs";
import { applyDefaults, wireStudio } from "./studio.mjs";
import { loadVoices, wireVoices } from "./voices.mjs";

onSession(
  async (user) => {
    applyDefaults(user);
    await loadVoices();
    showJobSettings();
    await loadHistory(true);
    await loadJobs(true).catch(warn);  // follows the jobs still queued or running
  },
  forgetJobs,
);

function wire() {
  setLanguage(document.documentElement.lang);
  wireSession();
  wireStudio();
  wireVoices();
  wirePlayer();
  wireSpeak();
  wireHistory();
  wireJobs();
  wireKeys();
  wireAccount();
  listen([["lang-switch", "change", () => $("lang-form").submit()]]);
}

async function start() {
  wire();
  // Links from emails: /?reset=TOKEN opens the new-password form, /?verify=TOKEN verifies.
  const params = new URLSearchParams(location.search);
  const reset = params.get("reset");
  const verify = params.get("verify");
  if (reset || verify) history.replaceState(null, "", "/");
  if (verify) {
    try { await api("POST", "/api/auth/verify", { token: verify }); say(S.verified); } catch (error) { warn(error); }
  }
  if (reset) return showReset(reset);
  const me = await api("GET", "/api/auth/me", undefined, { raw: true });
  if (me.ok) await signedIn(await me.json());
  else signedOut();
}

start().catch(warn);
