"""IPA as dictionaries write it becomes the phonemes Kokoro was trained on, or is refused by name."""

from __future__ import annotations

import pytest

from kokoro_tts.engine.chunking import vocab
from kokoro_tts.engine.errors import InvalidPhonemes
from kokoro_tts.engine.ipa import to_kokoro

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "ipa,kokoro",
    [
        ("ˈtəʊmɑːtəʊ", "tˈQmɑːtQ"),  # British: əʊ is Q, the stress moves to its vowel
        ("təˈmeɪtoʊ", "təmˈAtO"),  # American: eɪ A, oʊ O
        ("ˈdʒʌdʒmənt", "ʤˈʌʤmənt"),
        ("ˈd͡ʒʌd͡ʒ", "ʤˈʌʤ"),  # a tie bar joins the same affricate
        ("tʃɜrtʃ", "ʧɜɹʧ"),  # English r is ɹ
        ("ˈbɝd", "bˈɜɹd"),
        ("ˈbʌtɚ", "bˈʌtəɹ"),
        ("ˈaɪ ˈlaɪk ˈaʊlz", "ˈI lˈIk ˈWlz"),  # words keep their spaces
        ("ˈbɔɪ", "bˈY"),
        ("ˈgʊd", "ɡˈʊd"),  # ASCII g is U+0261
        ("ˈbʌtn̩", "bˈʌtᵊn"),  # a syllabic consonant: ᵊ before it
        ("ˈwɔː.tə", "wˈɔːtə"),  # syllable breaks dropped
        ("ˈtu:", "tˈuː"),  # a colon for length
        ("ˌmʌltiˈplaɪ", "mˌʌltiplˈI"),  # secondary stress too
        ("ˈfiːl", "fˈiːl"),
        ("təmei̪ɾoʊ", "təmeiɾO"),  # the PLS specification's tomato: a dental mark the model has no sound for
        ("ˈt̪ɛn̪", "tˈɛn"),
    ],
)
def test_standard_ipa_maps_to_kokoros_set(ipa, kokoro):
    assert to_kokoro(ipa, "test") == kokoro
    assert set(kokoro) - {" "} <= set(vocab())


@pytest.mark.parametrize("kokoro", ["kˈOkəɹO", "həlˈO wˈɜɹld", "ʤˈʌʤmənt", "tˈQmɑːtQ", "bɔ̃ʒˈuʁ"])
def test_kokoros_own_set_passes_unchanged(kokoro):
    assert to_kokoro(kokoro, "test") == kokoro


def test_other_languages_keep_their_trilled_r_and_nasal_vowels():
    assert to_kokoro("ˈpero", "es", lang="es") == "pˈero"
    assert to_kokoro("ˈpero", "en", lang="en-GB") == "pˈeɹo"
    assert to_kokoro("bɔ̃ʒuʁ", "fr", lang="fr") == "bɔ̃ʒuʁ"
    assert to_kokoro("bõ", "pt", lang="pt-BR") == "bo\u0303"  # precomposed õ is o and a tilde
    assert to_kokoro("t͡sʊˈkʊnft", "de", lang="de") == "ʦʊkˈʊnft"  # tied ts is one sound
    assert to_kokoro("kats", "de", lang="de") == "kats"  # untied, two


@pytest.mark.parametrize("ipa,named", [("ǃa", "ǃ"), ("ʘʏ", "ʏ ʘ")])
def test_a_symbol_without_counterpart_is_refused_by_name(ipa, named):
    with pytest.raises(InvalidPhonemes) as refused:
        to_kokoro(ipa, "lexeme 'click'")
    assert refused.value.code == "invalid_phonemes"
    assert refused.value.message == f"lexeme 'click': symbols {named} are not in the model's phoneme set"


def test_nothing_left_is_refused():
    with pytest.raises(InvalidPhonemes, match="no phonemes"):
        to_kokoro(" . ", "empty")
