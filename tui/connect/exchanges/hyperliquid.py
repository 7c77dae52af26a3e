"""Hyperliquid: is this the wallet's own private key (it can withdraw everything) or an API
wallet's (it can only trade)?

A Hyperliquid account is a wallet address; ccxt signs with `privateKey` for `walletAddress`.
Reading balances and roles are unsigned `POST /info` calls, so the exchange never checks the
key while Keydeck reads: Keydeck checks it itself. It derives the key's address locally (the
private key never leaves the process) and asks `/info {"type": "userRole", "user": <that
address>}`.

Docs followed:
- Info endpoint, "Query a user's role"
  (https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/info-endpoint):
  `{"role": "user"}`, `{"role": "agent", "data": {"user": <master>}}`, `{"role": "vault"}`,
  `{"role": "subAccount", "data": {"master": <master>}}`, `{"role": "missing"}`.
- Nonces and API wallets
  (https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/nonces-and-api-wallets):
  a master account approves API (agent) wallets "to sign on behalf of the master account or
  any of the sub-accounts"; they "are only used to sign". Withdrawals (`withdraw3`) and
  transfers to others (`usdSend`, `spotSend`) are user-signed actions of the exchange
  endpoint, signed by the account's own wallet; that an agent cannot sign them is stated
  by third-party guides only (docs/permissions.md, "D-").

So: the key's address IS `walletAddress` (role "user"): the wallet's own key, it withdraws
everything (critical). Its role is "agent" for `walletAddress`, or for the master of the
sub-account `walletAddress` (a second userRole call): an API wallet, it trades and cannot
withdraw. Anything else (a key of another wallet, an unknown address) is a key that does not
belong to the account: bad credentials. Hyperliquid has no IP allowlists; an agent's expiry
is not in userRole, so none is read.

The server clock is not measured (`has["fetchTime"]` off): nonces only need to be within a
day of it (nonces-and-api-wallets, "(T - 2 days, T + 1 day)") and reads are unsigned. Keydeck's
status check then runs the key check above instead, so a key of another wallet fails every
refresh, not only the first verification.
"""

from __future__ import annotations

import string
from typing import Any

from tui.connect.exchanges.base import ExchangeModule, PermissionReader, Raw
from tui.connect.models import Permissions
from tui.connect.problems import MalformedResponse, ProblemKind, error_rule
from tui.connect.shapes import Shape

SIGNER = "signer"
"""Added by `fetch_raw`: the address derived from the private key."""
WALLET = "wallet"
"""Added by `fetch_raw`: the account's `walletAddress`."""
SIGNER_ROLE = "signerRole"
"""The userRole answer for the signer's address."""
WALLET_ROLE = "walletRole"
"""The userRole answer for the wallet, asked when the key is an agent of another account."""

_MISMATCH = "the private key does not belong to the wallet"


class KeyNotForWallet(Exception):
    """The private key is not the wallet's own, nor an API wallet acting for it."""


def signer_address(private_key: Any) -> str:
    """The checksummed address of a secp256k1 private key given as 64 hex digits (0x or not).

    Errors never quote the key."""
    text = str(private_key or "").strip()
    digits = text[2:] if text[:2].lower() == "0x" else text
    if len(digits) != 64 or not all(c in string.hexdigits for c in digits):
        raise KeyNotForWallet("hyperliquid: the private key is not 64 hexadecimal digits")
    from eth_keys import keys  # loaded with the first Hyperliquid check, not with Keydeck
    from eth_keys.exceptions import ValidationError

    try:
        key = keys.PrivateKey(bytes.fromhex(digits))
    except (ValueError, ValidationError):
        raise KeyNotForWallet("hyperliquid: the private key is not a valid key") from None
    return key.public_key.to_checksum_address()


def _same(a: Any, b: Any) -> bool:
    return isinstance(a, str) and isinstance(b, str) and bool(a) and a.lower() == b.lower()


def _role(answer: Any) -> str | None:
    role = answer.get("role") if isinstance(answer, dict) else None
    return role if isinstance(role, str) else None


def _data(answer: Any, name: str) -> Any:
    data = answer.get("data") if isinstance(answer, dict) else None
    return data.get(name) if isinstance(data, dict) else None


def _agent_for(raw: Raw) -> bool | None:
    """True: an agent for a sub-account; False: for the wallet itself; None: neither."""
    answer = raw.get(SIGNER_ROLE)
    if _role(answer) != "agent":
        return None
    master = _data(answer, "user")
    if _same(master, raw.get(WALLET)):
        return False
    wallet_role = raw.get(WALLET_ROLE)
    if _role(wallet_role) == "subAccount" and _same(_data(wallet_role, "master"), master):
        return True
    return None


def _own_key(raw: Raw) -> bool:
    return _role(raw.get(SIGNER_ROLE)) == "user" and _same(raw.get(SIGNER), raw.get(WALLET))


def normalize(raw: Raw) -> Permissions:
    """userRole of the key's address: {"role": "user"} for the wallet itself (can withdraw),
    {"role": "agent", "data": {"user": <wallet or its master>}} for an API wallet."""
    if _own_key(raw):
        return Permissions(
            reported=True,
            read=True,
            spot_trade=True,
            margin=None,  # no margin permission of its own: the wallet can do anything
            futures=True,
            withdraw=True,
            internal_transfer=True,
            sub_account=False,
        )
    for_sub_account = _agent_for(raw)
    if for_sub_account is None:
        return Permissions.not_reported()
    return Permissions(
        reported=True,
        read=True,
        spot_trade=True,
        margin=None,
        futures=True,
        withdraw=False,
        internal_transfer=None,  # agents sign L1 actions; which transfers those include is unsaid
        sub_account=for_sub_account,
    )


def _mismatch_reason(raw: Raw) -> str:
    signer, wallet = raw.get(SIGNER), raw.get(WALLET)
    role, wallet_role = _role(raw.get(SIGNER_ROLE)), _role(raw.get(WALLET_ROLE))
    if wallet_role == "agent":
        master = _data(raw.get(WALLET_ROLE), "user")
        return f"{wallet} is itself an API wallet; the account's address is {master}"
    if role == "agent":
        return f"it is an API wallet of {_data(raw.get(SIGNER_ROLE), 'user')}"
    if role == "user":
        return f"it is the key of another wallet, {signer}"
    return f"its address {signer} is not known to Hyperliquid (role {role})"


async def _user_role(client: Any, address: str) -> Any:
    answer = await client.public_post_info({"type": "userRole", "user": address})
    if _role(answer) is None:
        raise MalformedResponse("hyperliquid: the userRole answer holds no role")
    return answer


async def fetch_raw(client: Any) -> Raw:
    wallet = str(client.walletAddress or "").strip()
    if not wallet:
        raise KeyNotForWallet(f"hyperliquid: {_MISMATCH}: no wallet address was given")
    signer = signer_address(client.privateKey)  # local: the key itself is never sent
    raw: Raw = {SIGNER: signer, WALLET: wallet, SIGNER_ROLE: await _user_role(client, signer)}
    if _own_key(raw) or _agent_for(raw) is False:
        return raw
    raw[WALLET_ROLE] = await _user_role(client, wallet)
    if _agent_for(raw) is None:
        raise KeyNotForWallet(f"hyperliquid: {_MISMATCH} {wallet}: {_mismatch_reason(raw)}")
    return raw


MODULE = ExchangeModule(
    id="hyperliquid",
    name="Hyperliquid",
    key_page="https://app.hyperliquid.xyz/API",
    permissions=PermissionReader(
        fetch_raw,
        normalize,
        endpoint='POST /info {"type": "userRole"}',
        doc="https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/info-endpoint",
        reads=("withdraw", "trade"),
    ),
    error_rules=(
        error_rule(
            _MISMATCH,
            ProblemKind.bad_credentials,
            "This private key does not belong to the Hyperliquid wallet address.",
            "Enter the account's wallet address and the private key of an API wallet "
            "approved for it (API page on {name}), not a key of another wallet.",
        ),
        error_rule(
            r"the private key is not",
            ProblemKind.bad_credentials,
            "This is not a Hyperliquid private key.",
            "Paste the API wallet's private key: 64 hexadecimal digits, with or without 0x.",
        ),
        # An action signed by an address Hyperliquid does not know (ccxt: InvalidOrder).
        error_rule(r"User or API Wallet \S+ does not exist", ProblemKind.bad_credentials),
    ),
    # Keydeck prices spot balances: the spot account (spotClearinghouseState), not the perp
    # margin summary ccxt reads by default.
    client_options={"fetchBalance": {"type": "spot"}},
    client_config={"has": {"fetchTime": False}},
    balance_shape=Shape(fields={"balances": list}),
    permission_shape=Shape(fields={SIGNER: str, WALLET: str, f"{SIGNER_ROLE}.role": str}),
)
