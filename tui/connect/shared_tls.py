"""One TLS context for every exchange client, instead of one each.

ccxt's async client builds its own `ssl.create_default_context(cafile=...)` when it opens
its session, loading the whole CA bundle again: 0.67 MB per client, the largest per-account
cost once markets are shared (docs/benchmarks.md, memory). A context holds no per-connection
state and can serve any number of sessions; this gives every client with the same CA file
the same one, built exactly as ccxt builds it. Clients that ask for more (the OS's
certificates on top, or no verification) keep ccxt's own behaviour.
"""

from __future__ import annotations

import ssl
import threading
from typing import Any

_contexts: dict[str, ssl.SSLContext] = {}
_lock = threading.Lock()


def context_for(cafile: str) -> ssl.SSLContext:
    """The one verifying TLS context for `cafile`, built once (as ccxt builds its own)."""
    with _lock:
        context = _contexts.get(cafile)
        if context is None:
            context = _contexts[cafile] = ssl.create_default_context(cafile=cafile)
        return context


def share_tls_context(client: Any) -> None:
    """Give `client` the shared context for its CA file, before it opens a session of its
    own (Keydeck's REST session already uses `context_for`; this covers ccxt's others)."""
    if client.ssl_context is not None or client.verify is not True:
        return
    if client.safe_bool(client.options, "include_OS_certificates", False):
        return
    client.ssl_context = context_for(str(client.cafile))
