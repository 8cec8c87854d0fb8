"""`statuswatch serve`: one poller, many readers over HTTP (status, Server-Sent Events, metrics)."""
