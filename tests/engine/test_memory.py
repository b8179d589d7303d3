"""The engine puts every thread on glibc's main malloc arena (see kokoro_tts.engine.memory)."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.unit

# A fresh interpreter: a thread's arena is decided when it first allocates. malloc_info lists
# one <heap> per arena.
PROBE = """
import ctypes, threading
import kokoro_tts.engine
import numpy as np

libc = ctypes.CDLL("libc.so.6")
libc.open_memstream.restype = ctypes.c_void_p
libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
libc.fclose.argtypes = [ctypes.c_void_p]
kept = []
threads = [threading.Thread(target=lambda: kept.extend(np.ones(10_000) for _ in range(100))) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
buf, size = ctypes.c_char_p(), ctypes.c_size_t()
stream = libc.open_memstream(ctypes.byref(buf), ctypes.byref(size))
libc.malloc_info(0, stream)
libc.fclose(stream)
print(buf.value.decode().count("<heap nr="))
"""


@pytest.mark.slow
def test_threads_allocate_from_one_arena():
    """Four threads allocating (and numpy's own) share the main arena: 1 arena, not 5."""
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "1"
