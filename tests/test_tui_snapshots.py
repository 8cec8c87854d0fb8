"""SVG snapshots of the screen at a fixed size and a fixed time.

Regenerate after a deliberate change of the layout with
`STATUSWATCH_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_tui_snapshots.py`
and look at the SVG files (any browser shows them) before committing them.
"""

from __future__ import annotations

import difflib
import os
from importlib.metadata import version
from pathlib import Path

import pytest
from tui_fakes import NOW, SPECS, ScriptedPoller, calm, screen_text, settle, trouble

from statuswatch.tui.app import StatusApp, build_app

pytestmark = pytest.mark.anyio
SNAPSHOTS = Path(__file__).parent / "snapshots"
# The SVG depends on how these render; the test extra pins them (pyproject.toml).
RECORDED_WITH = {"textual": "8.2.8", "rich": "15.0.0"}
UPDATE = os.environ.get("STATUSWATCH_UPDATE_SNAPSHOTS") == "1"


def app_for(rounds: list) -> StatusApp:  # type: ignore[type-arg]
    # A fixed clock and a fixed monotonic time: every age and countdown is the same each run.
    return build_app(
        SPECS,
        interval=600,
        poller=ScriptedPoller(rounds),
        now=lambda: NOW,
        monotonic=lambda: 0.0,
    )


def check(name: str, svg: str, text: str, tmp_path: Path) -> None:
    """Compare `svg` with the stored snapshot `name` (or store it when updating)."""
    path = SNAPSHOTS / f"{name}.svg"
    if UPDATE:
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(svg, encoding="utf-8")
        return
    installed = {name: version(name) for name in RECORDED_WITH}
    if installed != RECORDED_WITH:
        pytest.fail(f"snapshots were recorded with {RECORDED_WITH}, not {installed}")
    assert path.exists(), f"no snapshot {path}: run with STATUSWATCH_UPDATE_SNAPSHOTS=1"
    expected = path.read_text(encoding="utf-8")
    if svg != expected:
        actual = tmp_path / f"{name}.svg"
        actual.write_text(svg, encoding="utf-8")
        diff = "\n".join(
            difflib.unified_diff(expected.splitlines(), svg.splitlines(), lineterm="", n=0)
        )
        pytest.fail(f"{name} changed (new SVG: {actual}); screen now:\n{text}\n{diff[:3000]}")


async def test_outage_at_160x45(tmp_path: Path) -> None:
    app = app_for([trouble()])
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot, app)
        text = screen_text(app)
        assert text.splitlines()[1].startswith("  1 MAJOR OUTAGE")
        check("outage-160x45", app.export_screenshot(), text, tmp_path)


async def test_calm_at_100x30(tmp_path: Path) -> None:
    app = app_for([calm()])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        text = screen_text(app)
        assert "All 3 providers operational" in text
        check("calm-100x30", app.export_screenshot(), text, tmp_path)


async def test_incident_detail_window_at_120x36(tmp_path: Path) -> None:
    app = app_for([trouble()])
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        await pilot.press("tab", "enter")
        await pilot.pause()
        text = screen_text(app)
        assert "Updates, newest first (2)" in text
        check("incident-detail-120x36", app.export_screenshot(), text, tmp_path)


async def test_outage_at_80x24(tmp_path: Path) -> None:
    # The size most terminals open at: counts, since when, and the footer's Help and Quit.
    app = app_for([trouble()])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        text = screen_text(app)
        lines = text.splitlines()
        assert lines[1].startswith("  1 MAJOR OUTAGE")
        assert "Since" in lines[3] and "? Help" in lines[-1] and "q Quit" in lines[-1]
        check("outage-80x24", app.export_screenshot(), text, tmp_path)
