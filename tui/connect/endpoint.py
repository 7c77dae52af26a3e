"""Pointing a ccxt client at an alternate API host (regional host, proxy, the simulator).

`Account.endpoint` replaces the scheme and host of every REST URL the exchange uses and keeps
each path. An endpoint may carry a path prefix of its own (`http://127.0.0.1:8400/binance`,
or a reverse proxy mounted under a path): it is put in front of each original path.

This module works on the client's `urls` dictionary only and does not import ccxt.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

_HTTP_SCHEMES = ("http", "https")


class EndpointError(ValueError):
    """The text is not a usable API base URL; the message says why."""


def normalize_endpoint(text: str) -> str:
    """Check an endpoint a user typed and return it in canonical form (no trailing slash)."""
    value = text.strip()
    if not value:
        raise EndpointError("The endpoint is empty.")
    parts = urlsplit(value)
    if parts.scheme not in _HTTP_SCHEMES:
        raise EndpointError("The endpoint must start with https:// (or http:// for a local host).")
    if not parts.hostname:
        raise EndpointError("The endpoint has no host name.")
    if parts.username or parts.password:
        raise EndpointError("Put no user name or password in the endpoint URL.")
    if parts.query or parts.fragment:
        raise EndpointError("The endpoint must not contain '?' or '#'.")
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as error:
        raise EndpointError("The endpoint's port is not a number between 0 and 65535.") from error
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def rewrite_url(url: str, endpoint: str) -> str:
    """`https://api.x.com/api/v3?a=1` + `http://h:1/p` -> `http://h:1/p/api/v3?a=1`."""
    original = urlsplit(url)
    if original.scheme not in _HTTP_SCHEMES:
        return url  # websockets and other schemes are not ours to move
    target = urlsplit(endpoint)
    path = target.path.rstrip("/") + original.path
    return urlunsplit((target.scheme, target.netloc, path, original.query, original.fragment))


def rewrite_urls(tree: Any, endpoint: str) -> Any:
    """Rewrite every http(s) URL in a nested dict/list/str structure, returning a new one."""
    if isinstance(tree, str):
        return rewrite_url(tree, endpoint)
    if isinstance(tree, dict):
        return {key: rewrite_urls(value, endpoint) for key, value in tree.items()}
    if isinstance(tree, list):
        return [rewrite_urls(value, endpoint) for value in tree]
    return tree


def apply_endpoint(client: Any, endpoint: str) -> None:
    """Point every REST URL of a ccxt exchange instance at `endpoint`.

    Call it after `set_sandbox_mode`, which swaps `urls['api']` for the testnet URLs.
    """
    canonical = normalize_endpoint(endpoint)
    client.urls["api"] = rewrite_urls(client.urls["api"], canonical)
