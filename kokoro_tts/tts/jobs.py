"""Long-form jobs over HTTP: submit (JSON or a file), follow, list, cancel."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from marshmallow import Schema, ValidationError

from ..documents import DocumentError, read
from ..errors import ApiError
from ..extensions import limiter
from ..openapi import errors
from ..rest import FORMS, check_json_values
from ..security import auth_required, current_caller, rate_limit_key
from ..services import jobs
from . import bp
from .job_schemas import JobFormSchema, JobInSchema, JobPageSchema, JobSchema, JobUploadSchema
from .schemas import HistoryQuerySchema

ITEM = "/jobs/<int:job_id>"
#: A document's problem -> the status it answers with.
DOCUMENT_STATUS = {"unsupported_file": 415, "file_too_large": 413}


def _load(schema: Schema, data: Any) -> dict[str, Any]:
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise ApiError(400, "validation_error", "The request is not valid.", {"fields": exc.messages}) from exc


def _order_from_form() -> jobs.JobOrder:
    check_json_values(dict(request.form))  # no NUL, no lone surrogate
    data = _load(JobFormSchema(), request.form)
    upload = request.files.get("file")
    document = None
    if upload is not None and upload.filename:
        try:
            document = read(upload.filename, upload.read(), current_app.config["JOB_MAX_UPLOAD_BYTES"] * 10)
        except DocumentError as exc:
            raise ApiError(DOCUMENT_STATUS.get(exc.code, 400), exc.code, str(exc)) from exc
    elif not data["text"]:
        raise ApiError(400, "validation_error", "Send a `file` or a `text` field.", {"fields": {"file": ["Missing."]}})
    return _order(data, document)


def _order(data: dict[str, Any], document: Any = None) -> jobs.JobOrder:
    return jobs.JobOrder(
        text=data.get("text"), document=document, voice=data["voice"], speed=data["speed"], lang=data["lang"],
        format=data["format"], title=data["title"], normalize=data["normalize"],
    )


@bp.post("/jobs")
@auth_required
@limiter.limit(lambda: current_app.config["GENERATE_RATE_LIMIT"], key_func=rate_limit_key)
@bp.response(202, JobSchema)
@bp.doc(requestBody={"required": True, "content": {
    "application/json": {"schema": JobInSchema},
    "multipart/form-data": {"schema": JobUploadSchema},
}})
@bp.doc(**errors(400, 401, 402, 413, 415, 429, 503, notes={
    400: "`empty_text`, `unknown_voice`, `invalid_markup`, `unreadable_file` (not UTF-8, a broken EPUB), "
         "or a field at fault.",
    402: "`insufficient_credits`: the job needs one credit per character, reserved now.",
    413: "`text_too_long` (over JOB_MAX_CHARS) or `payload_too_large` (over JOB_MAX_UPLOAD_BYTES).",
    415: "`unsupported_file`: not .txt, .md, .html or .epub; or a body neither JSON nor multipart.",
    503: "`queue_unavailable`: the job queue cannot be reached (nothing charged).",
}))
def submit_job():
    """Speak a long text or a document (.txt, .md, .html, .epub) in the background; costs one credit per
    character, reserved now, the unspoken part refunded if it is cancelled or fails."""
    if request.mimetype in FORMS:
        order = _order_from_form()
    else:
        order = _order(_load(JobInSchema(), request.get_json()))
    return jobs.submit(current_caller(), order)


@bp.get("/jobs")
@auth_required
@bp.arguments(HistoryQuerySchema, location="query")
@bp.response(200, JobPageSchema)
@bp.doc(**errors(400, 401, 503))
def list_jobs(query: dict[str, Any]):
    """Your jobs, newest first, a page at a time."""
    return jobs.page(current_caller(), query["page"], query["per_page"])


@bp.get(ITEM)
@auth_required
@bp.response(200, JobSchema)
@bp.doc(**errors(401, 404, 503, notes={404: "`job_not_found`: no such job of yours."}))
def get_job(job_id: int):
    """One of your jobs: its status and progress, and its history item when done."""
    return jobs.item(current_caller(), job_id)


@bp.delete(ITEM)
@auth_required
@bp.response(200, JobSchema)
@bp.doc(**errors(401, 404, 503, notes={404: "`job_not_found`: no such job of yours."}))
def cancel_job(job_id: int):
    """Cancel a job: a queued one at once (refunded in full); a running one after the part in progress
    (`cancel_requested`; what was spoken becomes a history item, the rest is refunded). A finished job
    is left as it is, its audio in your history."""
    return jobs.cancel(current_caller(), job_id)
