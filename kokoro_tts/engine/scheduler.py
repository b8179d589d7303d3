"""One owner of the machine's cores: model calls run one at a time, each with every inference
thread, handed out fairly.

Several calls at once on the same cores only take turns (measured: about 25% of throughput lost
to oversubscription), so calls queue here instead. Whose call goes next: a request's first chunk
before any other (a new listener hears something soon), then the oldest waiting call. A stream
waits for its next chunk's turn only after its previous one ran, so each owner has at most one
call waiting and "oldest first" is round robin between owners. While others wait, chunks are
kept short (`squeeze`), so that nobody holds the model for long.

Admission: at most `max_active` generations in the process (beyond: `Busy`, with a wait estimated
from recent generations), and at most `max_per_owner` for one owner (`TooManyAtOnce`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
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

from .errors import EngineError

T = TypeVar("T")


def _malloc_trim() -> Callable[[], None]:
    """glibc's malloc_trim: give the memory a model call freed back to the system at once."""
    try:
        trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to do
        return lambda: None
    return lambda: None if trim(0) else None


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
    def __init__(self, max_active: int = 8, max_per_owner: int = 2) -> None:
        self.max_active = max_active
        self.max_per_owner = max_per_owner
        self._cond = threading.Condition()
        self._waiting: list[_Ticket] = []
        self._busy = False
        self._seq = itertools.count()
        self._active: Counter[Hashable] = Counter()
        self._stats = _Stats()
        # Every model call runs on this one thread: the memory a call needs comes from one malloc
        # arena, not one per request thread (measured: 16 request threads kept 4.7 GB), and is
        # trimmed after each call.
        self._runner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kokoro-model")
        self._trim = _malloc_trim()

    # -- admission ------------------------------------------------------------------------------

    def _retry_after(self, queued: int) -> int:
        return max(1, min(300, math.ceil(self._stats.seconds * queued / max(1, self.max_active))))

    @contextmanager
    def admitted(self, owner: Hashable) -> Iterator[None]:
        """Hold one of the process' generation slots for `owner`, or refuse at once."""
        with self._cond:
            total = sum(self._active.values())
            if total >= self.max_active:
                raise Busy(f"the server is busy ({total} generations in progress); try again shortly",
                           self._retry_after(total))
            if self._active[owner] >= self.max_per_owner:
                raise TooManyAtOnce(f"at most {self.max_per_owner} generations at once per account",
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
            return sum(self._active.values())

    # -- the model's turns ----------------------------------------------------------------------

    def waiting(self) -> int:
        """Calls waiting for the model now (read without the lock: a hint)."""
        return len(self._waiting)

    def _next(self) -> _Ticket | None:
        firsts = [t for t in self._waiting if t.first]
        return min(firsts or self._waiting, key=lambda t: t.seq, default=None)

    def run(self, owner: Hashable, first: bool, call: Callable[[], T]) -> T:
        """Run one model call in its turn, on the model's thread."""
        with self.turn(owner, first):
            return self._runner.submit(self._trimmed, call).result()

    def _trimmed(self, call: Callable[[], T]) -> T:
        try:
            return call()
        finally:
            self._trim()

    @contextmanager
    def turn(self, owner: Hashable, first: bool = False) -> Iterator[None]:
        """Wait for this call's turn, hold the model while it runs, then hand it on."""
        ticket = _Ticket(owner, first, next(self._seq))
        with self._cond:
            self._waiting.append(ticket)
            try:
                while self._busy or self._next() is not ticket:
                    self._cond.wait()
            finally:
                self._waiting.remove(ticket)  # served, or given up (the others must not wait for it)
                self._cond.notify_all()
            self._busy = True
        try:
            yield
        finally:
            with self._cond:
                self._busy = False
                self._cond.notify_all()
