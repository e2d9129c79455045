"""Random tag noise (干扰码) for the contamination generator: ids, tag inventories and noise markup.

Shapes follow the observed mirror-site noise: empty nested elements, depth 1-4, every element carrying
the same short random id (`[a-z]{5}`, `[a-z0-9]{5}` or 6-10 hex), plus the meikro `ganrao()` variant
(random 2-5-letter tag names, a fresh id per group, inside an off-screen fixed div).
"""

from __future__ import annotations

import string
from random import Random

from lxml.html import defs


def _names(words: str) -> tuple[str, ...]:
    """Space-separated names as a tuple."""
    return tuple(words.split())


OBSERVED_TAGS = _names(
    "var menuitem strike listing cite video noframes address th progress kbd form strong "
    "dl del b abbr ul center pre dfn s small"
)
"""Tags seen in live mirror-site noise."""

HOLDOUT_TAGS = ("dl", "del", "b", "abbr", "ul", "center", "pre", "dfn", "s", "small")
"""Observed tags never used by training families; holdout noise adds random invented 2-5-letter names."""

TRAIN_TAGS = tuple(t for t in OBSERVED_TAGS if t not in HOLDOUT_TAGS) + ("delect", "vart", "strng", "adress")
"""Tag inventory of the training tag-noise families: the other observed tags plus fixed invented names."""

ID_SHAPES = ("alpha5", "alnum5", "hex")

_UNSAFE_TAG_NAMES = frozenset(defs.tags) | frozenset(
    _names(
        "svg math image isindex plaintext xmp nobr noembed frameset frame template slot dialog picture source "
        "track search main data time mark ruby rt rp rb rtc bdi wbr meter output details summary nav header "
        "footer section article aside figure figcaption hgroup keygen canvas embed audio object param menu "
        "body head html title textarea script style select option table"
    )
)
"""Names an invented tag must never take: real elements, or names with special parsing rules."""


def random_id(rng: Random, shape: str) -> str:
    """A random-looking id: `alpha5` (vnxft), `alnum5` with at least one digit (k0gca) or 6-10 hex chars."""
    if shape == "alpha5":
        return "".join(rng.choices(string.ascii_lowercase, k=5))
    if shape == "alnum5":
        chars = rng.choices(string.ascii_lowercase + string.digits, k=4) + [rng.choice(string.digits)]
        rng.shuffle(chars)
        return "".join(chars)
    return "".join(rng.choices("0123456789abcdef", k=rng.randint(6, 10)))


def invented_tag(rng: Random, avoid: tuple[str, ...] = TRAIN_TAGS) -> str:
    """A random lowercase 2-5-letter tag name that is no HTML element and not in `avoid`."""
    while True:
        name = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 5)))
        if name not in _UNSAFE_TAG_NAMES and name not in avoid:
            return name


def noise_count(rng: Random, low: int = 3, high: int = 300) -> int:
    """Number of noise elements, log-uniform in [low, high] (small blocks are the most common)."""
    return min(high, int(low * (high / low) ** rng.random()))


def _pick_tag(rng: Random, tagset: tuple[str, ...], invent: bool, raw_context: bool) -> str:
    """One tag of the inventory; `noframes` is skipped inside a raw-text wrapper (it would close it)."""
    if invent and rng.random() < 0.25:
        return invented_tag(rng)
    while True:
        tag = rng.choice(tagset)
        if not (raw_context and tag == "noframes"):
            return tag


def noise_group(
    rng: Random, tagset: tuple[str, ...], noise_id: str, depth: int, invent: bool, raw_context: bool
) -> str:
    """`depth` empty elements nested in each other, all with `id=noise_id`."""
    tags = [_pick_tag(rng, tagset, invent, raw_context) for _ in range(depth)]
    opening = "".join(f'<{tag} id="{noise_id}">' for tag in tags)
    closing = "".join(f"</{tag}>" for tag in reversed(tags))
    return opening + closing


def noise_groups(
    rng: Random, tagset: tuple[str, ...], noise_id: str, count: int, invent: bool, raw_context: bool = False
) -> list[str]:
    """Groups of nested noise elements totalling about `count` elements."""
    groups: list[str] = []
    remaining = count
    while remaining > 0:
        depth = min(remaining, rng.randint(1, 4))
        groups.append(noise_group(rng, tagset, noise_id, depth, invent, raw_context))
        remaining -= depth
    return groups


def ganrao_block(rng: Random, count: int) -> tuple[str, list[str]]:
    """meikro-style noise: pairs of random tags, fresh 6-letter id + 5-letter class each, in an off-screen div."""
    wrapper_id = f"body_jx_{rng.randint(100000, 999999)}"
    ids = [wrapper_id]
    pairs = []
    for _ in range(max(1, count // 2)):
        outer, inner = invented_tag(rng), invented_tag(rng)
        pair_id = "".join(rng.choices(string.ascii_lowercase, k=6))
        klass = "".join(rng.choices(string.ascii_lowercase, k=5))
        ids.append(pair_id)
        pairs.append(f'<{outer} id="{pair_id}"><{inner} class="{klass}"></{inner}></{outer}>')
    markup = f'<div id="{wrapper_id}" style="position:fixed;left:-9000px;top:-9000px;">' + "".join(pairs) + "</div>"
    return markup, ids
