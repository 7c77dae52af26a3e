"""The ground floor: paths, settings, logs, redaction, inert text, formatting,
process safety. No Textual, no ccxt, nothing of Keydeck above it."""
