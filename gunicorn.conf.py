"""gunicorn settings, read from the environment (Render sets PORT)."""

import multiprocessing
import os

# Under gunicorn the app is in production unless told otherwise.
os.environ.setdefault("APP_ENV", "production")

bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2, multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
# Inference threads across all workers should not exceed the cores: beyond that the
# workers only take turns on the CPU and throughput drops (measured; see DESIGN.md).
os.environ.setdefault("TTS_THREADS", str(max(1, multiprocessing.cpu_count() // workers)))
# With gthread workers this is the worker's heartbeat: a worker silent this long is
# restarted. Requests run in threads, so a long synthesis does not trip it.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
