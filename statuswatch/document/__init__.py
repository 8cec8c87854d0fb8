"""The JSON documents statuswatch writes and reads back, with their JSON Schemas.

* `write`: the model into documents (`statuswatch --json`, `providers --json`, webhook bodies);
* `read`: a document back into the model (what `--server` receives), with `DocumentError`;
* `schema`: the shipped JSON Schema files.

Stdlib only: the headless paths import this package, never Textual.
"""

from __future__ import annotations

# The `schema` of the `--json` document: a change that breaks a reader needs a new version.
SCHEMA = "statuswatch/v1"
