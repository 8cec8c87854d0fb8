"""The start-up benchmark runs `--version` from each checkout it is given; nothing timed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

BENCH_DIR = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH_DIR))

import bench_startup  # noqa: E402  (benchmarks/ is a folder of scripts, not a package)


def test_this_checkout_against_itself_as_baseline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "startup.json"
    argv = ["--repeat", "2", "--baseline", str(bench_startup.REPO), "--json-out", str(out)]
    assert bench_startup.main(argv) == 0
    result = json.loads(out.read_text())
    assert result["argv"] == ["--version"]
    assert {name: len(runs) for name, runs in result["runs"].items()} == {
        "this": 2,
        "baseline": 2,
    }
    assert result["ratio_median"] > 0
    assert "this / baseline:" in capsys.readouterr().out


def test_a_baseline_without_the_package_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as info:
        bench_startup.main(["--baseline", str(tmp_path)])
    assert info.value.code == 2


def test_each_checkout_runs_its_own_package(tmp_path: Path) -> None:
    fake = tmp_path / "old"
    (fake / "statuswatch").mkdir(parents=True)
    (fake / "statuswatch" / "__init__.py").write_text("")
    (fake / "statuswatch" / "__main__.py").write_text("raise SystemExit(3)\n")
    with pytest.raises(SystemExit, match="exited 3"):
        bench_startup.run_once(["--version"], fake)
    assert bench_startup.run_once(["--version"], bench_startup.REPO) > 0
