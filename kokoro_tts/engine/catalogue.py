"""The 54 official Kokoro-82M v1.0 voices, from the copy of hexgrad's VOICES.md kept as package data."""

from __future__ import annotations

import csv
import importlib.resources
from dataclasses import dataclass
from functools import lru_cache

from .languages import language_of_voice


@dataclass(frozen=True)
class VoiceInfo:
    """One catalogue entry; ``available`` says whether a loaded voice pack holds it."""

    id: str
    name: str
    language: str | None
    gender: str | None
    grade: str | None
    available: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "language": self.language,
            "gender": self.gender,
            "grade": self.grade,
            "available": self.available,
        }


def display_name(voice_id: str) -> str:
    """``af_heart`` -> ``Heart``: the part after the prefix, capitalised."""
    _, _, rest = voice_id.partition("_")
    return (rest or voice_id).replace("_", " ").title()


def info_for(voice_id: str) -> VoiceInfo:
    """The catalogue entry for an id, or one derived from the id for a voice outside the catalogue."""
    known = catalogue_index().get(voice_id)
    if known is not None:
        return known
    gender = {"f": "female", "m": "male"}.get(voice_id[1:2]) if "_" in voice_id else None
    return VoiceInfo(voice_id, display_name(voice_id), language_of_voice(voice_id), gender, None)


@lru_cache(maxsize=1)
def catalogue() -> tuple[VoiceInfo, ...]:
    """All official voices in catalogue order (availability not filled in)."""
    text = (importlib.resources.files(__package__) / "data" / "voices-v1.0.tsv").read_text("utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    out = []
    for row in csv.DictReader(lines, delimiter="\t"):
        vid = row["id"].strip()
        out.append(
            VoiceInfo(
                id=vid,
                name=display_name(vid),
                language=row["language"].strip() or None,
                gender=row["gender"].strip() or None,
                grade=(row.get("grade") or "").strip() or None,
            )
        )
    return tuple(out)


@lru_cache(maxsize=1)
def catalogue_index() -> dict[str, VoiceInfo]:
    return {v.id: v for v in catalogue()}
