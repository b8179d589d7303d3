// Following the words: while something plays (the player, or a stream live: clock.mjs), its
// text shows word by word, the word being spoken highlighted and marked (aria-current), each word
// a button that plays from there. One text is followed at a time; Left and Right move between its
// words (one tab stop for all). A checkbox turns it off, remembered in this browser.

import { position, running, seek } from "./clock.mjs";
import { alignWords, wordAt } from "./words.mjs";

const $ = (id) => document.getElementById(id);
const REMEMBERED = "kokoro.followWords";

let ticket = 0;  // the follower that may attach: a newer claim makes older ones stale
let shown = null;  // { container, words, buttons, at, restore }
let frame = 0;

/** Whether the words are followed (the checkbox). */
export const followOn = () => $("follow-words").checked;

/** Whatever was followed is no more (its text as it was); later words of it are not shown. */
export function release() {
  ticket++;
  cancelAnimationFrame(frame);
  const was = shown;
  shown = null;
  was?.restore();
}

/** A new thing to follow: what was followed is released; the ticket `attach` needs. */
export function claim() {
  release();
  return ticket;
}

function wordButton(text, index, start) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "word";
  b.textContent = text;
  b.dataset.index = String(index);
  b.dataset.start = String(start);
  b.tabIndex = index === 0 ? 0 : -1;
  return b;
}

/**
 * Show `text` in `container` word by word and follow the player through `words` ({word, start,
 * end}); `restore()` puts the container back as it was when this is released. Nothing if the
 * ticket is stale (something else plays now) or the words are off.
 */
export function attach(claimed, container, text, words, restore, label) {
  if (claimed !== ticket || !followOn() || !words?.length) return;
  const buttons = [];
  const nodes = alignWords(text, words).map((piece) => {
    if (piece.word === null) return document.createTextNode(piece.text);
    const b = wordButton(piece.text, piece.word, words[piece.word].start);
    buttons[piece.word] = b;
    return b;
  });
  container.replaceChildren(...nodes);
  container.setAttribute("role", "group");
  container.setAttribute("aria-label", label);
  container.classList.add("following");
  shown = { container, words, buttons, at: -1, restore };
  tick();
}

function mark(at) {
  const { buttons, container } = shown;
  const before = buttons[shown.at];
  if (before) {
    before.classList.remove("current");
    before.removeAttribute("aria-current");
  }
  shown.at = at;
  const now = buttons[at];
  if (!now) return;
  now.classList.add("current");
  now.setAttribute("aria-current", "true");
  if (!container.contains(document.activeElement)) {
    for (const b of buttons) if (b) b.tabIndex = -1;
    now.tabIndex = 0;
  }
  if (container.scrollHeight > container.clientHeight) {  // a box of its own: keep the word in it
    const top = now.offsetTop - container.offsetTop;
    if (top < container.scrollTop || top > container.scrollTop + container.clientHeight - now.offsetHeight) {
      container.scrollTop = Math.max(0, top - container.clientHeight / 3);
    }
  }
}

function tick() {
  cancelAnimationFrame(frame);
  if (!shown) return;
  const at = wordAt(shown.words, position());
  if (at !== shown.at) mark(at);
  if (running()) frame = requestAnimationFrame(tick);
}

function onWord(event) {
  const b = event.target.closest?.("button.word");
  if (!b || !shown || !shown.container.contains(b)) return;
  seek(Number(b.dataset.start));
  tick();
}

const MOVES = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };

function onKey(event) {
  const b = event.target.closest?.("button.word");
  if (!b || !shown) return;
  const { buttons } = shown;
  const index = Number(b.dataset.index);
  let next = index + (MOVES[event.key] ?? 0);
  if (event.key === "Home") next = 0;
  if (event.key === "End") next = buttons.length - 1;
  if (next === index || !buttons[next]) return;
  event.preventDefault();
  buttons[next].focus();
}

function onFocus(event) {
  // The word with focus is the text's one tab stop (roving tabindex).
  const b = event.target.closest?.("button.word");
  if (!b || !shown || !shown.container.contains(b)) return;
  for (const other of shown.buttons) if (other) other.tabIndex = -1;
  b.tabIndex = 0;
}

export function wireFollow() {
  const box = $("follow-words");
  box.checked = localStorage.getItem(REMEMBERED) !== "off";
  box.addEventListener("change", () => {
    localStorage.setItem(REMEMBERED, box.checked ? "on" : "off");
    if (!box.checked) release();
  });
  const player = $("player");
  for (const name of ["playing", "seeked", "timeupdate"]) player.addEventListener(name, tick);
  document.addEventListener("click", onWord);
  document.addEventListener("keydown", onKey);
  document.addEventListener("focusin", onFocus);
}
