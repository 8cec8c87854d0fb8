"""The paired benchmark runs two checkouts on one farm, in pairs; nothing timed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

BENCH_DIR = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH_DIR))

import bench_pair  # noqa: E402  (benchmarks/ is a folder of scripts, not a package)


@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
def test_this_checkout_against_itself_in_pairs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], warm: bool
) -> None:
    out = tmp_path / "pair.json"
    argv = ["--baseline", str(bench_pair.REPO), "--providers", "4", "--per-origin", "2"]
    argv += ["--latency", "0", "--repeat", "2", "--json-out", str(out), *(["--warm"] * warm)]
    assert bench_pair.main(argv) == 0
    result = json.loads(out.read_text())
    assert (result["providers"], result["origins"], result["warm"]) == (4, 2, warm)
    assert {name: len(runs) for name, runs in result["runs"].items()} == {
        "this": 2,
        "baseline": 2,
    }
    for key in ("wall", "cpu"):
        low, high = result[key]["ratio_iqr"]
        assert 0 < low <= result[key]["ratio_median"] <= high
    assert "this / baseline:" in capsys.readouterr().out


def test_a_baseline_without_the_package_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as info:
        bench_pair.main(["--baseline", str(tmp_path)])
    assert info.value.code == 2


def test_a_checkout_that_fails_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "old"
    (broken / "statuswatch").mkdir(parents=True)
    (broken / "statuswatch" / "__init__.py").write_text("")
    (broken / "statuswatch" / "__main__.py").write_text("raise SystemExit(3)\n")
    argv = ["--baseline", str(broken), "--providers", "2", "--latency", "0", "--repeat", "1"]
    assert bench_pair.main(argv) == 1
    assert f"{broken}: exit code 3" in capsys.readouterr().err
