"""Long-form jobs end to end: web apps and real worker processes sharing PostgreSQL, a real
Redis broker and a real HTTP S3 endpoint (moto's server mode).

The web apps are servers of their own (config, store, queue) on the test's database; they
share one speech engine only to spare loading the model twice. Workers are
`flask --app wsgi jobs worker` processes, killed with real signals.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator

import av
import boto3
import pytest
import redis
import soundfile as sf
import webvtt
from mutagen.mp4 import MP4
from sqlalchemy import func, select

from kokoro_tts.context import ENGINE_KEY, get_engine
from kokoro_tts.extensions import db
from kokoro_tts.models import Job
from kokoro_tts.services.jobs.queue import job_queue
from tests.support.app import PASSWORD, credits_of, make_app, set_credits
from tests.support.audio import id3_chapters
from tests.support.documents import BOOK_AUTHOR, BOOK_CHAPTERS, BOOK_TITLE, PANDOC_EPUB, png
from tests.support.s3 import BUCKET
from tests.support.workers import WorkerProcess, wait_for, worker_env

pytestmark = pytest.mark.system

EMAIL = "ada@example.com"
REDIS_URL = re.sub(r"/\d*$", "/3", os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0"))
PART = 100
VOICE = {"voice": "jf_alpha", "lang": "en-us"}
STORY = (
    "The lighthouse keeper climbed the stairs every evening at dusk. "
    "He carried a lamp, a book and a small flask of tea. "
    "From the top he could see the whole bay, the harbour and the hills beyond. "
    "Ships passed in the night, and he counted each one in his notebook. "
    "In winter the storms came from the west, and the waves broke high on the rocks. "
    "He did not mind; the light had never gone out, and it never would."
)
MARKDOWN = (
    "# The Keeper\n\n"
    "## Evening\n\nThe keeper climbed the stairs at dusk. He lit the lamp.\n\n"
    "## Night\n\nShips passed in the dark, and he counted each one.\n"
)


@pytest.fixture
def settings(app, s3, database_url, tmp_path) -> dict[str, object]:
    """What web apps and workers share: database, broker, store, and small parts."""
    redis.Redis.from_url(REDIS_URL).flushdb()
    return {
        "REDIS_URL": REDIS_URL, "AUDIO_STORAGE_URL": f"s3://{BUCKET}/j{os.getpid()}-{tmp_path.name}",
        "JOB_PART_CHARS": PART, "JOB_HEARTBEAT_TIMEOUT": 3, "JOB_RETRY_DELAY": 1,
        "TTS_CACHE_DIR": app.config["TTS_CACHE_DIR"],
    }


@pytest.fixture
def webs(app, settings, database_url, tmp_path):
    """Two web apps on the same database, broker and store."""
    made = []
    for name in ("one", "two"):
        web = make_app(SQLALCHEMY_DATABASE_URI=database_url, TTS_AUDIO_DIR=str(tmp_path / name), **settings)
        web.extensions[ENGINE_KEY] = get_engine(app)
        made.append(web)
    yield made
    make_app()  # put the shared extensions (the limiter) back


@pytest.fixture
def start_worker(settings, database_url) -> Iterator:
    started: list[WorkerProcess] = []

    def start(**overrides: object) -> WorkerProcess:
        env = {**settings, **overrides}
        worker = WorkerProcess(worker_env(TEST_DATABASE_URL=database_url, TTS_THREADS=1, **env))
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def job_row(web, job_id: int) -> Job:
    with web.app_context():
        job = db.session.get(Job, job_id)
        db.session.expunge_all()
        return job


def jobs_count(web) -> int:
    with web.app_context():
        return db.session.scalar(select(func.count()).select_from(Job))


def wait_status(client, headers, job_id: int, status: str, timeout: float = 240) -> dict:
    def reached():
        body = client.get(f"/api/tts/jobs/{job_id}", headers=headers).json
        assert body["status"] not in {"failed"} - {status}, body
        return body if body["status"] == status else None

    return wait_for(reached, timeout, f"job {job_id} to be {status}", every=0.5)


def seconds(clock: str) -> float:
    hours, minutes, rest = clock.split(":")
    return round(int(hours) * 3600 + int(minutes) * 60 + float(rest), 3)


def stored(prefix_url: str) -> list[str]:
    bucket_prefix = prefix_url.split(f"s3://{BUCKET}/", 1)[1]
    listed = boto3.client("s3").list_objects_v2(Bucket=BUCKET, Prefix=bucket_prefix).get("Contents", [])
    return [o["Key"][len(bucket_prefix) + 1:] for o in listed]


def test_a_job_runs_to_the_end_with_its_chapters(auth, webs, settings, start_worker):
    one, two = (web.test_client() for web in webs)
    headers = auth.headers()
    set_credits(webs[0], EMAIL, 10_000)
    start_worker()
    upload = {**VOICE, "file": (io.BytesIO(MARKDOWN.encode()), "keeper.md"), "format": "mp3"}
    answer = one.post("/api/tts/jobs", data=upload, headers=headers, content_type="multipart/form-data")
    assert answer.status_code == 202, answer.json
    job = answer.json
    assert job["status"] == "queued" and job["progress"] == 0 and job["title"] == "The Keeper"
    assert [c["title"] for c in job["chapters"]] == ["The Keeper", "Evening", "Night"]
    assert credits_of(webs[0], EMAIL) == 10_000 - job["characters"]  # reserved at submission
    assert answer.headers["X-Credits-Remaining"] == str(10_000 - job["characters"])

    done = wait_status(two, headers, job["id"], "done")
    assert done["progress"] == 1 and done["characters_done"] == job["characters"] and done["chapters_done"] == 3
    assert credits_of(webs[0], EMAIL) == 10_000 - job["characters"]  # charged once, nothing refunded
    item = two.get(f"/api/tts/history/{done['generation_id']}", headers=headers).json
    assert item["characters"] == job["characters"] and item["source"] == "job"
    audio = two.get(f"/api/tts/history/{done['generation_id']}/audio", headers=headers)
    assert audio.status_code == 200 and audio.data == one.get(
        f"/api/tts/history/{done['generation_id']}/audio", headers=headers).data
    samples, rate = sf.read(io.BytesIO(audio.data))
    assert abs(len(samples) / rate - item["duration"]) < 0.2
    children, chapters = id3_chapters(audio.data)  # in the order of the file, as players list them
    assert [title for _, title, _, _ in chapters] == ["The Keeper", "Evening", "Night"]
    assert children == [element for element, *_ in chapters]
    starts = [start for _, _, start, _ in chapters]
    assert starts[0] == 0 and starts[1] < starts[2] < item["duration"] * 1000
    captions = two.get(f"/api/tts/history/{done['generation_id']}/captions", headers=headers).json["words"]
    assert [w["word"] for w in captions][:3] == ["The", "Keeper", "Evening"]
    assert all(a["start"] <= b["start"] for a, b in zip(captions, captions[1:], strict=False))
    marks = two.get(f"/api/tts/history/{done['generation_id']}/chapters", headers=headers).json["chapters"]
    assert marks == item["chapters"] and [m["title"] for m in marks] == ["The Keeper", "Evening", "Night"]
    assert [round(m["start"] * 1000) for m in marks] == starts
    track = two.get(f"/api/tts/history/{done['generation_id']}/chapters?format=vtt", headers=headers)
    cues = webvtt.from_buffer(io.StringIO(track.text))
    assert [c.text for c in cues] == ["The Keeper", "Evening", "Night"] and seconds(cues[2].end) == marks[2]["end"]
    assert stored(settings["AUDIO_STORAGE_URL"]) == [f"1/job-{job['id']}.mp3"]  # the parts are gone


def test_an_epub_becomes_an_m4b_audiobook(auth, webs, settings, start_worker, tmp_path):
    """Done when: a pandoc-made EPUB spoken as M4B has the chapters, title, author and cover that
    audiobook players read (FFmpeg's reader and mutagen's), and the right length."""
    client = webs[0].test_client()
    headers = auth.headers()
    start_worker()
    upload = {**VOICE, "format": "m4b", "file": (io.BytesIO(PANDOC_EPUB.read_bytes()), "lighthouse.epub")}
    answer = client.post("/api/tts/jobs", data=upload, headers=headers, content_type="multipart/form-data")
    assert answer.status_code == 202, answer.json
    assert answer.json["format"] == "m4b" and answer.json["title"] == BOOK_TITLE
    done = wait_status(client, headers, answer.json["id"], "done")
    item = client.get(f"/api/tts/history/{done['generation_id']}", headers=headers).json
    marks = item["chapters"]
    assert [m["title"] for m in marks] == [title for title, _ in BOOK_CHAPTERS]
    audio = client.get(f"/api/tts/history/{done['generation_id']}/audio", headers=headers)
    assert audio.status_code == 200 and audio.mimetype == "audio/mp4"
    assert audio.headers["Content-Disposition"].endswith(f'kokoro-{done["generation_id"]}.m4b"')
    path = tmp_path / "book.m4b"
    path.write_bytes(audio.data)
    assert audio.data[8:12] == b"M4B "
    with av.open(str(path)) as container:  # FFmpeg: the QuickTime chapter track, the tags, the length
        chapters = container.chapters()
        assert [c["metadata"]["title"] for c in chapters] == [m["title"] for m in marks]
        for chapter, mark in zip(chapters, marks, strict=True):
            assert abs(float(chapter["start"] * chapter["time_base"]) - mark["start"]) < 0.1
            assert abs(float(chapter["end"] * chapter["time_base"]) - mark["end"]) < 0.1
        assert container.metadata["title"] == BOOK_TITLE and container.metadata["artist"] == BOOK_AUTHOR
        assert abs(container.duration / 1e6 - item["duration"]) < 0.01
        decoded = sum(frame.samples for frame in container.decode(audio=0)) / 24000
        assert 0 <= decoded - item["duration"] < 0.05  # it plays to the end (the last AAC frame is padded)
    book = MP4(str(path))  # mutagen: the Nero chapters and the iTunes tags
    assert [(c.title, round(c.start, 1)) for c in book.chapters] == [(m["title"], round(m["start"], 1)) for m in marks]
    assert book.tags["\xa9nam"] == [BOOK_TITLE] and book.tags["\xa9ART"] == [BOOK_AUTHOR]
    assert bytes(book.tags["covr"][0]) == png() and book.tags["stik"] == [2]
    with webs[0].app_context():  # the cover was needed for the tags only: not kept once done
        assert db.session.scalar(select(Job.cover).where(Job.id == done["id"])) is None
    assert stored(settings["AUDIO_STORAGE_URL"]) == [f"1/job-{done['id']}.m4b"]


def test_a_killed_worker_loses_one_part_and_another_finishes(auth, webs, start_worker):
    """Done when: two web servers and two workers serve a job through a worker kill."""
    one, two = (web.test_client() for web in webs)
    headers = auth.headers()
    set_credits(webs[0], EMAIL, 5_000)
    workers = {w.pid: w for w in (start_worker(), start_worker())}
    answer = one.post("/api/tts/jobs", json={**VOICE, "text": STORY, "format": "wav"}, headers=headers)
    assert answer.status_code == 202
    job_id, characters = answer.json["id"], answer.json["characters"]
    wait_for(lambda: job_row(webs[0], job_id).parts_done >= 1, 120, "a part to be spoken")
    holder = int(job_row(webs[0], job_id).worker.split(":")[1])
    workers[holder].kill()
    at_kill = job_row(webs[0], job_id)
    assert at_kill.status == "running" and at_kill.parts_done < len(at_kill.parts)
    done = wait_status(two, headers, job_id, "done")
    row = job_row(webs[0], job_id)
    assert row.attempts == 2 and row.parts_done == len(row.parts) and int(row.worker.split(":")[1]) != holder
    assert credits_of(webs[0], EMAIL) == 5_000 - characters  # charged exactly once
    audio = two.get(f"/api/tts/history/{done['generation_id']}/audio", headers=headers)
    samples, rate = sf.read(io.BytesIO(audio.data))
    words = two.get(f"/api/tts/history/{done['generation_id']}/captions", headers=headers).json["words"]
    assert " ".join(w["word"] for w in words) == " ".join(STORY.split())  # every word, once, in order
    assert words[-1]["end"] <= len(samples) / rate + 0.05


def test_sigterm_finishes_the_part_and_hands_the_job_back(auth, webs, start_worker):
    one = webs[0].test_client()
    headers = auth.headers()
    first = start_worker()
    job_id = one.post("/api/tts/jobs", json={**VOICE, "text": STORY}, headers=headers).json["id"]
    wait_for(lambda: job_row(webs[0], job_id).parts_done >= 1, 120, "a part to be spoken")
    assert first.terminate() == 0
    row = job_row(webs[0], job_id)
    assert row.status == "queued" and row.worker is None and 1 <= row.parts_done < len(row.parts)
    assert any("handed back" in line for line in first.lines)
    start_worker()
    wait_status(one, headers, job_id, "done")
    assert job_row(webs[0], job_id).attempts == 1  # a hand-back is not a failed attempt


def test_cancel_stops_a_running_job_and_refunds_what_was_not_spoken(auth, webs, start_worker):
    one = webs[0].test_client()
    headers = auth.headers()
    set_credits(webs[0], EMAIL, 5_000)
    start_worker()
    job_id = one.post("/api/tts/jobs", json={**VOICE, "text": STORY * 2, "format": "opus"}, headers=headers).json["id"]
    wait_for(lambda: job_row(webs[0], job_id).parts_done >= 1, 120, "a part to be spoken")
    answer = one.delete(f"/api/tts/jobs/{job_id}", headers=headers)
    assert answer.status_code == 200 and answer.json["cancel_requested"] is True
    ended = wait_status(one, headers, job_id, "cancelled", timeout=60)
    spoken = ended["characters_done"]
    assert 0 < spoken < len(STORY * 2) and credits_of(webs[0], EMAIL) == 5_000 - spoken
    item = one.get(f"/api/tts/history/{ended['generation_id']}", headers=headers).json
    assert item["characters"] == spoken and STORY.startswith(item["text"][:50])
    # A finished job's result stays: cancelling again changes nothing.
    again = one.delete(f"/api/tts/jobs/{job_id}", headers=headers)
    assert again.json["status"] == "cancelled" and credits_of(webs[0], EMAIL) == 5_000 - spoken


def test_a_job_whose_audio_cannot_be_kept_is_retried_then_fails_refunded(auth, webs, start_worker):
    """The worker's store refuses every write (its bucket does not exist): tried again, then failed."""
    client = webs[0].test_client()
    headers = auth.headers()
    set_credits(webs[0], EMAIL, 1_000)
    worker = start_worker(AUDIO_STORAGE_URL=f"s3://no-such-bucket-{os.getpid()}/x", JOB_MAX_ATTEMPTS=2)
    job = client.post("/api/tts/jobs", json={**VOICE, "text": "Nowhere to go."}, headers=headers).json
    failed = wait_status(client, headers, job["id"], "failed", timeout=120)
    assert failed["error"] == "The service could not keep the audio; you were not charged."
    assert failed["generation_id"] is None and credits_of(webs[0], EMAIL) == 1_000
    assert job_row(webs[0], job["id"]).attempts == 2
    assert sum("handed back, to be tried again" in line for line in worker.lines) == 1


def test_a_queued_job_is_cancelled_at_once_and_refunded(auth, webs, start_worker):
    one = webs[0].test_client()
    headers = auth.headers()
    set_credits(webs[0], EMAIL, 1_000)
    job = one.post("/api/tts/jobs", json={**VOICE, "text": "Never spoken."}, headers=headers).json
    assert credits_of(webs[0], EMAIL) == 1_000 - job["characters"]
    answer = one.delete(f"/api/tts/jobs/{job['id']}", headers=headers)
    cancelled = answer.json
    assert cancelled["status"] == "cancelled" and cancelled["finished_at"]
    assert answer.headers["X-Credits-Remaining"] == "1000"
    assert credits_of(webs[0], EMAIL) == 1_000
    start_worker()  # its message is stale now: the worker looks and leaves it
    assert job_row(webs[0], job["id"]).attempts == 0


def test_requeue_after_the_broker_lost_its_messages(auth, webs, start_worker):
    """Redis here keeps nothing on disk: after a restart the jobs are still in PostgreSQL."""
    client = webs[0].test_client()
    headers = auth.headers()
    job_id = client.post("/api/tts/jobs", json={**VOICE, "text": "Lost and found."}, headers=headers).json["id"]
    redis.Redis.from_url(REDIS_URL).flushdb()  # the message is gone
    answer = webs[0].test_cli_runner().invoke(args=["jobs", "requeue"])
    assert answer.exit_code == 0 and "1 job(s) queued again" in answer.output
    start_worker()
    wait_status(client, headers, job_id, "done", timeout=120)


def test_jobs_are_listed_newest_first_and_private(auth, webs):
    one = webs[0].test_client()
    headers = auth.headers()
    ids = [one.post("/api/tts/jobs", json={**VOICE, "text": f"Text {n}."}, headers=headers).json["id"]
           for n in range(3)]
    page = one.get("/api/tts/jobs?per_page=2", headers=headers).json
    assert [j["id"] for j in page["items"]] == ids[::-1][:2] and page["total"] == 3 and page["pages"] == 2
    other = auth.headers("eve@example.com")
    assert one.get(f"/api/tts/jobs/{ids[0]}", headers=other).json["error"]["code"] == "job_not_found"
    assert one.delete(f"/api/tts/jobs/{ids[0]}", headers=other).status_code == 404
    assert one.get("/api/tts/jobs", headers=other).json["items"] == []


def _refusal_app(webs, **config):
    web = webs[0]
    web.config.update(config)
    return web


@pytest.mark.parametrize(("send", "config", "status", "code"), [
    (lambda c, h: c.post("/api/tts/jobs", json={**VOICE, "text": "  \n "}, headers=h), {}, 400, "empty_text"),
    (lambda c, h: c.post("/api/tts/jobs", json={"text": "Hi.", "voice": "xx_nobody"}, headers=h), {}, 400,
     "unknown_voice"),
    (lambda c, h: c.post("/api/tts/jobs", json={**VOICE, "text": "A [pause:forever] B."}, headers=h), {}, 400,
     "invalid_markup"),
    (lambda c, h: c.post("/api/tts/jobs", json={**VOICE, "text": "Hi.", "speed": 9}, headers=h), {}, 400,
     "validation_error"),
    (lambda c, h: c.post("/api/tts/jobs", json={**VOICE, "text": STORY * 3}, headers=h), {}, 402,
     "insufficient_credits"),
    (lambda c, h: c.post("/api/tts/jobs", json={**VOICE, "text": STORY}, headers=h), {"JOB_MAX_CHARS": 200}, 413,
     "text_too_long"),
    (lambda c, h: c.post("/api/tts/jobs", data={**VOICE, "file": (io.BytesIO(b"x" * 5000), "a.txt")}, headers=h),
     {"JOB_MAX_UPLOAD_BYTES": 4000}, 413, "payload_too_large"),
    (lambda c, h: c.post("/api/tts/jobs", data={**VOICE, "file": (io.BytesIO(b"%PDF"), "a.pdf")}, headers=h), {},
     415, "unsupported_file"),
    (lambda c, h: c.post("/api/tts/jobs", data={**VOICE, "file": (io.BytesIO(b"PK.."), "a.epub")}, headers=h), {},
     400, "unreadable_file"),
    (lambda c, h: c.post("/api/tts/jobs", data={**VOICE, "title": "no file"}, headers=h), {}, 400,
     "validation_error"),
    (lambda c, h: c.post("/api/tts/jobs", data={**VOICE, "text": "Hi.", "file": (io.BytesIO(b"Hi."), "a.txt")},
                         headers=h), {}, 400, "validation_error"),
    (lambda c, h: c.post("/api/tts/jobs", data="text", headers={**h, "Content-Type": "text/plain"}), {}, 415,
     "unsupported_media_type"),
    (lambda c, h: c.post("/api/tts/jobs", json={**VOICE, "text": "Hi."}, headers=h),
     {"REDIS_URL": "redis://127.0.0.1:1/0"}, 503, "queue_unavailable"),
])
def test_refusals_leave_no_job_and_no_charge(auth, app, settings, database_url, tmp_path, send, config, status, code):
    web = make_app(SQLALCHEMY_DATABASE_URI=database_url, TTS_AUDIO_DIR=str(tmp_path), **{**settings, **config})
    web.extensions[ENGINE_KEY] = get_engine(app)
    client = web.test_client()
    headers = auth.headers()
    set_credits(web, EMAIL, len(STORY) * 2)
    answer = send(client, headers)
    assert (answer.status_code, answer.json["error"]["code"]) == (status, code), answer.json
    assert jobs_count(web) == 0 and credits_of(web, EMAIL) == len(STORY) * 2
    make_app()


HTML = b"<html><head><title>Log</title></head><body><h1>Monday</h1><p>Calm.</p><h1>Tuesday</h1><p>Wind.</p></body>"


@pytest.mark.parametrize(("name", "data", "title", "chapters"), [
    ("notes.txt", b"Just one chapter of text.", "notes", ["notes"]),
    ("keeper.md", MARKDOWN.encode(), "The Keeper", ["The Keeper", "Evening", "Night"]),
    ("log.html", HTML, "Log", ["Monday", "Tuesday"]),
    ("book.epub", None, "The Lighthouse", ["Dusk", "Storm"]),
])
def test_uploads_of_each_type(auth, webs, tmp_path, name, data, title, chapters):
    from tests.support.documents import make_epub

    client = webs[0].test_client()
    headers = auth.headers()
    body = data if data is not None else make_epub(tmp_path)
    answer = client.post("/api/tts/jobs", data={**VOICE, "file": (io.BytesIO(body), name)}, headers=headers)
    assert answer.status_code == 202, answer.json
    job = answer.json
    assert job["title"] == title and [c["title"] for c in job["chapters"]] == chapters
    assert job["characters"] == sum(c["characters"] for c in job["chapters"]) and job["format"] == "mp3"
    assert client.get("/api/tts/jobs", headers=headers).json["items"][0]["id"] == job["id"]


def test_without_redis_jobs_run_in_the_web_process(auth, app, database_url, tmp_path):
    """The embedded defaults: no broker to run, the web process speaks its jobs itself."""
    web = make_app(SQLALCHEMY_DATABASE_URI=database_url, TTS_AUDIO_DIR=str(tmp_path), JOB_PART_CHARS=PART)
    web.extensions[ENGINE_KEY] = get_engine(app)
    client = web.test_client()
    headers = auth.headers()
    try:
        job = client.post("/api/tts/jobs", json={**VOICE, "text": STORY[:250], "format": "flac"}, headers=headers).json
        done = wait_status(client, headers, job["id"], "done", timeout=120)
        audio = client.get(f"/api/tts/history/{done['generation_id']}/audio", headers=headers)
        samples, rate = sf.read(io.BytesIO(audio.data))
        assert rate == 24000 and len(samples) / rate > 5
        assert (tmp_path / "1" / f"job-{job['id']}.flac").read_bytes() == audio.data
    finally:
        queue = job_queue(web)
        if queue.worker is not None:
            queue.worker.stop()
        make_app()


def test_an_account_deleted_mid_job_leaves_no_audio(auth, webs, settings, start_worker):
    one = webs[0].test_client()
    headers = auth.headers()
    keep = auth.headers("eve@example.com")  # another account's audio stays
    assert one.post("/api/tts/generate", json={**VOICE, "text": "Still mine."}, headers=keep).status_code == 200
    worker = start_worker()
    job = one.post("/api/tts/jobs", json={**VOICE, "text": STORY, "format": "wav"}, headers=headers).json
    wait_for(lambda: job_row(webs[0], job["id"]).parts_done >= 1, 120, "a part to be spoken")
    assert one.delete("/api/auth/me", json={"password": PASSWORD}, headers=headers).status_code == 200
    # The worker speaks on until its next write finds the row gone, then removes what it stored.
    wait_for(lambda: any("was deleted" in line for line in worker.lines), 120, "the worker to notice")
    wait_for(lambda: all(not key.startswith("1/") for key in stored(settings["AUDIO_STORAGE_URL"])), 30,
             "the deleted account's objects to go")
    assert [key.split("/")[0] for key in stored(settings["AUDIO_STORAGE_URL"])] == ["2"]
