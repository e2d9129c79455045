"""Turn page bytes into text with the right charset: BOM, valid UTF-8, HTTP header, `<meta>`, then detection; and
repair pages an earlier program decoded with the wrong charset (a GBK page read as Latin-1)."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from itertools import islice

from charset_normalizer import CharsetMatches, from_bytes
from charset_normalizer.utils import is_multi_byte_encoding

from detector.errors import InputError

META_CHARSET = r"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)"""
META_CHARSET_RE = re.compile(META_CHARSET.encode("ascii"), re.I)
META_CHARSET_TEXT_RE = re.compile(META_CHARSET, re.I)
WRAPPER_ENCODING_RE = re.compile(rb"""^\s*<text[^>]*\bencoding\s*=\s*["']([a-zA-Z0-9_-]+)""", re.I)
HEADER_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "windows-936": "gb18030",
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
    "windows-949": "cp949",
    "x-euc-jp": "euc_jp",
    "unset": "",
}
BROWSER_CODECS = frozenset(
    codecs.lookup(name).name
    for name in (
        *("utf-8", "utf-16-be", "utf-16-le", "cp866", "koi8-r", "koi8-u", "mac-roman", "mac-cyrillic", "cp874"),
        *(f"iso-8859-{number}" for number in (2, 3, 4, 5, 6, 7, 8, 10, 13, 14, 15, 16)),
        *(f"cp{number}" for number in range(1250, 1259)),
        *("gb18030", "big5hkscs", "euc-jp", "iso-2022-jp", "cp932", "cp949"),
    )
)
"""The codecs of the WHATWG Encoding Standard's encodings (as `_canonical` names them): a declared charset Python
knows but browsers do not (`cp037`, `unicode_escape`) is ignored, as browsers ignore it."""
WESTERN_DEFAULT = "cp1252"
"""What browsers read undeclared single-byte Western pages as."""
NEAR_TIE_CHAOS = 0.02
"""Detection takes cp1252 over a single-byte code page that reads the bytes only this little better (charset
detection tells cp1252 from cp1250 or cp1257 poorly on short French or Spanish text, and browsers default to it)."""
BINARY_NUL_RATIO = 0.01
BINARY_CONTROL_RATIO = 0.01
"""Control bytes (C0 but tab, line breaks, form feed and escape; DEL) are about 9% of compressed or media bytes
and at most 0.08% of the 3,063 corpus pages: a page with more than 1% of them is binary."""
CONTROL_BYTES = bytes([*range(0, 9), *range(14, 27), *range(28, 32), 127])
NOT_CONTROL_BYTES = bytes(b for b in range(256) if b not in CONTROL_BYTES)
BINARY_SIGNATURES = (
    b"\x1f\x8b",  # gzip
    b"PK\x03\x04",  # zip, docx, epub
    b"%PDF-",
    b"\x89PNG",
    b"\xff\xd8\xff",  # JPEG
    b"GIF87a",
    b"GIF89a",
    b"BZh",
    b"\xfd7zXZ\x00",  # xz
    b"\x28\xb5\x2f\xfd",  # zstd
    b"7z\xbc\xaf",
)
"""Leading bytes of compressed files, documents and images, which are never pages however few control bytes
their first kilobytes hold."""
SNIFF_BYTES = 4096
COMMON_SUBSETS = {"gb18030": "gb2312", "big5hkscs": "big5", "cp932": "shift_jis", "cp949": "euc_kr", "euc_jp": "euc_jp"}
"""The multibyte charsets a page read one byte a character may be in (GBK, Big5, Shift_JIS, EUC-KR, EUC-JP, by
their supersets), each with its everyday core: a right repair yields characters from it, a wrong one rare ones."""
MOJIBAKE_SAMPLE_CHARS = 20_000
"""How much text, from the first non-ASCII character on, the mojibake tests sample (the quick test, the choice
of a multibyte reading)."""
MOJIBAKE_MIN_CHARS = 20
MOJIBAKE_PAIRED_SHARE = 0.8
"""In a multibyte page read one byte a character, nearly every non-ASCII character stands next to another; in
honest Western text (café, naïve), accented letters stand between ASCII ones."""
MOJIBAKE_EVERYDAY_SHARE = 0.9
"""A repair as a declared multibyte charset must turn this share of the non-ASCII characters into everyday ones
(an honest page under a wrong `<meta>` turns into rare and private-use characters)."""
MAX_MOJIBAKE_LAYERS = 3


@dataclass
class DecodedPage:
    """Page text and how its charset was found."""

    text: str
    encoding: str
    found_by: str


MAX_UTF8_DAMAGE = 8
"""At most this many runs of invalid bytes in a page read as damaged UTF-8."""
REPLACEMENT_RUN_RE = re.compile("\ufffd+")
REPLACEMENT_UTF8 = "\ufffd".encode("utf-8")
UTF8_DAMAGE_RATIO = 4
"""... and at least this many valid non-ASCII characters for each of them."""
NON_ASCII_BYTES = bytes(range(128, 256))

MAX_DECLARED_REPLACEMENTS = 0.01
"""A declared multibyte charset is kept when at most this share of the page's characters are invalid in it."""


def decode_page(data: bytes, content_type: str | None = None) -> DecodedPage:
    """Decode page bytes, refusing empty and binary input with a one-line error."""
    if not data.strip():
        raise InputError("empty page")
    for bom, encoding in BOMS:
        if data.startswith(bom):
            text = data.decode(encoding, errors="replace")
            return repair_misdecoded(text) or DecodedPage(text, encoding, "bom")
    if looks_binary(data):
        raise InputError("binary data, not a web page or text")
    text = _utf8_text(data)
    if text is not None:
        return repair_misdecoded(text) or DecodedPage(text, "utf-8", "utf-8 validity")
    declared = (("http header", _header_charset(content_type)), ("meta", _declared_charset(data)))
    found = _declared_decoding(data, declared, multibyte=True)  # a CJK charset that fits outranks damaged UTF-8
    if found is not None:
        return found
    text = _damaged_utf8_text(data)
    if text is not None:
        return repair_misdecoded(text) or DecodedPage(text, "utf-8", "utf-8 validity, damaged bytes replaced")
    return _declared_decoding(data, declared, multibyte=False) or _detect(data)


def _declared_decoding(
    data: bytes, declared: tuple[tuple[str, str | None], ...], multibyte: bool
) -> DecodedPage | None:
    """The bytes decoded with the first declared charset (header, then `<meta>`) of the kind asked for, multibyte
    or single-byte, that fits them; None when none does."""
    for found_by, name in declared:
        decoded = _decode_as(data, name) if _is_multibyte(name) == multibyte else None
        if decoded is not None:
            return DecodedPage(decoded, _canonical(name), found_by)
    return None


def looks_binary(data: bytes) -> bool:
    """A compressed file, document or image by its signature, NUL bytes at the start (never in text pages: UTF-16
    ones start with a BOM and are handled before), or control bytes anywhere beyond what text ever holds."""
    if data.startswith(BINARY_SIGNATURES):
        return True
    sample = data[: SNIFF_BYTES * 4]
    if sample.count(0) > max(1, len(sample) * BINARY_NUL_RATIO):
        return True
    return len(data.translate(None, NOT_CONTROL_BYTES)) > max(8, len(data) * BINARY_CONTROL_RATIO)


def _utf8_text(data: bytes) -> str | None:
    """The bytes decoded as UTF-8 (pure ASCII included), a character cut at the very end (a capped download) as
    U+FFFD; None when they are not valid UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.reason != "unexpected end of data" or exc.end != len(data):
            return None
        cut_at = exc.start
    try:
        return data[:cut_at].decode("utf-8") + "\ufffd"
    except UnicodeDecodeError:
        return None


def _is_multibyte(name: str | None) -> bool:
    """Whether a declared charset is a multibyte one (GBK, Big5, Shift_JIS, EUC ..., UTF-8 too)."""
    encoding = _canonical(name)
    try:
        return bool(encoding) and is_multi_byte_encoding(encoding)
    except (LookupError, ValueError):
        return False


def _damaged_utf8_text(data: bytes) -> str | None:
    """UTF-8 text with a damaged spot or a few (a stray byte, a surrogate, a character cut at the end of a capped
    download) as U+FFFD, as browsers read it: at most MAX_UTF8_DAMAGE runs of invalid bytes among at least
    UTF8_DAMAGE_RATIO times as many valid non-ASCII characters. Text in another charset is invalid UTF-8 at nearly
    every non-ASCII byte."""
    own = data.replace(REPLACEMENT_UTF8, b"")  # U+FFFD the page itself holds are no damage, nor evidence
    damaged = own.decode("utf-8", errors="replace")
    spots = sum(1 for _ in islice(REPLACEMENT_RUN_RE.finditer(damaged), MAX_UTF8_DAMAGE + 1))  # stops early
    if spots > MAX_UTF8_DAMAGE:
        return None
    valid = len(damaged) - len(own.translate(None, NON_ASCII_BYTES)) - damaged.count("\ufffd")
    return data.decode("utf-8", errors="replace") if valid >= UTF8_DAMAGE_RATIO * max(spots, 1) else None


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
    """Map a declared charset to the superset browsers actually use for it (an alias Python knows, such as
    `euc-cn` or `ms932`, by the codec it names)."""
    lowered = (name or "").strip().lower()
    if lowered in SUPERSETS:
        return SUPERSETS[lowered]
    try:
        codec = codecs.lookup(lowered).name
    except LookupError:
        return lowered
    return SUPERSETS.get(codec, SUPERSETS.get(codec.replace("_", "-"), codec))


def _decode_as(data: bytes, name: str | None) -> str | None:
    """Decode with a declared charset; in a multibyte CJK charset a few invalid sequences (a damaged byte or two)
    become U+FFFD, as browsers do. None when the charset is unknown or the bytes do not fit it (a wrong declaration:
    a UTF-8 one over cp1252 quotes is the common case, which detection then reads right)."""
    encoding = _canonical(name)
    if encoding not in BROWSER_CODECS:
        return None
    try:
        return data.decode(encoding)
    except LookupError:
        return None
    except UnicodeDecodeError:
        if encoding not in COMMON_SUBSETS:
            return None
        text = data.decode(encoding, errors="replace")
        return text if text.count("\ufffd") <= MAX_DECLARED_REPLACEMENTS * len(text) else None


def _detect(data: bytes) -> DecodedPage:
    """Guess the charset statistically, falling back to UTF-8 with replacement characters."""
    sample = data[: SNIFF_BYTES * 16]
    matches = from_bytes(sample)
    best = next((match for match in matches if _canonical(match.encoding) in BROWSER_CODECS), None)
    if best is None:
        return DecodedPage(data.decode("utf-8", errors="replace"), "utf-8", "fallback")
    encoding = _canonical(best.encoding)
    if _prefers_western_default(sample, encoding, best.chaos, matches):
        encoding = WESTERN_DEFAULT
    return DecodedPage(data.decode(encoding, errors="replace"), encoding, "detection")


def _prefers_western_default(sample: bytes, detected: str, chaos: float, matches: CharsetMatches) -> bool:
    """Whether to read as cp1252 what detection took for another single-byte code page: cp1252 reads the sample
    as well or nearly as well (within NEAR_TIE_CHAOS), or exactly as the detected code page does."""
    if detected == WESTERN_DEFAULT or is_multi_byte_encoding(detected):
        return False
    western = next((match for match in matches if _canonical(match.encoding) == WESTERN_DEFAULT), None)
    if western is not None:
        return western.chaos <= chaos + NEAR_TIE_CHAOS
    try:
        return sample.decode(WESTERN_DEFAULT) == sample.decode(detected)
    except (UnicodeDecodeError, LookupError):
        return False


def _single_byte_table(codec: str) -> dict[int, str]:
    """`str.translate` table from each character a byte 0x80-0xFF becomes in a single-byte codec back to that byte
    (as a Latin-1 character); characters it leaves alone are their own byte (C1 controls, Latin-1 letters)."""
    table = {}
    for value in range(0x80, 0x100):
        char = bytes([value]).decode(codec, errors="ignore")
        if char and ord(char) != value:
            table[ord(char)] = chr(value)
    return table


CP1252_READING = _single_byte_table("cp1252")
LATIN_READING = _single_byte_table("iso-8859-15")
"""Latin-9, which also undoes a Latin-1 reading: the Latin-1 characters it replaced (¤ ¦ ¨ ´ ¸ ¼ ½ ¾) and the
C1 controls are their own bytes."""
_CP1252_CHARS = set(map(chr, CP1252_READING))
_LATIN9_CHARS = set(map(chr, LATIN_READING))
SINGLE_BYTE_CHARS = "".join(sorted(_CP1252_CHARS | _LATIN9_CHARS | set(map(chr, range(0x80, 0x100)))))
NOT_SINGLE_BYTE_RE = re.compile("[^\\x00-\\x7f" + re.escape(SINGLE_BYTE_CHARS) + "]")
SINGLE_BYTE_RUN_RE = re.compile("[" + re.escape(SINGLE_BYTE_CHARS) + "]+")
NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")
CP1252_ONLY_RE = re.compile("[" + re.escape("".join(sorted(_CP1252_CHARS - _LATIN9_CHARS))) + "]")
"""Punctuation only a cp1252 reading produces (‚ „ … † ‘ ’ “ ” • – — ™ ...)."""
C1_CONTROL_RE = re.compile("[\x80\x82-\x8c\x8e\x91-\x9c\x9e\x9f]")
"""C1 controls a Latin-1 or Latin-9 reading produces and a cp1252 one cannot (it reads those bytes as letters)."""
UTF8_AS_SINGLE_BYTES_RE = re.compile(
    "[\u00c2-\u00f4][\x80-\xbf" + re.escape("".join(sorted(_CP1252_CHARS | _LATIN9_CHARS))) + "]"
)
"""A UTF-8 lead byte followed by a continuation byte, as a single-byte reading shows them (Ã© for é, â€ for ’)."""


def repair_misdecoded(text: str) -> DecodedPage | None:
    """A page an earlier program decoded one byte a character (as cp1252, Latin-1 or Latin-9) and stored as text,
    maybe more than once, decoded again from its bytes: as UTF-8 where they are UTF-8, else as the multibyte
    charset (GBK, Big5, Shift_JIS...) its `<meta>` declares; None when the text does not read like that."""
    repaired, encoding = text, ""
    for _ in range(MAX_MOJIBAKE_LAYERS):
        start = _first_non_ascii(repaired)
        if start is None or not _may_be_misread(repaired, start) or not _reads_one_byte_a_character(repaired):
            break
        candidates = [raw for raw in (_latin1_bytes(repaired.translate(t)) for t in _readings(repaired)) if raw]
        as_utf8 = [decoded for decoded in map(_utf8_text, candidates) if decoded is not None]
        if as_utf8:
            if len(set(as_utf8)) > 1:
                break  # cp1252 and Latin-9 readings both make UTF-8 and disagree: no evidence tells which
            repaired, encoding = as_utf8[0], "utf-8"
            continue
        as_declared = _decode_as_declared_multibyte(candidates, repaired)
        if as_declared is not None:
            repaired, encoding = as_declared
        break
    if not encoding:
        return None
    return DecodedPage(repaired, encoding, "repaired from text decoded one byte a character")


def _first_non_ascii(text: str) -> int | None:
    """Where the text's first non-ASCII character stands; None for ASCII text and for text whose first non-ASCII
    character is no byte's (CJK, Cyrillic...: honest text, the common case)."""
    found = NON_ASCII_RE.search(text)
    return found.start() if found is not None and found.group() in SINGLE_BYTE_CHARS else None


def _may_be_misread(text: str, start: int) -> bool:
    """A quick test before the exact one: the first stretch of non-ASCII text shows a UTF-8 sequence read one byte a
    character, or the page declares a multibyte charset."""
    found = UTF8_AS_SINGLE_BYTES_RE.search(text, start, start + MOJIBAKE_SAMPLE_CHARS)
    return found is not None or _declared_multibyte(text) is not None


def _reads_one_byte_a_character(text: str) -> bool:
    """True when every non-ASCII character of the text is one a byte becomes in cp1252, Latin-1 or Latin-9, and
    nearly all of them stand in runs (the bytes of multibyte characters)."""
    if NOT_SINGLE_BYTE_RE.search(text):
        return False
    runs = SINGLE_BYTE_RUN_RE.findall(text)
    non_ascii = sum(map(len, runs))
    paired = sum(len(run) for run in runs if len(run) > 1)
    return non_ascii >= MOJIBAKE_MIN_CHARS and paired >= MOJIBAKE_PAIRED_SHARE * non_ascii


def _readings(text: str) -> list[dict[int, str]]:
    """The single-byte readings that may have made the text: C1 controls mean Latin-1 or Latin-9, cp1252's own
    punctuation means cp1252; with both or neither, either."""
    cp1252 = CP1252_ONLY_RE.search(text) is not None
    latin = C1_CONTROL_RE.search(text) is not None
    if cp1252 != latin:
        return [CP1252_READING] if cp1252 else [LATIN_READING]
    return [CP1252_READING, LATIN_READING]


def _latin1_bytes(text: str) -> bytes | None:
    """The bytes of a text whose characters all stand for one byte each; None when one does not."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return None


def _declared_multibyte(text: str) -> str | None:
    """The multibyte charset (by its superset) a page's `<meta>` declares, if any."""
    match = META_CHARSET_TEXT_RE.search(text, 0, SNIFF_BYTES)
    encoding = _canonical(match.group(1)) if match else ""
    return encoding if encoding in COMMON_SUBSETS else None


def _decode_as_declared_multibyte(candidates: list[bytes], text: str) -> tuple[str, str] | None:
    """The candidate bytes decoded with the multibyte charset the page's `<meta>` declares: the reading yielding
    the most everyday characters, when nearly all its non-ASCII characters are everyday ones and they are many
    different ones (a real page's text; an honest page's few repeated punctuation pairs are not)."""
    encoding = _declared_multibyte(text)
    if encoding is None or not candidates:
        return None
    decodings = [raw.decode(encoding, errors="replace") for raw in candidates]
    share, decoded = max(((_everyday_share(d, encoding), d) for d in decodings), key=lambda pair: pair[0])
    return (decoded, encoding) if share >= MOJIBAKE_EVERYDAY_SHARE else None


def _everyday_share(decoded: str, encoding: str) -> float:
    """Share of the first non-ASCII characters of a decoded page that the charset's everyday core holds; 0 when
    they are fewer than MOJIBAKE_MIN_CHARS different characters."""
    non_ascii = [found.group() for found in islice(NON_ASCII_RE.finditer(decoded), MOJIBAKE_SAMPLE_CHARS)]
    if len(set(non_ascii)) < MOJIBAKE_MIN_CHARS:
        return 0.0
    subset = COMMON_SUBSETS[encoding]
    everyday = "".join(non_ascii).encode(subset, errors="ignore").decode(subset)
    return len(everyday) / len(non_ascii)
