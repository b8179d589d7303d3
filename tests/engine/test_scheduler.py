"""The scheduler: model calls one at a time, a request's first chunk first, then round robin;
admission refuses at once beyond the limits."""

from __future__ import annotations

import threading
import time

import pytest

from kokoro_tts.engine import Busy, Scheduler, TooManyAtOnce


def run_turns(scheduler: Scheduler, calls: list[tuple[str, bool]], hold: float = 0.05) -> list[str]:
    """Start each call (owner, first) while the model is held, then let them run; the order served."""
    served: list[str] = []
    lock = threading.Lock()
    release = threading.Event()

    def holder() -> None:
        with scheduler.turn("holder"):
            release.wait(5)

    def call(owner: str, first: bool) -> None:
        with scheduler.turn(owner, first=first):
            with lock:
                served.append(owner + ("*" if first else ""))
            time.sleep(hold)

    threads = [threading.Thread(target=holder)]
    threads[0].start()
    time.sleep(0.05)
    for owner, first in calls:
        t = threading.Thread(target=call, args=(owner, first))
        t.start()
        threads.append(t)
        while scheduler.waiting() < len(threads) - 1:
            time.sleep(0.001)
    release.set()
    for t in threads:
        t.join(5)
    return served


def test_first_chunks_go_first_then_oldest():
    order = run_turns(Scheduler(), [("a", False), ("b", False), ("c", True), ("d", False), ("e", True)])
    assert order == ["c*", "e*", "a", "b", "d"]


def test_one_call_at_a_time():
    scheduler = Scheduler()
    inside = []
    peak = []

    def call(owner: str) -> None:
        for _ in range(5):
            with scheduler.turn(owner):
                inside.append(owner)
                peak.append(len(inside))
                time.sleep(0.002)
                inside.remove(owner)

    threads = [threading.Thread(target=call, args=(o,)) for o in "abcd"]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert max(peak) == 1 and len(peak) == 20


def test_admission_limits():
    scheduler = Scheduler(max_active=3, max_per_owner=2)
    with scheduler.admitted("ada"), scheduler.admitted("ada"):
        with pytest.raises(TooManyAtOnce) as too_many:
            with scheduler.admitted("ada"):
                pass
        assert too_many.value.code == "too_many_concurrent" and too_many.value.retry_after >= 1
        with scheduler.admitted("bob"):
            with pytest.raises(Busy) as busy:
                with scheduler.admitted("eve"):
                    pass
            assert busy.value.code == "busy" and busy.value.retry_after >= 1
    assert scheduler.active() == 0
    with scheduler.admitted("eve"):
        assert scheduler.active() == 1
