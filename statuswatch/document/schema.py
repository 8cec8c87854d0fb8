"""The JSON Schema of the `statuswatch/v1` document, shipped inside the package."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

SCHEMA_FILE = "statuswatch-v1.schema.json"


def schema_text() -> str:
    """Return the schema as it is stored in the package."""
    package = resources.files("statuswatch.document")
    return package.joinpath(SCHEMA_FILE).read_text(encoding="utf-8")


def load_schema() -> dict[str, Any]:
    """Return the schema as a dict, for validators."""
    loaded: dict[str, Any] = json.loads(schema_text())
    return loaded
