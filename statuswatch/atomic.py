"""Atomic file replacement: readers see the old file or the new one, never a half-written mix."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

__all__ = ["atomic_write"]


def atomic_write(
    path: str | os.PathLike[str],
    data: bytes | str,
    *,
    mode: int | None = None,
    durable: bool = True,
) -> Path:
    """Replace `path` with `data` atomically and return the path written.

    Args:
        path: the file to write; its directory must exist. A symlink is followed, so a
            config file linked from a dotfiles repository stays a link.
        data: the new content; a str is written as UTF-8.
        mode: permission bits for the file (for example 0o600 for a secret). Without it an
            existing file keeps its bits and a new one gets 0o666 less the umask.
        durable: fsync the file and its directory so the new content survives a power cut;
            a cache whose torn files are detected and ignored may skip that cost.

    Returns:
        The path actually replaced (the symlink's target when `path` is a link).
    """
    target = Path(os.path.realpath(path))
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if mode is None:
        with contextlib.suppress(FileNotFoundError):
            mode = target.stat().st_mode & 0o7777
    # The temp file lives in the same directory: os.replace is atomic only within one file system.
    # Its random part is what secrets.token_hex(6) gives (os.urandom), without that module's
    # imports (random, base64) on every start.
    tmp = target.with_name(f".{target.name}.{os.urandom(6).hex()}.tmp")
    # Created with the final bits (or 0o666 under the umask) so it is never wider than the result.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if mode is None else mode & 0o777)
    try:
        with os.fdopen(fd, "wb") as handle:
            if mode is not None and hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), mode)  # exact bits, whatever the umask
            handle.write(payload)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    if durable:
        _fsync_dir(target.parent)
    return target


def _fsync_dir(directory: Path) -> None:
    """Flush a directory entry so a rename survives a crash; a no-op where unsupported."""
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems (and Windows) refuse to fsync a directory
    finally:
        os.close(fd)
