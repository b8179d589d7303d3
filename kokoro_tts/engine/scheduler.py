"""One owner of the machine's cores: model calls are handed out fairly, and never more threads
than cores.

A call alone takes every core (one "wide" call). Under load, calls are "narrow": one core each,
one per core side by side, since two 1-thread calls get more done than one 2-thread call, and
more threads than cores only take turns (measured: about 25% of throughput lost to
oversubscription). Whose call goes next: a request's first chunk before any other (a new
listener hears something soon; if no core is free it runs at once as the one "express" call,
kept to a clause), then the oldest waiting call. A stream waits for its next
chunk's turn only after its previous one ran, so each owner has at most one call waiting and
"oldest first" is round robin between owners. While the model is shared (`contended`), chunks
are kept short, so that nobody holds a core for long.

Admission: at most `max_active` generations in the process (beyond: `Busy`, with a wait estimated
from recent generations), and at most `max_per_owner` for one owner (`TooManyAtOnce`). A live
stream (someone hears it as it is made) is admitted only while every live stream can still be
served in real time: the machine's capacity is its cores times the measured speed of one core
(audio seconds per second), less a margin, and never more than one live stream per core (a
stream whose next chunk waits behind another's runs out, however fast the cores: measured, three
streams admitted on two cores at a measured 1.9x stalled about 7 s each). Beyond it, live streams
wait in line (at most `line_size`; none: `Busy` at once, with a wait estimated from how long live
streams have lasted), in order; their calls go before those of generations nobody hears yet,
which take what the live streams leave.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections import Counter
from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .errors import EngineError, Interrupted, Message
from .memory import trimmer

T = TypeVar("T")


class Busy(EngineError):
    """The server has as much work as it can take; `retry_after` estimates when to try again."""

    code = "busy"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TooManyAtOnce(EngineError):
    code = "too_many_concurrent"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


#: Of the machine's real-time capacity, the part live streams may take: the rest absorbs the
#: speed's swings (other work, longer chunks) without a listener running out.
HEADROOM = 0.8
#: One core's speed (audio seconds per second) before any is measured: this kind of machine's,
#: one inference thread on the int8 model (DESIGN.md: 2.8x for two side by side).
CORE_SPEED = 1.4
#: How much each call's measure weighs against the earlier ones.
SPEED_WEIGHT = 0.2
SAMPLE_RATE = 24_000


@dataclass(eq=False)
class _Ticket:
    owner: Hashable
    first: bool
    seq: int
    live: bool = False


@dataclass
class _Stats:
    """A running average of how long a generation (or a live stream) holds its slot (for
    Retry-After)."""

    seconds: float = 5.0
    weight: float = field(default=0.2)

    def add(self, seconds: float) -> None:
        self.seconds += self.weight * (seconds - self.seconds)


class Admission:
    """A generation's slot. A live stream's may have to wait in line: `ahead` says how many live
    streams are before it, `wait` blocks until it may start (`stop()`, asked now and then, gives up)."""

    def __init__(self, scheduler: Scheduler, owner: Hashable, live: bool) -> None:
        self.scheduler = scheduler
        self.owner = owner
        self.live = live
        self.admitted = not live
        self.since = 0.0  # when a live stream was admitted (monotonic)

    def ahead(self) -> int:
        with self.scheduler._cond:
            line = self.scheduler._line
            return line.index(self) if self in line else 0

    def wait(self, stop: Callable[[], bool] | None = None, every: float = 0.5) -> float:
        """Block until this stream may start; the seconds it waited. Interrupted if `stop` says so."""
        started = time.monotonic()
        with self.scheduler._cond:
            while not self.scheduler._may_start(self):
                self.scheduler._cond.wait(every)
                if stop is not None and stop():
                    raise Interrupted(Message("the listener left while waiting in line"))
        return time.monotonic() - started


class Scheduler:
    def __init__(self, max_active: int = 8, max_per_owner: int = 2, cores: int = 1, line_size: int = 8) -> None:
        self.max_active = max_active
        self.max_per_owner = max_per_owner
        self.cores = max(1, cores)
        self.line_size = line_size
        self._core_speed = CORE_SPEED
        self._live: set[Admission] = set()  # live streams admitted and not ended
        self._line: list[Admission] = []  # live streams waiting for capacity, in order
        self._cond = threading.Condition()
        self._waiting: list[_Ticket] = []
        self._used = 0  # cores held by the calls running
        self._calls = 0  # calls running
        self._express = False  # whether a first chunk runs beside calls that hold every core
        self._seq = itertools.count()
        self._active: Counter[Hashable] = Counter()
        self._stats = _Stats()
        self._live_stats = _Stats(seconds=30.0)  # a paragraph's stream, before any is measured
        # Model calls run on these threads (one per core, and the express one); the memory each
        # freed is trimmed after it (see `memory`).
        self._runner = ThreadPoolExecutor(max_workers=self.cores + 1, thread_name_prefix="kokoro-model")
        self._trim = trimmer()

    # -- admission ------------------------------------------------------------------------------

    def _retry_after(self, queued: int) -> int:
        return max(1, min(300, math.ceil(self._stats.seconds * queued / max(1, self.max_active))))

    def _live_retry_after(self) -> int:
        """When a refused live stream may find a place: when the stream admitted first is
        likely to end (once it has lasted longer than streams do, a quarter of a stream's length
        from now: asked again at once, the answer would only be no again), then one stream's
        length per capacity for each listener in line (lock held)."""
        length = self._live_stats.seconds
        now = time.monotonic()
        lasted = max((now - a.since for a in self._live), default=length)
        soonest = max(length / 4, length - lasted)
        wait = soonest + length * len(self._line) / self.capacity()
        return max(1, min(300, math.ceil(wait)))

    def _refuse_beyond_slots(self, owner: Hashable) -> None:
        """Busy when the process has all it takes, TooManyAtOnce when the owner has (lock held)."""
        total = self._generations()
        if total >= self.max_active:
            raise Busy(Message("the server is busy ({n} generations in progress); try again shortly", n=total),
                       self._retry_after(total))
        if self._active[owner] >= self.max_per_owner:
            raise TooManyAtOnce(Message("at most {n} generations at once per account", n=self.max_per_owner),
                                self._retry_after(self._active[owner]))

    def capacity(self) -> int:
        """How many live streams the machine serves in real time now: at least one, at most one
        per core."""
        return max(1, min(self.cores, int(self.cores * self._core_speed * HEADROOM)))

    def core_speed(self) -> float:
        """One core's measured speed: seconds of audio per second of one inference thread."""
        return self._core_speed

    def _enter(self, admission: Admission) -> None:
        """A live stream starts now if there is room and nobody waits, else waits in line, else
        is refused (lock held)."""
        if len(self._live) < self.capacity() and not self._line:
            self._play(admission)
        elif len(self._line) < self.line_size:
            self._line.append(admission)
        else:
            waiting = len(self._line) + len(self._live)
            raise Busy(Message("the server is busy ({n} listeners at once); try again shortly", n=waiting),
                       self._live_retry_after())

    def _play(self, admission: Admission) -> None:
        admission.admitted = True
        admission.since = time.monotonic()
        self._live.add(admission)

    def _leave(self, admission: Admission) -> None:
        if admission in self._live:
            self._live.remove(admission)
            self._live_stats.add(time.monotonic() - admission.since)
        elif admission in self._line:
            self._line.remove(admission)
        self._cond.notify_all()

    @contextmanager
    def admitted(self, owner: Hashable, live: bool = False) -> Iterator[Admission]:
        """Hold one of the process' generation slots for `owner`, or refuse at once; a live stream
        may then have to wait its turn in line for real-time capacity (`Admission.wait`)."""
        admission = Admission(self, owner, live)
        with self._cond:
            self._refuse_beyond_slots(owner)
            if live:
                self._enter(admission)
            self._active[owner] += 1
        started = time.monotonic()
        try:
            yield admission
        finally:
            with self._cond:
                self._active[owner] -= 1
                if self._active[owner] <= 0:
                    del self._active[owner]
                if live:
                    self._leave(admission)
                self._stats.add(time.monotonic() - started)

    def _may_start(self, admission: Admission) -> bool:
        """Whether the live stream first in line may start now (lock held)."""
        if not admission.admitted and admission not in self._line:
            raise Interrupted(Message("the listener left while waiting in line"))
        if self._line and self._line[0] is admission and len(self._live) < self.capacity():
            self._line.pop(0)
            self._play(admission)
            self._cond.notify_all()
        return admission.admitted

    def places(self, owner: Hashable) -> list[int]:
        """Where `owner`'s live streams stand in line (1: next to start)."""
        with self._cond:
            return [n for n, waiting in enumerate(self._line, start=1) if waiting.owner == owner]

    def listeners(self) -> tuple[int, int, int]:
        """(live streams being made, live streams waiting in line, the capacity) now."""
        with self._cond:
            return len(self._live), len(self._line), self.capacity()

    def active(self) -> int:
        with self._cond:
            return self._generations()

    def _generations(self) -> int:
        """Generations in progress (the caller holds the lock)."""
        return sum(self._active.values())

    def contended(self) -> bool:
        """Whether the model is shared now: calls wait or run, or other generations are in progress."""
        with self._cond:
            return bool(self._waiting) or self._calls > 0 or self._generations() > 1

    # -- the model's turns ----------------------------------------------------------------------

    def waiting(self) -> int:
        """Calls waiting for the model now (read without the lock: a hint)."""
        return len(self._waiting)

    def _next(self) -> _Ticket | None:
        """Whose call goes next: a first chunk, else a live stream's, else any; the oldest of them."""
        firsts = [t for t in self._waiting if t.first]
        live = [t for t in self._waiting if t.live]
        return min(firsts or live or self._waiting, key=lambda t: t.seq, default=None)

    def run(self, owner: Hashable, first: bool, call: Callable[[bool], T], live: bool = False) -> T:
        """Run one model call in its turn, on a model thread; `call(narrow)` is told whether it
        must keep to one core (others run beside it) or may use them all. A `live` stream's call
        goes before the calls of generations nobody hears yet."""
        with self.turn(owner, first, live) as narrow:
            return self._runner.submit(self._measured, call, narrow).result()

    def _measured(self, call: Callable[[bool], T], narrow: bool) -> T:
        """The call, its memory trimmed after it, and the speed of a core measured on it."""
        started = time.perf_counter()
        try:
            result = call(narrow)
        finally:
            self._trim()
        self._observe(getattr(result, "audio", None), time.perf_counter() - started, narrow)
        return result

    def _observe(self, audio: Any, seconds: float, narrow: bool) -> None:
        """A call that kept to one core (narrow) made `audio` in `seconds`: one core's speed."""
        if audio is None or seconds <= 0 or not len(audio):
            return
        if not narrow:
            return  # all the cores on one call: it says little of one core beside others
        speed = len(audio) / SAMPLE_RATE / seconds
        with self._cond:
            self._core_speed += SPEED_WEIGHT * (speed - self._core_speed)
            self._cond.notify_all()  # capacity may have grown: the line may move

    def _grant(self, ticket: _Ticket) -> int | None:
        """Cores the call of `ticket` may take now (0: the express call), or None to wait.

        Its turn come, a call alone takes every core, else one if one is free. A first chunk
        finding none free runs at once beside the others as the one express call (a short clause,
        about a second on one core): a new listener does not wait for a long chunk to end, at
        the cost of sharing the cores with one call more for that second.
        """
        if self._next() is not ticket:
            return None
        alone = self._calls == 0 and len(self._waiting) == 1 and self._generations() <= 1
        need = self.cores if alone else 1
        if self.cores - self._used >= need:
            return need
        if ticket.first and not self._express:
            return 0
        return None

    @contextmanager
    def turn(self, owner: Hashable, first: bool = False, live: bool = False) -> Iterator[bool]:
        """Wait for this call's turn and its cores, hold them while it runs, then hand them on.

        Gives whether the call is narrow (one core, others beside it).
        """
        ticket = _Ticket(owner, first, next(self._seq), live)
        with self._cond:
            self._waiting.append(ticket)
            try:
                while (cores := self._grant(ticket)) is None:
                    self._cond.wait()
            finally:
                self._waiting.remove(ticket)  # served, or given up (the others must not wait for it)
                self._cond.notify_all()
            self._used += cores
            self._calls += 1
            self._express = self._express or cores == 0
        try:
            yield cores < self.cores
        finally:
            with self._cond:
                self._used -= cores
                self._calls -= 1
                self._express = self._express and cores != 0
                self._cond.notify_all()
