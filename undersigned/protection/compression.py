"""Compressed HTML for visitors, never where a compression oracle could read a secret.

BREACH recovers a secret from a compressed response's length when the same response
reflects text the attacker chooses (a `?source=`, a search). So pages are compressed only
when they hold no secret of the reader's: the request carries no session cookie (staff
and anyone signed in are never compressed), the path is not the admin, and the response
is not marked private or no-store (the signer's own pages behind an emailed link). The
one secret left on a public page, the CSRF token, is masked with fresh random bytes in
every response by Django, so its compressed length says nothing; Django's GZipMiddleware
also pads each response with random bytes ("Heal the Breach").
"""

import struct
import zlib

from django.conf import settings
from django.middleware.gzip import GZipMiddleware
from django.utils.regex_helper import _lazy_re_compile

ACCEPTS_GZIP = _lazy_re_compile(r"\bgzip\b")
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate, no name, no time
LAST_BLOCK = b"\x03\x00"  # an empty final block of fixed codes
STORED_MAX = 0xFFFF


class PublicGZipMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if not settings.COMPRESS_PAGES or not compressible(request, response):
            return response
        return super().process_response(request, response)


def compressible(request, response) -> bool:
    cache_control = response.get("Cache-Control", "").lower()
    return (
        settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not request.path.startswith("/admin/")
        and "private" not in cache_control
        and "no-store" not in cache_control
    )


def accepts_gzip(request) -> bool:
    return settings.COMPRESS_PAGES and bool(
        ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", ""))
    )


def deflated(text: str) -> bytes:
    """`text` as deflate blocks that stand alone (no reference outside them, ending on a byte
    boundary, not final): a cached page's fixed parts, compressed once, to be joined at
    each request with stored blocks around them (`gzip_joined`)."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(text.encode()) + compressor.flush(zlib.Z_FULL_FLUSH)


def stored(data: bytes) -> bytes:
    """`data` in stored (uncompressed) deflate blocks: a request's own values in a cached
    page, the CSRF token among them, are never compressed, so no length can leak them."""
    blocks = []
    for start in range(0, len(data), STORED_MAX):
        chunk = data[start : start + STORED_MAX]
        blocks.append(b"\x00" + struct.pack("<HH", len(chunk), len(chunk) ^ 0xFFFF) + chunk)
    return b"".join(blocks)


def gzip_joined(pieces: list[tuple[bytes, bytes]]) -> bytes:
    """One gzip stream from (plain, deflate) pairs: the deflate blocks of each plain piece,
    in order. The trailer's checksum is over the whole plain text."""
    crc, size = 0, 0
    for plain, _blocks in pieces:
        crc, size = zlib.crc32(plain, crc), size + len(plain)
    body = b"".join(blocks for _plain, blocks in pieces)
    return GZIP_HEADER + body + LAST_BLOCK + struct.pack("<II", crc, size & 0xFFFFFFFF)
