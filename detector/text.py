"""Text helpers shared by features, labelling and metrics: tokens, writing scripts, Han variants."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import zhconv

TOKEN_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]|[^\W_]+", re.UNICODE)
WHITESPACE_RE = re.compile(r"\s+")

SCRIPT_RANGES = {
    "han": (("\u3400", "\u4dbf"), ("\u4e00", "\u9fff"), ("\uf900", "\ufaff")),
    "kana": (("\u3040", "\u30ff"),),
    "hangul": (("\uac00", "\ud7af"),),
    "latin": (("a", "z"), ("A", "Z"), ("\u00c0", "\u024f")),
    "cyrillic": (("\u0400", "\u04ff"),),
    "greek": (("\u0370", "\u03ff"),),
    "digit": (("0", "9"),),
}


def normalize_space(text: str) -> str:
    """Collapse runs of whitespace to one space and strip the ends."""
    return WHITESPACE_RE.sub(" ", text).strip()


def tokens(text: str) -> list[str]:
    """Lower-cased tokens: one per CJK/kana/hangul character, one per run of other word characters."""
    return TOKEN_RE.findall(text.lower())


def char_script(char: str) -> str | None:
    """Name of the writing script of one character, or None for punctuation and others."""
    for script, ranges in SCRIPT_RANGES.items():
        for low, high in ranges:
            if low <= char <= high:
                return script
    return None


def script_counts(text: str) -> dict[str, int]:
    """Count characters per writing script (han, kana, hangul, latin, cyrillic, greek, digit)."""
    counts: dict[str, int] = {}
    for char in text:
        script = char_script(char)
        if script:
            counts[script] = counts.get(script, 0) + 1
    return counts


@lru_cache(maxsize=1)
def _han_variant_sets() -> tuple[frozenset[str], frozenset[str]]:
    """Characters that exist only in Simplified and only in Traditional Chinese (zhconv's tables)."""
    table = json.loads((Path(zhconv.__file__).parent / "zhcdict.json").read_text(encoding="utf-8"))
    return frozenset(table["SIMPONLY"]), frozenset(table["TRADONLY"])


def han_variant_counts(text: str) -> tuple[int, int]:
    """How many characters of `text` are Simplified-only and Traditional-only."""
    simplified, traditional = _han_variant_sets()
    simp = trad = 0
    for char in text:
        if char in simplified:
            simp += 1
        elif char in traditional:
            trad += 1
    return simp, trad
