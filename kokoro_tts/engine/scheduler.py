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
from recent generations), and at most `max_per_owner` for one owner (`TooManyAtOnce`).
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
from typing import TypeVar

from .errors import EngineError, Message
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


@dataclass(eq=False)
class _Ticket:
    owner: Hashable
    first: bool
    seq: int


@dataclass
class _Stats:
    """A running average of how long a generation holds its slot (for Retry-After)."""

    seconds: float = 5.0
    weight: float = field(default=0.2)

    def add(self, seconds: float) -> None:
        self.seconds += self.weight * (seconds - self.seconds)


class Scheduler:
    def __init__(self, max_active: int = 8, max_per_owner: int = 2, cores: int = 1) -> None:
        self.max_active = max_active
        self.max_per_owner = max_per_owner
        self.cores = max(1, cores)
        self._cond = threading.Condition()
        self._waiting: list[_Ticket] = []
        self._used = 0  # cores held by the calls running
        self._calls = 0  # calls running
        self._express = False  # whether a first chunk runs beside calls that hold every core
        self._seq = itertools.count()
        self._active: Counter[Hashable] = Counter()
        self._stats = _Stats()
        # Model calls run on these threads (one per core, and the express one); the memory each
        # freed is trimmed after it (see `memory`).
        self._runner = ThreadPoolExecutor(max_workers=self.cores + 1, thread_name_prefix="kokoro-model")
        self._trim = trimmer()

    # -- admission ------------------------------------------------------------------------------

    def _retry_after(self, queued: int) -> int:
        return max(1, min(300, math.ceil(self._stats.seconds * queued / max(1, self.max_active))))

    @contextmanager
    def admitted(self, owner: Hashable) -> Iterator[None]:
        """Hold one of the process' generation slots for `owner`, or refuse at once."""
        with self._cond:
            total = self._generations()
            if total >= self.max_active:
                raise Busy(Message("the server is busy ({n} generations in progress); try again shortly", n=total),
                           self._retry_after(total))
            if self._active[owner] >= self.max_per_owner:
                raise TooManyAtOnce(Message("at most {n} generations at once per account", n=self.max_per_owner),
                                    self._retry_after(self._active[owner]))
            self._active[owner] += 1
        started = time.monotonic()
        try:
            yield
        finally:
            with self._cond:
                self._active[owner] -= 1
                if self._active[owner] <= 0:
                    del self._active[owner]
                self._stats.add(time.monotonic() - started)

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
        firsts = [t for t in self._waiting if t.first]
        return min(firsts or self._waiting, key=lambda t: t.seq, default=None)

    def run(self, owner: Hashable, first: bool, call: Callable[[bool], T]) -> T:
        """Run one model call in its turn, on a model thread; `call(narrow)` is told whether it
        must keep to one core (others run beside it) or may use them all."""
        with self.turn(owner, first) as narrow:
            return self._runner.submit(self._trimmed, call, narrow).result()

    def _trimmed(self, call: Callable[[bool], T], narrow: bool) -> T:
        try:
            return call(narrow)
        finally:
            self._trim()

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
    def turn(self, owner: Hashable, first: bool = False) -> Iterator[bool]:
        """Wait for this call's turn and its cores, hold them while it runs, then hand them on.

        Gives whether the call is narrow (one core, others beside it).
        """
        ticket = _Ticket(owner, first, next(self._seq))
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
