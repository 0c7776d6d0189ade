"""Gzip with a cap on the decompressed size, so a gzip bomb becomes a reject, not an OOM."""

from __future__ import annotations

import zlib

from transforms.records import RejectError

GZIP_MAGIC = b"\x1f\x8b"


# A real multi-member gzip (concatenated logs or feeds) has a handful of members; a million
# empty members is a way to make a reader spin.
MAX_GZIP_MEMBERS = 10_000
_CHUNK = 1 << 16


def gunzip_capped(data: bytes, max_bytes: int) -> bytes:
    """Decompress every gzip member in ``data``; raise RejectError past ``max_bytes``, past
    MAX_GZIP_MEMBERS members, or on damage.

    Linear in the input: the data is fed in 64 KiB slices of one memoryview, so a member's
    leftover is at most one slice (slicing the rest after each member made 8 MB of empty
    members take 29 s).
    """
    if not data.startswith(GZIP_MAGIC):
        raise RejectError("invalid_gzip", "the name ends in .gz but the bytes are not gzip")
    view = memoryview(data)
    out = bytearray()
    members = 0
    pos = 0
    pending = b""  # bytes after the end of the last member, not yet fed to the next one
    while pos < len(view) or pending:
        members += 1
        if members > MAX_GZIP_MEMBERS:
            raise RejectError("too_many_gzip_members", f"more than {MAX_GZIP_MEMBERS:,} gzip members")
        head = bytes(pending) + bytes(view[pos : pos + 2]) if len(pending) < 2 else pending
        if not head.startswith(GZIP_MAGIC):
            rest = bytes(pending) + bytes(view[pos:])
            if rest.strip(b"\x00"):
                raise RejectError("corrupt_gzip", "trailing bytes after the last gzip member")
            break
        inflater = zlib.decompressobj(wbits=31)
        try:
            while not inflater.eof:
                if pending:
                    chunk, pending = pending, b""
                elif pos < len(view):
                    chunk, pos = view[pos : pos + _CHUNK], pos + _CHUNK
                else:
                    raise RejectError("truncated_gzip", "gzip stream ends before its end-of-stream marker")
                out += inflater.decompress(chunk, max_bytes + 1 - len(out))
                while inflater.unconsumed_tail and len(out) <= max_bytes:
                    out += inflater.decompress(inflater.unconsumed_tail, max_bytes + 1 - len(out))
                if len(out) > max_bytes:
                    raise RejectError(
                        "decompressed_too_large",
                        f"decompresses to more than {max_bytes:,} bytes (the max_decompressed_bytes limit)",
                    )
        except zlib.error as exc:
            raise RejectError("corrupt_gzip", f"gzip data is damaged: {exc}") from None
        pending = inflater.unused_data
    return bytes(out)
