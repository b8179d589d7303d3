"""Long-form jobs over HTTP: submit (JSON or a file), follow, list, cancel."""

from __future__ import annotations

from typing import Any

from flask import current_app, request

from ..extensions import limiter
from ..openapi import errors, link, links
from ..rest import FORMS, check_json_values, parse
from ..security import auth_required, current_caller, rate_limit_key
from ..services import jobs, ledger
from ..services.errors import invalid_fields
from . import bp
from .job_schemas import JobFormSchema, JobInSchema, JobPageSchema, JobSchema, JobUploadSchema
from .schemas import HistoryQuerySchema

ITEM = "/jobs/<int:job_id>"
CREDITS_HEADER = {"description": "credits left after the reservation or refund (or `unlimited`)",
                  "schema": {"type": "string"}}


def _order_from_form() -> jobs.JobOrder:
    check_json_values(dict(request.form))  # no NUL, no lone surrogate
    data = parse(JobFormSchema(), "form")
    upload = request.files.get("file")
    has_file = upload is not None and bool(upload.filename)
    if has_file == bool(data["text"]):
        problem = "Send a file or a text, not both." if has_file else "Send a file or a text."
        raise invalid_fields({"file": [problem]})
    document = None
    if upload is not None and has_file:
        check_json_values({"file": upload.filename})  # a NUL in the name is a 400 too
        document = jobs.read_upload(upload.filename or "", upload.read())  # a DocumentError answers with its code
    return _order(data, document)


def _with_credits(job: Any, status: int) -> tuple[Any, int, dict[str, str]]:
    """The job, and the credits left now (as `/generate` says them)."""
    balance = ledger.balance_text(ledger.balance(current_caller().id))
    return job, status, {"X-Credits-Remaining": balance}


def _order(data: dict[str, Any], document: Any = None) -> jobs.JobOrder:
    return jobs.JobOrder(
        text=data.get("text"), document=document, voice=data["voice"], speed=data["speed"], lang=data["lang"],
        format=data["format"], title=data["title"], normalize=data["normalize"],
    )


@bp.post("/jobs")
@auth_required
@limiter.limit(lambda: current_app.config["GENERATE_RATE_LIMIT"], key_func=rate_limit_key)
@bp.response(202, JobSchema, headers={"X-Credits-Remaining": CREDITS_HEADER})
@bp.doc(**links(202, GetJob=link("get", "/api/tts/jobs/{job_id}", job_id="$response.body#/id"),
                CancelJob=link("delete", "/api/tts/jobs/{job_id}", job_id="$response.body#/id")))
@bp.doc(requestBody={"required": True, "content": {
    "application/json": {"schema": JobInSchema},
    "multipart/form-data": {"schema": JobUploadSchema},
}})
@bp.doc(**errors(400, 401, 402, 413, 415, 429, 503, notes={
    400: "`empty_text`, `unknown_voice`, `invalid_markup`, `unreadable_file` (not UTF-8, a broken EPUB), "
         "or a field at fault.",
    402: "`insufficient_credits`: the job needs one credit per character, reserved now.",
    413: "`text_too_long` (over JOB_MAX_CHARS), `payload_too_large` (over JOB_MAX_UPLOAD_BYTES) or "
         f"`file_too_large`: an EPUB saying it unpacks to over {jobs.UNPACKED_FACTOR} times JOB_MAX_UPLOAD_BYTES, "
         "or text in it inflating to over 16 MB; over 500,000 tags or 2,000 headings; or longer to read than "
         "DOCUMENT_READ_SECONDS, or more memory than DOCUMENT_READ_MEMORY_MB.",
    415: "`unsupported_file`: not .txt, .md, .html or .epub; or a body neither JSON nor multipart.",
    503: "`queue_unavailable`: the job queue cannot be reached (nothing charged).",
}))
def submit_job():
    """Speak a long text or a document (.txt, .md, .html, .epub) in the background; costs one credit per
    character, reserved now, the unspoken part refunded if it is cancelled or fails."""
    if request.mimetype in FORMS:
        order = _order_from_form()
    else:
        order = _order(parse(JobInSchema(), "json"))
    return _with_credits(jobs.submit(current_caller(), order), 202)


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
@bp.response(200, JobSchema, headers={"X-Credits-Remaining": CREDITS_HEADER})
@bp.doc(**errors(401, 404, 503, notes={404: "`job_not_found`: no such job of yours."}))
def cancel_job(job_id: int):
    """Cancel a job: a queued one at once (refunded in full); a running one after the part in progress
    (`cancel_requested`; what was spoken becomes a history item, the rest is refunded). A finished job
    is left as it is, its audio in your history."""
    return _with_credits(jobs.cancel(current_caller(), job_id), 200)
