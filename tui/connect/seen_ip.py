"""The address an exchange says it saw a request come from, read out of its error text.

Some exchanges name the refused address in the error itself (Binance -2015 "... request ip:
<addr>", OKX 50110 "Your IP <addr> is not included ..."; see each module's error rules and
tests/fixtures/exchange_answers/). The text is untrusted: only a token that parses as an IPv4
or IPv6 address with `ipaddress`, standing alone between separators, is kept, in its
canonical form. Anything else (a host name, a half address, control characters glued to it)
is ignored, never shown.
"""

from __future__ import annotations

import ipaddress
import re

# What an address is made of, and what may stand right after it in the texts seen (end,
# space, a JSON quote, a bracket, a comma, a sentence's full stop).
_ADDRESS_CHARS = r"[0-9A-Fa-f:.]{2,45}"
_AFTER = r"(?=$|[\s\"'\],)}]|\.(?:$|[\s\"']))"
ADDRESS = rf"({_ADDRESS_CHARS}){_AFTER}"
"""The regex fragment an error rule puts where the exchange writes the address."""


def canonical_ip(text: str | None) -> str | None:
    """`text` as a canonical IPv4/IPv6 address, or None when it is not exactly one."""
    if not text or len(text) > 45:
        return None
    try:
        address = ipaddress.ip_address(text.strip().rstrip("."))
    except ValueError:
        return None
    if address.is_unspecified:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address)


def find_seen_ip(pattern: re.Pattern[str] | None, message: str) -> str | None:
    """The address `pattern`'s first group captures in `message`, validated; else None."""
    if pattern is None:
        return None
    found = pattern.search(message)
    if found is None:
        return None
    return canonical_ip(found.group(1))


def ip_version(address: str) -> int | None:
    try:
        return ipaddress.ip_address(address).version
    except ValueError:
        return None


def shown(address: str) -> str:
    """The address as a sentence shows it: IPv6 ones say so (they surprise people)."""
    return f"{address} (IPv6)" if ip_version(address) == 6 else address


def in_allowlist(address: str, allowlist: tuple[str, ...]) -> bool:
    """True when `address` is one of the entries (single addresses or CIDR ranges)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for entry in allowlist:
        try:
            if ip in ipaddress.ip_network(entry.strip(), strict=False):
                return True
        except ValueError:
            continue
    return False
