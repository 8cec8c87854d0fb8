"""A StatusServer running in a thread of its own, polled on demand by the test.

with ServedPages(loopback, ["ex"]) as served:   # one Statuspage provider per id
    served.page("ex", summary(...))             # what its summary.json says now
    served.poll()                               # one poll, events published
    httpx.get(served.url + "/v1/status")
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Coroutine, Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from loopback import LoopbackServer

from statuswatch.model import ProviderSpec, Snapshot
from statuswatch.serve.server import ServeSettings, StatusServer
from statuswatch.settings import HttpSettings

T = TypeVar("T")
HTTP = HttpSettings(connect_timeout=2.0, read_timeout=2.0, deadline=3.0, retries=0)
SUMMARY = "/api/v2/summary.json"


class ServedPages:
    """Statuspage providers on a loopback server, and a StatusServer polling them."""

    def __init__(
        self,
        pages: LoopbackServer,
        ids: Sequence[str],
        cache_dir: Path,
        settings: ServeSettings | None = None,
        first_event_id: int | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.pages = pages
        self._now = now
        self.specs = [
            ProviderSpec(id=i, name=i.upper(), kind="statuspage", url=pages.url(f"/{i}"))
            for i in ids
        ]
        self._settings = settings or ServeSettings(interval=None, heartbeat=0.5)
        self._cache_dir = cache_dir
        self._first_event_id = first_event_id
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self.server: StatusServer
        self.url = ""

    def page(self, provider_id: str, document: dict[str, Any]) -> None:
        """Serve `document` as the provider's summary.json from now on."""
        self.pages.route(f"/{provider_id}{SUMMARY}", json.dumps(document).encode())

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        """Run a coroutine on the server's loop and return its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def poll(self) -> Snapshot:
        """One poll, its snapshot installed and its events published."""
        return self.run(self.server.poll_once())

    def __enter__(self) -> ServedPages:
        self._thread.start()

        async def start() -> tuple[str, int]:
            self.server = StatusServer(
                self.specs,
                HTTP,
                self._cache_dir,
                self._settings,
                first_event_id=self._first_event_id,
                now=self._now,
            )
            return await self.server.start("127.0.0.1", 0)

        host, port = self.run(start())
        self.url = f"http://{host}:{port}"
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.run(self.server.close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
