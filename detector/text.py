"""Text helpers shared by features, labelling and metrics: tokens, writing scripts, Han variants."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import zhconv

from detector.pagecache import page_cache

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


@page_cache(1024)
def script_counts(text: str) -> dict[str, int]:
    """Count characters per writing script (han, kana, hangul, latin, cyrillic, greek, digit); don't mutate."""
    if text.isascii():
        return _ascii_script_counts(text)
    counts = {}
    for script, pattern in SCRIPT_PATTERNS.items():
        found = len(pattern.findall(text))
        if found:
            counts[script] = found
    return counts


def _ascii_script_counts(text: str) -> dict[str, int]:
    """`script_counts` of ASCII text: its letters are Latin, and no other script but digits occurs."""
    raw = text.encode("ascii")
    counts = {"latin": count_bytes(raw, ASCII_LETTERS), "digit": count_bytes(raw, ASCII_DIGITS)}
    return {script: found for script, found in counts.items() if found}


def count_bytes(raw: bytes, chars: bytes) -> int:
    """How many bytes of `raw` are among `chars` (a deletion, far faster than a regex count)."""
    return len(raw) - len(raw.translate(None, chars))


@lru_cache(maxsize=1)
def _han_variant_patterns() -> tuple[re.Pattern, re.Pattern]:
    """Patterns matching characters that exist only in Simplified, and only in Traditional Chinese (zhconv)."""
    table = json.loads((Path(zhconv.__file__).parent / "zhcdict.json").read_text(encoding="utf-8"))
    return tuple(re.compile("[" + re.escape("".join(table[key])) + "]") for key in ("SIMPONLY", "TRADONLY"))


@page_cache(1024)
def han_variant_counts(text: str) -> tuple[int, int]:
    """How many characters of `text` are Simplified-only and Traditional-only."""
    simplified, traditional = _han_variant_patterns()
    return len(simplified.findall(text)), len(traditional.findall(text))
