"""An HTTP server on 127.0.0.1 served by a daemon thread, started and stopped by its owner.

The demo's pages (`statuswatch.demo.server`) and the tests' loopback server are both one.
"""

from __future__ import annotations

import abc
import socketserver
import threading
from http.server import ThreadingHTTPServer
from types import TracebackType
from typing import Self

__all__ = ["LocalHTTPServer", "ServerThread"]


class LocalHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server for 127.0.0.1 whose handler threads never hold up its exit."""

    daemon_threads = True
    block_on_close = False

    def server_bind(self) -> None:
        """Bind without HTTPServer's look-up of the host's FQDN, which can stall offline."""
        socketserver.TCPServer.server_bind(self)
        self.server_name = "127.0.0.1"
        self.server_port = int(self.server_address[1])


class ServerThread(abc.ABC):
    """Owns a `LocalHTTPServer` and the daemon thread serving it; `make_server` makes it."""

    def __init__(self, name: str, poll_interval: float) -> None:
        self._name = name  # the thread's name
        self._poll_interval = poll_interval  # how often serve_forever looks for a shutdown
        self._httpd: LocalHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @abc.abstractmethod
    def make_server(self) -> LocalHTTPServer:
        """The server to run, bound already (`start` calls it)."""

    def start(self) -> Self:
        """Make the server and serve it in a daemon thread; a started one is left as it is."""
        if self._httpd is None:
            httpd = self.make_server()
            self._httpd = httpd
            self._thread = threading.Thread(
                target=httpd.serve_forever,
                args=(self._poll_interval,),
                name=self._name,
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The port bound (the server must be started)."""
        if self._httpd is None:
            raise RuntimeError("the server is not started")
        return int(self._httpd.server_address[1])
