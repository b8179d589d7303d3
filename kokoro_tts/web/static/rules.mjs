// Pronunciation rules: how many the account has, a PLS lexicon imported as rules (all or none: a
// refusal names the lexemes at fault, beside the file), and the rules exported as one (a plain
// link: the session cookie authorises a GET, and the answer is an attachment).

import { api } from "./api.mjs";
import { fmt } from "./format.mjs";
import { $, S, listen, say, toggle, warn } from "./page.mjs";

/** The refusals that are about the file chosen: said beside it. */
const FILE_CODES = ["invalid_pls", "lexemes_refused", "payload_too_large", "validation_error"];

async function showCount() {
  const answer = await api("GET", "/api/tts/pronunciations");
  $("rules-count").textContent = fmt(S.rules_count, { n: answer.rules.length, limit: answer.limit });
}

async function toggleRules() {
  if (toggle("rules")) { await showCount(); $("pls-file").focus(); }
}

async function onImport(event) {
  event.preventDefault();
  const file = $("pls-file").files[0];
  if (!file) { warn(S.pls_choose); $("pls-file").focus(); return; }
  const form = new FormData();
  form.append("file", file);
  try {
    const answer = await api("POST", "/api/tts/pronunciations/import", form);
    $("pls-file").value = "";
    say(fmt(S.rules_added, { n: answer.rules.length }));
    await showCount();
  } catch (error) {
    warn(error, { form: "pls-form", codes: Object.fromEntries(FILE_CODES.map((code) => [code, "pls-file"])) });
  }
}

export function wireRules() {
  listen([
    ["rules-toggle", "click", () => toggleRules().catch(warn)],
    ["pls-form", "submit", onImport],
  ]);
}
