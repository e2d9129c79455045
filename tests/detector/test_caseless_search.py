"""The fast case-insensitive searches (lowered text, page-wide morpheme sets) find exactly what IGNORECASE finds."""

from __future__ import annotations

import re
from itertools import chain

from detector.features import ASCII_PUNCTUATION, DIGIT_RE, JOINER_RE, SENTENCE_END_RE, URL_RE
from detector.lexicon import CALLS_TO_ACTION, SEARCH_ORDER, SPAM_MORPHEMES, lexicon_hits_per_text, search_piece
from detector.segment import SUSPICIOUS_SCRIPT_RE
from detector.text import lower_for_literal_search

PATTERN_LETTERS = sorted(set("".join(SPAM_MORPHEMES)) | set("abcdefghijklmnopqrstuvwxyz0123456789.(-_:/"))
ODD_TEXTS = [
    "VİAGRA online",
    "vıagra and CASİNO",
    "caſino ſlot",
    "КАЗИНО и ПОРНО",
    "каᲃино ᲂнлайн",
    "Online-Casino Spielothek",
    "have AVAILABLE avocado",
    "國產精品 一區二區 在線觀看",
    "スーパーコピー n級品 N級品",
    "free ſhipping, ORDER NOW",
    "sİgn up now and sıgn up now",
    "",
]


EVERY_CHARACTER = "".join(map(chr, chain(range(0xD800), range(0xE000, 0x110000))))


def test_lowering_matches_ignorecase_for_every_pattern_letter():
    """For each letter of the morphemes and the script/URL patterns, the characters IGNORECASE matches to it are
    exactly those that lower to it, leaving aside the odd ones that are searched the slow way."""
    lowers_to: dict[str, set[str]] = {letter: set() for letter in PATTERN_LETTERS}
    odd = set()
    for char in EVERY_CHARACTER:
        lowered = lower_for_literal_search(char)
        if lowered is None:
            odd.add(char)
        elif lowered in lowers_to:
            lowers_to[lowered].add(char)
    assert odd and len(odd) < 20
    for letter in PATTERN_LETTERS:
        caseless = set(re.findall(re.escape(letter), EVERY_CHARACTER, re.I))
        assert caseless - odd == lowers_to[letter], letter


def test_morpheme_counts_equal_a_plain_ignorecase_search():
    """Per-page counting gives each text what one IGNORECASE search for all morphemes gives it, split alike into
    alphabetic words, CJK/kana morphemes and calls to action (odd letters such as ſ and İ included)."""
    plain = re.compile("|".join(map(search_piece, SEARCH_ORDER)), re.I)
    calls = [re.compile(search_piece(term), re.I) for term in CALLS_TO_ACTION]

    def reference(text: str) -> tuple[int, int, int]:
        matches = plain.findall(text)
        call = [m for m in matches if any(c.fullmatch(m) for c in calls)]
        words = [m for m in matches if m not in call and not "\u2e80" <= m[0] <= "\u9fff"]
        return len(words), len(matches) - len(words) - len(call), len(call)

    assert lexicon_hits_per_text(ODD_TEXTS) == [reference(text) for text in ODD_TEXTS]
    assert total_hits(["ſlot", "slot"]) == [1, 1]
    assert total_hits(["nothing here"]) == [0]


def test_latin_morphemes_count_as_words_not_inside_them():
    """Short Latin morphemes are whole words, longer ones word starts; CJK ones match anywhere."""
    assert total_hits(["Favorites have travel and availability", "judiciary", "xcasino"]) == [0, 0, 0]
    assert total_hits(["free AV videos", "slots and casinos", "看AV", "日本AV女优"]) == [1, 2, 1, 1]


def test_alphabetic_cjk_and_call_to_action_hits_are_counted_apart():
    """Words of alphabetic scripts, CJK/kana morphemes and calls to action are three counts (the lists differ in
    precision)."""
    texts = ["casino 国产精品 КАЗИНО", "スーパーコピー 激安", "澳门 news, 国产 cars", "", "Buy now: viagra, 立即注册"]
    assert lexicon_hits_per_text(texts) == [(2, 1, 0), (0, 2, 0), (0, 0, 0), (0, 0, 0), (1, 0, 2)]


def total_hits(texts: list[str]) -> list[int]:
    """Morpheme hits per text, the three counts together."""
    return [sum(hits) for hits in lexicon_hits_per_text(texts)]


def test_script_and_url_searches_equal_ignorecase_searches():
    """The suspicious-script and URL tests agree with their IGNORECASE forms, odd letters included."""
    samples = ["WİNDOW.LOCATION = x", "Window.Location", "DOCUMENT.WRİTE(1)", "EVAL("]
    samples += ["WWW.EXAMPLE.COM", "x.cOm", "x.comb", "ıt.ſite"]
    assert [SUSPICIOUS_SCRIPT_RE.search(text) for text in samples[:4]] == [True, True, True, True]
    for text in samples:
        assert SUSPICIOUS_SCRIPT_RE.search(text) == bool(SUSPICIOUS_SCRIPT_RE.caseless.search(text))
        assert URL_RE.search(text) == bool(URL_RE.caseless.search(text))


def test_ascii_fast_counts_match_the_patterns_they_stand_for():
    """The byte sets counted on ASCII texts are exactly the ASCII characters the regexes match."""
    ascii_chars = [chr(code) for code in range(128)]
    patterns = (SENTENCE_END_RE, JOINER_RE, DIGIT_RE)
    for chars, pattern in zip(ASCII_PUNCTUATION, patterns):
        assert set(chars.decode()) == {ch for ch in ascii_chars if pattern.fullmatch(ch)}
