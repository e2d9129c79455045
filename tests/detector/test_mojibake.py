"""Pages an earlier program decoded one byte a character (a GBK page read as cp1252 or Latin-9, a UTF-8 page read
as Latin-1, sometimes twice) and stored as text are decoded again from their bytes; honest pages are left alone."""

from __future__ import annotations

import codecs

from detector.decode import decode_page, repair_misdecoded

TITLE = "秋粮收购工作全面展开 各地粮库有序入库"
PARAGRAPHS = (
    "记者从省粮食和物资储备局获悉，今年秋粮收购工作已于10月8日全面展开，全省共安排收购网点1260个。",
    "在城东国家粮食储备库，一辆辆满载稻谷的农用车排起长队。粮库主任王镕介绍，库里新增了两台快速检测设备。",
    "省粮食和物资储备局表示，将加强收购现场监督检查，严禁压级压价、拖欠售粮款等损害农民利益的行为。",
)
PHRASES = ("今年秋粮收购工作已于10月8日全面展开", "粮库主任王镕介绍", "严禁压级压价、拖欠售粮款")
FRENCH = "Le café de la gare a rouvert ses portes après une longue rénovation, à la joie des habitués. "


def chinese_page(charset: str) -> str:
    """A Simplified Chinese article as HTML declaring `charset` in its `<meta>`."""
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        f"<title>{TITLE}</title></head><body><h1>{TITLE}</h1>{paragraphs}</body></html>"
    )


def _as_browsers_read(error: UnicodeDecodeError) -> tuple[str, int]:
    """Bytes a codec leaves undefined (cp1252's 81, 8D, 8F, 90, 9D) read as the C1 controls browsers make them."""
    return chr(error.object[error.start]), error.start + 1


codecs.register_error("browser", _as_browsers_read)


def misread(text: str, encoding: str, *read_as: str) -> str:
    """What a page becomes when its bytes in `encoding` are read with each single-byte codec in turn, every
    reading stored as UTF-8 and read again."""
    data = text.encode(encoding)
    for codec in read_as:
        text = data.decode(codec, errors="browser")
        data = text.encode("utf-8")
    return text


def phrases_found(text: str) -> bool:
    """True when the article's phrases read right in `text`."""
    return all(phrase in text for phrase in PHRASES)


def test_a_gbk_page_read_as_latin9_and_stored_as_utf8_is_decoded_as_gbk():
    page = misread(chinese_page("gb2312"), "gbk", "iso-8859-15")
    assert not phrases_found(page)
    decoded = decode_page(page.encode("utf-8"))
    assert decoded.encoding == "gb18030" and decoded.found_by.startswith("repaired")
    assert phrases_found(decoded.text) and "\ufffd" not in decoded.text


def test_a_page_misread_twice_is_undone_layer_by_layer():
    page = misread(chinese_page("gbk"), "gbk", "iso-8859-15", "latin-1")
    repaired = repair_misdecoded(page)
    assert repaired is not None and phrases_found(repaired.text)


def test_utf8_pages_read_as_latin1_need_no_declared_charset():
    for page in (chinese_page("utf-8"), f"<html><body><p>{FRENCH * 10}</p></body></html>"):
        repaired = repair_misdecoded(misread(page, "utf-8", "latin-1"))
        assert repaired is not None and repaired.text == page


def test_a_misread_page_given_as_text_is_scored_repaired(scorer):
    page = misread(chinese_page("gb2312"), "gbk", "cp1252")
    result = scorer.score(page, fmt="html")
    assert phrases_found(result.text), result.text[:200]
    assert result.encoding == "gb18030"


def test_honest_pages_are_left_alone(charset_case):
    decoded = decode_page(charset_case.page_bytes(), charset_case.content_type)
    assert not decoded.found_by.startswith("repaired")
    assert repair_misdecoded(decoded.text) is None


def test_utf8_read_as_latin9_or_cp1252_comes_back_letter_for_letter():
    german = "<p>" + "Die Bürger fordern für die Größe der Brücke eine Lösung, heißt es. " * 5 + "</p>"
    english = "<p>" + "It’s the council’s “final” offer — and it’s €5m short. " * 5 + "</p>"
    for page, codec in ((german, "iso-8859-15"), (german, "latin-1"), (english, "cp1252")):
        repaired = repair_misdecoded(misread(page, "utf-8", codec))
        assert repaired is not None and repaired.text == page, codec


def test_mojibake_after_a_long_ascii_head_and_in_other_scripts_is_repaired():
    head = "<html><head><script>" + "var x = 1;" * 4000 + "</script></head><body>"
    korean = head + "<p>" + "서울시는 내년부터 버스 노선을 개편한다고 밝혔다. " * 10 + "</p></body></html>"
    repaired = repair_misdecoded(misread(korean, "utf-8", "latin-1"))
    assert repaired is not None and repaired.text == korean
    gbk = chinese_page("gbk").replace("<body>", "<body><script>" + "var y = 2;" * 4000 + "</script>")
    assert phrases_found(decode_page(misread(gbk, "gbk", "iso-8859-15").encode("utf-8")).text)


def test_an_honest_page_under_a_wrong_multibyte_declaration_is_left_alone():
    nbsp = "\u00a0\u00a0"
    body = "".join(f"<p>{nbsp}Paragraph {n}: the council met on Tuesday — “a long day”.</p>" for n in range(30))
    for charset in ("shift_jis", "gb2312", "euc-kr", "big5", "euc-tw", "x-unknown"):
        page = f'<html><head><meta charset="{charset}"></head><body>{body}</body></html>'
        assert decode_page(page.encode("utf-8")).text == page, charset
        assert repair_misdecoded(page) is None, charset


def test_honest_western_text_under_a_wrong_chinese_declaration_is_left_alone():
    quotes = "“Déjà vu” — naïve façade… ’’ «» ±½ " * 5
    page = f'<html><head><meta charset="gb2312"></head><body><p>{FRENCH * 20}</p><p>{quotes}</p></body></html>'
    assert repair_misdecoded(page) is None
    assert decode_page(page.encode("utf-8")).text == page


def test_an_ambiguous_single_byte_reading_is_repaired_right_or_not_at_all():
    """cp1252 and Latin-9 put Ž Œ Ÿ... on different bytes: with no C1 control or cp1252 punctuation to tell them
    apart, a reading whose two repairs disagree is left as it is rather than repaired into wrong letters."""
    page = "<p>" + "Die Bürger wollen grüne Bäume, sagt die Stadt. " * 5 + "</p>"
    repaired = repair_misdecoded(misread(page, "utf-8", "iso-8859-15"))
    assert repaired is None or repaired.text == page


def test_repeated_punctuation_pairs_under_a_wrong_multibyte_declaration_are_left_alone():
    body = "".join(f"<p>The film \u00a0\u00a0Dream\u00a0\u00a0 opened ‘‘{n}’’ »» °° weeks ago.</p>" for n in range(30))
    for charset in ("euc-kr", "shift_jis", "gb2312", "big5", "euc-jp"):
        page = f'<html><head><meta charset="{charset}"></head><body>{body}</body></html>'
        assert repair_misdecoded(page) is None, charset


def test_charset_aliases_python_knows_are_read_as_declared():
    """`euc-cn`, `ms932`, `eucjp` and `euc_kr` name the charsets their bytes are in, by their supersets (GBK text
    under `euc-cn`): the meta decides, no guess."""
    article = {
        "euc-cn": ("gbk", PARAGRAPHS[1]),  # 王镕: GBK, not GB2312
        "ms932": ("cp932", "市内の路線バスは来年三月末で郊外の三系統を廃止する。" * 3),
        "eucjp": ("euc_jp", "冬の恒例行事となっている雪まつりが中央公園で開幕した。" * 3),
        "euc_kr": ("euc_kr", "올해 강변 불꽃축제가 다음 달 열린다는 소식이다. " * 3),
    }
    for declared, (codec, text) in article.items():
        page = f'<html><head><meta charset="{declared}"></head><body><p>{text}</p></body></html>'
        decoded = decode_page(page.encode(codec))
        assert decoded.found_by == "meta" and text in decoded.text, declared
