"""The end-of-crawl summary, built from the `hygiene/*` stats of a crawl (no Scrapy needed)."""

from __future__ import annotations

STATS_PREFIX = "hygiene/"
DROPPED_PREFIX = "dropped/"


def hygiene_stats(stats: dict) -> dict:
    """The crawl's `hygiene/*` stats without the prefix, e.g. {"pages_seen": 12, "dropped/not-article": 3}."""
    return {key[len(STATS_PREFIX) :]: value for key, value in stats.items() if key.startswith(STATS_PREFIX)}


def dropped_by_reason(stats: dict) -> dict[str, int]:
    """Dropped pages per reason from un-prefixed hygiene stats."""
    return {k[len(DROPPED_PREFIX) :]: v for k, v in sorted(stats.items()) if k.startswith(DROPPED_PREFIX)}


def summary(stats: dict, finish_reason: str | None) -> dict:
    """Pages seen, clean, contaminated (all quarantined), unchanged and dropped by reason."""
    ours = hygiene_stats(stats)
    return {
        "finish_reason": finish_reason,
        "pages_seen": ours.get("pages_seen", 0),
        "clean": ours.get("pages_clean", 0),
        "contaminated": ours.get("pages_contaminated", 0),
        "unchanged": ours.get("unchanged", 0),
        "dropped": dropped_by_reason(ours),
    }


def summary_lines(result: dict) -> list[str]:
    """The summary as aligned text lines for a terminal or a log."""
    dropped = result["dropped"]
    reasons = ", ".join(f"{reason} {count}" for reason, count in dropped.items())
    return [
        f"pages seen     {result['pages_seen']:>6}",
        f"clean items    {result['clean']:>6}",
        f"contaminated   {result['contaminated']:>6}"
        + ("  (clean text stored, raw page quarantined)" if result["contaminated"] else ""),
        f"unchanged      {result['unchanged']:>6}",
        f"dropped        {sum(dropped.values()):>6}" + (f"  ({reasons})" if reasons else ""),
        f"finish reason  {result['finish_reason']}",
    ]
