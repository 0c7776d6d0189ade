"""Gzip with a cap on the decompressed size, so a gzip bomb becomes a reject, not an OOM."""

from __future__ import annotations

import zlib

from transforms.records import RejectError

GZIP_MAGIC = b"\x1f\x8b"


def gunzip_capped(data: bytes, max_bytes: int) -> bytes:
    """Decompress every gzip member in ``data``; raise RejectError past ``max_bytes`` or on damage."""
    if not data.startswith(GZIP_MAGIC):
        raise RejectError("invalid_gzip", "the name ends in .gz but the bytes are not gzip")
    out = bytearray()
    rest = data
    while rest:
        inflater = zlib.decompressobj(wbits=31)
        try:
            chunk = inflater.decompress(rest, max_bytes + 1 - len(out))
            while inflater.unconsumed_tail and len(out) + len(chunk) <= max_bytes:
                chunk += inflater.decompress(inflater.unconsumed_tail, max_bytes + 1 - len(out) - len(chunk))
        except zlib.error as exc:
            raise RejectError("corrupt_gzip", f"gzip data is damaged: {exc}") from None
        out += chunk
        if len(out) > max_bytes:
            raise RejectError(
                "decompressed_too_large",
                f"decompresses to more than {max_bytes:,} bytes (the max_decompressed_bytes limit)",
            )
        if not inflater.eof:
            raise RejectError("truncated_gzip", "gzip stream ends before its end-of-stream marker")
        rest = inflater.unused_data
        if rest and not rest.startswith(GZIP_MAGIC):
            if rest.strip(b"\x00"):
                raise RejectError("corrupt_gzip", "trailing bytes after the last gzip member")
            break
    return bytes(out)
