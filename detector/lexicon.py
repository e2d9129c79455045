"""A small, hand-written list of spam morphemes: one weak feature among many, never the detector itself.

The model also sees the shape and context of every block, so it catches spam words that are not here.
"""

from __future__ import annotations

import re

from detector.text import CaselessLiterals

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
_SPAM_RE = CaselessLiterals("|".join(re.escape(term) for term in sorted(SPAM_MORPHEMES, key=len, reverse=True)))


def lexicon_hits(text: str) -> int:
    """Number of spam-morpheme occurrences in `text` (case-insensitive)."""
    return len(_SPAM_RE.findall(text))
