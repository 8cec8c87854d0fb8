"""atomic_write: all or nothing, permissions, symlinks, no temp files left behind."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from statuswatch.atomic import atomic_write


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_writes_bytes_and_text(tmp_path: Path) -> None:
    target = tmp_path / "a.bin"
    assert atomic_write(target, b"\x00\x01") == target
    assert target.read_bytes() == b"\x00\x01"
    atomic_write(target, "héllo")
    assert target.read_bytes() == "héllo".encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.bin"]


def test_explicit_mode_ignores_umask(tmp_path: Path) -> None:
    target = tmp_path / "secret.toml"
    old = os.umask(0o022)
    try:
        atomic_write(target, "token", mode=0o600)
        assert _mode(target) == 0o600
        atomic_write(target, "token", mode=0o640)
        assert _mode(target) == 0o640
    finally:
        os.umask(old)


def test_new_file_follows_umask_and_existing_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "config.toml"
    old = os.umask(0o027)
    try:
        atomic_write(target, "a")
        assert _mode(target) == 0o640
        target.chmod(0o600)
        atomic_write(target, "b")
        assert _mode(target) == 0o600
        assert target.read_text() == "b"
    finally:
        os.umask(old)


def test_symlink_is_followed_and_kept(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "config.toml"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "config.toml"
    link.symlink_to(real)
    assert atomic_write(link, "new") == real
    assert link.is_symlink()
    assert real.read_text() == "new"


def test_failure_leaves_old_content_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "state.json"
    target.write_text("old")

    def broken_replace(src: object, dst: object) -> None:
        raise OSError("disk on fire")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk on fire"):
        atomic_write(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_durable_fsyncs_file_and_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[int] = []
    real_fsync = os.fsync

    def spy(fd: int) -> None:
        synced.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", spy)
    atomic_write(tmp_path / "a", b"x")
    assert len(synced) == 2  # the file, then its directory
    synced.clear()
    atomic_write(tmp_path / "b", b"x", durable=False)
    assert synced == []


def test_missing_directory_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        atomic_write(tmp_path / "nope" / "a", b"x")
