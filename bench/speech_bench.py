"""Speech quality: what an offline recogniser hears, and word timings: bench/README.md, "Speech quality"."""

from __future__ import annotations

import json
import re

import av
import harness
import jiwer
import numpy as np
from pocketsphinx import Decoder

from kokoro_tts.engine import Engine, EngineSettings
from kokoro_tts.engine.normalize import Options

LANG, VOICE = "en-us", "jm_kumo"

NUMBERS = (
    "The invoice came to $1,249.99 and was paid on March 14, 2023 at 4:45 pm. "
    "The parcel weighed 12 kg and travelled 350 km in 6 hours, about 58 km/h. "
    "Sales grew 7.5% to $3 million, and 42 of the 250 stores opened before 9:00. "
    "Dr. Lee called 555-867-5309 and met Mr. Grant at 10:30 am on the 3rd floor."
)
#: NUMBERS as a person reads it aloud, written by hand.
NUMBERS_SAID = (
    "the invoice came to one thousand two hundred forty nine dollars and ninety nine cents and was paid "
    "on march fourteenth twenty twenty three at four forty five p m "
    "the parcel weighed twelve kilograms and travelled three hundred fifty kilometers in six hours about "
    "fifty eight kilometers per hour "
    "sales grew seven point five percent to three million dollars and forty two of the two hundred fifty "
    "stores opened before nine o'clock "
    "doctor lee called five five five eight six seven five three zero nine and met mister grant at ten "
    "thirty a m on the third floor"
)
PROSE = (
    "The old lighthouse stood at the edge of the cliff, watching over the restless sea. "
    "Every evening the keeper climbed the narrow stairs to light the lamp, and every morning "
    "he walked down to the village to buy bread and hear the news. One winter a storm broke the "
    "windows, and the children of the village came to help him mend them."
)

#: More prose for the timings (their words read as written, so the aligner gets the same words).
STORY = (
    "When the train finally arrived, the platform was crowded with travellers carrying heavy bags. "
    "A young woman in a green coat helped an old man with his suitcase, and together they found two "
    "seats by the window. Outside, the fields were covered in frost, and the sun rose slowly over the hills."
)


def to_16k(audio: np.ndarray) -> bytes:
    resampler = av.AudioResampler(format="s16", layout="mono", rate=16000)
    frame = av.AudioFrame.from_ndarray(audio.reshape(1, -1).astype(np.float32), format="flt", layout="mono")
    frame.sample_rate = 24000
    out = [f.to_ndarray().reshape(-1) for f in [*resampler.resample(frame), *resampler.resample(None)]]
    return np.concatenate(out).astype(np.int16).tobytes()


def words_of(text: str) -> list[str]:
    """Lower case words, hyphens split, punctuation dropped: how recognisers write them."""
    return re.findall(r"[a-z']+", text.lower().replace("-", " "))


def decode(pcm: bytes, words: list[str] | None = None) -> Decoder:
    """PocketSphinx over the audio: what it recognises, or with `words` their forced alignment."""
    decoder = Decoder(samprate=16000, loglevel="FATAL")
    if words is not None:
        decoder.set_align_text(" ".join(words))
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()
    return decoder


def wer(engine: Engine, text: str, said: str, normalize: bool) -> dict[str, object]:
    result = engine.synthesize(engine.validate(text, VOICE, lang=LANG, normalize=Options(enabled=normalize)))
    hyp = decode(to_16k(result.audio)).hyp()
    heard = hyp.hypstr if hyp is not None else ""
    score = jiwer.wer(" ".join(words_of(said)), " ".join(words_of(heard)) or "-")
    return {"wer": round(score, 3), "heard": heard, "seconds": round(result.duration, 2)}


def timing_error(engine: Engine, text: str) -> dict[str, object]:
    """Engine word starts against the forced alignment, for texts whose words read as written."""
    result = engine.synthesize(engine.validate(text, VOICE, lang=LANG))
    words = [w for w in result.words if words_of(w.word)]
    decoder = decode(to_16k(result.audio), [" ".join(words_of(w.word)) for w in words])  # kept: its segments live in it
    aligned = [s.start_frame / 100 for s in decoder.seg() if s.word not in ("<s>", "</s>", "<sil>")]
    errors = sorted(abs(w.start - start) for w, start in zip(words, aligned, strict=False))
    return {"words": len(words), "aligned": len(aligned), "median_ms": round(1000 * harness.median(errors)),
            "p90_ms": round(1000 * errors[int(0.9 * (len(errors) - 1))]), "max_ms": round(1000 * errors[-1])}


def main() -> None:
    args = harness.parser(__doc__).parse_args()
    engine = Engine(EngineSettings())
    engine.load()
    report = harness.Report("speech", args.json, default_file=False, voice=VOICE, wer={
        f"{name}, {'' if normalize else 'not '}normalised": wer(engine, text, said, normalize)
        for name, text, said in (("numbers", NUMBERS, NUMBERS_SAID), ("prose", PROSE, PROSE))
        for normalize in (True, False)},
        timing={"prose": timing_error(engine, PROSE), "story": timing_error(engine, STORY)})
    report.finish(tables)


def tables(r: dict) -> str:
    timing = ("words", "aligned", "median_ms", "p90_ms", "max_ms")
    return "\n".join([
        *harness.table(["text", "WER", "audio s"], [(k, f"{v['wer']:.1%}", v["seconds"]) for k, v in r["wer"].items()]),
        "", *harness.table(["text", "words", "aligned", "median ms", "p90 ms", "max ms"],
                           [(k, *(v[c] for c in timing)) for k, v in r["timing"].items()]),
        json.dumps({k: r[k] for k in ("voice", "wer", "timing")}, indent=2)])


if __name__ == "__main__":
    main()
