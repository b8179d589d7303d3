"""Request and response schemas of long-form jobs."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..engine import FORMATS, LANGUAGES, MAX_SPEED, MIN_SPEED
from ..rest import StrictBoolean, StrictFloat, TextBoolean, UTCDateTime
from ..services.jobs.plan import chapters_done


class _JobOptions(Schema):
    voice = fields.String(load_default=None, allow_none=True,
                          metadata={"description": "voice id or blend; default: your default_voice, then the server's"})
    lang = fields.String(load_default=None, allow_none=True,
                         metadata={"description": f"{', '.join(LANGUAGES)}; default: the voice's language"})
    format = fields.String(load_default="mp3", metadata={
        "enum": list(FORMATS),
        "description": "MP3, Opus, FLAC, M4A and M4B carry the chapter marks, and the title, author and cover "
                       "of the document; M4B is an audiobook (AAC in MP4)",
    })
    title = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200),
                          metadata={"description": "default: the document's title, else the first words"})


#: The `normalize` field, in JSON and as a form value.
NORMALIZE = {"description": "read numbers, dates... as words"}


class JobInSchema(_JobOptions):
    text = fields.String(required=True, metadata={"description": "at most JOB_MAX_CHARS characters"})
    speed = StrictFloat(load_default=None, allow_none=True, validate=validate.Range(min=MIN_SPEED, max=MAX_SPEED))
    normalize = StrictBoolean(load_default=True, metadata=NORMALIZE)


class JobFormSchema(_JobOptions):
    """The same fields as form values, beside the uploaded `file` (or a `text` field)."""

    text = fields.String(load_default=None)
    speed = fields.Float(load_default=None, allow_none=True, validate=validate.Range(min=MIN_SPEED, max=MAX_SPEED))
    normalize = TextBoolean(load_default=True, metadata=NORMALIZE)


class JobUploadSchema(JobFormSchema):
    """For the OpenAPI document only: the multipart body."""

    file = fields.Raw(metadata={"type": "string", "format": "binary",
                                "description": ".txt, .md, .html or .epub (split into its chapters)"})


class ChapterSchema(Schema):
    title = fields.String(required=True)
    characters = fields.Integer(required=True)


class JobSchema(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"enum": ["queued", "running", "done", "failed", "cancelled"]})
    title = fields.String(required=True)
    progress = fields.Method("_progress", required=True, metadata={"type": "number", "description": "0 to 1"})
    characters = fields.Integer(required=True, metadata={"description": "reserved (charged) at submission"})
    characters_done = fields.Integer(required=True, attribute="chars_done")
    chapters = fields.Method("_chapters", required=True, metadata={"type": "array", "items": {"type": "object"}})
    chapters_done = fields.Method("_chapters_done", required=True, metadata={"type": "integer"})
    voice = fields.String(required=True)
    speed = fields.Float(required=True)
    lang = fields.String(required=True, allow_none=True)
    format = fields.String(required=True)
    cancel_requested = fields.Boolean(required=True, metadata={"description": "stops after the part in progress"})
    generation_id = fields.Integer(required=True, allow_none=True,
                                   metadata={"description": "the history item, when done (or cancelled part-way)"})
    error = fields.String(required=True, allow_none=True)
    created_at = UTCDateTime(required=True)
    updated_at = UTCDateTime(required=True)
    finished_at = UTCDateTime(required=True, allow_none=True)

    def _progress(self, job) -> float:
        return round(job.chars_done / job.characters, 4) if job.characters else 0.0

    def _chapters(self, job) -> list[dict[str, object]]:
        return [{"title": c["title"], "characters": c["end"] - c["start"]} for c in job.chapters]

    def _chapters_done(self, job) -> int:
        return chapters_done(job.parts, job.parts_done)


class JobPageSchema(Schema):
    items = fields.List(fields.Nested(JobSchema), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    pages = fields.Integer(required=True)
