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
