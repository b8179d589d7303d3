"""gunicorn settings, read from the environment (Render sets PORT).

Defaults that are right for the machine gunicorn starts on:
- Rate limits (login, register, generation) are counted per process unless a shared store is
  configured (REDIS_URL or RATELIMIT_STORAGE_URI). Several workers with per-process counters
  would each allow the whole limit, so without a shared store the default is one worker
  (with threads); with Redis, one worker per core up to 2.
- Inference threads across all workers should not exceed the cores: beyond that the workers
  only take turns on the CPU and throughput drops (measured; see DESIGN.md).
"""

import multiprocessing
import os
import tempfile

# Under gunicorn the app is in production unless told otherwise.
os.environ.setdefault("APP_ENV", "production")

cores = multiprocessing.cpu_count()
shared_limits = bool(os.environ.get("REDIS_URL") or os.environ.get("RATELIMIT_STORAGE_URI", "").strip()
                     not in ("", "memory://"))

bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or (min(2, cores) if shared_limits else 1))
# More threads than generations admitted (TTS_MAX_QUEUE, default 16): a request beyond the queue
# gets its 503 `busy` at once instead of waiting in the socket backlog for a thread.
threads = int(os.environ.get("GUNICORN_THREADS", "24"))
worker_class = "gthread"
os.environ.setdefault("TTS_THREADS", str(max(1, cores // workers)))
if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # /metrics sums over the workers through files in this folder (prometheus_client's multiprocess mode).
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="kokoro-metrics-")


def child_exit(server, worker):
    """A dead worker's live gauges (generations in progress) stop counting."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)

# With gthread workers this is the worker's heartbeat: a worker silent this long is
# restarted. Requests run in threads, so a long synthesis does not trip it.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# The longest request line gunicorn reads (its maximum; its default is 4094). Longer lines get its
# own HTML 414 before the app runs; up to this, the app answers a long query string itself, in
# JSON (414 `uri_too_long`, over 4096 bytes: kokoro_tts/rest.py).
limit_request_line = 8190
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
