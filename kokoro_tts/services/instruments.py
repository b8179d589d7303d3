"""The Prometheus instruments the services record into (served at /metrics by `kokoro_tts.metrics`).

What to watch: `kokoro_generations_in_progress` (the load), `kokoro_time_to_first_audio_seconds`
and `kokoro_realtime_factor` (how fast people hear speech; under 1, synthesis is slower than
playback), characters synthesised and credits spent.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

IN_PROGRESS = Gauge("kokoro_generations_in_progress", "Generations being synthesised now",
                    multiprocess_mode="livesum")
FIRST_AUDIO = Histogram("kokoro_time_to_first_audio_seconds", "From the charge to the first audio ready",
                        buckets=(0.25, 0.5, 1, 1.5, 2, 3, 5, 8, 13, 20, 40))
REALTIME = Histogram("kokoro_realtime_factor", "Seconds of audio per second of synthesis, per generation",
                     buckets=(0.5, 1, 1.5, 2, 2.5, 3, 4, 6, 10))
CHARACTERS = Counter("kokoro_characters_synthesised_total", "Characters of text spoken")
CREDITS = Counter("kokoro_credits_spent_total", "Credits kept by settled generations (after refunds)")
STREAMS = Counter("kokoro_streams_total", "Streams ended, by whether their listener ever ran out of audio "
                  "(as their pacing clock says)", ["playback"])
SHORTFALL = Histogram("kokoro_stream_shortfall_seconds", "Silence a stream's listener waited for audio in all, "
                      "playing each piece as it came (as its pacing clock says; 0: none)",
                      buckets=(0, 0.25, 0.5, 1, 2, 5, 10, 20, 60))
QUEUE_WAIT = Histogram("kokoro_stream_queue_wait_seconds", "How long streams waited in line for real-time capacity",
                       buckets=(0.5, 1, 2, 5, 10, 20, 40, 80, 160))
LISTENERS = Gauge("kokoro_streams_listening", "Live streams being made for a listener now", multiprocess_mode="livesum")
WAITING = Gauge("kokoro_streams_waiting", "Live streams waiting in line for real-time capacity",
                multiprocess_mode="livesum")
CAPACITY = Gauge("kokoro_realtime_capacity", "Live streams this process serves in real time (cores x one core's "
                 "measured speed, with headroom; at most one per core)", multiprocess_mode="livesum")
