"""Standard IPA (PLS lexicons, SSML ``<phoneme alphabet="ipa">``) in Kokoro's phoneme set.

Kokoro was trained on misaki's phonemes, which differ from IPA as written in dictionaries:
English diphthongs and affricates are one letter each (eɪ A, aɪ I, aʊ W, ɔɪ Y, oʊ O, əʊ Q, dʒ ʤ,
tʃ ʧ), r-coloured vowels are a vowel and ɹ (ɝ ɜɹ, ɚ əɹ), ɡ is U+0261, English r is ɹ, a syllabic
consonant is ᵊ before it, and a stress mark stands just before its vowel (espeak's place; IPA puts
it at the syllable's start). A sound with no counterpart is refused by name, never dropped: a
pronunciation that silently loses a sound is worse than one refused (only marks that refine a sound
the model has, a dental t say, are dropped).
"""

from __future__ import annotations

import re
import unicodedata

from .pronounce import check_phonemes

TIES = "\u0361\u035c"
#: Tied pairs that are one sound only when tied ("ts" in "cats" is two).
_TIED = {"ts": "ʦ", "dz": "ʣ", "tɕ": "ʨ", "dʑ": "ʥ", "dʒ": "ʤ", "tʃ": "ʧ"}
#: Sequences (and single symbols) with a counterpart; longest first when replaced.
_SEQUENCES = {
    "eɪ": "A", "aɪ": "I", "aʊ": "W", "ɔɪ": "Y", "oʊ": "O", "əʊ": "Q", "dʒ": "ʤ", "tʃ": "ʧ",
    "ɝ": "ɜɹ", "ɚ": "əɹ", "ɜ˞": "ɜɹ", "ə˞": "əɹ", "ɫ": "l", "g": "ɡ", ":": "ː",
}
#: Marks with no sound of their own: syllable breaks, links, non-syllabic marks (once diphthongs are
#: one letter); and refinements of a sound the model has no finer form of: dental, apical, laminal,
#: advanced, retracted, raised, lowered, more or less rounded, no audible release.
_DROPPED = re.compile("[.‿\u032f\u032a\u033a\u033b\u031f\u0320\u031d\u031e\u0339\u031c\u031a]")
_SYLLABIC = re.compile(r"(\S)[\u0329\u030d]")
VOWELS = "AIOQWYaeiouyæɑɒɔəɛɜɪʊʌᵻᵊɐɨøœɤɯɵɘʉɞɶʏ"
#: A stress mark, the consonants after it, then its vowel.
_STRESS = re.compile(rf"([ˈˌ])([^\sˈˌ{VOWELS}]+)(?=[{VOWELS}])")


def _pattern(table: dict[str, str]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(k) for k in sorted(table, key=len, reverse=True)))


_TIED_PATTERN = re.compile("|".join(f"{re.escape(k[0])}[{TIES}]{re.escape(k[1])}" for k in _TIED))
_SEQUENCE_PATTERN = _pattern(_SEQUENCES)


def _split_nasal(char: str) -> str:
    """õ as o and a combining tilde: the model knows the tilde, not the precomposed letters."""
    parts = unicodedata.decomposition(char).split()
    if len(parts) == 2 and parts[1] == "0303":
        return chr(int(parts[0], 16)) + "\u0303"
    return char


def is_english(lang: str | None) -> bool:
    return lang is None or lang.lower().replace("_", "-").split("-")[0] == "en"


def to_kokoro(ipa: str, where: str, *, lang: str | None = None) -> str:
    """``ipa`` in Kokoro's phoneme set, checked against the model's vocabulary (InvalidPhonemes
    names the symbols left over). `where` names the source in that message. `lang` (a BCP 47 tag:
    "en-US", "fr", "es") matters for r only: English's r is ɹ, other languages' r is a trill the
    model knows as r; no language means English."""
    text = "".join(_split_nasal(c) for c in ipa)
    text = _SYLLABIC.sub(r"ᵊ\1", text)
    text = _TIED_PATTERN.sub(lambda m: _TIED[m.group(0)[0] + m.group(0)[2]], text)
    text = re.sub(f"[{TIES}]", "", text)
    text = _SEQUENCE_PATTERN.sub(lambda m: _SEQUENCES[m.group(0)], text)
    text = _DROPPED.sub("", text)
    if is_english(lang):
        text = text.replace("r", "ɹ")
    text = _STRESS.sub(r"\2\1", text)
    return check_phonemes(text, where)
