"""Text normalisation, table-driven, in English and French; and the switches that turn it off."""

from __future__ import annotations

import pytest

from kokoro_tts.engine.normalize import Options, normalize_text

pytestmark = pytest.mark.unit

ENGLISH = [
    ("It costs $5.50.", "It costs five dollars and fifty cents."),
    ("A $1,200 fee.", "A one thousand two hundred dollars fee."),
    ("They raised $3 million.", "They raised three million dollars."),
    ("Only £1 left.", "Only one pound left."),
    ("Prices rose 12.5% this year.", "Prices rose twelve point five percent this year."),
    ("Meet at 10:30 am.", "Meet at ten thirty a m."),
    ("The train leaves at 9:05.", "The train leaves at nine oh five."),
    ("Lunch is at 12:00.", "Lunch is at twelve o'clock."),
    ("Born on 2024-03-05.", "Born on March fifth twenty twenty-four."),
    ("Due March 5, 2024.", "Due March fifth twenty twenty-four."),
    ("It weighs 12 kg.", "It weighs twelve kilograms."),
    ("A 5m rope and 1 km to go.", "A five meters rope and one kilometer to go."),
    ("Drive at 60 mph.", "Drive at sixty miles per hour."),
    ("Dr. Smith met Mr. Jones.", "Doctor Smith met Mister Jones."),
    ("Apples, pears, etc.", "Apples, pears, et cetera."),
    ("Pears, etc. Then No. 5, not No. Six.", "Pears, et cetera. Then number five, not No. Six."),
    ("The 1980s and the '90s.", "The nineteen eighties and the nineties."),
    ("A 4G phone for $5k, 5g of salt.", "A 4G phone for five thousand dollars, five grams of salt."),
    ("Pay $1.1 now.", "Pay one dollar and ten cents now."),
    ("Call 555-123-4567 today.", "Call five five five, one two three, four five six seven today."),
    ("Mail john.doe@example.com now.", "Mail john dot doe at example dot com now."),
    ("See https://example.com/docs for more.", "See example dot com slash docs for more."),
    ("The 21st time.", "The twenty-first time."),
    ("In 1999 we had 42 cats.", "In nineteen ninety-nine we had forty-two cats."),
    ("Of 250 stores, 2005 was best.", "Of two hundred fifty stores, two thousand five was best."),
    ("It was -3 outside.", "It was minus three outside."),
    ("Pi is 3.14.", "Pi is three point one four."),
    ("Plain words stay as they are.", "Plain words stay as they are."),
]

FRENCH = [
    ("Ça coûte 5,50 €.", "Ça coûte cinq euros cinquante."),
    ("Il a 20 $.", "Il a vingt dollars."),
    ("Une hausse de 12,5 %.", "Une hausse de douze virgule cinq pour cent."),
    ("Rendez-vous à 10h30.", "Rendez-vous à dix heures trente."),
    ("Le train part à 9 h.", "Le train part à neuf heures."),
    ("Né le 05/03/2024.", "Né le cinq mars deux mille vingt-quatre."),
    ("Il pèse 12 kg.", "Il pèse douze kilogrammes."),
    ("Encore 1 km.", "Encore un kilomètre."),
    ("M. Dupont et Mme Durand.", "Monsieur Dupont et Madame Durand."),
    ("Appelez le 01 23 45 67 89.", "Appelez le zéro un, vingt-trois, quarante-cinq, soixante-sept, quatre-vingt-neuf."),
    ("Écrivez à jean@exemple.fr.", "Écrivez à jean arobase exemple point fr."),
    ("Le 1er mai, la 2e fois.", "Le premier mai, la deuxième fois."),
    ("Il y a 1 200 personnes.", "Il y a mille deux cents personnes."),
    ("Pi vaut 3,14.", "Pi vaut trois virgule quatorze."),
    ("Chapitre 2 : Le début.", "Chapitre deux : Le début."),
    ("Me voici, Me Dupont.", "Me voici, Maître Dupont."),
    ("Il fait 30 °C.", "Il fait trente degrés Celsius."),
]


@pytest.mark.parametrize(("text", "said"), ENGLISH)
def test_english(text, said):
    assert normalize_text(text, "en-us") == said


@pytest.mark.parametrize(("text", "said"), FRENCH)
def test_french(text, said):
    assert normalize_text(text, "fr") == said


def test_off_and_per_kind():
    text = "It costs $5 and weighs 12 kg."
    assert normalize_text(text, "en-us", Options(enabled=False)) == text
    only_units_off = Options.from_request(True, {"units": False})
    assert normalize_text(text, "en-us", only_units_off) == "It costs five dollars and weighs twelve kg."
    # With money off, the amount is still a number (numbers stay on).
    assert normalize_text(text, "en-us", Options.from_request(None, {"money": False})).startswith("It costs $five")


def test_other_languages_keep_espeak_reading():
    assert normalize_text("¡Cuesta 5 €!", "es") == "¡Cuesta 5 €!"


@pytest.mark.parametrize("text", ["9" * 320, "9" * 5000, "5ſ", "5 mİn", "1," + "9" * 4400])
@pytest.mark.parametrize("lang", ["en-us", "fr"])
def test_odd_numbers_never_fail(text, lang):
    said = normalize_text(text, lang)
    assert said and not any(c.isdigit() for c in said[:100]) or said == text
