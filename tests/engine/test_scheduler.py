"""The scheduler: a call alone takes every core, calls under load one core each side by side and
never more calls than cores; a request's first chunk first, then round robin; admission refuses
at once beyond the limits."""

from __future__ import annotations

import threading
import time

import pytest

from kokoro_tts.engine import Busy, Scheduler, TooManyAtOnce

pytestmark = pytest.mark.unit


def hold(scheduler: Scheduler, owner: str, first: bool, release: threading.Event) -> threading.Thread:
    """A call that holds its turn until `release`; returns once it runs."""
    entered = threading.Event()

    def call() -> None:
        with scheduler.turn(owner, first=first):
            entered.set()
            release.wait(10)

    thread = threading.Thread(target=call)
    thread.start()
    assert entered.wait(5)
    return thread


def run_turns(scheduler: Scheduler, calls: list[tuple[str, bool]], hold_for: float = 0.05) -> list[str]:
    """Start each call (owner, first) while the model (and the express call) are held, then let
    them run; the order served."""
    served: list[str] = []
    lock = threading.Lock()
    release, release_express = threading.Event(), threading.Event()
    holders = [hold(scheduler, "holder", False, release), hold(scheduler, "express", True, release_express)]

    def call(owner: str, first: bool) -> None:
        with scheduler.turn(owner, first=first):
            with lock:
                served.append(owner + ("*" if first else ""))
            time.sleep(hold_for)

    threads = []
    for owner, first in calls:
        t = threading.Thread(target=call, args=(owner, first))
        t.start()
        threads.append(t)
        while scheduler.waiting() < len(threads):
            time.sleep(0.001)
    release.set()
    for t in threads:
        t.join(5)
    release_express.set()
    for t in holders:
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


def test_a_call_alone_takes_every_core_and_the_next_waits_for_it():
    scheduler = Scheduler(cores=2)
    entered: list[bool] = []
    with scheduler.turn("a") as narrow:
        assert narrow is False

        def other() -> None:
            with scheduler.turn("b") as narrow_b:
                entered.append(narrow_b)

        t = threading.Thread(target=other)
        t.start()
        time.sleep(0.1)
        assert entered == [] and scheduler.waiting() == 1  # one core is free, but "a" holds both
    t.join(5)
    assert entered == [False]  # alone again once "a" is done


@pytest.mark.slow
def test_under_load_calls_take_one_core_each_side_by_side():
    scheduler = Scheduler(max_active=8, cores=2)
    inside: list[str] = []
    peak: list[int] = []
    narrow_calls: list[bool] = []
    changed = threading.Condition()
    ready, finished = threading.Barrier(3), threading.Barrier(3)

    def generation(owner: str) -> None:
        with scheduler.admitted(owner):
            ready.wait(5)  # three generations in progress all along: the model is shared
            for _ in range(6):
                with scheduler.turn(owner) as narrow:
                    with changed:
                        inside.append(owner)
                        narrow_calls.append(narrow)
                        changed.notify_all()
                        changed.wait_for(lambda: len(inside) >= 2, timeout=0.5)  # a partner, if one may come
                        peak.append(len(inside))
                        inside.remove(owner)
            finished.wait(30)

    threads = [threading.Thread(target=generation, args=(o,)) for o in "abc"]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(narrow_calls) == 18 and all(narrow_calls)
    assert max(peak) == 2  # both cores busy, and never a third call on them


def test_a_first_chunk_runs_at_once_beside_calls_that_hold_every_core():
    scheduler = Scheduler(max_active=8, cores=2)
    release = threading.Event()
    with scheduler.admitted("a"), scheduler.admitted("b"), scheduler.admitted("c"):
        holders = [hold(scheduler, owner, False, release) for owner in "ab"]  # one core each
        with scheduler.turn("c", first=True) as narrow:  # at once: the express call, on one core
            assert narrow is True
            later = [threading.Thread(target=take_turn, args=(scheduler, o, f)) for o, f in (("d", True), ("e", False))]
            for t in later:
                t.start()
            time.sleep(0.1)
            assert scheduler.waiting() == 2  # one express call at a time; the others wait for a core
        release.set()
        for t in holders + later:
            t.join(5)
            assert not t.is_alive()


def take_turn(scheduler: Scheduler, owner: str, first: bool) -> None:
    with scheduler.turn(owner, first=first):
        pass
