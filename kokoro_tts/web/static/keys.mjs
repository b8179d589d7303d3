// API keys: listed (no secrets), created (the key shown this once, with the OpenAI SDK's
// lines to use it), copied, revoked after a confirmation (a revoked new key is no longer shown).

import { api } from "./api.mjs";
import { ask } from "./confirm.mjs";
import { fmt, keyUsed, sdkSnippet } from "./format.mjs";
import { $, S, button, element, listen, say, toggle, warn } from "./page.mjs";

let shownKey = null;  // the id of the new key shown (its secret on screen), if any

async function toggleKeys() {
  if (toggle("keys")) { await loadKeys(); $("key-name").focus(); }
}

function hideNewKey() {
  shownKey = null;
  $("new-key").hidden = true;
  $("new-key-value").textContent = "";
  $("sdk-snippet").textContent = "";
}

async function onRevoke(key, li) {
  if (!(await ask(fmt(S.revoke_confirm, { name: key.name }), S.revoke))) return;
  try {
    await api("DELETE", `/api/auth/api-keys/${key.id}`);
    const next = li.nextElementSibling || li.previousElementSibling;
    li.remove();
    if (key.id === shownKey) hideNewKey();
    (next?.querySelector("button") || $("key-name")).focus();
    say(fmt(S.key_revoked, { name: key.name }), { fleeting: true });
  } catch (error) { warn(error); }
}

async function loadKeys() {
  const keys = await api("GET", "/api/auth/api-keys");
  const list = $("key-list");
  list.replaceChildren();
  for (const key of keys.items || keys) {
    const li = element("li");
    li.textContent = `${key.name} (${key.prefix}…) · ${keyUsed(key, S)} `;
    li.append(button(S.revoke, () => onRevoke(key, li)));
    list.append(li);
  }
}

async function onCreateKey(event) {
  event.preventDefault();
  try {
    const key = await api("POST", "/api/auth/api-keys", { name: $("key-name").value });
    $("key-name").value = "";
    shownKey = key.id;
    $("new-key").hidden = false;
    $("new-key-value").textContent = key.key;
    $("sdk-snippet").textContent = sdkSnippet({ origin: location.origin, key: key.key, voice: $("voice").value });
    await loadKeys();
  } catch (error) { warn(error, { form: "key-form", fields: { name: "key-name" } }); }
}

async function onCopyKey() {
  try {
    await navigator.clipboard.writeText($("new-key-value").textContent);
    say(S.copied, { fleeting: true });
  } catch { warn(S.copy_failed); }
}

export function wireKeys() {
  listen([
    ["keys-toggle", "click", () => toggleKeys().catch(warn)],
    ["key-form", "submit", onCreateKey],
    ["copy-key", "click", onCopyKey],
  ]);
}
