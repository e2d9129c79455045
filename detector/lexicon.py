"""A small, hand-written list of spam morphemes: one weak feature among many, never the detector itself.

The model also sees the shape and context of every block, so it catches spam words that are not here.
"""

from __future__ import annotations

import re
from functools import lru_cache

from detector.text import lower_for_literal_search

SPAM_MORPHEMES = (
    # Chinese porn / gambling / lottery (both scripts where they differ), as compounds: the everyday words they
    # are made of (国产 "domestic", 精品 "fine", 澳门 "Macau", 真人 "real person", 彩票 "lottery") fill honest news
    "国产精品",
    "國產精品",
    "久久精品",
    "久久综合",
    "无码",
    "無碼",
    "一区二区",
    "一區二區",
    "在线观看",
    "在線觀看",
    "午夜福利",
    "午夜影院",
    "人妻",
    "日韩欧美",
    "欧美日韩",
    "歐美日韓",
    "亚洲欧美",
    "亞洲歐美",
    "成人视频",
    "成人網站",
    "成人网站",
    "色情",
    "av",
    "五月婷婷",
    "婷婷五月",
    "激情视频",
    "激情小说",
    "熟妇",
    "自拍偷拍",
    "娱乐城",
    "娛樂城",
    "博彩",
    "百家乐",
    "百家樂",
    "六合彩",
    "时时彩",
    "時時彩",
    "彩票平台",
    "购彩",
    "赌场",
    "賭場",
    "老虎机",
    "真人娱乐",
    "真人视讯",
    "体育官网",
    "官网入口",
    "官網入口",
    "一肖一码",
    "澳门新葡京",
    "澳門新葡京",
    "澳门金沙",
    "澳门威尼斯人",
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
CALLS_TO_ACTION = (
    "buy now",
    "buy cheap",
    "order now",
    "order online",
    "free shipping",
    "best price",
    "best prices",
    "lowest price",
    "discount",
    "without prescription",
    "sign up now",
    "click here",
    "satisfaction guaranteed",
    "立即注册",
    "注册即送",
    "点击访问",
    "立即下载",
    "免费领取",
    "首存",
    "送彩金",
    "立即註冊",
    "今すぐ購入",
    "送料無料",
    "今すぐ登録",
    "купить",
    "дешево",
    "скидка",
    "comprar ahora",
    "jetzt kaufen",
    "daftar sekarang",
)
"""Commerce and sign-up calls (buy, order, register now): spam sells and recruits, news reports on those who do.
Counted apart from the spam morphemes, as a third weak feature. Not "click to enter" (点击进入): portals and
news write it of their own sections."""
SEARCH_ORDER = tuple(sorted(SPAM_MORPHEMES + CALLS_TO_ACTION, key=len, reverse=True))
"""Longest first: where two morphemes start at the same place, the longer one is counted."""
SHORT_WORD = 4
"""Latin morphemes this short count only as whole words (a plural too): `av` is no hit in "have" or "travel",
`judi` none in "judiciary"; longer ones only at a word's start (`casino` in "casinos", not in "xcasino")."""


def search_piece(term: str) -> str:
    """The pattern of one morpheme: Latin ones bounded by anything but ASCII letters (an accented letter is a
    boundary too: `av` hits in "avó"), others as they are."""
    escaped = re.escape(term)
    if not (term.isascii() and term[0].isalpha()):
        return escaped
    if len(term) <= SHORT_WORD:
        return f"(?<![a-z]){escaped}s?(?![a-z])"
    return f"(?<![a-z]){escaped}"


_CASELESS_RE = re.compile("|".join(map(search_piece, SEARCH_ORDER)), re.I)
_CALL_RE = re.compile("|".join(map(search_piece, CALLS_TO_ACTION)), re.I)
"""Tells a match that is a call to action, spelt with any letters the caseless search takes (ſ, İ, ı) too."""
_LETTERS = tuple((term, frozenset(term)) for term in SEARCH_ORDER)


def lexicon_hits_per_text(texts: list[str], lowered: list[str | None] | None = None) -> list[tuple[int, int, int]]:
    """Case-insensitive spam-morpheme occurrences in each of a page's texts, as (words in alphabetic scripts,
    morphemes in CJK and kana, calls to action): the lists differ in precision, so the model weighs them apart.
    `lowered` are the texts' `lower_for_literal_search`, when the caller has them. Lowered texts are searched only
    for the morphemes found anywhere on the lowered page, far fewer than all of them: same counts, several times
    faster."""
    if lowered is None:
        lowered = [lower_for_literal_search(text) for text in texts]
    terms = _morphemes_in("\n".join(filter(None, lowered)))
    found = _pattern_of(terms)
    return [_hits(text, low, found, terms) for text, low in zip(texts, lowered)]


def _morphemes_in(page: str) -> tuple[str, ...]:
    """The morphemes that occur in lower-cased text, in search order (letters checked first: cheaper)."""
    letters = set(page)
    return tuple(term for term, needed in _LETTERS if needed <= letters and term in page)


@lru_cache(maxsize=256)
def _pattern_of(terms: tuple[str, ...]) -> re.Pattern | None:
    """A case-sensitive alternation of some lower-case morphemes (None for none); pages share a few sets."""
    return re.compile("|".join(map(search_piece, terms))) if terms else None


def _hits(text: str, lowered: str | None, found: re.Pattern | None, terms: tuple[str, ...]) -> tuple[int, int, int]:
    """Occurrences in one text: its lowered form searched for the page's morphemes (only when one of them is in
    it as a substring: far cheaper than the search), or the text searched case-insensitively for all of them when
    it holds letters that lowering would not match alike."""
    if lowered is None:
        return _by_script(_CASELESS_RE.findall(text))
    if found is None or not any(term in lowered for term in terms):
        return NO_HITS
    return _by_script(found.findall(lowered))


NO_HITS = (0, 0, 0)


def _by_script(matches: list[str]) -> tuple[int, int, int]:
    """How many matches are spam words of an alphabetic script (Latin, Cyrillic), CJK or kana spam morphemes,
    and calls to action."""
    if not matches:
        return NO_HITS
    is_call = [_CALL_RE.fullmatch(match) is not None for match in matches]
    calls = sum(is_call)
    words = sum(1 for match, call in zip(matches, is_call) if match[0] < CJK_START and not call)
    return words, len(matches) - words - calls, calls


CJK_START = "\u2e80"
"""Where CJK radicals, kana and ideographs begin; every alphabetic morpheme starts below."""
