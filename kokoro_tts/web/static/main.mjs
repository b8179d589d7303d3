// The page's entry point: every part wired to its elements, what signing in and out does, and
// the start: a link from an email (reset, verify), then the session cookie's user if any.

import { wireAccount } from "./account.mjs";
import { wireAdmin } from "./admin.mjs";
import { wireAdminAccount } from "./admin-account.mjs";
import { api } from "./api.mjs";
import { wireFields } from "./fields.mjs";
import { wireFollow } from "./follow.mjs";
import { setLanguage } from "./format.mjs";
import { loadHistory, wireHistory } from "./history.mjs";
import { hideIntro, showIntro } from "./intro.mjs";
import { forgetJobs, loadJobs, showJobSettings, wireJobs } from "./jobs.mjs";
import { wireKeys } from "./keys.mjs";
import { stopLive, wireLive } from "./live-panel.mjs";
import { $, S, listen, say, warn } from "./page.mjs";
import { wirePlayer } from "./player.mjs";
import { wireRules } from "./rules.mjs";
import { onSession, showReset, signedIn, signedOut, switchLanguage, wireSession } from "./session.mjs";
import { wireSpeak } from "./speak.mjs";
import { applyDefaults, wireStudio } from "./studio.mjs";
import { wireUsage } from "./usage.mjs";
import { loadVoices, wireVoices } from "./voices.mjs";

onSession(
  async (user) => {
    hideIntro();
    applyDefaults(user);
    await loadVoices();
    $("generate").disabled = false;  // off until now: a click before the voices came would find none
    showJobSettings();
    await loadHistory(true);
    await loadJobs(true).catch(warn);  // follows the jobs still queued or running
  },
  () => {
    stopLive(true);
    forgetJobs();
    return showIntro();
  },
);

function wire() {
  setLanguage(document.documentElement.lang);
  wireFields();
  wireSession();
  wireStudio();
  wireVoices();
  wirePlayer();
  wireFollow();
  wireSpeak();
  wireLive();
  wireHistory();
  wireJobs();
  wireRules();
  wireKeys();
  wireAccount();
  wireUsage();
  wireAdmin();
  wireAdminAccount();
  $("lang-apply").hidden = true;  // the switch applies itself
  listen([["lang-switch", "change", () => switchLanguage().catch(warn)]]);
}

async function start() {
  wire();
  // Links from emails: /?reset=TOKEN opens the new-password form, /?verify=TOKEN verifies.
  const params = new URLSearchParams(location.search);
  const reset = params.get("reset");
  const verify = params.get("verify");
  if (reset || verify) history.replaceState(null, "", "/");
  let verified = null;
  if (verify) {
    try { await api("POST", "/api/auth/verify", { token: verify }); verified = S.verified; } catch (error) { verified = error; }
  }
  if (reset) return showReset(reset);
  const me = await api("GET", "/api/auth/me", undefined, { raw: true });
  if (me.ok) await signedIn(await me.json());
  else await signedOut();
  if (typeof verified === "string") say(verified);
  else if (verified) warn(verified);
}

start().catch(warn);
