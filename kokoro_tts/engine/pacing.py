"""How long a stream's next chunk may be, so that it is ready before the listener runs out.

A listener starts hearing at the stream's first audio and hears it in real time: at any moment
it has `buffered` seconds left (the audio handed out, less the time since the first). A chunk of
`a` seconds of audio takes `a / rate` seconds to make, where `rate` is how fast this stream's
chunks have been made (audio seconds per wall second, waiting for the model included: it says
how shared the machine is). So the next chunk may make at most `rate * buffered * MARGIN`
seconds of audio, and chunks grow only as fast as the listener's buffer does, up to the model's
limit. The chunker keeps a sentence whole when it is only a little over the limit (up to
`SQUEEZED_SLACK` times it), so the limit given is that much lower: a chunk never takes more than
MARGIN of the buffer to make. Before the first measurement, the scheduler's recent calls give
the rate.

Where the stream is made slower than it is heard (a slow or busy machine), no chunk size keeps
up: the listener's start is held instead, until the audio made covers what the rest will take
longer to make than to hear (`may_start`), for `HOLD_AT_MOST` seconds at most. One wait first,
then no stops, as a video player buffers; a machine fast enough starts at once, as before.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from .chunking import SQUEEZED_SLACK

#: The most of the buffered audio a chunk may take to make: the rest is the safety margin (the
#: machine's speed changes as others come and go; measured, with a chunk allowed the whole 0.6 and
#: the chunker's slack over it, two streams on two cores stalled 1.3 to 2 s once each in 85 s).
MARGIN = 0.6
#: How much each new chunk's measured rate weighs against the earlier ones.
WEIGHT = 0.5
#: Below this, chunks are cut into clauses and words anyway: a chunk this small is spoken badly.
MIN_TOKENS = 24
#: The share of the measured rate counted on when deciding how long to hold the start.
START_MARGIN = 0.85
#: The longest a listener's start is held (seconds after the stream's first piece is made).
HOLD_AT_MOST = 60.0


class Pacer:
    """One stream's clock: what it handed out, how fast its chunks were made."""

    def __init__(self, seconds_per_token: float, rate: float | None = None,
                 clock: Callable[[], float] = time.monotonic, characters: int = 0) -> None:
        self.clock = clock
        self.first_made: float | None = None
        self.characters = characters  # of the whole text: what is left to make is estimated from it
        self.made_chars = 0
        self.made_audio = 0.0
        self.seconds_per_token = seconds_per_token
        self.rate = rate  # audio seconds made per wall second; None: not measured yet
        self.measured: float | None = None  # the same, from this stream's own chunks only
        self.started: float | None = None
        self.sent = 0.0
        self.lowest = float("inf")  # the least audio the listener was left with, when a chunk came

    def made(self, audio_seconds: float, wall_seconds: float, tokens: int) -> None:
        """A chunk is made: `audio_seconds` of it, in `wall_seconds`, from `tokens` tokens."""
        if wall_seconds > 0 and audio_seconds > 0:
            rate = audio_seconds / wall_seconds
            self.rate = rate if self.rate is None else self.rate + WEIGHT * (rate - self.rate)
            self.measured = rate if self.measured is None else self.measured + WEIGHT * (rate - self.measured)
        if tokens > 0 and audio_seconds > 0:
            self.seconds_per_token += WEIGHT * (audio_seconds / tokens - self.seconds_per_token)

    def may_start(self, audio_seconds: float, chars: int) -> bool:
        """A piece is made (`audio_seconds` of it, for `chars` characters of the text): whether its
        listener may start hearing now. Yes once started, or when the audio made so far lasts as long
        as the rest will take to make beyond its own length (estimated from the characters left
        and this stream's own seconds per character and rate, not the scheduler's guess, which
        short calls beside an idle core make fast), or after HOLD_AT_MOST."""
        if self.started is not None:
            return True
        now = self.clock()
        self.first_made = now if self.first_made is None else self.first_made
        self.made_audio += audio_seconds
        self.made_chars += chars
        if self.measured is None or not self.made_chars or now - self.first_made >= HOLD_AT_MOST:
            return self.made_audio > 0
        speed = min(self.measured, self.rate or self.measured) * START_MARGIN
        left = max(0, self.characters - self.made_chars) * self.made_audio / self.made_chars
        return speed >= 1 or self.made_audio >= left * (1 / speed - 1)

    def handed(self, audio_seconds: float) -> None:
        """Audio leaves for the listener (the first starts their clock)."""
        if audio_seconds <= 0:
            return
        now = self.clock()
        if self.started is None:
            self.started = now
        else:
            self.lowest = min(self.lowest, self.buffered(now))
        self.sent += audio_seconds

    def buffered(self, now: float | None = None) -> float:
        """Seconds of audio the listener has left to hear (negative: they wait, a stall)."""
        if self.started is None:
            return 0.0
        return self.sent - ((self.clock() if now is None else now) - self.started)

    def max_tokens(self) -> int | None:
        """The most tokens the next chunk may hold; None before any audio (the first chunk is the
        chunker's own, short) or before any measure of the rate."""
        if self.started is None or self.rate is None:
            return None
        seconds = self.rate * max(0.0, self.buffered()) * MARGIN / SQUEEZED_SLACK
        return max(MIN_TOKENS, int(seconds / self.seconds_per_token))

    @property
    def shortfall(self) -> float:
        """Seconds of silence the stream's delivery forced on a listener who plays each piece as it
        comes, in all: the largest lateness of any piece against the audio handed out before it (0: none)."""
        return max(0.0, -self.lowest)

    @property
    def stalled(self) -> bool:
        """Whether the listener ran out of audio before a chunk came (as far as the clock says)."""
        return self.shortfall > 0
