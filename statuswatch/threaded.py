"""Runs a coroutine on its own event loop in a daemon thread, cancellable from the caller.

A poll parses JSON and writes the cache: kept off the live view's loop and off `serve`'s, that
work cannot delay a keypress or a request by more than the interpreter's thread switch
interval (5 ms). Textual's thread workers run in the loop's default executor, which the loop
waits for on exit; a daemon thread of our own lets `q` quit at once even while a provider
hangs, and `serve` stop at once in the middle of a poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable
from typing import TypeVar

__all__ = ["run_in_thread"]

T = TypeVar("T")


async def run_in_thread(job: Callable[[], Awaitable[T]], name: str = "statuswatch-poll") -> T:
    """Await `job()` run in a new daemon thread; cancelling this call cancels the job there."""
    caller = asyncio.get_running_loop()
    result: asyncio.Future[T] = caller.create_future()
    started = threading.Event()
    stop = threading.Event()
    inner: list[tuple[asyncio.AbstractEventLoop, asyncio.Task[T]]] = []

    values: list[T] = []

    async def main() -> None:
        task = asyncio.current_task()
        assert task is not None
        inner.append((asyncio.get_running_loop(), task))
        started.set()
        if stop.is_set():
            raise asyncio.CancelledError
        # Kept out of the task's result: asyncio.run (3.11) formats a repr of its main task on
        # the way out, result included (a whole snapshot; see statuswatch.poll.poll).
        values.append(await job())

    def settle(outcome: Callable[[], object]) -> None:
        # RuntimeError: the caller's loop is closed, nobody is waiting any more.
        with contextlib.suppress(RuntimeError):
            caller.call_soon_threadsafe(outcome)

    def target() -> None:
        try:
            asyncio.run(main())
            value = values[0]
        except asyncio.CancelledError:
            settle(lambda: None if result.done() else result.cancel())
        except BaseException as exc:  # handed to the caller, whatever it is
            error = exc
            settle(lambda: None if result.done() else result.set_exception(error))
        else:
            settle(lambda: None if result.done() else result.set_result(value))

    threading.Thread(target=target, name=name, daemon=True).start()
    try:
        return await result
    except asyncio.CancelledError:
        stop.set()
        if started.is_set():
            loop, task = inner[0]
            with contextlib.suppress(RuntimeError):  # its loop may have finished already
                loop.call_soon_threadsafe(task.cancel)
        raise
