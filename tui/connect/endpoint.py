"""Pointing a ccxt client at an alternate API host (regional host, proxy, the simulator).

`Account.endpoint` replaces the scheme and host of every REST URL the exchange uses and keeps
each path. `https://` may point anywhere; plain `http://` only at this computer (an IP literal
in 127.0.0.0/8, ::1, or the name `localhost` exactly, which the transport resolves and uses
only if every address is loopback): keys, passphrases and replayable signatures never cross a
network in clear. User info (`user:token@`) is refused: it would be stored and printed.
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


LOOPBACK_NAME = "localhost"


def is_loopback(host: str) -> bool:
    """An IP literal in 127.0.0.0/8 or ::1 (also IPv4-mapped), or the name `localhost`
    exactly: this computer only. `localhost.` (a DNS name a resolver may answer for) and
    names such as `localhost.example` are not; `localhost` itself is resolved by the
    transport, which connects only if every address it gets is loopback."""
    name = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if name.lower() == LOOPBACK_NAME:
        return True
    return is_loopback_address(name)


def is_loopback_address(text: str) -> bool:
    """`text` is an IP literal of this computer (127.0.0.0/8, ::1, IPv4-mapped 127/8)."""
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
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
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
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
