"""The JSON Schemas of the documents statuswatch writes, shipped inside the package."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from statuswatch.document import HISTORY_SCHEMA, REPORT_SCHEMA, SCHEMA

SCHEMA_FILE = "statuswatch-v1.schema.json"
# Each document's `schema` value -> its JSON Schema file in this package.
SCHEMA_FILES = {
    SCHEMA: SCHEMA_FILE,
    HISTORY_SCHEMA: "statuswatch-history-v1.schema.json",
    REPORT_SCHEMA: "statuswatch-report-v1.schema.json",
}


def schema_text(name: str = SCHEMA) -> str:
    """Return the schema of document `name` (the `--json` one by default) as stored."""
    package = resources.files("statuswatch.document")
    return package.joinpath(SCHEMA_FILES[name]).read_text(encoding="utf-8")


def load_schema(name: str = SCHEMA) -> dict[str, Any]:
    """Return the schema of document `name` as a dict, for validators."""
    loaded: dict[str, Any] = json.loads(schema_text(name))
    return loaded
