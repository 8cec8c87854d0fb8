"""The cron notifier: events derived from snapshots, durable state and outbox, channels.

Importing this package is cheap (stdlib only): the config reads `notify.settings` for every
command, while HTTP clients, SMTP and subprocesses are imported by the modules that use them.
"""
