"""Score the tools' outputs and render the benchmark: ratio table for the terminal, Markdown for the README."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pages import BenchPage, read_pages
from peers import TOOLS

from detector.evaluate import spam_left
from detector.metrics import corpus_f1, page_prf

CHINESE = "Chinese (cwced-zh + daniel/zh)"
HELD_OUT = "held-out sites, all clean corpora"
ALL_CLEAN = "all clean pages"
DIRTY_PREFIX = "dirty/"
ALL_DIRTY = "dirty/all"
OURS = "hygiene"
BASELINE = "trafilatura"
TARGET_SPEEDUP = 3.0
TARGET_SCALING = 1.8
TARGET_RSS_MB = 300.0
SPOTLESS_RECALL = 0.8
"""A contaminated page comes out spotless when no injected text is left and this much of the article is."""


@dataclass
class DirtyTally:
    """Spam removal and article recall of one tool on a group of contaminated pages."""

    spam_chars: int = 0
    spam_left: int = 0
    recalls: list[float] = field(default_factory=list)
    flagged: int = 0
    pages: int = 0
    spotless: int = 0

    def add(self, page: BenchPage, text: str, flagged: bool | None) -> None:
        """Count one contaminated page."""
        total, left = spam_left(page, text)
        recall = page_prf(text, page.article)[1]
        self.spam_chars += total
        self.spam_left += left
        self.recalls.append(recall)
        self.spotless += left == 0 and recall >= SPOTLESS_RECALL
        self.flagged += bool(flagged)
        self.pages += 1

    @property
    def spam_removed(self) -> float:
        return 1 - self.spam_left / self.spam_chars if self.spam_chars else 0.0

    @property
    def spam_left_share(self) -> float:
        return self.spam_left / self.spam_chars if self.spam_chars else 0.0

    @property
    def spotless_share(self) -> float:
        return self.spotless / self.pages if self.pages else 0.0

    @property
    def article_kept(self) -> float:
        return sum(self.recalls) / len(self.recalls) if self.recalls else 0.0


@dataclass
class ToolFigures:
    """Every figure of one tool."""

    name: str
    label: str
    pages_per_s_one: float
    pages_per_s_all: float
    load_s: float
    rss_mb: float
    errors: int
    f1: dict[str, float]
    f1_pages: dict[str, int]
    dirty: dict[str, DirtyTally]
    clean_flagged: float | None

    @property
    def scaling(self) -> float:
        return self.pages_per_s_all / self.pages_per_s_one if self.pages_per_s_one else 0.0


@dataclass
class Results:
    """The figures of all tools and of `hygiene clean` end to end."""

    tools: dict[str, ToolFigures]
    cli: dict[int, dict]
    counts: dict[str, int]
    cli_pages: int

    @classmethod
    def collect(cls, pages: Path, workdir: Path, runs: list, cli: dict[int, dict], counts: dict[str, int]) -> Results:
        """Score each tool's one-core output against the pages' ground truth."""
        tools = {run.name: figures_of(run, pages, workdir / f"{run.name}.1.0.jsonl") for run in runs}
        return cls(tools, cli, counts, sum(counts.values()))


def outputs(path: Path) -> Iterator[dict]:
    """The rows a measuring process wrote, in page order."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def figures_of(run, pages: Path, output: Path) -> ToolFigures:
    """Speed, memory and quality of one tool."""
    pairs: dict[str, list[tuple[str, str]]] = defaultdict(list)
    dirty: dict[str, DirtyTally] = defaultdict(DirtyTally)
    clean_pages = clean_flagged = 0
    for page, row in zip(read_pages(pages), outputs(output), strict=True):
        if page.contaminated:
            for group in (page.group, ALL_DIRTY):
                dirty[group].add(page, row["text"], row["flagged"])
            continue
        if page.group.startswith(DIRTY_PREFIX):
            continue  # a contaminated copy whose injection left no trace: neither clean corpus page nor dirty
        clean_pages += 1
        clean_flagged += bool(row["flagged"])
        for group in groups_of(page):
            pairs[group].append((row["text"], page.article))
    one, shards = run.one_core, run.all_cores
    flag_capable = run.name in (OURS, "datatrove")
    return ToolFigures(
        name=run.name,
        label=TOOLS[run.name].label,
        pages_per_s_one=one["pages"] / one["wall_s"],
        pages_per_s_all=sum(s["pages"] for s in shards) / max(s["wall_s"] for s in shards),
        load_s=one["load_s"],
        rss_mb=max([one["max_rss_mb"]] + [s["max_rss_mb"] for s in shards]),
        errors=one["errors"],
        f1={group: corpus_f1(group_pairs).f1 for group, group_pairs in pairs.items()},
        f1_pages={group: len(group_pairs) for group, group_pairs in pairs.items()},
        dirty=dict(dirty),
        clean_flagged=clean_flagged / clean_pages if flag_capable and clean_pages else None,
    )


def groups_of(page: BenchPage) -> list[str]:
    """Every F1 row a clean corpus page counts in."""
    groups = [page.group, ALL_CLEAN]
    if page.lang == "zh":
        groups.append(CHINESE)
    if page.held_out:
        groups.append(HELD_OUT)
    return groups


# ---------------------------------------------------------------- rendering


def ratio(ours: float, peer: float) -> str:
    """ours/peer as `1.23×`, or n/a."""
    return f"{ours / peer:.2f}×" if peer else "n/a"


def dirty_total(tool: ToolFigures) -> DirtyTally:
    """The tool's tally over the whole contaminated set (empty without one)."""
    return tool.dirty.get(ALL_DIRTY, DirtyTally())


def ratio_rows(results: Results) -> list[list[str]]:
    """One row per peer: our figure divided by theirs."""
    ours = results.tools.get(OURS)
    if ours is None:
        return []
    rows = []
    for peer in results.tools.values():
        if peer.name == OURS:
            continue
        rows.append(
            [
                peer.label,
                ratio(ours.pages_per_s_one, peer.pages_per_s_one),
                ratio(ours.pages_per_s_all, peer.pages_per_s_all),
                ratio(ours.f1.get("zyte-aeb", 0), peer.f1.get("zyte-aeb", 0)),
                ratio(ours.f1.get(CHINESE, 0), peer.f1.get(CHINESE, 0)),
                ratio(ours.f1.get(ALL_CLEAN, 0), peer.f1.get(ALL_CLEAN, 0)),
                ratio(dirty_total(ours).spam_left_share, dirty_total(peer).spam_left_share),
                ratio(dirty_total(ours).spotless_share, dirty_total(peer).spotless_share),
                ratio(ours.rss_mb, peer.rss_mb),
            ]
        )
    return rows


RATIO_HEADER = [
    "ours / peer",
    "pages/s 1 core",
    "pages/s all cores",
    "F1 zyte-aeb",
    "F1 Chinese",
    "F1 all clean",
    "spam left (lower is better)",
    "spotless dirty pages",
    "peak RSS",
]


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def render_ratios(results: Results) -> str:
    """The terminal summary: ratios ours/peer and the target checks."""
    return table(RATIO_HEADER, ratio_rows(results)) + "\n\n" + "\n".join(target_lines(results))


def speed_rows(results: Results) -> list[list[str]]:
    """Speed, scaling, load time and memory of each tool."""
    return [
        [
            t.label,
            f"{t.pages_per_s_one:.1f}",
            f"{t.pages_per_s_all:.1f}",
            f"{t.scaling:.2f}×",
            f"{t.load_s:.2f}",
            f"{t.rss_mb:.0f}",
            str(t.errors),
        ]
        for t in results.tools.values()
    ]


def cli_rows(results: Results) -> list[list[str]]:
    """`hygiene clean` end to end, per worker count."""
    rows = []
    for workers, run in sorted(results.cli.items()):
        rate = results.cli_pages / run["wall_s"]
        rows.append(
            [f"`hygiene clean --workers {workers}`", f"{rate:.1f}", f"{run['wall_s']:.1f}", f"{run['max_rss_mb']:.0f}"]
        )
    return rows


def f1_rows(results: Results) -> list[list[str]]:
    """Clean-text F1 per group of pages, one column per tool."""
    groups = [g for g in results.counts if not g.startswith(DIRTY_PREFIX)] + [CHINESE, HELD_OUT, ALL_CLEAN]
    any_tool = next(iter(results.tools.values()))
    rows = []
    for group in groups:
        if group not in any_tool.f1:
            continue
        cells = [f"{t.f1.get(group, 0):.3f}" for t in results.tools.values()]
        rows.append([group, str(any_tool.f1_pages[group]), *cells])
    return rows


def dirty_rows(results: Results) -> list[list[str]]:
    """Spam removed, article kept and pages flagged on the contaminated set, per tool and family group."""
    rows = []
    groups = [g for g in results.counts if g.startswith(DIRTY_PREFIX)] + [ALL_DIRTY]
    for t in results.tools.values():
        for group in groups:
            tally = t.dirty.get(group)
            if tally is None:
                continue
            flagged = f"{tally.flagged / tally.pages:.1%}" if t.clean_flagged is not None else "—"
            false_flags = f"{t.clean_flagged:.1%}" if t.clean_flagged is not None and group == ALL_DIRTY else ""
            rows.append(
                [
                    t.label,
                    group,
                    str(tally.pages),
                    f"{tally.spam_removed:.1%}",
                    f"{tally.article_kept:.3f}",
                    f"{tally.spotless_share:.1%}",
                    flagged,
                    false_flags,
                ]
            )
    return rows


def target_lines(results: Results) -> list[str]:
    """The targets of the issue, each checked against this run's figures."""
    ours, base = results.tools.get(OURS), results.tools.get(BASELINE)
    lines = []
    if ours and base:
        speedup = ours.pages_per_s_one / base.pages_per_s_one
        lines.append(
            check(
                speedup >= TARGET_SPEEDUP,
                f"one core: {speedup:.2f}× trafilatura's pages/s (target ≥ {TARGET_SPEEDUP}×)",
            )
        )
        for group, strict in (("zyte-aeb", False), (CHINESE, True)):
            mine, theirs = ours.f1.get(group, 0), base.f1.get(group, 0)
            met = mine > theirs if strict else mine >= theirs
            lines.append(
                check(met, f"F1 on {group}: {mine:.3f} vs trafilatura {theirs:.3f} (target {'>' if strict else '≥'})")
            )
    if ours:
        lines.append(
            check(
                ours.scaling >= TARGET_SCALING,
                f"all cores: {ours.scaling:.2f}× own one-core pages/s (target ≥ {TARGET_SCALING}×)",
            )
        )
        lines.append(
            check(
                ours.rss_mb < TARGET_RSS_MB,
                f"peak RSS per process {ours.rss_mb:.0f} MB (target < {TARGET_RSS_MB:.0f} MB)",
            )
        )
        lines += cli_target_lines(results)
        if ALL_DIRTY in ours.dirty:
            peers = [t for t in results.tools.values() if t.name != OURS]
            best = max(peers, key=lambda t: dirty_total(t).spotless_share, default=None)
            mine = dirty_total(ours)
            if best is not None:
                theirs = dirty_total(best)
                lines.append(
                    check(
                        mine.spotless_share > theirs.spotless_share,
                        f"spotless contaminated pages (no spam left, article recall ≥ {SPOTLESS_RECALL}) "
                        f"{mine.spotless_share:.1%} vs best peer {best.label} {theirs.spotless_share:.1%}; "
                        f"spam left {mine.spam_left_share:.1%} vs {theirs.spam_left_share:.1%}",
                    )
                )
    return lines


def cli_target_lines(results: Results) -> list[str]:
    """Scaling and memory of `hygiene clean` itself."""
    if len(results.cli) < 2 or 1 not in results.cli:
        return []
    most = max(results.cli)
    scaling = results.cli[1]["wall_s"] / results.cli[most]["wall_s"]
    rss = max(run["max_rss_mb"] for run in results.cli.values())
    return [
        check(
            scaling >= TARGET_SCALING,
            f"`hygiene clean --workers {most}`: {scaling:.2f}× `--workers 1` (target ≥ {TARGET_SCALING}×)",
        ),
        check(
            rss < TARGET_RSS_MB,
            f"`hygiene clean` peak RSS of its largest process {rss:.0f} MB (target < {TARGET_RSS_MB:.0f} MB)",
        ),
    ]


def check(met: bool, text: str) -> str:
    """One target line, marked met or missed."""
    return f"- {'met' if met else 'MISSED'}: {text}"


def reused_note(info: dict) -> str:
    """Which tools were measured by an earlier invocation (`--reuse`) on the very same pages, if any."""
    reused = info.get("reused") or []
    if not reused:
        return ""
    return (
        f"{', '.join(reused)} measured by an earlier invocation on the very same pages (`--reuse`); "
        "the minutes and load averages are those of the last invocation. "
    )


def render_markdown(results: Results, info: dict) -> str:
    """The whole report, for `bench/RESULTS.md`."""
    tool_labels = [t.label for t in results.tools.values()]
    versions = ", ".join(f"{name} {version}" for name, version in info["versions"].items())
    parts = [
        "# Benchmark: hygiene against its peers",
        "",
        f"Measured by `{info['command']}` ({info['minutes']:.0f} min) on {info['cores']} cores, "
        f"Python {info['python']}; {versions}. Every tool gets the same decoded pages "
        f"({results.cli_pages} in all). Load average of the machine at start / end: "
        f"{info['load'][0]:.1f} / {info['load'][1]:.1f} (other work on it slows every tool alike). "
        f"{reused_note(info)}Re-run it to refresh this file.",
        "",
        "## Ratios, ours / peer",
        "",
        table(RATIO_HEADER, ratio_rows(results)),
        "",
        "## Targets",
        "",
        *target_lines(results),
        "",
        "## Speed and memory",
        "",
        "One fresh process per tool (and per core): load time is import + model load; pages/s counts the "
        "extraction loop only; all cores = one process per core, started together.",
        "",
        table(
            ["tool", "pages/s 1 core", "pages/s all cores", "scaling", "load s", "peak RSS MB", "errors"],
            speed_rows(results),
        ),
        "",
        "`hygiene clean` end to end on the same pages as JSON Lines (start-up, model load, reading and writing "
        "included; peak RSS of its largest process):",
        "",
        table(["command", "pages/s", "wall s", "peak RSS MB"], cli_rows(results)),
        "",
        "## Clean-text F1 (4-token shingles, P and R averaged over pages)",
        "",
        table(["pages", "n", *tool_labels], f1_rows(results)),
        "",
        "## Contaminated set: spam removed and article kept",
        "",
        "Held-out pages (l3s-gn1, and Chinese pages of sites the model never saw) with 1-3 generated injections "
        "each, of the training families or of the held-out ones. Spam removed = share of injected characters "
        "absent from the output; article kept = shingle recall of the article; spotless = pages with no injected "
        f"text left and article recall ≥ {SPOTLESS_RECALL} (dropping a page removes its spam, but not cleanly); "
        "flagged = pages ours calls contaminated (datatrove: pages its filters drop); "
        "false flags = the same on the clean pages.",
        "",
        table(
            ["tool", "pages", "n", "spam removed", "article kept", "spotless", "flagged", "false flags"],
            dirty_rows(results),
        ),
        "",
    ]
    return "\n".join(parts)
