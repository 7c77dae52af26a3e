"""Keydeck's reusable widgets."""
