"""Submitting a job: everything checked before it exists, its credits reserved with it.

The text (or the document's chapters) is planned into parts, and every part is checked as a
request of its own would be (voice, speed, language, format, markup, pronunciation rules), so
a job that is accepted can be spoken. The charge and the job's row are one transaction; only
then is the queue told. If the queue cannot be reached, the job is withdrawn and refunded in
one transaction: a refused job leaves no row and no charge.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from ...context import get_engine, setting, the_app
from ...documents import Chapter, Document, Limits
from ...documents.isolated import read_bounded
from ...engine import NothingToSay, Request, ssml
from ...engine.errors import Message
from ...engine.normalize import Options
from ...engine.pronounce import PronunciationRule
from ...models import Job, User
from .. import ledger, pronunciations
from ..errors import ServiceError
from .plan import Plan, plan
from .queue import job_queue
from .worker import start_embedded

log = logging.getLogger(__name__)
TITLE_WORDS = 8
#: An archive (EPUB) may say it unpacks to this many times JOB_MAX_UPLOAD_BYTES.
UNPACKED_FACTOR = 10


@dataclass(frozen=True)
class JobOrder:
    """What the caller asked for: a text or a document, and how to speak it."""

    text: str | None = None
    document: Document | None = None
    voice: str | None = None
    speed: float | None = None
    lang: str | None = None
    format: str = "mp3"
    title: str | None = None
    normalize: bool = True

    def markup(self) -> tuple[str, ssml.Document] | None:
        """The SSML document the text is, as kept, and its reading (None: plain text or a document)."""
        if self.document is not None or not ssml.is_ssml(self.text or ""):
            return None
        return get_engine().read_ssml(self.text or "")

    def chapters(self, markup: ssml.Document | None = None) -> list[Chapter]:
        if self.document is not None:
            return self.document.chapters
        text = markup.text if markup is not None else (self.text or "").strip()
        return [Chapter(self.title or "", text)] if text else []

    def author_and_cover(self) -> tuple[str | None, bytes | None]:
        """The document's author and cover image, for the tags of the audio (None: it gives none)."""
        if self.document is None:
            return None, None
        return self.document.author or None, self.document.cover

    def job_title(self, spoken: str | None = None) -> str:
        """The title given, the document's, or the first words of what is spoken (`spoken`: SSML's)."""
        if self.title and self.title.strip():
            return self.title.strip()[:200]
        if self.document is not None:
            return self.document.title[:200]
        return " ".join((spoken or self.text or "").split()[:TITLE_WORDS])[:200] or "Untitled"


def upload_limits() -> Limits:
    """What an upload may hold: text for a job (twice JOB_MAX_CHARS before spaces are tidied), an
    archive of at most UNPACKED_FACTOR times the upload."""
    return Limits(max_chars=2 * setting("JOB_MAX_CHARS"), max_archive=UNPACKED_FACTOR * setting("JOB_MAX_UPLOAD_BYTES"))


def read_upload(filename: str, data: bytes) -> Document:
    """An uploaded document, read in a process of its own within the document limits: past
    them, or past DOCUMENT_READ_SECONDS and DOCUMENT_READ_MEMORY_MB, a DocumentError (413)."""
    return read_bounded(filename, data, upload_limits(), setting("DOCUMENT_READ_SECONDS"),
                        setting("DOCUMENT_READ_MEMORY_MB") * 1024 * 1024)


def part_size() -> int:
    """Characters per part: JOB_PART_CHARS, within what one request may hold."""
    return min(setting("JOB_PART_CHARS"), get_engine().settings.max_chars)


def _check_parts(user: User, order: JobOrder, the_plan: Plan, markup: ssml.Document | None) -> Request:
    """Check every part as a request; the first speakable one's request (voice, language) is returned."""
    preferences = user.preferences if isinstance(user.preferences, dict) else {}
    voice = order.voice or preferences.get("default_voice")
    speed = order.speed if order.speed is not None else preferences.get("default_speed", 1.0)
    rules: Sequence[PronunciationRule] = pronunciations.for_engine(user)
    options = Options.from_request(order.normalize, None)
    engine = get_engine()
    first: Request | None = None
    silent: NothingToSay | None = None
    for start, end, _ in the_plan.parts:
        try:
            parts = ssml.window(markup, start, end) if markup is not None else None
            req = engine.validate(the_plan.text[start:end], voice, speed, order.lang, order.format, rules, options,
                                  text_type="text", parts=parts)
        except NothingToSay as exc:
            silent = exc
            continue
        first = first or req
    if first is None:
        assert silent is not None
        raise silent
    return first


def submit(user: User, order: JobOrder) -> Job:
    markup = order.markup()  # first: a hostile SSML document is refused before anything else
    chapters = order.chapters(markup[1] if markup else None)
    if not chapters:
        raise ServiceError("empty_text", "There is no text to speak.")
    _check_size(user, sum(len(chapter.text) for chapter in chapters))
    the_plan = plan(chapters, part_size())
    req = _check_parts(user, order, the_plan, markup[1] if markup else None)
    author, cover = order.author_and_cover()
    job = Job(
        user_id=user.id, title=order.job_title(the_plan.text), text=the_plan.text, markup=markup[0] if markup else None,
        author=author, cover=cover,
        voice=req.voice.spec, speed=req.speed,
        lang=req.lang if order.lang and order.lang.strip() else None,  # None: each voice tag's own language
        format=req.fmt or "mp3", normalize=order.normalize,
        characters=the_plan.characters, parts=the_plan.parts, chapters=the_plan.chapters,
        chars_done=0, parts_done=0, cancel_requested=False, attempts=0,
    )
    ledger.reserve(job)  # nothing written if the credits are short
    _enqueue(job)
    return job


def _check_size(user: User, characters: int) -> None:
    """The checks that need no planning, first: the length, and credits enough (the charge
    itself comes later, in one atomic statement)."""
    limit = setting("JOB_MAX_CHARS")
    if characters > limit:
        raise ServiceError("text_too_long", Message("The text is {n} characters; the limit is {limit}.",
                                                    n=characters, limit=limit),
                           {"characters": characters, "limit": limit})
    ledger.check_balance(user.id, characters)


def _enqueue(job: Job) -> None:
    """Tell the queue; if it cannot be told, withdraw the job and its charge together."""
    try:
        job_queue().send(job.id)
    except Exception as exc:
        log.error("job %s could not be queued; withdrawn and refunded: %s", job.id, exc)
        ledger.withdraw(job)
        raise ServiceError("queue_unavailable", "The job queue cannot be reached; you were not charged.") from exc
    start_embedded(the_app())
