"""The built wheel carries the catalog and the schema, and the installed command finds them."""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # No build isolation: hatchling is a test dependency, and CI stays off the network.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        timeout=300,
    )
    (built,) = out.glob("statuswatch-*.whl")
    return built


def test_wheel_contains_catalog_and_schema(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "statuswatch/providers.toml" in names
    assert "statuswatch/document/statuswatch-v1.schema.json" in names
    catalog = zipfile.ZipFile(wheel).read("statuswatch/providers.toml").decode()
    assert catalog == (ROOT / "providers.toml").read_text()


def test_installed_command_finds_the_catalog(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        timeout=300,
    )
    script = target / "bin" / "statuswatch"
    assert script.exists()
    env = dict(os.environ, PYTHONPATH=str(target))  # no config file: the catalog's defaults
    # Run from an empty directory so nothing can be found through the checkout.
    done = subprocess.run(
        [sys.executable, str(script), "providers", "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=True,
    )
    ids = {p["id"] for p in json.loads(done.stdout)["providers"]}
    assert {"cloudflare", "openai", "github", "canva"} <= ids
    code = "from statuswatch import catalog; print(catalog.read_catalog()[0])"
    where = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=True,
    )
    # The catalog came from inside the installed package, not from a checkout.
    assert where.stdout.strip() == str(target / "statuswatch" / "providers.toml")
