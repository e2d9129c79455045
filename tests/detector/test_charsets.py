"""Bytes are decoded right whatever the charset and however it is declared (BOM, header, meta, none).

The cases are built by fixtures/make_charsets.py: the same few articles in UTF-8 (with and without BOM),
GBK/GB18030, Big5, Shift_JIS and Latin-1.
"""

from __future__ import annotations

import codecs

import pytest


def squeeze(text: str) -> str:
    """TEXT with every run of whitespace (full-width spaces and newlines included) made one space."""
    return " ".join(text.split())


def missing_phrases(charset_case, text: str) -> list[str]:
    """The case's article phrases that TEXT lacks."""
    return [p for p in charset_case.article.phrases if p not in squeeze(text)]


def assert_decoded(result, charset_case) -> None:
    """Title (HTML) and article phrases come out as written, with no replacement characters."""
    assert "\ufffd" not in result.text + result.title
    if charset_case.fmt == "html":
        assert squeeze(result.title) == squeeze(charset_case.article.title), result.title
    assert missing_phrases(charset_case, result.text) == [], result.text[:300]


def test_api_decodes(scorer, charset_case):
    """`Scorer.score` decodes the case's bytes (given the Content-Type header when the case has one)."""
    result = scorer.score(charset_case.page_bytes(), content_type=charset_case.content_type)
    assert result.format == charset_case.fmt
    assert_decoded(result, charset_case)


def test_reported_encoding_decodes_the_bytes(scorer, charset_case):
    """`encoding` names a codec that really reads these bytes."""
    data = charset_case.page_bytes()
    result = scorer.score(data, content_type=charset_case.content_type)
    assert result.encoding, "encoding not reported"
    decoded = data.removeprefix(codecs.BOM_UTF8).decode(codecs.lookup(result.encoding).name)
    assert all(p in decoded for p in charset_case.article.phrases), result.encoding


def test_decoded_page_is_clean(scorer, charset_case):
    """A plain news article, once decoded, is not called contaminated."""
    result = scorer.score(charset_case.page_bytes(), content_type=charset_case.content_type)
    assert not result.contaminated, [(f.label, f.text[:60]) for f in result.flagged]


def test_cli_decodes_files(run_hygiene, charset_cases, tmp_path):
    """`hygiene score` on files decodes every case that needs no HTTP header, in one call."""
    cases = [c for c in charset_cases if c.declared_by != "header"]
    paths = []
    for case in cases:
        path = tmp_path / f"{case.name}.{'html' if case.fmt == 'html' else 'txt'}"
        path.write_bytes(case.page_bytes())
        paths.append(str(path))
    records = run_hygiene(["score", "--json", *paths]).records()
    assert [r["source"] for r in records] == paths
    for case, record in zip(cases, records):
        assert record["format"] == case.fmt, case.name
        assert missing_phrases(case, record["text"]) == [], case.name


def test_cli_uses_http_charset_header(run_hygiene, charset_cases, page_server):
    """Over HTTP the Content-Type charset decodes undeclared bytes, and beats a wrong `<meta>`."""
    cases = [c for c in charset_cases if c.declared_by == "header"]
    urls = [page_server.add(f"/{c.name}", c.page_bytes(), c.content_type) for c in cases]
    records = run_hygiene(["score", "--json", *urls]).records()
    assert [r["source"] for r in records] == urls
    for case, record in zip(cases, records):
        assert record["format"] == case.fmt, case.name
        assert missing_phrases(case, record["text"]) == [], case.name


def test_cli_reads_meta_when_header_has_no_charset(run_hygiene, charset_cases, page_server):
    """A bare `text/html` header leaves the decision to the page's `<meta>`."""
    case = next(c for c in charset_cases if c.name == "shift-jis-meta-charset")
    url = page_server.add("/sjis.html", case.page_bytes(), "text/html")
    record = run_hygiene(["score", "--json", url]).records()[0]
    assert squeeze(record["title"]) == squeeze(case.article.title)
    assert missing_phrases(case, record["text"]) == []


def test_stdin_detects_undeclared_charset(run_hygiene, charset_cases):
    """GBK bytes with no declaration on stdin are detected and decoded."""
    case = next(c for c in charset_cases if c.name == "text-gbk-undeclared")
    record = run_hygiene(["score", "--json", "-"], stdin=case.page_bytes()).records()[0]
    assert missing_phrases(case, record["text"]) == []


GBK_PARAGRAPH = "今天上午，地铁七号线北延段正式开通运营，沿线居民出行将更加方便。" * 12


def test_a_damaged_byte_does_not_lose_the_declared_charset():
    """A GBK page whose `<meta>` says gb2312 keeps that charset when one byte sequence in it is invalid (as browsers
    do: that one becomes U+FFFD), instead of falling to detection, which guessed a Cyrillic codepage here."""
    from detector.decode import decode_page

    page = f'<html><head><meta charset="gb2312"><title>地铁</title></head><body><p>{GBK_PARAGRAPH}</p></body></html>'
    data = page.encode("gbk")
    damaged = data.replace("北延段".encode("gbk"), "北延段".encode("gbk") + b"\xff", 1)
    decoded = decode_page(damaged)
    assert decoded.encoding == "gb18030" and decoded.text.count("\ufffd") == 1
    assert squeeze(GBK_PARAGRAPH[:60]) in squeeze(decoded.text)


def test_a_wrong_declaration_still_falls_to_detection():
    """When most of the page does not fit its declared charset, the declaration is wrong and detection decides."""
    from detector.decode import decode_page

    page = f'<html><head><meta charset="shift_jis"><title>地铁</title></head><body><p>{GBK_PARAGRAPH}</p></body></html>'
    decoded = decode_page(page.encode("gbk"))
    assert decoded.encoding != "cp932" and decoded.text.count("\ufffd") == 0


def test_a_utf8_declaration_over_cp1252_quotes_is_not_trusted():
    """A cp1252 page that says UTF-8 (the commonest wrong declaration) is read by detection: its quotes stay quotes."""
    from detector.decode import decode_page

    body = "The council\u2019s vote was close. " * 40 + "\u201cWe will build it,\u201d the mayor said."
    page = f'<html><head><meta charset="utf-8"><title>Vote</title></head><body><p>{body}</p></body></html>'
    decoded = decode_page(page.encode("cp1252"))
    assert "\ufffd" not in decoded.text and "\u201cWe will build it,\u201d" in decoded.text


FRENCH_PARAGRAPH = (
    "Le conseil municipal a approuvé jeudi la construction du nouveau pont, mettant fin à un débat qui durait "
    "depuis près de dix ans. Les travaux coûteront environ quarante millions d'euros et devraient être achevés "
    "à l'été prochain, selon la maire."
)
SPANISH_PARAGRAPH = (
    "El ayuntamiento aprobó el jueves la construcción del nuevo puente, tras un debate de casi diez años. "
    "Las obras costarán unos cuarenta millones de euros, según la alcaldesa, y durarán dos años."
)


def test_undeclared_western_text_reads_as_cp1252():
    """Short undeclared Latin-1 French or Spanish, which detection scores a hair better as cp1257 or cp1250 (à as
    ą, è as č, ñ as ń), is read as browsers read it: cp1252."""
    from detector.decode import decode_page

    for paragraph in (FRENCH_PARAGRAPH, SPANISH_PARAGRAPH):
        page = f"<html><head><title>Pont</title></head><body><p>{paragraph}</p></body></html>"
        decoded = decode_page(page.encode("latin-1"))
        assert decoded.encoding == "cp1252" and paragraph in decoded.text


def test_undeclared_greek_and_cyrillic_keep_their_code_pages():
    """The cp1252 default takes only near ties: single-byte Greek and Cyrillic pages keep their own code pages."""
    from detector.decode import decode_page

    for text, encoding in (
        ("Το δημοτικό συμβούλιο ενέκρινε την κατασκευή νέας γέφυρας πάνω από τον ποταμό.", "cp1253"),
        ("Городской совет утвердил строительство нового моста через реку. Работы начнутся осенью.", "cp1251"),
    ):
        page = f"<html><head><title>x</title></head><body><p>{text}</p></body></html>"
        decoded = decode_page(page.encode(encoding))
        assert decoded.encoding == encoding and text in decoded.text


def test_charsets_browsers_do_not_know_are_ignored():
    """A declared charset that Python decodes but no browser knows (EBCDIC, Python's escape codecs) is ignored:
    the page is read by detection, as browsers read it."""
    from detector.decode import decode_page

    page = f"<html><head><title>Pont</title></head><body><p>{FRENCH_PARAGRAPH}</p></body></html>".encode("latin-1")
    for declared in ("cp037", "unicode_escape", "rot13"):
        decoded = decode_page(page, content_type=f"text/html; charset={declared}")
        assert decoded.encoding == "cp1252" and FRENCH_PARAGRAPH in decoded.text


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data + "é".encode()[:1],  # a character cut at the end, as a capped download leaves it
        lambda data: data.replace(b"jeudi", b"jeu\xffdi", 1),  # a stray byte
        lambda data: data.replace(b"jeudi", b"jeu\xed\xa0\x80di", 1),  # a surrogate written as UTF-8
    ],
    ids=["cut-at-the-end", "stray-byte", "surrogate"],
)
def test_utf8_with_a_damaged_spot_stays_utf8(damage):
    """A UTF-8 French page with one damaged spot is read as UTF-8 with U+FFFD there, as browsers read it (detection
    read it as hp-roman8 or ISO-8859-10: some 200 wrong characters)."""
    from detector.decode import decode_page

    page = f'<html><head><meta charset="utf-8"><title>Pont</title></head><body><p>{FRENCH_PARAGRAPH}</p></body></html>'
    decoded = decode_page(damage(page.encode("utf-8")))
    assert decoded.encoding == "utf-8" and decoded.text.count("\ufffd") in (1, 3)
    assert FRENCH_PARAGRAPH.split("jeudi")[0] in decoded.text


def test_detection_picks_only_charsets_browsers_know():
    """What detection offers first may be a code page no browser reads (hp-roman8): the best one browsers know is
    taken instead."""
    from detector.decode import BROWSER_CODECS, _canonical, decode_page

    page = f"<html><head><title>Pont</title></head><body><p>{FRENCH_PARAGRAPH}</p></body></html>".encode("latin-1")
    for data in (page, page.replace(b"jeudi", b"jeu\x9d\x8edi")):
        assert _canonical(decode_page(data).encoding) in BROWSER_CODECS


def test_a_declared_cjk_charset_that_fits_outranks_damaged_utf8():
    """A short GBK page can read as UTF-8 with one damaged spot (four of its byte pairs are valid UTF-8); its
    declaration, which fits the bytes, decides."""
    from detector.decode import decode_page

    page = '<html><head><meta charset="gbk"></head><body><p>体育滚球投注平台</p></body></html>'.encode("gbk")
    for content_type in (None, "text/html; charset=gbk"):
        decoded = decode_page(page, content_type)
        assert decoded.encoding == "gb18030" and "体育滚球投注平台" in decoded.text


def test_replacement_characters_a_page_holds_are_no_damage_and_no_evidence():
    """A cp1252 page holding the mojibake of U+FFFD (ï¿½) is not taken for damaged UTF-8: its own U+FFFD count as
    neither damaged spots nor valid characters."""
    from detector.decode import decode_page

    body = "approuvé " + "ï¿½ï¿½ un ï¿½ï¿½ deux ï¿½"
    page = f'<html><head><meta charset="windows-1252"></head><body><p>{body}</p></body></html>'.encode("cp1252")
    decoded = decode_page(page)
    assert decoded.encoding == "cp1252" and body in decoded.text


def test_a_character_cut_at_the_end_of_a_mostly_ascii_page_stays_utf8():
    """A capped download that cuts the last character of an English page with one é in it: UTF-8, one U+FFFD (it
    was read as cp932)."""
    from detector.decode import decode_page

    page = "<html><body><p>The café said yes.</p></body></html>“".encode()[:-1]
    decoded = decode_page(page)
    assert decoded.encoding == "utf-8" and decoded.text.endswith("\ufffd") and "café said yes" in decoded.text
