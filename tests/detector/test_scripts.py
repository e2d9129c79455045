"""Writing-script and Han-variant counts, counted a page at a time from code-point tables, agree with the
patterns and tables that define them."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import zhconv

from detector.pagecache import forget_page_caches
from detector.text import SCRIPT_PATTERNS, count_scripts, han_variant_counts, script_counts

SAMPLES = (
    "市议会周二再次开会讨论明年的预算安排",
    "市議會週二再次開會討論明年的預算安排",
    "東京都は火曜日にカタカナとひらがなで発表した",
    "서울시 의회는 화요일에 예산을 승인했다",
    "Городской совет утвердил бюджет во вторник",
    "Το δημοτικό συμβούλιο ενέκρινε τον προϋπολογισμό",
    "Café naïve façade 2025 déjà vu",
    "𠀀𠀁 emoji 😀 and a lone surrogate \ud800 end",
    "",
)


def expected_counts(text: str) -> dict[str, int]:
    """Script counts by the defining patterns themselves."""
    found = {script: len(pattern.findall(text)) for script, pattern in SCRIPT_PATTERNS.items()}
    return {script: count for script, count in found.items() if count}


def expected_variants(text: str) -> tuple[int, int]:
    """Simplified-only and Traditional-only characters by zhconv's tables, as character classes."""
    table = json.loads((Path(zhconv.__file__).parent / "zhcdict.json").read_text(encoding="utf-8"))
    patterns = [re.compile("[" + re.escape("".join(table[key])) + "]") for key in ("SIMPONLY", "TRADONLY")]
    return len(patterns[0].findall(text)), len(patterns[1].findall(text))


def random_texts(count: int) -> list[str]:
    """Seeded random strings mixing the samples' characters with any code point."""
    rng = random.Random(7)
    pool = "".join(SAMPLES)
    texts = []
    for _ in range(count):
        chars = [rng.choice(pool) if rng.random() < 0.8 else chr(rng.randrange(0x110000)) for _ in range(30)]
        texts.append("".join(chars))
    return texts


def test_counts_of_a_page_counted_at_once_are_each_texts_own():
    """Texts counted together get the counts each has alone, by the defining patterns."""
    texts = [*SAMPLES, *random_texts(300)]
    count_scripts(texts)
    for text in texts:
        assert script_counts(text) == expected_counts(text), text
        assert han_variant_counts(text) == expected_variants(text), text
    forget_page_caches()


def test_a_text_not_counted_with_its_page_is_counted_alone():
    """`script_counts` of a text the page never counted, and both Han scripts told apart."""
    forget_page_caches()
    assert script_counts("Tuesday 2025") == {"latin": 7, "digit": 4}
    simplified, traditional = han_variant_counts(SAMPLES[0]), han_variant_counts(SAMPLES[1])
    assert simplified[0] > simplified[1] and traditional[1] > traditional[0]
