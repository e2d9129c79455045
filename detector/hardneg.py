"""Hard negatives: article paragraphs *about* gambling, porn or pharma enforcement, which must stay content, and
honest template parts that look like injections (hidden menus and popups, tracking pixels, junk after `</html>`)."""

from __future__ import annotations

import random

import zhconv

TERMS = {
    "zh": ("网络赌博", "六合彩", "百家乐", "色情网站", "淫秽视频", "假药", "博彩网站", "时时彩", "赌场", "成人影片"),
    "en": (
        "online casino",
        "sports betting",
        "slot machines",
        "pornography",
        "counterfeit viagra",
        "illegal pharmacy",
        "poker rooms",
        "payday loans",
        "escort services",
        "tramadol",
    ),
    "ja": ("オンラインカジノ", "違法賭博", "アダルトサイト", "偽造医薬品", "スーパーコピー商品", "闇カジノ"),
}
TEMPLATES = {
    "zh": (
        "警方近日破获一起特大{term}案件，抓获犯罪嫌疑人{n}名，涉案金额超过{m}万元。",
        "记者从市公安局获悉，今年以来共查处{term}类违法犯罪线索{n}条，依法关停相关平台{m}个。",
        "专家提醒，{term}往往以高额回报为诱饵，市民切勿轻信陌生链接，发现线索应及时举报。",
        "据介绍，该团伙通过境外服务器运营{term}，利用社交软件招揽会员，目前案件正在进一步审理中。",
        "市场监管部门表示，将联合多部门持续开展打击{term}专项行动，维护群众合法权益。",
        "据警方通报，该团伙开设的网站提供{list}等项目，涉案金额达{m}万元。",
        "办案民警介绍，涉案平台长期传播{list}等违法内容，已被依法关停。",
    ),
    "en": (
        "Police said on {day} that they had arrested {n} people suspected of running an {term} ring that "
        "took in more than ${m} million.",
        "Regulators have blocked {n} websites offering {term} this year, the agency said in a statement.",
        "The court heard that the defendant sold {term} to customers in {n} countries before the "
        "operation was shut down.",
        "Lawmakers are debating a bill that would tighten rules on {term}, after a report found {n} "
        "complaints in a single year.",
        "Investigators seized {m} boxes of {term} and warned consumers that such products can be dangerous.",
        "Court papers say customers in {n} states were sold {list} through the ring's sites.",
        "Consumer groups said ads for {list} were still reaching teenagers despite the ban.",
    ),
    "ja": (
        "警察によると、サイトでは{list}などが提供され、利用者は{n}人に上った。",
        "警察は{day}、{term}を運営していた疑いで{n}人を逮捕したと発表した。",
        "消費者庁によると、{term}に関する相談は昨年度{n}件に上り、前年から大きく増えた。",
        "専門家は、{term}の広告をクリックしないよう注意を呼びかけている。",
    ),
}
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
LISTS = {
    "zh": (
        ("百家乐", "六合彩", "时时彩", "老虎机", "体育博彩", "真人娱乐"),
        ("色情视频", "淫秽小说", "成人影片", "裸聊服务"),
        ("假药", "伟哥", "减肥药", "处方药"),
    ),
    "en": (
        ("slot machines", "blackjack", "roulette", "baccarat", "poker", "sports betting", "online casino games"),
        ("porn videos", "escort services", "adult webcams", "xxx clips"),
        ("viagra", "cialis", "tramadol", "xanax", "sildenafil", "diet pills"),
    ),
    "ja": (
        ("オンラインカジノ", "バカラ", "スロット", "ポーカー"),
        ("アダルト動画", "出会い系サイト"),
        ("偽造医薬品", "バイアグラ", "睡眠薬"),
    ),
}
"""Vocabulary of one trade as a report enumerates it (an indictment lists every game the sites offered)."""
HEADLINES = {
    "zh": ("警方破获{term}案 {n}人落网", "多部门联合整治{term}", "揭秘{term}背后的利益链"),
    "en": (
        "Police crack down on {term}: {n} arrested",
        "Regulators target {term} after complaints",
        "Inside the {term} trade that cost victims millions",
    ),
    "ja": ("{term}で{n}人逮捕", "{term}の被害相次ぐ 警察が注意呼びかけ"),
}
MAX_STORY_PARAGRAPHS = 3


def enforcement_story(rng: random.Random, lang: str, traditional: bool = False) -> tuple[str, list[str]]:
    """A headline and one to three news paragraphs reporting on one spam-vocabulary term in a journalistic
    frame, as a real article about a casino raid or a porn crackdown is written; a paragraph that enumerates draws
    its trade's vocabulary on its own (it may be another trade than the term's)."""
    key = lang if lang in TEMPLATES else "en"
    term = rng.choice(TERMS[key])
    headline = _in_script(_filled(rng.choice(HEADLINES[key]), rng, term, key), key, traditional)
    count = rng.randint(1, MAX_STORY_PARAGRAPHS)
    paragraphs = [_filled(template, rng, term, key) for template in rng.sample(TEMPLATES[key], count)]
    return headline, [_in_script(paragraph, key, traditional) for paragraph in paragraphs]


def _filled(template: str, rng: random.Random, term: str, key: str = "en") -> str:
    """A template with the topic, an enumeration of one trade's vocabulary and random figures filled in."""
    trade = rng.choice(LISTS[key])
    words = rng.sample(trade, min(3, len(trade)))
    enumeration = "、".join(words) if key in ("zh", "ja") else f"{', '.join(words[:-1])} and {words[-1]}"
    figures = {"n": rng.randint(3, 90), "m": rng.randint(2, 900), "day": rng.choice(DAYS)}
    return template.format(term=term, list=enumeration, **figures)


def _in_script(text: str, key: str, traditional: bool) -> str:
    """Chinese text in Traditional characters when the page is written so."""
    return zhconv.convert(text, "zh-hant") if traditional and key == "zh" else text


TRACKER_URLS = (
    "https://b.scorecardresearch.com/p?c1=2&c2={n}&cv=2.0&cj=1",
    "https://www.facebook.com/tr?id={n}&ev=PageView&noscript=1",
    "https://pixel.quantserve.com/pixel/p-{n}.gif",
    "https://www.google-analytics.com/collect?v=1&tid=UA-{n}-1&t=pageview",
    "https://ad.doubleclick.net/ddm/activity/src={n};type=invmedia;cat=news",
    "https://sb.scorecardresearch.com/b?c1=2&c2={n}&ns_site=news",
)
TRAILING_JUNK = (
    "\n/html>",
    "\n-->",
    "\n</body>\n</html>",
    "\n<!-- page generated in {n} ms -->",
    "\n<!-- cached {n} -->",
    ">\n",
    "\n<script>var _hmt = _hmt || [];</script>",
)
MENU_CLASSES = ("dropdown-menu", "sub-menu", "submenu", "nav-more", "share-pop", "wx-pop", "qr-layer", "mobile-nav")
HIDINGS = ("inline", "visibility", "rule", "aria")


def tracking_pixel(rng: random.Random) -> str:
    """One to three hidden 1x1 analytics images, as honest sites put them at the start or end of the body."""
    urls = [rng.choice(TRACKER_URLS).format(n=rng.randint(1000, 99999999)) for _ in range(rng.randint(1, 3))]
    images = [f'<img height="1" width="1" style="display:none" alt="" src="{url}">' for url in urls]
    inner = "".join(images)
    return f'<div style="display:none">{inner}</div>' if rng.random() < 0.5 else inner


def hidden_menu(rng: random.Random, labels: list[str]) -> tuple[str, str]:
    """(markup, style rule) of a hidden dropdown or popup listing the page's own link labels."""
    klass = rng.choice(MENU_CLASSES)
    items = "".join(f'<li><a href="/{rng.randint(1, 9999)}.html">{label}</a></li>' for label in labels)
    hiding = rng.choice(HIDINGS)
    attrs = {
        "inline": f'class="{klass}" style="display:none"',
        "visibility": f'class="{klass}" style="visibility:hidden"',
        "rule": f'class="{klass}"',
        "aria": f'class="{klass}" aria-hidden="true" style="display: none;"',
    }[hiding]
    rule = f".{klass}{{display:none}}" if hiding == "rule" else ""
    if rng.random() < 0.3:
        return f'<div {attrs}><img src="/images/qr.png" alt=""><p>{labels[0]}</p></div>', rule
    return f"<ul {attrs}>{items}</ul>", rule


def trailing_junk(rng: random.Random) -> str:
    """Leftovers some CMSs print after `</html>`: a stray closing tag, a comment, an analytics snippet."""
    return rng.choice(TRAILING_JUNK).format(n=rng.randint(10, 99999))
