"""`statuswatch demo` on the command line: list, one poll as JSON or a table, the TUI path."""

from __future__ import annotations

import json
from typing import Any

import pytest

from statuswatch import liveview
from statuswatch.cli import main
from statuswatch.tui.app import StatusApp


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def statuses(document: dict[str, Any]) -> dict[str, str]:
    return {p["id"]: p["status"] for p in document["providers"]}


def test_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo", "list")
    assert code == 0
    ids = [line.split()[0] for line in out.splitlines() if line and not line.startswith(" ")]
    assert ids == ["cloudflare-2025-11-18", "aws-us-east-1-2025-10-20", "gcp-cloudflare-2025-06-12"]
    assert "(120x)" in out


def test_json_at_a_given_time(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo", "--json", "--at", "11:30")
    assert code == 0
    document = json.loads(out)
    assert document["schema"] == "statuswatch/v1"
    assert document["generated_at"] == "2025-11-18T11:30:00Z"
    assert set(statuses(document).values()) == {"operational"}


def test_json_defaults_to_the_height_of_the_outage(capsys: pytest.CaptureFixture[str]) -> None:
    # --json given before `demo`, as with plain `statuswatch --json`.
    code, out, _ = run(capsys, "--json", "demo")
    assert code == 0
    document = json.loads(out)
    assert document["generated_at"] == "2025-11-18T12:30:00Z"
    assert statuses(document) == {
        "cloudflare": "major_outage",
        "openai": "partial_outage",
        "canva": "partial_outage",
        "github": "operational",
        "aws": "operational",
        "google-cloud": "operational",
    }
    cloudflare = document["providers"][0]
    assert cloudflare["page_url"].startswith("http://127.0.0.1:")
    assert cloudflare["incidents"][0]["title"] == "Cloudflare Global Network experiencing issues"
    assert all(p["error"] is None for p in document["providers"])


def test_status_of_the_cascade(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "demo", "status", "gcp-cloudflare-2025-06-12", "--color", "never")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == (
        "statuswatch · 2025-06-12 18:35 UTC · 5 providers: 2 with problems, 0 unknown, 2 at risk, "
        "2 early warnings"
    )
    assert lines[1].startswith("MAJOR OUTAGE   Cloudflare")
    assert "Google Cloud" in out
    assert "Multiple Google Cloud products are returning 503 errors" in out
    assert "at 2025-06-12 18:35 UTC" in err


def test_status_only_problems(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo", "status", "aws-us-east-1-2025-10-20", "--only-problems")
    assert code == 0
    assert "GitHub" not in out
    assert "Epic Games" in out


def test_without_a_terminal_demo_prints_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo")
    assert code == 0
    assert out.startswith("statuswatch · 2025-11-18 12:30 UTC · 6 providers")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["demo", "nope"], "demo: unknown scenario 'nope' (known: cloudflare-2025-11-18, "),
        (["demo", "status", "a", "b"], "demo: expected [list | status] [SCENARIO], got"),
        (["demo", "--at", "noon"], "--at: expected HH:MM or an ISO date-time, got 'noon'"),
        (
            ["demo", "--speed", "-2"],
            "argument --speed: expected a number from 0 to 100000, got '-2'",
        ),
        (["demo", "--speed", "1e12"], "argument --speed: expected a number from 0 to 100000, got"),
        (["demo", "--interval", "1e300"], "argument --interval: expected a number of seconds from"),
    ],
)
def test_usage_errors(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.startswith(f"statuswatch: error: {message}")
    assert err.count("\n") == 1


@pytest.fixture
def launched(monkeypatch: pytest.MonkeyPatch) -> list[StatusApp]:
    apps: list[StatusApp] = []
    # Records the app instead of taking over the terminal.
    monkeypatch.setattr(StatusApp, "run", lambda app, *args, **kwargs: apps.append(app))
    monkeypatch.setattr(liveview, "wants_tui", lambda args: not getattr(args, "json", False))
    return apps


def test_demo_on_a_terminal_opens_the_tui(
    capsys: pytest.CaptureFixture[str], launched: list[StatusApp]
) -> None:
    code, out, _ = run(
        capsys, "demo", "aws-us-east-1-2025-10-20", "--speed", "600", "--bell", "--at", "07:00"
    )
    assert code == 0 and out == ""
    (app,) = launched
    assert [s.id for s in app.board.specs][:3] == ["aws", "canva", "epic-games"]
    assert all(s.url.startswith("http://127.0.0.1:") for s in app.board.specs)
    assert app.interval == 2.0
    assert app.bell_on_change is True
    assert callable(app.banner)
    assert app.banner().startswith("DEMO aws-us-east-1-2025-10-20 · 07:0")
    assert app.banner().endswith(" · 600x")
    assert app.now().date().isoformat() == "2025-10-20"


def test_demo_interval_bounds(
    capsys: pytest.CaptureFixture[str], launched: list[StatusApp]
) -> None:
    code, _, err = run(capsys, "demo", "--interval", "0.05")
    assert code == 2
    assert err.startswith(
        "statuswatch: error: argument --interval: expected a number of seconds from 0.2 to 86400, "
        "got '0.05'"
    )
    assert launched == []
    code, _, _ = run(capsys, "demo", "--interval", "0.5")
    assert code == 0
    assert launched[0].interval == 0.5
