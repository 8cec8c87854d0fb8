"""Independent probes: the providers' own endpoints, early warnings and each page's lag.

Modules: `settings` (the `[probes]` settings and `expect`), `configparse` (their TOML),
`request` (one probe through the engine's client and limits), `runner` (one poll's probes),
`warning` (the early-warning state machine), `vantage` (is it them or us?), `lead` (how late
the page was), `store` (the counts kept between runs), `observe` (all of it applied to a poll)
and `engine` (a poll with its probes, for statuswatch.source).
"""
