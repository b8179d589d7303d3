"""Chunking keeps every word, never cuts one, and respects the model's 510-token limit."""

from __future__ import annotations

import random
import re

import pytest

from kokoro_tts.engine.chunking import (
    FIRST_CHUNK_TOKENS,
    MAX_TOKENS,
    SPLIT_SLACK,
    SQUEEZED_SLACK,
    chunk_text,
    sentences,
    tokenize,
)
from kokoro_tts.engine.g2p import get_g2p

pytestmark = pytest.mark.unit

WORDS = (
    "the a quick brown fox jumps over lazy dog speech engine model token voice sound hello world "
    "extraordinarily internationalisation 1984 3.14 Dr. e.g. it's well-known naïve café"
).split()
PUNCT = [",", ";", ":", " —", ".", "!", "?", "…", ""]


def fake_phonemize(text: str) -> str:
    """Deterministic stand-in G2P (letters map to phoneme symbols) for the many-texts property test."""
    return re.sub(r"[^a-z .,;:!?—…]", "", text.lower())


def random_text(rng: random.Random) -> str:
    paragraphs = []
    for _ in range(rng.randint(1, 4)):
        words = []
        for _ in range(rng.randint(1, 400)):
            words.append(rng.choice(WORDS) + (rng.choice(PUNCT) if rng.random() < 0.15 else ""))
        paragraphs.append(" ".join(words))
    sep = rng.choice(["\n\n", "\n \n", "\n\n\n"])
    return rng.choice(["", "  ", "\n"]) + sep.join(paragraphs) + rng.choice(["", " ", "\n"])


def check_chunks(text: str, chunks) -> None:
    assert "".join(c.text for c in chunks) == text  # the spans tile the text: nothing dropped
    assert sum(c.chars for c in chunks) == len(text)
    for a, b in zip(chunks, chunks[1:], strict=False):
        assert a.end == b.start
        # a boundary falls after whitespace (or CJK punctuation), so no word is cut
        assert text[a.end - 1].isspace() or text[a.end - 1] in "。！？、，；：", repr(text[a.end - 5 : a.end + 5])
    assert text.split() == " ".join(c.text for c in chunks).split()
    for c in chunks:
        assert len(c.tokens) <= MAX_TOKENS
    assert [c.index for c in chunks] == list(range(len(chunks)))


@pytest.mark.slow
def test_property_many_texts_keep_every_word():
    rng = random.Random(1234)
    for _ in range(300):
        text = random_text(rng)
        chunks = list(chunk_text(text, fake_phonemize))
        check_chunks(text, chunks)
        if len(chunks) > 1 and " " in chunks[0].text.strip():  # the first chunk is short
            assert len(chunks[0].tokens) <= SPLIT_SLACK * FIRST_CHUNK_TOKENS


@pytest.mark.slow
def test_squeezed_chunks_stay_near_the_squeezed_limit():
    """While the model is shared, a chunk is at most a little over the lowered limit."""
    rng = random.Random(99)
    for _ in range(100):
        text = random_text(rng)
        chunks = list(chunk_text(text, fake_phonemize, squeeze=lambda index: 40))
        check_chunks(text, chunks)
        assert all(len(c.tokens) <= SQUEEZED_SLACK * 40 for c in chunks[1:])  # the first: a clause


def test_a_squeezed_first_chunk_is_a_clause():
    """Under load a new stream starts with a short first call: its first clause, not cut by words."""
    text = "Hello there, this is a short sentence that goes on for a while longer. And another one."
    phonemize = get_g2p("en-us")
    first = next(chunk_text(text, phonemize, squeeze=lambda index: 8 if index == 0 else None))
    assert first.text == "Hello there, "
    no_comma = "This sentence has no comma at all and it is long enough to be squeezed. Then more."
    first = next(chunk_text(no_comma, phonemize, squeeze=lambda index: 8 if index == 0 else None))
    assert first.text == "This sentence has no comma at all and it is long enough to be squeezed. "


@pytest.mark.parametrize("lang", ["en-us", "fr"])
def test_real_g2p_long_text(lang):
    text = (
        "Dr. Smith arrived at 10.30, late as usual. Nobody minded; the meeting had not started. "
        "Then came a very long sentence, with clauses separated by commas, that keeps going on and on "
        "about nothing in particular, just to be longer than the first chunk is allowed to be, "
        "and longer still, so that it has to be split somewhere sensible.\n\n"
    ) * 6
    chunks = list(chunk_text(text, get_g2p(lang)))
    check_chunks(text, chunks)
    assert len(chunks[0].tokens) <= SPLIT_SLACK * FIRST_CHUNK_TOKENS
    assert max(len(c.tokens) for c in chunks) > FIRST_CHUNK_TOKENS  # later chunks grow
    assert chunks[-1].pause == 0.0
    assert any(c.pause >= 0.7 for c in chunks)  # paragraph pauses


def test_overlong_word_is_split_not_dropped():
    text = "short. " + "a" * 1300 + " end."
    chunks = list(chunk_text(text, fake_phonemize))
    assert "".join(c.text for c in chunks) == text
    assert all(len(c.tokens) <= MAX_TOKENS for c in chunks)
    assert sum(len(c.tokens) for c in chunks) >= 1300


def test_sentences_respect_abbreviations_and_paragraphs():
    text = "Mr. Brown met Dr. Who. They talked!\n\nThe end"
    spans = sentences(text)
    assert [text[s:e] for s, e, _ in spans] == ["Mr. Brown met Dr. Who. ", "They talked!\n\n", "The end"]
    assert [kind for _, _, kind in spans] == ["sentence", "paragraph", "end"]


def test_tokenize_uses_the_vocab():
    assert tokenize("hə") == [50, 83]
    assert tokenize("h☃") == [50]


def test_split_sentence_has_no_stub_parts():
    text = (
        "Then came a very long sentence with no commas at all that keeps going on and on about nothing "
        "in particular just to be longer than the first chunk is allowed to be and longer still so that "
        "it has to be split somewhere sensible."
    )
    chunks = list(chunk_text(text, get_g2p("en-us")))
    check_chunks(text, chunks)
    assert len(chunks) >= 2
    assert len(chunks[0].tokens) <= FIRST_CHUNK_TOKENS
    assert min(len(c.tokens) for c in chunks) >= 20


def test_short_sentence_is_one_chunk():
    text = "The quick brown fox jumps over the lazy dog by the quiet river."
    assert len(list(chunk_text(text, get_g2p("en-us")))) == 1
