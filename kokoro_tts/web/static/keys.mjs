// API keys: listed (no secrets), created (the key shown this once, with the OpenAI SDK's
// lines to use it), copied, revoked.

import { api } from "./api.mjs";
import { keyUsed, sdkSnippet } from "./format.mjs";
import { $, S, button, element, listen, say, toggle, warn } from "./page.mjs";

async function toggleKeys() {
  if (toggle("keys")) { await loadKeys(); $("key-name").focus(); }
}

async function loadKeys() {
  const keys = await api("GET", "/api/auth/api-keys");
  const list = $("key-list");
  list.replaceChildren();
  for (const key of keys.items || keys) {
    const li = element("li");
    li.textContent = `${key.name} (${key.prefix}…) · ${keyUsed(key, S)} `;
    li.append(button(S.revoke, async () => {
      try { await api("DELETE", `/api/auth/api-keys/${key.id}`); li.remove(); } catch (error) { warn(error); }
    }));
    list.append(li);
  }
}

async function onCreateKey(event) {
  event.preventDefault();
  try {
    const key = await api("POST", "/api/auth/api-keys", { name: $("key-name").value });
    $("key-name").value = "";
    $("new-key").hidden = false;
    $("new-key-value").textContent = key.key;
    $("sdk-snippet").textContent = sdkSnippet({ origin: location.origin, key: key.key, voice: $("voice").value });
    await loadKeys();
  } catch (error) { warn(error); }
}

async function onCopyKey() {
  try {
    await navigator.clipboard.writeText($("new-key-value").textContent);
    say(S.copied);
  } catch { /* no clipboard */ }
}

export function wireKeys() {
  listen([
    ["keys-toggle", "click", () => toggleKeys().catch(warn)],
    ["key-form", "submit", onCreateKey],
    ["copy-key", "click", onCopyKey],
  ]);
}
