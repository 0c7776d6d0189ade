"""Bytes to text, with the encoding detected and then checked, never assumed.

Order matters and was measured on the BBC corpus: strict UTF-8 first (it is never wrong when it
succeeds), then a declared charset, then a cp1252 check for nearly-ASCII Western text, and only
then charset-normalizer. charset-normalizer alone reads the BBC's one cp1252 file
(``sport/199.txt``, a lone 0xA3 byte for '£') as cp932 and yields '｣15.8m'.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from transforms.records import RejectError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DECLARED = re.compile(
    rb"""(?:<meta[^>]{0,200}?charset\s*=\s*["']?|<\?xml[^>]{0,100}?encoding\s*=\s*["'])"""
    rb"""([A-Za-z0-9_.:-]{2,40})""",
    re.IGNORECASE,
)
# Bytes cp1252 leaves undefined: if any is present the data is not cp1252.
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")
_ASCII = bytes(range(128))
# Share of characters that may be control characters before a text counts as binary.
MAX_CONTROL_SHARE = 0.01


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML/XML document declares in its first 4 KB, if Python knows it."""
    match = _DECLARED.search(data[:4096])
    if not match:
        return None
    name = match.group(1).decode("ascii", "ignore")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a BOM shows NULs in every other byte for Latin text; detect which side."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) / 2
    if odd > 0.4 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.4 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd\ud800-\udfff]")


def _control_share(text: str) -> float:
    """Share of C0/C1 controls, lone surrogates and U+FFFD: high in binary decoded as text."""
    if not text:
        return 0.0
    return len(_CONTROL.findall(text)) / len(text)


def _checked(text: str, encoding: str) -> tuple[str, str]:
    if "\x00" in text:
        raise RejectError("binary_content", f"decoded as {encoding} but contains NUL characters")
    share = _control_share(text)
    if share > MAX_CONTROL_SHARE:
        raise RejectError(
            "binary_content",
            f"{share:.1%} of characters are control or invalid characters after decoding as "
            f"{encoding}; this looks like a binary file with a text extension",
        )
    return text, encoding


def decode_bytes(data: bytes, *, html: bool = False) -> tuple[str, str]:
    """Decode ``data`` to (text, encoding name) or raise RejectError with the reason.

    ``html`` lets a ``<meta charset>`` declaration win over detection, as browsers do.
    """
    if not data:
        raise RejectError("empty_file", "the file has no bytes")
    if not data.strip():
        raise RejectError("empty_file", "the file holds only whitespace")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data[len(bom) :].decode(encoding), encoding + " (BOM)")
            except UnicodeDecodeError as exc:
                raise RejectError(
                    "invalid_encoding", f"starts with a {encoding} BOM but does not decode: {exc}"
                ) from None
    if b"\x00" in data:
        guess = _utf16_without_bom(data)
        if guess:
            try:
                return _checked(data.decode(guess), guess)
            except UnicodeDecodeError:
                pass
        raise RejectError("binary_content", "contains NUL bytes and is not UTF-16 text")
    try:
        return _checked(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    if html:
        declared = declared_charset(data)
        if declared and declared != "utf-8":
            try:
                return _checked(data.decode(declared), declared)
            except (UnicodeDecodeError, LookupError):
                pass
    non_ascii = len(data.translate(None, _ASCII))
    if non_ascii <= 0.03 * len(data) and not _CP1252_UNDEFINED.intersection(data):
        # Nearly-ASCII text with a few high bytes is Western single-byte text far more often
        # than a multi-byte Asian encoding (which would put high bytes in most characters).
        return _checked(data.decode("cp1252"), "cp1252")
    best = from_bytes(data[:1_000_000]).best()
    if best is None:
        raise RejectError("undecodable", "no text encoding fits these bytes")
    try:
        return _checked(data.decode(best.encoding), best.encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise RejectError("undecodable", f"detected {best.encoding} but decoding failed: {exc}") from None
