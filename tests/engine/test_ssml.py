"""SSML read into the engine's parts, and each element's effect measured on the real model's audio."""

from __future__ import annotations

import time

import numpy as np
import pytest

from kokoro_tts.engine import EngineError, ipa, sayas, ssml
from kokoro_tts.engine.errors import InvalidSsml
from tests.support.audio import longest_silence

pytestmark = pytest.mark.unit

SPEAK = '<speak version="1.1" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="en-US">{}</speak>'
SENTENCE = "The little boat sailed across the quiet harbour."


def doc(body: str) -> str:
    return SPEAK.format(body)


def speech(engine, text: str, **kwargs):
    return engine.synthesize(engine.validate(text, lang="en-us", **kwargs))


# -- reading, without the model --------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("<speak>Hi</speak>", True), ('  <?xml version="1.0"?>\n<speak xml:lang="en">Hi</speak>', True),
    ("<speaker>Hi</speaker>", False), ("Say <speak>", False), ("Hello", False),
])
def test_a_text_is_ssml_when_it_starts_with_speak(text, expected):
    assert ssml.is_ssml(text) is expected


def test_the_transcript_is_what_is_spoken_and_parts_tile_it():
    read = ssml.parse(doc('<p><s>Hello <break time="1s"/> world.</s> <s>See the <sub alias="World Wide Web">WWW'
                          '</sub> <mark name="m1"/>now.</s></p>\n   <p>Unknown <foo>tags</foo> speak.</p>'))
    assert read.text == "Hello world.\nSee the World Wide Web now.\n\nUnknown tags speak."
    assert [p.kind for p in read.parts] == ["text", "pause", "text"]
    assert read.parts[1].seconds == 1.0 and read.parts[0].end == read.parts[1].start == read.parts[2].start
    assert read.parts[-1].end == len(read.text) and all(p.lang == "en-US" for p in read.parts if p.kind == "text")
    assert read.marks == (ssml.Mark("m1", read.text.index("now")),)


def test_breaks_by_time_and_strength():
    read = ssml.parse(doc('A <break time="250ms"/> B <break strength="x-strong"/> C <break/> D '
                          '<break strength="none"/> E'))
    assert [p.seconds for p in read.parts if p.kind == "pause"] == [0.25, 1.2, 0.4]


def test_prosody_and_emphasis_give_their_span_a_rate():
    read = ssml.parse(doc('<prosody rate="slow">a <prosody rate="50%">b</prosody></prosody> '
                          '<prosody rate="+20%" pitch="high" volume="loud">c</prosody> <emphasis>d</emphasis>'))
    rates = {read.text[p.start:p.end].strip(): p.rate for p in read.parts}
    assert rates == {"a": 0.8, "b": 0.4, "c": 1.2, "d": ssml.EMPHASIS["moderate"]}


def test_voice_and_lang_hold_for_their_content_only():
    read = ssml.parse(doc('One <voice name="jm_kumo">two <lang xml:lang="fr-FR">trois</lang></voice> four'))
    assert [(p.kind, p.voice, p.lang) for p in read.parts] == [
        ("text", "", "en-US"), ("voice", "jm_kumo", None), ("text", "", "en-US"), ("text", "", "fr-FR"),
        ("voice", "", None), ("text", "", "en-US"),
    ]


def test_a_window_carries_the_voice_in_effect_and_keeps_each_point_once():
    read = ssml.parse(doc('One two. <voice name="jm_kumo">Three four. <break time="1s"/>Five six.</voice> Seven.'))
    cut = read.text.index("Five")
    first, second = ssml.window(read, 0, cut), ssml.window(read, cut, len(read.text))
    assert [(p.kind, p.voice) for p in first if p.kind != "text"] == [("voice", "jm_kumo")]
    assert [(p.kind, p.voice, p.start) for p in second if p.kind != "text"] == [  # the break at the cut: once
        ("voice", "jm_kumo", 0), ("pause", "", 0), ("voice", "", len("Five six.")),
    ]
    assert [read.text[cut:][p.start:p.end] for p in second if p.kind == "text"] == ["Five six.", " Seven."]


@pytest.mark.parametrize("body, word", [
    ("<audio src='https://example.com/a.mp3'>x</audio>", "audio"),
    ('<break time="11s"/>', "10"), ('<break time="soon"/>', "soon"), ('<prosody rate="zippy">x</prosody>', "zippy"),
    ('<phoneme alphabet="x-sampa" ph="t@">x</phoneme>', "x-sampa"), ("<sub>x</sub>", "alias"),
])
def test_what_cannot_be_honoured_is_refused_by_name(body, word):
    with pytest.raises(InvalidSsml) as info:
        ssml.parse(doc(body))
    assert info.value.code == "invalid_ssml" and word in info.value.message


def test_malformed_xml_says_where():
    with pytest.raises(InvalidSsml) as info:
        ssml.parse("<speak>\n  Hello <break time='1s'>\n</speak>")
    assert info.value.details == {"line": 3, "column": 3} and "line 3" in info.value.message


HOSTILE = {
    "billion laughs": '<?xml version="1.0"?><!DOCTYPE speak [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
                      '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><speak>&c;</speak>',
    "external entity": '<?xml version="1.0"?><!DOCTYPE speak [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                       '<speak>&x;</speak>',
    "10,000 deep": "<speak>" + "<s>" * 10_000 + "deep" + "</s>" * 10_000 + "</speak>",
    "too many": "<speak>" + "<mark name='m'/>" * 6_000 + "x</speak>",
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_documents_are_refused_quickly(name):
    started = time.perf_counter()
    with pytest.raises(InvalidSsml):
        ssml.parse(HOSTILE[name])
    assert time.perf_counter() - started < 2


def test_an_ipa_symbol_kokoro_lacks_is_refused_by_name():
    with pytest.raises(EngineError) as info:
        ssml.parse(doc('<phoneme alphabet="ipa" ph="ǃa">click</phoneme>'))
    assert info.value.code == "invalid_phonemes" and "ǃ" in info.value.message


@pytest.mark.parametrize("text, how, fmt, lang, said", [
    ("1234", "cardinal", "", "en-us", "one thousand two hundred thirty-four"),
    ("3", "ordinal", "", "en-us", "third"), ("42", "digits", "", "en-us", "four two"),
    ("12/25/2024", "date", "mdy", "en-us", "December twenty-fifth twenty twenty-four"),
    ("25/12/2024", "date", "dmy", "fr", "vingt-cinq décembre deux mille vingt-quatre"),
    ("1/5", "date", "dm", "fr", "premier mai"), ("14:30", "time", "", "en-us", "fourteen thirty"),
    ("2:05pm", "time", "", "en-us", "two oh five p m"), ("555-1234", "telephone", "", "en-us",
                                                          "five five five, one two three four"),
    ("17", "cardinal", "", "fr", "dix-sept"), ("AB", "characters", "", "en-us", "ay bee"),
    ("AB", "characters", "", "fr", "a bé"),
])
def test_say_as_reads_as_asked(text, how, fmt, lang, said):
    edits = sayas.edits(text, how, fmt, lang)
    out, cur = [], 0
    for e in edits:
        out += [text[cur:e.start], e.text]
        cur = e.end
    assert "".join(out + [text[cur:]]) == said


def test_say_as_what_does_not_read_so_is_left_as_written():
    assert sayas.edits("soon", "cardinal", "", "en-us") == []
    assert sayas.edits("13/45/2020", "date", "mdy", "en-us") == []


# -- with the model --------------------------------------------------------------------------------


def test_a_request_is_charged_for_its_transcript(engine):
    req = engine.validate(doc('Hello <break time="1s"/> <sub alias="there">t</sub>.'), lang="en-us")
    assert req.text == "Hello there."
    plain = engine.validate('<speak>Hello</speak>', lang="en-us", text_type="text")
    assert plain.text == "<speak>Hello</speak>"
    with pytest.raises(EngineError) as info:
        engine.validate("Hello", text_type="html")
    assert info.value.code == "invalid_markup"


@pytest.mark.slow
def test_a_break_is_that_long(engine):
    result = speech(engine, doc(f'{SENTENCE} <break time="1500ms"/> {SENTENCE}'))
    assert 1.5 <= longest_silence(result.audio) <= 1.62


@pytest.mark.slow
def test_a_prosody_rate_stretches_its_span(engine):
    plain = speech(engine, doc(SENTENCE)).duration
    slow = speech(engine, doc(f'<prosody rate="50%">{SENTENCE}</prosody>')).duration
    fast = speech(engine, doc(f'<prosody rate="x-fast">{SENTENCE}</prosody>')).duration
    assert 1.7 <= slow / plain <= 2.3, (slow, plain)
    assert 0.55 <= fast / plain <= 0.8, (fast, plain)
    with pytest.raises(EngineError) as info:
        engine.validate(doc(f'<prosody rate="x-fast">{SENTENCE}</prosody>'), speed=3.0)
    assert info.value.code == "invalid_speed"


@pytest.mark.slow
def test_say_as_characters_spells_the_word_out(engine):
    word = speech(engine, doc("cat")).duration
    spelled = speech(engine, doc('<say-as interpret-as="characters">cat</say-as>'))
    assert spelled.duration > 1.5 * word
    (caption,) = spelled.words  # captions show the text as written: one word, spoken as three letters
    assert caption.word == "cat" and caption.end - caption.start > 1.5 * word


@pytest.mark.slow
def test_sub_and_phoneme_are_heard_as_written(engine):
    alias = speech(engine, doc('I read the <sub alias="World Wide Web">WWW</sub> daily.'))
    assert np.array_equal(alias.audio, speech(engine, "I read the World Wide Web daily.").audio)
    given = speech(engine, doc('Say <phoneme alphabet="ipa" ph="təˈmeɪtoʊ">tomato</phoneme> now.'))
    inline = speech(engine, f"Say [tomato](/{ipa.to_kokoro('təˈmeɪtoʊ', 'test')}/) now.")
    assert np.array_equal(given.audio, inline.audio)
    assert [w.word for w in given.words] == ["Say", "tomato", "now."]


@pytest.mark.slow
def test_a_mark_is_reached_when_the_next_word_starts(engine):
    result = speech(engine, doc(f'{SENTENCE} Then <mark name="here"/>everyone cheered.'))
    (mark,) = result.marks
    word = next(w for w in result.words if w.word == "everyone")
    assert mark.name == "here" and abs(mark.time - word.start) <= 0.05


def test_a_voice_element_changes_the_speaker_for_its_content(engine):
    req = engine.validate(doc('One. <voice name="jm_kumo">Two.</voice> Three.'), voice="jf_alpha")
    assert [seg.voice.spec for seg in req.segments if seg.kind == "speech"] == ["jf_alpha", "jm_kumo", "jf_alpha"]
