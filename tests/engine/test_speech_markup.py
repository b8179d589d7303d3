"""Pauses, voice tags, inline phonemes, pronunciation rules and word timings, with the real model."""

from __future__ import annotations

import numpy as np
import pytest
import srt
import webvtt

from kokoro_tts.engine import Engine, EngineError
from kokoro_tts.engine.audio import SAMPLE_RATE
from kokoro_tts.engine.normalize import Options
from kokoro_tts.engine.pronounce import PronunciationRule
from kokoro_tts.engine.tags import parse
from kokoro_tts.engine.timing import Word
from kokoro_tts.engine.timing import srt as to_srt
from kokoro_tts.engine.timing import webvtt as to_vtt
from kokoro_tts.engine.wordalign import align
from tests.support.audio import longest_silence

pytestmark = pytest.mark.unit

EN = "en-us"


def pitch(audio: np.ndarray) -> float:
    """Median F0 (Hz) of the voiced 40 ms frames, by autocorrelation."""
    frame, out = int(0.04 * SAMPLE_RATE), []
    lo, hi = SAMPLE_RATE // 400, SAMPLE_RATE // 70
    for i in range(0, len(audio) - frame, frame):
        x = audio[i : i + frame] - audio[i : i + frame].mean()
        if np.sqrt(np.mean(x**2)) < 0.03:
            continue
        ac = np.correlate(x, x, "full")[frame - 1 :]
        lag = lo + int(np.argmax(ac[lo:hi]))
        if ac[lag] > 0.3 * ac[0]:
            out.append(SAMPLE_RATE / lag)
    return float(np.median(out))


# -- parsing, without the model ------------------------------------------------------------------


@pytest.mark.parametrize("tag", ["[pause:0.05s]", "[pause:11s]", "[pause:abc]", "[pause:]", "[voice: ]"])
def test_bad_tags_name_themselves(tag):
    with pytest.raises(EngineError) as info:
        parse(f"Hello {tag} world")
    assert info.value.code == "invalid_markup" and tag.split(":")[0] in info.value.message


def test_tags_tile_the_text():
    text = "Hi [pause:500ms] there [voice:jm_kumo] you [note: not a tag]."
    parts = parse(text)
    assert [p.kind for p in parts] == ["text", "pause", "text", "voice", "text"]
    assert parts[1].seconds == 0.5 and parts[3].voice == "jm_kumo"
    assert "".join(text[p.start : p.end] for p in parts) == text


def test_joined_phoneme_words_are_shared_out():
    text = "sat in the sun"
    phonemes = "sˈæt ɪnðə sˈʌn"  # espeak-ng joins "in the"
    alone = {"sat": "sˈæt", "in": "ˈɪn", "the": "ðˈiː", "sun": "sˈʌn"}.__getitem__  # each word said alone
    words = align(text, phonemes, alone)
    assert [text[w.start : w.end] for w in words] == ["sat", "in", "the", "sun"]
    assert words[1].ph_start == phonemes.index("ɪ") and words[2].ph_end == phonemes.index(" sˈʌn")
    assert all(a.ph_end <= b.ph_start for a, b in zip(words, words[1:], strict=False))


def test_captions_formats_parse():
    words = [Word("Hello,", 0.0, 0.4), Word("world.", 0.45, 0.9), Word("<b>Again</b>", 1.2, 1.5),
             Word("-->", 1.5, 1.6)]
    text = to_vtt(words)
    assert "<b>" not in text and "&lt;b&gt;Again&lt;/b&gt; --&gt;" in text  # cue text is markup: escaped
    vtt = webvtt.from_string(text)
    assert [c.text for c in vtt] == ["Hello, world.", "&lt;b&gt;Again&lt;/b&gt; --&gt;"]
    assert vtt[0].start == "00:00:00.000"
    subs = list(srt.parse(to_srt(words)))
    assert [s.content for s in subs] == ["Hello, world.", "<b>Again</b> -->"]
    assert subs[1].start.total_seconds() == 1.2 and subs[1].end.total_seconds() == 1.6


# -- with the model --------------------------------------------------------------------------------


@pytest.mark.slow
def test_pause_tag_is_that_much_silence(engine: Engine):
    for seconds in (1.5, 3.0):
        result = engine.synthesize(engine.validate(f"Hello there. [pause:{seconds}s] Good bye.", "jf_alpha", lang=EN))
        # the silence, plus the 20 ms of quiet kept on each side of speech
        assert seconds <= longest_silence(result.audio) <= seconds + 0.12


@pytest.mark.slow
def test_pause_tags_stream_and_are_never_spoken(engine: Engine):
    req = engine.validate("One. [pause:1s] Two.", "jf_alpha", lang=EN)
    pieces = list(engine.stream(req))
    assert [len(p.audio) for p in pieces if not p.words] == [SAMPLE_RATE]  # the tag: 1 s of zeros
    assert sum(p.chars for p in pieces) == len(req.text)
    assert [w.word for w in engine.synthesize(req).words] == ["One.", "Two."]


@pytest.mark.slow
def test_voice_tag_switches_the_speaker(engine: Engine):
    req = engine.validate("Hello there, my friend. [voice:jm_kumo] Hello there, my friend.", "jf_alpha", lang=EN)
    pieces = list(engine.stream(req))
    tag = next(i for i, p in enumerate(pieces) if p.text.startswith("[voice"))
    before = np.concatenate([p.audio for p in pieces[:tag]])
    after = np.concatenate([p.audio for p in pieces[tag + 1 :]])
    assert pitch(before) > 1.4 * pitch(after)  # a female voice, then a male one
    alone = engine.synthesize(engine.validate("Hello there, my friend.", "jm_kumo", lang=EN)).audio
    assert abs(pitch(after) - pitch(alone)) < 0.1 * pitch(alone)


def test_voice_tag_language_follows_the_voice_unless_given(engine: Engine):
    req = engine.validate("Hello. [voice:jm_kumo] こんにちは。", "jf_alpha", lang=EN)
    assert [s.lang for s in req.segments] == [EN, EN, EN]
    req = engine.validate("こんにちは。 [voice:jm_kumo] こんにちは。", "jf_alpha")
    assert [s.lang for s in req.segments] == ["ja", "ja", "ja"]
    with pytest.raises(EngineError) as info:
        engine.validate("Hello. [voice:af_heart] Hi.", "jf_alpha", lang=EN)
    assert info.value.code == "voice_unavailable"


@pytest.mark.slow
def test_inline_phonemes_are_spoken(engine: Engine):
    req = engine.validate("I like [Kokoro](/kˈOkəɹO/) a lot.", "jf_alpha", lang=EN)
    chunk = next(iter(engine._segment_chunks(req.segments[0], 1.0)))
    assert "kˈOkəɹO" in chunk.phonemes and "[" not in chunk.phonemes
    words = engine.synthesize(req).words
    assert [w.word for w in words] == ["I", "like", "Kokoro", "a", "lot."]
    with pytest.raises(EngineError) as info:
        engine.validate("I like [Kokoro](/kˈO☃Ω/).", "jf_alpha", lang=EN)
    assert info.value.code == "invalid_phonemes" and "☃" in info.value.message and "Ω" in info.value.message


def test_rules_apply_whole_words_and_case_as_chosen(engine: Engine):
    rules = [
        PronunciationRule("SQL", alias="sequel"),
        PronunciationRule("kokoro", phonemes="kˈOkəɹO", case_sensitive=False),
    ]
    req = engine.validate("SQL and SQLite by Kokoro.", "jf_alpha", lang=EN, rules=rules)
    assert req.segments[0].spoken is not None
    text = req.segments[0].spoken.text
    assert text.startswith("sequel and SQLite by ") and "Kokoro" not in text
    plain = engine.validate("SQL and SQLite by Kokoro.", "jf_alpha", lang=EN)
    assert plain.segments[0].spoken is not None and plain.segments[0].spoken.text.startswith("SQL and SQLite")


@pytest.mark.slow
def test_word_timings_follow_the_original_text(engine: Engine):
    text = "Dr. Smith paid $5.50 at 10:30 am. Then he left."
    result = engine.synthesize(engine.validate(text, "jf_alpha", lang=EN))
    words = result.words
    assert [w.word for w in words] == text.split()
    assert all(0 <= w.start < w.end <= result.duration + 1e-6 for w in words)
    assert all(a.end <= b.start + 1e-6 for a, b in zip(words, words[1:], strict=False))
    money = words[3]  # "five dollars and fifty cents" is long: much longer than "at"
    assert money.end - money.start > 2 * (words[4].end - words[4].start)


@pytest.mark.slow
def test_word_timings_come_from_the_model_durations(engine: Engine):
    req = engine.validate("Hello there, world.", "jf_alpha", lang=EN)
    chunk = next(iter(engine._segment_chunks(req.segments[0], 1.0)))
    out = engine.backend.infer(chunk.tokens, req.voice.style_for(len(chunk.tokens)), 1.0)
    assert out.durations is not None and len(out.durations) == len(chunk.tokens) + 2
    assert int(out.durations.sum()) * 600 == len(out.audio)  # 25 ms per frame, exactly


def test_normalisation_off_reads_the_symbols(engine: Engine):
    on = engine.validate("It costs $5.", "jf_alpha", lang=EN)
    off = engine.validate("It costs $5.", "jf_alpha", lang=EN, normalize=Options(enabled=False))
    assert on.segments[0].spoken is not None and off.segments[0].spoken is not None
    assert on.segments[0].spoken.text == "It costs five dollars." and off.segments[0].spoken.text == "It costs $5."


def test_text_beside_a_marked_word_is_still_spoken(engine: Engine):
    rules = [PronunciationRule("Kokoro", phonemes="kˈOkəɹO")]
    req = engine.validate("Kokoro-based models, [Kokoro](/kˈOkəɹO/)'s voice.", "jf_alpha", lang=EN, rules=rules)
    phonemes = " ".join(c.phonemes for c in engine._segment_chunks(req.segments[0], 1.0))
    assert phonemes.count("kˈOkəɹO") == 2 and "bˈAst" in phonemes and "mˈɑːdəlz" in phonemes


def test_private_use_characters_are_not_phonemes(engine: Engine):
    req = engine.validate("[x](/ə/) and \U000f0000 here.", "jf_alpha", lang=EN)
    assert "\U000f0000" not in req.text
    assert req.segments[0].spoken is not None and list(req.segments[0].spoken.phonemes.values()) == ["ə"]


def test_limits_on_what_a_short_text_can_ask(engine: Engine):
    with pytest.raises(EngineError) as info:
        engine.validate("Hi. " + "[pause:10s]" * 13, "jf_alpha", lang=EN)
    assert info.value.code == "invalid_markup" and "130" in info.value.message
    with pytest.raises(EngineError) as info:
        engine.validate("a " * 2500, "jf_alpha", lang=EN, rules=[PronunciationRule("a", alias="b" * 500)])
    assert info.value.code == "text_too_long"


@pytest.mark.slow
def test_tags_touching_words_are_not_part_of_them(engine: Engine):
    words = engine.synthesize(engine.validate("Hello[pause:0.5s]world. [voice:jm_kumo]Again.", "jf_alpha", lang=EN))
    assert [w.word for w in words.words] == ["Hello", "world.", "Again."]
