"""Keydeck's screens and modal dialogs."""
