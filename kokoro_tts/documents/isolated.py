"""Reading an upload in a process of its own, under a hard bound of time and memory.

The readers are linear and stop at their `Limits`, but an upload is a stranger's input: it is
read in a child of a fork server (started once per process, with the readers imported), whose
address space is capped (RLIMIT_AS) and which is killed when it takes longer than allowed. The
process that serves requests never inflates nor parses an upload, so one cannot slow it down or
leave memory behind in it.
"""

from __future__ import annotations

import multiprocessing
import resource
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from ..engine.errors import Message
from . import read
from .model import Document, DocumentError, Limits

_CONTEXT: Any = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["kokoro_tts.documents.epub", "kokoro_tts.documents.html_text"])


@dataclass(frozen=True)
class Reading:
    """A document read (or the error that refused it), and the peak resident memory (kB) of the
    process that read it (0 when it was killed)."""

    outcome: Document | DocumentError
    peak_kb: int


def _peak_kb() -> int:
    with open("/proc/self/status") as status:
        line = next((line for line in status if line.startswith("VmHWM:")), "VmHWM: 0 kB")
    return int(line.split()[1])


def _too_big(filename: str) -> DocumentError:
    return DocumentError("file_too_large", Message("{name} needs more memory to read than a document may take",
                                                  name=filename))


def _child(conn: Connection, filename: str, data: bytes, limits: Limits, memory_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    outcome: Document | DocumentError
    try:
        outcome = read(filename, data, limits)
    except DocumentError as exc:
        outcome = exc
    except MemoryError:
        outcome = _too_big(filename)
    conn.send((outcome, _peak_kb()))
    conn.close()


def read_isolated(filename: str, data: bytes, limits: Limits, seconds: float, memory_bytes: int) -> Reading:
    """`read` in a child process given at most `seconds` and `memory_bytes` of address space:
    the document, or the DocumentError that refused it, and the child's peak memory."""
    receive, send = _CONTEXT.Pipe(duplex=False)
    child = _CONTEXT.Process(target=_child, args=(send, filename, data, limits, memory_bytes), daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(seconds):
            slow = Message("{name} takes longer than {seconds} s to read", name=filename, seconds=seconds)
            return Reading(DocumentError("file_too_large", slow), 0)
        outcome, peak = receive.recv()
    except EOFError:  # it died: out of memory in code that could not raise MemoryError
        return Reading(_too_big(filename), 0)
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join()
    return Reading(outcome, peak)


def read_bounded(filename: str, data: bytes, limits: Limits, seconds: float, memory_bytes: int) -> Document:
    """The document, read as `read_isolated` reads it; a DocumentError if it is refused."""
    reading = read_isolated(filename, data, limits, seconds, memory_bytes)
    if isinstance(reading.outcome, DocumentError):
        raise reading.outcome
    return reading.outcome
