"""The split benchmark runs one process against two over halves, in pairs; nothing timed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

BENCH_DIR = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH_DIR))

import bench_split  # noqa: E402  (benchmarks/ is a folder of scripts, not a package)
from benchlib import BenchError  # noqa: E402


def test_one_process_against_two_over_halves(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "split.json"
    argv = ["--providers", "5", "--per-origin", "2", "--latency", "0", "--repeat", "2"]
    assert bench_split.main([*argv, "--json-out", str(out)]) == 0
    result = json.loads(out.read_text())
    assert (result["providers"], result["origins"]) == (5, 3)
    assert {shape: len(runs) for shape, runs in result["runs"].items()} == {"one": 2, "split": 2}
    for key in ("wall", "cpu"):
        low, high = result[key]["ratio_iqr"]
        assert 0 < low <= result[key]["ratio_median"] <= high
    # Two interpreters cost more CPU than one: the split's start is paid twice.
    assert result["cpu"]["split_median"] > result["cpu"]["one_median"]
    assert "split / one:" in capsys.readouterr().out


def test_a_half_that_fails_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("watch = [\n")  # not TOML: statuswatch exits non-zero
    with pytest.raises(BenchError, match=r"bad\.toml: exit code"):
        bench_split.run_together([(bad, ["p001"])], tmp_path / "work")


@pytest.mark.parametrize("argv", [["--providers", "1"], ["--per-origin", "1"]])
def test_too_few_pages_to_split_is_refused(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as info:
        bench_split.main(argv)
    assert info.value.code == 2
