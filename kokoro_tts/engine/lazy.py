"""Values built on first use, once, even when several threads ask at the same time.

Models, voice packs and phonemizers are slow to build and used by every request thread, so each
is built by the first thread that needs it while the others wait, then read without a lock. A
build that raises stores nothing: the next call tries again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Generic, TypeVar, cast

K = TypeVar("K")
T = TypeVar("T")

_UNSET = object()


class Once(Generic[T]):
    """One value, built by ``build()`` on the first ``get()``."""

    __slots__ = ("_build", "_lock", "_value")

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._lock = threading.Lock()
        self._value: object = _UNSET

    def get(self) -> T:
        value = self._value
        if value is _UNSET:
            with self._lock:
                value = self._value
                if value is _UNSET:
                    value = self._value = self._build()
        return cast(T, value)

    @property
    def done(self) -> bool:
        """Whether the value has been built (without building it)."""
        return self._value is not _UNSET


class OnceMap(Generic[K, T]):
    """One value per key, built by ``build(key)`` on the first ``get(key)``.

    Each key has its own lock, so a slow build for one key does not hold up the others.
    """

    def __init__(self, build: Callable[[K], T], known: Mapping[K, T] | None = None) -> None:
        self._build = build
        self._lock = threading.Lock()
        self._values: dict[K, T] = dict(known or {})
        self._pending: dict[K, Once[T]] = {}

    def get(self, key: K) -> T:
        try:
            return self._values[key]
        except KeyError:
            pass
        with self._lock:
            once = self._pending.get(key)
            if once is None:
                once = self._pending[key] = Once(lambda: self._build(key))
        value = self._values[key] = once.get()
        return value
