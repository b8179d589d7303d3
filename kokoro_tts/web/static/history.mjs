// The history: the user's generations, newest first, ten a page ("More"); each can be played
// (its words followed in its text), downloaded (audio, captions), run again in the studio or
// deleted, after a confirmation; "Delete all" empties it. An item without audio says why.

import { api, pages } from "./api.mjs";
import { ask } from "./confirm.mjs";
import { attach, claim } from "./follow.mjs";
import { excerpt, historyMeta, missingAudio } from "./format.mjs";
import { $, S, button, downloadLink, element, listen, say, warn } from "./page.mjs";
import { play } from "./player.mjs";
import { fill } from "./studio.mjs";

const readPage = pages("/api/tts/history");  // refreshed from several places at once (a stream, a job, a delete)

/** The first page again (`first`), or the next one after those shown. */
export async function loadHistory(first) {
  const answer = await readPage(first);
  if (!answer) return;  // a later refresh was asked meanwhile: its answer shows
  const list = $("history-list");
  if (first) list.replaceChildren();
  for (const item of answer.items) list.append(historyItem(item));
  $("history-empty").hidden = answer.total > 0;
  $("history-clear").hidden = answer.total === 0;
  $("history-more").hidden = answer.page >= answer.pages;
}

async function playItem(item, text) {
  // The audio, then its words in its text while it plays (the excerpt back when something else plays).
  play(`/api/tts/history/${item.id}/audio`);
  if (!item.has_captions) return;
  const ticket = claim();
  try {
    const { words } = await api("GET", `/api/tts/history/${item.id}/captions`);
    attach(ticket, text, item.text, words, () => showExcerpt(text, item), S.reading_label);
  } catch (error) { warn(error); }
}

function showExcerpt(text, item) {
  text.textContent = excerpt(item.text);
  text.removeAttribute("role");
  text.removeAttribute("aria-label");
  text.classList.remove("following");
}

async function onDelete(item, li) {
  if (!(await ask(S.delete_item_confirm, S.delete))) return;
  try {
    await api("DELETE", `/api/tts/history/${item.id}`);
    const next = li.nextElementSibling || li.previousElementSibling;
    li.remove();
    (next?.querySelector("button") || $("history-title")).focus();  // not lost with the button
    say(S.item_deleted, { fleeting: true });
    if (!next) await loadHistory(true);
  } catch (error) { warn(error); }
}

async function onDeleteAll() {
  if (!(await ask(S.delete_all_confirm, S.delete_all))) return;
  try {
    await api("DELETE", "/api/tts/history");
    await loadHistory(true);
    say(S.history_deleted, { fleeting: true });
  } catch (error) { warn(error); }
}

function historyItem(item) {
  const li = element("li");
  const text = element("p", "item-text");
  showExcerpt(text, item);
  const meta = element("p", "meta");
  meta.textContent = historyMeta(item);
  const audio = `/api/tts/history/${item.id}/audio`;
  const row = element("div", "row");
  const why = missingAudio(item, S);
  if (why) {
    const note = element("p", "meta no-audio");
    note.textContent = why;
    row.append(note);
  } else {
    row.append(button(S.play, () => playItem(item, text)), downloadLink(audio, `kokoro-${item.id}.${item.format}`, S.download));
  }
  if (item.has_captions) {
    row.append(downloadLink(`/api/tts/history/${item.id}/captions?format=vtt`, `kokoro-${item.id}.vtt`, S.captions));
  }
  row.append(button(S.rerun, () => fill(item)), button(S.delete, () => onDelete(item, li)));
  li.append(text, meta, row);
  return li;
}

export function wireHistory() {
  listen([
    ["history-more", "click", () => loadHistory(false).catch(warn)],
    ["history-clear", "click", onDeleteAll],
  ]);
}
