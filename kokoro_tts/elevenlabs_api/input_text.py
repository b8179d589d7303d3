"""Text streamed in word by word (ElevenLabs' `stream-input`): which of it is ready to speak.

A voice agent sends an LLM's reply as it comes. Speech starts as soon as a sentence is complete
(its first audio then waits for nothing else), or once the text buffered reaches the next length of
the `chunk_length_schedule` (cut at the last whole word), or when the client flushes or ends.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

#: ElevenLabs' default schedule: characters buffered before the 1st, 2nd ... generation.
DEFAULT_SCHEDULE = (120, 160, 250, 290)
_SENTENCE_END = re.compile(r"[.!?…。！？]+[\"'”’)\]」』]*\s+")


@dataclass
class TextBuffer:
    schedule: Sequence[int] = DEFAULT_SCHEDULE
    text: str = ""
    taken: int = field(default=0)  # pieces taken so far (the schedule's index)

    def add(self, text: str) -> None:
        self.text += text

    def _threshold(self) -> int:
        return self.schedule[min(self.taken, len(self.schedule) - 1)] if self.schedule else 0

    def _cut(self) -> int:
        """Where the text ready to speak ends (0: none is)."""
        ends = [m.end() for m in _SENTENCE_END.finditer(self.text)]
        if ends:
            return ends[-1]
        if self._threshold() and len(self.text) >= self._threshold():
            return self.text.rstrip().rfind(" ") + 1 if " " in self.text.strip() else 0
        return 0

    def take(self, flush: bool = False) -> str:
        """The text ready to speak, removed from the buffer ("" if none); all of it when flushed."""
        cut = len(self.text) if flush else self._cut()
        ready, self.text = self.text[:cut], self.text[cut:]
        if ready.strip():
            self.taken += 1
            return ready
        self.text = ready + self.text if not flush else ""
        return ""
