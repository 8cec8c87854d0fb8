"""The JSON documents statuswatch writes and reads back, with their JSON Schemas.

* `write`: the model into documents (`statuswatch --json`, `providers --json`, webhook bodies);
* `read`: a document back into the model (what `--server` receives), with `DocumentError`;
* `schema`: the shipped JSON Schema files;
* `history`, `history_read`: the history's documents (`statuswatch history --json`,
  `statuswatch report --json`, serve's /v1/history and /v1/report) and their reader.

Stdlib only: the headless paths import this package, never Textual.
"""

from __future__ import annotations

# The `schema` of the `--json` document: a change that breaks a reader needs a new version.
SCHEMA = "statuswatch/v1"
# The history's documents (issue 14), versioned the same way.
HISTORY_SCHEMA = "statuswatch/history/v1"
REPORT_SCHEMA = "statuswatch/report/v1"
