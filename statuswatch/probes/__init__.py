"""Independent probes: the providers' own endpoints, early warnings and each page's lag.

Modules: `settings` (the `[probes]` settings and `expect`), `configparse` (their TOML),
`runner` (one poll's probes through the engine's HTTP client), `warning` (the early-warning
state machine), `vantage` (is it them or us?), `lead` (how late the page was), `store` (the
counts kept between runs) and `observe` (all of it applied to a poll).
"""
