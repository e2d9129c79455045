"""Turn page bytes into text with the right charset: BOM, valid UTF-8, HTTP header, `<meta>`, then detection; and
repair pages an earlier program decoded with the wrong charset (a GBK page read as Latin-1)."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

from detector.errors import InputError

META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
WRAPPER_ENCODING_RE = re.compile(rb"""^\s*<text[^>]*\bencoding\s*=\s*["']([a-zA-Z0-9_-]+)""", re.I)
HEADER_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "euc-kr": "cp949",
    "unset": "",
}
BINARY_NUL_RATIO = 0.01
SNIFF_BYTES = 4096
MULTIBYTE_CHARSETS = frozenset(["gb18030", "big5hkscs", "cp932", "cp949", "euc_jp", "euc-jp", "euc-tw", "hz"])
"""Charsets whose pages, read as Latin-1 or cp1252, turn into runs of accented letters (mojibake)."""
META_CHARSET_TEXT_RE = re.compile(r"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
MOJIBAKE_SAMPLE_CHARS = 20_000
MOJIBAKE_MIN_CHARS = 20
MOJIBAKE_PAIRED_SHARE = 0.8
"""In a multibyte page read one byte a character, nearly every non-ASCII character stands next to another; in
honest Western text (café, naïve), accented letters stand between ASCII ones."""
MOJIBAKE_MAX_REPLACED = 0.01
"""At most this share of a repaired page's non-ASCII characters may be undecodable."""


@dataclass
class DecodedPage:
    """Page text and how its charset was found."""

    text: str
    encoding: str
    found_by: str


def decode_page(data: bytes, content_type: str | None = None) -> DecodedPage:
    """Decode page bytes, refusing empty and binary input with a one-line error."""
    if not data.strip():
        raise InputError("empty page")
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return DecodedPage(data.decode(encoding, errors="replace"), encoding, "bom")
    if _looks_binary(data):
        raise InputError("binary data, not a web page or text")
    text = _utf8_text(data)
    if text is not None:
        repaired = repair_misdecoded(text)
        if repaired is not None:
            return repaired
        return DecodedPage(text, "utf-8", "utf-8 validity")
    for found_by, name in (("http header", _header_charset(content_type)), ("meta", _declared_charset(data))):
        decoded = _decode_as(data, name)
        if decoded is not None:
            return DecodedPage(decoded, _canonical(name), found_by)
    return _detect(data)


def _looks_binary(data: bytes) -> bool:
    """NUL bytes are never in text pages (UTF-16 ones start with a BOM and are handled before)."""
    sample = data[: SNIFF_BYTES * 4]
    return sample.count(0) > max(1, len(sample) * BINARY_NUL_RATIO)


def _utf8_text(data: bytes) -> str | None:
    """The bytes decoded as UTF-8 (pure ASCII included); None when they are not valid UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _header_charset(content_type: str | None) -> str | None:
    """Charset named by an HTTP Content-Type header."""
    match = HEADER_CHARSET_RE.search(content_type or "")
    return match.group(1) if match else None


def _declared_charset(data: bytes) -> str | None:
    """Charset declared in the first bytes: a crawl wrapper line or a `<meta>` tag."""
    head = data[:SNIFF_BYTES]
    match = WRAPPER_ENCODING_RE.search(head) or META_CHARSET_RE.search(head)
    return match.group(1).decode("ascii", "ignore") if match else None


def _canonical(name: str | None) -> str:
    """Map a declared charset to the superset browsers actually use for it."""
    lowered = (name or "").strip().lower()
    return SUPERSETS.get(lowered, lowered)


def _decode_as(data: bytes, name: str | None) -> str | None:
    """Decode strictly with a declared charset; None when unknown or when the bytes do not fit it."""
    encoding = _canonical(name)
    if not encoding:
        return None
    try:
        return data.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        return None


def _detect(data: bytes) -> DecodedPage:
    """Guess the charset statistically, falling back to UTF-8 with replacement characters."""
    best = from_bytes(data[: SNIFF_BYTES * 16]).best()
    if best is not None and best.encoding:
        encoding = _canonical(best.encoding) or best.encoding
        return DecodedPage(data.decode(encoding, errors="replace"), encoding, "detection")
    return DecodedPage(data.decode("utf-8", errors="replace"), "utf-8", "fallback")


def _single_byte_table(codec: str) -> dict[str, int]:
    """Each character a byte 0x80-0xFF becomes when read with a single-byte codec (C1 controls where it has none)."""
    table = {}
    for value in range(0x80, 0x100):
        char = bytes([value]).decode(codec, errors="ignore") or chr(value)
        table[char] = value
    return table


SINGLE_BYTE_TABLES = tuple(_single_byte_table(codec) for codec in ("cp1252", "iso-8859-15"))
"""cp1252 and Latin-9 (Latin-1 with € Š š Ž ž Œ œ Ÿ in place of ¤ ¦ ¨ ´ ¸ ¼ ½ ¾): what pages get read as."""
SINGLE_BYTE_CHARS = "".join(
    sorted({char for table in SINGLE_BYTE_TABLES for char in table} | set(map(chr, range(0x80, 0x100))))
)
TO_BYTE_CHARS = tuple({ord(char): chr(value) for char, value in table.items()} for table in SINGLE_BYTE_TABLES)
SINGLE_BYTE_RUN_RE = re.compile("[" + re.escape(SINGLE_BYTE_CHARS) + "]+")
NOT_SINGLE_BYTE_RE = re.compile("[^\\x00-\\x7f" + re.escape(SINGLE_BYTE_CHARS) + "]")
NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")
MAX_MOJIBAKE_LAYERS = 3
COMMON_SUBSETS = {"gb18030": "gb2312", "big5hkscs": "big5", "cp932": "shift_jis", "cp949": "euc_kr"}
"""The everyday core of each multibyte charset: a right repair yields characters from it, a wrong one rare ones."""


def repair_misdecoded(text: str) -> DecodedPage | None:
    """A page an earlier program decoded one byte a character (as cp1252, Latin-1 or Latin-9) and stored as text,
    maybe more than once, decoded again from its bytes: as UTF-8 where they are UTF-8, else as the multibyte
    charset (GBK, Big5, Shift_JIS...) its `<meta>` declares; None when the text does not read like that."""
    repaired, layers = text, []
    for _ in range(MAX_MOJIBAKE_LAYERS):
        if not _reads_one_byte_a_character(repaired[:MOJIBAKE_SAMPLE_CHARS]):
            break
        candidates = [raw for raw in (_latin1_bytes(repaired.translate(table)) for table in TO_BYTE_CHARS) if raw]
        as_utf8 = next((decoded for decoded in map(_utf8_text, candidates) if decoded is not None), None)
        if as_utf8 is not None:
            repaired = as_utf8
            layers.append("utf-8")
            continue
        as_declared = _decode_as_declared_multibyte(candidates, repaired)
        if as_declared is not None:
            repaired, encoding = as_declared
            layers.append(encoding)
        break
    if not layers:
        return None
    return DecodedPage(repaired, layers[-1], "repaired from text decoded one byte a character")


def _latin1_bytes(text: str) -> bytes | None:
    """The bytes of a text whose characters all stand for one byte each; None when one does not."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return None


def _decode_as_declared_multibyte(candidates: list[bytes], text: str) -> tuple[str, str] | None:
    """The candidate bytes decoded with the multibyte charset the page's `<meta>` declares, the one yielding the
    most everyday characters, when few of them fail to decode."""
    match = META_CHARSET_TEXT_RE.search(text, 0, SNIFF_BYTES)
    encoding = _canonical(match.group(1)) if match else ""
    if encoding not in MULTIBYTE_CHARSETS or not candidates:
        return None
    decodings = [raw.decode(encoding, errors="replace") for raw in candidates]
    decoded = max(decodings, key=lambda candidate: _everyday_chars(candidate, encoding))
    sample = decoded[:MOJIBAKE_SAMPLE_CHARS]
    if sample.count("\ufffd") > MOJIBAKE_MAX_REPLACED * len(NON_ASCII_RE.findall(sample)):
        return None
    return decoded, encoding


def _everyday_chars(text: str, encoding: str) -> int:
    """How many characters of a decoded sample the charset's everyday core holds (minus undecodable ones)."""
    sample = text[:MOJIBAKE_SAMPLE_CHARS]
    subset = COMMON_SUBSETS.get(encoding, encoding)
    rare = sample.encode(subset, errors="replace").count(b"?") - sample.count("?")
    return len(sample) - rare - sample.count("\ufffd")


def _reads_one_byte_a_character(sample: str) -> bool:
    """True when every non-ASCII character of the sample is one a byte becomes in cp1252, Latin-1 or Latin-9, and
    nearly all of them stand in runs (the bytes of multibyte characters)."""
    if sample.isascii() or not _may_be_misread(sample) or NOT_SINGLE_BYTE_RE.search(sample):
        return False
    runs = SINGLE_BYTE_RUN_RE.findall(sample)
    non_ascii = sum(map(len, runs))
    paired = sum(len(run) for run in runs if len(run) > 1)
    return non_ascii >= MOJIBAKE_MIN_CHARS and paired >= MOJIBAKE_PAIRED_SHARE * non_ascii


def _may_be_misread(sample: str) -> bool:
    """A quick test before the exact one: the sample declares a multibyte charset, or holds a character that the
    lead byte of a UTF-8 sequence becomes (Ã for é, â€ for ’, Ð for Cyrillic, ä to é for Chinese)."""
    if any(marker in sample for marker in UTF8_LEAD_MARKERS):
        return True
    match = META_CHARSET_TEXT_RE.search(sample, 0, SNIFF_BYTES)
    return match is not None and _canonical(match.group(1)) in MULTIBYTE_CHARSETS


UTF8_LEAD_MARKERS = ("Ã", "Â", "â€", "Ð", "Ñ", "ã", "ä", "å", "æ", "ç", "è", "é")
