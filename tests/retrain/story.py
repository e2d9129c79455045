"""The user's story: Vietnamese betting spam (wording written for these tests) placed where the shipped model
has never seen spam, at the very top of the article in bold or as an `<h2>` inside it, on news pages made from
this folder's articles. Training and evaluation pages share no article and no site."""

from __future__ import annotations

import html as htmlmod
import json
import random
from pathlib import Path

from detector.heldout_pages import article_text, article_url, render_page

ARTICLES = json.loads((Path(__file__).resolve().parent / "fixtures" / "articles.json").read_text(encoding="utf-8"))
TRAIN_SITES = [f"{name}.vn" for name in ("tinnhanhplus", "baosaigon24", "thoibaomekong", "tintucdongnai", "bantin99")]
TEST_SITES = [f"{name}.vn" for name in ("nhipsonghue", "docbao360", "tinvietnhanh", "baovungtau", "songmoi24h")]
PAGES_PER_SIDE = 30

BRANDS = [
    "KUWIN99",
    "HI77",
    "789WIN",
    "NEW99",
    "F9BET",
    "SH66",
    "J77",
    "MB88",
    "JUN99",
    "OK888",
    "8XWIN",
    "FB77",
    "FIVE99",
    "SUNBET",
    "GO79",
    "WIN86",
    "VUA68",
    "BK8VN",
]
TRAIN_BRANDS = BRANDS[:10]
PITCHES = (
    "cá cược bóng đá",
    "nhà cái uy tín",
    "tải app nhận thưởng",
    "đăng ký nhận ngay 100K",
    "link vào mới nhất không bị chặn",
    "soi kèo nhà cái hôm nay",
    "tỷ lệ kèo trực tuyến",
    "casino trực tuyến",
    "nổ hũ đổi thưởng",
    "bắn cá đổi thưởng",
    "lô đề online tỷ lệ 1 ăn 99",
    "hoàn trả 1.5% mỗi ngày",
    "nạp rút siêu tốc 24/7",
    "khuyến mãi thành viên mới",
    "game bài đổi thưởng",
    "đá gà trực tiếp",
    "tặng 88K khi đăng ký",
    "thể thao ảo",
)
OPENERS = ("Nhà cái", "Link vào", "Tải app", "Đăng ký", "Kèo thơm", "")


def spam_line(rng: random.Random, brands: list[str]) -> str:
    """One betting pitch: a brand, then three to five selling phrases."""
    brand = rng.choice(brands)
    opener = rng.choice(OPENERS)
    pitches = rng.sample(PITCHES, rng.randint(3, 5))
    joiner = rng.choice((", ", " - ", " | ", " – "))
    return f"{opener} {brand}".strip() + rng.choice((" – ", ": ", " ")) + joiner.join(pitches)


def spam_markup(rng: random.Random, brands: list[str]) -> tuple[str, str]:
    """(markup, position): a bold line at the top of the article, or an `<h2>` between its paragraphs."""
    line = htmlmod.escape(spam_line(rng, brands), quote=False)
    if rng.random() < 0.6:
        domain = rng.choice(brands).lower() + rng.choice((".vip", ".bet", ".club", ".com"))
        inner = f'<a href="https://{domain}/">{line}</a>' if rng.random() < 0.5 else line
        bold = rng.choice(("strong", "b"))
        return f"<p><{bold}>{inner}</{bold}></p>", "top"
    return f"<h2>{line}</h2>", "middle"


def contaminated_page(article: dict, site: str, number: int, rng: random.Random, brands: list[str]) -> dict:
    """A sample line: the article on `site`, with one betting pitch inside the article."""
    page_article = {**article, "site": site, "path": f"/tin-tuc/{number}-{article['id']}.html"}
    related = [other["title"] for other in ARTICLES if other["lang"] == article["lang"] and other is not article]
    html = render_page(page_article, related[:4], number % 3)
    markup, position = spam_markup(rng, brands)
    paragraphs = [f"<p>{htmlmod.escape(p)}</p>" for p in article["paragraphs"]]
    anchor = paragraphs[0] if position == "top" else paragraphs[rng.randint(1, len(paragraphs) - 1)]
    assert anchor in html
    html = html.replace(anchor, markup + "\n" + anchor, 1)
    return {"url": article_url(page_article), "html": html, "contamination": [markup], "article": article_text(article)}


def story_samples(side: str, seed: int = 7) -> list[dict]:
    """30 labelled pages for `train` (half without `article`) or `test` (new articles, sites and brands)."""
    articles = ARTICLES[:5] if side == "train" else ARTICLES[5:]
    sites, brands = (TRAIN_SITES, TRAIN_BRANDS) if side == "train" else (TEST_SITES, BRANDS)
    rng = random.Random(f"{seed}/{side}")
    lines = []
    for number in range(PAGES_PER_SIDE):
        line = contaminated_page(articles[number % len(articles)], sites[number // 6], number, rng, brands)
        if side == "train" and number % 2:
            del line["article"]
        lines.append(line)
    return lines


def write_jsonl(lines: list[dict], path: Path) -> Path:
    """Write sample lines to a JSON Lines file."""
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    return path
