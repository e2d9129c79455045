"""A small, hand-written list of spam morphemes: one weak feature among many, never the detector itself.

The model also sees the shape and context of every block, so it catches spam words that are not here.
"""

from __future__ import annotations

import re
from functools import lru_cache

from detector.text import lower_for_literal_search

SPAM_MORPHEMES = (
    # Chinese porn / gambling / lottery (both scripts where they differ)
    "国产",
    "國產",
    "精品",
    "久久",
    "无码",
    "無碼",
    "一区二区",
    "一區二區",
    "在线观看",
    "在線觀看",
    "午夜",
    "人妻",
    "日韩",
    "日韓",
    "欧美",
    "歐美",
    "亚洲",
    "亞洲",
    "成人",
    "色情",
    "av",
    "婷婷",
    "激情",
    "熟妇",
    "自拍",
    "娱乐城",
    "娛樂城",
    "博彩",
    "百家乐",
    "百家樂",
    "六合彩",
    "时时彩",
    "時時彩",
    "彩票",
    "赌场",
    "賭場",
    "老虎机",
    "真人",
    "体育官网",
    "官网入口",
    "官網入口",
    "一肖一码",
    "澳门",
    "澳門",
    "买球",
    "買球",
    "开云",
    "九游",
    # Japanese counterfeit / adult
    "スーパーコピー",
    "激安",
    "通販",
    "n級品",
    "ブランドコピー",
    "アダルト",
    "無修正",
    "出会い",
    # English pharma / casino / adult
    "viagra",
    "cialis",
    "levitra",
    "tramadol",
    "xanax",
    "sildenafil",
    "tadalafil",
    "pharmacy",
    "casino",
    "poker",
    "roulette",
    "blackjack",
    "baccarat",
    "slot",
    "jackpot",
    "payday",
    "porn",
    "xxx",
    "escort",
    "replica",
    "cheap pills",
    "no prescription",
    # Indonesian, Russian, German betting
    "judi",
    "gacor",
    "togel",
    "maxwin",
    "казино",
    "ставки",
    "порно",
    "spielothek",
    "online-casino",
)
SEARCH_ORDER = tuple(sorted(SPAM_MORPHEMES, key=len, reverse=True))
"""Longest first: where two morphemes start at the same place, the longer one is counted."""
SHORT_WORD = 4
"""Latin morphemes this short count only as whole words (a plural too): `av` is no hit in "have" or "travel",
`judi` none in "judiciary"; longer ones only at a word's start (`casino` in "casinos", not in "xcasino")."""


def search_piece(term: str) -> str:
    """The pattern of one morpheme: Latin ones bounded by non-letters, others as they are."""
    escaped = re.escape(term)
    if not (term.isascii() and term[0].isalpha()):
        return escaped
    if len(term) <= SHORT_WORD:
        return f"(?<![a-z]){escaped}s?(?![a-z])"
    return f"(?<![a-z]){escaped}"


_CASELESS_RE = re.compile("|".join(map(search_piece, SEARCH_ORDER)), re.I)
_LETTERS = tuple((term, frozenset(term)) for term in SEARCH_ORDER)


def lexicon_hits_per_text(texts: list[str], lowered: list[str | None] | None = None) -> list[int]:
    """Case-insensitive spam-morpheme occurrences in each of a page's texts (`lowered`: their
    `lower_for_literal_search`, when the caller has it). Lowered texts are searched only for the morphemes found
    anywhere on the lowered page, far fewer than all of them: same counts, several times faster."""
    if lowered is None:
        lowered = [lower_for_literal_search(text) for text in texts]
    found = _pattern_of(_morphemes_in("\n".join(filter(None, lowered))))
    return [_hits(text, low, found) for text, low in zip(texts, lowered)]


def _morphemes_in(page: str) -> tuple[str, ...]:
    """The morphemes that occur in lower-cased text, in search order (letters checked first: cheaper)."""
    letters = set(page)
    return tuple(term for term, needed in _LETTERS if needed <= letters and term in page)


@lru_cache(maxsize=256)
def _pattern_of(terms: tuple[str, ...]) -> re.Pattern | None:
    """A case-sensitive alternation of some lower-case morphemes (None for none); pages share a few sets."""
    return re.compile("|".join(map(search_piece, terms))) if terms else None


def _hits(text: str, lowered: str | None, found: re.Pattern | None) -> int:
    """Occurrences in one text: its lowered form searched for the page's morphemes, or the text searched
    case-insensitively for all of them when it holds letters that lowering would not match alike."""
    if lowered is None:
        return len(_CASELESS_RE.findall(text))
    return len(found.findall(lowered)) if found else 0
