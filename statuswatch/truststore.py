"""The one verifying TLS context every client shares, and the words for why certificates fail."""

from __future__ import annotations

import os
import re
import ssl

__all__ = ["CertificatesUnreadable", "TrustStore", "tls_reason"]


class TrustStore:
    """One verifying SSLContext shared by every client, its CA bundle loaded on first use.

    Loading the bundle costs tens of milliseconds, so a run that never speaks TLS skips it;
    the context is a plain `ssl.SSLContext` (anyio hops to a thread for subclasses).
    """

    def __init__(self) -> None:
        self._context: ssl.SSLContext | None = None
        self._loaded = False

    @property
    def context(self) -> ssl.SSLContext:
        """The shared context; it verifies certificates and host names (no CAs until `load`)."""
        if self._context is None:
            self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        return self._context

    @property
    def loaded(self) -> bool:
        """True once the CA bundle is in the context."""
        return self._loaded

    def load(self) -> None:
        """Load the CA bundle: SSL_CERT_FILE / SSL_CERT_DIR if set, else certifi's.

        Raises:
            CertificatesUnreadable: the bundle cannot be read; the message names the file (and
                the variable that chose it) and why.
        """
        if self._loaded:
            return
        cafile = os.environ.get("SSL_CERT_FILE") or None
        capath = os.environ.get("SSL_CERT_DIR") or None
        where = " and ".join(
            f"{value} (${name})"
            for name, value in (("SSL_CERT_FILE", cafile), ("SSL_CERT_DIR", capath))
            if value
        )
        if cafile is None and capath is None:
            import certifi  # only here: a run without TLS never needs it

            cafile = certifi.where()
            where = f"{cafile} (certifi's bundle)"
        try:
            self.context.load_verify_locations(cafile=cafile, capath=capath)
        except (OSError, ssl.SSLError) as exc:
            raise CertificatesUnreadable(
                f"cannot load the CA certificates from {where}: {tls_reason(exc)}"
            ) from None
        self._loaded = True


class CertificatesUnreadable(OSError):
    """The CA certificates could not be loaded; the message names the file and why."""


def tls_reason(exc: BaseException) -> str:
    """Why loading a certificate failed, in words: `No such file or directory`, or OpenSSL's
    reason without its `[LIB: CODE]` prefix and `(_ssl.c:1234)` suffix."""
    if isinstance(exc, OSError) and not isinstance(exc, ssl.SSLError) and exc.strerror:
        return exc.strerror
    text = str(exc.args[1]) if len(exc.args) > 1 else str(exc)
    text = re.sub(r"^\[[^\]]*\]\s*", "", text)
    return re.sub(r"\s*\(_ssl\.c:\d+\)$", "", text) or type(exc).__name__
