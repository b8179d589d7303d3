"""How a job ends: its parts joined into one history item (done, or cancelled part-way), or
failed; either way what was not spoken is refunded, in the transaction that ends the job.

The parts are read and encoded one at a time into a temporary file (a book is hours of audio),
chapter marks and tags (title, author, cover) are written into it where the format has a place
for them, and it is uploaded to the store under a key of its own (`<user>/job-<id>.<format>`): a
worker that dies here leaves the job running, and the next one writes the same object again.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select

from ...engine import SAMPLE_RATE
from ...engine.audio import silence
from ...engine.audiofile import Mark, Tags, add_chapters, write
from ...engine.chunking import PAUSES
from ...engine.tags import MIN_PAUSE
from ...extensions import db
from ...models import CANCELLED, DONE, FAILED, Generation, Job, utcnow
from .. import audio_store, ledger
from . import parts
from .state import Held, change

log = logging.getLogger(__name__)
#: Silence between chapters (seconds at speed 1); between two parts of a chapter, the engine's own
#: pause for where the part was cut (a paragraph, else a sentence), so a job sounds as one request.
CHAPTER_PAUSE = 2.0


def _pause_after(text: str) -> float:
    tail = text[len(text.rstrip()):]
    return PAUSES["paragraph"] if "\n" in tail else PAUSES["sentence"]


def _paused(audio: np.ndarray, at_end: bool = False) -> bool:
    """Whether the part's audio ends (or starts) with a pause tag's silence: exact zeros, at least
    the shortest pause long (the model's own audio is trimmed and never that still). A part's
    explicit pause stands in for the one owed between parts, as it does inside one generation."""
    n = int(MIN_PAUSE * SAMPLE_RATE)
    edge = audio[-n:] if at_end else audio[:n]
    return len(audio) >= n and not np.any(edge)


@dataclass
class _Joined:
    """What joining the parts found out: the length, chapter marks and words of the audio."""

    seconds: float = 0.0
    marks: list[Mark] = field(default_factory=list)
    words: list[list[Any]] = field(default_factory=list)


def _joined(held: Held, parts_done: int, joined: _Joined) -> Iterator[np.ndarray]:
    """The parts' audio in order, with the pauses between them; fills `joined` as it goes."""
    chapter = None
    owed = 0.0  # the pause the last part with sound ended on
    starts: list[tuple[str, float]] = []
    for index in range(parts_done):
        audio, words = parts.load(held.user_id, held.id, index)
        start, end, this = held.parts[index]
        if not audio.size:
            continue
        if starts:
            owed = 0.0 if _paused(audio) else owed
            pause = silence((owed if this == chapter else CHAPTER_PAUSE) / held.speed)
            joined.seconds += len(pause) / SAMPLE_RATE
            yield pause
        if this != chapter:
            starts.append((held.chapters[this]["title"], joined.seconds))
            chapter = this
        joined.words += [[w, round(s + joined.seconds, 3), round(e + joined.seconds, 3)] for w, s, e in words]
        joined.seconds += len(audio) / SAMPLE_RATE
        owed = 0.0 if _paused(audio, at_end=True) else _pause_after(held.text[start:end])
        yield audio
    ends = [start for _, start in starts[1:]] + [joined.seconds]
    joined.marks = [
        Mark(title, round(start, 3), round(end, 3)) for (title, start), end in zip(starts, ends, strict=True)
    ]


def _spoken_text(held: Held, parts_done: int) -> str:
    return held.text if parts_done >= len(held.parts) else held.text[: held.parts[parts_done - 1][1]]


def result_key(held: Held) -> str:
    """Where a job's audio is kept: a key of its own, so a worker taking over writes the same."""
    return f"{held.user_id}/job-{held.id}.{held.format}"


def finish(held: Held, parts_done: int, chars_done: int) -> None:
    """End the job with what was spoken: all of it (done) or the first parts (cancelled)."""
    complete = parts_done >= len(held.parts)
    status = DONE if complete else CANCELLED
    kept = held.characters if complete else chars_done
    if kept == 0:
        _settle(held, status, 0, None)
        return
    joined = _Joined()
    key = result_key(held)
    with tempfile.TemporaryDirectory(prefix="kokoro-job-") as folder:
        path = Path(folder) / f"audio.{held.format}"
        write(_joined(held, parts_done, joined), held.format, path)
        if not joined.seconds:  # every part spoken was silent: nothing to keep, nothing to charge
            _settle(held, status, 0, None)
            return
        add_chapters(path, held.format, _tags(held), joined.marks)
        audio_store.store().put_file(key, path)
    generation = Generation(
        user_id=held.user_id, text=_spoken_text(held, parts_done), voice=held.voice, speed=held.speed,
        lang=held.lang, format=held.format, characters=kept, duration=round(joined.seconds, 3), source="job",
        status=DONE, audio_path=key, words=joined.words,
        chapters=[{"title": m.title, "start": m.start, "end": m.end} for m in joined.marks],
    )
    _settle(held, status, kept, generation)


def _tags(held: Held) -> Tags:
    """The title, author and cover the file will say it has (the cover read now: only here is it needed)."""
    cover = db.session.scalar(select(Job.cover).where(Job.id == held.id))
    db.session.rollback()
    return Tags(held.title, held.author or "", cover)


def _settle(held: Held, status: str, kept: int, generation: Generation | None) -> None:
    """One transaction: the history item, the job's end, the refund of what was not spoken."""
    generation_id = None
    if generation is not None:
        db.session.add(generation)
        db.session.flush()
        generation_id = generation.id
    change(held, status=status, generation_id=generation_id, finished_at=utcnow(), cancel_requested=False,
           cover=None)  # the cover was for the audio's tags: the row need not keep it
    ledger.refund_unspoken(held.user_id, held.characters, kept)
    db.session.commit()
    log.info("job %s %s: %d of %d characters kept", held.id, status, kept, held.characters)
    _forget_parts(held)


def fail(held: Held, reason: str) -> None:
    """The job cannot be made: failed, with every character refunded."""
    change(held, status=FAILED, error=reason[:500], finished_at=utcnow(), cover=None)
    ledger.refund_unspoken(held.user_id, held.characters, kept=0)
    db.session.commit()
    log.error("job %s failed (refunded %d): %s", held.id, held.characters, reason)
    _forget_parts(held)


def _forget_parts(held: Held) -> None:
    """The parts are no longer needed; if the store fails now, they stay (under the account's
    prefix, removed with it), and the job has ended all the same."""
    try:
        parts.delete_all(held.user_id, held.id)
    except Exception:
        log.warning("the parts of job %s could not be removed", held.id, exc_info=True)
