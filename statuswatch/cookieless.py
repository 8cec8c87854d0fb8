"""The httpx client the engine builds: one that neither keeps nor sends cookies."""

from __future__ import annotations

import httpx

__all__ = ["CookielessClient"]


class _NoCookies(httpx.Cookies):
    """A cookie store that keeps nothing: status documents need no session.

    httpx wraps every response in urllib's cookie interface to look for Set-Cookie, about a
    tenth of the engine's CPU per page; curl keeps no cookies unless asked either.
    """

    def extract_cookies(self, response: httpx.Response) -> None:
        """Keep nothing."""


class CookielessClient(httpx.AsyncClient):
    """An AsyncClient that neither stores nor sends cookies."""

    _none = _NoCookies()

    @property
    def cookies(self) -> httpx.Cookies:
        """Always empty."""
        return self._none

    @cookies.setter
    def cookies(self, cookies: object) -> None:
        """Ignored: nothing is kept."""
