"""Hard negatives: article paragraphs *about* gambling, porn or pharma enforcement, which must stay content."""

from __future__ import annotations

import random

import zhconv

TERMS = {
    "zh": ("网络赌博", "六合彩", "百家乐", "色情网站", "淫秽视频", "假药", "博彩网站", "时时彩", "赌场", "成人影片"),
    "en": ("online casino", "sports betting", "slot machines", "pornography", "counterfeit viagra",
           "illegal pharmacy", "poker rooms", "payday loans", "escort services", "tramadol"),
    "ja": ("オンラインカジノ", "違法賭博", "アダルトサイト", "偽造医薬品", "スーパーコピー商品", "闇カジノ"),
}
TEMPLATES = {
    "zh": (
        "警方近日破获一起特大{term}案件，抓获犯罪嫌疑人{n}名，涉案金额超过{m}万元。",
        "记者从市公安局获悉，今年以来共查处{term}类违法犯罪线索{n}条，依法关停相关平台{m}个。",
        "专家提醒，{term}往往以高额回报为诱饵，市民切勿轻信陌生链接，发现线索应及时举报。",
        "据介绍，该团伙通过境外服务器运营{term}，利用社交软件招揽会员，目前案件正在进一步审理中。",
        "市场监管部门表示，将联合多部门持续开展打击{term}专项行动，维护群众合法权益。",
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
    ),
    "ja": (
        "警察は{day}、{term}を運営していた疑いで{n}人を逮捕したと発表した。",
        "消費者庁によると、{term}に関する相談は昨年度{n}件に上り、前年から大きく増えた。",
        "専門家は、{term}の広告をクリックしないよう注意を呼びかけている。",
    ),
}
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def enforcement_paragraph(rng: random.Random, lang: str, traditional: bool = False) -> str:
    """One news paragraph that reports on spam-vocabulary topics in a journalistic frame."""
    key = lang if lang in TEMPLATES else "en"
    template = rng.choice(TEMPLATES[key])
    text = template.format(
        term=rng.choice(TERMS[key]), n=rng.randint(3, 90), m=rng.randint(2, 900), day=rng.choice(DAYS)
    )
    return zhconv.convert(text, "zh-hant") if traditional and key == "zh" else text
