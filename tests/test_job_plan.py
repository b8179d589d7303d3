"""The job planner: chapters joined into one text, cut into parts at the best break, never inside
a tag; the characters charged are the parts' lengths; chapters done follow the parts done."""

from __future__ import annotations

import pytest

from kokoro_tts.documents import Chapter
from kokoro_tts.services.jobs.plan import SEPARATOR, chapters_done, plan, split

pytestmark = pytest.mark.unit


def _texts(text: str, size: int) -> list[str]:
    spans = split(text, size)
    assert [a for a, _ in spans[1:]] == [b for _, b in spans[:-1]]  # contiguous
    assert spans[0][0] == 0 and spans[-1][1] == len(text)  # covering
    assert all(0 < b - a <= size for a, b in spans)
    return [text[a:b] for a, b in spans]


def test_a_short_text_is_one_part():
    assert split("Hello there.", 100) == [(0, 12)]


def test_cut_at_a_blank_line_before_a_sentence_end():
    first = "One. " * 14 + "Two."  # 74 characters
    text = first + "\n\n" + "Three. " * 10
    parts = _texts(text, 100)
    assert parts[0] == first + "\n\n"


def test_cut_at_a_sentence_end_in_the_second_half():
    text = "A sentence that ends here. " * 8
    parts = _texts(text, 100)
    assert all(part.rstrip().endswith(".") for part in parts)
    assert len(parts[0]) > 50


def test_a_word_too_long_is_cut_at_the_size():
    text = "x" * 250
    assert _texts(text, 100) == ["x" * 100, "x" * 100, "x" * 50]


def test_never_inside_a_tag_or_inline_pronunciation():
    text = ("Word " * 18) + "[pause:1.5s] then [Kokoro](/kˈOkəɹO/) speaks. " * 4
    for part in _texts(text, 100):
        assert part.count("[") == part.count("]") and part.count("(/") == part.count("/)")


def test_plan_joins_chapters_and_marks_them():
    chapters = [Chapter("One", "The first chapter. " * 8), Chapter("Two", "The second.")]
    the_plan = plan(chapters, 100)
    assert the_plan.text == chapters[0].text + SEPARATOR + chapters[1].text
    marks = [(m["title"], the_plan.text[m["start"]:m["end"]]) for m in the_plan.chapters]
    assert marks == [("One", chapters[0].text), ("Two", chapters[1].text)]
    # Parts never cross a chapter, and the separator is never charged.
    assert {index for *_, index in the_plan.parts} == {0, 1}
    assert the_plan.characters == len(chapters[0].text) + len(chapters[1].text)
    assert all(the_plan.chapters[index]["start"] <= a < b <= the_plan.chapters[index]["end"]
               for a, b, index in the_plan.parts)


def test_chapters_done_counts_wholly_spoken_chapters():
    parts = [[0, 10, 0], [10, 20, 0], [22, 30, 1], [32, 40, 2]]
    assert [chapters_done(parts, n) for n in range(5)] == [0, 0, 1, 2, 3]
