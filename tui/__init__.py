"""Keydeck: connect, verify and watch crypto-exchange API keys from the terminal."""

__version__ = "0.1.0"
