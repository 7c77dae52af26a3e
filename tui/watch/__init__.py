"""`keydeck watch`: a headless monitor reporting each change once (no Textual).

- `events`: last-known states + a round of reports -> events (pure).
- `state`: those states on disk, so a restart does not alert again.
- `sinks`: stdout JSON lines, webhooks, a command, desktop notifications; retried.
- `metrics`: `--metrics`, the rounds as Prometheus metrics (docs/monitoring.md).
- `runner`: the loop on a read-only Session (`watch_keyfile`).
- `command`: the `keydeck watch` arguments, password and signals.

Events and setup: docs/watch.md.
"""
