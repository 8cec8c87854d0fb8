"""`statuswatch demo`: real outages replayed offline by a loopback server and a compressed clock.

Nothing here imports Textual: `demo --json` and `demo status` stay headless.
"""
