// Where the page's playback is: the player's position, or, while a stream plays live through Web
// Audio (live.mjs), that playback's. The words followed read this clock.

const player = () => document.getElementById("player");
let live = null;  // { heard(), playing(), seek(seconds) } while a stream plays live

/** A live playback is the clock now (null: the player again). */
export function setLive(playback) {
  live = playback;
}

/** Seconds of the thing playing heard so far. */
export const position = () => (live ? live.heard() : player().currentTime);

/** Whether the clock moves. */
export const running = () => (live ? live.playing() : !player().paused && !player().ended);

/** Play from `seconds` (a word clicked). */
export function seek(seconds) {
  if (live) return live.seek(seconds);
  player().currentTime = seconds;
  if (player().paused) player().play().catch(() => {});
}
