"""Content decoding that never inflates more than asked for: a gzip bomb stops at the body cap.

httpx inflates each network read whole, and a 64 KiB read of a gzip bomb is 64 MB of output
before any cap can look at it; here every piece is at most the room left under the cap.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

__all__ = ["ACCEPT_ENCODING", "SUPPORTED", "InflateError", "Inflater"]

ACCEPT_ENCODING = "gzip, deflate"  # what we ask for: never an encoding we cannot bound
SUPPORTED = frozenset({"gzip", "x-gzip", "deflate", "identity"})


class InflateError(Exception):
    """The body is not valid for its Content-Encoding."""


class Inflater:
    """Decodes one Content-Encoding (one of SUPPORTED) piece by piece."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._first = True
        self._zlib: zlib._Decompress | None = None
        if encoding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._zlib = zlib.decompressobj()  # zlib-wrapped; raw deflate is tried on failure
        elif encoding != "identity":
            raise ValueError(f"unsupported content encoding {encoding!r}")

    def feed(self, data: bytes, limit: int) -> Iterator[bytes]:
        """Yield what `data` decodes to, in pieces of at most `limit` bytes (identity: as is).

        The caller stops iterating as soon as it has enough; what is left is never inflated.
        """
        if self._zlib is None:
            if data:
                yield data
            return
        limit = max(1, limit)
        while data and not self._zlib.eof:
            out = self._decompress(data, limit)
            tail = self._zlib.unconsumed_tail
            if out:
                yield out
            elif tail == data:
                return  # no progress: wait for more input
            data = tail

    def finish(self, limit: int) -> Iterator[bytes]:
        """Yield the output still pending once the body has ended (a match cut by `limit`)."""
        while self._zlib is not None and not self._zlib.eof:
            out = self._decompress(b"", max(1, limit))
            if not out:
                return
            yield out

    def _decompress(self, data: bytes, limit: int) -> bytes:
        assert self._zlib is not None
        first, self._first = self._first, False
        try:
            return self._zlib.decompress(data, limit)
        except zlib.error as exc:
            if first and self.encoding == "deflate":
                # Some servers send raw deflate without the zlib header (httpx accepts both).
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                return self._decompress(data, limit)
            raise InflateError(f"invalid {self.encoding} data: {exc}") from None
