"""Pacing and real-time admission: a stream's chunks grow only as fast as its listener's buffer;
live streams beyond the machine's real-time capacity wait in line, in order, and their calls go
before those of generations nobody hears yet."""

from __future__ import annotations

import threading
import time

import pytest

from kokoro_tts.engine import Busy, Interrupted, Scheduler
from kokoro_tts.engine.chunking import SQUEEZED_SLACK
from kokoro_tts.engine.pacing import HOLD_AT_MOST, MARGIN, MIN_TOKENS, START_MARGIN, Pacer

pytestmark = pytest.mark.unit


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_next_chunk_is_what_can_be_made_before_the_listener_runs_out():
    clock = Clock()
    pacer = Pacer(seconds_per_token=0.1, rate=None, clock=clock)
    assert pacer.max_tokens() is None  # no audio yet: the chunker's own short first chunk
    pacer.made(audio_seconds=2.0, wall_seconds=1.0, tokens=20)  # made at twice real time
    pacer.handed(5.0)
    assert pacer.buffered() == 5.0
    # 5 s left, made at 2x, with the margin, and room for a sentence the chunker keeps whole a little over
    assert pacer.max_tokens() == int(2.0 * 5.0 * MARGIN / SQUEEZED_SLACK / 0.1)
    clock.now += 4.5  # the listener heard 4.5 s meanwhile
    assert pacer.buffered() == pytest.approx(0.5)
    assert pacer.max_tokens() == MIN_TOKENS  # never less than a few words
    pacer.handed(4.0)
    assert not pacer.stalled
    clock.now += 10  # the next chunk came too late: the listener waited
    pacer.handed(1.0)
    assert pacer.stalled and pacer.max_tokens() == MIN_TOKENS


def test_the_shortfall_is_the_silence_a_listener_playing_each_piece_as_it_comes_waited_in_all():
    clock = Clock()
    pacer = Pacer(seconds_per_token=0.1, rate=None, clock=clock)
    pacer.handed(5.0)
    clock.now += 4.0
    pacer.handed(2.0)  # 1 s to spare
    assert pacer.shortfall == 0 and not pacer.stalled
    clock.now += 4.5  # 7 s handed out, 8.5 s gone: the listener waited 1.5 s...
    pacer.handed(1.0)
    assert pacer.shortfall == pytest.approx(1.5)
    clock.now += 3.0  # ...heard the 1 s piece, then waited 2 s more
    pacer.handed(4.0)
    clock.now += 1.0  # in time for a listener who restarted 3.5 s late
    pacer.handed(1.0)
    assert pacer.shortfall == pytest.approx(3.5) and pacer.stalled


def test_a_listener_still_hearing_earlier_audio_is_paced_from_the_first_chunk_and_not_held():
    """A socket's next piece (Engine.pacer's `unheard`): its listener has 5 s left of the last ones."""
    clock = Clock()
    fresh = Pacer(seconds_per_token=0.1, rate=2.0, clock=clock, characters=900)
    assert fresh.max_tokens() is None  # a fresh listener: the chunker's own first chunk (a whole sentence)
    hearing = Pacer(seconds_per_token=0.1, rate=2.0, clock=clock, characters=900)
    hearing.handed(5.0)  # what Engine.pacer does with `unheard`
    assert hearing.max_tokens() == int(2.0 * 5.0 * MARGIN / SQUEEZED_SLACK / 0.1)
    hearing.made(audio_seconds=1.0, wall_seconds=2.0, tokens=10)  # slower than heard: a fresh one is held
    assert hearing.may_start(1.0, 20)  # but this listener is already hearing: holding would be a stall


def test_a_slow_machine_makes_small_chunks_a_fast_one_big_ones():
    slow, fast = Pacer(0.1, clock=Clock()), Pacer(0.1, clock=Clock())
    for pacer, rate in ((slow, 1.1), (fast, 4.0)):
        pacer.made(audio_seconds=rate, wall_seconds=1.0, tokens=10)
        pacer.handed(5.0)
    assert slow.max_tokens() < fast.max_tokens()


def test_a_fast_enough_stream_starts_with_its_first_piece():
    pacer = Pacer(0.1, rate=None, clock=Clock(), characters=1_000)
    pacer.made(audio_seconds=3.0, wall_seconds=1.0, tokens=40)  # three times real time
    assert pacer.may_start(audio_seconds=3.0, chars=50)


def test_a_stream_made_slower_than_heard_holds_its_start_until_the_rest_can_follow():
    """At 0.5x real time, 30 s of speech take 60 s to make: the listener starts once the audio
    made covers what the rest takes longer to make than to hear, then hears it without a stop."""
    clock = Clock()
    pacer = Pacer(0.1, rate=None, clock=clock, characters=300)  # 0.1 s per character, below
    made = 0.0
    while True:
        pacer.made(audio_seconds=1.0, wall_seconds=2.0, tokens=12)  # 0.5x real time
        clock.now += 2.0
        made += 1.0
        if pacer.may_start(audio_seconds=1.0, chars=10):
            break
    left = 30.0 - made
    speed = 0.5 * START_MARGIN
    assert made >= left * (1 / speed - 1) > made - 2.0  # held just long enough, with the margin
    assert clock.now - 100.0 < HOLD_AT_MOST
    pacer.handed(made)
    while left > 0:  # the rest, made at 0.5x while the listener hears
        clock.now += 2.0
        pacer.handed(1.0)
        left -= 1.0
    assert not pacer.stalled and pacer.may_start(audio_seconds=1.0, chars=10)


def test_a_start_is_held_for_at_most_a_minute():
    clock = Clock()
    pacer = Pacer(0.1, rate=None, clock=clock, characters=100_000)  # hours of speech at 0.1x
    pacer.made(audio_seconds=1.0, wall_seconds=10.0, tokens=12)
    assert not pacer.may_start(audio_seconds=1.0, chars=10)
    clock.now += HOLD_AT_MOST
    assert pacer.may_start(audio_seconds=1.0, chars=10)


def test_live_streams_beyond_capacity_wait_in_line_in_order():
    scheduler = Scheduler(max_active=8, cores=1, line_size=2)
    scheduler._core_speed = 1.0  # one live stream in real time, with the headroom
    assert scheduler.capacity() == 1
    first = scheduler.admitted("ada", live=True)
    assert first.__enter__().admitted
    with scheduler.admitted("bob", live=True) as second, scheduler.admitted("eve", live=True) as third:
        assert (second.admitted, third.admitted) == (False, False)
        assert (second.ahead(), third.ahead()) == (0, 1) and scheduler.places("eve") == [2]
        with pytest.raises(Busy):  # the line is full
            with scheduler.admitted("dan", live=True):
                pass
        with scheduler.admitted("dan"):  # a whole generation takes a slot, not a place in line
            pass
        started: list[str] = []
        waiter = threading.Thread(target=lambda: (second.wait(), started.append("bob")))
        waiter.start()
        time.sleep(0.2)
        assert started == [] and scheduler.listeners() == (1, 2, 1)  # ada still plays
        first.__exit__(None, None, None)  # ada's stream ends: bob, first in line, starts
        waiter.join(5)
        assert started == ["bob"] and scheduler.listeners() == (1, 1, 1) and third.ahead() == 0
    assert scheduler.listeners() == (0, 0, 1)


def test_without_a_line_a_stream_beyond_capacity_is_busy_at_once():
    scheduler = Scheduler(max_active=8, cores=1, line_size=0)
    scheduler._core_speed = 1.0
    with scheduler.admitted("ada", live=True), pytest.raises(Busy) as busy:
        with scheduler.admitted("bob", live=True):
            pass
    assert busy.value.retry_after >= 1


def test_capacity_is_at_most_one_live_stream_per_core_however_fast_they_seem():
    scheduler = Scheduler(max_active=8, cores=2)
    scheduler._core_speed = 3.0  # short narrow calls beside an idle core measure fast
    assert scheduler.capacity() == 2
    scheduler._core_speed = 0.5  # slower than real time: one stream still plays
    assert scheduler.capacity() == 1


def test_a_refused_stream_is_told_when_a_place_is_likely_to_free():
    """Retry-After for a live stream: what is left of the oldest stream's likely length, then one
    length per capacity for each listener in line; not the generations' one-second average."""
    scheduler = Scheduler(max_active=8, cores=1, line_size=1)
    scheduler._core_speed = 1.0
    scheduler._live_stats.seconds = 60.0
    with scheduler.admitted("ada", live=True) as playing:
        playing.since -= 20  # ada's stream has played for 20 s of its likely 60
        with pytest.raises(Busy) as line_full, scheduler.admitted("bob", live=True):
            with scheduler.admitted("eve", live=True):
                pass
    assert 95 <= line_full.value.retry_after <= 101  # 40 s for ada's, then 60 s for bob's
    assert 51 < scheduler._live_stats.seconds < 53  # ada ended after 20 s: the average follows (60 → 52)


def test_a_stream_longer_than_most_still_sends_the_refused_away_for_a_while():
    """Once the oldest stream has outlasted the average, a refusal does not say 'in 1 s' (the
    answer would be no again): a quarter of a stream's length."""
    scheduler = Scheduler(max_active=8, cores=1, line_size=0)
    scheduler._core_speed = 1.0
    scheduler._live_stats.seconds = 60.0
    with scheduler.admitted("ada", live=True) as playing:
        playing.since -= 90  # ada's stream has played 90 s, longer than the 60 s streams last
        with pytest.raises(Busy) as busy, scheduler.admitted("bob", live=True):
            pass
    assert busy.value.retry_after == 15


def test_a_listener_who_leaves_the_line_gives_up_its_place():
    scheduler = Scheduler(max_active=8, cores=1, line_size=4)
    scheduler._core_speed = 1.0
    with scheduler.admitted("ada", live=True), scheduler.admitted("bob", live=True) as waiting:
        with pytest.raises(Interrupted):
            waiting.wait(stop=lambda: True, every=0.01)
    assert scheduler.listeners() == (0, 0, 1)


def test_live_calls_go_before_the_calls_nobody_hears_yet():
    scheduler = Scheduler(max_active=8, cores=1)
    release = threading.Event()
    served: list[str] = []

    def holder() -> None:
        with scheduler.turn("holder"):
            release.wait(5)

    def call(owner: str, live: bool) -> None:
        with scheduler.turn(owner, live=live):
            served.append(owner)

    threads = [threading.Thread(target=holder)]
    threads[0].start()
    while scheduler._calls == 0:
        time.sleep(0.001)
    for owner, live in (("whole", False), ("live", True)):
        threads.append(threading.Thread(target=call, args=(owner, live)))
        threads[-1].start()
        while scheduler.waiting() < len(threads) - 1:
            time.sleep(0.001)
    release.set()
    for thread in threads:
        thread.join(5)
    assert served == ["live", "whole"]
