"""What of a text streamed in is ready to speak, and characters timed from words: pure code."""

from __future__ import annotations

import pytest

from kokoro_tts.elevenlabs_api.alignment import alignment
from kokoro_tts.elevenlabs_api.input_text import TextBuffer
from kokoro_tts.engine.timing import Word

pytestmark = pytest.mark.unit


def test_a_sentence_is_ready_as_soon_as_it_ends():
    buffer = TextBuffer()
    ready = []
    for piece in ["Hel", "lo the", "re. How ", "are you", " today? I am"]:
        buffer.add(piece)
        ready.append(buffer.take())
    assert ready == ["", "", "Hello there. ", "", "How are you today? "]
    assert buffer.take(flush=True) == "I am" and buffer.text == ""


def test_the_schedule_cuts_at_a_whole_word_and_moves_on():
    buffer = TextBuffer(schedule=[10, 20])
    buffer.add("one two three four")
    assert buffer.take() == "one two three " and buffer.text == "four"
    buffer.add(" five six seven")
    assert buffer.take() == ""  # 19 characters: the next length is 20
    buffer.add(" eight")
    assert buffer.take() == "four five six seven "


def test_blank_text_is_never_a_piece():
    buffer = TextBuffer()
    buffer.add(" ")
    assert buffer.take() == "" and buffer.take(flush=True) == ""


def test_characters_share_their_words_time_and_the_gaps_between():
    text = "Hi, you."
    aligned = alignment(text, [Word("Hi,", 0.1, 0.4), Word("you.", 0.5, 0.9)], duration=1.0)
    assert "".join(aligned["characters"]) == text
    starts, ends = aligned["character_start_times_seconds"], aligned["character_end_times_seconds"]
    assert starts == sorted(starts) and ends[-1] == 0.9
    assert starts[0] == 0.1 and starts[3] == 0.4 and starts[4] == 0.5  # the space spans the gap
