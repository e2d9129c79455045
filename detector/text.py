"""Text helpers shared by features, labelling and metrics: tokens, writing scripts, Han variants."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np
import zhconv

from detector.pagecache import PageMemo, page_cache

_CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
TOKEN_RE = re.compile(f"[{_CJK_CHARS}]|[^\\W_{_CJK_CHARS}]+", re.UNICODE)
"""One token per CJK, kana or hangul character; other word characters in runs (`2012年` is `2012`, `年`)."""
ASCII_TOKEN_RE = re.compile("[a-z0-9]+")
"""TOKEN_RE on lower-cased ASCII text, where word characters but `_` are these (a simpler, faster pattern)."""

SCRIPT_PATTERNS = {
    "han": re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"),
    "kana": re.compile(r"[\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff]"),
    "hangul": re.compile(r"[\uac00-\ud7af]"),
    "latin": re.compile(r"[a-zA-Z\u00c0-\u024f]"),
    "cyrillic": re.compile(r"[\u0400-\u04ff]"),
    "greek": re.compile(r"[\u0370-\u03ff]"),
    "digit": re.compile(r"[0-9]"),
}
"""Kana leaves out the marks Chinese writes too: the middle dot `・` (`时政・要闻`) and the double hyphen."""

ASCII_LETTERS = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
ASCII_DIGITS = b"0123456789"
IGNORECASE_ODD_RE = re.compile("[\u0130\u0131\u017f\u1c80-\u1c88]")
"""Letters `re.IGNORECASE` matches to a/z or Cyrillic letters although `str.lower()` maps them elsewhere
(dotted and dotless I, long s, old Cyrillic letter forms); U+0130 also lowers to two characters."""


def normalize_space(text: str) -> str:
    """Collapse runs of whitespace to one space and strip the ends (`str.split` and `\\s` agree on whitespace)."""
    return " ".join(text.split())


def without_lone_surrogates(text: str) -> str:
    """The text with each pair of surrogates joined into its character (an emoji written as two `\\ud83d\\ude00`
    escapes) and each lone one (a broken escape, no character) replaced by U+FFFD, as decoders replace bytes that
    are no character."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        joined = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
        return LONE_SURROGATE_RE.sub("\ufffd", joined)
    return text


LONE_SURROGATE_RE = re.compile("[\ud800-\udfff]")


@page_cache(512)
def token_tuple(text: str) -> tuple[str, ...]:
    """`tokens(text)` as a tuple, cached: features ask for the same block's tokens several times."""
    lowered = text.lower()
    return tuple((ASCII_TOKEN_RE if lowered.isascii() else TOKEN_RE).findall(lowered))


def tokens(text: str) -> list[str]:
    """Lower-cased tokens: one per CJK/kana/hangul character, one per run of other word characters."""
    return list(token_tuple(text))


def lower_for_literal_search(text: str) -> str | None:
    """`text.lower()`, in which a case-sensitive search for lower-case Latin, Cyrillic or CJK literals finds what an
    IGNORECASE search finds in `text` (several times faster); None when `text` holds letters where that fails."""
    if text.isascii():
        return text.lower()
    return None if IGNORECASE_ODD_RE.search(text) else text.lower()


class CaselessLiterals:
    """An IGNORECASE pattern of lower-case literals (optional parts and word boundaries allowed: lowering keeps
    word characters word characters), searched for case-sensitively in lowered text when that is equivalent."""

    def __init__(self, pattern: str) -> None:
        self.caseless = re.compile(pattern, re.I)
        self.lowered = re.compile(pattern)

    def search(self, text: str) -> bool:
        """True when the pattern occurs in `text`."""
        return self.search_lowered(text, lower_for_literal_search(text))

    def search_lowered(self, text: str, lowered: str | None) -> bool:
        """`search(text)` given `lower_for_literal_search(text)` (callers that lowered the text already)."""
        found = self.caseless.search(text) if lowered is None else self.lowered.search(lowered)
        return found is not None


SCRIPT_NAMES = tuple(SCRIPT_PATTERNS)
_SCRIPTS = PageMemo(4096)
"""text -> (its script counts, its Simplified-only and Traditional-only character counts)."""


def script_counts(text: str) -> dict[str, int]:
    """Count characters per writing script (han, kana, hangul, latin, cyrillic, greek, digit); don't mutate."""
    return _scripts_of(text)[0]


def text_size(text: str) -> int:
    """The length of a text in Latin-text characters: a Han, kana or Hangul character counts WIDE_CHAR_WEIGHT."""
    if text.isascii():
        return len(text)
    counts = script_counts(text)
    return len(text) + (WIDE_CHAR_WEIGHT - 1) * sum(counts.get(script, 0) for script in WIDE_SCRIPTS)


WIDE_SCRIPTS = ("han", "kana", "hangul")
WIDE_CHAR_WEIGHT = 3
"""How many Latin-text characters a Han, kana or Hangul character is worth: Chinese, Japanese and Korean say in about
a third of the characters what English says, so a 59-character Chinese paragraph is no menu line."""


def han_variant_counts(text: str) -> tuple[int, int]:
    """How many characters of `text` are Simplified-only and Traditional-only."""
    return _scripts_of(text)[1]


def _scripts_of(text: str) -> tuple[dict[str, int], tuple[int, int]]:
    """The script and Han variant counts of one text, counted now unless `count_scripts` counted them."""
    found = _SCRIPTS.get(text)
    if found is None:
        found = _counted([text])[0]
        _SCRIPTS.remember(text, found)
    return found


def count_scripts(texts: Iterable[str]) -> None:
    """Count the scripts and Han variants of many texts in one vectorized pass over their code points, for
    `script_counts` and `han_variant_counts` to answer from until the page is done."""
    new = [text for text in dict.fromkeys(texts) if text not in _SCRIPTS]
    for text, found in zip(new, _counted(new)):
        _SCRIPTS.remember(text, found)


def _counted(texts: list[str]) -> list[tuple[dict[str, int], tuple[int, int]]]:
    """Script and Han variant counts of each text: ASCII ones by bytes, the others together, by a table lookup
    of every code point and one count per table."""
    results: list = [None] * len(texts)
    wide = []
    for at, text in enumerate(texts):
        if text.isascii():
            results[at] = (_ascii_script_counts(text), (0, 0))
        else:
            wide.append(at)
    if not wide:
        return results
    points = np.frombuffer("".join(texts[at] for at in wide).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    owner = np.repeat(np.arange(len(wide)), [len(texts[at]) for at in wide])
    slots = len(SCRIPT_NAMES) + 1
    scripts = np.bincount(owner * slots + _code_point_scripts()[points], minlength=len(wide) * slots)
    variants = np.bincount(owner * 4 + _code_point_variants()[points], minlength=len(wide) * 4)
    for at, counts, both in zip(wide, scripts.reshape(-1, slots).tolist(), variants.reshape(-1, 4).tolist()):
        named = {name: found for name, found in zip(SCRIPT_NAMES, counts[1:]) if found}
        results[at] = (named, (both[1] + both[3], both[2] + both[3]))
    return results


@lru_cache(maxsize=1)
def _code_point_scripts() -> np.ndarray:
    """For every code point, 1 + the index in SCRIPT_NAMES of the script pattern it matches (0: none); the
    patterns name characters of the Basic Multilingual Plane only."""
    plane = "".join(map(chr, range(0x10000)))
    table = np.zeros(0x110000, dtype=np.uint8)
    for number, pattern in enumerate(SCRIPT_PATTERNS.values(), start=1):
        table[[match.start() for match in pattern.finditer(plane)]] = number
    return table


@lru_cache(maxsize=1)
def _code_point_variants() -> np.ndarray:
    """For every code point, bit 1 when it exists only in Simplified Chinese and bit 2 when only in Traditional
    (zhconv's tables)."""
    table = json.loads((Path(zhconv.__file__).parent / "zhcdict.json").read_text(encoding="utf-8"))
    variants = np.zeros(0x110000, dtype=np.uint8)
    for bit, key in ((1, "SIMPONLY"), (2, "TRADONLY")):
        variants[sorted({ord(char) for entry in table[key] for char in entry})] |= bit
    return variants


def _ascii_script_counts(text: str) -> dict[str, int]:
    """`script_counts` of ASCII text: its letters are Latin, and no other script but digits occurs."""
    raw = text.encode("ascii")
    counts = {"latin": count_bytes(raw, ASCII_LETTERS), "digit": count_bytes(raw, ASCII_DIGITS)}
    return {script: found for script, found in counts.items() if found}


def count_bytes(raw: bytes, chars: bytes) -> int:
    """How many bytes of `raw` are among `chars` (a deletion, far faster than a regex count)."""
    return len(raw) - len(raw.translate(None, chars))
