"""Spam wording for the contamination generator: phrases per language, theme and wording source.

Built-in word lists are written for this project (short morphemes combined at random), so the
generator works without `../shared`; `SpamVocabulary.from_lexicons` adds the placed lexicons as
extra wording sources, used as-is (one or two lexicon terms per phrase).
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path
from random import Random

import zhconv

LANGUAGES = ("zh-hans", "zh-hant", "en", "ja", "id", "ru", "de", "ko")
THEMES = ("porn", "gambling", "pharma", "counterfeit")
BUILTIN = "builtin"
LEXICON_SOURCES = ("konsheng", "houbb", "splorp", "ldnoobw")
KEYWORD_JOINERS = ("_", "-", ",", "|", " ")
MIN_POOL_TERMS = 5

_NO_SPACE_LANGUAGES = ("zh-hans", "zh-hant", "ja")
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


@dataclass(frozen=True)
class WordPool:
    """Phrase parts of one (source, language, theme): phrase = [pre] term [post]."""

    terms: tuple[str, ...]
    pre: tuple[str, ...] = ()
    post: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()


def _w(words: str) -> tuple[str, ...]:
    """Split a `|`-separated word list."""
    return tuple(w.strip() for w in words.split("|") if w.strip())


# --- built-in wording (written for this project) -------------------------------------------------

_ZH_GAMBLING_BRANDS = _w(
    "金沙|银河|星辉|博鱼|乐鱼|米乐|天博|亿博|凯时|鼎盛|盈丰|宝马会|新濠|永盈|威斯|皇朝|鸿运|必发|大发|金冠"
)
_LATIN_GAMBLING_BRANDS = _w(
    "betwin88|luckyroyal|vipslot777|megajack|kingbet99|goldstar|slotmax|royal365|acewin|bigwin88|jackpotking"
)

_BUILTIN_WORDS: dict[tuple[str, str], WordPool] = {
    ("zh-hans", "porn"): WordPool(
        terms=_w("精品|无码|人妻|偷拍|自拍|熟女|福利|大尺度|巨乳|少妇|丝袜|制服|AV|激情|成人"),
        pre=_w("国产|亚洲|日韩|欧美|久久|午夜|中文字幕|免费|高清|最新|99|97|草莓|蜜桃"),
        post=_w("一区二区三区|在线观看|视频|免费观看|影院|专区|网站|在线播放|综合|大片|直播|下载|av网站|伊人"),
        brands=_w("蜜桃视频|草莓视频|香蕉视频|樱桃视频|丝瓜视频|芭乐视频|荔枝直播|杏仁直播"),
    ),
    ("zh-hans", "gambling"): WordPool(
        terms=_w(
            "百家乐|老虎机|六合彩|时时彩|一肖一码|买球|体育投注|真人荷官|北京赛车|幸运飞艇|快三|捕鱼|棋牌|电竞竞猜|彩票"
        ),
        pre=_w("澳门|香港|正版|网上|手机|在线|官方|最新|免费|靠谱|2024|2025"),
        post=_w("官网|平台|开奖结果|网址|注册送彩金|下注|娱乐城|app下载|资料大全|开户|入口|投注网站"),
        brands=_ZH_GAMBLING_BRANDS,
    ),
    ("zh-hans", "pharma"): WordPool(
        terms=_w("伟哥|壮阳药|延时喷剂|催情药|迷情水|减肥药|印度仿制药|春药|助勃药|听话水|安眠药|代孕"),
        pre=_w("正品|进口|美国|日本|网上|哪里买|货到付款|男用|女用|强效"),
        post=_w("购买|官网|专卖|批发|价格|效果|哪里有卖|货到付款|秒发|微信"),
        brands=_w("万艾可|希爱力|必利劲|犀利士|艾力达"),
    ),
    ("zh-hans", "counterfeit"): WordPool(
        terms=_w("高仿|复刻|原单|一比一|A货|超A|精仿|顶级复刻|尾单"),
        pre=_w("劳力士|百达翡丽|欧米茄|香奈儿|爱马仕|古驰|路易威登|巴黎世家|耐克|卡地亚"),
        post=_w("手表|包包|皮带|鞋子|批发|工厂直销|微商货源|拿货|一件代发|价格"),
        brands=_w("劳力士|百达翡丽|欧米茄|香奈儿|爱马仕|古驰|卡地亚|宇舶"),
    ),
    ("en", "porn"): WordPool(
        terms=_w("porn|xxx videos|sex tube|milf|webcam girls|nude pics|adult dating|hookup|live sex|escorts"),
        pre=_w("free|hot|hd|amateur|hardcore|best|local|sexy|teen|mature"),
        post=_w("online|tonight|no signup|near you|hd|2024|chat|free trial|videos"),
        brands=_w("hotcamz|xxxvidz|milfhub|sexytube|nudecams|datelocal"),
    ),
    ("en", "gambling"): WordPool(
        terms=_w(
            "online casino|real money slots|free spins|sports betting|poker room|roulette|"
            "blackjack|baccarat|jackpot|sportsbook|crypto casino|bingo"
        ),
        pre=_w("best|top|new|legit|free|mobile|instant|no deposit|usa|uk"),
        post=_w("bonus|no deposit bonus|real money|sign up bonus|promo code|2024|online|app|review|free play"),
        brands=_LATIN_GAMBLING_BRANDS,
    ),
    ("en", "pharma"): WordPool(
        terms=_w(
            "viagra|cialis|levitra|kamagra|tramadol|xanax|"
            "valium|phentermine|sildenafil|tadalafil|propecia|ambien|oxycodone"
        ),
        pre=_w("buy|cheap|generic|order|discount|buy cheap|purchase|best price"),
        post=_w("online|without prescription|no rx|overnight delivery|100mg|20mg|pills|for sale|uk|canada pharmacy"),
        brands=_w("viagra|cialis|levitra|kamagra|propecia"),
    ),
    ("en", "counterfeit"): WordPool(
        terms=_w(
            "replica watches|fake handbags|rolex replica|louis vuitton outlet|"
            "cheap jordans|designer knockoffs|ugg boots|ray ban sunglasses|gucci belts"
        ),
        pre=_w("cheap|best|wholesale|discount|aaa|high quality|swiss"),
        post=_w("for sale|outlet|online|sale|free shipping|wholesale|store|uk"),
        brands=_w("rolex|louis vuitton|gucci|chanel|hermes|omega|cartier|michael kors"),
    ),
    ("ja", "porn"): WordPool(
        terms=_w("無修正|エロ動画|人妻|素人|熟女|アダルト|出会い系|ライブチャット|巨乳|盗撮"),
        pre=_w("無料|最新|高画質|完全|人気|今すぐ"),
        post=_w("動画|無料視聴|サイト|まとめ|ランキング|ダウンロード|配信"),
        brands=_w("エロタイム|アダルトナビ|素人ちゃんねる"),
    ),
    ("ja", "gambling"): WordPool(
        terms=_w("オンラインカジノ|入金不要ボーナス|スロット|バカラ|競馬予想|パチンコ|ブックメーカー|ルーレット"),
        pre=_w("おすすめ|最新|日本人向け|稼げる|必勝|人気"),
        post=_w("ランキング|攻略|必勝法|比較|登録|ボーナス|公式"),
        brands=_w("ラッキーカジノ|ベラカジノ|ゴールドスロット"),
    ),
    ("ja", "pharma"): WordPool(
        terms=_w("バイアグラ|シアリス|レビトラ|精力剤|ED治療薬|ジェネリック|媚薬|ダイエット薬"),
        pre=_w("格安|正規品|即日|最安値|人気"),
        post=_w("通販|個人輸入|処方箋不要|販売|購入|口コミ|効果"),
        brands=_w("バイアグラ|シアリス|レビトラ"),
    ),
    ("ja", "counterfeit"): WordPool(
        terms=_w("スーパーコピー|N級品|ブランドコピー|偽物|コピー時計|財布コピー|バッグコピー"),
        pre=_w("ロレックス|ルイヴィトン|シャネル|エルメス|グッチ|オメガ|ウブロ|カルティエ"),
        post=_w("激安|通販|専門店|代引き|最高品質|口コミ|販売|優良店"),
        brands=_w("ロレックス|ルイヴィトン|シャネル|エルメス|グッチ|オメガ"),
    ),
    ("id", "porn"): WordPool(
        terms=_w("bokep|video mesum|cewek cantik|tante girang|film dewasa|live streaming"),
        pre=_w("nonton|download|bokep|video"),
        post=_w("indo|terbaru|gratis|viral|full|hd|hari ini"),
        brands=_w("bokepviral|nontonindo|streamtante"),
    ),
    ("id", "gambling"): WordPool(
        terms=_w(
            "judi bola|slot gacor|togel|judi online|situs slot|"
            "bandar togel|rtp live|scatter hitam|toto 4d|poker online|sabung ayam"
        ),
        pre=_w("link|daftar|situs|agen|bandar|bocoran"),
        post=_w("hari ini|maxwin|terpercaya|gampang menang|deposit pulsa|tanpa potongan|resmi|terbaru|link alternatif"),
        brands=_w("gacor77|slot88|togelwin|maxwin4d|jpslot|bolahoki"),
    ),
    ("id", "pharma"): WordPool(
        terms=_w("obat kuat|viagra asli|cialis|obat perangsang|pembesar alat vital|obat pelangsing"),
        pre=_w("jual|beli|harga|toko"),
        post=_w("asli|murah|bisa cod|original|terdekat|resmi"),
        brands=_w("viagra|cialis|vimax"),
    ),
    ("id", "counterfeit"): WordPool(
        terms=_w("tas kw super|jam tangan replika|sepatu kw|dompet kw|tas branded"),
        pre=_w("jual|grosir|toko"),
        post=_w("murah|premium|mirip ori|bisa cod|termurah"),
        brands=_w("rolex|gucci|chanel|hermes"),
    ),
    ("ru", "porn"): WordPool(
        terms=_w("порно|секс знакомства|проститутки|индивидуалки|эротика|интим досуг|вебкам"),
        pre=_w("бесплатно|русское|лучшее|горячие|новое"),
        post=_w("онлайн|без регистрации|смотреть|в hd|рядом|москва"),
        brands=_w("сексвидео|интимгород|досугпро"),
    ),
    ("ru", "gambling"): WordPool(
        terms=_w("онлайн казино|игровые автоматы|ставки на спорт|букмекер|слоты|рулетка|покер"),
        pre=_w("лучшие|честное|новое|играть в|бесплатные"),
        post=_w("на деньги|бонус без депозита|зеркало|официальный сайт|фриспины|рабочее зеркало|вход"),
        brands=_w("вулканбет|азартплей|фортуна777|джекпотклуб"),
    ),
    ("ru", "pharma"): WordPool(
        terms=_w("виагра|сиалис|левитра|дженерики|препараты для потенции|трамадол"),
        pre=_w("купить|дешевая|заказать|оригинальная"),
        post=_w("без рецепта|с доставкой|онлайн|в аптеке|недорого|цена"),
        brands=_w("виагра|сиалис|левитра"),
    ),
    ("ru", "counterfeit"): WordPool(
        terms=_w("реплики часов|копии сумок|брендовые кроссовки|копия ролекс|поддельные духи|копии очков"),
        pre=_w("купить|дешевые|элитные|точные"),
        post=_w("оптом|недорого|с доставкой|интернет магазин"),
        brands=_w("ролекс|гуччи|шанель"),
    ),
    ("de", "porn"): WordPool(
        terms=_w("sexkontakte|pornos|erotik|camgirls|hausfrauen|sextreffen|escort"),
        pre=_w("kostenlose|geile|private|reife|heiße"),
        post=_w("online|gratis|in deiner nähe|ohne anmeldung|live"),
        brands=_w("sexkontaktde|erotikchat|camgirlz"),
    ),
    ("de", "gambling"): WordPool(
        terms=_w("online casino|spielautomaten|sportwetten|freispiele|roulette|poker"),
        pre=_w("beste|seriöse|neue|legale"),
        post=_w("echtgeld|bonus ohne einzahlung|deutschland|2024|mit startguthaben"),
        brands=_w("glueckspin|wettkönig|casinostar"),
    ),
    ("de", "pharma"): WordPool(
        terms=_w("viagra|cialis|potenzmittel|levitra|generika|schlankheitspillen"),
        pre=_w("günstig|rezeptfrei|billig|original"),
        post=_w("kaufen|ohne rezept|online apotheke|bestellen|diskret|rezeptfrei"),
        brands=_w("viagra|cialis|levitra"),
    ),
    ("de", "counterfeit"): WordPool(
        terms=_w(
            "replika uhren|gefälschte handtaschen|rolex kopie|designer imitate|fake sneaker|plagiat sonnenbrillen"
        ),
        pre=_w("billige|hochwertige|neue"),
        post=_w("kaufen|günstig|sonderangebot|versandkostenfrei"),
        brands=_w("rolex|gucci|chanel"),
    ),
    ("ko", "porn"): WordPool(
        terms=_w("야동|성인방송|조건만남|출장안마|오피|야짤|몰카"),
        pre=_w("무료|한국|최신|고화질"),
        post=_w("사이트|보기|다시보기|주소|추천"),
        brands=_w("야동천국|밤의전쟁|오피가이드"),
    ),
    ("ko", "gambling"): WordPool(
        terms=_w("온라인카지노|바카라사이트|토토사이트|슬롯사이트|스포츠토토|파워볼|안전놀이터"),
        pre=_w("메이저|안전한|최신|검증된"),
        post=_w("추천|먹튀검증|가입머니|주소|첫충 이벤트|순위"),
        brands=_w("우리카지노|더킹카지노|메리트카지노|스카이벳"),
    ),
    ("ko", "pharma"): WordPool(
        terms=_w("비아그라|시알리스|발기부전 치료제|레비트라|정력제"),
        pre=_w("정품|저렴한|처방전 없이"),
        post=_w("구매|가격|직구|판매|효과"),
        brands=_w("비아그라|시알리스"),
    ),
    ("ko", "counterfeit"): WordPool(
        terms=_w("명품 레플리카|짝퉁 가방|이미테이션 시계|레플 신발|미러급 지갑|홍콩명품"),
        pre=_w("최고급|저렴한|정품급"),
        post=_w("쇼핑몰|최저가|사이트|도매"),
        brands=_w("롤렉스|샤넬|구찌"),
    ),
}

_BRAND_SUFFIXES: dict[str, tuple[str, ...]] = {
    "zh-hans": _w("官网|入口|app|官方网站|登录入口|网页版|下载|注册|平台"),
    "en": _w("official site|login|app download|alternative link|sign up|online"),
    "ja": _w("公式|公式サイト|ログイン|アプリ|登録"),
    "id": _w("link alternatif|login|daftar|apk|resmi"),
    "ru": _w("зеркало|официальный сайт|вход|скачать"),
    "de": _w("offizielle seite|login|app|anmelden"),
    "ko": _w("주소|가입코드|도메인|바로가기"),
}

_SENTENCES: dict[str, tuple[str, ...]] = {
    "zh-hans": (
        "{p1}，{p2}，最新地址{d}，欢迎收藏。",
        "【{p1}】{p2}，24小时在线，点击访问{d}",
        "{p1}{p2}，新用户注册即送{n}元，网址：{d}",
        "提供{p1}和{p2}，请记住本站最新网址{d}。",
    ),
    "en": (
        "Buy {p1} online at {d}: {p2} with fast and discreet delivery.",
        "Best {p1} of {y} - {p2}, visit {d} now!",
        "Looking for {p1}? Get {p2} today at {d}.",
        "{p1} and {p2}: {n}% off, click here {d}",
    ),
    "ja": (
        "{p1}の{p2}は{d}で！最安値保証、送料無料。",
        "【{p1}】{p2}専門店、今すぐアクセス{d}",
        "{y}年最新{p1}、{p2}を{n}%オフで。",
    ),
    "id": (
        "Daftar {p1} sekarang di {d}, {p2} terpercaya {y}.",
        "Link {p1} hari ini: {p2} gampang menang di {d}",
        "Main {p1} dan {p2} bonus {n}% hanya di {d}",
    ),
    "ru": (
        "{p1} - {p2}, заходите на {d} прямо сейчас!",
        "Лучшие {p1} {y} года: {p2} на сайте {d}.",
        "{p1} и {p2} со скидкой {n}% на {d}",
    ),
    "de": (
        "{p1} günstig: {p2} jetzt auf {d} bestellen!",
        "Die besten {p1} {y} - {p2} bei {d}.",
        "{p1} und {p2} mit {n}% Rabatt auf {d}",
    ),
    "ko": (
        "{p1} {p2} 지금 바로 {d} 접속하세요!",
        "{y} 최고의 {p1} - {p2} 안전하게 {d}",
        "{p1} {p2} 첫충 {n}% 이벤트 {d}",
    ),
}

_LINK_LABELS: dict[str, tuple[str, ...]] = {
    "zh-hans": _w("友情链接：|友情链接|合作伙伴：|热门推荐"),
    "en": _w("Links:|Partners|Sponsored|Friends"),
    "ja": _w("相互リンク|リンク集|おすすめ"),
    "id": _w("Link Terkait|Partner|Situs Rekomendasi"),
    "ru": _w("Ссылки:|Партнеры|Рекомендуем"),
    "de": _w("Partner:|Links|Empfehlungen"),
    "ko": _w("파트너|추천 사이트|링크"),
}

_PINYIN = _w(
    "kai|yun|jiu|you|bi|ying|jin|sha|xing|hui|bo|yu|le|mi|tian|yi|hua|ti|long|bao|ding|sheng|wei|huang|guan|cai|qiu|ao|men"
)
_DOMAIN_WORDS = _w("slot|gacor|bet|win|pharm|pills|rx|casino|replica|vip|play|lucky|hot|cam|max|meds|shop|sale|toto")
_TLDS = _w("com|net|cc|vip|top|xyz|online|site|info|club|live|me|co|shop")


# --- lexicon loading (../shared, read at run time) ------------------------------------------------

_HOUBB_GAMBLING = re.compile(r"彩|赌|博|娱乐|百家乐|下注|投注|六合|棋牌|老虎机|轮盘")
_SPLORP_WORD = re.compile(r"^[a-z][a-z0-9 ]{3,30}$")
_SPLORP_PHARMA = re.compile(
    r"viagra|cialis|levitra|kamagra|sildenafil|tadalafil|tramadol|xanax|valium|"
    r"phentermine|ambien|oxycontin|propecia|pharm|pills"
)
_INDONESIAN = re.compile(r"\b(agen|bermain|tempat|terbaik|situs|gacor|judi|daftar|bandar|togel)\b")


def _read_terms(path: Path, min_len: int) -> list[str]:
    """Non-empty, de-duplicated lines of a lexicon file (missing file: empty)."""
    if not path.is_file():
        return []
    seen: dict[str, None] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        term = line.strip()
        if len(term) >= min_len:
            seen.setdefault(term, None)
    return list(seen)


def _splorp_pools(terms: list[str]) -> dict[tuple[str, str], list[str]]:
    """Split the splorp comment-blocklist subset into en pharma, en gambling and id gambling."""
    pools: dict[tuple[str, str], list[str]] = {("en", "pharma"): [], ("en", "gambling"): [], ("id", "gambling"): []}
    for term in terms:
        if not _SPLORP_WORD.match(term):
            continue
        if _SPLORP_PHARMA.search(term):
            pools[("en", "pharma")].append(term)
        elif _INDONESIAN.search(term):
            pools[("id", "gambling")].append(term)
        elif "payday" not in term:
            pools[("en", "gambling")].append(term)
    return pools


def _lexicon_pools(shared_dir: Path) -> dict[tuple[str, str, str], list[str]]:
    """Term lists per (source, language, theme) read from the placed lexicons."""
    lex = shared_dir / "lexicons" if (shared_dir / "lexicons").is_dir() else shared_dir
    pools: dict[tuple[str, str, str], list[str]] = {
        ("konsheng", "zh-hans", "porn"): _read_terms(lex / "zh-porn-konsheng" / "色情词库.txt", 2),
        ("houbb", "zh-hans", "gambling"): [
            t
            for t in _read_terms(lex / "zh-gambling-houbb" / "sensitive_word_tags.dubo-tag3.txt", 2)
            if _HOUBB_GAMBLING.search(t)
        ],
        ("ldnoobw", "en", "porn"): _read_terms(lex / "ldnoobw" / "en", 3),
        ("ldnoobw", "zh-hans", "porn"): _read_terms(lex / "ldnoobw" / "zh", 2),
        ("ldnoobw", "ja", "porn"): _read_terms(lex / "ldnoobw" / "ja", 2),
    }
    splorp = _read_terms(lex / "en-pharma-gambling-splorp" / "blacklist.pharma-gambling-subset.txt", 4)
    for (lang, theme), terms in _splorp_pools(splorp).items():
        pools[("splorp", lang, theme)] = terms
    for source in ("konsheng", "houbb", "ldnoobw"):
        for theme in THEMES:
            if (source, "zh-hans", theme) in pools:
                pools[(source, "zh-hant", theme)] = [to_traditional(t) for t in pools[(source, "zh-hans", theme)]]
    return pools


def to_traditional(text: str) -> str:
    """Simplified -> Traditional Chinese with zhconv, converting only CJK runs (markup is left alone)."""
    return _CJK_RUN.sub(lambda m: zhconv.convert(m.group(), "zh-hant"), text)


def _traditional_pool(pool: WordPool) -> WordPool:
    """The same pool in Traditional characters."""

    def conv(words: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(to_traditional(w) for w in words)

    return WordPool(conv(pool.terms), conv(pool.pre), conv(pool.post), conv(pool.brands))


def _builtin_pools() -> dict[tuple[str, str, str], WordPool]:
    """Built-in pools for every language and theme (Traditional derived from Simplified)."""
    pools = {(BUILTIN, lang, theme): pool for (lang, theme), pool in _BUILTIN_WORDS.items()}
    for theme in THEMES:
        pools[(BUILTIN, "zh-hant", theme)] = _traditional_pool(_BUILTIN_WORDS[("zh-hans", theme)])
    return pools


def _base_language(language: str) -> str:
    """Language whose templates serve `language` (Traditional uses the Simplified ones, converted)."""
    return "zh-hans" if language == "zh-hant" else language


# --- the vocabulary -------------------------------------------------------------------------------


class SpamVocabulary:
    """Spam phrases and spam line shapes per (wording source, language, theme)."""

    def __init__(self, pools: dict[tuple[str, str, str], WordPool]):
        self.pools = {key: pool for key, pool in pools.items() if len(pool.terms) >= MIN_POOL_TERMS}

    @classmethod
    def builtin(cls) -> SpamVocabulary:
        """Only the built-in word lists (no files needed)."""
        return cls(_builtin_pools())

    @classmethod
    def from_lexicons(cls, shared_dir: Path) -> SpamVocabulary:
        """Built-in lists plus the lexicons under `shared_dir` (or `shared_dir/lexicons`); missing files are skipped."""
        pools = _builtin_pools()
        builtin_words = {w for pool in pools.values() for w in pool.terms + pool.pre + pool.post}
        for key, terms in _lexicon_pools(Path(shared_dir)).items():
            pools[key] = WordPool(terms=tuple(t for t in terms if t not in builtin_words))
        return cls(pools)

    def has(self, source: str, language: str, theme: str) -> bool:
        """Whether phrases of this source, language and theme can be produced."""
        return (source, language, theme) in self.pools

    def sources(self) -> tuple[str, ...]:
        """Wording sources with at least one usable pool, sorted."""
        return tuple(sorted({key[0] for key in self.pools}))

    def phrase(self, rng: Random, source: str, language: str, theme: str) -> str:
        """One spam phrase: built-in = [pre] term [post]; lexicon = one or two lexicon terms."""
        pool = self.pools[(source, language, theme)]
        if source != BUILTIN:
            parts = rng.sample(pool.terms, k=1 if rng.random() < 0.6 else 2)
        else:
            parts = [rng.choice(pool.terms)]
            if pool.pre and rng.random() < 0.6:
                parts.insert(0, rng.choice(pool.pre))
            if pool.post and (rng.random() < 0.6 or len(parts) == 1):
                parts.append(rng.choice(pool.post))
        joiner = "" if language in _NO_SPACE_LANGUAGES else " "
        return joiner.join(parts)

    def phrases(self, rng: Random, source: str, language: str, theme: str, count: int) -> list[str]:
        """`count` phrases, avoiding immediate repeats where the pool allows it."""
        out: list[str] = []
        for _ in range(count):
            phrase = self.phrase(rng, source, language, theme)
            if out and phrase == out[-1]:
                phrase = self.phrase(rng, source, language, theme)
            out.append(phrase)
        return out

    def keyword_line(self, rng: Random, source: str, language: str, theme: str) -> str:
        """5-12 phrases joined by one of `_ - , |` or a space (the classic mirror-site keyword line)."""
        joiner = rng.choice(KEYWORD_JOINERS)
        return joiner.join(self.phrases(rng, source, language, theme, rng.randint(5, 12)))

    def sentence(self, rng: Random, source: str, language: str, theme: str) -> str:
        """One spammy sentence ("Buy cheap viagra online ...") with a spam domain in it."""
        template = rng.choice(_SENTENCES[_base_language(language)])
        text = template.format(
            p1=self.phrase(rng, source, language, theme),
            p2=self.phrase(rng, source, language, theme),
            d=spam_domain(rng, language),
            y=rng.randint(2019, 2026),
            n=rng.choice((10, 30, 50, 88, 100, 188)),
        )
        return to_traditional(text) if language == "zh-hant" else text

    def brand_pairs(self, rng: Random, source: str, language: str, theme: str) -> str:
        """3-8 brand + 官网/入口/app (or local equivalent) pairs joined like a keyword line."""
        pool = self.pools[(source, language, theme)]
        brands = pool.brands or pool.terms
        suffixes = _BRAND_SUFFIXES[_base_language(language)]
        glue = "" if language in _NO_SPACE_LANGUAGES else " "
        pairs = [rng.choice(brands) + glue + rng.choice(suffixes) for _ in range(rng.randint(3, 8))]
        line = rng.choice(KEYWORD_JOINERS).join(pairs)
        return to_traditional(line) if language == "zh-hant" else line

    def link_label(self, rng: Random, language: str) -> str:
        """A friend-link block heading ("友情链接：") in `language`."""
        label = rng.choice(_LINK_LABELS[_base_language(language)])
        return to_traditional(label) if language == "zh-hant" else label


def spam_domain(rng: Random, language: str = "en") -> str:
    """A spammy host name: numeric (ag82197.com, 71110tz.cc), pinyin (kaiyunty.vip) or word+digits."""
    letters = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(1, 3)))
    digits = "".join(rng.choices(string.digits, k=rng.randint(3, 6)))
    shape = rng.choice(("letters-digits", "digits-letters", "pinyin" if language.startswith("zh") else "words"))
    if shape == "letters-digits":
        name = letters + digits
    elif shape == "digits-letters":
        name = digits + letters
    elif shape == "pinyin":
        name = "".join(rng.choices(_PINYIN, k=rng.randint(2, 3))) + rng.choice(("", "ty", "cp", "qp", digits[:3]))
    else:
        name = "".join(rng.choices(_DOMAIN_WORDS, k=2)) + rng.choice(("", digits[:2], "-" + digits[:3]))
    prefix = rng.choice(("www.", "", "m.", "www."))
    return f"{prefix}{name}.{rng.choice(_TLDS)}"
