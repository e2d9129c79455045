"""Turn page bytes into text with the right charset: BOM, valid UTF-8, HTTP header, `<meta>`, then detection."""

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
