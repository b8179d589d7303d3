// The history: the user's generations, newest first, ten a page ("More"); each can be played,
// downloaded (audio, captions), run again in the studio or deleted.

import { api } from "./api.mjs";
import { excerpt, historyMeta } from "./format.mjs";
import { $, S, button, downloadLink, element, listen, warn } from "./page.mjs";
import { play } from "./player.mjs";
import { fill } from "./studio.mjs";

let page = 1;  // the last page shown

/** The first page again (`first`), or the next one after those shown. */
export async function loadHistory(first) {
  page = first ? 1 : page + 1;
  const answer = await api("GET", `/api/tts/history?page=${page}&per_page=10`);
  const list = $("history-list");
  if (first) list.replaceChildren();
  for (const item of answer.items) list.append(historyItem(item));
  $("history-empty").hidden = answer.total > 0;
  $("history-more").hidden = page >= answer.pages;
}

function historyItem(item) {
  const li = element("li");
  const text = element("p");
  text.textContent = excerpt(item.text);
  const meta = element("p", "meta");
  meta.textContent = historyMeta(item);
  const audio = `/api/tts/history/${item.id}/audio`;
  const playIt = button(S.play, () => play(audio));
  playIt.disabled = !item.has_audio;
  const download = downloadLink(audio, `kokoro-${item.id}.${item.format}`, S.download);
  const captions = downloadLink(`/api/tts/history/${item.id}/captions?format=vtt`, `kokoro-${item.id}.vtt`, S.captions);
  const rerun = button(S.rerun, () => fill(item));
  const remove = button(S.delete, async () => {
    try { await api("DELETE", `/api/tts/history/${item.id}`); li.remove(); } catch (error) { warn(error); }
  });
  const row = element("div", "row");
  row.append(playIt, item.has_audio ? download : "", item.has_captions ? captions : "", rerun, remove);
  li.append(text, meta, row);
  return li;
}

export function wireHistory() {
  listen([["history-more", "click", () => loadHistory(false).catch(warn)]]);
}
