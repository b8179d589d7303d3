// Following the words of what plays: the word timings of a generation ({word, start, end}, as
// written, punctuation attached) laid back onto its text, and the word being spoken at a time.
// Pure: no DOM, so Node's tests import it as it is.

/**
 * The text cut into pieces, in order: `{ text, word }` where `word` is the index of the timed
 * word that piece is, or null for what lies between words (spaces, line breaks, tags such as
 * [pause:1s]). A word the text lacks from where the last one ended is put in there, after a
 * space: every timed word has its piece, in order.
 */
export function alignWords(text, words) {
  const pieces = [];
  let at = 0;
  words.forEach((timed, index) => {
    const found = timed.word ? text.indexOf(timed.word, at) : -1;
    if (found === -1) {
      pieces.push({ text: pieces.length ? " " : "", word: null }, { text: timed.word, word: index });
      return;
    }
    if (found > at) pieces.push({ text: text.slice(at, found), word: null });
    pieces.push({ text: timed.word, word: index });
    at = found + timed.word.length;
  });
  if (at < text.length) pieces.push({ text: text.slice(at), word: null });
  return pieces.filter((piece) => piece.text !== "" || piece.word !== null);
}

/**
 * The index of the word being spoken at `time` (seconds): the last word started by then, so a
 * pause between two words keeps the one before; -1 before the first word.
 */
export function wordAt(words, time) {
  let low = 0;
  let high = words.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (words[middle].start <= time) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found;
}
