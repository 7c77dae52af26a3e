"""Pointing a ccxt client at an alternate API host (regional host, proxy, the simulator).

`Account.endpoint` replaces the scheme and host of every REST URL the exchange uses and keeps
each path. `https://` may point anywhere; plain `http://` only at this computer (127.0.0.0/8,
::1, localhost): keys, passphrases and replayable signatures never cross a network in clear.
An endpoint may carry a path prefix of its own (`http://127.0.0.1:8400/binance`, or a
reverse proxy mounted under a path): it is put in front of each original path.

This module works on the client's `urls` dictionary only and does not import ccxt.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit, urlunsplit

_HTTP_SCHEMES = ("http", "https")


class EndpointError(ValueError):
    """The text is not a usable API base URL; the message says why."""


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 (also IPv4-mapped) or the name `localhost`: this computer only."""
    name = host.strip("[]").rstrip(".").lower()
    if name == "localhost":
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


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
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise EndpointError(
            "Plain http:// would send the key in clear over the network: use https://. "
            "(http:// is allowed only to this computer: 127.0.0.1, ::1 or localhost.)"
        )
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
