"""The embedded history: every poll's changes and the pages' own records, in one SQLite file.

* `db`: the database itself (WAL, busy timeout, schema version and migrations, retention);
* `record`: what a snapshot changed (statuses, incidents, updates, maintenances);
* `backfill`: the pages' own incident history, fetched once per provider;
* `query`, `report`, `bars`: past incidents, reliability figures, the 90-day bars;
* `export`: CSV, JSON Lines and Markdown renderings.

Nothing here imports Textual; httpx is imported only by `backfill`, when it fetches.
"""
