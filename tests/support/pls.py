"""PLS 1.0 lexicons for the tests: the W3C specification's examples, and hostile ones (entity
expansion, external entities).

What was checked, and against what. The Recommendation (REC-pronunciation-lexicon-20081014) could
not be read whole here: the stored copies of it that can be searched give only its opening (title,
status), not sections 4 and 5 where its examples are, and there is no network. What could be read
is the example PLS document quoted by Wikipedia's article "Pronunciation Lexicon Specification"
(two stored copies, identical). It carries the specification's Candidate Recommendation schema
location (.../TR/2007/CR-pronunciation-lexicon-20071212/pls.xsd, where HEAD has the
Recommendation's), which points to the specification as its source, but which section it is in
could not be seen. Hence:

- GRAPHEMES, its first two lexemes (judgment/judgement; fiancé/fiance with two phonemes, neither
  preferred, and the "IPA string is" comments): that quoted example, element for element, the
  phonemes code point for code point.
- Everything else (TOMATO, ALIASES, the rest of GRAPHEMES) is still written after the
  specification's section 4 examples as remembered (meta, metadata, lexeme, grapheme, phoneme with
  `prefer`, alias, example) and has NOT been checked against its text: to be checked against
  sections 4 and 5 of the Recommendation where they can be read.
"""

from __future__ import annotations

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"\n'
        '      xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"\n'
        '      xsi:schemaLocation="http://www.w3.org/2005/01/pronunciation-lexicon\n'
        '        http://www.w3.org/TR/2008/REC-pronunciation-lexicon-20081014/pls.xsd"\n'
        '      alphabet="{alphabet}" xml:lang="{lang}">\n')


def lexicon(body: str, alphabet: str = "ipa", lang: str = "en-US") -> bytes:
    return (HEAD.format(alphabet=alphabet, lang=lang) + body + "</lexicon>\n").encode("utf-8")


#: The tomato of the specification's first example (a dental i the model has no finer sound for),
#: with a second pronunciation; and one whose second pronunciation is the preferred one.
TOMATO = lexicon("""
  <lexeme>
    <grapheme>tomato</grapheme>
    <phoneme>təmei̪ɾoʊ</phoneme>
    <!-- IPA string is: "t&#x0259;mei&#x032A;&#x027E;o&#x028A;" -->
    <phoneme>təˈmɑːtəʊ</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>huge</grapheme>
    <phoneme>juːdʒ</phoneme>
    <phoneme prefer="true">hjuːdʒ</phoneme>
  </lexeme>
""")

#: Aliases: acronyms said as their words.
ALIASES = lexicon("""
  <lexeme>
    <grapheme>JPL</grapheme>
    <alias>Jet Propulsion Laboratory</alias>
  </lexeme>
  <lexeme>
    <grapheme>W3C</grapheme>
    <alias>World Wide Web Consortium</alias>
  </lexeme>
""")

#: Several graphemes for one pronunciation (the quoted example's two lexemes first: see above, and
#: the first of two phonemes when none is preferred); metadata, an example sentence and comments to
#: ignore; a phoneme in Kokoro's own set by its `alphabet` attribute.
GRAPHEMES = lexicon("""
  <meta name="author" content="The Voice Browser Working Group"/>
  <metadata>
    <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
             xmlns:dc="http://purl.org/dc/elements/1.1/">
      <rdf:Description rdf:about="" dc:title="Pronunciation lexicon" dc:publisher="W3C"/>
    </rdf:RDF>
  </metadata>
  <lexeme>
    <grapheme>judgment</grapheme>
    <grapheme>judgement</grapheme>
    <phoneme>ˈdʒʌdʒ.mənt</phoneme>
    <!-- IPA string is:
      "ˈdʒʌdʒ.mənt" -->
  </lexeme>
  <lexeme>
    <grapheme>fiancé</grapheme>
    <grapheme>fiance</grapheme>
    <phoneme>fiˈɒns.eɪ</phoneme>
    <!-- IPA string is:
      "fiˈɒns.eɪ" -->
    <phoneme>ˌfiː.ɑːnˈseɪ</phoneme>
    <!-- IPA string is:
      "ˌfiː.ɑːnˈseɪ" -->
  </lexeme>
  <lexeme>
    <grapheme>Bundesrepublik Deutschland</grapheme>
    <grapheme>BRD</grapheme>
    <alias>Federal Republic of Germany</alias>
  </lexeme>
  <lexeme>
    <grapheme>lead</grapheme>
    <phoneme alphabet="x-kokoro">lˈɛd</phoneme>
    <example>My feet were as heavy as lead.</example>
  </lexeme>
""")

#: What the examples above become: text -> (alias, phonemes).
EXPECTED = {
    "tomato": (None, "təmeiɾO"),
    "huge": (None, "hjuːʤ"),
    "JPL": ("Jet Propulsion Laboratory", None),
    "W3C": ("World Wide Web Consortium", None),
    "judgment": (None, "ʤˈʌʤmənt"),
    "judgement": (None, "ʤˈʌʤmənt"),
    "fiancé": (None, "fiˈɒnsA"),  # the first of its two pronunciations, neither preferred
    "fiance": (None, "fiˈɒnsA"),
    "Bundesrepublik Deutschland": ("Federal Republic of Germany", None),
    "BRD": ("Federal Republic of Germany", None),
    "lead": (None, "lˈɛd"),
}

#: Entity expansion ("billion laughs"): a billion "lol"s from a few hundred bytes.
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lexicon [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="en-US">
  <lexeme><grapheme>lol</grapheme><alias>&lol9;</alias></lexeme>
</lexicon>
"""


def external_entity(path: str) -> bytes:
    """A lexicon whose alias would be the content of a file of the server."""
    return f"""<?xml version="1.0"?>
<!DOCTYPE lexicon [<!ENTITY secret SYSTEM "file://{path}">]>
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="en-US">
  <lexeme><grapheme>secret</grapheme><alias>&secret;</alias></lexeme>
</lexicon>
""".encode()


#: A DTD by reference only (no entity): refused too, the server fetches nothing.
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE lexicon SYSTEM "http://127.0.0.1:9/pls.dtd">
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="en-US">
  <lexeme><grapheme>x</grapheme><alias>y</alias></lexeme>
</lexicon>
"""
